"""The input kinds of sources.md, read from their Great Expectations suites in expectations/.

A suite file is the whole contract of one kind of file: its name pattern and columns (in `meta`)
and its semantic rules (the expectations). The generic rules that follow from a column's type
(required, integer, date, CPR, code list) are derived in `validator.py`, so that they are written
once for every source.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | integer | decimal | date | boolean | code | cpr
    optional: bool = False
    code_list: str | None = None


@dataclass(frozen=True)
class FileKind:
    name: str  # suite name, e.g. case_foranstaltninger
    source: str  # case | ledger | school | population
    pattern: re.Pattern[str]
    staging_table: str
    columns: tuple[Column, ...]
    unique: tuple[tuple[str, ...], ...]
    expectations: tuple[dict[str, Any], ...] = field(repr=False)
    depends_on: str | None = None
    final: tuple[str, str] | None = None
    """(column, value) when a delivery whose rows all carry that value is final for its partition:
    a newer delivery that is not final does not replace it (ledger: final accounts beat a later
    expected delivery of the same year)."""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def dated(self) -> bool:
        """False for the one kind whose name carries no extraction date (`ledger/pl_indeks.csv`)."""
        return "date" in self.pattern.groupindex


def _load(path: Path) -> FileKind:
    suite = json.loads(path.read_text(encoding="utf-8"))
    meta = suite["meta"]
    return FileKind(
        name=suite["name"],
        source=meta["source"],
        pattern=re.compile(meta["file_pattern"], re.IGNORECASE),
        staging_table=meta["staging_table"],
        columns=tuple(Column(**c) for c in meta["columns"]),
        unique=tuple(tuple(u) for u in meta.get("unique", [])),
        expectations=tuple(suite["expectations"]),
        depends_on=meta.get("depends_on"),
        final=(meta["final"]["column"], meta["final"]["value"]) if meta.get("final") else None,
    )


@cache
def file_kinds() -> tuple[FileKind, ...]:
    """Every input kind, in the order they must be ingested (a kind after the one it depends on)."""
    kinds = [_load(p) for p in sorted(EXPECTATIONS_DIR.glob("*.json"))]
    return tuple(sorted(kinds, key=lambda k: k.depends_on is not None))


def kinds_of(source: str) -> tuple[FileKind, ...]:
    return tuple(k for k in file_kinds() if k.source == source)


def match(source: str, file_name: str) -> tuple[FileKind, re.Match[str]] | None:
    """The kind whose pattern the file name matches, with the match (for its date and year)."""
    for kind in kinds_of(source):
        m = kind.pattern.match(file_name)
        if m:
            return kind, m
    return None


def sources() -> tuple[str, ...]:
    """Every source kind that has at least one suite, population first (it needs nothing else)."""
    return tuple(sorted({k.source for k in file_kinds()}, key=lambda s: (s != "population", s)))


def inputs() -> tuple[str, ...]:
    """The staging tables that hold ingested data, one per input kind."""
    return tuple(dict.fromkeys(k.staging_table for k in file_kinds()))
