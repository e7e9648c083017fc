"""What every trappe DAG shares: run parameters, retries, assets, and the run context of a task.

Kept free of heavy imports so that DAG files parse fast.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import Asset, Param

DEFAULT_ARGS: dict[str, Any] = {"owner": "trappe", "retries": 2, "retry_delay": timedelta(seconds=30)}

RUN_PARAMS: dict[str, Param] = {
    "inbox": Param("", type="string", description="Inbox folder; empty: $TRAPPE_INBOX"),
    "data_dir": Param("", type="string", description="Data folder for staging; empty: $TRAPPE_DATA_DIR or ./data"),
    "warehouse_url": Param("", type="string", description="Warehouse URL; empty: $TRAPPE_WAREHOUSE_URL, the connection trappe_warehouse, or the embedded DuckDB file"),
    "run_id": Param("", type="string", description="Run id shared by every DAG of one `trappe run`; empty: the DAG run's id"),
    "started_at": Param("", type="string", description="ISO timestamp of the run's start; empty: the DAG run's"),
    "as_of": Param("", type="string", description="Replay the night of this date (YYYY-MM-DD); empty: everything delivered"),
    "demo": Param(False, type="boolean", description="Allow the public demo pseudonymisation key"),
    "config": Param("", type="string", description="Parameters file; empty: $TRAPPE_CONFIG or the repo's trappe.toml"),
    "processes": Param(0, type="integer", minimum=0, description="Worker processes for the ingest and compute tasks run in one process (trappe run); 0: $TRAPPE_INGEST_PROCESSES or 1 (under a scheduler, the executor spreads the tasks instead)"),
}


def staging_asset() -> Asset:
    """Every ingest task ends in it: new staged partitions of any source."""
    return Asset("trappe://staging/inputs")


def published_asset(table: str) -> Asset:
    return Asset(f"trappe://published/{table}")


def run_context(context: Any) -> Any:
    """The RunContext of the running task, from its params and DAG run."""
    from transforms.run_context import RunContext

    dag_run = context["dag_run"]
    started = dag_run.start_date or dag_run.run_after
    return RunContext.from_conf(dict(context["params"]), dag_run.run_id, started)
