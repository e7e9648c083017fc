"""Ingest: list the municipalities with a folder that changed since it was last ingested (the
listing task audits the unchanged ones), then ingest each of them (dynamic task mapping, one task
per municipality and all its changed sources, so more workers spread a national run), ending in
the staging asset that triggers build_publish.

Orchestration only: the work is `transforms.ingest`, imported inside the tasks.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task

from plugins.trappe_airflow import DEFAULT_ARGS, RUN_PARAMS, run_context, staging_asset


@dag(dag_id="ingest", schedule="0 2 * * *", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
     catchup=False, max_active_runs=1, default_args=DEFAULT_ARGS, params=RUN_PARAMS, tags=["trappe", "ingest"],
     doc_md="Nightly ingest of every source's deliveries (sources.md), one mapped task per municipality.")
def ingest() -> None:
    @task
    def municipalities() -> list[dict]:
        from transforms.ingest import changed_folders

        return changed_folders(run_context(get_current_context()))

    @task(task_id="ingest", outlets=[staging_asset()], map_index_template="{{ task.op_kwargs['folders']['kommunekode'] }}")
    def ingest_municipality(folders: dict) -> dict:
        from transforms.ingest import ingest_folders

        return ingest_folders(folders["kommunekode"], folders["sources"], run_context(get_current_context()))

    ingest_municipality.expand(folders=municipalities())


ingest()
