"""home_based_movement (methodology.md §3).

Cohort: children aged 0-17 on r = d − 1 year with an active step-3 measure and no active placement
on steps 4-6 on r, who do not turn 18 by d. On d: up = on any of 4-6; none = not on 4-6 and still
on step 3; down = on none of steps 3-6 (a child with only a step-2 measure on d is down).
Published for d only when d − 1 year is itself a measurement point (from the 4th point on);
before that: no row (not 0).
"""
import pytest

from .builders import case_frames, figure, has_row, measure, measurement_dates, population, run, unit

REF = "2016-01-31"   # d − 1 year
D0 = "2017-01-31"    # d


def _main_case():
    # earliest start 1 Dec 2015 -> first point 31 Jan 2016; points Jan16 May16 Sep16 Jan17 May17 Sep17
    s = "2015-12-01"
    return case_frames(
        measures=[
            # A: step 3 throughout -> none
            measure("A", "SEL 52.3.3", start=s),
            # B: step 3 until 30 Jun 2016, then foster family -> up
            measure("B", "SEL 52.3.3", start=s, end="2016-06-30"),
            measure("B", "SEL 52.3.7", "plejefamilie", start="2016-07-01"),
            # C: step 3 until 30 Jun 2016, nothing after -> down
            measure("C", "SEL 52.3.2", start=s, end="2016-06-30"),
            # D: step 3 until 30 Jun 2016, then only a step-2 measure -> down
            measure("D", "SEL 52.3.2", start=s, end="2016-06-30"),
            measure("D", "SEL 11.3.1", start="2016-07-01"),
            # E: step 3 AND a foster placement on r -> not in cohort
            measure("E", "SEL 52.3.3", start=s),
            measure("E", "SEL 52.3.7", "plejefamilie", start=s, end="2016-03-01"),
            # F: 18th birthday on d (born 1999-01-31) -> turns 18 by d -> not in cohort
            measure("F", "SEL 52.3.3", start=s),
            # G: 18th birthday the day after d (born 1999-02-01) -> cohort; still step 3 -> none
            measure("G", "SEL 52.3.3", start=s),
            # H: room of one's own (step-3 placement) on r and on d -> cohort; none
            measure("H", "SEL 52.3.7", "eget_vaerelse", start=s),
            # I: step 3 on r; on d step 3 plus an institution -> up
            measure("I", "SEL 52.3.6", start=s),
            measure("I", "SEL 58", "opholdssted", start="2016-12-01"),
            # J: excluded (handicap) step-3 measure on r -> not in cohort
            measure("J", "SEL 52.3.3", start=s, handicap=True),
            # K: step 3 on r; on d only an excluded institution placement -> down
            measure("K", "SEL 52.3.3", start=s, end="2016-06-30"),
            measure("K", "SEL 58", "opholdssted", start="2016-07-01", handicap=True),
            # L: step 3 only from 1 Feb 2016 -> not in cohort
            measure("L", "SEL 52.3.3", start="2016-02-01"),
            # M: step 3 ending on r (active on r) -> cohort; nothing on d -> down
            measure("M", "SEL 52.3.3", start=s, end=REF),
            # N: step 3 on r, institution ended the day before r -> cohort; step 3 on d -> none
            measure("N", "SEL 52.3.3", start=s),
            measure("N", "SEL 58", "opholdssted", start=s, end="2016-01-30"),
            # O: stay for the whole family on r (step 3) -> cohort; network family on d -> up
            measure("O", "SEL 52.3.4", start=s, end="2016-05-01"),
            measure("O", "SEL 52.3.7", "netvaerksplejefamilie", start="2016-05-02"),
            # P: 18 on r itself (born 1998-01-31) -> not aged 0-17 on r -> not in cohort
            measure("P", "SEL 52.3.3", start=s),
        ],
        population=population(year=2016, children=1000) + population(year=2017, children=1000),
        born={"F": "1999-01-31", "G": "1999-02-01", "P": "1998-01-31"},
    )


