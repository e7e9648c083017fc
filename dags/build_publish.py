"""Build and publish: triggered by the staging asset; plans which municipalities' inputs changed,
computes every published table (include/sql/) for each of them in its own mapped task, and
replaces their partitions in the warehouse in one transaction.

Orchestration only: the work is `transforms.publish`, imported inside the tasks.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task

from plugins.trappe_airflow import DEFAULT_ARGS, RUN_PARAMS, published_asset, run_context, staging_asset

TABLES = ("key_figures", "expenditure_by_step", "expenditure_development", "school_wellbeing")


@dag(dag_id="build_publish", schedule=staging_asset(), start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
     catchup=False, max_active_runs=1, default_args=DEFAULT_ARGS, params=RUN_PARAMS, tags=["trappe", "publish"],
     doc_md="Computes the key figures, school and expenditure tables per municipality whose inputs changed and publishes them.")
def build_publish() -> None:
    @task
    def plan() -> list[dict]:
        from transforms.publish import plan as plan_build

        return plan_build(run_context(get_current_context()))

    @task(map_index_template="{{ task.op_kwargs['item']['kommunekode'] }}")
    def compute(item: dict) -> dict:
        from transforms.publish import compute as compute_one

        return compute_one(run_context(get_current_context()), item)

    @task(outlets=[published_asset(t) for t in TABLES])
    def publish(items: list[dict], computed: list[dict]) -> dict:
        from transforms.publish import publish as publish_all

        return publish_all(run_context(get_current_context()), list(items), [computed[i] for i in range(len(computed))])

    items = plan()
    publish(items, compute.expand(item=items))

build_publish()
