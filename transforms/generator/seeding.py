"""Random streams: one independent numpy Generator per (seed, municipality, purpose).

Each municipality and each purpose draws from its own stream, so a municipality's files do not
depend on which other municipalities are generated, on their order, or on the process that
generates them, and adding draws for one purpose never shifts another purpose's numbers.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

NATIONAL = 0
"""Pseudo municipality code for national draws (the population file, the CPR permutation)."""


class Stream(IntEnum):
    """Purposes with their own random stream. Never renumber: it would change every inbox."""

    CHILDREN = 1
    STAIRCASE = 2
    MEASURES = 3
    INVESTIGATIONS = 4
    CASEWORKERS = 5
    FOLLOWUPS = 6
    SCHOOL = 7
    LEDGER = 8
    CONVENTIONS = 9
    FLAWS = 10
    WRITER = 11
    POPULATION = 12
    CPR = 13


def rng_for(seed: int, kommunekode: int, stream: Stream, *extra: int) -> np.random.Generator:
    """The generator of one purpose; ``extra`` separates e.g. files or years within it."""
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.default_rng(np.random.SeedSequence([seed, kommunekode, int(stream), *extra]))


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of ``probs`` (each row sums to 1): the column index drawn, vectorised."""
    u = rng.random(probs.shape[0])[:, None]
    return np.minimum((u > np.cumsum(probs, axis=1)).sum(axis=1), probs.shape[1] - 1)
