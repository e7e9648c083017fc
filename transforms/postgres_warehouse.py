"""The production warehouse: PostgreSQL, addressed by an SQLAlchemy URL (`postgresql+psycopg://…`).

The same schemas, tables and SQL as the embedded DuckDB warehouse. Bulk data moves with COPY; a
run holds an advisory lock while it publishes, so two runs cannot interleave (the second waits).
The role `evaluator` is created idempotently and may read `published` and nothing else.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.tables import Table
from transforms.warehouse import Warehouse, WarehouseUnavailable, definition, describe

PUBLISH_LOCK = 0x7472617070  # "trapp": one advisory lock key for every trappe run
CONNECT_TIMEOUT = 10
"""Seconds to wait for the server (libpq waits for ever by default: a silent server hung the run)."""


def _conninfo(url: str) -> str:
    """libpq connection string of the URL, values quoted; the URL's query options (`sslmode`,
    `connect_timeout`, `host` of a socket folder, …) are kept."""
    from psycopg.conninfo import make_conninfo
    from sqlalchemy.engine import make_url

    u = make_url(url)
    parts = {"host": u.host, "port": u.port, "dbname": u.database, "user": u.username, "password": u.password}
    options = {k: v if isinstance(v, str) else v[-1] for k, v in u.query.items()}
    return make_conninfo(**{"connect_timeout": str(CONNECT_TIMEOUT), **options, **{k: v for k, v in parts.items() if v is not None}})


def _sql(sql: str) -> str:
    """`?` placeholders (as DuckDB takes them) to psycopg's `%s`; a literal % is doubled."""
    return sql.replace("%", "%%").replace("?", "%s")


def _pg_type(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    if str(dtype) in ("boolean", "bool"):
        return "BOOLEAN"
    if kind in "iu" or str(dtype) in ("Int64", "Int32"):
        return "BIGINT"
    if kind == "f" or str(dtype) == "Float64":
        return "DOUBLE PRECISION"
    if kind == "M":
        return "TIMESTAMP"
    return "VARCHAR"


class PostgresWarehouse(Warehouse):
    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self.con = psycopg.connect(_conninfo(url), autocommit=True)
        except psycopg.OperationalError as exc:  # down, silent past the timeout, refusing the login
            raise WarehouseUnavailable(f"Cannot reach the warehouse {describe(url)}: {exc}") from exc
        self._in_transaction = False
        self.create_schemas()
        self.ensure_evaluator_role()

    def close(self) -> None:
        self.con.close()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with self.con.cursor() as cur:
            cur.execute(_sql(sql) if params else sql, params or None)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self.con.cursor() as cur:
            cur.execute(_sql(sql) if params else sql, params or None)
            names = [d.name for d in cur.description or []]
            return pd.DataFrame(cur.fetchall(), columns=names)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    @contextmanager
    def publish_lock(self) -> Iterator[None]:
        """Serialise publishing: a second run waits here until the first has committed."""
        self.execute("SELECT pg_advisory_lock(%d)" % PUBLISH_LOCK)
        try:
            yield
        finally:
            self.execute("SELECT pg_advisory_unlock(%d)" % PUBLISH_LOCK)

    def ensure_evaluator_role(self) -> None:
        """The read-only role of warehouse.md §1 (NOLOGIN: grant it to evaluators' own logins)."""
        self.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'evaluator') "
                     "THEN CREATE ROLE evaluator NOLOGIN; END IF; END $$")
        self.execute("GRANT USAGE ON SCHEMA published TO evaluator")
        self.execute("GRANT SELECT ON ALL TABLES IN SCHEMA published TO evaluator")
        self.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA published GRANT SELECT ON TABLES TO evaluator")
        self.execute("REVOKE ALL ON SCHEMA staging FROM evaluator")
        self.execute("REVOKE ALL ON ALL TABLES IN SCHEMA staging FROM evaluator")

    def _columns(self, name: str, frame: pd.DataFrame) -> list[tuple[str, str]]:
        table = definition(name)
        if table is not None:
            return [(n, t) for n, t, _ in table.columns]
        return [(str(c), _pg_type(frame[c].dtype)) for c in frame.columns]

    def _copy(self, qualified: str, columns: list[str], frame: pd.DataFrame) -> None:
        """COPY a frame's rows in; missing values (None, NaN, NaT, NA) become NULL."""
        out = frame.reindex(columns=columns).astype(object)
        rows = out.where(out.notna(), None).itertuples(index=False, name=None)
        with self.con.cursor() as cur:
            with cur.copy(f"COPY {qualified} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def replace_table(self, name: str, frame: pd.DataFrame) -> None:
        columns = self._columns(name, frame)
        self.execute(f"DROP TABLE IF EXISTS {name}")
        self.execute(f"CREATE TABLE {name} ({', '.join(f'{n} {t}' for n, t in columns)})")
        if len(frame):
            self._copy(name, [n for n, _ in columns], frame)

    def load_parquet(self, name: str, files: Sequence[Path]) -> None:
        table = definition(name)
        assert table is not None, name
        frames = [pd.read_parquet(f, dtype_backend="numpy_nullable") for f in files]  # integers with nulls stay integers
        self.replace_table(name, pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=table.column_names))

    def insert(self, table: Table, frame: pd.DataFrame) -> None:
        if len(frame):
            self._copy(table.qualified, table.column_names, frame)
