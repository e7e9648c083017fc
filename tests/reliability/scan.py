"""Look for secrets in everything under a folder: the CPR numbers of an inbox (10 digits, `DDMMYY-SSSS`,
and ten digits that lost their leading zero to a number format) and the pseudonymisation key (its
bytes, hex and base64).

Every file is scanned as raw bytes, and containers are opened too, since compression hides text
from a byte scan: Parquet (every text value and the schema metadata), DuckDB (every text value of
every table), zip files such as .xlsx (every member, decompressed) and gzip files.
"""
from __future__ import annotations

import base64
import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from tests.privacy import _text_values_duckdb, _text_values_parquet

DIGITS = re.compile(rb"(?<!\d)(\d{6})-?(\d{4})(?!\d)|(?<!\d)(\d{9})(?!\d)")


def _contents(path: Path, data: bytes) -> Iterator[tuple[str, bytes]]:
    """(where, bytes) of a file and of what it contains."""
    yield str(path), data
    if path.suffix == ".parquet":
        for value in _text_values_parquet(path):
            yield f"{path} (a Parquet value)", value.encode("utf-8", "replace")
    elif path.suffix == ".duckdb":
        for value in _text_values_duckdb(path):
            yield f"{path} (a DuckDB value)", str(value).encode("utf-8", "replace")
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for member in z.namelist():
                yield f"{path}!{member}", z.read(member)
    elif data[:2] == b"\x1f\x8b":
        try:
            yield f"{path} (gunzipped)", gzip.decompress(data)
        except (EOFError, OSError):
            pass


def key_spellings(key: str) -> list[bytes]:
    raw = key.encode("utf-8")
    return [raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")]


def find(root: Path, cprs: set[str], key: str | None = None) -> list[str]:
    """Where any of the CPR numbers (or the key) appears under `root`: 'file: what', one per finding."""
    ten = {c.encode() for c in cprs}
    nine = {c[1:].encode() for c in cprs if c.startswith("0")}  # 0101901234 written as the number 101901234
    keys = key_spellings(key) if key else []
    found: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for where, data in _contents(path, path.read_bytes()):
            for m in DIGITS.finditer(data):
                if (m.group(1) and m.group(1) + m.group(2) in ten) or (m.group(3) and m.group(3) in nine):
                    found.append(f"{where}: a CPR number of the inbox")
                    break
            found += [f"{where}: the pseudonymisation key" for k in keys if k in data]
    return found


def texts_of_postgres(url: str) -> list[tuple[str, str]]:
    """(schema.table.column, value) of every text value in the `published` and `staging` schemas of a
    PostgreSQL warehouse."""
    import psycopg

    from transforms.postgres_warehouse import _conninfo

    values: list[tuple[str, str]] = []
    with psycopg.connect(_conninfo(url)) as pg:
        columns = pg.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                             "WHERE table_schema IN ('published', 'staging') AND data_type IN ('text', 'character varying')").fetchall()
        for schema, table, column in columns:
            values += [(f"{schema}.{table}.{column}", v)
                       for (v,) in pg.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}"').fetchall() if v]
    return values


def find_in_texts(values: list[tuple[str, str]], cprs: set[str], key: str | None = None) -> list[str]:
    """Where (never the value itself) a CPR number or the key appears among (where, value) pairs."""
    ten = {c.encode() for c in cprs}
    keys = key_spellings(key) if key else []
    found = []
    for where, value in values:
        data = value.encode("utf-8", "replace")
        if any(m.group(1) and m.group(1) + m.group(2) in ten for m in DIGITS.finditer(data)) or any(k in data for k in keys):
            found.append(where)
    return found
