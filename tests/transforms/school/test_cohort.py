"""Who counts, and in which group (methodology.md §5): hand-computed fixtures.

Every expected number is worked out in the comment beside it. Unless a test is about disclosure
control it runs with threshold 1, so that a group of one pupil shows its mean.
"""
from __future__ import annotations

import pytest

from .builders import absent, case_only, cell, frames, measure, pupil, run

# Absence 10 days of 200 = 5 %; the values below are chosen so that each pupil's share is distinct.


def test_school_year_boundary_measure_ending_31_july_and_starting_1_august():
    # school years: 2015/16 = 1 Aug 2015 - 31 Jul 2016; 2016/17 = 1 Aug 2016 - 31 Jul 2017
    f = frames(
        measures=[
            measure("ENDS", start="2016-01-01", end="2016-07-31"),     # last day of 2015/16
            measure("STARTS", start="2016-08-01"),                     # first day of 2016/17
            measure("ONE_DAY", start="2015-01-01", end="2016-08-01"),  # one day into 2016/17
            measure("LAST_DAY", start="2017-07-31", end="2017-12-31"), # the last day of 2016/17 only
            measure("BEFORE", start="2014-01-01", end="2015-07-31"),   # ends the day before 2015/16
        ],
        absence=[absent(p, 6, d, year=y) for y in ("2015/16", "2016/17")
                 for p, d in (("ENDS", 20), ("STARTS", 40), ("ONE_DAY", 0), ("LAST_DAY", 60), ("BEFORE", 8), ("OTHER", 10))],
    )
    df = run(f, suppression_threshold=1)
    # 2015/16: ENDS (20 → 10 %) and ONE_DAY (0 %) are vulnerable → mean 5 %, n 2
    assert cell(df, "2015/16", "vulnerable", "absence_pct") == (5.0, 2, False)
    # other: STARTS 20 %, LAST_DAY 30 %, BEFORE 4 %, OTHER 5 % → 59 / 4 = 14.75
    assert cell(df, "2015/16", "other", "absence_pct") == (14.75, 4, False)
    # 2016/17: STARTS 20 %, ONE_DAY 0 %, LAST_DAY 30 % → 50 / 3
    assert cell(df, "2016/17", "vulnerable", "absence_pct").mean == pytest.approx(50 / 3)
    assert cell(df, "2016/17", "vulnerable", "absence_pct").n == 3
    # other: ENDS 10 %, BEFORE 4 %, OTHER 5 % → 19 / 3
    assert cell(df, "2016/17", "other", "absence_pct").mean == pytest.approx(19 / 3)
    # gap = other − vulnerable
    assert cell(df, "2016/17", "gap", "absence_pct").mean == pytest.approx(19 / 3 - 50 / 3)
    assert cell(df, "2015/16", "gap", "absence_pct") == (14.75 - 5.0, None, False)


def test_grades_3_and_10_are_out_and_each_file_decides_by_its_own_grade():
    f = frames(
        measures=[case_only()],
        wellbeing=[pupil("G3", 3, all=1.0), pupil("G4", 4, all=2.0), pupil("G9", 9, all=4.0), pupil("G10", 10, all=5.0),
                   pupil("P", 3, all=5.0),   # grade 3 in the survey file, grade 4 in the absence file
                   pupil("Q", 9, all=1.5)],  # grade 9 in the survey file, grade 10 in the absence file
        absence=[absent("G3", 3, 100), absent("G4", 4, 10), absent("G9", 9, 30), absent("G10", 10, 100),
                 absent("P", 4, 40), absent("Q", 10, 100)],
    )
    df = run(f, suppression_threshold=1)
    # wellbeing: G4 2.0, G9 4.0, Q 1.5 → 7.5 / 3 = 2.5 (G3, G10 and P's grade-3 answers are out)
    for indicator in ("academic_wellbeing", "social_wellbeing", "classroom_calm", "support_inspiration"):
        assert cell(df, "2016/17", "other", indicator) == (2.5, 3, False)
    # absence: G4 5 %, G9 15 %, P 20 % → 40 / 3 (G3, G10 and Q's grade-10 row are out)
    got = cell(df, "2016/17", "other", "absence_pct")
    assert got.n == 3 and got.mean == pytest.approx(40 / 3)


