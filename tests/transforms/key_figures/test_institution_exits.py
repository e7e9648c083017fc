"""institution_exits (methodology.md §3).

Cohort: children with an active step-6 placement on the previous point p who do not turn 18 in
(p, d]. total: those with no active step-6 placement on d / cohort × 100.
to_network_or_foster_care / not_placed: the exits split by highest step on d (4 or 5, or none of
4-6; a step-3 placement counts as not_placed) / all exits × 100; the two sum to 100.
The first measurement point has no institution_exits.
"""
import pytest

from .builders import case_frames, figure, has_row, measure, measurement_dates, population, run, unit

SEP15 = "2015-09-30"
JAN16 = "2016-01-31"
MAY16 = "2016-05-31"


def _main_case():
    # every measure below starts 2015-06-01 or later -> first point 30 Sep 2015;
    # here p = 31 Jan 2016, d = 31 May 2016
    return case_frames(
        measures=[
            # A: institution throughout -> in cohort, no exit
            measure("A", "SEL 58", "opholdssted", start="2015-06-01"),
            # B: institution until 15 Mar, then foster family -> exit to foster (5)
            measure("B", "SEL 58", "doegninstitution", start="2015-06-01", end="2016-03-15"),
            measure("B", "SEL 52.3.7", "plejefamilie", start="2016-03-16"),
            # C: institution until 1 Apr, then network family -> exit to network (4)
            measure("C", "SEL 52.3.7", "opholdssted", start="2015-06-01", end="2016-04-01"),
            measure("C", "SEL 52.3.7", "netvaerksplejefamilie", start="2016-04-02"),
            # D: institution until 28 Feb, nothing after -> exit, not placed
            measure("D", "SEL 52.3.7", "kostskole", start="2015-06-01", end="2016-02-28"),
            # E: institution until 28 Feb, then a room of one's own (step-3 placement) -> not_placed
            measure("E", "SEL 52.3.7", "efterskole", start="2015-06-01", end="2016-02-28"),
            measure("E", "SEL 52.3.7", "eget_vaerelse", start="2016-03-01"),
            # F: turns 18 on d (born 1998-05-31): turned 18 in (p, d] -> not in cohort
            #    (would otherwise be an exit: institution ends 30 Apr)
            measure("F", "SEL 58", "doegninstitution", start="2015-06-01", end="2016-04-30"),
            # G: turns 18 the day after d (born 1998-06-01) -> in cohort; exit, not placed
            measure("G", "SEL 58", "doegninstitution", start="2015-06-01", end="2016-04-30"),
            # H: institution only from 1 Feb 2016 -> not on step 6 on p, not in cohort
            measure("H", "SEL 58", "opholdssted", start="2016-02-01"),
            # J: institution ending exactly on p (active on p) -> cohort; exit, not placed
            measure("J", "SEL 58", "opholdssted", start="2015-06-01", end=JAN16),
            # L: excluded (handicap) institution -> not in cohort
            measure("L", "SEL 58", "opholdssted", start="2015-06-01", end="2016-03-01", handicap=True),
            # M: institution and foster on p, only foster on d -> exit to foster (5)
            measure("M", "SEL 58", "opholdssted", start="2015-06-01", end="2016-02-15"),
            measure("M", "SEL 52.3.7", "plejefamilie", start="2015-06-01"),
            # N: one institution until 15 Feb, another from 1 Mar -> on step 6 on d: no exit
            measure("N", "SEL 58", "opholdssted", start="2015-06-01", end="2016-02-15"),
            measure("N", "SEL 58", "doegninstitution", start="2016-03-01"),
            # O: institution throughout, plus foster from March -> still on 6 on d: no exit
            measure("O", "SEL 58", "skibsprojekt", start="2015-06-01"),
            measure("O", "SEL 52.3.7", "plejefamilie", start="2016-03-01"),
            # P: 18 on p itself (born 1998-01-31) -> not a child on p -> not in cohort
            measure("P", "SEL 58", "opholdssted", start="2015-06-01", end="2016-03-01"),
            # Q: foster family on p (not step 6) -> not in cohort
            measure("Q", "SEL 52.3.7", "plejefamilie", start="2015-06-01", end="2016-03-01"),
        ],
        population=population(year=2015, children=1000) + population(year=2016, children=1000),
        born={"F": "1998-05-31", "G": "1998-06-01", "P": "1998-01-31"},
    )


