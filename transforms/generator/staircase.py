"""Children's paths on the intervention staircase: when they enter, move up or down, and leave.

This is the dynamic heart of the case-system simulation, kept free of legal codes (measures.py turns
episodes into measure rows). A child's path is a sequence of *episodes*, each on one step:

- 2 preventive, 3 home-based, 4 network care, 5 foster care, 6 institution.

The model is a semi-Markov chain, simulated for all children of a municipality at once: each
iteration of the loop realises one more episode of every child that still has one (a handful of
iterations, never one per child).

- **Entry.** A child not in any episode enters at a constant hazard; a minority of children are
  high-risk and enter (and re-enter) far more often, which gives the real concentration of measures
  in few families. The entry step depends on age (teenagers are placed in institutions more often).
- **Duration.** Gamma distributed per step: preventive offers last months, placements years.
- **Next step.** At the end of an episode the child moves up, down or off the staircase (transition
  matrix per step). From the municipality's reform year on (the shift to earlier, preventive help),
  escalations to placements are rarer and home-based help more common.
- **Ends.** No episode runs past the day before the child turns 18 or moves away.
- **Start of the window.** Children living in the municipality on 1 January ``from_year`` start in
  a state drawn from the prevalences the model settles at, with a start date in the past drawn as in
  a stationary renewal process (length-biased duration, uniform position), so that measures ongoing
  at the start of the window carry realistic, earlier start dates and the prevalences do not drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .dates import DAYS_PER_YEAR, age_on, jan1
from .population import Children
from .seeding import categorical
from .window import Window

STEPS = np.array([2, 3, 4, 5, 6])
PLACEMENT_STEPS = (4, 5, 6)


def _matrix(rows: dict[int, dict[int, float]]) -> np.ndarray:
    """Transition probabilities as an array indexed [from step, to step] (0 = off the staircase)."""
    m = np.zeros((7, 7))
    for origin, targets in rows.items():
        for target, p in targets.items():
            m[origin, target] = p
        m[origin] /= m[origin].sum()
    return m


@dataclass(frozen=True)
class Dynamics:
    """Parameters of the staircase model (rates per year, durations in years).

    Calibrated so that on any date about 1 % of children are placed (22 % network, 48 % foster
    care, 30 % institution), about 3-4 % have a home-based measure and about 1 % a preventive one
    (2-3 % of children start one each year).
    """

    high_risk_share: float = 0.07
    entry_rate_high: float = 0.40
    entry_rate_low: float = 0.022
    duration_mean: dict[int, float] = field(
        default_factory=lambda: {2: 0.5, 3: 1.3, 4: 3.0, 5: 3.2, 6: 1.5}
    )
    duration_shape: dict[int, float] = field(
        default_factory=lambda: {2: 1.6, 3: 1.3, 4: 1.0, 5: 1.0, 6: 1.1}
    )
    entry_mix: np.ndarray = field(
        default_factory=lambda: np.array(
            # columns: steps 2, 3, 4, 5, 6; rows: age 0-5, 6-11, 12-17 at entry
            [
                [0.62, 0.33, 0.01, 0.03, 0.01],
                [0.64, 0.33, 0.008, 0.012, 0.01],
                [0.58, 0.36, 0.008, 0.012, 0.04],
            ]
        )
    )
    transitions: np.ndarray = field(
        default_factory=lambda: _matrix(
            {
                2: {0: 0.62, 2: 0.05, 3: 0.31, 5: 0.008, 6: 0.012},
                3: {0: 0.52, 2: 0.08, 3: 0.25, 4: 0.03, 5: 0.06, 6: 0.06},
                4: {0: 0.32, 3: 0.37, 4: 0.09, 5: 0.13, 6: 0.09},
                5: {0: 0.24, 3: 0.33, 4: 0.07, 5: 0.20, 6: 0.16},
                6: {0: 0.27, 3: 0.33, 4: 0.06, 5: 0.16, 6: 0.18},
            }
        )
    )
    initial_prevalence: dict[int, float] = field(
        default_factory=lambda: {2: 0.012, 3: 0.028, 4: 0.0025, 5: 0.0056, 6: 0.0034}
    )
    reform_placement_factor: tuple[float, float] = (0.65, 0.95)
    """After its reform year a municipality escalates to placements this much less (drawn)."""


@dataclass(frozen=True)
class Episodes:
    """Episodes on the staircase: one element per episode, ``end`` inclusive."""

    child: np.ndarray
    step: np.ndarray
    start: np.ndarray
    end: np.ndarray
    prev_step: np.ndarray
    """Step of the episode right before (0 when the child came from off the staircase)."""

    def __len__(self) -> int:
        return int(self.child.size)


@dataclass
class _Batch:
    """Episodes whose start is known and whose end is still to draw."""

    child: np.ndarray
    step: np.ndarray
    start: np.ndarray
    prev_step: np.ndarray
    length: np.ndarray  # days; NaN = draw from the step's duration distribution

    @staticmethod
    def concat(batches: list[_Batch]) -> _Batch:
        return _Batch(*(np.concatenate([getattr(b, f) for b in batches]) for f in _BATCH_FIELDS))


_BATCH_FIELDS = ("child", "step", "start", "prev_step", "length")


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.select([age < 6, age < 12], [0, 1], 2)


def _by_step(values: dict[int, float], step: np.ndarray) -> np.ndarray:
    """``values[step]`` for each element of ``step``."""
    table = np.zeros(7)
    table[list(values)] = list(values.values())
    return table[step]


def _durations(rng: np.random.Generator, dyn: Dynamics, step: np.ndarray) -> np.ndarray:
    """Episode lengths in days, gamma distributed with the step's mean and shape."""
    shape = _by_step(dyn.duration_shape, step)
    return rng.gamma(shape, _by_step(dyn.duration_mean, step) / shape) * DAYS_PER_YEAR