def test_pupils_without_answers_count_for_absence_only():
    f = frames(
        measures=[case_only()],
        wellbeing=[pupil("A", 5, all=4.0),
                   pupil("B", 5),                                                  # in the file, all four empty
                   pupil("D", 5, academic=2.0, social=None, calm=3.0, support=3.0)],  # skipped one index
        # C is not in the survey file at all
        absence=[absent("A", 5, 10), absent("B", 5, 20), absent("C", 5, 30), absent("D", 5, 40)],
    )
    df = run(f, suppression_threshold=1)
    assert cell(df, "2016/17", "other", "academic_wellbeing") == (3.0, 2, False)   # (4 + 2) / 2
    assert cell(df, "2016/17", "other", "social_wellbeing") == (4.0, 1, False)     # A only
    assert cell(df, "2016/17", "other", "classroom_calm") == (3.5, 2, False)
    assert cell(df, "2016/17", "other", "absence_pct") == (12.5, 4, False)         # (5 + 10 + 15 + 20) / 4


def test_target_group_exclusions_and_what_makes_a_pupil_vulnerable():
    year = [
        measure("HANDICAP", "SEL 52.3.3", start="2016-09-01", handicap=True),      # excluded: other
        measure("REFUGEE", "SEL 11.3", start="2016-09-01", refugee=True),          # excluded: other
        measure("OUT_OF_SCOPE", "SEL 52a", start="2016-09-01"),                    # out of scope: other
        measure("ELSEWHERE", "SEL 11.3", start="2016-09-01", kommune=657),         # another municipality's case: other
        measure("MIXED", "SEL 52.3.3", start="2016-09-01", handicap=True),         # excluded measure ...
        measure("MIXED", "SEL 11.3", start="2017-03-01", end="2017-04-01"),        # ... and a step-2 one: vulnerable
        measure("STEP3", "SEL 52.3.3", start="2012-01-01", end="2016-10-01"),      # step 3: vulnerable
        measure("PLACED", "SEL 52.3.7", "plejefamilie", start="2017-05-01"),       # step 5: vulnerable
        measure("ADULT", "SEL 11.3", start="2017-02-01", born="1999-01-15"),       # 18 on 15 Jan 2017, measure after: other
    ]
    values = {"HANDICAP": 2, "REFUGEE": 4, "OUT_OF_SCOPE": 6, "ELSEWHERE": 8, "MIXED": 10, "STEP3": 20, "PLACED": 30,
              "ADULT": 12, "NONE": 14}
    f = frames(measures=year, absence=[absent(p, 7, d) for p, d in values.items()])
    df = run(f, suppression_threshold=1)
    # vulnerable: MIXED 5 %, STEP3 10 %, PLACED 15 % → 10 %
    assert cell(df, "2016/17", "vulnerable", "absence_pct") == (10.0, 3, False)
    # other: 1 + 2 + 3 + 4 + 6 + 7 = 23 % over 6 pupils
    got = cell(df, "2016/17", "other", "absence_pct")
    assert got.n == 6 and got.mean == pytest.approx(23 / 6)


def test_the_vulnerable_group_is_never_broken_down_by_measure_type():
    f = frames(measures=[measure("A", "SEL 52.3.7", "doegninstitution", start="2016-01-01")],
               absence=[absent("A", 5, 10), absent("B", 5, 10)])
    df = run(f, suppression_threshold=1)
    assert set(df["pupil_group"]) == {"vulnerable", "other", "gap"}
    assert list(df.columns) == ["kommunekode", "school_year", "pupil_group", "indicator", "mean", "n", "suppressed"]


def test_membership_is_decided_per_school_year():
    # A pupil's measure in 2015/16 does not make them vulnerable in 2016/17 (turnover of the group)
    f = frames(measures=[measure("A", start="2015-09-01", end="2016-03-01"), measure("B", start="2016-09-01", end="2016-10-01")],
               absence=[absent(p, g, d, year=y) for y, g in (("2015/16", 5), ("2016/17", 6)) for p, d in (("A", 10), ("B", 30))])
    df = run(f, suppression_threshold=1)
    assert cell(df, "2015/16", "vulnerable", "absence_pct") == (5.0, 1, False)
    assert cell(df, "2015/16", "other", "absence_pct") == (15.0, 1, False)
    assert cell(df, "2016/17", "vulnerable", "absence_pct") == (15.0, 1, False)
    assert cell(df, "2016/17", "other", "absence_pct") == (5.0, 1, False)


def test_municipalities_are_joined_separately():
    # The same pupil delivered by two municipalities (moved during the year): each file counts
    # in its own municipality, and only that municipality's case data decide the group.
    f = frames(measures=[measure("A", start="2016-09-01", kommune=510), measure("X", start="2010-01-01", kommune=657)],
               absence=[absent("A", 5, 10, kommune=510), absent("A", 5, 30, kommune=657)])
    df = run(f, suppression_threshold=1)
    assert cell(df, "2016/17", "vulnerable", "absence_pct", kommune=510) == (5.0, 1, False)
    assert cell(df, "2016/17", "other", "absence_pct", kommune=657) == (15.0, 1, False)
    assert cell(df, "2016/17", "vulnerable", "absence_pct", kommune=657) == (None, 0, True)
