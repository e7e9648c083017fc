"""Build and publish: triggered when any staging asset changes; loads into the warehouse the staged
partitions of the municipalities whose inputs changed, computes every published table (include/sql/)
for them and replaces their partitions atomically."""
from __future__ import annotations

import pendulum
from airflow.sdk import AssetAny, dag, get_current_context, task

from plugins.trappe_airflow import DEFAULT_ARGS, RUN_PARAMS, SOURCES, published_asset, run_context, staging_asset


@dag(dag_id="build_publish", schedule=AssetAny(*(staging_asset(s) for s in SOURCES)),
     start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, params=RUN_PARAMS, tags=["trappe", "publish"],
     doc_md="Loads the staged partitions in force, computes the key figures and the expenditure tables (accounts, from ingest_ledger's asset) and publishes them per municipality.")
def build_publish() -> None:
    @task
    def load_staging() -> dict:
        from transforms.publish import load_staging as load

        return load(run_context(get_current_context()))

    @task(outlets=[published_asset(t) for t in ("key_figures", "expenditure_by_step", "expenditure_development", "school_wellbeing")])
    def publish(staged: dict) -> dict:
        from transforms.publish import build_and_publish

        return build_and_publish(run_context(get_current_context()), staged)

    publish(load_staging())


build_publish()
