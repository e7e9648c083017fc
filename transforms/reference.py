"""Versioned reference data (transforms/reference/*.csv): code lists, step mappings, labels.

The CSVs are the single source of truth; each row names its source. Code here only reads them
and turns them into the lookups the validator and the SQL need.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).parent / "reference"


@cache
def table(name: str) -> pd.DataFrame:
    """One reference table, all columns as text (empty → null); cached because it never changes in a run."""
    return pd.read_csv(REFERENCE_DIR / f"{name}.csv", dtype="string", keep_default_na=False).replace("", pd.NA)


@cache
def code_lists() -> dict[str, list[str]]:
    """The code lists the GX suites name (`code_list` in a column's declaration), canonical spellings."""
    legal = table("legal_basis")
    return {
        "measure_codes": legal.loc[legal["kind"] != "investigation", "code"].tolist(),
        "investigation_codes": legal.loc[legal["kind"] == "investigation", "code"].tolist(),
        "placement_settings": table("placement_settings")["code"].tolist(),
        "granted_by": ["myndighed", "ppr", "andet"],
        "ledger_status": ["regnskab", "forventet"],
        "expenditure_categories": ["service", "administration", "excluded"],
        "expenditure_steps": ["preventive", "home_based", "network_care", "foster_care", "institution", "not_allocated"],
    }


@cache
def _canonical_forms(list_name: str) -> tuple[dict[str, str], re.Pattern[str] | None]:
    codes = code_lists()[list_name]
    exact = {c.upper(): c for c in codes}
    families: list[str] = []
    if list_name == "measure_codes":
        legal = table("legal_basis")
        families = legal.loc[legal["covers_subdivisions"] == "1", "code"].tolist()
    pattern = None
    if families:
        alternatives = "|".join(re.escape(f.upper()) for f in sorted(families, key=len, reverse=True))
        pattern = re.compile(rf"^(?P<family>{alternatives})(?P<rest>(\.\d+)+)$")
    return exact, pattern


def canonical_codes(text: pd.Series, list_name: str) -> tuple[pd.Series, pd.Series]:
    """(list entry, canonical code) for each value, matched after trimming and ignoring case.

    Only the forms the list gives are accepted; for the out-of-scope families of barnets-lov.md
    any subsection or number below the family (`SEL 76.3.1`) belongs to the family's entry and
    keeps its subdivision in the canonical code. A value that matches nothing is returned trimmed
    as its own "entry", so the suite's in-set expectation names it.
    """
    exact, pattern = _canonical_forms(list_name)
    trimmed = text.str.strip()
    upper = trimmed.str.upper()
    entry = upper.map(exact)
    canonical = entry.copy()
    if pattern is not None:
        parts = upper.str.extract(pattern)
        family = parts["family"].map(exact)
        entry = entry.fillna(family)
        canonical = canonical.fillna(family + parts["rest"])
    return entry.fillna(trimmed).astype("string"), canonical.fillna(trimmed).astype("string")
