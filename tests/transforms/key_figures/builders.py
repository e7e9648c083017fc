"""Tiny, readable builders for hand-computed key-figure fixtures.

The tests in this package are written from methodology.md alone (not from the implementation):
every expected number is derived by hand in a comment next to it. These helpers only turn a few
readable rows into the `CaseFrames` that `transforms.key_figures.compute_key_figures` takes
(interface: the module docstring of transforms/key_figures.py) and pick published values back out.

    frames = case_frames(
        measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2015-03-01")],
        population=population(k=510, year=2016, children=1000),
        born={"A": "2008-06-15"},
    )
    df = run(frames)
    numerator, denominator, value = figure(df, "placed_per_1000", "2016-01-31")

Conventions
- Dates are given as ISO strings (or `date`) and stored as `datetime.date` (the staging type).
- A child's birth date comes from the `born` registry passed to `case_frames` (or `born=` on the
  row); children not in the registry are born DEFAULT_BIRTH (aged 6-11 over 2015-2019).
- Measure ids are generated (m1, m2, ...) unless given; follow-ups need explicit ids. Ids are
  unique within a municipality (as in one measures file), not across municipalities.
- Every measure of a municipality carries the same `extraction_date` (the snapshot in force).
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable, NamedTuple

import pandas as pd

from transforms.key_figures import CaseFrames, KeyFigureParams, compute_key_figures

DEFAULT_KOMMUNE = 510
DEFAULT_BIRTH = "2008-06-15"
DEFAULT_EXTRACTION = "2017-10-15"

MEASURE_COLUMNS = [
    "kommunekode", "foranstaltning_id", "person_id", "birth_date", "paragraf",
    "anbringelsessted", "startdato", "slutdato", "bevilget_af", "handicap",
    "uledsaget_flygtning", "extraction_date",
]
INVESTIGATION_COLUMNS = [
    "kommunekode", "undersoegelse_id", "person_id", "birth_date", "paragraf", "afgoerelsesdato",
]
CASEWORKER_COLUMNS = [
    "kommunekode", "opgoerelsesdato", "medarbejder_id", "team", "normtid", "antal_sager",
]
FOLLOWUP_COLUMNS = ["kommunekode", "foranstaltning_id", "opfoelgningsdato"]
POPULATION_COLUMNS = ["kommunekode", "dato", "alder", "antal", "extraction_date"]

OUTPUT_COLUMNS = [
    "kommunekode", "measurement_date", "key_figure", "breakdown",
    "numerator", "denominator", "value", "unit",
]


def D(value: str | dt.date | None) -> dt.date | None:
    """'2016-01-31' -> date(2016, 1, 31); None stays None."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


# --------------------------------------------------------------------------------------------
# rows
# --------------------------------------------------------------------------------------------

def measure(
    child: str,
    paragraf: str,
    setting: str | None = None,
    *,
    start: str,
    end: str | None = None,
    granted: str = "myndighed",
    handicap: bool = False,
    refugee: bool = False,
    kommune: int = DEFAULT_KOMMUNE,
    id: str | None = None,
    born: str | None = None,
) -> dict[str, Any]:
    """One row of foranstaltninger. `setting` is the canonical anbringelsessted (None if none)."""
    return {
        "kommunekode": kommune,
        "foranstaltning_id": id,
        "person_id": child,
        "birth_date": D(born) if born else None,
        "paragraf": paragraf,
        "anbringelsessted": setting,
        "startdato": D(start),
        "slutdato": D(end),
        "bevilget_af": granted,
        "handicap": bool(handicap),
        "uledsaget_flygtning": bool(refugee),
        "extraction_date": None,  # filled per municipality by case_frames
    }


def investigation(
    child: str,
    date: str,
    paragraf: str = "SEL 50",
    *,
    kommune: int = DEFAULT_KOMMUNE,
    id: str | None = None,
) -> dict[str, Any]:
    """One child-investigation decision (undersoegelser)."""
    return {
        "kommunekode": kommune,
        "undersoegelse_id": id,
        "person_id": child,
        "birth_date": None,
        "paragraf": paragraf,
        "afgoerelsesdato": D(date),
    }


