"""Accounts in Airflow: an ingest DAG for ledger files, and the build that publishes the expenditure
tables, chained by assets (trappe://staging/ledger → build_publish → trappe://published/expenditure_*)."""
from __future__ import annotations



from plugins.trappe_airflow import SOURCES



def test_ledger_has_its_ingest_dag_ending_in_its_staging_asset(dags):
    assert "ledger" in SOURCES
    ingest = dags["ingest_ledger"]
    assert [a.uri for a in ingest.task_dict["ingest"].outlets] == ["trappe://staging/ledger"]


def test_the_build_is_triggered_by_the_ledger_asset_and_publishes_the_expenditure_tables(dags):
    build = dags["build_publish"]
    assert "trappe://staging/ledger" in {a.uri for a in build.timetable.asset_condition.objects}
    outlets = {a.uri for a in build.task_dict["publish"].outlets}
    assert {"trappe://published/expenditure_by_step", "trappe://published/expenditure_development"} <= outlets


def test_every_build_of_publish_has_its_asset():
    from transforms.publish import BUILDS
    from transforms.tables import PUBLISHED

    tables = {b.TABLE for b in BUILDS}
    assert {"expenditure_by_step", "expenditure_development"} <= tables <= set(PUBLISHED)