def test_movement_up_down_none():
    df = run(_main_case())
    # cohort: A B C D G H I K M N O = 11   (E placed on r; F turns 18 on d; J excluded;
    #                                        L starts after r; P is 18 on r)
    # up:   B (5), I (6), O (4)       = 3 -> 3 / 11 × 100 = 27.2727...
    # down: C, D (step 2 only), K (only excluded placement), M = 4 -> 4 / 11 × 100 = 36.3636...
    # none: A, G, H, N                = 4 -> 36.3636...
    n, d, v = figure(df, "home_based_movement", D0, "up")
    assert (n, d) == (3, 11) and v == pytest.approx(300 / 11, rel=1e-12)
    n, d, v = figure(df, "home_based_movement", D0, "down")
    assert (n, d) == (4, 11) and v == pytest.approx(400 / 11, rel=1e-12)
    n, d, v = figure(df, "home_based_movement", D0, "none")
    assert (n, d) == (4, 11) and v == pytest.approx(400 / 11, rel=1e-12)
    total = sum(figure(df, "home_based_movement", D0, b).value for b in ("up", "down", "none"))
    assert total == pytest.approx(100.0)
    for b in ("up", "down", "none"):
        assert unit(df, "home_based_movement", D0, b) == "pct"


def test_movement_absent_at_points_1_to_3_and_present_from_the_4th():
    df = run(_main_case())
    points = [p.isoformat() for p in measurement_dates(df)]
    assert points == ["2016-01-31", "2016-05-31", "2016-09-30",
                      "2017-01-31", "2017-05-31", "2017-09-30"]
    # points 1-3: d − 1 year (31 Jan 2015, 31 May 2015, 30 Sep 2015) is no measurement point
    for d in points[:3]:
        assert not has_row(df, "home_based_movement", d), d
    # points 4-6: d − 1 year = 31 Jan / 31 May / 30 Sep 2016 are points -> all three breakdowns
    for d in points[3:]:
        for b in ("up", "down", "none"):
            assert has_row(df, "home_based_movement", d, b), (d, b)


def test_movement_absent_when_d_minus_one_year_precedes_the_first_point():
    # earliest start 1 Feb 2016 -> first point 31 May 2016; 31 Jan 2017 is then the 3rd point and
    # 31 Jan 2016 is no measurement point -> no movement row on 31 Jan 2017 although data exist
    frames = case_frames(
        measures=[measure("A", "SEL 52.3.3", start="2016-02-01")],
        population=population(year=2016) + population(year=2017),
    )
    df = run(frames)
    assert measurement_dates(df)[0].isoformat() == "2016-05-31"
    assert not has_row(df, "home_based_movement", "2017-01-31")
    # the 4th point, 31 May 2017 (d − 1 year = 31 May 2016, the first point) has it:
    # cohort A (step 3 on 31 May 2016), still step 3 -> none 1/1 = 100
    assert figure(df, "home_based_movement", "2017-05-31", "none") == (1, 1, pytest.approx(100.0))
    assert figure(df, "home_based_movement", "2017-05-31", "up") == (0, 1, pytest.approx(0.0))


def test_empty_movement_cohort_gives_null_shares():
    frames = case_frames(
        # only a placement: nobody on step 3 without a placement on 31 Jan 2016
        measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01")],
        population=population(year=2016) + population(year=2017),
    )
    df = run(frames)
    for b in ("up", "down", "none"):
        assert figure(df, "home_based_movement", D0, b) == (0, 0, None)


def test_an_excluded_placement_on_the_reference_date_does_not_keep_a_child_out_of_the_cohort():
    s = "2015-12-01"
    frames = case_frames(
        measures=[
            # A: step 3 + an excluded (handicap) institution on r -> in cohort; step 3 on d -> none
            measure("A", "SEL 52.3.3", start=s),
            measure("A", "SEL 58", "opholdssted", start=s, handicap=True),
            # B: an excluded step-3 measure and a valid one on r -> in cohort; nothing on d -> down
            measure("B", "SEL 52.3.3", start=s, handicap=True),
            measure("B", "SEL 52.3.2", start=s, end="2016-06-30"),
        ],
        population=population(year=2016) + population(year=2017),
    )
    df = run(frames)
    # cohort A, B = 2: none A 1/2 = 50; down B 1/2 = 50; up 0/2 = 0
    assert figure(df, "home_based_movement", D0, "none") == (1, 2, pytest.approx(50.0))
    assert figure(df, "home_based_movement", D0, "down") == (1, 2, pytest.approx(50.0))
    assert figure(df, "home_based_movement", D0, "up") == (0, 2, pytest.approx(0.0))
