"""Operations smoke test: the DAGs under a real Airflow 3 (scheduler, dag-processor, api-server), not `dag.test()`.

A fresh AIRFLOW_HOME in tmp, the LocalExecutor, the metadata database on the local PostgreSQL (a schema
of its own in `airflow_meta`, see airflow_local.py). The nightly ingest DAG is triggered through the
REST API with the run's conf; `build_publish` is NOT triggered by the test: the scheduler must start it
from the staging asset events, and the test waits for the run(s) that consumed them. Then the warehouse
has key figures, and nothing Airflow or the run wrote (logs, process output, staging, warehouse, the
metadata database with its XComs) holds a CPR number of the inbox. Every process started here is
stopped in the fixture's `finally`, whatever happens. Loopback only.

The asset-triggered `build_publish` gets no conf, so the processes carry TRAPPE_INBOX, TRAPPE_DATA_DIR
and TRAPPE_WAREHOUSE_URL, as a deployment does (docker-compose.yml).
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.ops.airflow_local import LocalAirflow, MetadataSchema, stop_on_sigterm
from tests.privacy import CPR_IN_TEXT, inbox_cprs, leaks, spellings

TRAPPE = str(Path(sys.executable).with_name("trappe"))
KOMMUNEKODE = 510
INGEST_DAGS = ["ingest"]
BOUND_SECONDS = 300  # Airflow's start and every wait together; the whole test takes about 2 minutes on a quiet 2-core machine


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, postgres_url):
    started = time.monotonic()
    root = tmp_path_factory.mktemp("airflow-smoke")
    inbox, data_dir, warehouse = root / "inbox", root / "data", root / "warehouse" / "wh.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "TRAPPE_"))}
    gen = subprocess.run([TRAPPE, "generate", "--out", str(inbox), "--kommunekoder", str(KOMMUNEKODE), "--scale", "0.05"],
                         capture_output=True, text=True, env=env, cwd=root)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    deadline = time.monotonic() + BOUND_SECONDS
    warehouse_url = f"duckdb:///{warehouse}"
    conf = {"inbox": str(inbox), "data_dir": str(data_dir), "warehouse_url": warehouse_url, "demo": True}

    key = secrets.token_hex(24)  # reaches the tasks as the Airflow variable trappe_pseudonym_key
    schema = MetadataSchema(postgres_url)
    airflow = LocalAirflow(root / "airflow", schema.sqlalchemy_url,
                           extra_env={"TRAPPE_INBOX": str(inbox), "TRAPPE_DATA_DIR": str(data_dir),
                                      "TRAPPE_WAREHOUSE_URL": warehouse_url, "AIRFLOW_VAR_TRAPPE_PSEUDONYM_KEY": key})
    timings: dict[str, float] = {}
    with stop_on_sigterm():  # a CI timeout's SIGTERM still stops Airflow
        try:
            airflow.start()
            timings["db_migrate_and_spawn"] = time.monotonic() - started
            api = airflow.client(deadline)
            timings["api_up"] = time.monotonic() - started
            dags = api.wait_for_dags({*INGEST_DAGS, "build_publish"}, deadline)
            timings["dags_parsed"] = time.monotonic() - started

            api.unpause("build_publish")  # asset-triggered: unpausing creates no run by itself
            triggered = {}
            for dag_id in INGEST_DAGS:
                # Name tonight's logical date: the scheduler then sees the nightly run exists and does not add
                # one of its own (without conf) when the DAG is unpaused.
                triggered[dag_id] = api.trigger(dag_id, conf, logical_date=dags[dag_id]["next_dagrun_logical_date"])
                api.unpause(dag_id)
            ingest_runs = {d: api.wait_for_run(d, r["dag_run_id"], deadline) for d, r in triggered.items()}
            timings["ingest_done"] = time.monotonic() - started
            ingest_tis = {d: api.task_instances(d, r["dag_run_id"]) for d, r in triggered.items()}
            assert all(r["state"] == "success" for r in ingest_runs.values()), (ingest_runs, ingest_tis)

            emitted = {e["id"]: e for d, r in triggered.items() for e in api.asset_events(d, r["dag_run_id"])}
            while True:  # until the asset-triggered runs have consumed every event the ingest runs emitted, and ended
                airflow.assert_running()
                publish_runs = api.dag_runs("build_publish")
                consumed = {r["dag_run_id"]: api.upstream_asset_events("build_publish", r["dag_run_id"]) for r in publish_runs}
                seen = {e["id"] for events in consumed.values() for e in events}
                if emitted.keys() <= seen and all(r["state"] in ("success", "failed") for r in publish_runs):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"build_publish did not consume {sorted(emitted.keys() - seen)}: {publish_runs}\n"
                                       f"{airflow.tail('scheduler')}")
                time.sleep(2)
            timings["build_publish_done"] = time.monotonic() - started
            listening = airflow.listening()
            publish_tis = {r["dag_run_id"]: api.task_instances("build_publish", r["dag_run_id"]) for r in publish_runs}
            metadata_rows = list(schema.text_rows())
            metadata_cpr_rows = _rows_with_cprs(metadata_rows, inbox_cprs(inbox))
            metadata_key_rows = sum(key in row for row in metadata_rows)
            timings["checked"] = time.monotonic() - started
        finally:
            try:
                airflow.stop()
            finally:
                schema.drop()
    timings["stopped"] = time.monotonic() - started
    (root / "timings.json").write_text(json.dumps({"timings": timings, "api_calls": sorted(set(api.calls))}, indent=1))
    return {"root": root, "inbox": inbox, "data_dir": data_dir, "warehouse": warehouse, "airflow": airflow,
            "triggered": triggered, "ingest_runs": ingest_runs, "ingest_tis": ingest_tis, "emitted": emitted, "publish_runs": publish_runs,
            "consumed": consumed, "publish_tis": publish_tis, "metadata_cpr_rows": metadata_cpr_rows, "key": key,
            "metadata_key_rows": metadata_key_rows, "calls": api.calls, "timings": timings, "listening": listening}


def _rows_with_cprs(rows, cprs: set[str]) -> int:
    wanted = spellings(cprs)
    count = 0
    for row in rows:
        for m in CPR_IN_TEXT.finditer(row.encode("utf-8", "replace")):
            if m.group(0).decode() in wanted or (m.group(1) + m.group(2)).decode() in cprs:
                count += 1
                break
    return count


def test_every_process_was_stopped(smoke):
    airflow = smoke["airflow"]
    for name, proc in airflow.processes.items():
        assert proc.poll() is not None, f"airflow {name} still runs"
    assert len(airflow.stopped) >= len(airflow.processes)
    assert [p for p in airflow.stopped if p.is_running() and p.status() != "zombie"] == []


def test_only_loopback_addresses(smoke):
    assert (("127.0.0.1", smoke["airflow"].port)) in smoke["listening"]
    assert {ip for ip, _ in smoke["listening"]} == {"127.0.0.1"}, smoke["listening"]


def test_nightly_ingest_runs_triggered_through_the_api_succeed(smoke):
    for dag_id, run in smoke["ingest_runs"].items():
        assert run["state"] == "success", run
        assert run["run_type"] == "manual" and run["conf"]["inbox"] == str(smoke["inbox"])
    assert smoke["emitted"], "the ingest runs emitted no asset event"
    uris = {e["uri"] for e in smoke["emitted"].values()}
    assert uris == {"trappe://staging/inputs"}


def test_ingestion_is_one_mapped_task_per_municipality_under_the_local_executor(smoke):
    """What lets a Celery or Kubernetes executor spread a national night: the scheduler expands
    `ingest` into one task instance per municipality that delivered (named by its code; 0: the
    national population)."""
    (tis,) = smoke["ingest_tis"].values()
    mapped = [ti for ti in tis if ti["task_id"] == "ingest"]
    assert sorted((ti.get("rendered_map_index"), ti["state"]) for ti in mapped) == [("0", "success"), (str(KOMMUNEKODE), "success")], mapped


def test_computation_is_one_mapped_task_per_municipality_under_the_local_executor(smoke):
    """The build's `compute` is expanded per municipality whose inputs changed, once over the runs
    the asset events triggered (a later run finds nothing changed and maps no task)."""
    computed = [ti for tis in smoke["publish_tis"].values() for ti in tis if ti["task_id"] == "compute" and ti["map_index"] >= 0]
    assert [(ti.get("rendered_map_index"), ti["state"]) for ti in computed] == [(str(KOMMUNEKODE), "success")], computed


def test_the_asset_events_triggered_build_publish_and_it_succeeded(smoke):
    runs = smoke["publish_runs"]
    assert runs, "no build_publish run"
    for run in runs:
        assert run["run_type"] == "asset_triggered" and run["triggered_by"] == "asset", run
        assert run["state"] == "success", (run, smoke["publish_tis"][run["dag_run_id"]])
    sources = {(e["source_dag_id"], e["source_run_id"]) for events in smoke["consumed"].values() for e in events}
    assert sources == {(d, r["dag_run_id"]) for d, r in smoke["triggered"].items()}


def test_the_warehouse_has_key_figures(smoke):
    con = duckdb.connect(str(smoke["warehouse"]), read_only=True)
    try:
        figures = con.execute("SELECT key_figure, count(*) FROM published.key_figures WHERE kommunekode = ? GROUP BY 1",
                              [KOMMUNEKODE]).fetchall()
        audited = {r for (r,) in con.execute("SELECT DISTINCT run_id FROM published.load_audit").fetchall()}
    finally:
        con.close()
    assert {"placed_per_1000", "placement_form_share", "caseload_per_worker"} <= {k for k, _ in figures}, figures
    assert {r["dag_run_id"] for r in smoke["triggered"].values()} <= audited  # every ingest run audited its files


def test_airflow_wrote_task_logs(smoke):
    logs = list(smoke["airflow"].log_folder.rglob("*.log"))
    assert any("dag_id=ingest/" in str(p) for p in logs) and any("dag_id=build_publish" in str(p) for p in logs), logs


def test_nothing_written_holds_a_cpr_number(smoke):
    """Task logs, the processes' own output, staging Parquet, the warehouse and Airflow's metadata (XComs, conf)."""
    cprs = inbox_cprs(smoke["inbox"])
    assert len(cprs) > 100
    assert any(smoke["airflow"].log_folder.rglob("*.log"))
    for folder in (smoke["airflow"].home, smoke["data_dir"], smoke["warehouse"].parent):
        assert leaks(folder, cprs) == [], folder
    assert smoke["metadata_cpr_rows"] == 0, "Airflow's metadata database holds CPR numbers"


def test_the_key_came_from_airflow_and_was_never_written(smoke):
    """The key is the Airflow variable (not the demo key the conf allows), and no file or metadata row holds it."""
    ingest_logs = [p for p in smoke["airflow"].log_folder.rglob("*.log") if "dag_id=ingest/" in str(p)]
    assert ingest_logs and not any("Demo run" in p.read_text(errors="replace") for p in ingest_logs)
    key = smoke["key"].encode()
    written = [p for folder in (smoke["airflow"].home, smoke["data_dir"], smoke["warehouse"].parent)
               for p in folder.rglob("*") if p.is_file() and key in p.read_bytes()]
    assert written == []
    assert smoke["metadata_key_rows"] == 0
