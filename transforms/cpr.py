"""CPR numbers: validation, date of birth by the century rule, and keyed pseudonyms (sources.md §2.1).

Everything here is vectorised over a pandas Series because school registers carry about 700 000
pupils a year nationally. The raw CPR only ever lives in memory: callers replace the column by
`pseudonymise(...)` before anything is written, and nothing here logs or raises with a value.
"""
from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd

CPR_PATTERN = r"^[0-9]{6}-?[0-9]{4}$"
"""Ten digits, optionally written DDMMYY-SSSS. Modulus 11 is deliberately not checked."""

CPR_ANYWHERE = r"(?<!\d)\d{6}-?\d{4}(?!\d)"
"""A CPR-shaped run of digits inside any text: used to mask values in quarantine and messages."""


def normalise(cpr: pd.Series) -> pd.Series:
    """The ten digits without the optional dash (only meaningful where `CPR_PATTERN` matches)."""
    return cpr.str.replace("-", "", regex=False)


def birth_date_iso(cpr: pd.Series) -> pd.Series:
    """`YYYY-MM-DD` of birth by the century rule, as text, for rows shaped like a CPR; else null.

    The text may still name an impossible date (day 32): the validator checks it as a date, so
    that "not a real date" is its own rule. Century from the 7th digit and the year:
    0-3 → 1900s; 4 or 9 → 2000s when YY ≤ 36, else 1900s; 5-8 → 2000s when YY ≤ 57, else 1800s.
    """
    digits = normalise(cpr.where(cpr.str.fullmatch(CPR_PATTERN, na=False)))
    yy = pd.to_numeric(digits.str.slice(4, 6), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    seventh = pd.to_numeric(digits.str.slice(6, 7), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    four_or_nine = (seventh == 4) | (seventh == 9)
    five_to_eight = (seventh >= 5) & (seventh <= 8)
    century = np.select(
        [
            seventh <= 3,
            four_or_nine & (yy <= 36),
            four_or_nine,
            five_to_eight & (yy <= 57),
            five_to_eight,
        ],
        [1900, 2000, 1900, 2000, 1800],
        default=0,
    )
    year = pd.Series(century + yy, index=cpr.index).astype("Int64").astype("string").str.zfill(4)
    iso = year + "-" + digits.str.slice(2, 4) + "-" + digits.str.slice(0, 2)
    return iso.where(digits.notna())


def eighteenth_birthday(birth: pd.Series) -> pd.Series:
    """The day a person turns 18; born 29 February → 1 March (18 years after is never a leap year)."""
    b = pd.to_datetime(birth)
    leap_day = (b.dt.month == 2) & (b.dt.day == 29)
    shifted = (b + pd.DateOffset(years=18)).where(~leap_day, b + pd.DateOffset(years=18) + pd.Timedelta(days=1))
    return shifted.dt.date


def pseudonymise(cpr: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 of the ten digits under the secret key, hex; each distinct CPR is hashed once.

    The same key gives the same pseudonym in every source and run, so case and school data join.
    """
    digits = normalise(cpr)
    uniques = digits.dropna().unique()
    table = {v: hmac.new(key, v.encode("ascii"), hashlib.sha256).hexdigest() for v in uniques}
    return digits.map(table).astype("string")
