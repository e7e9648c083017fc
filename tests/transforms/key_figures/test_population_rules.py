"""Common rules of methodology.md §2: active on a date (both ends inclusive), child = aged 0-17,
turning 18 (29 February -> 1 March in a common year), the denominator population (newest figure
on or before d, ages 0-17 only, per municipality; none -> no per-1000 rows but shares still
published), measurement points (three a year, from the first on or after the earliest startdato
to the last on or before the measures snapshot's extraction date; a parameter can set a later
first point), distinct children as the counting unit.
"""
import datetime as dt

import pytest

from .builders import (
    case_frames, figure, has_row, investigation, measure, measurement_dates, population, run,
)

JAN16 = "2016-01-31"
PER_1000 = ("placed_per_1000", "home_based_per_1000", "preventive_per_1000")


def _placed(df, d):
    return figure(df, "placed_per_1000", d)


def test_a_measure_is_active_on_its_start_day_and_on_its_end_day_not_after():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.7", "plejefamilie", start=JAN16),                     # starts on d
            measure("B", "SEL 52.3.7", "plejefamilie", start="2015-12-01", end=JAN16),   # ends on d
            measure("C", "SEL 52.3.7", "plejefamilie", start="2015-12-01", end="2016-01-30"),  # day before
            measure("D", "SEL 52.3.7", "plejefamilie", start="2016-02-01"),              # day after
        ],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # A and B -> 2 / 1000 × 1000 = 2.0
    assert _placed(df, JAN16) == (2, 1000, pytest.approx(2.0))


def test_a_child_whose_18th_birthday_is_d_is_not_counted_the_day_before_it_is():
    frames = case_frames(
        measures=[
            measure("E", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),   # 18 on 31 Jan 2016
            measure("F", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),   # 18 on 1 Feb 2016
            measure("G", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),   # 18 on 31 May 2016
        ],
        population=population(year=2016, children=1000),
        born={"E": "1998-01-31", "F": "1998-02-01", "G": "1998-05-31"},
    )
    df = run(frames)
    # 31 Jan 2016: E turns 18 that day -> out; F (17, birthday tomorrow) and G in -> 2.0
    assert _placed(df, JAN16) == (2, 1000, pytest.approx(2.0))
    # 31 May 2016: E, F adults; G turns 18 that day -> 0 -> 0.0
    assert _placed(df, "2016-05-31") == (0, 1000, pytest.approx(0.0))


def test_born_29_february_turns_18_on_1_march_in_a_common_year():
    # Measurement points never fall on 28 Feb / 1 Mar, so this uses the age rule of
    # preventive_followed_by_investigation ("aged 0-17 on their earliest such start").
    # Both children are born 29 Feb 2000; 2018 is a common year -> 18th birthday 1 Mar 2018.
    frames = case_frames(
        measures=[
            measure("anchor", "SEL 52.3.3", start="2017-06-01"),
            measure("X", "SEL 11.3.1", start="2018-02-28"),   # aged 17 on the start -> a starter
            measure("Y", "SEL 11.3.1", start="2018-03-01"),   # 18th birthday -> not a starter
        ],
        investigations=[investigation("X", "2018-03-15"), investigation("Y", "2018-03-15")],
        population=population(year=2018),
        born={"X": "2000-02-29", "Y": "2000-02-29"},
        extraction_date="2018-06-15",
    )
    df = run(frames)
    # d = 31 May 2018, window (30 Nov 2017, 31 May 2018]: starters X = 1, investigated -> 1/1 = 100
    # (with 28 Feb as the birthday X would be out and Y... also out: 0/0 -> null;
    #  without any birthday shift both would be in: 2/2)
    assert figure(df, "preventive_followed_by_investigation", "2018-05-31") == (
        1, 1, pytest.approx(100.0))


def test_born_29_february_placed_child_counts_until_the_18th_birthday():
    # Born 29 Feb 2000: on the point 31 Jan 2018 aged 17, on 31 May 2018 aged 18
    # (a sanity check beside the 28 Feb / 1 Mar test above)
    frames = case_frames(
        measures=[measure("X", "SEL 52.3.7", "plejefamilie", start="2017-12-01")],
        population=population(year=2018),
        born={"X": "2000-02-29"},
        extraction_date="2018-06-15",
    )
    df = run(frames)
    # 31 Jan 2018: X aged 17 -> 1 / 1000 × 1000 = 1.0; 31 May 2018: aged 18 -> 0.0
    assert _placed(df, "2018-01-31") == (1, 1000, pytest.approx(1.0))
    assert _placed(df, "2018-05-31") == (0, 1000, pytest.approx(0.0))


def test_the_newest_population_figure_on_or_before_d_is_used():
    frames = case_frames(
        measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01")],
        population=(
            population(year=2016, children=1000)                         # 1 Jan 2016
            + population(date="2016-06-01", children=500)                # 1 Jun 2016
            + population(year=2017, children=2000)                       # 1 Jan 2017
            + population(date="2017-05-31", children=250)                # on a point itself
        ),
    )
    df = run(frames)
    # 31 Jan 2016 -> 1 Jan 2016 figure: 1 / 1000 × 1000 = 1.0
    assert _placed(df, JAN16) == (1, 1000, pytest.approx(1.0))
    # 31 May 2016 -> 1 Jun 2016 is after d; still 1 Jan 2016: 1.0
    assert _placed(df, "2016-05-31") == (1, 1000, pytest.approx(1.0))
    # 30 Sep 2016 -> 1 Jun 2016 figure: 1 / 500 × 1000 = 2.0
    assert _placed(df, "2016-09-30") == (1, 500, pytest.approx(2.0))
    # 31 Jan 2017 -> 1 Jan 2017: 1 / 2000 × 1000 = 0.5
    assert _placed(df, "2017-01-31") == (1, 2000, pytest.approx(0.5))
    # 31 May 2017 -> dated 31 May 2017 (on or before d): 1 / 250 × 1000 = 4.0
    assert _placed(df, "2017-05-31") == (1, 250, pytest.approx(4.0))


