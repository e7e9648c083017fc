"""Key figures of methodology.md §3, computed set-based in SQL (include/sql/key_figures/).

The SQL runs on the warehouse's own engine against the `staging` schema: first the intermediate
tables of include/sql/staging/ (measure steps, active measures, child status, population), then
every file of include/sql/key_figures/, one per key figure, stacked into `staging.key_figures`.
`compute_key_figures` runs exactly the same SQL on frames in an in-memory DuckDB, for tests and
for anyone who wants the figures without a warehouse.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from transforms import reference
from transforms.measurement_points import DEFAULT_POINTS, measurement_points

SQL_DIR = Path(__file__).resolve().parent.parent / "include" / "sql"
TABLE = "key_figures"
"""The published table this module builds (as `staging.key_figures`, then published per municipality)."""
STAGING_STEPS = ("measure_steps", "active_measures", "child_status", "population_points")
COLUMNS = ["kommunekode", "measurement_date", "key_figure", "breakdown", "numerator", "denominator", "value", "unit"]


class Engine(Protocol):
    """What the build needs of a warehouse connection (DuckDB or PostgreSQL, see warehouse.py)."""

    def execute(self, sql: str) -> None: ...
    def query(self, sql: str) -> pd.DataFrame: ...
    def replace_table(self, name: str, frame: pd.DataFrame) -> None: ...


@dataclass(frozen=True)
class KeyFigureParams:
    """Named parameters of methodology.md, with its defaults."""

    first_point: date | None = None
    followup_standard_days: dict[int, int] = field(default_factory=lambda: {3: 92, 4: 92, 5: 92, 6: 42})
    points: tuple[tuple[int, int], ...] = DEFAULT_POINTS


@dataclass(frozen=True)
class CaseFrames:
    measures: pd.DataFrame
    investigations: pd.DataFrame
    caseworkers: pd.DataFrame
    followups: pd.DataFrame
    population: pd.DataFrame


def params_from(config: dict[str, Any]) -> KeyFigureParams:
    """KeyFigureParams from the `[key_figures]` section of the parameters file (defaults where absent)."""
    section = config.get("key_figures", {})
    defaults = KeyFigureParams()
    points = tuple(tuple(int(p) for p in text.split("-")) for text in section.get("measurement_points", []))
    first = section.get("first_point") or ""
    standards = {int(step): int(days) for step, days in section.get("followup_standard_days", {}).items()}
    return KeyFigureParams(first_point=date.fromisoformat(first) if first else None,
                           followup_standard_days=standards or defaults.followup_standard_days,
                           points=points or defaults.points)  # type: ignore[arg-type]


def reference_tables(params: KeyFigureParams) -> dict[str, pd.DataFrame]:
    """The reference CSVs as typed tables for SQL (`staging.ref_*`)."""
    legal = reference.table("legal_basis")
    rules = reference.table("legal_basis_rules")
    settings = reference.table("placement_settings")
    standards = reference.table("followup_standards")
    defaults = pd.DataFrame({"kommunekode": pd.array([None] * len(params.followup_standard_days), dtype="Int64"),
                             "step": list(params.followup_standard_days), "standard_days": list(params.followup_standard_days.values())})
    own = standards[standards["kommunekode"] != "*"]
    own = pd.DataFrame({"kommunekode": own["kommunekode"].astype("Int64"), "step": own["step"].astype(int), "standard_days": own["standard_days"].astype(int)})
    return {
        "ref_legal_basis": pd.DataFrame({"code": legal["code"], "kind": legal["kind"], "step": legal["step"].astype("Int64"),
                                         "home_based_kind": legal["home_based_kind"], "is_placement": legal["is_placement"] == "1",
                                         "covers_subdivisions": legal["covers_subdivisions"] == "1"}),
        "ref_legal_basis_rules": pd.DataFrame({"code": rules["code"], "started_before": pd.to_datetime(rules["started_before"]).dt.date,
                                               "step": rules["step"].astype("Int64"), "home_based_kind": rules["home_based_kind"]}),
        "ref_placement_settings": pd.DataFrame({"code": settings["code"], "step": settings["step"].astype("Int64")}),
        "ref_followup_standards": pd.concat([defaults, own], ignore_index=True) if len(own) else defaults,
    }


def sql(path: str) -> str:
    return (SQL_DIR / path).read_text(encoding="utf-8")


def key_figures_query() -> str:
    """Every file of include/sql/key_figures/ as one UNION ALL, columns in published order."""
    parts = [f"SELECT {', '.join(COLUMNS)} FROM (\n{sql(f'key_figures/{p.name}')}\n) AS {p.stem}"
             for p in sorted((SQL_DIR / "key_figures").glob("*.sql"))]
    return "\nUNION ALL\n".join(parts)


def build(engine: Engine, config: dict[str, Any] | KeyFigureParams) -> None:
    """Compute `staging.key_figures` from the staging tables already in the warehouse."""
    params = config if isinstance(config, KeyFigureParams) else params_from(config)
    for name, frame in reference_tables(params).items():
        engine.replace_table(f"staging.{name}", frame)
    extent = engine.query("SELECT kommunekode, MIN(startdato) AS first_start, MAX(extraction_date) AS extraction_date "
                          "FROM staging.measures GROUP BY kommunekode ORDER BY kommunekode")
    engine.replace_table("staging.measurement_points", measurement_points(extent, params.first_point, params.points))
    for step in STAGING_STEPS + ("key_figures",):
        engine.execute(f"DROP TABLE IF EXISTS staging.{step}")
    for step in STAGING_STEPS:
        engine.execute(sql(f"staging/{step}.sql"))
    engine.execute(f"CREATE TABLE staging.key_figures AS\n{key_figures_query()}")


def compute_key_figures(frames: CaseFrames, params: KeyFigureParams = KeyFigureParams()) -> pd.DataFrame:
    """The rows of published.key_figures (without run_id) for the given staging frames."""
    from transforms.duckdb_warehouse import DuckDBWarehouse

    with DuckDBWarehouse.in_memory() as engine:
        if "extraction_date" not in frames.measures:
            raise ValueError("measures need the extraction_date of their snapshot")
        for name in ("measures", "investigations", "caseworkers", "followups", "population"):
            engine.replace_table(f"staging.{name}", getattr(frames, name))
        build(engine, params)
        out = engine.query(f"SELECT {', '.join(COLUMNS)} FROM staging.key_figures ORDER BY kommunekode, measurement_date, key_figure, breakdown")
    out["measurement_date"] = pd.to_datetime(out["measurement_date"]).dt.date
    return out


def warnings(engine: Engine) -> list[str]:
    """Points whose per-1000 figures cannot be published (no population count on or before them)."""
    missing = engine.query("SELECT p.kommunekode, COUNT(*) AS points FROM staging.measurement_points AS p "
                           "LEFT JOIN staging.population_points AS pp "
                           "ON pp.kommunekode = p.kommunekode AND pp.measurement_date = p.measurement_date "
                           "WHERE pp.children IS NULL GROUP BY p.kommunekode ORDER BY p.kommunekode")
    return [f"municipality {k}: no population count for {n} measurement point(s): their per-1000 key figures are not published"
            for k, n in missing.itertuples(index=False)]
