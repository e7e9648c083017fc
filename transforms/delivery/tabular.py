"""The delivered tables as a reader sees them: Danish headers and labels, numbers rounded as
methodology.md §2 says. The workbook and the CSV files are both made from this, so they agree cell
for cell.

Columns are described by name, so a published table that lands later (expenditure, school) is
labelled by the names it shares with warehouse.md §2; a column nobody described yet keeps its name as
header and is shown by its SQL type (decimals with 2 places).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from transforms.delivery.formatting import neutralise, rounded
from transforms.delivery.source import Extract, TableRows, is_float_type, is_int_type

SHEET_TITLES = {
    "key_figures": "Nøgletal",
    "expenditure_by_step": "Udgifter pr. trin",
    "expenditure_development": "Udgiftsudvikling",
    "school_wellbeing": "Trivsel og fravær",
}
DESCRIPTIONS = {
    "key_figures": "Nøgletal for indsatstrappen pr. målepunkt med tæller og nævner (metode §3); sagsstammer på "
                   "tælledatoerne for rådgivernes sager",
    "expenditure_by_step": "Bruttoudgifter til service pr. trin på indsatstrappen og deres andel, i faste priser (metode §4)",
    "expenditure_development": "Nettodriftsudgifter til service og administration og merudgift i forhold til basisperioden, "
                               "i faste priser (metode §4)",
    "school_wellbeing": "Trivsel og fravær for elever i 4.-9. klasse, udsatte og øvrige børn; små grupper er "
                        "undertrykt (metode §5)",
}

HEADERS = {
    "kommunekode": "Kommunekode",
    "measurement_date": "Målepunkt",
    "key_figure": "Nøgletalskode",
    "breakdown": "Opdeling",
    "numerator": "Tæller",
    "denominator": "Nævner",
    "value": "Værdi",
    "unit": "Enhed",
    "fiscal_year": "Regnskabsår",
    "accounts_status": "Regnskab",
    "step": "Trin",
    "gross_expenditure_dkk": "Bruttoudgift, faste priser (1.000 kr.)",
    "share_pct": "Andel (%)",
    "gross_expenditure_nominal_dkk": "Bruttoudgift, løbende priser (1.000 kr.)",
    "net_expenditure_nominal_dkk": "Nettoudgift, løbende priser (1.000 kr.)",
    "price_base_year": "Prisniveau (år)",
    "category": "Kategori",
    "net_expenditure_dkk": "Nettoudgift, faste priser (1.000 kr.)",
    "baseline_first_year": "Basisperiode fra",
    "baseline_last_year": "Basisperiode til",
    "baseline_mean_dkk": "Gennemsnit i basisperioden (1.000 kr.)",
    "extra_expenditure_dkk": "Merudgift (1.000 kr.)",
    "school_year": "Skoleår",
    "pupil_group": "Elevgruppe",
    "indicator": "Indikator",
    "mean": "Gennemsnit",
    "n": "Antal elever",
    "suppressed": "Undertrykt",
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "unit": {"per_1000": "pr. 1.000 0-17-årige", "pct": "pct.", "count": "antal", "cases": "sager", "days": "dage"},
    "accounts_status": {"final": "Endeligt regnskab", "expected": "Forventet regnskab"},
    "category": {"service": "Service", "administration": "Administration", "total": "I alt (service og administration)",
                 "refunds": "Statsrefusion"},
    "pupil_group": {"vulnerable": "Udsatte børn", "other": "Øvrige børn", "gap": "Forskel (øvrige − udsatte)"},
    "indicator": {"academic_wellbeing": "Faglig trivsel", "social_wellbeing": "Social trivsel", "classroom_calm": "Ro og orden",
                  "support_inspiration": "Støtte og inspiration", "absence_pct": "Fravær (%)"},
}
UNIT_DECIMALS = {"per_1000": 2, "pct": 1, "cases": 1, "days": 1, "count": 0}
"""methodology.md §2 fixes per 1000 (2) and percentages (1); caseloads and days get 1 ("choice")."""
THOUSAND = Decimal("0.001")


@dataclass(frozen=True)
class Cell:
    value: str | int | Decimal | date | None
    decimals: int = 0  # places shown, for Decimal values
    thousands: bool = False  # group thousands where the format can (money)


@dataclass(frozen=True)
class Sheet:
    table: str  # the published table's name (the CSV file is named after it)
    title: str  # sheet name, at most 31 characters
    description: str
    headers: list[str]
    rows: list[list[Cell]]
    exists: bool  # the table exists in the warehouse


def sheets(extract: Extract) -> list[Sheet]:
    return [sheet(extract, t) for t in extract.tables.values()]


def sheet(extract: Extract, rows: TableRows) -> Sheet:
    table = rows.table
    columns: list[tuple[str, Callable[[dict[str, Any]], Cell]]] = []
    for name, sqltype, _ in table.columns:
        if name == "run_id":
            continue  # the front sheet and the manifest name the run
        if name == "key_figure":
            columns.append(("Nøgletal", lambda r: _text(extract.key_figure_labels.get((r["key_figure"], r.get("breakdown") or ""), r["key_figure"]))))
        columns.append((HEADERS.get(name, name), _cell_maker(extract, name, sqltype)))
    return Sheet(
        table=table.name, title=SHEET_TITLES.get(table.name, table.name)[:31],
        description=DESCRIPTIONS.get(table.name, table.comment), headers=[h for h, _ in columns],
        rows=[[make(r) for _, make in columns] for r in rows.rows], exists=rows.exists,
    )


def _text(value: Any) -> Cell:
    return Cell(None if value is None else neutralise(str(value)))


def _cell_maker(extract: Extract, name: str, sqltype: str) -> Callable[[dict[str, Any]], Cell]:
    if name in VALUE_LABELS:
        labels = VALUE_LABELS[name]
        return lambda r: _text(None if r[name] is None else labels.get(r[name], r[name]))
    if name == "step":
        return lambda r: _text(None if r[name] is None else extract.step_labels.get(r[name], r[name]))
    if sqltype.upper() == "BOOLEAN":
        return lambda r: Cell(None if r[name] is None else ("Ja" if r[name] else "Nej"))
    if sqltype.upper() == "DATE":
        return lambda r: Cell(r[name])
    if is_int_type(sqltype):
        return lambda r: Cell(r[name])
    if is_float_type(sqltype):
        if name.endswith("_dkk"):
            return lambda r: Cell(rounded(r[name], 0, THOUSAND), 0, thousands=True)
        if name == "value":
            return lambda r: _number(r[name], UNIT_DECIMALS.get(r.get("unit") or "", 2))
        if name in ("numerator", "denominator"):
            return lambda r: _number(r[name], 0 if r[name] is None or float(r[name]).is_integer() else 2)
        if name.endswith("_pct") or name == "mean":
            return lambda r: _number(r[name], 1)
        return lambda r: _number(r[name], 2)
    return lambda r: _text(r[name])


def _number(value: float | None, decimals: int) -> Cell:
    return Cell(rounded(value, decimals), decimals)
