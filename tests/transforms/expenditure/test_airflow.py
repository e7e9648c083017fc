"""Accounts in Airflow: ledger files are a source of the ingest DAG, and the build publishes the
expenditure tables (trappe://staging/inputs → build_publish → trappe://published/expenditure_*)."""
from __future__ import annotations



from transforms.file_kinds import sources


def test_ledger_is_a_source_of_the_ingest_dag():
    assert "ledger" in sources()


def test_the_build_publishes_the_expenditure_tables(dags):
    build = dags["build_publish"]
    outlets = {a.uri for a in build.task_dict["publish"].outlets}
    assert {"trappe://published/expenditure_by_step", "trappe://published/expenditure_development"} <= outlets


def test_every_build_of_publish_has_its_asset():
    from transforms.publish import BUILDS
    from transforms.tables import PUBLISHED

    tables = {b.TABLE for b in BUILDS}
    assert {"expenditure_by_step", "expenditure_development"} <= tables <= set(PUBLISHED)
