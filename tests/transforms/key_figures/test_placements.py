"""placed_per_1000 and placement_form_share (methodology.md §3).

placed_per_1000: children on step 4, 5 or 6 on d / population 0-17 × 1000.
placement_form_share: children whose HIGHEST step on d is network_care (4) / foster_care (5) /
institution (6) over children on steps 4-6 on d × 100; the three sum to 100; denominator 0 →
numerator 0, denominator 0, value null.
"""
import pytest

from .builders import case_frames, figure, measure, population, run, unit

JAN16 = "2016-01-31"
MAY16 = "2016-05-31"
SEP16 = "2016-09-30"
FORMS = ("network_care", "foster_care", "institution")


def test_placed_per_1000_counts_children_on_steps_4_to_6():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.7", "plejefamilie", start="2015-03-01"),             # step 5, open
            measure("B", "SEL 58", "opholdssted", start="2015-06-01", end=JAN16),       # step 6, ends on Jan 31
            measure("C", "SEL 52.3.7", "netvaerksplejefamilie", start="2016-02-01"),    # step 4 from Feb
            measure("D", "SEL 52.3.7", "eget_vaerelse", start="2015-03-01"),            # step 3 placement: not placed
            measure("E", "SEL 52.3.3", start="2015-03-01"),                             # step 3: not placed
            measure("F", "SEL 58", "doegninstitution", start="2016-03-01"),             # step 6 from March
        ],
        population=population(k=510, year=2016, children=1000),
    )
    df = run(frames)
    # 31 Jan 2016: A (5) and B (6, end day inclusive) -> 2 / 1000 × 1000 = 2.0
    assert figure(df, "placed_per_1000", JAN16) == (2, 1000, pytest.approx(2.0))
    # 31 May 2016: A (5), C (4), F (6); B ended -> 3 / 1000 × 1000 = 3.0
    assert figure(df, "placed_per_1000", MAY16) == (3, 1000, pytest.approx(3.0))
    assert unit(df, "placed_per_1000", MAY16) == "per_1000"


def test_placed_per_1000_uses_the_population_denominator_unrounded():
    frames = case_frames(
        measures=[measure(c, "SEL 52.3.7", "plejefamilie", start="2015-12-01") for c in "ABC"],
        population=population(year=2016, children=7000),
    )
    df = run(frames)
    # 3 children placed / 7000 × 1000 = 0.428571428571... (stored unrounded)
    n, d, v = figure(df, "placed_per_1000", JAN16)
    assert (n, d) == (3, 7000)
    assert v == pytest.approx(3 / 7000 * 1000, rel=1e-12)


def test_child_on_several_steps_is_counted_once_on_the_highest():
    frames = case_frames(
        measures=[
            # child A: foster (5) and institution (6) overlapping on d, plus a step-3 measure
            measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),
            measure("A", "SEL 58", "opholdssted", start="2016-01-15"),
            measure("A", "SEL 54", start="2015-12-01"),
        ],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # placed: A once -> 1 / 1000 × 1000 = 1.0
    assert figure(df, "placed_per_1000", JAN16) == (1, 1000, pytest.approx(1.0))
    # highest step of A on d is 6: institution 1/1 × 100 = 100, others 0/1 = 0
    assert figure(df, "placement_form_share", JAN16, "institution") == (1, 1, pytest.approx(100.0))
    assert figure(df, "placement_form_share", JAN16, "foster_care") == (0, 1, pytest.approx(0.0))
    assert figure(df, "placement_form_share", JAN16, "network_care") == (0, 1, pytest.approx(0.0))


def test_placement_form_share_by_highest_step_sums_to_100():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.7", "netvaerksplejefamilie", start="2015-12-01"),     # 4
            measure("B", "SEL 52.3.7", "forstaerket_plejefamilie", start="2015-12-01"),  # 5
            measure("C", "SEL 58", "sikret_doegninstitution", start="2015-12-01"),       # 6
            measure("D", "SEL 52.3.7", "kommunal_plejefamilie", start="2015-12-01"),     # 5 ...
            measure("D", "SEL 52.3.7", "netvaerksplejefamilie", start="2015-12-01"),     # ... and 4 -> 5
            measure("E", "SEL 52.3.7", "kostskole", start="2015-12-01"),                 # 6 ...
            measure("E", "SEL 52.3.7", "specialiseret_plejefamilie", start="2015-12-01"),  # ... and 5 -> 6
            measure("F", "SEL 52.3.7", "kollegium", start="2015-12-01"),                 # 3: not placed
        ],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # placed children A, B, C, D, E = 5; highest: A 4; B 5; C 6; D 5; E 6
    # network 1/5 × 100 = 20; foster (B, D) 2/5 × 100 = 40; institution (C, E) 2/5 × 100 = 40
    assert figure(df, "placement_form_share", JAN16, "network_care") == (1, 5, pytest.approx(20.0))
    assert figure(df, "placement_form_share", JAN16, "foster_care") == (2, 5, pytest.approx(40.0))
    assert figure(df, "placement_form_share", JAN16, "institution") == (2, 5, pytest.approx(40.0))
    total = sum(figure(df, "placement_form_share", JAN16, f).value for f in FORMS)
    assert total == pytest.approx(100.0)
    # and placed_per_1000 counts the same 5 children once each: 5 / 1000 × 1000 = 5.0
    assert figure(df, "placed_per_1000", JAN16) == (5, 1000, pytest.approx(5.0))
    for f in FORMS:
        assert unit(df, "placement_form_share", JAN16, f) == "pct"


