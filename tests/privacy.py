"""Scan what a run wrote for the CPR numbers of its inbox, in every spelling and every container.

Raw bytes are not enough: Parquet pages are compressed and a DuckDB file stores blocks, so a CPR
could hide from a byte scan. Parquet and DuckDB files are opened and every text value is checked;
every other file (logs, JSON, Airflow's SQLite database) is scanned as bytes.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

CPR_IN_TEXT = re.compile(rb"(?<!\d)(\d{6})-?(\d{4})(?!\d)")


def inbox_cprs(inbox: Path) -> set[str]:
    """Every CPR-shaped value in the inbox's `cpr` columns, as ten digits."""
    found: set[str] = set()
    for path in inbox.rglob("*.csv*"):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (EOFError, OSError):
                continue
        lines = data.splitlines()
        if not lines:
            continue
        header = [h.strip().lower().lstrip("\ufeff") for h in lines[0].decode("utf-8", "replace").split(";")]
        if "cpr" not in header:
            continue
        i = header.index("cpr")
        for line in lines[1:]:
            fields = line.split(b";")
            if len(fields) > i:
                m = CPR_IN_TEXT.fullmatch(fields[i].strip())
                if m:
                    found.add((m.group(1) + m.group(2)).decode())
    return found


def spellings(cprs: set[str]) -> set[str]:
    return cprs | {f"{c[:6]}-{c[6:]}" for c in cprs}


def _text_values_duckdb(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute("SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                              "WHERE data_type = 'VARCHAR' AND NOT internal").fetchall()
        values: list[str] = []
        for schema, table, column in columns:
            values += [v for (v,) in con.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}"').fetchall() if v]
        return values
    finally:
        con.close()


def _text_values_parquet(path: Path) -> list[str]:
    table = pq.read_table(path)
    values: list[str] = []
    for column in table.columns:
        if str(column.type) in ("string", "large_string"):
            values += [v for v in column.to_pylist() if v]
    meta = table.schema.metadata or {}
    values += [v.decode("utf-8", "replace") for v in meta.values()]
    return values


def leaks(root: Path, cprs: set[str]) -> list[str]:
    """Where (file, and for containers the value) any of the CPR numbers appears under `root`."""
    wanted = spellings(cprs)
    found: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".duckdb":
            texts = _text_values_duckdb(path)
        elif path.suffix == ".parquet":
            texts = _text_values_parquet(path)
        else:
            texts = [path.read_bytes().decode("latin-1")]
        for text in texts:
            for m in CPR_IN_TEXT.finditer(text.encode("latin-1", "replace")):
                if m.group(0).decode() in wanted or (m.group(1) + m.group(2)).decode() in cprs:
                    found.append(f"{path}")
                    break
    return found
