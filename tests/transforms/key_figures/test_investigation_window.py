"""preventive_followed_by_investigation (methodology.md §3).

Starters: children with at least one step-2 measure granted by the authority
(bevilget_af = myndighed) that starts in the window (d − 6 months, d], aged 0-17 on their
earliest such start. Numerator: starters with a child-investigation decision on or after that
earliest start and on or before d. Denominator: all starters. Unit pct, breakdown ''.

d − 6 months moves the calendar month and clamps the day: 31 May − 6 months = 30 Nov;
30 Sep − 6 months = 30 Mar; 31 Jan − 6 months = 31 Jul.
"""
import pytest

from .builders import case_frames, figure, investigation, measure, population, run, unit

KF = "preventive_followed_by_investigation"
ANCHOR = measure("anchor", "SEL 52.3.3", start="2015-01-01")  # first point 31 Jan 2015


def _df(measures, investigations=(), **kw):
    frames = case_frames(
        measures=[ANCHOR, *measures],
        investigations=investigations,
        population=population(year=2015) + population(year=2016),
        **kw,
    )
    return run(frames)


@pytest.mark.parametrize(
    "d, lower, lower_plus_1, d_plus_1",
    [
        # 31 May 2016 − 6 months = 30 Nov 2015 (31 Nov does not exist)
        ("2016-05-31", "2015-11-30", "2015-12-01", "2016-06-01"),
        # 30 Sep 2016 − 6 months = 30 Mar 2016 (same day number)
        ("2016-09-30", "2016-03-30", "2016-03-31", "2016-10-01"),
        # 31 Jan 2016 − 6 months = 31 Jul 2015
        ("2016-01-31", "2015-07-31", "2015-08-01", "2016-02-01"),
    ],
)
def test_window_is_open_at_d_minus_6_months_and_closed_at_d(d, lower, lower_plus_1, d_plus_1):
    df = _df(
        [
            measure("OUT", "SEL 11.3.1", start=lower),          # exactly d − 6 months: OUT
            measure("IN", "SEL 11.3.1", start=lower_plus_1),    # the day after: IN
            measure("ON_D", "SEL 11.3.1", start=d),             # on d: IN
            measure("AFTER", "SEL 11.3.1", start=d_plus_1),     # after d: OUT
        ],
        [
            investigation("OUT", d), investigation("IN", d), investigation("AFTER", d_plus_1),
        ],
    )
    # starters: IN, ON_D = 2; investigated on or before d after their start: IN = 1
    # -> 1 / 2 × 100 = 50.0   (OUT would make it 2/3, ON_D missing would make it 1/1)
    assert figure(df, KF, d) == (1, 2, pytest.approx(50.0))
    assert unit(df, KF, d) == "pct"


def test_only_step2_measures_granted_by_the_authority_make_starters():
    d = "2016-05-31"   # window (30 Nov 2015, 31 May 2016]
    df = _df(
        [
            measure("E", "SEL 11.3.1", start="2016-02-01", granted="ppr"),      # not myndighed
            measure("F", "SEL 11.3.2", start="2016-02-01", granted="andet"),    # not myndighed
            measure("G", "SEL 11.3.1", start="2016-02-01"),                     # starter
            measure("S3", "SEL 52.3.3", start="2016-02-01"),                    # step 3: no
            measure("X", "SEL 11.3.1", start="2016-02-01", handicap=True),      # excluded: no
            measure("Y", "SEL 11.3.4", start="2016-02-01", refugee=True),       # excluded: no
        ],
        [investigation(c, "2016-03-01") for c in ("E", "F", "G", "S3", "X", "Y")],
    )
    # starters: G only; investigated 1 Mar 2016 -> 1 / 1 × 100 = 100.0
    assert figure(df, KF, d) == (1, 1, pytest.approx(100.0))


def test_investigation_must_fall_between_the_earliest_start_and_d():
    d = "2016-05-31"
    df = _df(
        [measure(c, "SEL 11.3.1", start="2016-02-01") for c in ("I", "J", "K", "L", "M", "Z")],
        [
            investigation("I", "2016-01-31"),   # day before the start: no
            investigation("J", "2016-02-01"),   # on the start: yes
            investigation("K", d),              # on d: yes
            investigation("L", "2016-06-01"),   # after d: no
            investigation("M", "2016-01-15"),   # before the start ... and
            investigation("M", "2016-03-01"),   # ... one in range: yes
            # Z: no investigation at all
        ],
    )
    # starters I J K L M Z = 6; numerator J K M = 3 -> 3 / 6 × 100 = 50.0
    assert figure(df, KF, d) == (3, 6, pytest.approx(50.0))


