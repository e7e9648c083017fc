"""Delivery as a whole: the manifest's hashes, byte-identical redelivery, the PDF's pinned dates, what
is asked for and what is skipped, reading only `published`, no micro-data, tables that land later."""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date

import pytest
from typer.testing import CliRunner

from tests.transforms.delivery import fixture_warehouse as fx
from tests.transforms.delivery.conftest import stem
from transforms import tables
from transforms.cli import app
from transforms.delivery import DeliveryError, deliver, plan
from transforms.delivery.manifest import sha256
from transforms.delivery.source import delivered_tables
from transforms.warehouse import open_warehouse


def test_manifest_lists_every_file_with_its_hash(outbox):
    for folder in sorted(p for p in outbox.glob("*/*") if p.is_dir()):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["kommunekode"] == int(folder.parent.name)
        assert manifest["measurement_point"] == folder.name
        assert manifest["run_id"] == fx.RUN and manifest["run_started_at"] == "2026-11-01T02:00:00Z"
        listed = {f["name"]: f for f in manifest["files"]}
        assert set(listed) | {"manifest.json"} == {p.name for p in folder.iterdir()}
        for name, entry in listed.items():
            data = (folder / name).read_bytes()
            assert entry["sha256"] == sha256(data) and entry["bytes"] == len(data), name
        assert manifest["pdf"] == "written"
        k, point = folder.parent.name, folder.name
        kinds = {n.removeprefix(stem(int(k), point)) for n in listed}
        assert kinds == {".xlsx", "_rapport.html", "_rapport.pdf"} | {f"_{t.name}.csv" for t in delivered_tables()}


def test_redelivering_the_same_run_gives_byte_identical_files(outbox, warehouse_url, tmp_path):
    again = tmp_path / "again"
    deliver(warehouse_url, again, [510], [date(2026, 9, 30)])
    deliver(warehouse_url, again, [657], [date(2026, 5, 31)])
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    first = {name: (outbox / name).read_bytes() for name in second}
    assert len(second) == 2 * (4 + len(delivered_tables())) and any(name.suffix == ".pdf" for name in second)
    assert [name for name in first if first[name] != second[name]] == []


def test_the_pdf_carries_the_run_start_not_the_clock(newest):
    pdf = (newest / f"{stem()}_rapport.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    dates = re.findall(rb"/(?:CreationDate|ModDate)\s*\((D:[^)]*)\)", pdf)
    assert dates and set(dates) == {b"D:20261101020000+00'00'"}


def test_the_workbook_carries_the_run_start_not_the_clock(newest):
    with zipfile.ZipFile(newest / f"{stem()}.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 1, 2, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2026-11-01T02:00:00Z") == 2


def test_without_chromium_the_html_is_delivered_and_the_manifest_says_why(warehouse_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAPPE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    result = deliver(warehouse_url, tmp_path / "out", [510], [date(2026, 9, 30)])
    folder = result.delivered[0].folder
    assert not list(folder.glob("*.pdf")) and list(folder.glob("*_rapport.html"))
    assert json.loads((folder / "manifest.json").read_text())["pdf"].startswith("not written: no Chromium")


def test_redelivery_replaces_the_folder_whole(warehouse_url, tmp_path):
    out = tmp_path / "out"
    deliver(warehouse_url, out, [510], [date(2026, 9, 30)], with_pdf=False)
    folder = out / "510" / "2026-09-30"
    (folder / "stale.txt").write_text("from an older delivery")
    deliver(warehouse_url, out, [510], [date(2026, 9, 30)], with_pdf=False)
    assert not (folder / "stale.txt").exists()
    assert [p.name for p in (out / "510").iterdir()] == ["2026-09-30"]  # no half-written or old folder left


def test_plan_default_is_the_newest_point_and_says_who_lacks_it(warehouse_url):
    with open_warehouse(warehouse_url) as wh:
        todo, skipped = plan(wh, None, None)
        assert todo == [(510, date(2026, 9, 30))]
        assert [(k, p) for k, p, _ in skipped] == [(657, date(2026, 9, 30))]
        todo, skipped = plan(wh, [657, 999], "all")
        assert todo == [(657, p) for p in fx.POINTS[:-1]]
        assert skipped[0][0] == 999 and "no published key figures" in skipped[0][2]
        todo, _ = plan(wh, [510], [date(2026, 3, 1)])  # a caseload counting date is no measurement point
        assert todo == []


def test_an_empty_warehouse_is_a_clear_error(tmp_path):
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    with pytest.raises(DeliveryError, match="no DuckDB warehouse"):
        deliver(url, tmp_path / "out")
    with open_warehouse(url) as wh:
        wh.ensure_published()
    with pytest.raises(DeliveryError, match="empty"):
        deliver(url, tmp_path / "out")


def test_the_delivery_reads_only_published(warehouse_url, tmp_path, monkeypatch):
    from transforms.delivery import orchestrate as module

    seen: list[str] = []
    real = module.open_warehouse

    def spying(url):
        wh = real(url)
        query = wh.query

        def record(sql, params=None):
            seen.append(sql)
            return query(sql, params)
        wh.query = record
        return wh
    monkeypatch.setattr(module, "open_warehouse", spying)
    deliver(warehouse_url, tmp_path / "out", [510], [date(2026, 9, 30)], with_pdf=False)
    assert seen
    for sql in seen:
        named = re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)\.([a-z_]+)", sql, re.I)
        assert named, sql
        assert all(schema in ("published", "information_schema") for schema, _ in named), sql
        assert "staging" not in sql.lower()


