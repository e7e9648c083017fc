"""Build the published tables from staging and replace them per municipality, atomically.

The build runs set-based on the warehouse's engine (include/sql/); publishing deletes exactly the
partitions (municipalities) it recomputed and inserts the new rows in one transaction, so a failure
leaves the previous tables intact and a rerun on the same inputs gives the same rows.
"""
from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from transforms import key_figures, reference, school
from transforms import expenditure_by_step, expenditure_development
from transforms.parameters import config_path, load
from transforms.run_context import RunContext
from transforms.staging import Staging
from transforms.file_kinds import inputs
from transforms.tables import PUBLISHED
from transforms.warehouse import open_warehouse

log = logging.getLogger(__name__)


def dimensions() -> dict[str, pd.DataFrame]:
    """The dimension tables, straight from the reference CSVs."""
    kf = reference.table("key_figures").fillna({"breakdown": ""})
    steps = reference.table("steps")
    towns = reference.table("municipalities")
    return {
        "dim_key_figure": kf[["key_figure", "breakdown", "unit", "label_da", "label_en", "definition"]],
        "dim_step": steps.assign(step=steps["step"].astype("Int64"))[["step_code", "step", "label_da", "label_en"]],
        "dim_municipality": pd.DataFrame({"kommunekode": towns["kommunekode"].astype(int), "label_da": towns["name_da"],
                                          "label_en": towns["name_en"], "region_da": towns["region_da"]}),
    }


def load_staging(ctx: RunContext) -> dict[str, int]:
    """Copy the partitions in force into the warehouse's `staging` schema; rows per table."""
    staging = Staging(ctx.staging_path)
    counts = {}
    with open_warehouse(ctx.warehouse_url) as wh:
        for table in inputs():
            wh.load_parquet(f"staging.{table}", staging.files(table))
            counts[table] = int(wh.query(f"SELECT COUNT(*) AS n FROM staging.{table}")["n"].iloc[0])
    return counts


BUILDS = (key_figures, school, expenditure_by_step, expenditure_development)
"""Every published table with a partition per municipality: each module has TABLE, build(engine,
config) → staging.<TABLE> with the published columns but run_id, recomputed(engine) and warnings(engine)."""


def build_and_publish(ctx: RunContext) -> dict[str, Any]:
    """Compute every published table from staging and replace the recomputed partitions, atomically."""
    config = load(config_path(ctx.config or None))
    summary: dict[str, Any] = {}
    with open_warehouse(ctx.warehouse_url) as wh:
        wh.ensure_published()
        for build in BUILDS:
            build.build(wh, config)
        plan = [(PUBLISHED[b.TABLE], b.recomputed(wh), b.warnings(wh)) for b in BUILDS]
        with wh.publish_lock(), wh.transaction():
            for table, municipalities, _ in plan:
                columns = ", ".join(c for c in table.column_names if c != "run_id")
                wh.delete(table, "kommunekode", municipalities)
                wh.execute(f"INSERT INTO {table.qualified} ({columns}, run_id) SELECT {columns}, ? FROM staging.{table.name}", [ctx.run_id])
            for name, frame in dimensions().items():
                wh.execute(f"DELETE FROM published.{name}")
                wh.insert(PUBLISHED[name], frame)
        for table, municipalities, notes in plan:
            for note in notes:
                log.warning("%s: %s", table.name, note)
            summary[table.name] = {"rows": wh.count(f"staging.{table.name}"), "municipalities": municipalities, "warnings": notes}
    return summary
