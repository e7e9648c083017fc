"""Follow-ups (``opfoelgninger``) of measures on steps 3-6.

Each municipality follows up placements in institutions every 5-7 weeks and other measures every
2-3 months (its own rhythm, drawn once), each measure with its own pace (±25 %) and each gap with
jitter; 8 % of gaps are late (1.5-2.8 times the usual gap) and 2 % of follow-ups are registered
twice on the same day. Follow-ups run from the start of the measure to its end or the extraction
date. Generated for all measures at once: a generous number of candidate gaps per measure, one
cumulative sum, and a cut at each measure's last day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .measures import Measures
from .staircase import PLACEMENT_STEPS
from .window import Window

FOLLOWED_STEPS = (3, *PLACEMENT_STEPS)
PACE = (0.8, 1.25)
JITTER = (0.85, 1.15)


@dataclass(frozen=True)
class Followups:
    """One row per follow-up: the measure's sequence number and the day."""

    measure_seq: np.ndarray
    day: np.ndarray

    def __len__(self) -> int:
        return int(self.day.size)

    def known_on(self, at: int) -> Followups:
        keep = self.day <= at
        return Followups(self.measure_seq[keep], self.day[keep])


def build_followups(measures: Measures, window: Window, rng: np.random.Generator) -> Followups:
    """Every follow-up of the municipality's step 3-6 measures up to the extraction date."""
    m = measures
    idx = np.flatnonzero(np.isin(m.step, FOLLOWED_STEPS) & (m.start <= window.end))
    base = np.where(m.step[idx] == 6, rng.uniform(38, 50), rng.uniform(60, 95))
    gap_mean = base * rng.uniform(*PACE, idx.size)
    last = np.minimum(m.end[idx], window.end)
    shortest = np.floor(gap_mean * JITTER[0])
    n_candidates = ((last - m.start[idx]) // shortest + 1).astype("int64")

    owner = np.repeat(np.arange(idx.size), n_candidates)
    gaps = gap_mean[owner] * rng.uniform(*JITTER, owner.size)
    late = rng.random(owner.size) < 0.08
    gaps[late] *= rng.uniform(1.5, 2.8, int(late.sum()))
    total = np.cumsum(gaps)
    group_start = np.repeat(np.cumsum(n_candidates) - n_candidates, n_candidates)
    offset = total - np.r_[0.0, total][group_start]
    when = m.start[idx][owner] + offset.astype("int64")
    keep = when <= last[owner]
    owner, when = owner[keep], when[keep]
    twice = rng.random(owner.size) < 0.02
    owner = np.concatenate([owner, owner[twice]])
    when = np.concatenate([when, when[twice]])
    order = np.lexsort((when, owner))
    return Followups(m.seq[idx][owner[order]], when[order])
