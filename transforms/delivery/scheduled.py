"""What the `deliver` DAG's tasks call: which municipalities to deliver for a run, and one delivery.

Parameters come from the DAG run (all optional); empty ones fall back to the environment as the
nightly DAGs do: `TRAPPE_OUTBOX` (else `outbox`), and for the warehouse `TRAPPE_WAREHOUSE_URL`, the
connection `trappe_warehouse`, else `$TRAPPE_DATA_DIR/warehouse.duckdb`. The measurement point is
the parameter, else the newest point before the end of the run's data interval (the timetable's).
"""
from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from transforms.delivery.orchestrate import deliver, plan
from transforms.warehouse import describe, open_warehouse, resolve_url


def settings(params: dict[str, Any], interval_end: datetime | None) -> dict[str, Any]:
    from plugins.measurement_timetable import point_for

    data_dir = Path(os.environ.get("TRAPPE_DATA_DIR", "data"))
    url = resolve_url(params.get("warehouse_url") or None, default=data_dir / "warehouse.duckdb")
    outbox = params.get("outbox") or os.environ.get("TRAPPE_OUTBOX", "outbox")
    point = params.get("measurement_point") or point_for(interval_end or datetime.now()).isoformat()
    codes = [int(c) for c in str(params.get("kommunekoder") or "").split(",") if c.strip()]
    return {"warehouse_url": url, "outbox": str(Path(outbox).resolve()), "measurement_point": point, "kommunekoder": codes,
            "pdf": bool(params.get("pdf", True))}


def municipalities_to_deliver(params: dict[str, Any], interval_end: datetime | None) -> list[int]:
    """The municipalities with key figures at the run's measurement point (the others' snapshots
    have not arrived yet: a later run of the timetable delivers them)."""
    s = settings(params, interval_end)
    with open_warehouse(s["warehouse_url"]) as wh:
        todo, skipped = plan(wh, s["kommunekoder"] or None, [date.fromisoformat(s["measurement_point"])])
    for k, point, why in skipped:
        print(f"Not delivered now: {k} at {point}: {why}")
    return [k for k, _ in todo]


def deliver_one(params: dict[str, Any], interval_end: datetime | None, kommunekode: int) -> dict[str, Any]:
    s = settings(params, interval_end)
    result = deliver(s["warehouse_url"], Path(s["outbox"]), [kommunekode], [date.fromisoformat(s["measurement_point"])],
                     with_pdf=s["pdf"])
    d = result.delivered[0]
    print(f"Delivered {d.kommunekode} at {d.point} from {describe(s['warehouse_url'])} to {d.folder}: {', '.join(d.files)}")
    return {"kommunekode": d.kommunekode, "measurement_point": d.point.isoformat(), "folder": str(d.folder),
            "files": d.files, "run_id": d.run_id, "pdf": d.pdf}
