"""Legal basis -> staircase step across Serviceloven and Barnets Lov (barnets-lov.md,
methodology.md §1). Frames hold canonical codes; canonicalisation is not tested here.
"""
import pytest

from .builders import case_frames, figure, has_row, investigation, measure, population, run

HB = "home_based_per_1000"


def test_family_treatment_is_step3_under_both_laws():
    frames = case_frames(
        measures=[
            # the same kind of measure: family treatment, SEL 52.3.3 in 2023, BL 32.1.5 from 2024
            measure("A", "SEL 52.3.3", start="2023-03-01", end="2023-12-31"),
            measure("A", "BL 32.1.5", start="2024-01-01"),
        ],
        population=population(year=2023, children=1000) + population(year=2024, children=1000),
        extraction_date="2024-06-15",
    )
    df = run(frames)
    for d in ("2023-09-30", "2024-01-31"):
        # A on step 3 without placement -> preventive_measure 1 / 1000 × 1000 = 1.0
        assert figure(df, HB, d, "preventive_measure") == (1, 1000, pytest.approx(1.0)), d
        assert figure(df, HB, d, "family_residential") == (0, 1000, pytest.approx(0.0)), d
        assert figure(df, "preventive_per_1000", d) == (0, 1000, pytest.approx(0.0)), d
        assert figure(df, "placed_per_1000", d) == (0, 1000, pytest.approx(0.0)), d


def test_numbers_are_never_carried_across_laws():
    frames = case_frames(
        measures=[
            measure("A", "BL 32.1.6", start="2024-01-02"),   # BL: stay for the whole family
            measure("B", "SEL 52.3.4", start="2023-12-01"),  # SEL: stay for the whole family
            measure("C", "SEL 52.3.6", start="2023-12-01"),  # SEL: contact person (not fam. res.)
            measure("D", "BL 32.1.4", start="2024-01-02"),   # BL: traineeship (not fam. res.)
            measure("E", "BL 32.1.3", start="2024-01-02"),   # BL: contact person
        ],
        population=population(year=2024, children=1000),
        extraction_date="2024-06-15",
    )
    df = run(frames)
    d = "2024-01-31"
    # family_residential: A, B = 2 -> 2.0; preventive_measure: C, D, E = 3 -> 3.0
    assert figure(df, HB, d, "family_residential") == (2, 1000, pytest.approx(2.0))
    assert figure(df, HB, d, "preventive_measure") == (3, 1000, pytest.approx(3.0))
    assert figure(df, HB, d, "total") == (5, 1000, pytest.approx(5.0))


def test_every_barnets_lov_step3_code():
    codes = ["BL 32.1.1", "BL 32.1.2", "BL 32.1.3", "BL 32.1.4", "BL 32.1.5", "BL 32.1.7",
             "BL 32.1.8", "BL 75", "BL 76"]
    frames = case_frames(
        measures=[measure(f"c{i}", code, start="2024-01-02") for i, code in enumerate(codes)],
        population=population(year=2024, children=900),
        extraction_date="2024-06-15",
    )
    df = run(frames)
    # 9 children, none placed -> preventive_measure 9 / 900 × 1000 = 10.0
    assert figure(df, HB, "2024-01-31", "preventive_measure") == (9, 900, pytest.approx(10.0))


def test_sel_52_3_1_before_2014_is_step2_from_2014_step3():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.1", start="2013-12-31"),   # advice (old meaning) -> step 2
            measure("B", "SEL 52.3.1", start="2014-01-01"),   # day-care stay -> step 3
        ],
        population=population(year=2014, children=1000),
        extraction_date="2014-06-15",
    )
    df = run(frames)
    d = "2014-01-31"   # first point on or after 31 Dec 2013
    # step 2: A -> preventive_per_1000 1 / 1000 × 1000 = 1.0
    assert figure(df, "preventive_per_1000", d) == (1, 1000, pytest.approx(1.0))
    # step 3: B -> home_based preventive_measure 1.0 (A not there)
    assert figure(df, HB, d, "preventive_measure") == (1, 1000, pytest.approx(1.0))
    assert figure(df, HB, d, "total") == (1, 1000, pytest.approx(1.0))


