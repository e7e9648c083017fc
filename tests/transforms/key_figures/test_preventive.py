"""preventive_per_1000 (methodology.md §3): children with an active step-2 measure on d /
population 0-17 × 1000. Step 2 = SEL 11.3[.1-4] / BL 30[.1.1-4] (and SEL 52.3.1 before 2014,
see test_legal_basis.py). Any grantor counts here (bevilget_af matters only for
preventive_followed_by_investigation).
"""
import pytest

from .builders import case_frames, figure, measure, population, run, unit

D0 = "2016-01-31"


def test_children_with_an_active_step2_measure():
    frames = case_frames(
        measures=[
            measure("A", "SEL 11.3.1", start="2015-12-01"),                       # counted
            measure("B", "SEL 11.3", start="2015-12-01"),                         # counted ...
            measure("B", "SEL 11.3.2", start="2015-12-01"),                       # ... once
            measure("C", "SEL 11.3.4", start="2015-12-01", end="2016-01-30"),     # ended day before d
            measure("D", "SEL 11.3.3", start="2015-12-01", end=D0),               # ends on d: counted
            measure("E", "SEL 11.3.2", start="2015-12-01", handicap=True),        # excluded
            measure("F", "SEL 52.3.3", start="2015-12-01"),                       # step 3, not 2
            measure("G", "SEL 11.3.1", start="2015-12-01"),                       # counted although ...
            measure("G", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),       # ... also placed
            measure("H", "SEL 11.3.1", start="2015-12-01", granted="ppr"),        # counted (any grantor)
            measure("I", "SEL 11.3.1", start="2015-12-01", granted="andet"),      # counted (any grantor)
            measure("J", "SEL 11.3.1", start="2016-02-01"),                       # starts after d
            measure("K", "SEL 11.3.1", start="2015-12-01", refugee=True),         # excluded
        ],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # A, B, D, G, H, I = 6 -> 6 / 1000 × 1000 = 6.0
    assert figure(df, "preventive_per_1000", D0) == (6, 1000, pytest.approx(6.0))
    assert unit(df, "preventive_per_1000", D0) == "per_1000"
    # a child on several steps counts on each step's figure: G is also placed
    assert figure(df, "placed_per_1000", D0).numerator == 1


def test_preventive_per_1000_rate_is_unrounded():
    frames = case_frames(
        measures=[measure(c, "SEL 11.3.1", start="2015-12-01") for c in ("A", "B")],
        population=population(year=2016, children=11498),
    )
    df = run(frames)
    # 2 / 11498 × 1000 = 0.17394329448599757...
    n, d, v = figure(df, "preventive_per_1000", D0)
    assert (n, d) == (2, 11498)
    assert v == pytest.approx(2 / 11498 * 1000, rel=1e-12)


def test_barnets_lov_step2_codes():
    codes = ["BL 30", "BL 30.1.1", "BL 30.1.2", "BL 30.1.3", "BL 30.1.4"]
    frames = case_frames(
        measures=[measure(f"c{i}", code, start="2024-01-02") for i, code in enumerate(codes)]
        + [measure("x", "BL 32.1.1", start="2024-01-02")],                        # step 3 under BL
        population=population(year=2024, children=500),
        extraction_date="2024-06-15",
    )
    df = run(frames)
    # 5 children on BL step-2 codes on 31 Jan 2024 -> 5 / 500 × 1000 = 10.0
    assert figure(df, "preventive_per_1000", "2024-01-31") == (5, 500, pytest.approx(10.0))
