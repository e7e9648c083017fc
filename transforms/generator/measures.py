"""Measures (``foranstaltninger``): staircase episodes turned into the rows a case system holds.

One episode becomes one measure with a legal basis, a placement setting for placements, who granted
it and the target-group flags. Beside the episodes' own measures, children get the concurrent
measures real case files show:

- a second home-based measure beside a home-based one (family treatment plus a contact person);
- a home-based measure and/or support for the parents (``SEL 54`` / ``BL 75``, ``BL 76``) while the
  child is placed (the "parent-directed" kind of methodology.md §3);
- aftercare (``SEL 76`` / ``BL 114``-``116``, out of scope) from the 18th birthday of a child placed
  until then, sometimes in the same setting.

A few measures of a preventive episode carry a known out-of-scope code instead (``SEL 11.6``,
``SEL 52a``, ``BL 35`` …), and before 2014 a share of advice carries ``SEL 52.3.1`` (step 2 then).
Every measure ends at the latest the day before the 18th birthday, except aftercare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import legal
from .dates import DAYS_PER_YEAR, NO_DAY, add_years, age_on
from .population import ADULT_AGE, Children
from .seeding import categorical
from .staircase import PLACEMENT_STEPS, Episodes
from .window import Window

AFTERCARE_MAX_AGE = 23
NO_PREVIOUS = -1
"""``prev_step`` of measures that are not a staircase episode of their own (concurrent, aftercare)."""

GRANTED_BY = np.array(["myndighed", "ppr", "andet"], dtype=object)


@dataclass(frozen=True)
class Measures:
    """All measures of a municipality over the whole simulation, one element per measure.

    ``end`` is the true last day (it may lie after the extraction date); ``planned_end`` says whether
    the case system already records it while the measure is still running.
    """

    seq: np.ndarray
    child: np.ndarray
    step: np.ndarray
    paragraf: np.ndarray
    setting: np.ndarray
    start: np.ndarray
    end: np.ndarray
    planned_end: np.ndarray
    bevilget_af: np.ndarray
    handicap: np.ndarray
    refugee: np.ndarray
    prev_step: np.ndarray

    def __len__(self) -> int:
        return int(self.seq.size)

    def known_on(self, at: int) -> Measures:
        """What the case system holds on day ``at``: measures started by then, with their end if it
        has passed or was planned, else open (empty ``slutdato``)."""
        keep = self.start <= at
        fields = {f: getattr(self, f)[keep] for f in self.__dataclass_fields__}
        open_ended = (fields["end"] > at) & ~fields["planned_end"]
        fields["end"] = np.where(open_ended, NO_DAY, fields["end"])
        return Measures(**fields)


@dataclass
class _Rows:
    """Measure rows under construction (before ids, grants and flags)."""

    child: np.ndarray
    step: np.ndarray
    paragraf: np.ndarray
    setting: np.ndarray
    start: np.ndarray
    end: np.ndarray
    prev_step: np.ndarray


def _episode_rows(ep: Episodes, children: Children, handicap_child: np.ndarray,
                  rng: np.random.Generator) -> _Rows:
    """The measure of each episode itself."""
    n = len(ep)
    age = age_on(children.birth[ep.child], ep.start)
    paragraf = np.empty(n, dtype=object)
    setting = np.full(n, "", dtype=object)

    pre = np.flatnonzero(ep.step == 2)
    paragraf[pre] = legal.codes(legal.PREVENTIVE, ep.start[pre], rng)
    old_advice = pre[(ep.start[pre] < legal.ADVICE_MOVED) & (rng.random(pre.size) < 0.25)]
    paragraf[old_advice] = legal.PREVENTIVE_ADVICE_BEFORE_2014
    out_of_scope = pre[rng.random(pre.size) < 0.04]
    paragraf[out_of_scope] = legal.codes([legal.OUT_OF_SCOPE_PREVENTIVE], ep.start[out_of_scope], rng)

    home = np.flatnonzero(ep.step == 3)
    paragraf[home] = _home_based_codes(ep.start[home], age[home], handicap_child[ep.child[home]], rng)
    own_room = home[(age[home] >= 15) & (rng.random(home.size) < 0.08)]
    whole_family = home[(age[home] < 12) & (rng.random(home.size) < 0.004)]
    paragraf[whole_family] = legal.codes([legal.WHOLE_FAMILY], ep.start[whole_family], rng)

    placed = np.flatnonzero(np.isin(ep.step, PLACEMENT_STEPS))
    placements = np.concatenate([placed, own_room])
    paragraf[placements] = legal.codes(legal.PLACEMENT, ep.start[placements], rng)
    setting[placements] = legal.settings(ep.step[placements], ep.start[placements], age[placements], rng)
    return _Rows(ep.child, ep.step, paragraf, setting, ep.start, ep.end, ep.prev_step)


def _home_based_codes(start: np.ndarray, age: np.ndarray, handicap: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Home-based kinds by age: traineeships for teenagers, relief stays for disabled children, and
    no day-care stay before 2014 (``SEL 52.3.1`` then meant advice, step 2)."""
    names = list(legal.HOME_BASED)
    weights = np.tile([k.weight for k in legal.HOME_BASED.values()], (start.size, 1))
    weights[age < 14, names.index("traineeship")] = 0
    weights[start < legal.ADVICE_MOVED, names.index("day_care")] = 0
    weights[handicap, names.index("relief")] *= 8
    pick = categorical(rng, weights / weights.sum(axis=1, keepdims=True))
    return legal.law_codes(list(legal.HOME_BASED.values()), pick, start, rng)


