"""Dates as day numbers (days since 1970-01-01, int64).

A whole population of birth dates, move dates and measure dates then moves through one numpy call
instead of a Python loop over ``datetime.date`` objects. Conversion to text happens once, in the
writer.
"""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np

EPOCH = date(1970, 1, 1)
DAYS_PER_YEAR = 365.25


def day(d: date) -> int:
    """The day number of ``d``."""
    return (d - EPOCH).days


def from_day(n: int) -> date:
    """The date of day number ``n``."""
    return date.fromordinal(EPOCH.toordinal() + int(n))


def jan1(year: int) -> int:
    """Day number of 1 January ``year``."""
    return day(date(year, 1, 1))


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of month (1-31) of each day number."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype("int64") + 1970
    month = months.astype("int64") % 12 + 1
    dom = (d - months.astype("datetime64[D]")).astype("int64") + 1
    return year, month, dom


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Same calendar day ``years`` later; 29 February becomes 1 March in a common year.

    That is the birthday rule of methodology.md §2, so an 18th birthday computed here is the one the
    pipeline uses.
    """
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    month_start = d.astype("datetime64[M]")
    offset = d - month_start.astype("datetime64[D]")
    shifted = (month_start + 12 * years).astype("datetime64[D]") + offset
    return shifted.astype("int64")


def add_months(d: date, months: int) -> date:
    """Calendar ``months`` later (or earlier), the day clamped to the month's last day."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def age_on(birth: np.ndarray, on: int | np.ndarray) -> np.ndarray:
    """Completed years of age on day ``on`` (scalar or per element)."""
    by, bm, bd = ymd(birth)
    oy, om, od = ymd(np.broadcast_to(np.asarray(on, dtype="int64"), np.shape(birth)))
    return oy - by - ((om * 100 + od) < (bm * 100 + bd))


NO_DAY = -1
"""Marks an empty date (an ongoing measure's end). No simulated date lies before 1970."""
