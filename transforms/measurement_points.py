"""The measurement points: 31 January, 31 May and 30 September of every year (methodology.md §2).

Date arithmetic follows the methodology: moving back six months or a year keeps the day, clamped
to the last day of the month (30 September − 6 months = 30 March). Computed here, in Python, so
that the SQL gets plain dates and both warehouses agree.
"""
from __future__ import annotations

import calendar
from datetime import date

import pandas as pd

DEFAULT_POINTS = ((1, 31), (5, 31), (9, 30))
"""(month, day) of the three points a year ("choice": four-month spacing after the report's 31 January)."""


def shift_months(d: date, months: int) -> date:
    """`d` moved by whole months, keeping the day, clamped to the month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def points_between(first: date, last: date, points: tuple[tuple[int, int], ...] = DEFAULT_POINTS) -> list[date]:
    """Every point from the first one on or after `first` to the last one on or before `last`."""
    return [date(y, m, d) for y in range(first.year, last.year + 1) for m, d in points if first <= date(y, m, d) <= last]


def measurement_points(extent: pd.DataFrame, first_point: date | None = None,
                       points_a_year: tuple[tuple[int, int], ...] = DEFAULT_POINTS) -> pd.DataFrame:
    """One row per municipality and point, with the dates the key figures look back to.

    `extent` has `kommunekode`, `first_start` (earliest startdato of its loaded measures) and
    `extraction_date` (of its measures snapshot in force). `first_point` can set a later start.
    """
    rows = []
    for k, first_start, extraction in extent[["kommunekode", "first_start", "extraction_date"]].itertuples(index=False):
        first_start, extraction = pd.Timestamp(first_start).date(), pd.Timestamp(extraction).date()
        start = max(first_start, first_point) if first_point else first_start
        points = points_between(start, extraction, points_a_year)
        for i, d in enumerate(points):
            minus_1y = shift_months(d, -12)
            rows.append((int(k), i + 1, d, points[i - 1] if i else None, shift_months(d, -6), minus_1y, minus_1y in points))
    return pd.DataFrame(rows, columns=["kommunekode", "point_index", "measurement_date", "previous_date",
                                       "minus_6m", "minus_1y", "minus_1y_is_point"])
