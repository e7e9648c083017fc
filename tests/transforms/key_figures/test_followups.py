"""days_between_followups (methodology.md §3).

median: measures on steps 3-6 active on d; all gaps in days between consecutive follow-ups of the
same measure, both dates in (d − 1 year, d]. Numerator: number of gaps; denominator: number of
measures with at least one gap; value: the median gap (unit `days`). Follow-ups of one measure on
the same day count as one.
share_within_standard: measures on steps 3-6 active on d that started MORE than their standard
before d. Numerator: those whose latest follow-up on or before d is AT MOST their standard before
d; denominator: all of them (unit `pct`). Standard default: 92 days on steps 3-5, 42 on step 6.
The counting unit here is the measure, not the child.

d = 30 Sep 2016 throughout: d − 1 year = 30 Sep 2015; d − 92 days = 30 Jun 2016;
d − 42 days = 19 Aug 2016; d − 30 days = 31 Aug 2016.
"""
import pytest

from .builders import case_frames, figure, followup, measure, population, run, unit

KF = "days_between_followups"
D0 = "2016-09-30"


def _df(measures, followups, **params):
    frames = case_frames(
        measures=[measure("anchor", "SEL 52.3.3", start="2015-01-01", id="anchor"), *measures],
        followups=followups,
        population=population(year=2016),
    )
    return run(frames, **params)


def test_median_gap_over_measures_active_on_d():
    df = _df(
        [
            measure("A", "SEL 52.3.3", start="2015-01-01", id="m1"),                       # step 3
            measure("B", "SEL 52.3.7", "plejefamilie", start="2015-06-01", id="m2"),       # step 5
            measure("C", "SEL 58", "opholdssted", start="2016-01-01", id="m3"),            # step 6
            measure("D", "SEL 11.3.1", start="2015-01-01", id="m4"),                       # step 2
            measure("E", "SEL 52.3.3", start="2015-01-01", end="2016-09-29", id="m5"),     # ended
            measure("F", "SEL 52.3.3", start="2015-01-01", handicap=True, id="m6"),        # excluded
            measure("G", "SEL 52.3.7", "netvaerksplejefamilie", start="2015-01-01", id="m7"),  # step 4
            measure("H", "SEL 52.3.7", "plejefamilie", start="2015-01-01", id="m8"),       # step 5
            measure("K", "SEL 52a", start="2015-01-01", id="m9"),                          # out of scope
        ],
        [
            # m1: 30 Sep 2015 is d − 1 year (outside), 1 Oct 2016 is after d (outside);
            #     1 Nov 2015, 1 Jan 2016 (twice: counts once), 1 Mar 2016 inside
            #     -> gaps 1 Nov->1 Jan = 61, 1 Jan->1 Mar 2016 = 60 (leap year)
            followup("m1", "2015-09-30"), followup("m1", "2015-11-01"),
            followup("m1", "2016-01-01"), followup("m1", "2016-01-01"),
            followup("m1", "2016-03-01"), followup("m1", "2016-10-01"),
            # m2: 1 Jun 2016 -> 30 Sep 2016 = 121
            followup("m2", "2016-06-01"), followup("m2", D0),
            # m3: a single follow-up -> no gap
            followup("m3", "2016-08-01"),
            # m4 (step 2), m5 (not active on d), m6 (excluded), m9 (out of scope): ignored
            followup("m4", "2016-01-01"), followup("m4", "2016-02-01"),
            followup("m5", "2016-01-01"), followup("m5", "2016-02-01"),
            followup("m6", "2016-01-01"), followup("m6", "2016-02-01"),
            followup("m9", "2016-01-01"), followup("m9", "2016-02-01"),
            # m7: 1 Sep -> 15 Sep 2016 = 14
            followup("m7", "2016-09-01"), followup("m7", "2016-09-15"),
            # m8: 1 Apr -> 11 Apr 2016 = 10
            followup("m8", "2016-04-01"), followup("m8", "2016-04-11"),
        ],
    )
    # gaps: 61, 60 (m1), 121 (m2), 14 (m7), 10 (m8) -> 5 gaps over 4 measures (m1 m2 m7 m8)
    # sorted 10, 14, 60, 61, 121 -> median 60
    assert figure(df, KF, D0, "median") == (5, 4, pytest.approx(60.0))
    assert unit(df, KF, D0, "median") == "days"


