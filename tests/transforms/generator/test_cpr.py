"""CPR numbers: valid date part, the century digit of sources.md §2.1, unique across municipalities."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.generator.cpr import assign_cprs, birth_year_from_cpr
from transforms.generator.dates import day, ymd


def _decoded(cpr: np.ndarray) -> list[date]:
    """Birth dates the rule of sources.md §2.1 gives (raises if a date part is not a date)."""
    years = birth_year_from_cpr(cpr)
    return [date(int(y), int(c // 10**6 % 100), int(c // 10**8)) for c, y in zip(cpr, years)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dates(date(1970, 1, 1), date(2057, 12, 31)), min_size=1, max_size=40),
       st.integers(0, 97), st.integers(0, 2**32 - 1))
def test_century_rule_gives_back_the_birth_date(births: list[date], slot: int, seed: int) -> None:
    days = np.array([day(b) for b in births])
    cpr = assign_cprs(days, slot, 98, seed)
    assert _decoded(cpr) == births
    assert np.all((cpr >= 0) & (cpr < 10**10))


def test_unique_across_municipalities_on_a_crowded_day() -> None:
    born = np.full(40, day(date(2015, 6, 1)))
    numbers = np.concatenate([assign_cprs(born, slot, 98, seed=1) for slot in range(98)])
    assert np.unique(numbers).size == numbers.size


def test_modulus_11_is_not_made_to_hold() -> None:
    born = np.repeat(np.arange(day(date(2010, 1, 1)), day(date(2010, 3, 1))), 5)
    cpr = assign_cprs(born, 3, 98, seed=1)
    digits = np.array([[int(ch) for ch in f"{c:010d}"] for c in cpr])
    passes = (digits @ np.array([4, 3, 2, 7, 6, 5, 4, 3, 2, 1])) % 11 == 0
    assert 0.02 < passes.mean() < 0.25  # about 1 in 11, as for numbers drawn without the check


def test_seventh_digit_by_century() -> None:
    born = np.array([day(date(1995, 5, 5)), day(date(2005, 5, 5)), day(date(2040, 5, 5))] * 30)
    seventh = assign_cprs(born, 0, 98, seed=9) // 1000 % 10
    year = ymd(born)[0]
    assert set(seventh[year == 1995]) <= {0, 1, 2, 3, 4, 9}
    assert set(seventh[year == 2005]) <= {4, 5, 6, 7, 8, 9}
    assert set(seventh[year == 2040]) <= {5, 6, 7, 8}