def test_no_micro_data_and_no_pseudonyms_leave(warehouse_url, newest):
    """Nothing person-level exists in `published`; a 64-hex pseudonym or a CPR-shaped number in any
    delivered file (bar the manifest's own hashes) would be a leak."""
    pseudonym, cpr = re.compile(rb"\b[0-9a-f]{64}\b"), re.compile(rb"(?<![\d.,])\d{6}-?\d{4}(?![\d.,])")
    for path in newest.iterdir():
        if path.suffix == ".pdf" or path.name == "manifest.json":
            continue
        blobs = [path.read_bytes()]
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                blobs = [z.read(n) for n in z.namelist()]
        for blob in blobs:
            assert not pseudonym.search(blob), path.name
            assert not cpr.search(blob), path.name


def test_a_table_with_micro_data_columns_is_refused(monkeypatch):
    leaky = tables._t("published", "leaky", "person", "x", tables.KOMMUNE, ("person_id", "VARCHAR", ""))
    monkeypatch.setitem(tables.PUBLISHED, "leaky", leaky)
    with pytest.raises(ValueError, match="micro-data"):
        delivered_tables()


def test_a_table_that_lands_later_is_delivered_without_a_code_change(warehouse_url, tmp_path, monkeypatch):
    path = tmp_path / "copy.duckdb"
    shutil.copy(warehouse_url.removeprefix("duckdb:///"), path)
    url = f"duckdb:///{path}"
    new = tables._t("published", "caseload_by_team", "municipality × date × team", "A table from the future",
                    ("kommunekode", "INTEGER", ""), ("counting_date", "DATE", ""), ("team", "VARCHAR", ""),
                    ("cases_per_fte", "DOUBLE PRECISION", ""), ("run_id", "VARCHAR", ""))
    missing = tables._t("published", "not_created_yet", "municipality", "Defined, not yet in the warehouse",
                        ("kommunekode", "INTEGER", ""), ("x", "INTEGER", ""))
    monkeypatch.setitem(tables.PUBLISHED, new.name, new)
    monkeypatch.setitem(tables.PUBLISHED, missing.name, missing)
    with open_warehouse(url) as wh:
        wh.execute("CREATE TABLE published.caseload_by_team (kommunekode INTEGER, counting_date DATE, team VARCHAR, "
                   "cases_per_fte DOUBLE, run_id VARCHAR)")
        wh.execute("INSERT INTO published.caseload_by_team VALUES (510, DATE '2026-09-01', '=Team A', 21.456, ?)", [fx.RUN])
    result = deliver(url, tmp_path / "out", [510], [date(2026, 9, 30)], with_pdf=False)
    folder = result.delivered[0].folder
    csv_text = (folder / f"{stem()}_caseload_by_team.csv").read_bytes().decode("utf-8-sig")
    assert csv_text.splitlines() == ["Kommunekode;counting_date;team;cases_per_fte", "510;2026-09-01;'=Team A;21,46"]
    assert (folder / f"{stem()}_not_created_yet.csv").read_bytes().decode("utf-8-sig").strip() == "Kommunekode;x"
    import openpyxl

    wb = openpyxl.load_workbook(folder / f"{stem()}.xlsx")
    assert {"caseload_by_team", "not_created_yet"} <= set(wb.sheetnames)
    front = [[c.value for c in row] for row in wb["Om udtrækket"].iter_rows()]
    assert ["not_created_yet", "Defined, not yet in the warehouse", 0,
            "ingen data (tabellen findes endnu ikke i datavarehuset)"] in front


def test_the_command_line(warehouse_url, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    done = runner.invoke(app, ["deliver", "--warehouse", warehouse_url.removeprefix("duckdb:///"), "--out", str(out), "--no-pdf"])
    assert done.exit_code == 0, done.output
    assert (out / "510" / "2026-09-30" / "manifest.json").exists() and not (out / "657").exists()
    assert "Not delivered" in done.output and "657" in done.output  # the newest point is not Herning's: said, not fatal
    asked = runner.invoke(app, ["deliver", "--warehouse", warehouse_url, "--out", str(out), "--kommunekoder", "657",
                                "--measurement-point", "2026-09-30", "--no-pdf"])
    assert asked.exit_code == 1 and "Not delivered" in asked.output
    several = runner.invoke(app, ["deliver", "--warehouse", warehouse_url, "--out", str(out), "--kommunekoder", "657",
                                  "--measurement-point", "2025-01-31,2025-05-31", "--no-pdf"])
    assert several.exit_code == 0, several.output
    assert sorted(p.name for p in (out / "657").iterdir()) == ["2025-01-31", "2025-05-31"]
    bad = runner.invoke(app, ["deliver", "--warehouse", warehouse_url, "--out", str(out), "--measurement-point", "31-01-2025"])
    assert bad.exit_code == 2
    nothing = runner.invoke(app, ["deliver", "--warehouse", str(tmp_path / "none.duckdb"), "--out", str(out)])
    assert nothing.exit_code == 1 and "Nothing delivered" in nothing.output
    assert not (tmp_path / "none.duckdb").exists()