def test_placement_form_share_is_unrounded():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.7", "netvaerksplejefamilie", start="2015-12-01"),  # 4
            measure("B", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),           # 5
            measure("C", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),           # 5
        ],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # network 1/3 × 100 = 33.333...; foster 2/3 × 100 = 66.666...; institution 0/3 = 0.0 (not null)
    n, d, v = figure(df, "placement_form_share", JAN16, "network_care")
    assert (n, d) == (1, 3) and v == pytest.approx(100 / 3, rel=1e-12)
    n, d, v = figure(df, "placement_form_share", JAN16, "foster_care")
    assert (n, d) == (2, 3) and v == pytest.approx(200 / 3, rel=1e-12)
    assert figure(df, "placement_form_share", JAN16, "institution") == (0, 3, pytest.approx(0.0))


def test_no_placed_child_gives_zero_rate_and_null_shares():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.3", start="2015-12-01"),                        # step 3 only
            measure("B", "SEL 52.3.7", "plejefamilie", start="2016-02-01"),         # placed after Jan 31
        ],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # 31 Jan 2016: nobody on 4-6 -> 0 / 1000 × 1000 = 0.0
    assert figure(df, "placed_per_1000", JAN16) == (0, 1000, pytest.approx(0.0))
    # shares: denominator 0 -> published with numerator 0, denominator 0, value null
    for f in FORMS:
        assert figure(df, "placement_form_share", JAN16, f) == (0, 0, None)
    # 31 May 2016: B foster -> foster 1/1 = 100
    assert figure(df, "placement_form_share", MAY16, "foster_care") == (1, 1, pytest.approx(100.0))


def test_excluded_placements_count_nowhere_measure_by_measure():
    frames = case_frames(
        measures=[
            measure("G", "SEL 52.3.7", "plejefamilie", start="2015-12-01", handicap=True),      # excluded
            measure("H", "SEL 58", "doegninstitution", start="2015-12-01", refugee=True),       # excluded
            # I: an excluded institution placement and a valid foster placement -> highest valid is 5
            measure("I", "SEL 58", "opholdssted", start="2015-12-01", handicap=True),
            measure("I", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),
        ],
        population=population(year=2016, children=1000),
    )
    df = run(frames)
    # only I is placed (valid foster care) -> 1 / 1000 × 1000 = 1.0
    assert figure(df, "placed_per_1000", JAN16) == (1, 1000, pytest.approx(1.0))
    # I's highest non-excluded step is 5 -> foster 1/1 = 100, institution 0/1 = 0
    assert figure(df, "placement_form_share", JAN16, "foster_care") == (1, 1, pytest.approx(100.0))
    assert figure(df, "placement_form_share", JAN16, "institution") == (0, 1, pytest.approx(0.0))


def test_only_children_are_counted():
    frames = case_frames(
        measures=[
            measure("A", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),
            measure("Z", "SEL 52.3.7", "plejefamilie", start="2015-12-01"),  # Z is 18 on 31 Jan 2016
        ],
        population=population(year=2016, children=1000),
        born={"Z": "1997-12-01"},
    )
    df = run(frames)
    # Z born 1997-12-01 turned 18 on 2015-12-01 -> not a child on 2016-01-31; only A -> 1.0
    assert figure(df, "placed_per_1000", JAN16) == (1, 1000, pytest.approx(1.0))
    assert figure(df, "placement_form_share", JAN16, "foster_care") == (1, 1, pytest.approx(100.0))


def test_each_setting_maps_to_its_step():
    settings = {
        "netvaerksplejefamilie": "network_care",
        "plejefamilie": "foster_care",
        "forstaerket_plejefamilie": "foster_care",
        "specialiseret_plejefamilie": "foster_care",
        "kommunal_plejefamilie": "foster_care",
        "opholdssted": "institution",
        "doegninstitution": "institution",
        "delt_doegninstitution": "institution",
        "sikret_doegninstitution": "institution",
        "kostskole": "institution",
        "efterskole": "institution",
        "skibsprojekt": "institution",
    }
    for setting, form in settings.items():
        frames = case_frames(
            measures=[measure("A", "SEL 52.3.7", setting, start="2015-12-01")],
            population=population(year=2016, children=1000),
        )
        df = run(frames)
        # the single child A is placed in `setting` -> its form 1/1 = 100
        assert figure(df, "placement_form_share", JAN16, form) == (1, 1, pytest.approx(100.0)), setting
        assert figure(df, "placed_per_1000", JAN16).numerator == 1, setting
    for setting in ("eget_vaerelse", "kollegium"):
        frames = case_frames(
            measures=[measure("A", "SEL 52.3.7", setting, start="2015-12-01")],
            population=population(year=2016, children=1000),
        )
        df = run(frames)
        # step-3 setting: not placed -> 0 / 1000 = 0.0
        assert figure(df, "placed_per_1000", JAN16) == (0, 1000, pytest.approx(0.0)), setting
