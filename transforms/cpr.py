"""CPR numbers: validation, date of birth by the century rule, and keyed pseudonyms (sources.md §2.1).

Everything here is vectorised over a pandas Series because school registers carry about 700 000
pupils a year nationally. The raw CPR only ever lives in memory: callers replace the column by
`pseudonymise(...)` before anything is written, and nothing here logs or raises with a value.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

CPR_PATTERN = r"^[0-9]{6}-?[0-9]{4}$"
"""Ten digits, optionally written DDMMYY-SSSS. Modulus 11 is deliberately not checked."""

CPR_ANYWHERE = r"(?<!\d)\d{6}-?\d{4}(?!\d)"
"""A CPR-shaped run of digits inside any text: used to mask values in quarantine and messages."""


def normalise(cpr: pd.Series) -> pd.Series:
    """The ten digits without the optional dash (only meaningful where `CPR_PATTERN` matches)."""
    return cpr.str.replace("-", "", regex=False)


def birth_date(cpr: pd.Series) -> pd.Series:
    """Date of birth by the century rule (datetime64); NaT for a value not shaped like a CPR, or
    whose digits name no real date (day 32, 29 February of a common year): the validator tells the
    two apart, so that "not a real date" is its own rule. Century from the 7th digit and the year:
    0-3 → 1900s; 4 or 9 → 2000s when YY ≤ 36, else 1900s; 5-8 → 2000s when YY ≤ 57, else 1800s.

    Arithmetic on the digits as bytes: school registers carry a new CPR on nearly every row."""
    shaped = cpr.str.fullmatch(CPR_PATTERN, na=False).to_numpy(dtype=bool)
    text = normalise(cpr[shaped]).to_numpy(dtype=object).astype("S10")
    d = np.frombuffer(text.tobytes(), dtype=np.uint8).reshape(-1, 10).astype(np.int64) - ord("0")
    day, month, yy, seventh = d[:, 0] * 10 + d[:, 1], d[:, 2] * 10 + d[:, 3], d[:, 4] * 10 + d[:, 5], d[:, 6]
    century = np.select([seventh <= 3, (seventh == 4) | (seventh == 9), yy <= 57], [1900, np.where(yy <= 36, 2000, 1900), 2000], default=1800)
    year = century + yy
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days_in = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)] + ((month == 2) & leap)
    real = (month >= 1) & (month <= 12) & (day >= 1) & (day <= days_in)
    dates = np.full(len(cpr), np.datetime64("NaT"), dtype="datetime64[D]")
    first_of_month = (year[real] - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month[real] - 1)
    dates[np.flatnonzero(shaped)[real]] = first_of_month.astype("datetime64[D]") + (day[real] - 1)
    return pd.Series(dates.astype("datetime64[ns]"), index=cpr.index)


def eighteenth_birthday(birth: pd.Series) -> pd.Series:
    """The day a person turns 18; born 29 February → 1 March (18 years after is never a leap year)."""
    b = pd.to_datetime(birth)
    leap_day = (b.dt.month == 2) & (b.dt.day == 29)
    shifted = (b + pd.DateOffset(years=18)).where(~leap_day, b + pd.DateOffset(years=18) + pd.Timedelta(days=1))
    return shifted.dt.date


_pseudonyms: dict[bytes, dict[str, str]] = {}
"""Pseudonyms already computed in this process, per key (in memory only, never written): a child
recurs in every school year's registers and in the case files, so each CPR is hashed about once."""
MEMO_SIZE = 3_000_000


def _hmac_sha256(key: bytes) -> Callable[[str], str]:
    """HMAC-SHA256 under `key` as a function of the ten digits, with the padded key hashed once:
    the same digest as `hmac.new(key, digits, sha256)` in a third of the time."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    inner, outer = hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(digits: str) -> str:
        i = inner.copy()
        i.update(digits.encode("ascii"))
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return digest


def pseudonymise(cpr: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 of the ten digits under the secret key, hex; each distinct CPR is hashed once.

    The same key gives the same pseudonym in every source and run, so case and school data join."""
    digits = normalise(cpr.astype("string"))
    codes, uniques = pd.factorize(digits, use_na_sentinel=True)
    memo = _pseudonyms.setdefault(key, {})
    if len(memo) > MEMO_SIZE:
        memo.clear()
    digest = _hmac_sha256(key)
    hashed = [memo.get(u) or memo.setdefault(u, digest(u)) for u in uniques.tolist()]
    table = pa.array(hashed + [None], type=pa.string())
    out = table.take(pa.array(np.where(codes < 0, len(hashed), codes)))
    return pd.Series(pd.array(out, dtype="string"), index=cpr.index)
