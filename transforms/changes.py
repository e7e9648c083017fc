"""What changed since the last night: the inbox folders to ingest, the municipalities to rebuild.

A national inbox holds about 5 000 files in about 400 folders (source × municipality), and a normal
night brings new files for a few of them. Two fingerprints let a night do only that work:

- **Folders.** After an ingest task has staged and audited a folder, it records the folder's
  fingerprint: each file's name, size and modification time as the task saw them (after `--as-of`),
  the rules and reference data, and the pseudonymisation key (as an HMAC of a fixed text, never
  the key), with the run that audited it. A folder with the same fingerprint the next night, whose
  audit that warehouse holds, needs no task: its files are all `unchanged` (sources.md §1: the same
  content was seen before), and get their audit rows in one go.
- **Municipalities.** The build keeps, in the warehouse (`staging.build_inputs`), a digest of the
  staged partitions each municipality was last published from, plus one for what every
  municipality shares (national partitions, SQL, reference data, parameters). It rebuilds the
  municipalities whose digest changed, or all of them when the shared one did.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache
from pathlib import Path
from typing import Any

from transforms.inbox import Delivery
from transforms.staging import Staging

REPO = Path(__file__).resolve().parent.parent
SHARED = -1
"""The `kommunekode` of the shared digest in `staging.build_inputs`."""


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@cache
def _files_digest(*patterns: str) -> str:
    """The content of the repo's files matching `patterns` (rules, reference data, SQL), as one digest."""
    files = sorted(p for pattern in patterns for p in REPO.glob(pattern) if p.is_file())
    return _digest([(p.relative_to(REPO).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest()) for p in files])


def key_fingerprint(key: bytes) -> str:
    """Tells keys apart without revealing them (an HMAC of a fixed text under the key)."""
    return hmac.new(key, b"trappe pseudonymisation key fingerprint", hashlib.sha256).hexdigest()[:16]


def folder_fingerprint(deliveries: list[Delivery], key: bytes) -> str:
    """One folder (source × municipality) as an ingest task sees it."""
    files = []
    for d in sorted(deliveries, key=lambda d: d.file_name):
        stat = d.path.stat()
        files.append((d.file_name, stat.st_size, stat.st_mtime_ns))
    return _digest({"files": files, "rules": _files_digest("expectations/*.json", "transforms/reference/*.csv"),
                    "key": key_fingerprint(key)})


def _folder_record(records: Path, source: str, kommunekode: int) -> Path:
    return records / source / f"{kommunekode}.json"


def ingested(records: Path, source: str, kommunekode: int) -> dict[str, str] | None:
    """What was recorded (under `records`, `<data dir>/ingested`) when the folder was last ingested:
    its fingerprint and the run that audited it."""
    path = _folder_record(records, source, kommunekode)
    return json.loads(path.read_text()) if path.exists() else None


def record_ingested(records: Path, source: str, kommunekode: int, fingerprint: str, run_id: str) -> None:
    """Written last by a successful ingest task: a task that fails before it leaves the old record,
    so the next night ingests the folder again."""
    path = _folder_record(records, source, kommunekode)
    record = {"fingerprint": fingerprint, "run_id": run_id}
    if ingested(records, source, kommunekode) == record:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record))
    tmp.replace(path)


def unchanged(record: dict[str, str] | None, fingerprint: str, audited: set[tuple[str, str, int]], source: str, kommunekode: int) -> bool:
    """A folder needs no ingest task when it is as it was last ingested, and the warehouse holds
    that run's audit of it (`audited`: run id, source, municipality): a new or restored warehouse
    gets every folder ingested again."""
    return record is not None and record.get("fingerprint") == fingerprint and (record.get("run_id"), source, kommunekode) in audited


def input_digests(staging: Staging, tables: tuple[str, ...], config: Path, shared: dict[str, Any] | None = None) -> dict[int, str]:
    """Per municipality, a digest of its staged partitions (table, period, size and modification
    time: reading 2 500 manifests would cost seconds a night); under SHARED, the national
    partitions (kommunekode 0), the SQL, the reference data, the parameters and what the build
    derives for every municipality from all of them (`shared`: the price base year)."""
    partitions: dict[int, list[Any]] = {}
    for table in tables:
        for path in staging.files(table):
            k = staging.kommunekode_of(table, path)
            folder = path.parent.relative_to(staging.root / table).parts
            period = folder[1].removeprefix("period=") if len(folder) > 1 else ""
            stat = path.stat()  # a partition is only ever replaced by a new file (Staging.commit)
            partitions.setdefault(k, []).append((table, period, stat.st_size, stat.st_mtime_ns))
    digests = {k: _digest(sorted(parts, key=str)) for k, parts in partitions.items() if k != 0}
    digests[SHARED] = _digest({"national": sorted(partitions.get(0, []), key=str), "config": config.read_text(encoding="utf-8"),
                               "code": _files_digest("include/sql/**/*.sql", "transforms/reference/*.csv"), "shared": shared or {}})
    return digests


def to_rebuild(current: dict[int, str], published: dict[int, str]) -> list[int] | None:
    """The municipalities whose inputs differ from those they were last published from; None: all
    of them (what they share changed, or nothing was published from this staging yet)."""
    if published.get(SHARED) != current[SHARED]:
        return None
    return sorted(k for k, digest in current.items() if k != SHARED and published.get(k) != digest)
