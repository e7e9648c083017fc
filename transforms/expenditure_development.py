"""`published.expenditure_development`: net expenditure per year for service, administration and total,
with baseline means and extra expenditure (merudgift), and state refunds apart (methodology.md §4).

Built by include/sql/expenditure/expenditure_development.sql from the shared intermediate tables of
`transforms.expenditure`; one row per municipality, fiscal year and category.
"""
from __future__ import annotations

from typing import Any

from transforms import expenditure
from transforms.expenditure import Engine, ExpenditureParams

TABLE = "expenditure_development"


def build(engine: Engine, config: dict[str, Any] | ExpenditureParams) -> None:
    """Compute `staging.expenditure_development` from the staged accounts already in the warehouse."""
    expenditure.build_table(engine, config, TABLE)


def warnings(engine: Engine) -> list[str]:
    """Municipalities whose baseline mean cannot be published: accounts missing for a baseline year."""
    short = engine.query("SELECT kommunekode, category, baseline_first_year, baseline_last_year FROM staging.expenditure_development "
                         "WHERE baseline_mean_dkk IS NULL AND category <> 'refunds' "
                         "GROUP BY kommunekode, category, baseline_first_year, baseline_last_year ORDER BY kommunekode, category")
    return [f"municipality {k}: {category} has no baseline mean (accounts with fixed prices are missing for a year of "
            f"{first}-{last}): its extra expenditure is not published" for k, category, first, last in short.itertuples(index=False)]