def test_barnets_lov_placements_map_by_setting():
    frames = case_frames(
        measures=[
            measure("A", "BL 46", "plejefamilie", start="2024-01-02"),             # 5
            measure("B", "BL 47", "sikret_doegninstitution", start="2024-01-02"),  # 6
            measure("C", "BL 46", "kollegium", start="2024-01-02"),                # 3: home_placement
            measure("D", "BL 75", start="2024-01-02"),                             # parent-directed ...
            measure("D", "BL 46", "netvaerksplejefamilie", start="2024-01-02"),    # ... D placed (4)
            measure("E", "SEL 58", "netvaerksplejefamilie", start="2023-12-01"),   # 4 (SEL still running)
        ],
        population=population(year=2024, children=1000),
        extraction_date="2024-06-15",
    )
    df = run(frames)
    d = "2024-01-31"
    # placed: A (5), B (6), D (4), E (4) = 4 -> 4.0
    assert figure(df, "placed_per_1000", d) == (4, 1000, pytest.approx(4.0))
    # forms: network D, E = 2/4 = 50; foster A = 1/4 = 25; institution B = 1/4 = 25
    assert figure(df, "placement_form_share", d, "network_care") == (2, 4, pytest.approx(50.0))
    assert figure(df, "placement_form_share", d, "foster_care") == (1, 4, pytest.approx(25.0))
    assert figure(df, "placement_form_share", d, "institution") == (1, 4, pytest.approx(25.0))
    assert figure(df, HB, d, "home_placement") == (1, 1000, pytest.approx(1.0))                    # C
    assert figure(df, HB, d, "parent_directed_during_placement") == (1, 1000, pytest.approx(1.0))  # D


def test_out_of_scope_codes_enter_no_key_figure():
    frames = case_frames(
        measures=[
            measure("A", "SEL 76.3.1", "plejefamilie", start="2015-12-01"),   # aftercare, with setting
            measure("B", "SEL 52a", start="2015-12-01"),
            measure("C", "SEL 11.4", start="2015-12-01"),
            measure("D", "SEL 11.6", start="2015-12-01"),
            measure("E", "SEL 11.7", start="2015-12-01"),
            measure("F", "SEL 11.8", start="2015-12-01"),
            # G: a step-3 measure + an out-of-scope "placement" -> preventive, not parent-directed
            measure("G", "SEL 52.3.3", start="2015-12-01"),
            measure("G", "SEL 76", "doegninstitution", start="2015-12-01"),
        ],
        investigations=[investigation(c, "2016-01-15") for c in "BCDEF"],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    d = "2016-01-31"
    assert figure(df, "placed_per_1000", d) == (0, 1000, pytest.approx(0.0))
    assert figure(df, "preventive_per_1000", d) == (0, 1000, pytest.approx(0.0))
    # home-based: only G, as preventive -> 1.0
    assert figure(df, HB, d, "total") == (1, 1000, pytest.approx(1.0))
    assert figure(df, HB, d, "preventive_measure") == (1, 1000, pytest.approx(1.0))
    assert figure(df, HB, d, "parent_directed_during_placement") == (0, 1000, pytest.approx(0.0))
    # no out-of-scope measure makes a starter: 0 / 0 -> null
    assert figure(df, "preventive_followed_by_investigation", d) == (0, 0, None)


def test_barnets_lov_out_of_scope_codes_enter_no_key_figure():
    frames = case_frames(
        measures=[
            measure("anchor", "BL 32.1.2", start="2024-01-02"),
            measure("A", "BL 35", start="2024-01-02"),
            measure("B", "BL 114.1.1", "plejefamilie", start="2024-01-02"),
            measure("C", "BL 115", start="2024-01-02"),
            measure("D", "BL 116", "opholdssted", start="2024-01-02"),
        ],
        population=population(year=2024, children=1000),
        extraction_date="2024-06-15",
    )
    df = run(frames)
    d = "2024-01-31"
    assert figure(df, "placed_per_1000", d) == (0, 1000, pytest.approx(0.0))
    assert figure(df, "preventive_per_1000", d) == (0, 1000, pytest.approx(0.0))
    # only the anchor is home-based -> 1.0
    assert figure(df, HB, d, "total") == (1, 1000, pytest.approx(1.0))
    assert figure(df, "placement_form_share", d, "foster_care") == (0, 0, None)


def test_barnets_lov_preventive_followed_by_investigation():
    frames = case_frames(
        measures=[
            measure("anchor", "BL 32.1.2", start="2024-01-02"),
            measure("A", "BL 30.1.1", start="2024-03-01"),
            measure("B", "BL 30", start="2024-03-01"),
            measure("C", "BL 30.1.4", start="2024-03-01"),
        ],
        investigations=[
            investigation("A", "2024-04-01", "BL 20"),
            investigation("B", "2024-04-01", "BL 23"),
        ],
        population=population(year=2024),
        extraction_date="2024-06-15",
    )
    df = run(frames)
    # d = 31 May 2024, window (30 Nov 2023, 31 May 2024]: starters A, B, C = 3; investigated A, B
    # -> 2 / 3 × 100 = 66.666...
    n, den, v = figure(df, "preventive_followed_by_investigation", "2024-05-31")
    assert (n, den) == (2, 3) and v == pytest.approx(200 / 3, rel=1e-12)
    assert not has_row(df, "institution_exits", "2024-01-31")   # first point
