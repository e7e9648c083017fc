"""The workbook and the CSV files, opened and checked against the warehouse they came from."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pandas as pd
import pytest

from tests.transforms.delivery import fixture_warehouse as fx
from tests.transforms.delivery.conftest import stem
from transforms.delivery.source import delivered_tables
from transforms.delivery.tabular import SHEET_TITLES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNITS = {"per_1000": ("pr. 1.000 0-17-årige", 2), "pct": ("pct.", 1), "cases": ("sager", 1), "days": ("dage", 1)}


def read_csv(path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def da(value, decimals: int, scale: Decimal = Decimal(1)) -> str:
    """The test's own rounding: half away from zero on 12 significant digits, decimal comma."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    number = (Decimal(f"{float(value):.12g}") * scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number.is_zero():
        number = abs(number)
    return f"{number:.{decimals}f}".replace(".", ",")


def safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def test_key_figures_csv_is_the_warehouse_rounded_and_labelled(newest, warehouse_db):
    rows = read_csv(newest / f"{stem()}_key_figures.csv")
    assert rows[0] == ["Kommunekode", "Målepunkt", "Nøgletal", "Nøgletalskode", "Opdeling", "Tæller", "Nævner", "Værdi", "Enhed"]
    wh = warehouse_db("SELECT k.*, d.label_da FROM published.key_figures k JOIN published.dim_key_figure d USING (key_figure, breakdown) "
                      "WHERE kommunekode = 510 ORDER BY measurement_date, key_figure, breakdown, numerator, denominator, value, unit")
    assert len(rows) - 1 == len(wh)
    for got, (_, r) in zip(rows[1:], wh.iterrows()):
        count = lambda v: da(v, 0 if float(v).is_integer() else 2)  # noqa: E731
        unit, decimals = UNITS[r["unit"]]
        assert got == ["510", r["measurement_date"].date().isoformat(), safe(r["label_da"]), r["key_figure"], safe(r["breakdown"]),
                       count(r["numerator"]), count(r["denominator"]), da(r["value"], decimals), unit]


def test_rounding_edge_cases_as_a_reader_sees_them(newest):
    rows = read_csv(newest / f"{stem()}_key_figures.csv")
    placed = [r for r in rows if r[1] == "2026-09-30" and r[3] == "placed_per_1000"]
    assert placed == [["510", "2026-09-30", "Anbragte børn pr. 1000 0-17-årige", "placed_per_1000", "", "2469", "200000", "12,35",
                       "pr. 1.000 0-17-årige"]]
    no_starters = [r for r in rows if r[1] == "2025-05-31" and r[3] == "preventive_followed_by_investigation"]
    assert no_starters[0][5:8] == ["0", "0", ""]  # denominator 0: no value, not 0
    fte = [r for r in rows if r[3] == "caseload_per_worker" and r[4] == "mean_per_fte" and r[1] == "2026-09-01"]
    assert fte[0][5:8] == ["603", "23,40", "25,8"]


def test_expenditure_in_whole_thousands_and_danish_labels(newest):
    rows = read_csv(newest / f"{stem()}_expenditure_by_step.csv")
    assert rows[0][:6] == ["Kommunekode", "Regnskabsår", "Regnskab", "Trin", "Bruttoudgift, faste priser (1.000 kr.)", "Andel (%)"]
    first = {r[3]: r for r in rows[1:] if r[1] == "2013"}
    assert first["Forebyggende indsatser"][4] == "12346"  # 12,345,500 DKK
    assert first["Ikke fordelt på trin"][4] == "2400"
    assert {r[2] for r in rows[1:] if r[1] == "2026"} == {"Forventet regnskab"}
    dev = read_csv(newest / f"{stem()}_expenditure_development.csv")
    header = dev[0]
    extra = {(r[1], r[header.index("Kategori")]): r[header.index("Merudgift (1.000 kr.)")] for r in dev[1:]}
    assert extra[("2014", "Service")] == ""  # outside the project years
    assert extra[("2019", "Service")].startswith("-")  # below the baseline: a negative number, not text
    assert extra[("2019", "Statsrefusion")] == ""


