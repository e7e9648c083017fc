"""Tiny builders for hand-computed school fixtures (methodology.md §5).

Rows are the staged, pseudonymised form (tables.STAGING `pupil_wellbeing`, `pupil_absence`,
`measures`): `person_id` stands in for the CPR. `run` computes published.school_wellbeing with
`transforms.school.compute_school_wellbeing` (the same SQL as the warehouse build, in an in-memory
DuckDB); `cell` picks one published cell back out.

    df = run(frames(measures=[measure("A", start="2016-09-01")],
                    wellbeing=[pupil("A", 5, academic=2.0), pupil("B", 5, academic=4.0)],
                    absence=[absent("A", 5, 20), absent("B", 5, 10)]))
    cell(df, "2016/17", "vulnerable", "absence_pct")  # Cell(mean=None, n=1, suppressed=True)
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, NamedTuple

import pandas as pd

from transforms.school import SchoolFrames, SchoolParams, compute_school_wellbeing
from transforms.tables import STAGING

KOMMUNE = 510
YEAR = "2016/17"
SNAPSHOT = "2018-10-31"
BORN = "2005-03-01"
"""Default birth date: aged 11-12 in 2016/17, a child throughout."""


def D(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def measure(child: str, paragraf: str = "SEL 11.3", setting: str | None = None, *, start: str, end: str | None = None,
            handicap: bool = False, refugee: bool = False, kommune: int = KOMMUNE, born: str = BORN,
            id: str | None = None) -> dict[str, Any]:
    """One measure of the snapshot in force (default: a step-2 preventive measure)."""
    return {"kommunekode": kommune, "foranstaltning_id": id, "person_id": child, "birth_date": D(born),
            "paragraf": paragraf, "anbringelsessted": setting, "startdato": D(start), "slutdato": D(end),
            "bevilget_af": "myndighed", "handicap": handicap, "uledsaget_flygtning": refugee, "extraction_date": None}


def pupil(child: str, grade: int, *, academic: float | None = None, social: float | None = None, calm: float | None = None,
          support: float | None = None, year: str = YEAR, kommune: int = KOMMUNE, born: str = BORN, all: float | None = None) -> dict[str, Any]:
    """One row of the wellbeing survey; `all` sets the four indices at once; None = not answered."""
    if all is not None:
        academic = social = calm = support = all
    return {"kommunekode": kommune, "skoleaar": year, "person_id": child, "birth_date": D(born), "klassetrin": grade,
            "faglig_trivsel": academic, "social_trivsel": social, "ro_og_orden": calm,
            "stoette_og_inspiration": support, "extraction_date": None}


def absent(child: str, grade: int, days_absent: float, *, school_days: float = 200, year: str = YEAR,
           kommune: int = KOMMUNE, born: str = BORN) -> dict[str, Any]:
    """One row of the absence register."""
    return {"kommunekode": kommune, "skoleaar": year, "person_id": child, "birth_date": D(born), "klassetrin": grade,
            "skoledage": float(school_days), "fravaersdage": float(days_absent), "extraction_date": None}


def _frame(rows: Iterable[dict[str, Any]], table: str, extraction: dict[int, dt.date] | dt.date) -> pd.DataFrame:
    columns = STAGING[table].column_names
    rows = [dict(r) for r in rows]
    for i, r in enumerate(rows, start=1):
        if "foranstaltning_id" in r and not r["foranstaltning_id"]:
            r["foranstaltning_id"] = f"m{i}"
        r["extraction_date"] = extraction.get(r["kommunekode"]) if isinstance(extraction, dict) else extraction
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return pd.DataFrame(rows, columns=columns)


def frames(measures: Iterable[dict[str, Any]] = (), wellbeing: Iterable[dict[str, Any]] = (),
           absence: Iterable[dict[str, Any]] = (), *, snapshot: str | dict[int, str] = SNAPSHOT) -> SchoolFrames:
    """Staging frames. Every municipality with a measure has a snapshot extracted on `snapshot`."""
    extraction = {k: D(v) for k, v in snapshot.items()} if isinstance(snapshot, dict) else D(snapshot)
    return SchoolFrames(measures=_frame(measures, "measures", extraction),
                        wellbeing=_frame(wellbeing, "pupil_wellbeing", D("2017-09-01")),
                        absence=_frame(absence, "pupil_absence", D("2017-09-01")))


def run(f: SchoolFrames, **params: Any) -> pd.DataFrame:
    return compute_school_wellbeing(f, SchoolParams(**params))


class Cell(NamedTuple):
    mean: float | None
    n: int | None
    suppressed: bool


def cell(df: pd.DataFrame, year: str, group: str, indicator: str, kommune: int = KOMMUNE) -> Cell:
    sel = df[(df["kommunekode"] == kommune) & (df["school_year"] == year) & (df["pupil_group"] == group) & (df["indicator"] == indicator)]
    assert len(sel) == 1, f"expected one row for {kommune} {year} {group} {indicator}, found {len(sel)}:\n{df.to_string()}"
    row = sel.iloc[0]
    return Cell(None if pd.isna(row["mean"]) else float(row["mean"]), None if pd.isna(row["n"]) else int(row["n"]),
                bool(row["suppressed"]))


def case_only(kommune: int = KOMMUNE) -> dict[str, Any]:
    """A measure of a child who is in no school file: the municipality has a measures snapshot in
    force (methodology.md §5 publishes school tables only then) without anyone being vulnerable."""
    return measure(f"CASE_ONLY_{kommune}", start="2010-01-01", kommune=kommune)


def pupils(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]