def _within(rng: np.random.Generator, start: np.ndarray, end: np.ndarray,
            lo: tuple[float, float], hi: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """A sub-interval of [start, end]: starting a fraction drawn from ``lo`` into it, ending a
    fraction drawn from ``hi`` into it (never before its own start)."""
    length = (end - start).astype(float)
    s = start + (rng.uniform(*lo, start.size) * length).astype("int64")
    e = start + (rng.uniform(*hi, start.size) * length).astype("int64")
    return s, np.maximum(e, s)


def _concurrent_rows(ep: Episodes, main: _Rows, children: Children, handicap_child: np.ndarray,
                     rng: np.random.Generator) -> list[_Rows]:
    """Measures running beside an episode's own measure."""
    rows = []
    whole_family = np.isin(main.paragraf, legal.WHOLE_FAMILY.sel + legal.WHOLE_FAMILY.bl)
    plain_home = np.flatnonzero((ep.step == 3) & (main.setting == "") & ~whole_family)
    second = plain_home[rng.random(plain_home.size) < 0.25]
    s, e = _within(rng, ep.start[second], ep.end[second], (0.0, 0.5), (0.5, 1.0))
    child = ep.child[second]
    codes = _home_based_codes(s, age_on(children.birth[child], s), handicap_child[child], rng)
    rows.append(_Rows(child, np.full(second.size, 3), codes, np.full(second.size, "", dtype=object), s, e,
                      np.full(second.size, NO_PREVIOUS)))

    placed = np.flatnonzero(np.isin(ep.step, PLACEMENT_STEPS))
    for share, kinds, lo, hi in (
        (0.65, [legal.HOME_BASED[k] for k in ("family_treatment", "contact_person", "home_support", "other")],
         (0.0, 0.25), (0.75, 1.0)),
        (0.30, [legal.PARENT_SUPPORT], (0.0, 0.3), (0.5, 1.0)),
    ):
        pick = placed[rng.random(placed.size) < share]
        s, e = _within(rng, ep.start[pick], ep.end[pick], lo, hi)
        rows.append(_Rows(ep.child[pick], np.full(pick.size, 3), legal.codes(kinds, s, rng),
                          np.full(pick.size, "", dtype=object), s, e, np.full(pick.size, NO_PREVIOUS)))
    return rows


def _aftercare_rows(main: _Rows, children: Children, rng: np.random.Generator) -> _Rows:
    """Aftercare for young people placed until their 18th birthday (out of scope, 18-22)."""
    eighteenth = add_years(children.birth[main.child], ADULT_AGE)
    aged_out = (main.setting != "") & (main.end == eighteenth - 1) & (children.leave[main.child] == eighteenth)
    pick = np.flatnonzero(aged_out & (rng.random(main.child.size) < 0.45))
    start = eighteenth[pick]
    last = add_years(children.birth[main.child[pick]], AFTERCARE_MAX_AGE) - 1
    end = np.minimum(start + (rng.uniform(0.5, 4.5, pick.size) * DAYS_PER_YEAR).astype("int64"), last)
    setting = np.where(rng.random(pick.size) < 0.5, main.setting[pick], "").astype(object)
    return _Rows(main.child[pick], np.zeros(pick.size, dtype="int64"), legal.codes([legal.AFTERCARE], start, rng),
                 setting, start, end, np.full(pick.size, NO_PREVIOUS))


def build_measures(ep: Episodes, children: Children, window: Window, rng: np.random.Generator) -> Measures:
    """Every measure of the municipality, numbered in order of start date."""
    handicap_child = rng.random(len(children)) < 0.06
    main = _episode_rows(ep, children, handicap_child, rng)
    parts = [main, *_concurrent_rows(ep, main, children, handicap_child, rng), _aftercare_rows(main, children, rng)]
    r = _Rows(*(np.concatenate([getattr(p, f) for p in parts]) for f in _Rows.__dataclass_fields__))
    order = np.lexsort((r.child, r.start))
    r = _Rows(*(getattr(r, f)[order] for f in _Rows.__dataclass_fields__))
    n = r.child.size

    first_start = np.full(len(children), np.iinfo("int64").max)
    np.minimum.at(first_start, r.child, r.start)
    first_age = age_on(children.birth, np.minimum(first_start, window.horizon))
    refugee_child = (first_age >= 13) & (rng.random(len(children)) < 0.10)

    grant_probs = np.where((r.step == 2)[:, None], [0.65, 0.20, 0.15],
                           np.where(np.isin(r.step, PLACEMENT_STEPS)[:, None], [0.99, 0.0, 0.01], [0.95, 0.02, 0.03]))
    eighteenth = add_years(children.birth[r.child], ADULT_AGE)
    planned = rng.random(n) < np.where(r.end == eighteenth - 1, 0.7, 0.15)
    return Measures(
        seq=np.arange(1, n + 1),
        child=r.child,
        step=r.step,
        paragraf=r.paragraf,
        setting=r.setting,
        start=r.start,
        end=r.end,
        planned_end=planned,
        bevilget_af=GRANTED_BY[categorical(rng, grant_probs)],
        handicap=handicap_child[r.child],
        refugee=refugee_child[r.child],
        prev_step=r.prev_step,
    )
