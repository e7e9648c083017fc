"""School wellbeing and absence of methodology.md §5, computed set-based in SQL (include/sql/school/).

Inputs are the staged school registers (`staging.pupil_wellbeing` from `trivsel_*`,
`staging.pupil_absence` from `fravaer_*`, one partition per municipality and school year) and the
measures snapshot in force (`staging.measures`). The build

1. classifies every measure exactly as the key figures do (`include/sql/staging/measure_steps.sql`,
   with the same reference tables), so "active measure on steps 2-6" and the target-group
   exclusions mean the same thing in both tables. It creates `staging.measure_steps` itself rather
   than relying on the order of `publish.BUILDS` (the SQL is the same; rebuilding it is cheap);
2. runs the files of include/sql/school/ in name order: the school years that get a table, the
   vulnerable pupils of each year (only the fact, never the kind of measure), and
   `staging.school_wellbeing`: one pass over each register per group (grades from the file's own
   `klassetrin`; AVG and COUNT skip a pupil's empty indices), then the disclosure control.

`compute_school_wellbeing` runs the same SQL on frames in an in-memory DuckDB, for tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from transforms import key_figures

TABLE = "school_wellbeing"
"""The published table this module builds (as `staging.school_wellbeing`, then published per municipality)."""
SQL_DIR = Path(__file__).resolve().parent.parent / "include" / "sql" / "school"
COLUMNS = ["kommunekode", "school_year", "pupil_group", "indicator", "mean", "n", "suppressed"]
INDICATORS = ("academic_wellbeing", "social_wellbeing", "classroom_calm", "support_inspiration", "absence_pct")
GROUPS = ("vulnerable", "other", "gap")
MEASURE_REFERENCES = ("ref_legal_basis", "ref_legal_basis_rules", "ref_placement_settings")
"""The reference tables `measure_steps.sql` reads."""
INTERMEDIATE = ("school_years", "school_vulnerable")


@dataclass(frozen=True)
class SchoolParams:
    """Named parameters of methodology.md §5 (`[school_wellbeing]` in trappe.toml), with its defaults."""

    suppression_threshold: int = 5
    first_grade: int = 4
    last_grade: int = 9


def params_from(config: dict[str, Any] | SchoolParams) -> SchoolParams:
    if isinstance(config, SchoolParams):
        return config
    section = config.get(TABLE, {})
    defaults = SchoolParams()
    return SchoolParams(suppression_threshold=int(section.get("suppression_threshold", defaults.suppression_threshold)),
                        first_grade=int(section.get("first_grade", defaults.first_grade)),
                        last_grade=int(section.get("last_grade", defaults.last_grade)))


def _sql_files() -> list[Path]:
    return sorted(SQL_DIR.glob("*.sql"))


def build(engine: key_figures.Engine, config: dict[str, Any] | SchoolParams) -> None:
    """Compute `staging.school_wellbeing` from the staging tables already in the warehouse."""
    params = params_from(config)
    references = key_figures.reference_tables(key_figures.KeyFigureParams())
    for name in MEASURE_REFERENCES:
        engine.replace_table(f"staging.{name}", references[name])
    engine.replace_table("staging.school_parameters", pd.DataFrame({
        "threshold": [params.suppression_threshold], "first_grade": [params.first_grade], "last_grade": [params.last_grade]}))
    for name in ("measure_steps", *INTERMEDIATE, TABLE):
        engine.execute(f"DROP TABLE IF EXISTS staging.{name}")
    engine.execute(key_figures.sql("staging/measure_steps.sql"))
    for path in _sql_files():
        engine.execute(path.read_text(encoding="utf-8"))


def warnings(engine: key_figures.Engine) -> list[str]:
    """School data that get no table (no measures snapshot, or a school year after the snapshot),
    and school years with one of the two registers missing."""
    notes = []
    unpublished = engine.query(
        "SELECT d.kommunekode, MIN(d.school_year) AS first_year, MAX(d.school_year) AS last_year, COUNT(*) AS years, "
        "MAX(CASE WHEN m.kommunekode IS NULL THEN 1 ELSE 0 END) AS no_case_data "
        "FROM (SELECT kommunekode, skoleaar AS school_year FROM staging.pupil_wellbeing "
        "      UNION SELECT kommunekode, skoleaar FROM staging.pupil_absence) AS d "
        "LEFT JOIN (SELECT DISTINCT kommunekode FROM staging.measures) AS m ON m.kommunekode = d.kommunekode "
        "LEFT JOIN staging.school_years AS y ON y.kommunekode = d.kommunekode AND y.school_year = d.school_year "
        "WHERE y.kommunekode IS NULL GROUP BY d.kommunekode ORDER BY d.kommunekode")
    for k, first, last, years, no_case in unpublished.itertuples(index=False):
        span = first if first == last else f"{first}-{last}"
        why = ("no measures snapshot in force, so no vulnerable group to compare" if no_case
               else "the school year starts after the extraction date of the measures snapshot")
        notes.append(f"municipality {k}: no school table for {years} school year(s) ({span}): {why}")
    one_sided = engine.query(
        "SELECT y.kommunekode, y.school_year, "
        "MAX(CASE WHEN w.kommunekode IS NULL THEN 1 ELSE 0 END) AS no_wellbeing "
        "FROM staging.school_years AS y "
        "LEFT JOIN (SELECT DISTINCT kommunekode, skoleaar FROM staging.pupil_wellbeing) AS w "
        "  ON w.kommunekode = y.kommunekode AND w.skoleaar = y.school_year "
        "LEFT JOIN (SELECT DISTINCT kommunekode, skoleaar FROM staging.pupil_absence) AS a "
        "  ON a.kommunekode = y.kommunekode AND a.skoleaar = y.school_year "
        "WHERE w.kommunekode IS NULL OR a.kommunekode IS NULL "
        "GROUP BY y.kommunekode, y.school_year ORDER BY y.kommunekode, y.school_year")
    for k, year, no_wellbeing in one_sided.itertuples(index=False):
        missing = "wellbeing survey (trivsel)" if no_wellbeing else "absence register (fravaer)"
        notes.append(f"municipality {k}, school year {year}: no {missing} in force; its indicators are published with n = 0")
    return notes


@dataclass(frozen=True)
class SchoolFrames:
    """Staging frames for `compute_school_wellbeing` (columns as in tables.STAGING)."""

    measures: pd.DataFrame
    wellbeing: pd.DataFrame
    absence: pd.DataFrame


def load_frames(engine: Any, frames: SchoolFrames) -> None:
    """Put the frames where the build reads them (`staging.measures`, `staging.pupil_*`)."""
    engine.replace_table("staging.measures", frames.measures)
    engine.replace_table("staging.pupil_wellbeing", frames.wellbeing)
    engine.replace_table("staging.pupil_absence", frames.absence)


def published_rows(engine: Any) -> pd.DataFrame:
    out = engine.query(f"SELECT {', '.join(COLUMNS)} FROM staging.{TABLE} ORDER BY kommunekode, school_year, pupil_group, indicator")
    out["n"] = out["n"].astype("Int64")
    out["suppressed"] = out["suppressed"].astype(bool)
    out["mean"] = pd.to_numeric(out["mean"]).astype(float)
    return out


def compute_school_wellbeing(frames: SchoolFrames, params: SchoolParams | dict[str, Any] = SchoolParams()) -> pd.DataFrame:
    """The rows of published.school_wellbeing (without run_id) for the given staging frames."""
    from transforms.duckdb_warehouse import DuckDBWarehouse

    with DuckDBWarehouse.in_memory() as engine:
        load_frames(engine, frames)
        build(engine, params)
        return published_rows(engine)
