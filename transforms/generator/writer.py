"""The one CSV writer of the generator: Danish conventions for every file of every source.

Sources hand over typed columns (numbers, day numbers, CPR numbers as integers) and a schema; the
writer turns them into text in two steps, so that deliberate flaws can be injected in between, on
text, the way they appear in real files:

1. ``format_table``: typed columns to text columns in canonical order — decimal comma, dates as
   ``YYYY-MM-DD`` or ``DD-MM-YYYY`` per value, CPR with or without hyphen, booleans ``0``/``1``.
2. ``write_table``: the producer's layout — column order, an unknown extra column, header case,
   quoting only where a value needs it, line ends, encoding (UTF-8, UTF-8 with BOM, Windows-1252)
   and gzip.

Everything is vectorised with Arrow compute (the national school registers are 18 million rows).
Output is byte-for-byte deterministic: no timestamps (gzip ``mtime=0``), no hash ordering.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .conventions import Conventions
from .dates import NO_DAY
from .seeding import Stream, rng_for


class Col(Enum):
    """How a column's typed values become text."""

    INT = "int"
    TEXT = "text"
    DATE = "date"
    DECIMAL = "decimal"
    BOOL = "bool"
    CPR = "cpr"


@dataclass(frozen=True)
class Schema:
    """A file kind: its name prefix, source folder and columns in canonical order."""

    kind: str
    source: str
    columns: tuple[tuple[str, Col], ...]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


REMARK_COLUMN = "bemaerkning"
REMARKS = (
    "Afventer børnefaglig undersøgelse",
    "Forældre ønsker opfølgning; møde aftalt",
    "Overført fra anden kommune",
    "Bevilling forlænget – jf. handleplan",
    'Barnet siger "det går godt"',
    "Særlig opmærksomhed på skolegang",
    "Økonomi godkendt af leder",
    "Sag genåbnet efter underretning",
    "Søskende anbragt sammen; plejefamilie i nærområdet",
    "Æ-skole: udvidet støtte",
)
GZIP_LEVEL = 6


def _dates(days: np.ndarray, dmy_share: float, rng: np.random.Generator) -> pa.Array:
    """``YYYY-MM-DD``, or ``DD-MM-YYYY`` for a ``dmy_share`` of the values; NO_DAY is empty."""
    days = np.asarray(days, dtype="int64")
    empty = days == NO_DAY
    values = pa.array(days.astype("int32"), mask=empty).cast(pa.date32())
    iso = pc.cast(values, pa.string())
    if dmy_share <= 0:
        return iso
    dmy = pc.strftime(values, format="%d-%m-%Y")
    return pc.if_else(pa.array(rng.random(days.size) < dmy_share), dmy, iso)


def _decimals(values: np.ndarray) -> pa.Array:
    """Shortest round-trip text with a decimal comma (``0,8``, ``1``, ``1234567,5``); NaN is empty.
    Callers round to the precision the column should show."""
    text = pc.cast(pa.array(np.asarray(values, dtype="float64"), from_pandas=True), pa.string())
    return pc.replace_substring(text, ".", ",")


def _cprs(values: np.ndarray, hyphen_share: float, rng: np.random.Generator) -> pa.Array:
    """Ten digits, or ``DDMMYY-SSSS`` for a ``hyphen_share`` of the values."""
    text = pc.utf8_lpad(pc.cast(pa.array(np.asarray(values, dtype="int64")), pa.string()), 10, "0")
    if hyphen_share <= 0:
        return text
    hyphenated = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 0, 6), pc.utf8_slice_codeunits(text, 6, 10), "-"
    )
    return pc.if_else(pa.array(rng.random(len(text)) < hyphen_share), hyphenated, text)


def _booleans(values: np.ndarray, empty_false: bool) -> pa.Array:
    """``1``/``0``, or ``1``/empty for producers that leave false empty (sources.md: empty means 0)."""
    truth = np.asarray(values, dtype=bool)
    return pa.array(np.where(truth, "1", "" if empty_false else "0"))


