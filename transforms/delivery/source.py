"""What one extract holds, read from the warehouse's `published` schema (never `staging`).

The delivered tables are every table of `transforms.tables.PUBLISHED` that has a `kommunekode`
column, except the two logs (`load_audit`, `quarantine`: file names and masked values of rejected
rows are for data engineers, not for the partnership office) and the dimensions (`dim_*`, whose
Danish labels the delivered tables carry). A table defined in tables.py but not
yet created in the warehouse is delivered empty. New published tables are delivered as soon as
tables.py defines them.

An extract for measurement point `d` holds the rows dated on or before `d`: key figures with a
measurement (or counting) date on or before `d`, fiscal years up to `d`'s year, school years that
began (1 August) on or before `d`. That is the figures as they stood at the point, with their
history, as the report's charts over time need them.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from transforms.tables import PUBLISHED, Table

LOGS = {
    "load_audit": "a log of delivered files (file names, row counts): for data engineers",
    "quarantine": "rejected rows' masked values: never leaves the warehouse",
}
DIMENSION_PREFIX = "dim_"
"""Dimensions (labels) are not delivered as tables: their Danish labels are in the delivered tables."""
MICRO_DATA_COLUMNS = {"person_id", "cpr", "birth_date", "value_masked", "file_name", "foranstaltning_id", "medarbejder_id"}
CASELOAD = "caseload_per_worker"
"""Its rows carry the caseworker snapshot's counting dates, not measurement points (methodology.md §3)."""


def delivered_tables() -> list[Table]:
    """The published tables an extract delivers, in the order of tables.py."""
    tables = [t for t in PUBLISHED.values()
              if "kommunekode" in t.column_names and t.name not in LOGS and not t.name.startswith(DIMENSION_PREFIX)]
    for t in tables:
        leaking = MICRO_DATA_COLUMNS & set(t.column_names)
        if leaking:
            raise ValueError(f"{t.qualified} has micro-data columns {sorted(leaking)}: it cannot be delivered")
    return tables


@dataclass(frozen=True)
class TableRows:
    table: Table
    rows: list[dict[str, Any]]  # typed Python values, unrounded, ordered
    exists: bool  # the table exists in the warehouse


@dataclass(frozen=True)
class Extract:
    kommunekode: int
    municipality: str
    point: date
    run_id: str  # the newest run among the delivered rows
    run_ids: dict[str, list[str]]  # per table, the runs its delivered rows came from
    run_started: datetime  # UTC; the one timestamp every delivered file carries
    tables: dict[str, TableRows]
    key_figure_labels: dict[tuple[str, str], str]
    step_labels: dict[str, str]
    step_order: dict[str, int]
    averages: dict[tuple[str, str], list[tuple[date, float, int]]] = field(default_factory=dict)
    """(key figure, breakdown) → (date, pooled value of all municipalities, municipalities pooled)."""

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self.tables[table].rows if table in self.tables else []

    @property
    def stem(self) -> str:
        return f"trappe_{self.kommunekode}_{self.point.isoformat()}"


# --- reading -------------------------------------------------------------------------------------------

def existing_tables(wh) -> set[str]:
    frame = wh.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'published'")
    return {str(n) for n in frame["table_name"]}


def measurement_points(wh, kommunekode: int | None = None) -> list[date]:
    """The measurement points in published.key_figures (all municipalities, or one), ascending."""
    where, params = f"key_figure <> '{CASELOAD}'", []
    if kommunekode is not None:
        where += " AND kommunekode = ?"
        params.append(kommunekode)
    frame = wh.query(f"SELECT DISTINCT measurement_date FROM published.key_figures WHERE {where} ORDER BY measurement_date", params)
    return [_date(v) for v in frame["measurement_date"]]


def municipalities(wh) -> list[int]:
    frame = wh.query("SELECT DISTINCT kommunekode FROM published.key_figures ORDER BY kommunekode")
    return [int(v) for v in frame["kommunekode"]]


def municipality_names(wh) -> dict[int, str]:
    if "dim_municipality" not in existing_tables(wh):
        return {}
    frame = wh.query("SELECT kommunekode, label_da FROM published.dim_municipality")
    return {int(k): str(n) for k, n in zip(frame["kommunekode"], frame["label_da"])}


def read_extract(wh, kommunekode: int, point: date) -> Extract:
    present = existing_tables(wh)
    tables = {}
    for table in delivered_tables():
        if table.name not in present:
            tables[table.name] = TableRows(table, [], exists=False)
            continue
        where, params = _point_filter(table, point)
        columns = ", ".join(table.column_names)
        order = ", ".join(c for c in table.column_names if c != "run_id")
        frame = wh.query(f"SELECT {columns} FROM {table.qualified} WHERE kommunekode = ?{where} ORDER BY {order}",
                         [kommunekode, *params])
        tables[table.name] = TableRows(table, _typed_rows(frame, table), exists=True)

    run_ids = {name: sorted({r["run_id"] for r in t.rows if r.get("run_id")}) for name, t in tables.items()}
    every_run = sorted({r for ids in run_ids.values() for r in ids})
    run_id = every_run[-1] if every_run else ""
    names = municipality_names(wh)
    kf_labels, step_labels, step_order = _labels(wh, present)
    return Extract(
        kommunekode=kommunekode, municipality=names.get(kommunekode, f"Kommune {kommunekode}"), point=point,
        run_id=run_id, run_ids={k: v for k, v in run_ids.items() if v}, run_started=_run_started(wh, run_id, point, present),
        tables=tables, key_figure_labels=kf_labels, step_labels=step_labels, step_order=step_order,
        averages=_averages(wh, point, AVERAGED) if "key_figures" in present else {},
    )


