"""Build the published tables per municipality and replace them in the warehouse, atomically.

Three steps, each a task of `dags/build_publish.py`:

1. `plan`: which municipalities to compute: those whose staged inputs changed since this warehouse
   last published them, or all of them when what they share changed (changes.py); and what they
   share, decided once for all: the price base year (the newest fiscal year staged anywhere).
2. `compute`, one task per municipality (mapped, so a Celery or Kubernetes executor spreads it
   over workers): an in-memory DuckDB reads that municipality's staged Parquet partitions and the
   national ones, runs every SQL file of include/sql/ (`BUILDS`) and writes each table's rows as
   Parquet under `<data dir>/build/<table>/kommunekode=<k>/`. No task writes the warehouse, so they
   can run anywhere at once; a rerun replaces its own files.
3. `publish`: loads the computed rows into the warehouse's `staging` schema and, in one
   transaction under the publish lock, deletes exactly the planned municipalities' rows of every
   table and inserts the new ones, with the dimensions and the input digests. A failure leaves the
   previous tables intact; the same inputs give the same rows.
"""
from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pandas as pd

from transforms import changes, key_figures, reference, school
from transforms import expenditure_by_step, expenditure_development
from transforms.duckdb_warehouse import DuckDBWarehouse
from transforms.file_kinds import inputs
from transforms.parameters import config_path, load
from transforms.run_context import RunContext
from transforms.staging import Staging
from transforms.tables import PUBLISHED, STAGING
from transforms.warehouse import Warehouse, _quote, open_warehouse

log = logging.getLogger(__name__)

BUILDS = (key_figures, school, expenditure_by_step, expenditure_development)
"""Every published table with a partition per municipality: each module has TABLE, build(engine,
config) → staging.<TABLE> with the published columns but run_id, and warnings(engine)."""


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


# -- 1. plan ---------------------------------------------------------------------------------------

def shared_parameters(staging: Staging, config: dict[str, Any]) -> dict[str, Any]:
    """What every municipality's build must agree on, decided from all staged data: the price base
    year of fixed prices (methodology.md §4: the newest year in the data, unless the parameters fix it)."""
    section = config.get("expenditure", {})
    if section.get("price_base_year"):
        return {"price_base_year": int(section["price_base_year"])}
    years = [int(p) for k in staging.municipalities("ledger") for p in staging.periods("ledger", k) if p.isdigit()]
    return {"price_base_year": max(years) if years else None}


def plan(ctx: RunContext) -> list[dict[str, Any]]:
    """One item per municipality to compute: its code and input digest, and what all of them share
    (the shared parameters and digest, and whether every municipality is rebuilt)."""
    staging = Staging(ctx.staging_path)
    path = config_path(ctx.config or None)
    config = load(path)
    shared = shared_parameters(staging, config)
    current = changes.input_digests(staging, inputs(), path, shared)
    with open_warehouse(ctx.warehouse_url) as wh:
        rebuild = changes.to_rebuild(current, _published_digests(wh))
    chosen = sorted(k for k in current if k != changes.SHARED) if rebuild is None else rebuild
    log.info("Computing %s", "every municipality" if rebuild is None else f"{len(chosen)} municipalit(y/ies) whose inputs changed: {chosen}")
    items = [{"kommunekode": k, "digest": current[k], "shared": shared, "shared_digest": current[changes.SHARED],
              "everything": rebuild is None} for k in chosen]
    _queue(ctx, items, config)
    return items


def _published_digests(wh: Warehouse) -> dict[int, str]:
    table = STAGING["build_inputs"]
    wh.execute(f"CREATE TABLE IF NOT EXISTS {table.qualified} ({', '.join(f'{n} {t}' for n, t, _ in table.columns)})")
    found = wh.query(f"SELECT kommunekode, digest FROM {table.qualified}")
    return {int(k): d for k, d in zip(found["kommunekode"], found["digest"])}


_queued: dict[tuple[str, int], Future] = {}
"""Computations started in the worker processes for the compute tasks of a run in this process."""


def _queue(ctx: RunContext, items: list[dict[str, Any]], config: dict[str, Any]) -> None:
    """Where every task runs in this process (`trappe run`, `processes` > 1): start every planned
    municipality's computation in the worker processes at once, so they run on every core while
    Airflow starts and ends each compute task here. Under a scheduler each task computes its own."""
    if ctx.processes <= 1:
        return
    from transforms.ingest import worker_pool

    pool = worker_pool(ctx.processes, ctx.ingested_path / "gx-agreements.jsonl")
    for item in items:
        _queued[(ctx.run_id, item["kommunekode"])] = pool.submit(
            compute_municipality, ctx.staging_path, ctx.build_path, item["kommunekode"], _config_with(config, item["shared"]))


# -- 2. compute ------------------------------------------------------------------------------------

