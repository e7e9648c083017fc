"""The warehouse: one place decides which one, and one small interface serves every task.

Which warehouse (warehouse.md §3): `--warehouse` (an SQLAlchemy URL, or a plain path meaning a DuckDB
file), else the environment variable `TRAPPE_WAREHOUSE_URL`, else the Airflow connection
`trappe_warehouse`, else the embedded DuckDB file `data/warehouse.duckdb`. Tasks are handed the
resolved URL and open it with `open_warehouse`; they never decide it themselves.
"""
from __future__ import annotations

import os
from urllib.parse import unquote
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.tables import PUBLISHED, STAGING, Table

DEFAULT_PATH = Path("data") / "warehouse.duckdb"


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be opened (server down or silent, file locked by another process); the
    message names it (without its password) and says why."""


def _from_airflow() -> str | None:
    try:
        from airflow.sdk import Connection
    except ImportError:
        return None
    try:
        uri = Connection.get("trappe_warehouse").get_uri()
    except Exception:  # noqa: BLE001 - no such connection: fall through to the default
        return None
    # Airflow percent-encodes a DuckDB connection's path (duckdb:///%2Fdata%2Fwh.duckdb)
    return unquote(uri) if uri.startswith("duckdb:") else uri


def resolve_url(explicit: str | None = None, base: Path | None = None, default: Path = DEFAULT_PATH) -> str:
    """The warehouse URL by the precedence above; a relative DuckDB path is made absolute against `base`."""
    url = explicit or os.environ.get("TRAPPE_WAREHOUSE_URL") or _from_airflow() or f"duckdb:///{default}"
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


_ENSURED: set[str] = set()
"""Warehouses whose published tables and comments this process has created or refreshed."""


class Warehouse(ABC):
    """What every task needs of a warehouse; DuckDB and PostgreSQL implement the engine-specific part.

    SQL handed to `execute` and `query` uses `?` placeholders on both engines. Identifiers are never
    taken from input: they come from tables.py or the SQL files in include/sql/.
    """

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None: ...

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame: ...

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside leaves every table as it was."""

    @abstractmethod
    def replace_table(self, name: str, frame: pd.DataFrame) -> None:
        """Create or replace a whole table from a frame, typed by its definition in tables.py if it has one."""

    @abstractmethod
    def load_parquet(self, name: str, files: Sequence[Path]) -> None:
        """Replace a staging table with the Parquet partitions in force."""

    @abstractmethod
    def insert(self, table: Table, frame: pd.DataFrame) -> None:
        """Append a frame's rows to a table (columns by name, typed by the definition)."""

    @contextmanager
    def publish_lock(self) -> Iterator[None]:
        """Held while publishing, so two runs cannot interleave (DuckDB: its single-writer file lock)."""
        yield

    def create_schemas(self) -> None:
        for schema in ("staging", "published"):
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")

    location: str = ""
    """Which warehouse this is (a DuckDB file; empty: PostgreSQL, whose tables other sessions may
    drop and recreate, so it is always checked in full): see `ensure_published`."""

    def ensure_published(self) -> None:
        """Create the published tables (idempotent) with a comment on every table and column.

        Once per process and warehouse: later calls (each ingest task calls it) only check that
        every column is still there, one query instead of a few hundred statements."""
        if self.location and self.location in _ENSURED:
            present = self.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'published'")
            if set(zip(present["table_name"], present["column_name"])) >= {(t.name, n) for t in PUBLISHED.values() for n in t.column_names}:
                return
        for table in PUBLISHED.values():
            cols = ", ".join(f"{n} {t}" for n, t, _ in table.columns)
            self.execute(f"CREATE TABLE IF NOT EXISTS {table.qualified} ({cols})")
            self.execute(f"COMMENT ON TABLE {table.qualified} IS '{_quote(table.comment + ' Grain: ' + table.grain + '.')}'")
            for n, _, comment in table.columns:
                self.execute(f"COMMENT ON COLUMN {table.qualified}.{n} IS '{_quote(comment)}'")
        if self.location:
            _ENSURED.add(self.location)

    def delete(self, table: Table, column: str, values: Sequence[Any], and_run: str | None = None) -> None:
        """Delete the rows whose `column` is one of `values` (and, for logs, of one run)."""
        if column not in table.column_names:
            raise ValueError(f"{column} is not a column of {table.qualified}")
        if not values:
            return
        marks = ", ".join("?" for _ in values)
        run = " AND run_id = ?" if and_run is not None else ""
        self.execute(f"DELETE FROM {table.qualified} WHERE {column} IN ({marks}){run}", [*values, *([and_run] if and_run is not None else [])])

    def count(self, qualified: str) -> int:
        return int(self.query(f"SELECT COUNT(*) AS n FROM {qualified}")["n"].iloc[0])


def select_typed(table: Table | None, present: Sequence[str], source: str = "incoming") -> str:
    """SELECT that casts a source's columns to a table's definition (NULL for columns it lacks)."""
    if table is None:
        return f"SELECT * FROM {source}"
    return "SELECT " + ", ".join(
        f"CAST({name if name in present else 'NULL'} AS {sqltype}) AS {name}" for name, sqltype, _ in table.columns
    ) + f" FROM {source}"


def definition(name: str) -> Table | None:
    """The table definition of `schema.name`; in `staging`, a published table's computed rows
    (`staging.key_figures`, loaded from the build's Parquet) are typed as the published table."""
    schema, _, base = name.partition(".")
    if schema == "staging":
        return STAGING.get(base) or PUBLISHED.get(base)
    return PUBLISHED.get(base)


def _quote(text: str) -> str:
    return text.replace("'", "''")


def open_warehouse(url: str) -> Warehouse:
    """Open the warehouse at `url` (resolved by `resolve_url`)."""
    if url.startswith("duckdb:///"):
        from transforms.duckdb_warehouse import DuckDBWarehouse

        return DuckDBWarehouse(url.removeprefix("duckdb:///"))
    if url.startswith("postgresql"):
        from transforms.postgres_warehouse import PostgresWarehouse

        return PostgresWarehouse(url)
    raise ValueError(f"Unsupported warehouse URL {describe(url)!r}: use duckdb:///<file> or postgresql+psycopg://…")
