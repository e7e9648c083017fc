"""The same published tables on the production engine (PostgreSQL 15, `make test` starts it) give the
same extract, byte for byte, as on DuckDB."""
from __future__ import annotations

from datetime import date

import psycopg

from tests.transforms.delivery import fixture_warehouse
from transforms.delivery import deliver
from transforms.postgres_warehouse import _conninfo
from transforms.warehouse import open_warehouse


def test_postgres_and_duckdb_deliver_identical_files(postgres_url, warehouse_url, tmp_path):
    with psycopg.connect(_conninfo(postgres_url), autocommit=True) as pg:  # a clean published schema, as the e2e test makes it
        pg.execute("DROP SCHEMA IF EXISTS published CASCADE")
    with open_warehouse(postgres_url) as wh:
        fixture_warehouse.build(wh)
    asked = ([510, 657], [date(2025, 9, 30), date(2026, 5, 31)])
    on_pg = deliver(postgres_url, tmp_path / "pg", *asked, with_pdf=False)
    on_duck = deliver(warehouse_url, tmp_path / "duck", *asked, with_pdf=False)
    assert len(on_pg.delivered) == len(on_duck.delivered) == 4
    pg_files = {p.relative_to(tmp_path / "pg"): p.read_bytes() for p in (tmp_path / "pg").rglob("*") if p.is_file()}
    duck_files = {p.relative_to(tmp_path / "duck"): p.read_bytes() for p in (tmp_path / "duck").rglob("*") if p.is_file()}
    assert pg_files.keys() == duck_files.keys()
    assert [str(name) for name in pg_files if pg_files[name] != duck_files[name]] == []
