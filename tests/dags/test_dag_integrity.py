"""DAG integrity: every DAG file imports cleanly and cheaply, retries, and has the expected shape."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from plugins.trappe_airflow import SOURCES

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "duckdb", "great_expectations", "pyarrow", "transforms.validator", "transforms.ingest")


def test_expected_dags(dags):
    assert set(dags) == {f"ingest_{s}" for s in SOURCES} | {"build_publish", "deliver"}
    assert {"case", "population"} <= set(SOURCES)


@pytest.mark.parametrize("dag_id", [f"ingest_{s}" for s in SOURCES])
def test_ingest_dag_maps_over_municipalities(dags, dag_id):
    dag = dags[dag_id]
    assert set(dag.task_dict) == {"municipalities", "ingest"}
    assert dag.task_dict["ingest"].upstream_task_ids == {"municipalities"}
    assert not dag.task_dict["municipalities"].outlets  # unchanged folders trigger no build
    assert dag.timetable.expression == "0 2 * * *"
    outlets = [a.uri for a in dag.task_dict["ingest"].outlets]
    assert outlets == [f"trappe://staging/{dag_id.removeprefix('ingest_')}"]


def test_build_publish_is_triggered_by_the_staging_assets(dags):
    dag = dags["build_publish"]
    assert dag.task_dict["publish"].upstream_task_ids == {"load_staging"}
    uris = {a.uri for a in dag.timetable.asset_condition.objects}
    assert uris == {f"trappe://staging/{s}" for s in SOURCES}


def test_every_task_retries(dags):
    for dag in dags.values():
        for task in dag.tasks:
            assert task.retries >= 2, f"{dag.dag_id}.{task.task_id} has no retries"


@pytest.mark.parametrize("path", sorted((REPO / "dags").glob("*.py")), ids=lambda p: p.name)
def test_dag_file_imports_no_heavy_library(path):
    """Parsing a DAG file must stay cheap: the scheduler parses it every few seconds."""
    code = (f"import runpy, sys; runpy.run_path({str(path)!r}); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip().splitlines()[-1] == "[]"