def test_suppressed_school_cells_stay_blank(newest):
    rows = read_csv(newest / f"{stem()}_school_wellbeing.csv")
    header = rows[0]
    assert header == ["Kommunekode", "Skoleår", "Elevgruppe", "Indikator", "Gennemsnit", "Antal elever", "Undertrykt"]
    small = [r for r in rows[1:] if r[1] == "2025/26" and r[3] == "Ro og orden"]
    by_group = {r[2]: r for r in small}
    assert by_group["Udsatte børn"][4] == "" and by_group["Udsatte børn"][6] == "Ja"  # the warehouse kept a mean: blanked
    assert by_group["Forskel (øvrige − udsatte)"][4] == "" and by_group["Forskel (øvrige − udsatte)"][6] == "Ja"
    assert by_group["Øvrige børn"][4] == "4,0" and by_group["Øvrige børn"][6] == "Nej"


def test_rows_are_those_on_or_before_the_point(outbox):
    base = outbox / "510" / "2025-09-30"
    kf = read_csv(base / f"{stem(510, '2025-09-30')}_key_figures.csv")[1:]
    assert max(r[1] for r in kf) == "2025-09-30" and "2025-09-01" in {r[1] for r in kf}
    assert max(r[1] for r in read_csv(base / f"{stem(510, '2025-09-30')}_school_wellbeing.csv")[1:]) == "2025/26"
    assert max(r[1] for r in read_csv(base / f"{stem(510, '2025-09-30')}_expenditure_by_step.csv")[1:]) == "2025"


def test_a_municipality_without_a_table_gets_its_header_only(outbox):
    rows = read_csv(outbox / "657" / "2026-05-31" / f"{stem(657, '2026-05-31')}_expenditure_by_step.csv")
    assert len(rows) == 1 and rows[0][0] == "Kommunekode"


def _csv_value(cell) -> str:
    """A workbook cell spelled as the CSV spells it (decimals from the cell's number format)."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        raise AssertionError("booleans are Ja/Nej text")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        fmt = cell.number_format
        decimals = len(fmt.split(".")[1]) if "." in fmt else 0
        return da(v, decimals)
    return str(v)


@pytest.fixture(scope="module")
def workbook(newest):
    return openpyxl.load_workbook(newest / f"{stem()}.xlsx")


def test_workbook_has_a_front_sheet_and_a_sheet_per_table(workbook):
    expected = ["Om udtrækket"] + [SHEET_TITLES.get(t.name, t.name) for t in delivered_tables()]
    assert workbook.sheetnames == expected
    front = workbook["Om udtrækket"]
    values = {front.cell(row=r, column=1).value: front.cell(row=r, column=2).value for r in range(1, front.max_row + 1)}
    assert values["Kommune"] == "Haderslev (510)"
    assert values["Målepunkt"] == datetime(2026, 9, 30)
    assert values["Kørsel (run_id)"] == fx.RUN
    assert values["Kørslen startede (UTC)"] == fx.STARTED
    assert "Udtræk til partnerskabssekretariatet" == front["A1"].value
    assert workbook.properties.created == fx.STARTED and workbook.properties.modified == fx.STARTED


def test_each_sheet_equals_its_csv_with_a_frozen_header(workbook, newest):
    for table in delivered_tables():
        ws = workbook[SHEET_TITLES.get(table.name, table.name)]
        assert ws.freeze_panes == "A2"
        rows = read_csv(newest / f"{stem()}_{table.name}.csv")
        got = [[_csv_value(c) for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row)]
        assert got == rows, table.name


def test_numbers_are_numbers_with_the_rounding_shown(workbook):
    ws = workbook["Nøgletal"]
    header = [c.value for c in ws[1]]
    value_col = header.index("Værdi") + 1
    unit_col = header.index("Enhed") + 1
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row=row, column=value_col)
        if cell.value is None:
            continue
        assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
        unit = ws.cell(row=row, column=unit_col).value
        assert cell.number_format == {"pr. 1.000 0-17-årige": "0.00", "pct.": "0.0", "sager": "0.0", "dage": "0.0"}[unit]
    steps = workbook["Udgifter pr. trin"]
    row = next(r for r in steps.iter_rows(min_row=2) if r[1].value == 2013 and r[3].value == "Forebyggende indsatser")
    assert row[4].value == 12346 and row[4].number_format == "#,##0"
    assert row[1].number_format == "0"  # a year, never 2.013


def test_no_cell_can_start_a_formula(workbook):
    injected = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                    injected += cell.value.startswith("'")
    assert injected >= 6  # the fixture's three labels and three breakdowns, neutralised


def test_no_csv_field_can_start_a_formula(newest):
    for path in newest.glob("*.csv"):
        for row in read_csv(path):
            for field in row:
                if field and not field.lstrip("-").replace(",", "").isdigit():
                    assert not field.startswith(FORMULA_STARTS), f"{path.name}: {field!r}"
