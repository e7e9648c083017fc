"""Simulated children of one municipality: births, moves in and out, ageing out at 18.

Everything is drawn for the whole municipality at once with numpy: a child is a row of arrays
(birth, arrival, departure, CPR), never a Python object, so the national inbox (about 1.15 million
children at a time, 2.9 million over the period) takes seconds.

A child lives in the municipality on day ``d`` when ``arrive <= d < leave``; ``leave`` is the 18th
birthday or the day the child moves away, whichever comes first. Children who move in are new CPR
numbers (the generator does not follow a child between municipalities).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .cpr import assign_cprs
from .dates import DAYS_PER_YEAR, add_years, age_on, jan1
from .municipalities import Municipality
from .seeding import Stream, rng_for
from .window import Window
from .writer import Col, Delivery, Schema

MIN_CHILDREN = 50
"""Smallest simulated stock per municipality, whatever the scale, so every file has content."""

ADULT_AGE = 18
POPULATION = Schema("befolkning", "population", (
    ("kommunekode", Col.INT), ("dato", Col.DATE), ("alder", Col.INT), ("antal", Col.INT),
))


@dataclass(frozen=True)
class Children:
    """The simulated children of one municipality, one array element per child."""

    birth: np.ndarray
    arrive: np.ndarray
    leave: np.ndarray
    cpr: np.ndarray

    def __len__(self) -> int:
        return int(self.birth.size)

    def living_on(self, d: int) -> np.ndarray:
        """Mask of the children living in the municipality on day ``d``."""
        return (self.arrive <= d) & (self.leave > d)


def target_children(municipality: Municipality, scale: float) -> int:
    """Children aged 0-17 at a time: the real number times ``scale``, at least MIN_CHILDREN."""
    return max(MIN_CHILDREN, round(municipality.children_0_17 * scale))


def _uniform_days(rng: np.random.Generator, lo: int, hi: int, n: int) -> np.ndarray:
    """``n`` day numbers uniform in [lo, hi]."""
    return rng.integers(lo, hi + 1, size=n, dtype="int64")


def simulate_children(
    municipality: Municipality, scale: float, window: Window, seed: int, n_slots: int
) -> Children:
    """Children living in the municipality at some time between 1 January from_year and to_date.

    The stock on 1 January ``from_year`` has ages uniform on 0-17; each year brings about 1/18 of
    the stock in births (with a small municipal trend) and as many children moving in as move out
    (a municipal out-migration rate of 2.5-5 % a year), so the stock drifts like a real one instead
    of staying flat.
    """
    rng = rng_for(seed, municipality.kommunekode, Stream.CHILDREN)
    n = target_children(municipality, scale)
    move_rate = rng.uniform(0.025, 0.05)
    birth_trend = rng.normal(0.0, 0.01)
    start, end = window.start, window.end

    stock_birth = _uniform_days(rng, jan1(window.from_year - ADULT_AGE) + 1, start - 1, n)
    births, movers_in, mover_birth = [], [], []
    for year in window.years:
        lo, hi = jan1(year), min(jan1(year + 1) - 1, end)
        share = (hi - lo + 1) / (jan1(year + 1) - jan1(year))
        trend = (1 + birth_trend) ** (year - window.from_year)
        births.append(_uniform_days(rng, lo, hi, rng.poisson(n / ADULT_AGE * trend * share)))
        moved = _uniform_days(rng, lo, hi, rng.poisson(n * move_rate * share))
        age_days = (ADULT_AGE * DAYS_PER_YEAR * rng.beta(1.0, 1.6, moved.size)).astype("int64")
        movers_in.append(moved)
        mover_birth.append(moved - np.maximum(age_days, 1))

    born = np.concatenate(births)
    moved_in = np.concatenate(movers_in)
    birth = np.concatenate([stock_birth, born, np.concatenate(mover_birth)])
    arrive = np.concatenate([np.full(n, start, dtype="int64"), born, moved_in])
    stay = (rng.exponential(1 / move_rate, birth.size) * DAYS_PER_YEAR).astype("int64") + 1
    leave = np.minimum(add_years(birth, ADULT_AGE), arrive + stay)
    keep = leave > arrive  # a mover who arrives after turning 18 never lived here as a child
    birth, arrive, leave = birth[keep], arrive[keep], leave[keep]
    cpr = assign_cprs(birth, municipality.slot, n_slots, seed)
    return Children(birth=birth, arrive=arrive, leave=leave, cpr=cpr)


def population_counts(children: Children, dates: list[int]) -> np.ndarray:
    """Children living in the municipality on each date, by age 0-17: shape (len(dates), 18)."""
    counts = np.zeros((len(dates), ADULT_AGE), dtype="int64")
    for i, d in enumerate(dates):
        living = children.living_on(d)
        counts[i] = np.bincount(age_on(children.birth[living], d), minlength=ADULT_AGE)[:ADULT_AGE]
    return counts


def census_dates(window: Window) -> list[int]:
    """1 January of each year of the window: the reference dates of the population counts."""
    return [jan1(y) for y in window.years]


def population_delivery(codes: list[int], dates: list[int], counts: list[np.ndarray], extraction: date) -> Delivery:
    """The national population file: one row per municipality, date and age 0-17.

    ``counts[i]`` holds municipality ``codes[i]``'s counts, shape (len(dates), 18).
    """
    n_dates = len(dates)
    per_muni = n_dates * ADULT_AGE
    frame = {
        "kommunekode": np.repeat(np.asarray(codes, dtype="int64"), per_muni),
        "dato": np.tile(np.repeat(np.asarray(dates, dtype="int64"), ADULT_AGE), len(codes)),
        "alder": np.tile(np.arange(ADULT_AGE), n_dates * len(codes)),
        "antal": np.concatenate([c.ravel() for c in counts]) if counts else np.zeros(0, dtype="int64"),
    }
    return Delivery("population", f"befolkning_{extraction.isoformat()}", POPULATION, frame, extraction)


def preliminary(counts: np.ndarray, rng: np.random.Generator, revised_dates: int = 2) -> np.ndarray:
    """Counts as an earlier delivery had them: the newest ``revised_dates`` dates were preliminary
    and differ from the final figures by a child or two in a fifth of the cells, so a pipeline that
    lets an older file win is caught."""
    out = counts.copy()
    tail = out[-revised_dates:]
    change = rng.random(tail.shape) < 0.2
    tail += np.where(change, rng.choice([-2, -1, 1, 2], size=tail.shape), 0)
    np.maximum(tail, 0, out=tail)
    return out
