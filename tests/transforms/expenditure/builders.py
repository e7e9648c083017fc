"""Tiny ledgers for the expenditure tests: postings as tuples, run through the real SQL on DuckDB.

    rows = postings(("5.28.21", "002", 1, "4.0", 1_000_000), year=2015)
    by_step, development = run(rows, price_base_year=2015)
    assert amount(development, 2015, "service") == 1_000_000
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from transforms.expenditure import ExpenditureParams, LedgerFrames, compute_expenditure

FIXTURES = Path(__file__).parent / "fixtures"
COLUMNS = ["kommunekode", "aar", "status", "funktion", "gruppering", "dranst", "art", "beloeb"]
FLAT = {year: 100.0 for year in range(2005, 2031)}
"""An index of 100 in every year: fixed prices equal current prices."""


def postings(*rows: tuple[str, str | None, int, str, float], year: int = 2015, k: int = 510, status: str = "regnskab") -> pd.DataFrame:
    """(funktion, gruppering, dranst, art, beløb) rows of one municipality and fiscal year."""
    return pd.DataFrame([(k, year, status, f, g, d, a, b) for f, g, d, a, b in rows], columns=COLUMNS)


def years(amounts: dict[int, float], funktion: str = "5.28.21", gruppering: str | None = "002", k: int = 510,
          art: str = "4.0", dranst: int = 1) -> pd.DataFrame:
    """One posting per year on one account."""
    return pd.concat([postings((funktion, gruppering, dranst, art, v), year=y, k=k) for y, v in amounts.items()], ignore_index=True)


def pl_index(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"kommunekode": 0, "aar": list(values), "indeks": list(values.values())})


def own_rows(*rows: tuple[str, str | None, str, str | None, float | None], k: int = 510) -> pd.DataFrame:
    """A municipality's kontoplan_tilpasning rows: (funktion, gruppering, category, step, andel)."""
    return pd.DataFrame([(k, *r) for r in rows], columns=["kommunekode", "funktion", "gruppering", "category", "step", "andel"])


def run(*ledgers: pd.DataFrame, mapping: pd.DataFrame | None = None, index: dict[int, float] | None = None,
        **params: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(expenditure_by_step, expenditure_development) for the postings, with a flat index unless given."""
    frames = LedgerFrames(pd.concat(ledgers, ignore_index=True), pl_index=pl_index(index or FLAT),
                          **({"mapping": mapping} if mapping is not None else {}))
    out = compute_expenditure(frames, ExpenditureParams(**params))
    return out["expenditure_by_step"], out["expenditure_development"]


def row(frame: pd.DataFrame, year: int, key: str, k: int = 510) -> pd.Series:
    """The one row of a municipality, year and step (by_step) or category (development)."""
    column = "step" if "step" in frame else "category"
    found = frame[(frame["kommunekode"] == k) & (frame["fiscal_year"] == year) & (frame[column] == key)]
    assert len(found) == 1, (k, year, key, len(found))
    return found.iloc[0]


def amount(frame: pd.DataFrame, year: int, key: str, k: int = 510, nominal: bool = False) -> float | None:
    """Fixed-price (or nominal) gross by step or net by category; None when null."""
    r = row(frame, year, key, k)
    column = ("gross_expenditure" if "step" in frame else "net_expenditure") + ("_nominal_dkk" if nominal else "_dkk")
    return None if pd.isna(r[column]) else float(r[column])