def format_table(frame: Mapping[str, object], schema: Schema, conv: Conventions,
                 rng: np.random.Generator) -> pa.Table:
    """Typed columns to text columns (empty string for an empty field), in schema order."""
    out = {}
    for name, col in schema.columns:
        values = frame[name]
        if col is Col.DATE:
            text = _dates(values, conv.dmy_share, rng)
        elif col is Col.DECIMAL:
            text = _decimals(values)
        elif col is Col.CPR:
            text = _cprs(values, conv.cpr_hyphen_share, rng)
        elif col is Col.BOOL:
            text = _booleans(values, conv.empty_false)
        elif col is Col.INT:
            text = pc.cast(pa.array(np.asarray(values, dtype="int64")), pa.string())
        else:
            text = pa.array(values, type=pa.string()) if not isinstance(values, pa.Array) else values
        out[name] = pc.fill_null(text, "")
    return pa.table(out)


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int = 6) -> pa.Array:
    """Ids such as ``F510-000042``: ``prefix`` and the zero-padded number."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype="int64")), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _header(name: str, case: str) -> str:
    """A column name as the producer writes it (sources.md: names are case-insensitive and trimmed)."""
    if case == "upper":
        return name.upper()
    if case == "title":
        return name.title()
    if case == "padded":
        return f" {name} "
    return name


def _quoted(text: pa.Array) -> pa.Array:
    """The value itself, or quoted with inner quotes doubled when it holds ``;``, ``"`` or a line end."""
    needs = pc.match_substring_regex(text, r'[;"\r\n]')
    if not pc.any(needs).as_py():
        return text
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, text)


def _layout(table: pa.Table, schema: Schema, conv: Conventions, seed: int, kommunekode: int,
            rng: np.random.Generator) -> pa.Table:
    """The producer's column order and extra column. The order is fixed per municipality and file
    kind (one system, one export layout), hence its own generator."""
    if conv.remark_column:
        remarks = np.array(("",) + REMARKS, dtype=object)
        weights = np.r_[0.8, np.full(len(REMARKS), 0.2 / len(REMARKS))]
        drawn = remarks[rng.choice(remarks.size, table.num_rows, p=weights)]
        table = table.append_column(REMARK_COLUMN, pa.array(drawn, type=pa.string()))
    if conv.shuffle_columns:
        layout_rng = rng_for(seed, kommunekode, Stream.CONVENTIONS, zlib.crc32(schema.kind.encode()))
        table = table.select([int(i) for i in layout_rng.permutation(table.num_columns)])
    return table


def encode(text: bytes, conv: Conventions, compress: bool) -> bytes:
    """UTF-8 text to the producer's bytes: re-encoded, with BOM, gzipped as it says."""
    if conv.encoding == "cp1252":
        text = text.decode("utf-8").encode("cp1252")
    elif conv.encoding == "utf-8-sig":
        text = b"\xef\xbb\xbf" + text
    return gzip.compress(text, compresslevel=GZIP_LEVEL, mtime=0) if compress else text


def render(table: pa.Table, conv: Conventions) -> bytes:
    """Header and rows as UTF-8 CSV text with ``;`` separators and the producer's line ends."""
    header = ";".join(_header(n, conv.header_case) for n in table.column_names) + conv.newline
    if table.num_rows == 0:
        return header.encode("utf-8")
    columns = [_quoted(c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c) for c in table.columns]
    rows = pc.binary_join_element_wise(*columns, ";")
    lines = pc.binary_join_element_wise(rows, pa.scalar(""), conv.newline)  # each row + line end
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset: lines.offset + len(lines) + 1]
    body = memoryview(lines.buffers()[2])[offsets[0]: offsets[-1]]
    return header.encode("utf-8") + bytes(body)


def write_table(directory: Path, stem: str, table: pa.Table, schema: Schema, conv: Conventions, seed: int,
                kommunekode: int, rng: np.random.Generator) -> tuple[Path, int]:
    """Write ``table`` as ``<directory>/<stem>.csv`` (or ``.csv.gz``) in the producer's layout;
    returns the path and the number of bytes written."""
    compress = schema.source in conv.gzip_sources
    path = directory / f"{stem}.csv{'.gz' if compress else ''}"
    directory.mkdir(parents=True, exist_ok=True)
    data = encode(render(_layout(table, schema, conv, seed, kommunekode, rng), conv), conv, compress)
    path.write_bytes(data)
    return path, len(data)


@dataclass(frozen=True)
class Delivery:
    """One file to write: where, which kind, its typed columns, and what its flaws need."""

    folder: str
    stem: str
    schema: Schema
    frame: Mapping[str, object]
    extraction: date
    fresh_id: Callable[[int], str] | None = None
    school_year: int | None = None
