"""Child investigations (``undersoegelser``): the decisions to investigate that precede measures.

- Most children who enter step 3 or higher from below get an investigation decided 10-120 days
  before the measure starts (85 %), and half of those who move up between placement steps a new one.
- Some children with an authority-granted preventive measure are investigated 14-90 days after it
  starts without moving up (35 %); with the escalations, 20-40 % of preventive starters are
  investigated by the next measurement point, the range of the report's Tabel 6.
- A few investigations lead to no measure at all (0.2 % of children a year).

Codes: ``SEL 50`` (12 % ``SEL 51``, without consent) before 2024, ``BL 20`` (``BL 23``) from 2024.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import legal
from .dates import DAYS_PER_YEAR
from .measures import NO_PREVIOUS, Measures
from .population import Children
from .window import Window


@dataclass(frozen=True)
class Investigations:
    """Investigation decisions, numbered in date order."""

    seq: np.ndarray
    child: np.ndarray
    paragraf: np.ndarray
    decided: np.ndarray

    def __len__(self) -> int:
        return int(self.seq.size)

    def known_on(self, at: int) -> Investigations:
        keep = self.decided <= at
        return Investigations(self.seq[keep], self.child[keep], self.paragraf[keep], self.decided[keep])


def _unrelated(children: Children, window: Window, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Investigations of children who then get no measure, spread over their time in the window."""
    lo = np.maximum(children.arrive, window.start)
    hi = np.minimum(children.leave, window.end)
    days = np.maximum(hi - lo, 0).astype(float)
    if days.sum() == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    n = rng.poisson(0.002 * days.sum() / DAYS_PER_YEAR)
    child = rng.choice(len(children), size=n, p=days / days.sum())
    return child, lo[child] + (rng.random(n) * days[child]).astype("int64")


def build_investigations(measures: Measures, children: Children, window: Window,
                         rng: np.random.Generator) -> Investigations:
    """Every investigation decision of the municipality over the simulation."""
    m = measures
    main = m.prev_step != NO_PREVIOUS
    escalation = main & (m.step >= 3) & (m.prev_step <= 2)
    moved_up = main & (m.prev_step >= 3) & (m.step > m.prev_step)
    before = np.flatnonzero((escalation & (rng.random(len(m)) < 0.85)) | (moved_up & (rng.random(len(m)) < 0.5)))
    preventive = np.flatnonzero(main & (m.step == 2) & (m.bevilget_af == "myndighed") & (rng.random(len(m)) < 0.35))
    other_child, other_day = _unrelated(children, window, rng)

    child = np.concatenate([m.child[before], m.child[preventive], other_child])
    decided = np.concatenate([
        m.start[before] - rng.integers(10, 121, before.size),
        m.start[preventive] + rng.integers(14, 91, preventive.size),
        other_day,
    ])
    decided = np.maximum(decided, children.birth[child])
    order = np.lexsort((child, decided))
    child, decided = child[order], decided[order]
    return Investigations(
        seq=np.arange(1, child.size + 1),
        child=child,
        paragraf=legal.codes(legal.INVESTIGATION, decided, rng),
        decided=decided,
    )
