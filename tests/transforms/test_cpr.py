"""CPR numbers (sources.md §2.1): shape, the century rule, no modulus 11, keyed pseudonyms.

The validator's view of a CPR is: it matches `CPR_PATTERN` (else `cpr_format`) and the date that
`birth_date` names is a real date (else `cpr_invalid_date`). These tests check both pieces and
the rule against an independent reimplementation written from the spec text.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import cpr


def birth(number: str) -> dt.date | None:
    """What the pipeline derives: a real date of birth, or None (wrong shape or no real date)."""
    born = cpr.birth_date(pd.Series([number], dtype="string")).iloc[0]
    return None if pd.isna(born) else born.date()


def is_cpr_shaped(number: str) -> bool:
    return bool(pd.Series([number], dtype="string").str.fullmatch(cpr.CPR_PATTERN).iloc[0])


def century_by_spec(seventh: int, yy: int) -> int:
    """sources.md §2.1, written out on its own."""
    if seventh in (0, 1, 2, 3):
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800  # 5, 6, 7, 8


def modulus_11_ok(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, [4, 3, 2, 7, 6, 5, 4, 3, 2, 1])) % 11 == 0


# -- the century rule -----------------------------------------------------------------------------

@pytest.mark.parametrize("seventh, yy, year", [
    # 0-3: always the 1900s
    (0, 0, 1900), (1, 36, 1936), (2, 57, 1957), (3, 99, 1999),
    # 4 or 9: 2000s up to 36, 1900s from 37
    (4, 36, 2036), (4, 37, 1937), (9, 0, 2000), (9, 36, 2036), (9, 37, 1937), (9, 99, 1999),
    # 5-8: 2000s up to 57, 1800s from 58
    (5, 57, 2057), (5, 58, 1858), (6, 0, 2000), (7, 36, 2036), (7, 37, 2037), (8, 57, 2057), (8, 58, 1858), (8, 99, 1899),
])
def test_century_from_the_seventh_digit_and_the_year(seventh, yy, year):
    number = f"1503{yy:02d}{seventh}123"
    assert birth(number) == dt.date(year, 3, 15)


def test_dashed_spelling_gives_the_same_birth_date():
    assert birth("150390-1234") == birth("1503901234") == dt.date(1990, 3, 15)


# -- shape and date part --------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["0101901234", "010190-1234"])
def test_both_spellings_are_cpr_shaped(number):
    assert is_cpr_shaped(number)


@pytest.mark.parametrize("number", ["01019O1234", "A101901234", "010190-123X", "01019-01234", "010190--1234", "010190 1234",
                                    "010190123", "01019012345", "0101901234 x", ""])
def test_letters_spaces_and_wrong_lengths_are_not_cpr_shaped(number):
    assert not is_cpr_shaped(number)


@pytest.mark.parametrize("number", ["3201901234", "0013901234", "3104901234", "2902901234", "2902000123"])
def test_date_part_that_is_no_real_date_gives_no_birth_date(number):
    # day 32, month 13, 31 April, 29 Feb 1990, 29 Feb 1900 (7th digit 0 → 1900s, not a leap year)
    assert is_cpr_shaped(number)
    assert birth(number) is None


def test_29_february_of_a_leap_year_is_a_real_date():
    assert birth("2902004123") == dt.date(2000, 2, 29)  # 7th digit 4, YY 00 → 2000, a leap year


def test_a_number_failing_modulus_11_is_accepted():
    number = "0101901234"
    assert not modulus_11_ok(number)
    assert is_cpr_shaped(number) and birth(number) == dt.date(1990, 1, 1)


TEN_DIGITS = st.text(alphabet="0123456789", min_size=10, max_size=10)


def expected_birth(digits: str) -> dt.date | None:
    dd, mm, yy, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    try:
        return dt.date(century_by_spec(seventh, yy) + yy, mm, dd)
    except ValueError:
        return None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(TEN_DIGITS, st.booleans()), min_size=1, max_size=50))
def test_birth_date_agrees_with_an_independent_reading_of_the_rule(numbers):
    written = [f"{d[:6]}-{d[6:]}" if dashed else d for d, dashed in numbers]
    derived = [None if pd.isna(v) else v.date() for v in cpr.birth_date(pd.Series(written, dtype="string"))]
    assert derived == [expected_birth(d) for d, _ in numbers]


def cpr_for(day: dt.date, sequence: int) -> str:
    """A CPR for a real date, with a 7th digit that the rule maps to the date's century."""
    yy = day.year % 100
    candidates = [s for s in range(10) if century_by_spec(s, yy) == day.year - yy]
    assert candidates  # every year 1858-2057 has at least one 7th digit
    return f"{day:%d%m}{yy:02d}{candidates[sequence % len(candidates)]}{sequence % 1000:03d}"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.dates(min_value=dt.date(1858, 1, 1), max_value=dt.date(2057, 12, 31)), st.integers(0, 9999)), min_size=1, max_size=40))
def test_every_real_birth_date_round_trips(people):
    born = cpr.birth_date(pd.Series([cpr_for(day, seq) for day, seq in people], dtype="string"))
    assert [b.date() for b in born] == [day for day, _ in people]


# -- pseudonyms -----------------------------------------------------------------------------------

def test_pseudonym_is_hmac_sha256_of_the_ten_digits_in_either_spelling():
    key = b"k" * 32
    out = cpr.pseudonymise(pd.Series(["0101901234", "010190-1234", None], dtype="string"), key)
    expected = hmac.new(key, b"0101901234", hashlib.sha256).hexdigest()
    assert out.iloc[0] == out.iloc[1] == expected
    assert pd.isna(out.iloc[2])
    assert not re.search(r"0101901234", expected)


def test_another_key_gives_another_pseudonym():
    numbers = pd.Series(["0101901234"], dtype="string")
    assert cpr.pseudonymise(numbers, b"a" * 32).iloc[0] != cpr.pseudonymise(numbers, b"b" * 32).iloc[0]
