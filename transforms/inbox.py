"""What arrived: the deliveries in an inbox, classified by source, municipality, kind and date.

Layout (sources.md §1): `<inbox>/<source>/<kommunekode>/<file>` for `case`, `ledger`, `school`, and
`<inbox>/population/<file>`. Anything elsewhere is ignored and listed. `--as-of` leaves out every
delivery whose extraction date is after it, as if it had not arrived.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from transforms.file_kinds import FileKind, match

MUNICIPAL_SOURCES = ("case", "ledger", "school")
NATIONAL_SOURCES = ("population",)
DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
UNDATED = date.min
"""The extraction date of a kind whose name carries none (`ledger/pl_indeks.csv`, the one exception of
sources.md §1): older than every dated delivery, and never left out by `--as-of`."""


@dataclass(frozen=True)
class Delivery:
    path: Path
    file_name: str  # path inside the inbox, as audit and quarantine name it
    source: str
    kommunekode: int  # 0 for the national population file
    kind: FileKind | None  # None: the name is no known kind → rejected whole
    extraction_date: date | None  # None: no date in the name → rejected whole
    period: str = ""  # fiscal or school year for ledger and school files

    @property
    def partition(self) -> tuple[str, int, str]:
        """What one delivery in force covers: kind, municipality and (ledger/school) year."""
        return (self.kind.name if self.kind else "", self.kommunekode, self.period)

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass
class Inbox:
    deliveries: list[Delivery] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def municipalities(self, source: str) -> list[int]:
        return sorted({d.kommunekode for d in self.deliveries if d.source == source})

    def of(self, source: str, kommunekode: int | None = None) -> list[Delivery]:
        return [d for d in self.deliveries if d.source == source and (kommunekode is None or d.kommunekode == kommunekode)]


def _classify(path: Path, inbox: Path, source: str, kommunekode: int) -> Delivery:
    name = path.name
    found = match(source, name)
    kind, m = found if found else (None, None)
    text = m.group("date") if m and kind.dated else (DATE_IN_NAME.search(name).group(1) if DATE_IN_NAME.search(name) else None)
    try:
        extraction = date.fromisoformat(text) if text else None
    except ValueError:
        extraction = None
    if kind is not None and not kind.dated:  # national and undated only at the source's root; in a municipality's folder it needs a date
        extraction = UNDATED if kommunekode == 0 else None
    period = (m.groupdict().get("period") or "") if m else ""
    return Delivery(path, path.relative_to(inbox).as_posix(), source, kommunekode, kind, extraction, period)


def _undated_kind(source: str, name: str) -> bool:
    found = match(source, name)
    return found is not None and not found[0].dated


def _files(inbox: Path, source: str | None, kommunekode: int | None) -> list[Path]:
    """The files a scan looks at: the whole inbox, one source, or one municipality's folder of a
    source (0: the files at the source's root). A national inbox holds thousands of files, and each
    ingest task needs one folder of them, so a task never walks the whole tree."""
    if source is None:
        roots, flat = [inbox], False
    elif kommunekode is None:
        roots, flat = [inbox / source], False
    elif kommunekode == 0:
        roots, flat = [inbox / source], True
    else:
        base = inbox / source
        roots = [d for d in base.iterdir() if d.is_dir() and d.name.isdigit() and int(d.name) == kommunekode] if base.is_dir() else []
        flat = False
    found = [p for root in roots if root.is_dir() for p in (root.iterdir() if flat else root.rglob("*"))]
    return sorted(p for p in found if p.is_file())


def scan(inbox: Path, as_of: date | None = None, source: str | None = None, kommunekode: int | None = None) -> Inbox:
    """Every delivery in the inbox (sorted, so runs are reproducible), minus those after `as_of`;
    only those of `source` (and of one municipality, 0: national) when given."""
    result = Inbox()
    for path in _files(inbox, source, kommunekode):
        parts = path.relative_to(inbox).parts
        delivery: Delivery | None = None
        if len(parts) == 3 and parts[0] in MUNICIPAL_SOURCES and parts[1].isdigit():
            delivery = _classify(path, inbox, parts[0], int(parts[1]))
        elif len(parts) == 2 and parts[0] in MUNICIPAL_SOURCES and _undated_kind(parts[0], parts[1]):
            delivery = _classify(path, inbox, parts[0], 0)  # `ledger/pl_indeks.csv`: national, no date (sources.md §1)
        elif len(parts) == 2 and parts[0] in NATIONAL_SOURCES:
            delivery = _classify(path, inbox, parts[0], 0)
        if delivery is None:
            result.ignored.append(path.relative_to(inbox).as_posix())
        elif as_of is None or delivery.extraction_date is None or delivery.extraction_date <= as_of:
            result.deliveries.append(delivery)
    return result
