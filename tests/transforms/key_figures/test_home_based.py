"""home_based_per_1000 by kind (methodology.md §3, "Kinds of home-based measure").

family_residential: a stay for the whole family (SEL 52.3.4 / BL 32.1.6).
home_placement: a placement whose setting maps to step 3 (eget_vaerelse, kollegium).
  -> these two hold whatever else the child has.
preventive_measure: any other step-3 measure of a child with NO active step 4-6 placement on d.
parent_directed_during_placement: any other step-3 measure of a child WITH one.
total: each child once across the four kinds.
Excluded measures (handicap / unaccompanied refugee) neither count nor decide anything.
"""
import pytest

from .builders import case_frames, figure, measure, population, run, unit

D0 = "2016-01-31"
KINDS = ("total", "family_residential", "home_placement", "preventive_measure",
         "parent_directed_during_placement")


def _df(measures, children=1000):
    return run(case_frames(measures=measures, population=population(year=2016, children=children)))


def test_the_four_kinds_and_the_total_on_a_mixed_case_load():
    df = _df([
        measure("A", "SEL 52.3.4", start="2015-12-01"),                         # family_residential
        measure("B", "SEL 52.3.7", "eget_vaerelse", start="2015-12-01"),       # home_placement
        measure("C", "SEL 58", "kollegium", start="2015-12-01"),               # home_placement
        measure("D", "SEL 52.3.3", start="2015-12-01"),                         # preventive
        measure("E", "SEL 52.3.2", start="2015-12-01"),                         # parent-directed ...
        measure("E", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),         # ... E is placed (5)
        measure("F", "SEL 54", start="2015-12-01"),                             # parent-directed ...
        measure("F", "SEL 58", "opholdssted", start="2015-12-01"),              # ... F is placed (6)
        measure("G", "SEL 52.3.4", start="2015-12-01"),                         # family_residential
        measure("G", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),         # (holds whatever else)
        measure("H", "SEL 52.3.7", "eget_vaerelse", start="2015-12-01"),       # home_placement and ...
        measure("H", "SEL 52.3.6", start="2015-12-01"),                         # ... preventive (3 is not 4-6)
        measure("N", "SEL 52.3.2", start="2015-12-01"),                         # preventive, two measures,
        measure("N", "SEL 52.3.3", start="2015-12-01"),                         # counted once
        measure("O", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),         # placed only: no kind
        measure("P", "SEL 11.3.1", start="2015-12-01"),                         # step 2 only: no kind
    ])
    # family_residential: A, G                       = 2 -> 2 / 1000 × 1000 = 2.0
    assert figure(df, "home_based_per_1000", D0, "family_residential") == (2, 1000, pytest.approx(2.0))
    # home_placement: B, C, H                        = 3 -> 3.0
    assert figure(df, "home_based_per_1000", D0, "home_placement") == (3, 1000, pytest.approx(3.0))
    # preventive_measure: D, H, N                    = 3 -> 3.0
    assert figure(df, "home_based_per_1000", D0, "preventive_measure") == (3, 1000, pytest.approx(3.0))
    # parent_directed: E, F (G's only other step-3 measure is family_residential) = 2 -> 2.0
    assert figure(df, "home_based_per_1000", D0, "parent_directed_during_placement") == (
        2, 1000, pytest.approx(2.0))
    # total: A B C D E F G H N = 9 children (H is in two kinds, counted once) -> 9.0
    assert figure(df, "home_based_per_1000", D0, "total") == (9, 1000, pytest.approx(9.0))
    for k in KINDS:
        assert unit(df, "home_based_per_1000", D0, k) == "per_1000"


def test_family_residential_and_home_placement_hold_whatever_else_the_child_has():
    df = _df([
        # Q: stay for the whole family + another step-3 measure + a foster placement
        measure("Q", "SEL 52.3.4", start="2015-12-01"),
        measure("Q", "SEL 52.3.3", start="2015-12-01"),
        measure("Q", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),
        # R: room of one's own + an institution placement (transition) + a contact person
        measure("R", "SEL 52.3.7", "eget_vaerelse", start="2015-12-01"),
        measure("R", "SEL 58", "doegninstitution", start="2015-12-01", end="2016-02-15"),
        measure("R", "SEL 52.3.6", start="2015-12-01"),
    ])
    # Q: family_residential (regardless of placement) and parent-directed (52.3.3 while placed)
    # R: home_placement (regardless of the institution) and parent-directed (52.3.6 while placed)
    assert figure(df, "home_based_per_1000", D0, "family_residential").numerator == 1          # Q
    assert figure(df, "home_based_per_1000", D0, "home_placement").numerator == 1              # R
    assert figure(df, "home_based_per_1000", D0, "parent_directed_during_placement").numerator == 2  # Q, R
    assert figure(df, "home_based_per_1000", D0, "preventive_measure").numerator == 0
    # total: Q, R -> 2 / 1000 × 1000 = 2.0
    assert figure(df, "home_based_per_1000", D0, "total") == (2, 1000, pytest.approx(2.0))


