"""Ingest DAGs, one per source kind: list the municipalities that delivered, then ingest each one
whose folder changed since its last ingest (dynamic task mapping, so more workers spread a national
run), ending in the source's staging asset; the listing task audits the unchanged folders.

Orchestration only: the work is `transforms.ingest.ingest`, imported inside the task.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task

from plugins.trappe_airflow import DEFAULT_ARGS, RUN_PARAMS, SOURCES, staging_asset, run_context


def ingest_dag(source: str) -> None:
    @dag(dag_id=f"ingest_{source}", schedule="0 2 * * *", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
         catchup=False, max_active_runs=1, default_args=DEFAULT_ARGS, params=RUN_PARAMS, tags=["trappe", "ingest"],
         doc_md=f"Nightly ingest of `{source}` deliveries (sources.md), one mapped task per municipality.")
    def ingest_source() -> None:
        @task
        def municipalities() -> list[int]:
            from transforms.ingest import municipalities as delivered

            return delivered(source, run_context(get_current_context()))

        @task(outlets=[staging_asset(source)], map_index_template="{{ task.op_kwargs['kommunekode'] }}")
        def ingest(kommunekode: int) -> dict:
            from transforms.ingest import ingest as ingest_one

            return ingest_one(source, kommunekode, run_context(get_current_context()))

        ingest.expand(kommunekode=municipalities())

    ingest_source()


for _source in SOURCES:
    ingest_dag(_source)
