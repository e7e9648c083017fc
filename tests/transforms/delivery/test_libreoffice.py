"""The workbook opens in LibreOffice Calc (headless, Debian's package) and converts without error:
every sheet comes out, and each table sheet shows what the CSV file says (LibreOffice writes numbers
as shown by their format, in its en-US spelling)."""
from __future__ import annotations

import csv
import re
import subprocess

import pytest

from tests.transforms.delivery.conftest import stem
from tests.transforms.delivery.test_tables import read_csv
from transforms.delivery.source import delivered_tables
from transforms.delivery.tabular import SHEET_TITLES

# field separator ;, quote ", UTF-8, from line 1, -, Danish, quote text, detect special numbers, save as shown, …, all sheets
CSV_FILTER = "csv:Text - txt - csv (StarCalc):59,34,76,1,,1030,false,true,true,false,false,-1"
GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


@pytest.fixture(scope="module")
def converted(soffice, newest, tmp_path_factory):
    out = tmp_path_factory.mktemp("libreoffice")
    workbook = newest / f"{stem()}.xlsx"
    done = subprocess.run([soffice, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={(out / 'profile').as_uri()}",
                           "--convert-to", CSV_FILTER, "--outdir", str(out), str(workbook)],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Error" not in done.stdout and "Error:" not in done.stderr, done.stdout + done.stderr
    return out


def _lo_sheet(out, title: str) -> list[list[str]]:
    path = out / f"{stem()}-{title}.csv"
    assert path.exists(), f"LibreOffice wrote no sheet {title!r}: {sorted(p.name for p in out.iterdir())}"
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter=";"))


def _as_ours(field: str) -> str:
    if GROUPED.match(field):
        field = field.replace(",", "")
    if re.fullmatch(r"-?\d+\.\d+", field):
        field = field.replace(".", ",")
    return field


def test_every_sheet_converts(converted):
    names = {p.name for p in converted.glob("*.csv")}
    expected = {f"{stem()}-{t}.csv" for t in ["Om udtrækket", *(SHEET_TITLES.get(t.name, t.name) for t in delivered_tables())]}
    assert names == expected


def test_libreoffice_shows_what_the_csv_says(converted, newest):
    for table in delivered_tables():
        ours = read_csv(newest / f"{stem()}_{table.name}.csv")
        theirs = _lo_sheet(converted, SHEET_TITLES.get(table.name, table.name))
        assert [[_as_ours(f) for f in row] for row in theirs] == ours, table.name


def test_the_front_sheet_says_what_the_extract_is(converted):
    front = {row[0]: row[1] for row in _lo_sheet(converted, "Om udtrækket") if len(row) > 1 and row[0]}
    assert front["Kommune"] == "Haderslev (510)"
    assert front["Målepunkt"] == "2026-09-30"
    assert front["Kørsel (run_id)"] == "run_20261101T020000Z"
