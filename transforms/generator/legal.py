"""Legal-basis codes and placement settings (sources.md §3, barnets-lov.md) for simulated measures.

Measures that start before 1 January 2024 carry Serviceloven codes (``SEL …``), later ones Barnets
Lov codes (``BL …``). Each kind of measure names its code under both laws side by side, because the
numbers inside a section were reshuffled (family treatment is SEL 52.3.3 but BL 32.1.5): a code is
looked up by kind and law, never derived from the other law's number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .dates import day

BARNETS_LOV_FROM = day(date(2024, 1, 1))
ADVICE_MOVED = day(date(2014, 1, 1))
"""Before 2014 advice (konsulentbistand) was SEL 52.3.1; from then on SEL 52.3.1 is a stay in day
care and advice is SEL 11.3.1 (barnets-lov.md §1)."""
FOSTER_REFORM = day(date(2019, 7, 1))
"""Reinforced and specialised foster families from mid-2019; municipal foster families until then."""


@dataclass(frozen=True)
class Kind:
    """A kind of measure: its code(s) under Serviceloven and under Barnets Lov, and its weight
    among the kinds it is drawn from."""

    sel: tuple[str, ...]
    bl: tuple[str, ...]
    weight: float


PREVENTIVE = (
    Kind(("SEL 11.3",), ("BL 30",), 0.20),
    Kind(("SEL 11.3.1",), ("BL 30.1.1",), 0.40),
    Kind(("SEL 11.3.2",), ("BL 30.1.2",), 0.15),
    Kind(("SEL 11.3.3",), ("BL 30.1.3",), 0.05),
    Kind(("SEL 11.3.4",), ("BL 30.1.4",), 0.20),
)
PREVENTIVE_ADVICE_BEFORE_2014 = "SEL 52.3.1"
OUT_OF_SCOPE_PREVENTIVE = Kind(("SEL 11.4", "SEL 11.6", "SEL 52a"), ("BL 35",), 1.0)
"""Known codes outside the staircase (financial support, advice outside § 11.3)."""

HOME_BASED = {
    "day_care": Kind(("SEL 52.3.1",), ("BL 32.1.1",), 0.08),
    "home_support": Kind(("SEL 52.3.2",), ("BL 32.1.2",), 0.22),
    "family_treatment": Kind(("SEL 52.3.3",), ("BL 32.1.5",), 0.25),
    "relief": Kind(("SEL 52.3.5",), ("BL 32.1.7",), 0.10),
    "contact_person": Kind(("SEL 52.3.6",), ("BL 32.1.3",), 0.22),
    "traineeship": Kind(("SEL 52.3.8",), ("BL 32.1.4",), 0.05),
    "other": Kind(("SEL 52.3.9",), ("BL 32.1.8",), 0.08),
}
WHOLE_FAMILY = Kind(("SEL 52.3.4",), ("BL 32.1.6",), 1.0)
PARENT_SUPPORT = Kind(("SEL 54",), ("BL 75", "BL 76"), 1.0)
PLACEMENT = (
    Kind(("SEL 52.3.7",), ("BL 46",), 0.85),  # with consent
    Kind(("SEL 58",), ("BL 47",), 0.15),  # without consent
)
AFTERCARE = Kind(("SEL 76.2", "SEL 76.3.1", "SEL 76.3.2"), ("BL 114.1.1", "BL 114.1.2", "BL 116"), 1.0)
INVESTIGATION = (Kind(("SEL 50",), ("BL 20",), 0.88), Kind(("SEL 51",), ("BL 23",), 0.12))

SETTINGS: dict[int, dict[str, float]] = {
    3: {"eget_vaerelse": 0.7, "kollegium": 0.3},
    4: {"netvaerksplejefamilie": 1.0},
    6: {
        "opholdssted": 0.40,
        "doegninstitution": 0.30,
        "delt_doegninstitution": 0.05,
        "sikret_doegninstitution": 0.03,
        "skibsprojekt": 0.02,
        "kostskole": 0.07,
        "efterskole": 0.13,
    },
}
FOSTER_BEFORE_2019 = {"plejefamilie": 0.55, "kommunal_plejefamilie": 0.45}
FOSTER_FROM_2019 = {"plejefamilie": 0.55, "forstaerket_plejefamilie": 0.30, "specialiseret_plejefamilie": 0.15}
BOARDING = ("kostskole", "efterskole")
BOARDING_MIN_AGE = 13


def codes(kinds: tuple[Kind, ...] | list[Kind], start: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One code per start day: a kind drawn by weight, its law decided by the start day."""
    weights = np.array([k.weight for k in kinds])
    pick = rng.choice(len(kinds), size=start.size, p=weights / weights.sum())
    return law_codes(kinds, pick, start, rng)


def law_codes(kinds: tuple[Kind, ...] | list[Kind], pick: np.ndarray, start: np.ndarray,
              rng: np.random.Generator) -> np.ndarray:
    """The code of kind ``kinds[pick[i]]`` under the law in force on ``start[i]``."""
    out = np.empty(start.size, dtype=object)
    barnets_lov = start >= BARNETS_LOV_FROM
    for i, kind in enumerate(kinds):
        for law, options in ((False, kind.sel), (True, kind.bl)):
            rows = np.flatnonzero((pick == i) & (barnets_lov == law))
            out[rows] = np.asarray(options, dtype=object)[rng.integers(0, len(options), rows.size)]
    return out


def draw_labels(table: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` labels drawn by the weights of ``table``."""
    labels = np.array(list(table), dtype=object)
    weights = np.array(list(table.values()))
    return labels[rng.choice(labels.size, size=n, p=weights / weights.sum())]


def settings(step: np.ndarray, start: np.ndarray, age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Placement setting for placements on ``step`` (3 = room of one's own / hall of residence)."""
    out = np.empty(step.size, dtype=object)
    for s, table in SETTINGS.items():
        rows = np.flatnonzero(step == s)
        out[rows] = draw_labels(table, rows.size, rng)
    for rows, table in (
        (np.flatnonzero((step == 5) & (start < FOSTER_REFORM)), FOSTER_BEFORE_2019),
        (np.flatnonzero((step == 5) & (start >= FOSTER_REFORM)), FOSTER_FROM_2019),
    ):
        out[rows] = draw_labels(table, rows.size, rng)
    too_young = np.isin(out, BOARDING) & (age < BOARDING_MIN_AGE)
    out[too_young] = "doegninstitution"
    return out
