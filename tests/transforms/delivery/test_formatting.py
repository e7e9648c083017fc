"""Rounding (methodology.md §2), Danish number spelling, and formula neutralisation."""
from __future__ import annotations

from decimal import Decimal

import pytest

from transforms.delivery.formatting import neutralise, number_da, rounded


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (12.345, 2, "12.35"),                 # half away from zero on the decimal value
    (12.344999999999999, 2, "12.35"),     # a float's noise is not a digit
    (2469 / 200000 * 1000, 2, "12.35"),
    (33.25, 1, "33.3"),
    (-2.25, 1, "-2.3"),
    (-0.04, 1, "0.0"),                    # never -0,0
    (0.0, 2, "0.00"),
    (84.5, 1, "84.5"),
])
def test_rounding_half_away_from_zero(value, decimals, expected):
    assert str(rounded(value, decimals)) == expected


def test_money_in_whole_thousands():
    assert rounded(12_345_500.0, 0, Decimal("0.001")) == Decimal("12346")
    assert rounded(2_400_499.0, 0, Decimal("0.001")) == Decimal("2400")
    assert rounded(-12_499_999.0, 0, Decimal("0.001")) == Decimal("-12500")


def test_missing_and_not_finite_stay_empty():
    assert rounded(None, 1) is None
    assert rounded(float("nan"), 1) is None
    assert number_da(None, 1) == ""


def test_danish_spelling():
    assert number_da(Decimal("1234567.89"), 2) == "1234567,89"
    assert number_da(Decimal("1234567.89"), 2, thousands=True) == "1.234.567,89"
    assert number_da(Decimal("-12346"), 0, thousands=True) == "-12.346"


@pytest.mark.parametrize("text", ["=1+2", "+1", "-3+4", "@SUM(1)", "\t=x", "\r=x"])
def test_formula_starts_are_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Haderslev", "2016/17", "Andel (%)", "", "1-2"])
def test_ordinary_text_is_unchanged(text):
    assert neutralise(text) == text