def test_institution_exits_total_and_split():
    df = run(_main_case())
    # cohort on p = 31 Jan 2016: A B C D E G J M N O = 10   (F, P: age; H, Q: not on 6; L excluded)
    # exits (no step 6 on d = 31 May 2016): B C D E G J M = 7 -> 7 / 10 × 100 = 70.0
    assert figure(df, "institution_exits", MAY16, "total") == (7, 10, pytest.approx(70.0))
    # to network/foster: B (5), C (4), M (5) = 3 -> 3 / 7 × 100 = 42.857142...
    n, d, v = figure(df, "institution_exits", MAY16, "to_network_or_foster_care")
    assert (n, d) == (3, 7) and v == pytest.approx(300 / 7, rel=1e-12)
    # not placed: D, E (room of one's own = step 3), G, J = 4 -> 4 / 7 × 100 = 57.142857...
    n, d, v = figure(df, "institution_exits", MAY16, "not_placed")
    assert (n, d) == (4, 7) and v == pytest.approx(400 / 7, rel=1e-12)
    # the two sum to 100
    assert (figure(df, "institution_exits", MAY16, "to_network_or_foster_care").value
            + figure(df, "institution_exits", MAY16, "not_placed").value) == pytest.approx(100.0)
    for b in ("total", "to_network_or_foster_care", "not_placed"):
        assert unit(df, "institution_exits", MAY16, b) == "pct"


def test_no_institution_exits_at_the_first_point():
    df = run(_main_case())
    # earliest start 1 Jun 2015 -> first point 30 Sep 2015
    assert measurement_dates(df)[0].isoformat() == SEP15
    assert not has_row(df, "institution_exits", SEP15)
    # the second point has them: p = 30 Sep 2015, d = 31 Jan 2016
    assert has_row(df, "institution_exits", JAN16, "total")


def test_previous_point_of_january_is_september_of_the_year_before():
    df = run(_main_case())
    # p = 30 Sep 2015, d = 31 Jan 2016. On step 6 on p (all started 1 Jun 2015, not excluded):
    #   A B C D E F G J M N O P = 12 (F, P, G are 17 on p).
    #   Turned 18 in (p, d] = (30 Sep 2015, 31 Jan 2016]: P (18 on 31 Jan 2016) -> out. Cohort 11.
    # On d every one of them is still on step 6 (J's placement ends on d itself, inclusive)
    #   -> 0 exits: total 0 / 11 = 0.0; split has denominator 0 -> 0, 0, null
    assert figure(df, "institution_exits", JAN16, "total") == (0, 11, pytest.approx(0.0))
    assert figure(df, "institution_exits", JAN16, "to_network_or_foster_care") == (0, 0, None)
    assert figure(df, "institution_exits", JAN16, "not_placed") == (0, 0, None)


def test_empty_cohort_gives_null_total():
    frames = case_frames(
        measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2015-06-01")],  # nobody on 6
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # cohort 0 -> total 0 / 0 -> null; the split too
    assert figure(df, "institution_exits", JAN16, "total") == (0, 0, None)
    assert figure(df, "institution_exits", JAN16, "not_placed") == (0, 0, None)
    assert figure(df, "institution_exits", JAN16, "to_network_or_foster_care") == (0, 0, None)


def test_a_later_first_point_parameter_has_no_exits_either():
    df = run(_main_case(), first_point="2016-01-31")
    # first point forced to 31 Jan 2016: no row on it, nor before it
    assert measurement_dates(df)[0].isoformat() == JAN16
    assert not has_row(df, "institution_exits", JAN16)
    assert not has_row(df, "institution_exits", SEP15)
    # and 31 May 2016 (second point) is as in the main test: 7 / 10 = 70.0
    assert figure(df, "institution_exits", MAY16, "total") == (7, 10, pytest.approx(70.0))


def test_an_excluded_institution_on_d_does_not_stop_an_exit():
    frames = case_frames(
        measures=[
            # A: valid institution on p, on d only an institution given because of disability
            measure("A", "SEL 58", "opholdssted", start="2015-06-01", end="2016-02-29"),
            measure("A", "SEL 58", "doegninstitution", start="2016-03-01", handicap=True),
            # B: valid institution on p, on d a foster family for an unaccompanied refugee minor
            measure("B", "SEL 58", "opholdssted", start="2015-06-01", end="2016-02-29"),
            measure("B", "SEL 52.3.7", "plejefamilie", start="2016-03-01", refugee=True),
        ],
        population=population(year=2016),
    )
    df = run(frames)
    # cohort on p = 31 Jan 2016: A, B = 2; on d = 31 May 2016 neither has a valid step 4-6
    # -> exits 2/2 = 100; to network/foster 0/2 = 0; not placed 2/2 = 100
    assert figure(df, "institution_exits", MAY16, "total") == (2, 2, pytest.approx(100.0))
    assert figure(df, "institution_exits", MAY16, "to_network_or_foster_care") == (0, 2, pytest.approx(0.0))
    assert figure(df, "institution_exits", MAY16, "not_placed") == (2, 2, pytest.approx(100.0))