def test_only_ages_0_17_of_the_own_municipality_enter_the_denominator():
    frames = case_frames(
        measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01")],
        population=(
            population(k=510, year=2016, children=1000, adults=5000)   # + 4 × 5000 adults
            + population(k=657, year=2016, children=3000)              # another municipality
        ),
    )
    df = run(frames)
    # denominator = 510's ages 0-17 only = 1000 -> 1 / 1000 × 1000 = 1.0
    assert _placed(df, JAN16) == (1, 1000, pytest.approx(1.0))


def test_without_a_population_figure_per_1000_rows_are_absent_but_shares_are_published():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),
            measure("B", "SEL 52.3.3", start="2015-12-01"),
            measure("C", "SEL 11.3.1", start="2015-12-01"),
        ],
        population=population(year=2017, children=1000),   # nothing on or before any 2016 point
    )
    df = run(frames)
    for d in (JAN16, "2016-05-31", "2016-09-30"):
        for kf in PER_1000:
            assert not has_row(df, kf, d), (kf, d)
        # pct figure still there: A foster 1/1 = 100
        assert figure(df, "placement_form_share", d, "foster_care") == (1, 1, pytest.approx(100.0))
    # from 31 Jan 2017 the 1 Jan 2017 figure exists: A 1 / 1000 × 1000 = 1.0
    assert _placed(df, "2017-01-31") == (1, 1000, pytest.approx(1.0))
    assert figure(df, "preventive_per_1000", "2017-01-31") == (1, 1000, pytest.approx(1.0))


def test_with_no_population_at_all_no_per_1000_row_is_published():
    frames = case_frames(
        measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01")],
        population=[],
    )
    df = run(frames)
    assert not df["key_figure"].isin(PER_1000).any()
    assert figure(df, "placement_form_share", JAN16, "foster_care") == (1, 1, pytest.approx(100.0))


def test_measurement_points_run_from_the_earliest_start_to_the_extraction_date():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.7", "plejefamilie", start="2015-02-01", kommune=510),
            measure("B", "SEL 52.3.3", start="2016-03-01", kommune=657),
        ],
        population=population(k=510, year=2014) + population(k=657, year=2016),
        extraction_date={510: "2016-09-29", 657: "2017-02-01"},
    )
    df = run(frames)
    # 510: earliest start 1 Feb 2015 -> first point 31 May 2015 (31 Jan 2015 is before it);
    #      extraction 29 Sep 2016 -> last point 31 May 2016 (30 Sep 2016 is after it)
    assert measurement_dates(df, kommune=510) == [
        dt.date(2015, 5, 31), dt.date(2015, 9, 30), dt.date(2016, 1, 31), dt.date(2016, 5, 31)]
    # 657: earliest start 1 Mar 2016 -> first 31 May 2016; extraction 1 Feb 2017 -> last 31 Jan 2017
    assert measurement_dates(df, kommune=657) == [
        dt.date(2016, 5, 31), dt.date(2016, 9, 30), dt.date(2017, 1, 31)]
    # every point has placed_per_1000 (population exists from 2014 / 2016)
    for d in measurement_dates(df, kommune=510):
        assert has_row(df, "placed_per_1000", d, ""), d


def test_points_on_the_earliest_start_and_on_the_extraction_date_are_included():
    frames = case_frames(
        measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2015-01-31")],
        population=population(year=2015),
        extraction_date="2016-09-30",
    )
    df = run(frames)
    # earliest start = 31 Jan 2015 (a point) ... extraction 30 Sep 2016 (a point): both in
    assert measurement_dates(df) == [
        dt.date(2015, 1, 31), dt.date(2015, 5, 31), dt.date(2015, 9, 30),
        dt.date(2016, 1, 31), dt.date(2016, 5, 31), dt.date(2016, 9, 30)]


def test_a_later_first_point_parameter():
    frames = case_frames(
        measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2015-01-31")],
        population=population(year=2015),
        extraction_date="2016-09-30",
    )
    df = run(frames, first_point="2016-01-31")
    assert measurement_dates(df) == [
        dt.date(2016, 1, 31), dt.date(2016, 5, 31), dt.date(2016, 9, 30)]


def test_counting_unit_is_the_child_not_the_measure_row():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01", id="a1"),
            measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-15", id="a2"),
            measure("A", "SEL 58", "plejefamilie", start="2016-01-01", id="a3"),
        ],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # three rows, one child -> 1 / 1000 × 1000 = 1.0; foster share 1/1 = 100
    assert _placed(df, JAN16) == (1, 1000, pytest.approx(1.0))
    assert figure(df, "placement_form_share", JAN16, "foster_care") == (1, 1, pytest.approx(100.0))
