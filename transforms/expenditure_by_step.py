"""`published.expenditure_by_step`: gross service expenditure per staircase step (methodology.md §4).

Built by include/sql/expenditure/expenditure_by_step.sql from the shared intermediate tables of
`transforms.expenditure`; one row per municipality, fiscal year and step (2-6 and not_allocated).
"""
from __future__ import annotations

from typing import Any

from transforms import expenditure
from transforms.expenditure import Engine, ExpenditureParams

TABLE = "expenditure_by_step"


def build(engine: Engine, config: dict[str, Any] | ExpenditureParams) -> None:
    """Compute `staging.expenditure_by_step` from the staged accounts already in the warehouse."""
    expenditure.build_table(engine, config, TABLE)


def warnings(engine: Engine) -> list[str]:
    """Accounts in no mapping row (counted as not_allocated), years without a price index, unverified index values."""
    notes = expenditure.index_warnings(engine)
    index = expenditure.price_index(engine.query("SELECT aar, indeks FROM staging.ledger_pl_index ORDER BY aar"))
    unverified = expenditure.unverified_years(engine, index)
    if unverified:
        notes.append(f"fixed prices rest on unverified price-index values for {', '.join(map(str, unverified))} "
                     f"({index.source}); deliver ledger/pl_indeks.csv to replace the series")
    return notes
