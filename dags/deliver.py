"""Deliver: after each measurement point, the partnership office's extract per municipality
(warehouse.md §4) into the outbox, on the days after the point (plugins/measurement_timetable.py).

Orchestration only: the work is `transforms.delivery.scheduled`, imported inside the tasks.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from plugins.measurement_timetable import MeasurementPointTimetable
from plugins.trappe_airflow import DEFAULT_ARGS

PARAMS = {
    "warehouse_url": Param("", type="string", description="Warehouse URL; empty: $TRAPPE_WAREHOUSE_URL, the connection trappe_warehouse, or the embedded DuckDB file"),
    "outbox": Param("", type="string", description="Outbox folder; empty: $TRAPPE_OUTBOX or ./outbox"),
    "measurement_point": Param("", type="string", description="YYYY-MM-DD; empty: the newest point before the run's data interval ends"),
    "kommunekoder": Param("", type="string", description="Comma-separated municipality codes; empty: every municipality with figures at the point"),
    "pdf": Param(True, type="boolean", description="Also print the report as PDF where Chromium is installed"),
}


def _interval_end(context):
    return context.get("data_interval_end") or context["dag_run"].run_after


@dag(dag_id="deliver", schedule=MeasurementPointTimetable(days=7, at="06:00"),
     start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, params=PARAMS, tags=["trappe", "deliver"],
     doc_md="The partnership office's extract per municipality and measurement point: workbook, CSV, report, manifest.")
def deliver() -> None:
    @task
    def municipalities() -> list[int]:
        from transforms.delivery.scheduled import municipalities_to_deliver

        context = get_current_context()
        return municipalities_to_deliver(dict(context["params"]), _interval_end(context))

    @task(map_index_template="{{ task.op_kwargs['kommunekode'] }}")
    def deliver_municipality(kommunekode: int) -> dict:
        from transforms.delivery.scheduled import deliver_one

        context = get_current_context()
        return deliver_one(dict(context["params"]), _interval_end(context), kommunekode)

    deliver_municipality.expand(kommunekode=municipalities())


deliver()