def test_earliest_such_start_is_the_earliest_qualifying_start_in_the_window():
    d = "2016-05-31"
    df = _df(
        [
            # N: two qualifying starts, 1 Jan and 1 Apr; investigation 15 Feb >= earliest (1 Jan) -> yes
            measure("N", "SEL 11.3.1", start="2016-01-01"),
            measure("N", "SEL 11.3.2", start="2016-04-01"),
            # O: a step-2 myndighed measure started BEFORE the window (ongoing) and one in it on
            #    1 Apr; the earliest start in the window is 1 Apr -> investigation 15 Feb is before
            #    it -> no
            measure("O", "SEL 11.3.1", start="2015-10-01"),
            measure("O", "SEL 11.3.2", start="2016-04-01"),
            # H: a ppr measure on 1 Jan, a myndighed one on 1 Mar; investigation 1 Feb is before the
            #    earliest myndighed start -> no
            measure("H", "SEL 11.3.1", start="2016-01-01", granted="ppr"),
            measure("H", "SEL 11.3.1", start="2016-03-01"),
        ],
        [investigation("N", "2016-02-15"), investigation("O", "2016-02-15"),
         investigation("H", "2016-02-01")],
    )
    # starters N, O, H = 3; numerator N = 1 -> 1 / 3 × 100 = 33.333...
    n, den, v = figure(df, KF, d)
    assert (n, den) == (1, 3) and v == pytest.approx(100 / 3, rel=1e-12)


def test_an_investigation_before_the_start_does_not_count():
    d = "2016-09-30"   # window (30 Mar 2016, 30 Sep 2016]
    df = _df(
        [measure("A", "SEL 11.3.3", start="2016-06-15")],
        [investigation("A", "2016-06-14")],
    )
    # starter A; its only investigation is the day before its start -> 0 / 1 × 100 = 0.0
    assert figure(df, KF, d) == (0, 1, pytest.approx(0.0))


def test_every_investigation_code_counts():
    d = "2016-05-31"
    df = _df(
        [measure(c, "SEL 11.3.1", start="2016-02-01") for c in ("a", "b", "c", "e")],
        [
            investigation("a", "2016-03-01", "SEL 50"),
            investigation("b", "2016-03-01", "SEL 51"),
            investigation("c", "2016-03-01", "BL 20"),
            investigation("e", "2016-03-01", "BL 23"),
        ],
    )
    # 4 starters, all investigated -> 4 / 4 × 100 = 100.0
    assert figure(df, KF, d) == (4, 4, pytest.approx(100.0))


def test_a_person_aged_18_on_the_start_is_no_starter():
    d = "2016-05-31"
    df = _df(
        [
            # U: 18 on 15 Mar 2016, starts 20 Mar -> aged 18 on the start -> not a starter
            measure("U", "SEL 11.3.1", start="2016-03-20"),
            # W: ordinary child
            measure("W", "SEL 11.3.1", start="2016-04-01"),
        ],
        [investigation("U", "2016-04-01"), investigation("W", "2016-04-15")],
        born={"U": "1998-03-15"},
    )
    # starters W = 1; investigated -> 1 / 1 × 100 = 100.0  (U included would give 2/2 too, so
    # check the denominator)
    assert figure(df, KF, d) == (1, 1, pytest.approx(100.0))


def test_age_is_taken_on_the_earliest_start_not_on_d():
    # Reading of "aged 0-17 on their earliest such start": the key figure's own age rule names
    # the start as the reference date, so a child who was 17 on the start is a starter even if
    # 18 by d.
    d = "2016-05-31"
    df = _df(
        [
            # V: 18 on 15 Apr 2016, starts 1 Apr aged 17 -> a starter
            measure("V", "SEL 11.3.1", start="2016-04-01"),
            measure("W", "SEL 11.3.1", start="2016-04-01"),
        ],
        [investigation("W", "2016-04-15")],
        born={"V": "1998-04-15"},
    )
    # starters V, W = 2; investigated W = 1 -> 1 / 2 × 100 = 50.0
    assert figure(df, KF, d) == (1, 2, pytest.approx(50.0))


def test_no_starters_gives_null():
    df = _df([], [])
    # nothing starts in (30 Nov 2015, 31 May 2016] -> 0 / 0 -> null
    assert figure(df, KF, "2016-05-31") == (0, 0, None)


def test_a_starter_whose_measure_already_ended_still_counts():
    d = "2016-05-31"
    df = _df(
        [measure("A", "SEL 11.3.1", start="2016-01-10", end="2016-02-10"),   # started in window, ended
         measure("B", "SEL 11.3.2", start="2016-04-01")],
        [investigation("A", "2016-05-01")],
    )
    # starters A, B = 2 (starting in the window is what counts); A investigated after its start
    # -> 1 / 2 × 100 = 50.0
    assert figure(df, KF, d) == (1, 2, pytest.approx(50.0))