AVERAGED = ("placed_per_1000", "placement_form_share", "preventive_followed_by_investigation")
"""Key figures the report draws beside the pooled figure of every municipality in the warehouse."""
SCALE = {"per_1000": 1000.0, "pct": 100.0}


def _averages(wh, point: date, key_figures: Sequence[str]) -> dict[tuple[str, str], list[tuple[date, float, int]]]:
    """Pooled over all municipalities: sum of numerators / sum of denominators, scaled as the unit says."""
    marks = ", ".join("?" for _ in key_figures)
    frame = wh.query(
        "SELECT key_figure, breakdown, unit, measurement_date, SUM(numerator) AS numerator, SUM(denominator) AS denominator, "
        "COUNT(DISTINCT kommunekode) AS municipalities FROM published.key_figures "
        f"WHERE key_figure IN ({marks}) AND measurement_date <= ? AND denominator > 0 "
        "GROUP BY key_figure, breakdown, unit, measurement_date ORDER BY key_figure, breakdown, measurement_date",
        [*key_figures, point])
    out: dict[tuple[str, str], list[tuple[date, float, int]]] = {}
    for kf, bd, unit, d, num, den, n in frame.itertuples(index=False):
        scale = SCALE.get(str(unit), 1.0)
        out.setdefault((str(kf), str(bd)), []).append((_date(d), float(num) / float(den) * scale, int(n)))
    return out


def _labels(wh, present: set[str]) -> tuple[dict[tuple[str, str], str], dict[str, str], dict[str, int]]:
    kf: dict[tuple[str, str], str] = {}
    if "dim_key_figure" in present:
        frame = wh.query("SELECT key_figure, breakdown, label_da FROM published.dim_key_figure")
        kf = {(str(k), "" if b is None else str(b)): str(lab) for k, b, lab in frame.itertuples(index=False)}
    steps: dict[str, str] = {}
    order: dict[str, int] = {}
    if "dim_step" in present:
        frame = wh.query("SELECT step_code, step, label_da FROM published.dim_step")
        for code, step, lab in frame.itertuples(index=False):
            steps[str(code)] = str(lab)
            order[str(code)] = 99 if _missing(step) else int(step)
    return kf, steps, order


def _run_started(wh, run_id: str, point: date, present: set[str]) -> datetime:
    """When the run started (published.load_audit), else the time in a `run_YYYYMMDDTHHMMSSZ` id, else
    midnight of the measurement point: a fact of the warehouse, never the clock."""
    if run_id and "load_audit" in present:
        frame = wh.query("SELECT MIN(loaded_at) AS started FROM published.load_audit WHERE run_id = ?", [run_id])
        value = frame["started"].iloc[0] if len(frame) else None
        if not _missing(value):
            started = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
            if started.tzinfo is None:
                started = started.replace(tzinfo=timezone.utc)
            return started.astimezone(timezone.utc).replace(microsecond=0)
    match = re.fullmatch(r"run_(\d{8}T\d{6})Z", run_id or "")
    if match:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
    return datetime(point.year, point.month, point.day, tzinfo=timezone.utc)


def _point_filter(table: Table, point: date) -> tuple[str, list[Any]]:
    names = table.column_names
    if "measurement_date" in names:
        return " AND measurement_date <= ?", [point]
    if "fiscal_year" in names:
        return " AND fiscal_year <= ?", [point.year]
    if "school_year" in names:  # '2016/17' began on 1 August 2016
        first_year = point.year if point.month >= 8 else point.year - 1
        return " AND school_year <= ?", [f"{first_year}/{(first_year + 1) % 100:02d}"]
    return "", []


# --- typing: both engines give the same Python values --------------------------------------------------

def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        if value is pd.NaT or value is pd.NA:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, float) and math.isnan(value)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "date"):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def is_float_type(sqltype: str) -> bool:
    kind = sqltype.upper()
    return kind in ("DOUBLE PRECISION", "DOUBLE", "REAL", "FLOAT") or kind.startswith(("NUMERIC", "DECIMAL"))


def is_int_type(sqltype: str) -> bool:
    return sqltype.upper() in ("INTEGER", "BIGINT", "SMALLINT", "INT")


def _convert(value: Any, sqltype: str) -> Any:
    if _missing(value):
        return None
    kind = sqltype.upper()
    if kind == "DATE":
        return _date(value)
    if kind.startswith("TIMESTAMP"):
        return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    if is_int_type(kind):
        return int(value)
    if is_float_type(kind):
        return float(value)
    if kind == "BOOLEAN":
        return bool(value)
    return str(value)


def _typed_rows(frame, table: Table) -> list[dict[str, Any]]:
    """Rows as Python values. Disclosure control as in the warehouse, enforced once more: in a row
    marked `suppressed`, every measured (floating-point) value is blank, whatever the table holds."""
    types = {n: t for n, t, _ in table.columns}
    measured = [n for n, t in types.items() if is_float_type(t)]
    columns = [list(frame[c]) for c in table.column_names]
    rows = [{name: _convert(v, types[name]) for name, v in zip(table.column_names, values)} for values in zip(*columns)]
    if "suppressed" in types:
        for row in rows:
            if row["suppressed"]:
                row.update({n: None for n in measured})
    return rows
