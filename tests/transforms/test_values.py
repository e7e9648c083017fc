"""Danish value conventions (sources.md §1 "Values"), one parser at a time, plus property tests."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import values


def one(parser, text: str | None):
    """Parse one value; pandas nulls become None, timestamps dates."""
    out = parser(pd.Series([text], dtype="string")).iloc[0]
    if pd.isna(out):
        return None
    return out.date() if isinstance(out, pd.Timestamp) else out


# -- dates ----------------------------------------------------------------------------------------

def test_date_in_both_spellings():
    assert one(values.parse_date, "2019-03-07") == dt.date(2019, 3, 7)
    assert one(values.parse_date, "07-03-2019") == dt.date(2019, 3, 7)


def test_date_spelling_is_decided_per_value():
    parsed = values.parse_date(pd.Series(["2019-03-07", "08-03-2019", None], dtype="string"))
    assert [None if pd.isna(v) else v.date() for v in parsed] == [dt.date(2019, 3, 7), dt.date(2019, 3, 8), None]


def test_date_needs_its_leading_zeros():
    for text in ["2019-3-7", "7-3-2019", "2019-03-7", "7-03-2019", "19-03-07"]:
        assert values.date_iso(pd.Series([text], dtype="string")).isna().all(), text
        assert one(values.parse_date, text) is None, text


def test_date_of_another_shape_is_null():
    for text in ["2019/03/07", "07.03.2019", "20190307", "7 March 2019", "2019-03-07T00:00"]:
        assert one(values.parse_date, text) is None, text


def test_date_of_the_right_shape_but_no_real_day_is_null():
    assert values.date_iso(pd.Series(["30-02-2019"], dtype="string")).iloc[0] == "2019-02-30"  # shape is fine...
    for text in ["2019-02-30", "30-02-2019", "2019-02-29", "32-01-2019", "2019-13-01", "2019-00-10"]:
        assert one(values.parse_date, text) is None, text  # ...but it is no date
    assert one(values.parse_date, "29-02-2020") == dt.date(2020, 2, 29)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31)), min_size=1, max_size=40))
def test_every_date_round_trips_in_both_spellings(days):
    parsed = values.parse_date(pd.Series([d.isoformat() for d in days] + [d.strftime("%d-%m-%Y") for d in days], dtype="string"))
    assert [v.date() for v in parsed] == days + days


# -- integers and decimals ------------------------------------------------------------------------

def test_integer():
    assert one(values.parse_integer, "20") == 20
    assert one(values.parse_integer, "-3") == -3
    assert one(values.parse_integer, "0510") == 510


def test_integer_takes_no_decimals():
    for text in ["5,0", "5.0", "5,", "1.000", "5 0", "fem", "5e2"]:
        assert one(values.parse_integer, text) is None, text


def test_integer_too_long_to_hold_is_no_integer_rather_than_another_number():
    assert one(values.parse_integer, "99999999999999999999") is None  # not wrapped round to a negative number
    assert re.fullmatch(values.INTEGER_PATTERN, "99999999999999999999") is None  # so the validator says not_an_integer
    assert one(values.parse_integer, "000000000000000000000510") == 510


def test_digits_are_ascii_digits():
    # `\d` would accept these (and they would then load as null); the validator's regexes must not
    for pattern, text in [(values.INTEGER_PATTERN, "５１０"), (values.DECIMAL_PATTERN, "٠,٥"), (values.DATE_PATTERN, "２０１９-０１-０１")]:
        assert re.fullmatch(pattern, text) is None, text


def test_decimal_comma():
    assert one(values.parse_decimal, "0,5") == 0.5
    assert one(values.parse_decimal, "12,25") == 12.25
    assert one(values.parse_decimal, "3") == 3.0


def test_point_is_the_decimal_point_when_there_is_no_comma():
    assert one(values.parse_decimal, "0.5") == 0.5
    assert one(values.parse_decimal, "1.234") == 1.234  # no thousands separators: this is one point two...


def test_more_than_one_separator_is_no_decimal():
    for text in ["1.234,5", "1,234.5", "1.234.567", "1,2,3", "0,5,", "1 234,5", "ca. 3"]:
        assert one(values.parse_decimal, text) is None, text


NUMBER = st.tuples(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=0, max_value=10**6), st.sampled_from([",", "."]))


@settings(max_examples=50, deadline=None)
@given(st.lists(NUMBER, min_size=1, max_size=40))
def test_decimal_parses_like_the_written_number(numbers):
    texts = [f"{whole}{point}{fraction:06d}" for whole, fraction, point in numbers]
    expected = [float(Decimal(f"{whole}.{fraction:06d}")) for whole, fraction, _ in numbers]
    assert values.parse_decimal(pd.Series(texts, dtype="string")).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999), st.integers(min_value=0, max_value=9))
def test_decimal_with_thousands_and_a_decimal_separator_is_always_null(thousands, rest, tenth):
    assert one(values.parse_decimal, f"{thousands}.{rest:03d},{tenth}") is None
    assert one(values.parse_decimal, f"{thousands},{rest:03d}.{tenth}") is None


# -- booleans -------------------------------------------------------------------------------------

def test_boolean_zero_one_and_empty_means_zero():
    parsed = values.parse_boolean(pd.Series(["0", "1", None], dtype="string"))
    assert parsed.tolist() == [False, True, False]


def test_boolean_of_another_spelling_is_null():
    for text in ["ja", "nej", "true", "false", "2", "J", "1,0"]:
        assert one(values.parse_boolean, text) is None, text
