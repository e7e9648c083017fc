"""`trappe run`: one nightly run through the project's real Airflow DAGs, in-process (`dag.test()`).

Airflow runs with its home under the data folder (a SQLite metadata database, created on first
use). Airflow's own console output goes to a log file per run; the terminal shows progress and a
summary. The same DAGs run unchanged under a scheduler (docker-compose / `airflow standalone`).
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from transforms.run_context import RunContext

REPO = Path(__file__).resolve().parent.parent


def airflow_environment(data_dir: Path) -> dict[str, str]:
    """Environment for an in-process Airflow whose home and logs live under the data folder."""
    home = data_dir / "airflow"
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "GX_ANALYTICS_ENABLED": "False",
    }


def prepare_airflow(data_dir: Path) -> None:
    """Point Airflow at its home under `data_dir` and create its metadata database once."""
    env = airflow_environment(data_dir.resolve())  # Airflow refuses a relative SQLite path
    os.environ.update(env)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    if not (Path(env["AIRFLOW_HOME"]) / "airflow.db").exists():
        airflow = Path(sys.executable).with_name("airflow")
        subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env={**os.environ, **env})


@contextmanager
def output_to(log_file: Path) -> Iterator[None]:
    """Send everything written to stdout/stderr (Airflow's task logs included) to `log_file`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log_file, "ab") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


@dataclass(frozen=True)
class DagResult:
    dag_id: str
    state: str


def load_dags() -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    if bag.import_errors:
        raise RuntimeError("DAG files failed to import: " + "; ".join(f"{k}: {v}" for k, v in bag.import_errors.items()))
    return bag.dags


def run_dags(ctx: RunContext, log_file: Path, on_step: Callable[[str], None] = lambda _: None,
             right_size: bool = False) -> list[DagResult]:
    """Run the nightly DAGs in order with the run's parameters; stop at the first that fails
    (`right_size`: a small night runs in one process, see ingest.queue).

    `prepare_airflow` must have run before Airflow was first imported in this process."""
    from transforms.ingest import queue

    results = []
    with output_to(log_file):
        dags = load_dags()
        ctx = queue(ctx, right_size=right_size)  # the worker processes start on every changed folder at once
    for dag_id in dag_order():
        on_step(dag_id)
        with output_to(log_file):
            run = dags[dag_id].test(run_conf=ctx.to_conf())
        state = str(getattr(run.state, "value", run.state))
        results.append(DagResult(dag_id, state))
        if state != "success":
            raise RuntimeError(f"DAG {dag_id} ended {state}: see {log_file}")
    return results


def dag_order() -> list[str]:
    """The ingest DAG, then the build that reads what it staged."""
    return ["ingest", "build_publish"]


def new_context(inbox: Path, data_dir: Path, warehouse_url: str, as_of: str, demo: bool, config: Path | None = None,
                processes: int = 1) -> RunContext:
    started = datetime.now(timezone.utc).replace(microsecond=0)  # metadata of the run, never logic
    return RunContext(inbox=str(inbox.resolve()), data_dir=str(data_dir.resolve()), warehouse_url=warehouse_url,
                      run_id=f"run_{started:%Y%m%dT%H%M%SZ}", started_at=started.isoformat(), as_of=as_of, demo=demo,
                      config=str(config.resolve()) if config else "", processes=processes)