def caseworker(
    date: str, worker: str, fte: float, cases: int, *, team: str = "T1",
    kommune: int = DEFAULT_KOMMUNE,
) -> dict[str, Any]:
    """One caseworker on one counting date (sagsbehandlere)."""
    return {
        "kommunekode": kommune,
        "opgoerelsesdato": D(date),
        "medarbejder_id": worker,
        "team": team,
        "normtid": float(fte),
        "antal_sager": int(cases),
    }


def followup(measure_id: str, date: str, *, kommune: int = DEFAULT_KOMMUNE) -> dict[str, Any]:
    """One follow-up (opfoelgninger) of the measure `measure_id`."""
    return {"kommunekode": kommune, "foranstaltning_id": measure_id, "opfoelgningsdato": D(date)}


def population(
    k: int = DEFAULT_KOMMUNE,
    year: int = 2016,
    children: int = 1000,
    *,
    date: str | None = None,
    adults: int = 0,
    extraction_date: str | None = None,
) -> list[dict[str, Any]]:
    """Population rows for municipality `k` with reference date 1 January `year` (or `date`).

    `children` is spread over ages 0-17 as evenly as possible (the first `children % 18` ages get
    one more), so the 0-17 total is exactly `children`. `adults` > 0 adds that many persons at
    EACH of ages 18, 19, 20 and 40 (they must never enter a denominator).
    """
    ref = D(date) if date else dt.date(year, 1, 1)
    extr = D(extraction_date) if extraction_date else ref + dt.timedelta(days=60)
    base, extra = divmod(children, 18)
    rows = [
        {"kommunekode": k, "dato": ref, "alder": age, "antal": base + (1 if age < extra else 0),
         "extraction_date": extr}
        for age in range(18)
    ]
    if adults:
        rows += [
            {"kommunekode": k, "dato": ref, "alder": age, "antal": adults, "extraction_date": extr}
            for age in (18, 19, 20, 40)
        ]
    assert sum(r["antal"] for r in rows if r["alder"] < 18) == children
    return rows


# --------------------------------------------------------------------------------------------
# frames
# --------------------------------------------------------------------------------------------