def test_concurrent_placement_on_d_decides_preventive_versus_parent_directed():
    df = _df([
        # L: step-3 + network placement that ended the day before d -> preventive
        measure("L", "SEL 52.3.9", start="2015-12-01"),
        measure("L", "SEL 52.3.7", "netvaerksplejefamilie", start="2015-12-01", end="2016-01-30"),
        # M: step-3 + foster placement that starts on d (active on its start day) -> parent-directed
        measure("M", "SEL 52.3.8", start="2015-12-01"),
        measure("M", "SEL 52.3.7", "plejefamilie", start=D0),
        # S: step-3 + institution placement that ends on d (active on its end day) -> parent-directed
        measure("S", "SEL 52.3.5", start="2015-12-01"),
        measure("S", "SEL 58", "opholdssted", start="2015-12-01", end=D0),
        # T: step-3 + a step-3 placement (kollegium) only -> preventive (and home_placement)
        measure("T", "SEL 52.3.1", start="2015-12-01"),
        measure("T", "SEL 52.3.7", "kollegium", start="2015-12-01"),
    ])
    # preventive: L, T = 2 -> 2.0;  parent-directed: M, S = 2 -> 2.0
    assert figure(df, "home_based_per_1000", D0, "preventive_measure") == (2, 1000, pytest.approx(2.0))
    assert figure(df, "home_based_per_1000", D0, "parent_directed_during_placement") == (
        2, 1000, pytest.approx(2.0))
    # home_placement: T -> 1; total: L, M, S, T = 4 -> 4.0
    assert figure(df, "home_based_per_1000", D0, "home_placement").numerator == 1
    assert figure(df, "home_based_per_1000", D0, "total") == (4, 1000, pytest.approx(4.0))


def test_excluded_placement_does_not_make_a_step3_measure_parent_directed():
    df = _df([
        # I: step-3 + a placement given mainly because of disability (excluded) -> preventive
        measure("I", "SEL 52.3.3", start="2015-12-01"),
        measure("I", "SEL 52.3.7", "plejefamilie", start="2015-12-01", handicap=True),
        # J: step-3 + a placement of an unaccompanied refugee minor (excluded) -> preventive
        measure("J", "SEL 52.3.3", start="2015-12-01"),
        measure("J", "SEL 58", "doegninstitution", start="2015-12-01", refugee=True),
    ])
    # preventive: I, J = 2 -> 2 / 1000 × 1000 = 2.0; parent-directed 0 -> 0.0
    assert figure(df, "home_based_per_1000", D0, "preventive_measure") == (2, 1000, pytest.approx(2.0))
    assert figure(df, "home_based_per_1000", D0, "parent_directed_during_placement") == (
        0, 1000, pytest.approx(0.0))
    # and neither child is placed
    assert figure(df, "placed_per_1000", D0) == (0, 1000, pytest.approx(0.0))


def test_excluded_home_based_measures_count_nowhere():
    df = _df([
        measure("K", "SEL 52.3.5", start="2015-12-01", handicap=True),                  # excluded step 3
        measure("U", "SEL 52.3.4", start="2015-12-01", refugee=True),                   # excluded fam. res.
        measure("V", "SEL 52.3.7", "eget_vaerelse", start="2015-12-01", handicap=True),  # excluded home pl.
        measure("W", "SEL 52.3.2", start="2015-12-01"),                                 # valid: preventive
    ])
    # only W counts: preventive 1, total 1 -> 1.0; the other kinds 0
    assert figure(df, "home_based_per_1000", D0, "total") == (1, 1000, pytest.approx(1.0))
    assert figure(df, "home_based_per_1000", D0, "preventive_measure") == (1, 1000, pytest.approx(1.0))
    assert figure(df, "home_based_per_1000", D0, "family_residential") == (0, 1000, pytest.approx(0.0))
    assert figure(df, "home_based_per_1000", D0, "home_placement") == (0, 1000, pytest.approx(0.0))


def test_every_other_step3_code_is_preventive_or_parent_directed():
    codes = ["SEL 52.3.1", "SEL 52.3.2", "SEL 52.3.3", "SEL 52.3.5", "SEL 52.3.6",
             "SEL 52.3.8", "SEL 52.3.9", "SEL 54"]
    measures = []
    for i, code in enumerate(codes):
        measures.append(measure(f"p{i}", code, start="2015-12-01"))                 # no placement
        measures.append(measure(f"q{i}", code, start="2015-12-01"))                 # with placement
        measures.append(measure(f"q{i}", "SEL 52.3.7", "plejefamilie", start="2015-12-01"))
    df = _df(measures, children=2000)
    # 8 codes: p0..p7 preventive = 8 / 2000 × 1000 = 4.0; q0..q7 parent-directed = 8 -> 4.0
    assert figure(df, "home_based_per_1000", D0, "preventive_measure") == (8, 2000, pytest.approx(4.0))
    assert figure(df, "home_based_per_1000", D0, "parent_directed_during_placement") == (
        8, 2000, pytest.approx(4.0))
    # total 16 / 2000 × 1000 = 8.0
    assert figure(df, "home_based_per_1000", D0, "total") == (16, 2000, pytest.approx(8.0))


def test_measures_not_active_on_d_and_adults_are_not_counted():
    df = _df([
        measure("A", "SEL 52.3.3", start="2015-12-01", end="2016-01-30"),   # ended day before d
        measure("B", "SEL 52.3.3", start="2016-02-01"),                     # starts day after d
        measure("C", "SEL 52.3.3", start="2015-12-01", end=D0),             # ends on d: counted
        measure("Z", "SEL 52.3.3", start="2015-12-01", born="1998-01-31"),  # 18 on d: not a child
    ])
    # only C -> 1 / 1000 × 1000 = 1.0
    assert figure(df, "home_based_per_1000", D0, "preventive_measure") == (1, 1000, pytest.approx(1.0))
    assert figure(df, "home_based_per_1000", D0, "total") == (1, 1000, pytest.approx(1.0))


def test_no_home_based_child_gives_zero_rates_not_missing_rows():
    df = _df([measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01")])
    # nobody on step 3 -> every kind 0 / 1000 × 1000 = 0.0
    for k in KINDS:
        assert figure(df, "home_based_per_1000", D0, k) == (0, 1000, pytest.approx(0.0)), k
