"""Shared fixtures: the small published warehouse of fixture_warehouse.py, delivered once (every
point, with PDF) into an outbox the tests read. Chromium and LibreOffice come from Debian's packages
(scripts/test_deps.sh, run by `make test`): a missing one fails the tests with the command that fixes
it, never skips them."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.transforms.delivery import fixture_warehouse
from transforms.delivery import deliver
from transforms.warehouse import open_warehouse

FIX = "bash scripts/test_deps.sh (make test runs it)"
POINTS = [date(2025, 9, 30), date(2026, 5, 31), date(2026, 9, 30)]


@pytest.fixture(scope="session")
def chromium() -> str:
    from transforms.delivery.pdf import find_chromium

    found = find_chromium()
    if not found:
        pytest.fail(f"Chromium is not installed: run {FIX}")
    return found


@pytest.fixture(scope="session")
def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail(f"LibreOffice is not installed: run {FIX}")
    return found


@pytest.fixture(scope="session")
def warehouse_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    url = f"duckdb:///{path}"
    with open_warehouse(url) as wh:
        fixture_warehouse.build(wh)
    return url


@pytest.fixture(scope="session")
def warehouse_db(warehouse_url):
    """Read-only access to the fixture warehouse, for comparing files with it."""
    def query(sql: str, params=None):
        con = duckdb.connect(warehouse_url.removeprefix("duckdb:///"), read_only=True)
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()
    return query


@pytest.fixture(scope="session")
def outbox(tmp_path_factory, warehouse_url, chromium) -> Path:
    """Three points of both municipalities (Herning has no 2026-09-30), with the PDF."""
    out = tmp_path_factory.mktemp("outbox")
    result = deliver(warehouse_url, out, points=POINTS)
    assert [(d.kommunekode, d.point.isoformat()) for d in result.delivered] == [
        (510, "2025-09-30"), (510, "2026-05-31"), (510, "2026-09-30"), (657, "2025-09-30"), (657, "2026-05-31")]
    assert [(k, p.isoformat()) for k, p, _ in result.skipped] == [(657, "2026-09-30")]
    return out


@pytest.fixture(scope="session")
def newest(outbox) -> Path:
    return outbox / "510" / "2026-09-30"


def stem(k: int = 510, point: str = "2026-09-30") -> str:
    return f"trappe_{k}_{point}"
