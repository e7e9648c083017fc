"""The warehouse: one place decides which one, and one small interface serves every task.

Which warehouse (warehouse.md §3): `--warehouse` (an SQLAlchemy URL, or a plain path meaning a DuckDB
file), else the environment variable `TRAPPE_WAREHOUSE_URL`, else the Airflow connection
`trappe_warehouse`, else the embedded DuckDB file `data/warehouse.duckdb`. Tasks are handed the
resolved URL and open it with `open_warehouse`; they never decide it themselves.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.tables import PUBLISHED, STAGING, Table

DEFAULT_PATH = Path("data") / "warehouse.duckdb"


def _from_airflow() -> str | None:
    try:
        from airflow.sdk import Connection
    except ImportError:
        return None
    try:
        return Connection.get("trappe_warehouse").get_uri()
    except Exception:  # noqa: BLE001 - no such connection: fall through to the default
        return None


def resolve_url(explicit: str | None = None, base: Path | None = None) -> str:
    """The warehouse URL by the precedence above; a relative DuckDB path is made absolute against `base`."""
    url = explicit or os.environ.get("TRAPPE_WAREHOUSE_URL") or _from_airflow() or f"duckdb:///{DEFAULT_PATH}"
    if "://" not in url:
        url = f"duckdb:///{url}"
    if url.startswith("duckdb:///"):
        path = Path(url.removeprefix("duckdb:///"))
        if path.as_posix() != ":memory:" and not path.is_absolute():
            path = (base or Path.cwd()) / path
        url = f"duckdb:///{path}"
    return url


def describe(url: str) -> str:
    """The URL without any password, for summaries and logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True) if "://" in url else url


class DuckDBWarehouse:
    """The embedded warehouse: one DuckDB file, set-based SQL on the same engine."""

    def __init__(self, path: str) -> None:
        import duckdb

        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(path)
        self.con.execute("SET TimeZone = 'UTC'")
        for schema in ("staging", "published"):
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")

    @classmethod
    def in_memory(cls) -> DuckDBWarehouse:
        return cls(":memory:")

    def __enter__(self) -> DuckDBWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.con.execute(sql, params or [])

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside leaves every table as it was."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def _select_typed(self, table: Table | None, frame: pd.DataFrame) -> str:
        if table is None:
            return "SELECT * FROM incoming"
        present = set(frame.columns)
        return "SELECT " + ", ".join(
            f"CAST({'incoming.' + name if name in present else 'NULL'} AS {sqltype}) AS {name}" for name, sqltype, _ in table.columns
        ) + " FROM incoming"

    def replace_table(self, name: str, frame: pd.DataFrame) -> None:
        """Create or replace a whole table from a frame, typed by its definition in tables.py if it has one."""
        schema, _, base = name.partition(".")
        table = (STAGING if schema == "staging" else PUBLISHED).get(base)
        if frame.shape[1] == 0:  # a frame with no columns at all: the definition's columns, no rows
            frame = pd.DataFrame({"_": pd.Series([], dtype="string")})
        self.con.register("incoming", frame)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {self._select_typed(table, frame)}")
        finally:
            self.con.unregister("incoming")

    def load_parquet(self, name: str, files: Sequence[Path]) -> None:
        """Replace a staging table with the Parquet partitions in force (read by DuckDB itself)."""
        if not files:
            self.replace_table(name, pd.DataFrame())
            return
        table = STAGING[name.partition(".")[2]]
        listing = ", ".join(f"'{_quote(str(f))}'" for f in files)
        cols = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t, _ in table.columns)
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {cols} FROM read_parquet([{listing}], union_by_name = true)")

    def ensure_published(self) -> None:
        """Create the published tables (idempotent) with a comment on every table and column."""
        for table in PUBLISHED.values():
            cols = ", ".join(f"{n} {t}" for n, t, _ in table.columns)
            self.con.execute(f"CREATE TABLE IF NOT EXISTS {table.qualified} ({cols})")
            self.con.execute(f"COMMENT ON TABLE {table.qualified} IS '{_quote(table.comment + ' Grain: ' + table.grain + '.')}'")
            for n, _, comment in table.columns:
                self.con.execute(f"COMMENT ON COLUMN {table.qualified}.{n} IS '{_quote(comment)}'")

    def insert(self, table: Table, frame: pd.DataFrame) -> None:
        self.con.register("incoming", frame)
        try:
            self.con.execute(f"INSERT INTO {table.qualified} ({', '.join(table.column_names)}) {self._select_typed(table, frame)}")
        finally:
            self.con.unregister("incoming")

    def delete(self, table: Table, column: str, values: Sequence[Any], and_run: str | None = None) -> None:
        """Delete the rows whose `column` is one of `values` (and, for logs, of one run)."""
        if column not in table.column_names:
            raise ValueError(f"{column} is not a column of {table.qualified}")
        if not values:
            return
        marks = ", ".join("?" for _ in values)
        run = " AND run_id = ?" if and_run is not None else ""
        self.con.execute(f"DELETE FROM {table.qualified} WHERE {column} IN ({marks}){run}", [*values, *([and_run] if and_run is not None else [])])


def _quote(text: str) -> str:
    return text.replace("'", "''")


def open_warehouse(url: str) -> DuckDBWarehouse:
    """Open the warehouse at `url` (resolved by `resolve_url`)."""
    if url.startswith("duckdb:///"):
        return DuckDBWarehouse(url.removeprefix("duckdb:///"))
    raise ValueError(f"Unsupported warehouse URL {describe(url)!r}: this version supports duckdb:///<file>")