def test_same_day_followups_count_once():
    df = _df(
        [measure("A", "SEL 52.3.3", start="2015-01-01", id="m1")],
        [followup("m1", "2016-01-01"), followup("m1", "2016-01-01"), followup("m1", "2016-02-01")],
    )
    # distinct dates 1 Jan, 1 Feb 2016 -> one gap of 31 days; numerator 1, denominator 1, median 31
    # (counting the duplicate would give gaps 0 and 31 -> 2 gaps, median 15.5)
    assert figure(df, KF, D0, "median") == (1, 1, pytest.approx(31.0))


def test_median_of_an_even_number_of_gaps_is_the_mean_of_the_middle_two():
    df = _df(
        [measure("A", "SEL 52.3.3", start="2015-01-01", id="m1"),
         measure("B", "SEL 52.3.3", start="2015-01-01", id="m2")],
        [followup("m1", "2016-03-01"), followup("m1", "2016-03-11"),   # 10
         followup("m2", "2016-03-01"), followup("m2", "2016-03-21")],  # 20
    )
    # gaps 10, 20 -> median (10 + 20) / 2 = 15.0
    assert figure(df, KF, D0, "median") == (2, 2, pytest.approx(15.0))


def test_followups_of_the_same_child_on_two_measures_are_not_merged():
    df = _df(
        [measure("A", "SEL 52.3.3", start="2015-01-01", id="m1"),
         measure("A", "SEL 52.3.6", start="2015-01-01", id="m2")],
        [followup("m1", "2016-03-01"), followup("m1", "2016-03-31"),   # m1: 30
         followup("m2", "2016-03-15"), followup("m2", "2016-04-30")],  # m2: 46
    )
    # per measure: 30 and 46 (merging per child would give 14, 16, 30) -> 2 gaps, 2 measures,
    # median (30 + 46) / 2 = 38.0
    assert figure(df, KF, D0, "median") == (2, 2, pytest.approx(38.0))


def test_share_within_standard_with_default_standards():
    df = _df(
        [
            measure("s1", "SEL 52.3.3", start="2016-06-29", id="s1"),                      # 3: 93 d before d
            measure("s2", "SEL 52.3.3", start="2016-06-30", id="s2"),                      # 3: exactly 92
            measure("s3", "SEL 52.3.7", "plejefamilie", start="2015-01-01", id="s3"),      # 5
            measure("s4", "SEL 52.3.7", "plejefamilie", start="2015-01-01", id="s4"),      # 5
            measure("s5", "SEL 58", "opholdssted", start="2016-08-18", id="s5"),           # 6: 43 d
            measure("s6", "SEL 58", "opholdssted", start="2016-08-19", id="s6"),           # 6: exactly 42
            measure("s7", "SEL 58", "doegninstitution", start="2015-01-01", id="s7"),      # 6
            measure("s8", "SEL 52.3.7", "netvaerksplejefamilie", start="2015-01-01", id="s8"),  # 4
            measure("s9", "SEL 52.3.7", "eget_vaerelse", start="2015-01-01", id="s9"),     # 3 (placement)
            measure("s10", "SEL 11.3.1", start="2015-01-01", id="s10"),                    # step 2
            measure("s11", "SEL 52.3.7", "plejefamilie", start="2015-01-01", handicap=True, id="s11"),
            measure("s12", "SEL 52.3.3", start="2015-01-01", end="2016-09-29", id="s12"),  # ended
            measure("s13", "SEL 58", "opholdssted", start="2015-01-01", id="s13"),         # 6
        ],
        [
            followup("s1", "2016-06-30"),                                   # 92 days before d: within
            followup("s3", "2016-06-29"),                                   # 93 days: not within
            followup("s4", "2016-06-29"), followup("s4", "2016-10-01"),     # latest on/before d 93 d: no
            followup("s5", "2016-08-19"),                                   # 42 days (step 6): within
            followup("s7", "2016-08-18"),                                   # 43 days (step 6): not within
            # s8: no follow-up at all -> not within
            followup("s9", "2016-07-15"),                                   # 77 days (step 3): within
            followup("s10", "2016-09-01"), followup("s11", "2016-09-01"),   # not eligible
            followup("s12", "2016-09-01"),                                  # not active on d
            followup("s13", D0),                                            # on d (0 days): within
            followup("anchor", "2015-02-01"),                               # anchor: 607 days: not
        ],
    )
    # eligible (active on d, steps 3-6, started more than the standard before d):
    #   anchor, s1, s3, s4, s5, s7, s8, s9, s13 = 9   (s2, s6 started exactly their standard
    #   before d; s10 step 2; s11 excluded; s12 ended)
    # within: s1, s5, s9, s13 = 4 -> 4 / 9 × 100 = 44.444...
    n, d, v = figure(df, KF, D0, "share_within_standard")
    assert (n, d) == (4, 9) and v == pytest.approx(400 / 9, rel=1e-12)
    assert unit(df, KF, D0, "share_within_standard") == "pct"


