"""Test-wide setup: an Airflow home of its own (never the user's), no analytics, a test key."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_home = Path(tempfile.mkdtemp(prefix="trappe-airflow-"))
os.environ.setdefault("AIRFLOW_HOME", str(_home))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{_home / 'airflow.db'}")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test database on the real PostgreSQL 15 that `make test` starts (scripts/postgres.sh).

    Never skipped: a missing server is a failure, with the command that fixes it."""
    explicit = os.environ.get("TRAPPE_TEST_POSTGRES_URL")
    if explicit:
        return explicit
    password_file = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "trappe" / "postgres.password"
    if not password_file.exists():
        pytest.fail("PostgreSQL is not set up for the tests: run `bash scripts/postgres.sh` (make test does)")
    return f"postgresql+psycopg://trappe:{password_file.read_text().strip()}@127.0.0.1:5432/trappe_test"


@pytest.fixture(scope="session")
def dags():
    """Every DAG of dags/, parsed once per session as the dag-processor parses them (none may fail)."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    return bag.dags
