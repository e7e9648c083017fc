"""One reader for every source: bytes → decoded text → header and rows as text.

It decides what sources.md §1 makes a property of the *file*: gzip, encoding (UTF-8 with or without
BOM, or Windows-1252), the `;` dialect with `"` quoting, header names (trimmed, case-insensitive),
row numbers as a spreadsheet shows them (header = row 1; blank lines are skipped but keep their
number). Everything about *values* is left to the validator. A file that cannot be read at all
raises `FileRejected` with the rule it broke; nothing of it loads.
"""
from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

csv.field_size_limit(2**31 - 1)  # sources.md: fields have no length limit

BOM = "\ufeff"
ROW = "__row_number"
"""The frame column that carries each row's spreadsheet number (a name no delivered header has)."""


class FileRejected(Exception):
    """A whole file is rejected; `rule` is the stable code stored in published.quarantine."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # rebuilt whole when it comes back from a worker process
        return (FileRejected, (self.rule, self.message))


@dataclass(frozen=True)
class RawTable:
    """The rows of one file as text: `frame` has one column per header name (stripped, null for
    empty) and `ROW`, the spreadsheet row; and `ragged` holds the row numbers whose field
    count differs from the header's (they are quarantined whole)."""

    header: list[str]
    frame: pd.DataFrame
    ragged: pd.DataFrame  # row_number, fields
    encoding: str

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.ragged)


def _decompress(data: bytes, name: str) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise FileRejected("truncated_gzip", f"{name}: the gzip stream is damaged or cut short ({exc.__class__.__name__})") from None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and the encoding found. UTF-8 (BOM or not) first; else Windows-1252 line by line, so a
    file whose lines were saved in different encodings still keeps æ, ø and å intact."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = []
    encodings = set()
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():  # the same text in either encoding: it says nothing about the file's
            lines.append(line.decode("ascii"))
            continue
        try:
            lines.append(line.decode("utf-8"))
            encodings.add("utf-8")
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("cp1252"))
                encodings.add("cp1252")
            except UnicodeDecodeError:
                raise FileRejected("undecodable", f"{name}: line {number} is neither UTF-8 nor Windows-1252") from None
    return "\n".join(lines), "cp1252" if encodings == {"cp1252"} else "mixed"


def normalise_header(names: list[str]) -> list[str]:
    return [n.replace(BOM, "").strip().lower() for n in names]


def read_table(path: Path, name: str) -> RawTable:
    """Read one delivered file. `name` is how messages refer to it (its path in the inbox)."""
    data = path.read_bytes()
    if not data:
        raise FileRejected("empty_file", f"{name}: the file is empty (0 bytes)")
    data = _decompress(data, name)
    text, encoding = decode(data, name)
    if _plain(text):
        return _read_plain(text, name, encoding)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    try:
        header = next(r for r in records if r and any(f.strip() for f in r))
    except StopIteration:
        raise FileRejected("empty_file", f"{name}: the file has no header row") from None
    except csv.Error as exc:
        raise FileRejected("unreadable_csv", f"{name}: {exc}") from None
    header = normalise_header(header)
    if len(set(header)) != len(header):
        raise FileRejected("duplicate_columns", f"{name}: a column name occurs twice in the header")
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    ragged: list[tuple[int, int]] = []
    row_number = 1
    try:
        for record in records:
            row_number += 1
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line: skipped, not counted as read, but it keeps its row number
            if len(record) != width:
                ragged.append((row_number, len(record)))
                continue
            rows.append(record)
            numbers.append(row_number)
    except csv.Error as exc:
        raise FileRejected("unreadable_csv", f"{name}: {exc} after row {row_number}") from None
    columns = list(zip(*rows)) if rows else [[] for _ in header]
    frame = _frame(header, [pa.array(col, type=pa.string()) for col in columns], numbers)
    return RawTable(header=header, frame=frame, ragged=pd.DataFrame(ragged, columns=["row_number", "fields"]), encoding=encoding)


def _frame(header: list[str], columns: list[pa.Array], numbers: Sequence[int]) -> pd.DataFrame:
    """The text columns, trimmed (Unicode white space, as `str.strip` in pandas) and null where
    empty, after the spreadsheet row numbers."""
    frame = {ROW: pd.array(np.asarray(numbers, dtype=np.int64), dtype="int64")}
    for name, column in zip(header, columns):
        trimmed = pc.utf8_trim_whitespace(column)
        frame[name] = pd.array(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed), dtype="string")
    return pd.DataFrame(frame)


def _plain(text: str) -> bool:
    """Text the csv module would split exactly at `\\n` and `;`: no quote character, no NUL and no
    carriage return other than in `\\r\\n` (the usual delivery). Anything else takes the csv module."""
    if '"' in text or "\x00" in text:
        return False
    return "\r" not in text or "\r" not in text.replace("\r\n", "")


def _read_plain(text: str, name: str, encoding: str) -> RawTable:
    """`read_table` for plain text (`_plain`), vectorised with Arrow: the same header, rows, row
    numbers (blank lines skipped but counted) and ragged rows as the csv module gives."""
    lines = text.replace("\r\n", "\n").split("\n") if "\r" in text else text.split("\n")
    if lines and lines[-1] == "":  # the csv module yields no record after the last line break
        lines.pop()
    start = next((i for i, line in enumerate(lines) if any(f.strip() for f in line.split(";"))), None)
    if start is None:
        raise FileRejected("empty_file", f"{name}: the file has no header row")
    header = normalise_header(lines[start].split(";"))
    if len(set(header)) != len(header):
        raise FileRejected("duplicate_columns", f"{name}: a column name occurs twice in the header")
    width = len(header)
    body_lines = lines[start + 1:]
    body = pa.array(body_lines, type=pa.large_string())
    numbers = np.arange(2, len(body_lines) + 2, dtype=np.int64)
    fields = pc.add(pc.count_substring(body, ";"), 1).to_numpy(zero_copy_only=False).astype(np.int64)
    blank = np.zeros(len(body_lines), dtype=bool)
    for i in np.flatnonzero(fields == 1):  # one field: blank when only white space (as `str.strip` sees it)
        blank[i] = not body_lines[i].strip()
    good = ~blank & (fields == width)
    odd = ~blank & (fields != width)
    kept = body.filter(pa.array(good))
    if width == 1:
        columns = [kept]
    else:
        flat = pc.list_flatten(pc.split_pattern(kept, ";"))
        columns = [flat.take(pa.array(np.arange(j, len(flat), width))) for j in range(width)]
    frame = _frame(header, [col.cast(pa.string()) for col in columns], numbers[good])
    ragged = list(zip(numbers[odd].tolist(), fields[odd].tolist()))
    return RawTable(header=header, frame=frame, ragged=pd.DataFrame(ragged, columns=["row_number", "fields"]), encoding=encoding)
