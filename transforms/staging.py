"""Staging: pseudonymised micro-data as Parquet, one file per partition in force.

A partition is what one delivery in force covers (table × municipality × year, or one population
file). Its Parquet file carries its own manifest (file name, SHA-256, extraction date) in the
schema metadata and is replaced with one atomic rename, so a crash never leaves half a partition.
"""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from transforms.tables import STAGING

MANIFEST_KEY = b"trappe.manifest"


@dataclass(frozen=True)
class Staging:
    root: Path

    def path(self, table: str, kommunekode: int, period: str = "") -> Path:
        name = f"kommunekode={kommunekode}" + (f"/period={period}" if period else "")
        return self.root / table / name / "part.parquet"

    def manifest(self, table: str, kommunekode: int, period: str = "") -> dict[str, str] | None:
        path = self.path(table, kommunekode, period)
        if not path.exists():
            return None
        meta = pq.read_schema(path).metadata or {}
        return json.loads(meta[MANIFEST_KEY]) if MANIFEST_KEY in meta else None

    def write(self, table: str, kommunekode: int, period: str, frame: pd.DataFrame, manifest: dict[str, Any]) -> None:
        """Replace the partition atomically with the frame, typed by the staging table definition."""
        self.commit(self.prepare(table, kommunekode, period, frame, manifest), table, kommunekode, period)

    def prepare(self, table: str, kommunekode: int, period: str, frame: pd.DataFrame, manifest: dict[str, Any]) -> Path:
        """Write the partition's next content beside it (`commit` puts it in force). Ingest worker
        processes prepare; the task that decides what is in force commits or `discard_prepared`s."""
        definition = STAGING[table]
        frame = frame.reindex(columns=definition.column_names)
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        for i, (name, sqltype, _) in enumerate(definition.columns):  # datetime64 columns of DATE: dates
            if sqltype == "DATE" and pa.types.is_timestamp(arrow.schema.field(i).type):
                arrow = arrow.set_column(i, name, arrow.column(i).cast(pa.date32()))
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), MANIFEST_KEY: json.dumps(manifest).encode()})
        path = self.path(table, kommunekode, period)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"part.{uuid.uuid4().hex}.tmp")
        try:
            pq.write_table(arrow, tmp)
        except BaseException:  # a full disk, a kill: the partition in force stays, no half-written file lingers
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def commit(self, prepared: Path, table: str, kommunekode: int, period: str) -> None:
        os.replace(prepared, self.path(table, kommunekode, period))

    def discard_prepared(self, tables: Iterable[str], kommunekode: int) -> None:
        """Remove prepared partitions never committed (a delivery that did not come into force, or
        left by a killed process) of one municipality."""
        for table in tables:
            for tmp in (self.root / table / f"kommunekode={kommunekode}").glob("**/part.*.tmp"):
                tmp.unlink(missing_ok=True)

    def drop(self, table: str, kommunekode: int, period: str = "") -> None:
        self.path(table, kommunekode, period).unlink(missing_ok=True)

    def periods(self, table: str, kommunekode: int) -> list[str]:
        base = self.root / table / f"kommunekode={kommunekode}"
        return sorted(p.name.removeprefix("period=") for p in base.glob("period=*") if (p / "part.parquet").exists())

    def kommunekode_of(self, table: str, file: Path) -> int:
        """The municipality of one of `files(table)` (0: national)."""
        return int(file.relative_to(self.root / table).parts[0].removeprefix("kommunekode="))

    def files(self, table: str) -> list[Path]:
        return sorted((self.root / table).glob("**/part.parquet"))

    def files_of(self, table: str, kommunekoder: Iterable[int]) -> list[Path]:
        """The partitions in force of these municipalities only (0: national), without walking the others."""
        return sorted(f for k in kommunekoder for f in (self.root / table / f"kommunekode={k}").glob("**/part.parquet"))

    def municipalities(self, table: str) -> list[int]:
        """The municipalities with a partition folder of `table`."""
        return sorted(int(p.name.removeprefix("kommunekode=")) for p in (self.root / table).glob("kommunekode=*"))

    def read(self, table: str) -> pd.DataFrame:
        """Every partition of a table (empty frame with the table's columns when there is none)."""
        files = self.files(table)
        if not files:
            return pd.DataFrame(columns=STAGING[table].column_names)
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
