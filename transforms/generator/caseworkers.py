"""Caseworkers (``sagsbehandlere``): headcount, FTE and open cases on each counting date.

Counting dates are 1 March and 1 September, as in the report. The open cases on a date are the
children with an authority-granted measure on steps 3-6; the municipality staffs for a caseload of
22-32 cases per caseworker (its own level, drawn once). Staff turn over (10 % leave between two
counting dates and are replaced by new ids), so ids persist across dates like real staff numbers;
a quarter work part-time. A caseworker's cases follow his or her FTE with noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .dates import day
from .measures import Measures
from .staircase import PLACEMENT_STEPS
from .window import Window

TEAMS = np.array(
    ["Modtagelsen", "Børn 0-12 år", "Unge 13-17 år", "Anbringelsesteamet", "Familieafdelingen", "Handicapteamet"],
    dtype=object,
)
PART_TIME = np.array([0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.925])
COUNTING_DAYS = ((3, 1), (9, 1))


@dataclass(frozen=True)
class Caseworkers:
    """One row per caseworker and counting date."""

    counted: np.ndarray
    worker: np.ndarray
    team: np.ndarray
    normtid: np.ndarray
    cases: np.ndarray

    def __len__(self) -> int:
        return int(self.counted.size)

    def known_on(self, at: int) -> Caseworkers:
        keep = self.counted <= at
        return Caseworkers(*(getattr(self, f)[keep] for f in self.__dataclass_fields__))


def counting_dates(window: Window) -> list[int]:
    """1 March and 1 September of each year of the window, up to the extraction date."""
    dates = [day(date(y, m, d)) for y in window.years for m, d in COUNTING_DAYS]
    return [d for d in dates if window.start <= d <= window.end]


def open_cases(measures: Measures, on: int) -> int:
    """Children with an authority-granted measure on steps 3-6 active on day ``on``."""
    m = measures
    active = (m.start <= on) & (m.end >= on) & (m.bevilget_af == "myndighed") & np.isin(m.step, (3, *PLACEMENT_STEPS))
    return int(np.unique(m.child[active]).size)


def build_caseworkers(measures: Measures, window: Window, rng: np.random.Generator) -> Caseworkers:
    """The caseworker snapshot rows for every counting date."""
    cases_per_worker = rng.uniform(22, 32)
    ids = np.zeros(0, dtype="int64")
    teams = np.zeros(0, dtype="int64")
    fte = np.zeros(0)
    next_id = 1
    parts = []
    for counted in counting_dates(window):
        caseload = open_cases(measures, counted)
        needed = max(1, round(caseload / (cases_per_worker * rng.uniform(0.9, 1.1))))
        stay = rng.random(ids.size) >= 0.10
        ids, teams, fte = ids[stay], teams[stay], fte[stay]
        if ids.size > needed:
            keep = np.sort(rng.choice(ids.size, needed, replace=False))
            ids, teams, fte = ids[keep], teams[keep], fte[keep]
        hires = needed - ids.size
        ids = np.concatenate([ids, np.arange(next_id, next_id + hires)])
        teams = np.concatenate([teams, rng.integers(0, TEAMS.size, hires)])
        fte = np.concatenate([fte, np.where(rng.random(hires) < 0.75, 1.0, rng.choice(PART_TIME, hires))])
        next_id += hires
        weight = fte * rng.gamma(6.0, 1 / 6.0, ids.size)
        cases = rng.multinomial(caseload, weight / weight.sum())
        parts.append((np.full(ids.size, counted), ids, TEAMS[teams], fte, cases))
    if not parts:
        return Caseworkers(np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"), np.zeros(0, dtype=object),
                           np.zeros(0), np.zeros(0, dtype="int64"))
    return Caseworkers(*(np.concatenate(p) for p in zip(*parts)))
