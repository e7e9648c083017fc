"""Build the published tables from staging and replace them per municipality, atomically.

The build runs set-based on the warehouse's engine (include/sql/); publishing deletes exactly the
partitions (municipalities) it recomputed and inserts the new rows in one transaction, so a failure
leaves the previous tables intact and a rerun on the same inputs gives the same rows.
"""
from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from transforms import changes, key_figures, reference, school
from transforms import expenditure_by_step, expenditure_development
from transforms.parameters import config_path, load
from transforms.run_context import RunContext
from transforms.staging import Staging
from transforms.file_kinds import inputs
from transforms.tables import PUBLISHED, STAGING
from transforms.warehouse import Warehouse, open_warehouse

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


def load_staging(ctx: RunContext) -> dict[str, Any]:
    """Copy into the warehouse's `staging` schema the partitions in force of the municipalities whose
    inputs changed since this warehouse last published them (all of them when what they share
    changed: see changes.py), and the national partitions; rows per table, and the plan."""
    staging = Staging(ctx.staging_path)
    current = changes.input_digests(staging, inputs(), config_path(ctx.config or None))
    counts = {}
    with open_warehouse(ctx.warehouse_url) as wh:
        rebuild = changes.to_rebuild(current, _published_digests(wh))
        chosen = None if rebuild is None else {0, *rebuild}
        for table in inputs():
            files = [f for f in staging.files(table) if chosen is None or staging.kommunekode_of(table, f) in chosen]
            wh.load_parquet(f"staging.{table}", files)
            counts[table] = wh.count(f"staging.{table}")
    log.info("Rebuilding %s", "every municipality" if rebuild is None else f"{len(rebuild)} municipalit(y/ies) whose inputs changed: {rebuild}")
    return {"rows": counts, "rebuild": "all" if rebuild is None else rebuild, "digests": {str(k): v for k, v in current.items()}}


def _published_digests(wh: Warehouse) -> dict[int, str]:
    table = STAGING["build_inputs"]
    wh.execute(f"CREATE TABLE IF NOT EXISTS {table.qualified} ({', '.join(f'{n} {t}' for n, t, _ in table.columns)})")
    found = wh.query(f"SELECT kommunekode, digest FROM {table.qualified}")
    return {int(k): d for k, d in zip(found["kommunekode"], found["digest"])}


def _record_digests(wh: Warehouse, staged: dict[str, Any]) -> None:
    """Inside the publish transaction: the digests the rebuilt municipalities were published from."""
    table = STAGING["build_inputs"]
    digests = {int(k): d for k, d in staged["digests"].items()}
    rebuilt = list(digests) if staged["rebuild"] == "all" else [changes.SHARED, *staged["rebuild"]]
    if staged["rebuild"] == "all":
        wh.execute(f"DELETE FROM {table.qualified}")
    else:
        wh.delete(table, "kommunekode", rebuilt)
    wh.insert(table, pd.DataFrame({"kommunekode": rebuilt, "digest": [digests[k] for k in rebuilt]}))


BUILDS = (key_figures, school, expenditure_by_step, expenditure_development)
"""Every published table with a partition per municipality: each module has TABLE, build(engine,
config) → staging.<TABLE> with the published columns but run_id, recomputed(engine) and warnings(engine)."""


def build_and_publish(ctx: RunContext, staged: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compute every published table from staging and replace the recomputed partitions, atomically
    (`staged`: what `load_staging` loaded; its digests are recorded in the same transaction)."""
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
            if staged is not None:
                _record_digests(wh, staged)
        for table, municipalities, notes in plan:
            for note in notes:
                log.warning("%s: %s", table.name, note)
            summary[table.name] = {"rows": wh.count(f"staging.{table.name}"), "municipalities": municipalities, "warnings": notes}
    return summary
