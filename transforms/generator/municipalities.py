"""The 98 Danish municipalities (reference/municipalities.csv) and the choice of which to generate."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

REFERENCE_CSV = Path(__file__).resolve().parents[1] / "reference" / "municipalities.csv"
PARTNERS = (510, 657, 167)
"""Haderslev, Herning, Hvidovre: the evaluation's partnership municipalities come first in a
``municipalities=N`` selection so that every small demo contains them."""


@dataclass(frozen=True)
class Municipality:
    """One municipality of the reference table.

    ``slot`` is its position in the full, code-ordered table; CPR serial numbers are interleaved by
    slot so that municipalities generated independently never share a CPR number.
    """

    kommunekode: int
    name_da: str
    name_en: str
    region_da: str
    children_0_17: int
    slot: int


def load_municipalities(path: Path = REFERENCE_CSV) -> tuple[Municipality, ...]:
    """All municipalities of the reference table, ordered by kommunekode."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["kommunekode"]))
    return tuple(
        Municipality(
            kommunekode=int(r["kommunekode"]),
            name_da=r["name_da"],
            name_en=r["name_en"],
            region_da=r["region_da"],
            children_0_17=int(r["children_0_17"]),
            slot=i,
        )
        for i, r in enumerate(rows)
    )


def select_municipalities(
    table: tuple[Municipality, ...],
    kommunekoder: list[int] | None = None,
    municipalities: int | None = None,
) -> tuple[Municipality, ...]:
    """The municipalities to generate, in kommunekode order.

    ``kommunekoder`` picks exact ones; ``municipalities=N`` the first N by code, starting with the
    three partnership municipalities when N >= 3; neither picks all.
    """
    by_code = {m.kommunekode: m for m in table}
    if kommunekoder is not None and municipalities is not None:
        raise ValueError("give either kommunekoder or municipalities, not both")
    if kommunekoder is not None:
        unknown = sorted(set(kommunekoder) - set(by_code))
        if unknown:
            raise ValueError(f"not a Danish municipality code: {', '.join(map(str, unknown))}")
        if not kommunekoder:
            raise ValueError("kommunekoder is empty")
        return tuple(by_code[k] for k in sorted(set(kommunekoder)))
    if municipalities is None:
        return table
    if not 1 <= municipalities <= len(table):
        raise ValueError(f"municipalities must be between 1 and {len(table)}, got {municipalities}")
    order = list(by_code)
    if municipalities >= len(PARTNERS):
        order = list(PARTNERS) + [k for k in order if k not in PARTNERS]
    return tuple(sorted((by_code[k] for k in order[:municipalities]), key=lambda m: m.kommunekode))