def test_share_within_standard_uses_the_standard_parameter():
    measures = [
        measure("A", "SEL 52.3.3", start="2015-01-01", id="a"),
        measure("B", "SEL 52.3.3", start="2015-01-01", id="b"),
    ]
    followups = [
        followup("anchor", "2016-09-01"),   # 29 days before d
        followup("a", "2016-08-31"),        # 30 days before d
        followup("b", "2016-08-30"),        # 31 days before d
    ]
    # default (92 days on step 3): anchor, a, b all within -> 3 / 3 × 100 = 100.0
    df = _df(measures, followups)
    assert figure(df, KF, D0, "share_within_standard") == (3, 3, pytest.approx(100.0))
    # step 3 standard 30 days: anchor (29) and a (30) within, b (31) not -> 2 / 3 × 100 = 66.666...
    df = _df(measures, followups, followup_standard_days={3: 30, 4: 92, 5: 92, 6: 42})
    n, d, v = figure(df, KF, D0, "share_within_standard")
    assert (n, d) == (2, 3) and v == pytest.approx(200 / 3, rel=1e-12)


def test_share_within_standard_with_no_eligible_measure_is_null():
    frames = case_frames(
        measures=[measure("A", "SEL 11.3.1", start="2015-01-01")],   # step 2 only
        population=population(year=2016),
    )
    df = run(frames)
    assert figure(df, KF, D0, "share_within_standard") == (0, 0, None)


def test_followups_join_their_measure_within_the_municipality():
    # measure ids are unique within one municipality's file only: 510 and 657 both have "X1"
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.3", start="2015-01-01", id="X1", kommune=510),
            measure("B", "SEL 52.3.3", start="2015-01-01", id="X1", kommune=657),
        ],
        followups=[
            followup("X1", "2016-03-01", kommune=510), followup("X1", "2016-03-11", kommune=510),
            followup("X1", "2016-05-01", kommune=657), followup("X1", "2016-05-31", kommune=657),
        ],
        population=population(k=510, year=2016) + population(k=657, year=2016),
    )
    df = run(frames)
    # 510: only its own X1 -> one gap of 10 days; 657: one gap of 30 days
    # (joining on the id alone would give each measure the follow-ups 1 Mar, 11 Mar, 1 May, 31 May
    #  -> gaps 10, 51, 30)
    assert figure(df, KF, D0, "median", kommune=510) == (1, 1, pytest.approx(10.0))
    assert figure(df, KF, D0, "median", kommune=657) == (1, 1, pytest.approx(30.0))
