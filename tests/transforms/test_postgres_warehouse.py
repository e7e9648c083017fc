"""The production warehouse on the real PostgreSQL: roles, locks, atomic publishing."""
from __future__ import annotations

import subprocess
import sys
import uuid

import psycopg
import pytest

from transforms.postgres_warehouse import PUBLISH_LOCK, PostgresWarehouse, _conninfo
from transforms.tables import PUBLISHED


@pytest.fixture()
def warehouse(postgres_url):
    with PostgresWarehouse(postgres_url) as wh:
        wh.ensure_published()
        yield wh


def test_published_tables_and_comments_exist(warehouse):
    for table in PUBLISHED.values():
        comment = warehouse.query("SELECT obj_description(to_regclass(?), 'pg_class') AS c", [table.qualified])["c"].iloc[0]
        assert comment and table.grain in comment
        cols = warehouse.query("SELECT column_name, col_description(to_regclass(?), ordinal_position) AS c "
                               "FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                               [table.qualified, table.schema, table.name])
        assert set(cols["column_name"]) == set(table.column_names)
        assert cols["c"].notna().all()


def test_evaluator_reads_published_and_is_refused_on_staging(warehouse, postgres_url):
    warehouse.execute("CREATE TABLE IF NOT EXISTS staging.secret_probe (x INTEGER)")
    login = f"evaluator_probe_{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    warehouse.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE evaluator")
    try:
        info = _conninfo(postgres_url).replace("user=trappe", f"user={login}").split(" password=")[0] + f" password={password}"
        with psycopg.connect(info) as con:
            con.execute("SELECT COUNT(*) FROM published.key_figures").fetchone()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute("SELECT COUNT(*) FROM staging.secret_probe").fetchone()
    finally:
        warehouse.execute(f"DROP ROLE {login}")


def test_a_second_run_cannot_publish_while_the_first_holds_the_lock(warehouse, postgres_url):
    with warehouse.publish_lock():
        with psycopg.connect(_conninfo(postgres_url)) as other:
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [PUBLISH_LOCK]).fetchone()[0] is False
    with psycopg.connect(_conninfo(postgres_url)) as other:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [PUBLISH_LOCK]).fetchone()[0] is True


def test_a_process_killed_inside_the_transaction_leaves_the_tables_intact(warehouse, postgres_url):
    table = PUBLISHED["key_figures"]
    warehouse.execute("DELETE FROM published.key_figures WHERE kommunekode = 999")
    warehouse.execute("INSERT INTO published.key_figures VALUES (999, DATE '2016-01-31', 'placed_per_1000', '', 1, 1000, 1.0, 'per_1000', 'before')")
    script = f"""
import os
from transforms.postgres_warehouse import PostgresWarehouse
from transforms.tables import PUBLISHED
wh = PostgresWarehouse({postgres_url!r})
with wh.transaction():
    wh.delete(PUBLISHED["key_figures"], "kommunekode", [999])
    os._exit(9)  # killed mid-publish: no commit, no rollback either
"""
    done = subprocess.run([sys.executable, "-c", script], check=False)
    assert done.returncode == 9
    rows = warehouse.query("SELECT run_id FROM published.key_figures WHERE kommunekode = 999")
    assert rows["run_id"].tolist() == ["before"]
    warehouse.delete(table, "kommunekode", [999])


def test_sql_values_are_parameters_never_text(warehouse):
    hostile = "x'); DROP TABLE published.key_figures; --"
    warehouse.delete(PUBLISHED["load_audit"], "file_name", [hostile], and_run=hostile)
    assert warehouse.count("published.key_figures") >= 0
    with pytest.raises(ValueError):
        warehouse.delete(PUBLISHED["load_audit"], "file_name; DROP TABLE x", ["a"])
