"""The embedded warehouse: one DuckDB file, set-based SQL on the same engine.

DuckDB allows one writing process per file: a second concurrent run fails to open it and stops
with DuckDB's lock message, which is the "second run stops with a clear message" of warehouse.md.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.tables import Table
from transforms.warehouse import Warehouse, WarehouseUnavailable, _quote, definition, select_typed


class DuckDBWarehouse(Warehouse):
    def __init__(self, path: str) -> None:
        import duckdb

        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(path)
        except duckdb.IOException as exc:  # locked by another process, unreadable, …
            raise WarehouseUnavailable(f"Cannot open the warehouse {path}: {exc}") from exc
        self.con.execute("SET TimeZone = 'UTC'")
        self.location = "" if path == ":memory:" else str(Path(path).resolve())
        self.create_schemas()

    @classmethod
    def in_memory(cls) -> DuckDBWarehouse:
        return cls(":memory:")

    def close(self) -> None:
        self.con.close()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.con.execute(sql, params or [])

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def replace_table(self, name: str, frame: pd.DataFrame) -> None:
        if frame.shape[1] == 0:  # a frame with no columns at all: the definition's columns, no rows
            frame = pd.DataFrame({"_": pd.Series([], dtype="string")})
        self.con.register("incoming", frame)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {select_typed(definition(name), list(frame.columns))}")
        finally:
            self.con.unregister("incoming")

    def load_parquet(self, name: str, files: Sequence[Path]) -> None:
        self._from_parquet("TABLE", name, files)

    def view_parquet(self, name: str, files: Sequence[Path]) -> None:
        """Like `load_parquet`, but a view over the files: each query reads only the columns and row
        groups it needs (a municipality's build reads its inputs this way, 20 % faster than copying
        them). The files must stay as they are while the view is used."""
        self._from_parquet("VIEW", name, files)

    def _from_parquet(self, kind: str, name: str, files: Sequence[Path]) -> None:
        if not files:
            self.replace_table(name, pd.DataFrame())
            return
        import pyarrow.parquet as pq

        table = definition(name)
        assert table is not None, name
        listing = ", ".join(f"'{_quote(str(f))}'" for f in files)
        present = pq.read_schema(files[0]).names  # a published table's computed rows have no run_id yet
        self.con.execute(f"CREATE OR REPLACE {kind} {name} AS "
                         f"{select_typed(table, present, f'read_parquet([{listing}], union_by_name = true, hive_partitioning = false)')}")

    def insert(self, table: Table, frame: pd.DataFrame) -> None:
        self.con.register("incoming", frame)
        try:
            self.con.execute(f"INSERT INTO {table.qualified} ({', '.join(table.column_names)}) {select_typed(table, list(frame.columns))}")
        finally:
            self.con.unregister("incoming")
