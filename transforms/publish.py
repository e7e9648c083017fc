"""Build the published tables from staging and replace them per municipality, atomically.

The build runs set-based on the warehouse's engine (include/sql/); publishing deletes exactly the
partitions (municipalities) it recomputed and inserts the new rows in one transaction, so a failure
leaves the previous tables intact and a rerun on the same inputs gives the same rows.
"""
from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from transforms import key_figures, reference
from transforms.parameters import config_path, key_figure_params
from transforms.run_context import RunContext
from transforms.staging import Staging
from transforms.tables import INPUTS, PUBLISHED
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
        for table in INPUTS:
            wh.load_parquet(f"staging.{table}", staging.files(table))
            counts[table] = int(wh.query(f"SELECT COUNT(*) AS n FROM staging.{table}")["n"].iloc[0])
    return counts


def build_and_publish(ctx: RunContext) -> dict[str, Any]:
    """Compute every published table from staging and replace the recomputed partitions."""
    params = key_figure_params(config_path(ctx.config or None))
    with open_warehouse(ctx.warehouse_url) as wh:
        wh.ensure_published()
        key_figures.build(wh, params)
        rows = wh.count("staging.key_figures")
        recomputed = sorted(set(wh.query("SELECT DISTINCT kommunekode FROM staging.measures")["kommunekode"])
                            | set(wh.query("SELECT DISTINCT kommunekode FROM staging.caseworkers")["kommunekode"]))
        missing_population = wh.query("SELECT p.kommunekode, COUNT(*) AS points FROM staging.measurement_points p "
                                      "LEFT JOIN staging.population_points pp USING (kommunekode, measurement_date) "
                                      "WHERE pp.children IS NULL GROUP BY p.kommunekode ORDER BY 1")
        table = PUBLISHED["key_figures"]
        columns = ", ".join(key_figures.COLUMNS)
        with wh.publish_lock(), wh.transaction():
            wh.delete(table, "kommunekode", [int(k) for k in recomputed])
            wh.execute(f"INSERT INTO {table.qualified} ({columns}, run_id) SELECT {columns}, ? FROM staging.key_figures", [ctx.run_id])
            for name, frame in dimensions().items():
                wh.execute(f"DELETE FROM published.{name}")
                wh.insert(PUBLISHED[name], frame)
    for k, points in missing_population.itertuples(index=False):
        log.warning("Municipality %s: no population count for %d measurement point(s): their per-1000 key figures are not published", k, points)
    return {"key_figures": rows, "municipalities": [int(k) for k in recomputed],
            "points_without_population": {int(k): int(n) for k, n in missing_population.itertuples(index=False)}}
