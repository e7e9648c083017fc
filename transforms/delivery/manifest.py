"""manifest.json: what the extract is, the run and measurement point it holds, and every other
file's SHA-256, so the partnership office can check that nothing changed on the way. Keys in a
fixed order, no time but the run's: the same run gives the same bytes."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from transforms.delivery.report import Figure
from transforms.delivery.source import Extract

NAME = "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(extract: Extract, files: dict[str, bytes], figures: list[Figure], pdf: str) -> bytes:
    doc: dict[str, Any] = {
        "extract": "trappe: udtræk til partnerskabssekretariatet (warehouse.md §4)",
        "kommunekode": extract.kommunekode,
        "kommune": extract.municipality,
        "measurement_point": extract.point.isoformat(),
        "run_id": extract.run_id,
        "run_started_at": extract.run_started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "run_ids": extract.run_ids,
        "tables": {name: {"rows": len(t.rows), "in_warehouse": t.exists} for name, t in extract.tables.items()},
        "charts": {f.id: ("drawn" if f.svg is not None else "ingen data") for f in figures},
        "pdf": pdf,
        "files": [{"name": name, "sha256": sha256(data), "bytes": len(data)} for name, data in sorted(files.items())],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
