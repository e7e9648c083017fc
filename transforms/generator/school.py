"""School registers: the national wellbeing survey (``trivsel``) and absence (``fravaer``).

Pupils are the simulated children living in the municipality at the start of a school year who go
to a municipal school (75-90 % of children, drawn per municipality; the rest attend private
schools, which are not in the register), in the grade their birth year gives (school starts in
grade 0 the calendar year a child turns 6; 4 % have been held back a year, 1 % are a year ahead;
about half continue into grade 10). They carry the same CPR numbers as in the case system.

- Wellbeing (grades 0-9): four indices 1-5 on the survey's item grid (averages of 2-5 items, so
  values such as 3,75 or 4,2), from a pupil's persistent level, yearly noise and a drop of 0.2-0.4
  for pupils with a measure (steps 2-6) during the school year; 10-15 % did not answer (all four
  empty), twice as many among pupils with a measure (the report: 22-37 % of the vulnerable pupils
  with an absence figure had no wellbeing answer, against 11-27 % of the others), and 1 % skipped
  one index.
- Absence (grades 0-10): school days (about 200, pro rata for pupils who move, and up to the
  extraction date in the current school year) and absence days in half days, on average 4.5-5.5 %
  of days for most pupils and 10-14 % for pupils with a measure (per municipality), drifting up by
  0.15 percentage points a year; skewed, so some pupils are absent far more.

Every draw is one numpy call over all pupils of a year (700 000 nationally).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .dates import day, ymd
from .measures import Measures
from .population import Children
from .seeding import Stream, rng_for
from .window import Window
from .writer import Col, Delivery, Schema

FIRST_SCHOOL_YEAR = 2014
SCHOOL_YEAR_START = (8, 1)
COUNTED_ON = (9, 5)
"""Pupils are those living in the municipality on this day of the school year."""
SCHOOL_DAYS = 200
TOP_GRADE = 10
SURVEY_TOP_GRADE = 9
INDICES = {
    # column: (mean level, item grid)
    "faglig_trivsel": (3.85, 0.25),
    "social_trivsel": (4.25, 0.2),
    "ro_og_orden": (3.7, 0.5),
    "stoette_og_inspiration": (3.3, 0.25),
}
VULNERABLE_STEPS = (2, 3, 4, 5, 6)
VULNERABLE_NO_ANSWER = 2.0
"""How many times more often a pupil with a measure misses the wellbeing survey."""
ABSENCE_DRIFT = 0.0015
"""Absence share added per school year since 2014/15 (the report's absence rose year on year)."""

_PUPIL = (("kommunekode", Col.INT), ("skoleaar", Col.TEXT), ("cpr", Col.CPR), ("klassetrin", Col.INT))
TRIVSEL = Schema("trivsel", "school", _PUPIL + tuple((name, Col.DECIMAL) for name in INDICES))
FRAVAER = Schema("fravaer", "school", _PUPIL + (("skoledage", Col.INT), ("fravaersdage", Col.DECIMAL)))


@dataclass(frozen=True)
class SchoolYear:
    """One school year's two register extracts (column -> array) and their delivery date."""

    year: int
    delivered: date
    trivsel: dict[str, np.ndarray]
    fravaer: dict[str, np.ndarray]

    @property
    def label(self) -> str:
        return school_year_label(self.year)

    @property
    def file_label(self) -> str:
        """``2016-17`` as written in the file name."""
        return self.label.replace("/", "-")


def school_year_label(year: int) -> str:
    """``2016/17`` for the school year starting in 2016, as written in the ``skoleaar`` column."""
    return f"{year}/{(year + 1) % 100:02d}"


def school_years(window: Window) -> list[int]:
    """Start years of the school years from 2014/15 (or the window's first) to the newest one that
    has started by the extraction date."""
    first = max(FIRST_SCHOOL_YEAR, window.from_year)
    return [y for y in range(first, window.to_year + 1) if date(y, *SCHOOL_YEAR_START) <= window.to_date]


@dataclass(frozen=True)
class _Pupils:
    """Per-child traits that persist from one school year to the next."""

    birth_year: np.ndarray
    municipal_school: np.ndarray
    grade_shift: np.ndarray
    level: np.ndarray


@dataclass(frozen=True)
class _Levels:
    """A municipality's school levels, drawn once (see the module docstring)."""

    gap: float
    absence_other: float
    absence_vulnerable: float
    no_answer: float
    delay_days: int


def _vulnerable(measures: Measures, n_children: int, first: int, last: int) -> np.ndarray:
    """Children with a measure on steps 2-6 active on at least one day of [first, last]."""
    m = measures
    hit = np.isin(m.step, VULNERABLE_STEPS) & (m.start <= last) & (m.end >= first)
    out = np.zeros(n_children, dtype=bool)
    out[m.child[hit]] = True
    return out


def _delivery(window: Window, year: int, delay_days: int) -> date:
    """Completed school years arrive some weeks after the summer; the current one at extraction."""
    ends = date(year + 1, *SCHOOL_YEAR_START)
    if ends > window.to_date:
        return window.to_date
    return min(ends + timedelta(days=14 + delay_days), window.to_date)


def build_school_years(children: Children, measures: Measures, window: Window, seed: int,
                       kommunekode: int) -> list[SchoolYear]:
    """Both register extracts for every school year of the window."""
    rng = rng_for(seed, kommunekode, Stream.SCHOOL)
    n = len(children)
    pupils = _Pupils(
        birth_year=ymd(children.birth)[0],
        municipal_school=rng.random(n) < rng.uniform(0.75, 0.90),
        grade_shift=rng.choice([0, -1, 1], size=n, p=[0.95, 0.04, 0.01]),
        level=rng.normal(0.0, 0.45, n),
    )
    levels = _Levels(
        gap=rng.uniform(0.2, 0.4),
        absence_other=rng.uniform(0.045, 0.055),
        absence_vulnerable=rng.uniform(0.10, 0.14),
        no_answer=rng.uniform(0.10, 0.15),
        delay_days=int(rng.integers(0, 60)),
    )
    return [
        _school_year(children, measures, window, year, pupils, levels, rng_for(seed, kommunekode, Stream.SCHOOL, year))
        for year in school_years(window)
    ]


def _school_year(children: Children, measures: Measures, window: Window, year: int, pupils: _Pupils,
                 levels: _Levels, rng: np.random.Generator) -> SchoolYear:
    first = day(date(year, *SCHOOL_YEAR_START))
    next_first = day(date(year + 1, *SCHOOL_YEAR_START))
    last = min(next_first - 1, window.end)
    counted = min(day(date(year, *COUNTED_ON)), window.end)
    grade = year - pupils.birth_year - 6 + pupils.grade_shift
    tenth_grade = rng.random(len(children)) < 0.55
    enrolled = (children.living_on(counted) & pupils.municipal_school & (grade >= 0) & (grade <= TOP_GRADE)
                & ((grade < TOP_GRADE) | tenth_grade))
    idx = np.flatnonzero(enrolled)
    idx = idx[np.lexsort((children.cpr[idx], grade[idx]))]
    grade = grade[idx]
    vulnerable = _vulnerable(measures, len(children), first, last)[idx]
    common = {"skoleaar": np.full(idx.size, school_year_label(year), dtype=object), "cpr": children.cpr[idx],
              "klassetrin": grade}

    surveyed = np.flatnonzero(grade <= SURVEY_TOP_GRADE)
    silent = rng.random(surveyed.size) < levels.no_answer * np.where(vulnerable[surveyed], VULNERABLE_NO_ANSWER, 1.0)
    trivsel = {k: v[surveyed] for k, v in common.items()}
    for name, (mean, grid) in INDICES.items():
        raw = (mean + pupils.level[idx[surveyed]] + rng.normal(0.0, 0.45, surveyed.size)
               - levels.gap * vulnerable[surveyed] - 0.02 * grade[surveyed])
        value = np.round(np.clip(np.round(raw / grid) * grid, 1.0, 5.0), 2)
        skipped = silent | (rng.random(surveyed.size) < 0.01)
        trivsel[name] = np.where(skipped, np.nan, value)

    enrolled_from = np.maximum(children.arrive[idx], first)
    enrolled_to = np.minimum(children.leave[idx] - 1, last)
    share = (enrolled_to - enrolled_from + 1) / (next_first - first)
    school_days = np.maximum(1, np.round(SCHOOL_DAYS * share)).astype("int64")
    rate = (np.where(vulnerable, levels.absence_vulnerable, levels.absence_other)
            + ABSENCE_DRIFT * (year - FIRST_SCHOOL_YEAR))
    absent = np.round(rng.gamma(1.5, rate / 1.5) * school_days * 2) / 2
    fravaer = dict(common, skoledage=school_days, fravaersdage=np.minimum(absent, school_days))
    return SchoolYear(year=year, delivered=_delivery(window, year, levels.delay_days), trivsel=trivsel, fravaer=fravaer)


def school_deliveries(kommunekode: int, years: list[SchoolYear]) -> list[Delivery]:
    """Both register files of every school year, named by school year and delivery date."""
    out = []
    for sy in years:
        for schema, frame in ((TRIVSEL, sy.trivsel), (FRAVAER, sy.fravaer)):
            rows = {"kommunekode": np.full(len(frame["cpr"]), kommunekode), **frame}
            out.append(Delivery(f"school/{kommunekode}", f"{schema.kind}_{sy.file_label}_{sy.delivered.isoformat()}",
                                schema, rows, sy.delivered, school_year=sy.year))
    return out