def _frame(rows: Iterable[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    rows = list(rows)
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return pd.DataFrame(rows, columns=columns)


def case_frames(
    measures: Iterable[dict[str, Any]] = (),
    investigations: Iterable[dict[str, Any]] = (),
    caseworkers: Iterable[dict[str, Any]] = (),
    followups: Iterable[dict[str, Any]] = (),
    population: Iterable[dict[str, Any]] = (),
    *,
    born: dict[str, str] | None = None,
    extraction_date: str | dict[int, str] = DEFAULT_EXTRACTION,
) -> CaseFrames:
    """Assemble CaseFrames. `born` maps person_id -> birth date (default DEFAULT_BIRTH).

    `extraction_date` is the date of the measures snapshot in force: one date for every
    municipality, or {kommunekode: date}.
    """
    born = {k: D(v) for k, v in (born or {}).items()}

    def birth(row: dict[str, Any]) -> dt.date:
        if row.get("birth_date"):
            return row["birth_date"]
        return born.get(row["person_id"], D(DEFAULT_BIRTH))

    def extraction(k: int) -> dt.date:
        if isinstance(extraction_date, dict):
            return D(extraction_date[k])
        return D(extraction_date)

    m_rows = []
    for i, row in enumerate(measures, start=1):
        row = dict(row)
        row["foranstaltning_id"] = row["foranstaltning_id"] or f"m{i}"
        row["birth_date"] = birth(row)
        row["extraction_date"] = extraction(row["kommunekode"])
        m_rows.append(row)
    ids = [(r["kommunekode"], r["foranstaltning_id"]) for r in m_rows]
    assert len(ids) == len(set(ids)), "measure ids must be unique within a municipality"

    i_rows = []
    for i, row in enumerate(investigations, start=1):
        row = dict(row)
        row["undersoegelse_id"] = row["undersoegelse_id"] or f"u{i}"
        row["birth_date"] = birth(row)
        i_rows.append(row)

    f_rows = list(followups)
    unknown = {(r["kommunekode"], r["foranstaltning_id"]) for r in f_rows} - set(ids)
    assert not unknown, f"follow-ups of unknown measures {unknown}"

    return CaseFrames(
        measures=_frame(m_rows, MEASURE_COLUMNS),
        investigations=_frame(i_rows, INVESTIGATION_COLUMNS),
        caseworkers=_frame(caseworkers, CASEWORKER_COLUMNS),
        followups=_frame(f_rows, FOLLOWUP_COLUMNS),
        population=_frame(population, POPULATION_COLUMNS),
    )


def run(frames: CaseFrames, **params: Any) -> pd.DataFrame:
    """compute_key_figures with KeyFigureParams(**params) (defaults when none given)."""
    if "first_point" in params:
        params["first_point"] = D(params["first_point"])
    kf_params = KeyFigureParams(**params) if params else KeyFigureParams()
    return compute_key_figures(frames, kf_params)


# --------------------------------------------------------------------------------------------
# reading the output
# --------------------------------------------------------------------------------------------

class Fig(NamedTuple):
    numerator: Any
    denominator: Any
    value: float | None


def _select(df: pd.DataFrame, key_figure: str, date: str | dt.date | None = None,
            breakdown: str | None = None, kommune: int | None = DEFAULT_KOMMUNE) -> pd.DataFrame:
    mask = df["key_figure"] == key_figure
    if date is not None:
        mask &= pd.to_datetime(df["measurement_date"]) == pd.Timestamp(D(date))
    if breakdown is not None:
        mask &= df["breakdown"].fillna("") == breakdown
    if kommune is not None:
        mask &= df["kommunekode"].astype(int) == int(kommune)
    return df[mask]


def _na(x: Any) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def figure(df: pd.DataFrame, key_figure: str, date: str | dt.date, breakdown: str = "",
           kommune: int = DEFAULT_KOMMUNE) -> Fig:
    """The one published (numerator, denominator, value) of a key figure; value None when null."""
    sel = _select(df, key_figure, date, breakdown, kommune)
    if len(sel) != 1:
        nearby = _select(df, key_figure, None, None, kommune)[
            ["measurement_date", "breakdown", "numerator", "denominator", "value"]
        ]
        raise AssertionError(
            f"expected exactly one row for {key_figure!r} {breakdown!r} on {date} in {kommune}, "
            f"found {len(sel)}; rows of that key figure:\n{nearby.to_string()}"
        )
    row = sel.iloc[0]
    value = None if _na(row["value"]) else float(row["value"])
    return Fig(row["numerator"], row["denominator"], value)


def unit(df: pd.DataFrame, key_figure: str, date: str | dt.date, breakdown: str = "",
         kommune: int = DEFAULT_KOMMUNE) -> str:
    sel = _select(df, key_figure, date, breakdown, kommune)
    assert len(sel) == 1, f"expected one row for {key_figure} {breakdown!r} on {date}"
    return sel.iloc[0]["unit"]


def has_row(df: pd.DataFrame, key_figure: str, date: str | dt.date,
            breakdown: str | None = None, kommune: int = DEFAULT_KOMMUNE) -> bool:
    """Whether any row of the key figure (and breakdown, if given) is published on `date`."""
    return len(_select(df, key_figure, date, breakdown, kommune)) > 0


def measurement_dates(df: pd.DataFrame, key_figure: str | None = None,
                      kommune: int = DEFAULT_KOMMUNE) -> list[dt.date]:
    """Sorted distinct measurement dates (of one key figure, or of all but caseload)."""
    sel = df[df["kommunekode"].astype(int) == int(kommune)]
    if key_figure is not None:
        sel = sel[sel["key_figure"] == key_figure]
    else:
        sel = sel[sel["key_figure"] != "caseload_per_worker"]
    return sorted({pd.Timestamp(x).date() for x in sel["measurement_date"]})


def is_null(x: Any) -> bool:
    return _na(x)


def approx_equal(a: float | None, b: float, tol: float = 1e-9) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=tol, abs_tol=tol)
