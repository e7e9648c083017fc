"""Danish value conventions, vectorised: dates in two spellings, decimal comma, 0/1 booleans.

Each parser returns a typed Series with null where the text does not parse; whether that is an
error (and which rule it breaks) is the validator's business, decided by the GX suites.
"""
from __future__ import annotations

import pandas as pd

# Digits are ASCII 0-9: `\d` would also accept other scripts' digits (`５１０`), which do not parse.
DATE_PATTERN = r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}-[0-9]{2}-[0-9]{4})$"
INTEGER_PATTERN = r"^[+-]?0*[0-9]{1,18}$"
"""At most 18 significant digits: a longer number cannot be held (int64) and is no integer here,
rather than wrapping round to another number."""
DECIMAL_PATTERN = r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$"
BOOLEAN_VALUES = ["0", "1"]


def date_iso(text: pd.Series) -> pd.Series:
    """`YYYY-MM-DD` for either spelling (`DD-MM-YYYY` is turned around); null for other shapes."""
    ok = text.str.fullmatch(DATE_PATTERN, na=False)
    dmy = ok & text.str.slice(2, 3).eq("-").fillna(False).astype(bool)
    turned = text.str.slice(6, 10) + "-" + text.str.slice(3, 5) + "-" + text.str.slice(0, 2)
    return text.where(ok & ~dmy, turned.where(dmy))


def parse_date(text: pd.Series) -> pd.Series:
    """Dates (datetime64) from either spelling; null where the text is no real date."""
    return pd.to_datetime(date_iso(text), format="%Y-%m-%d", errors="coerce")


def parse_integer(text: pd.Series) -> pd.Series:
    """Whole numbers only: `5,0` is not an integer (sources.md §1)."""
    ok = text.str.fullmatch(INTEGER_PATTERN, na=False)
    return pd.to_numeric(text.where(ok), errors="coerce").astype("Int64")


def parse_decimal(text: pd.Series) -> pd.Series:
    """Decimal comma, or a point when no comma is present; one separator at most."""
    ok = text.str.fullmatch(DECIMAL_PATTERN, na=False)
    return pd.to_numeric(text.where(ok).str.replace(",", ".", regex=False), errors="coerce").astype("Float64")


def parse_boolean(text: pd.Series) -> pd.Series:
    """`0`/`1`, empty meaning 0; anything else is null here and breaks the rule in the validator."""
    return text.fillna("0").map({"0": False, "1": True}).astype("boolean")