def _config_with(config: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    return {**config, "expenditure": {**config.get("expenditure", {}), "price_base_year": shared.get("price_base_year")}}


def compute(ctx: RunContext, item: dict[str, Any]) -> dict[str, Any]:
    """Every published table of one planned municipality, as Parquet under the build folder (see the module)."""
    started = _queued.pop((ctx.run_id, item["kommunekode"]), None)
    if started is not None:
        return started.result()
    config = _config_with(load(config_path(ctx.config or None)), item["shared"])
    return compute_municipality(ctx.staging_path, ctx.build_path, item["kommunekode"], config)


def load_inputs(engine: DuckDBWarehouse, staging: Staging, kommunekoder: Iterable[int] | None = None) -> None:
    """The staged partitions in force as the DuckDB engine's `staging` tables (views over the
    Parquet files), one per input kind: these municipalities' and the national ones (None: every
    municipality's)."""
    for table in inputs():
        files = staging.files(table) if kommunekoder is None else staging.files_of(table, (0, *kommunekoder))
        engine.view_parquet(f"staging.{table}", files)


def build_file(build_root: Path, table: str, kommunekode: int) -> Path:
    return build_root / table / f"kommunekode={kommunekode}" / "part.parquet"


def compute_municipality(staging_root: Path, build_root: Path, kommunekode: int, config: dict[str, Any]) -> dict[str, Any]:
    """Run every build on one municipality's staged partitions (and the national ones) in an
    in-memory DuckDB; write each table's rows atomically; rows and warnings per table."""
    out: dict[str, Any] = {"kommunekode": kommunekode, "rows": {}, "warnings": {}}
    with DuckDBWarehouse.in_memory() as engine:
        load_inputs(engine, Staging(staging_root), [kommunekode])
        for build in BUILDS:
            build.build(engine, config)
            target = build_file(build_root, build.TABLE, kommunekode)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"part.{uuid.uuid4().hex}.tmp")
            try:
                engine.execute(f"COPY staging.{build.TABLE} TO '{_quote(str(tmp))}' (FORMAT parquet)")
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            out["rows"][build.TABLE] = engine.count(f"staging.{build.TABLE}")
            out["warnings"][build.TABLE] = build.warnings(engine)
    return out


# -- 3. publish ------------------------------------------------------------------------------------

def _record_digests(wh: Warehouse, items: list[dict[str, Any]]) -> None:
    """Inside the publish transaction: the digests the computed municipalities were published from."""
    if not items:
        return
    table = STAGING["build_inputs"]
    digests = {changes.SHARED: items[0]["shared_digest"], **{int(i["kommunekode"]): i["digest"] for i in items}}
    if items[0]["everything"]:
        wh.execute(f"DELETE FROM {table.qualified}")
    else:
        wh.delete(table, "kommunekode", list(digests))
    wh.insert(table, pd.DataFrame({"kommunekode": list(digests), "digest": list(digests.values())}))


def publish(ctx: RunContext, items: list[dict[str, Any]], computed: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace the planned municipalities' rows of every table with the computed ones, atomically."""
    municipalities = [int(i["kommunekode"]) for i in items]
    summary: dict[str, Any] = {}
    with open_warehouse(ctx.warehouse_url) as wh:
        wh.ensure_published()
        for build in BUILDS:
            wh.load_parquet(f"staging.{build.TABLE}", [build_file(ctx.build_path, build.TABLE, k) for k in municipalities])
        for table in inputs():  # copies of the staged micro-data that warehouses built before compute was mapped still hold
            wh.execute(f"DROP TABLE IF EXISTS staging.{table}")
        with wh.publish_lock(), wh.transaction():
            for build in BUILDS:
                table = PUBLISHED[build.TABLE]
                columns = ", ".join(c for c in table.column_names if c != "run_id")
                wh.delete(table, "kommunekode", municipalities)
                wh.execute(f"INSERT INTO {table.qualified} ({columns}, run_id) SELECT {columns}, ? FROM staging.{table.name}", [ctx.run_id])
            for name, frame in dimensions().items():
                wh.execute(f"DELETE FROM published.{name}")
                wh.insert(PUBLISHED[name], frame)
            _record_digests(wh, items)
        for build in BUILDS:
            notes = list(dict.fromkeys(n for c in computed for n in c["warnings"][build.TABLE]))
            for note in notes:
                log.warning("%s: %s", build.TABLE, note)
            summary[build.TABLE] = {"rows": wh.count(f"staging.{build.TABLE}"), "municipalities": municipalities, "warnings": notes}
    return summary


def rebuild(ctx: RunContext) -> dict[str, Any]:
    """Plan, compute every planned municipality and publish, in this process: what the DAG's tasks
    do one after another (for tests and for callers without Airflow)."""
    items = plan(ctx)
    return publish(ctx, items, [compute(ctx, item) for item in items])
