"""Measurement points and the methodology's date arithmetic (methodology.md §2)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from transforms.measurement_points import measurement_points, points_between, shift_months


@pytest.mark.parametrize(("d", "months", "expected"), [
    (date(2016, 9, 30), -6, date(2016, 3, 30)),
    (date(2016, 5, 31), -6, date(2015, 11, 30)),
    (date(2016, 1, 31), -12, date(2015, 1, 31)),
    (date(2017, 5, 31), -3, date(2017, 2, 28)),
    (date(2016, 5, 31), -3, date(2016, 2, 29)),
])
def test_months_keep_the_day_clamped_to_the_month(d, months, expected):
    assert shift_months(d, months) == expected


def test_points_from_the_first_on_or_after_to_the_last_on_or_before():
    assert points_between(date(2015, 5, 31), date(2016, 5, 30)) == [date(2015, 5, 31), date(2015, 9, 30), date(2016, 1, 31)]


def test_previous_point_and_the_year_before():
    extent = pd.DataFrame({"kommunekode": [510], "first_start": [date(2015, 2, 1)], "extraction_date": [date(2016, 10, 1)]})
    points = measurement_points(extent)
    assert points["measurement_date"].tolist() == [date(2015, 5, 31), date(2015, 9, 30), date(2016, 1, 31), date(2016, 5, 31), date(2016, 9, 30)]
    assert points["previous_date"].tolist()[:2] == [None, date(2015, 5, 31)]
    assert points["minus_1y_is_point"].tolist() == [False, False, False, True, True]
    assert points["minus_6m"].tolist()[0] == date(2014, 11, 30)


def test_a_later_first_point_is_a_parameter():
    extent = pd.DataFrame({"kommunekode": [510], "first_start": [date(2010, 1, 1)], "extraction_date": [date(2016, 10, 1)]})
    points = measurement_points(extent, first_point=date(2016, 1, 31))
    assert points["measurement_date"].iloc[0] == date(2016, 1, 31)
