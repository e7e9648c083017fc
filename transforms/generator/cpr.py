"""CPR numbers for simulated children: unique, with the century digit of sources.md §2.1.

A CPR number is ``DDMMYY`` + four serial digits; the first serial digit (the 7th digit) and ``YY``
together give the century. The generator draws serials only from the digits that give the right
century for the birth year, and never makes them satisfy the modulus-11 check: numbers issued since
2007 need not, and the pipeline must not rely on it.

Uniqueness across the whole inbox without coordination between municipalities: within one birth
date, the k-th child of the municipality in reference slot ``s`` gets serial index
``k * n_slots + s``; a bijection of the serial space, fixed by the seed, then scatters the indices
so that the numbers do not look sequential.
"""

from __future__ import annotations

import numpy as np

from .dates import ymd
from .seeding import NATIONAL, Stream, rng_for

# Century classes: allowed 7th digits per class (sources.md §2.1), padded with -1.
_DIGITS = np.array(
    [
        [0, 1, 2, 3, -1, -1],  # born 1900-1936: 0-3 only (4/9 with YY <= 36 would mean 2000s)
        [0, 1, 2, 3, 4, 9],  # born 1937-1999: 0-3, or 4/9 with YY > 36
        [4, 5, 6, 7, 8, 9],  # born 2000-2036: 4/9 with YY <= 36, 5-8 with YY <= 57
        [5, 6, 7, 8, -1, -1],  # born 2037-2057: 5-8 only
    ]
)
_CAPACITY = (_DIGITS >= 0).sum(axis=1) * 1000
_MULTIPLIERS = np.array([7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67])
"""Coprime with 4000 and 6000, so ``(a * i + b) mod capacity`` is a bijection."""


def century_class(birth_year: np.ndarray) -> np.ndarray:
    """Index into the table of allowed 7th digits for each birth year (1900-2057)."""
    year = np.asarray(birth_year)
    if year.size and (year.min() < 1900 or year.max() > 2057):
        raise ValueError("CPR numbers are only generated for births 1900-2057")
    return np.select([year <= 1936, year <= 1999, year <= 2036], [0, 1, 2], 3)


def assign_cprs(birth: np.ndarray, slot: int, n_slots: int, seed: int) -> np.ndarray:
    """A unique 10-digit CPR number (as int64) for each birth day number.

    ``slot`` and ``n_slots`` come from the municipality reference table, so two municipalities never
    draw the same serial; the scattering bijection depends only on the seed.
    """
    birth = np.asarray(birth, dtype="int64")
    order = np.argsort(birth, kind="stable")
    sorted_birth = birth[order]
    first = np.r_[True, sorted_birth[1:] != sorted_birth[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(birth.size), 0))
    rank = np.empty(birth.size, dtype="int64")
    rank[order] = np.arange(birth.size) - group_start
    index = rank * n_slots + slot

    year, month, dom = ymd(birth)
    klass = century_class(year)
    capacity = _CAPACITY[klass]
    if np.any(index >= capacity):
        raise ValueError(
            "too many children born on one day in one municipality for the CPR serial space; "
            "lower the scale"
        )
    national = rng_for(seed, NATIONAL, Stream.CPR)
    a = national.choice(_MULTIPLIERS)
    b = national.integers(0, 6000)
    scattered = (a * index + b + birth * 7919) % capacity
    digit7 = _DIGITS[klass, scattered // 1000]
    date_part = (dom * 100 + month) * 100 + year % 100
    return date_part * 10_000 + digit7 * 1000 + scattered % 1000


def birth_year_from_cpr(cpr: np.ndarray) -> np.ndarray:
    """Birth year that the century rule of sources.md §2.1 gives for each CPR number (as int)."""
    cpr = np.asarray(cpr, dtype="int64")
    yy = (cpr // 10_000) % 100
    digit7 = (cpr // 1000) % 10
    century = np.select(
        [digit7 <= 3, np.isin(digit7, (4, 9)) & (yy <= 36), np.isin(digit7, (4, 9)), yy <= 57],
        [1900, 2000, 1900, 2000],
        1800,
    )
    return century + yy
