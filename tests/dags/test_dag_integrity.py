"""DAG integrity: every DAG file imports cleanly and cheaply, retries, and has the expected shape."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from transforms.publish import BUILDS

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "duckdb", "great_expectations", "pyarrow", "transforms.validator", "transforms.ingest")


def test_expected_dags(dags):
    assert set(dags) == {"ingest", "build_publish", "deliver"}


def test_ingest_maps_one_task_over_the_municipalities_into_the_staging_asset(dags):
    dag = dags["ingest"]
    assert set(dag.task_dict) == {"municipalities", "ingest"}
    assert dag.task_dict["ingest"].upstream_task_ids == {"municipalities"}
    assert not dag.task_dict["municipalities"].outlets  # unchanged folders trigger no build
    assert dag.timetable.expression == "0 2 * * *"
    assert [a.uri for a in dag.task_dict["ingest"].outlets] == ["trappe://staging/inputs"]
    assert dag.task_dict["ingest"].op_kwargs_expand_input.value.keys() == {"folders"}


def test_build_publish_is_triggered_by_the_staging_asset_and_maps_the_computation(dags):
    dag = dags["build_publish"]
    assert dag.timetable.asset_condition.uri == "trappe://staging/inputs"
    assert {t: dag.task_dict[t].upstream_task_ids for t in dag.task_dict} == {
        "plan": set(), "compute": {"plan"}, "publish": {"plan", "compute"}}
    assert dag.task_dict["compute"].op_kwargs_expand_input.value.keys() == {"item"}
    outlets = {a.uri for a in dag.task_dict["publish"].outlets}
    assert outlets == {f"trappe://published/{b.TABLE}" for b in BUILDS}


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