class _Model:
    """One municipality's draws, with the municipal variation fixed at construction."""

    def __init__(self, children: Children, window: Window, dyn: Dynamics, rng: np.random.Generator):
        self.children, self.window, self.dyn, self.rng = children, window, dyn, rng
        self.level = rng.lognormal(0.0, 0.15)
        self.high = rng.random(len(children)) < dyn.high_risk_share
        self.rate = np.where(self.high, dyn.entry_rate_high, dyn.entry_rate_low) * self.level
        self.reform_day = jan1(int(rng.integers(2013, 2020)))
        self.reform_factor = rng.uniform(*dyn.reform_placement_factor)

    def entries(self, child: np.ndarray, from_day: np.ndarray) -> _Batch:
        """Next entry onto the staircase of children off it since ``from_day``, if any."""
        wait = self.rng.exponential(1 / self.rate[child]) * DAYS_PER_YEAR
        when = from_day + wait.astype("int64")
        ok = (when < self.children.leave[child]) & (when <= self.window.horizon)
        child, when = child[ok], when[ok]
        mix = self.dyn.entry_mix[_age_band(age_on(self.children.birth[child], when))]
        reformed = when >= self.reform_day
        mix = mix.copy()
        mix[reformed, 2:] *= self.reform_factor  # columns 2-4 are the placement steps 4-6
        mix /= mix.sum(axis=1, keepdims=True)
        step = STEPS[categorical(self.rng, mix)]
        return _Batch(child, step, when, np.zeros(child.size, dtype="int64"), np.full(child.size, np.nan))

    def next_steps(self, step: np.ndarray, when: np.ndarray) -> np.ndarray:
        """Step after an episode that ended normally (0 = off the staircase); the transition
        matrix's column index is the step."""
        probs = self.dyn.transitions[step].copy()
        reformed = when >= self.reform_day
        moved = probs[reformed][:, list(PLACEMENT_STEPS)] * (1 - self.reform_factor)
        probs[np.ix_(reformed, list(PLACEMENT_STEPS))] -= moved
        probs[reformed, 3] += moved.sum(axis=1)
        return categorical(self.rng, probs)

    def initial(self) -> tuple[_Batch, np.ndarray]:
        """States on the first day of the window; returns the ongoing episodes and the children
        off the staircase (whose first entry is still to draw)."""
        start = self.window.start
        kids = np.flatnonzero(self.children.living_on(start) & self.high)
        age = age_on(self.children.birth[kids], start)
        prev = self.dyn.initial_prevalence
        # placements concentrate in older ages; preventive and home-based help is flatter
        age_weight = {2: np.ones(age.size), 3: 0.8 + age / 40, 4: 0.5 + age / 17,
                      5: 0.5 + age / 17, 6: 0.1 + age / 8}
        probs = np.column_stack(
            [
                prev[s] * self.level / self.dyn.high_risk_share * age_weight[s] / age_weight[s].mean()
                for s in STEPS
            ]
        )
        probs = np.column_stack([np.clip(1 - probs.sum(axis=1), 0, 1), probs])
        state = np.r_[0, STEPS][categorical(self.rng, probs / probs.sum(axis=1, keepdims=True))]
        on = state > 0
        step = state[on]
        child = kids[on]
        shape = _by_step(self.dyn.duration_shape, step)
        mean = _by_step(self.dyn.duration_mean, step)
        total = self.rng.gamma(shape + 1, mean / shape) * DAYS_PER_YEAR  # length-biased
        elapsed = self.rng.random(step.size) * total
        remaining = np.maximum(total - elapsed, 1.0)
        elapsed = np.minimum(elapsed.astype("int64"), start - self.children.birth[child])
        batch = _Batch(child, step, start - elapsed, np.zeros(step.size, dtype="int64"),
                       elapsed + remaining)
        off = np.setdiff1d(np.arange(len(self.children)), child)
        return batch, off


def simulate_episodes(
    children: Children, window: Window, rng: np.random.Generator, dyn: Dynamics | None = None
) -> Episodes:
    """All staircase episodes of the municipality's children, ongoing at or starting after the
    first day of the window, up to the simulation horizon."""
    model = _Model(children, window, dyn or Dynamics(), rng)
    batch, off = model.initial()
    pending = model.entries(off, np.maximum(children.arrive[off], window.start))
    batch = _Batch.concat([batch, pending])
    out: list[tuple[np.ndarray, ...]] = []
    while batch.child.size:
        draw = np.isnan(batch.length)
        length = batch.length.copy()
        length[draw] = _durations(rng, model.dyn, batch.step[draw])
        end = batch.start + np.maximum(length.astype("int64"), 1) - 1
        cap = np.minimum(children.leave[batch.child] - 1, window.horizon)
        capped = end >= cap
        end = np.minimum(end, cap)
        out.append((batch.child, batch.step, batch.start, end, batch.prev_step))

        go_on = ~capped
        child, step, end = batch.child[go_on], batch.step[go_on], end[go_on]
        nxt = model.next_steps(step, end)
        stay = nxt > 0
        following = _Batch(child[stay], nxt[stay], end[stay] + 1, step[stay],
                           np.full(int(stay.sum()), np.nan))
        batch = _Batch.concat([following, model.entries(child[~stay], end[~stay] + 1)])

    if not out:
        empty = np.zeros(0, dtype="int64")
        return Episodes(empty, empty, empty, empty, empty)
    child, step, start, end, prev = (np.concatenate(parts) for parts in zip(*out))
    order = np.lexsort((child, start))
    return Episodes(child[order], step[order], start[order], end[order], prev[order])
