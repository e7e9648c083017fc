"""Backtest against Tabel 7 of the May 2018 evaluation report (report-tables.md): home-based
measures by kind, Haderslev (510), at the six points Jan 16 ... Sep 17.

Micro-data are GENERATED: for every kind a pool of children whose measures span exactly the
points at which they must be counted (children join between two points and leave between two
points, first in first out), plus distractors that must not move any printed number (excluded
measures, out-of-scope codes, step-2 and placement-only children, adults). Population 11 498 on
1 Jan 2016 and 11 356 on 1 Jan 2017 (report-tables.md: "about 11 498-11 499 ... and about 11 356").

January 2016: the report merged parent-directed measures into preventive measures (498, 43.31)
and left the parent-directed row blank. Our choice: 443 preventive + 55 parent-directed children
on 31 Jan 2016 (55 is in line with the 51-97 of the later points); the test asserts the SUM of the
two published counts (498) and the sum of the two per-1000 values (43.31 ± 0.005).
Check of the printed rates: 498 / 11498 × 1000 = 43.3119 -> 43.31; 620 / 11498 × 1000 = 53.9224
-> 53.92; 97 / 11356 × 1000 = 8.5417 -> 8.54; 511 / 11356 × 1000 = 44.9982 -> 45.00.
"""
import datetime as dt

import pytest

from .builders import case_frames, figure, measure, population, run

KOMMUNE = 510
POINTS = [dt.date(2016, 1, 31), dt.date(2016, 5, 31), dt.date(2016, 9, 30),
          dt.date(2017, 1, 31), dt.date(2017, 5, 31), dt.date(2017, 9, 30)]
LABELS = ["Jan 16", "May 16", "Sep 16", "Jan 17", "May 17", "Sep 17"]

# Tabel 7 as printed (counts, then per 1000). None = blank in the report (Jan 16, merged).
PRINTED_COUNT = {
    "family_residential": [0, 0, 0, 3, 0, 0],
    "home_placement": [3, 3, 3, 5, 5, 6],
    "preventive_measure": [498, 594, 620, 501, 479, 511],     # Jan 16 incl. parent-directed
    "parent_directed_during_placement": [None, 60, 58, 97, 51, 78],
}
PRINTED_PER_1000 = {
    "family_residential": [0.00, 0.00, 0.00, 0.26, 0.00, 0.00],
    "home_placement": [0.26, 0.26, 0.26, 0.44, 0.44, 0.53],
    "preventive_measure": [43.31, 51.66, 53.92, 44.12, 42.18, 45.00],
    "parent_directed_during_placement": [None, 5.22, 5.04, 8.54, 4.49, 6.87],
}
JAN16_PARENT_DIRECTED = 55   # choice, see module docstring
TOL = 0.005                  # half the printed precision (2 decimals)

STEP3_CODES = ["SEL 52.3.1", "SEL 52.3.2", "SEL 52.3.3", "SEL 52.3.5", "SEL 52.3.6",
               "SEL 52.3.8", "SEL 52.3.9", "SEL 54"]
PLACEMENT_SETTINGS = ["plejefamilie", "netvaerksplejefamilie", "opholdssted",
                      "doegninstitution", "forstaerket_plejefamilie", "efterskole"]
HOME_SETTINGS = ["eget_vaerelse", "kollegium"]


def spans(counts: list[int]) -> list[tuple[dt.date, dt.date | None]]:
    """(start, end) per child so that exactly counts[i] spans are active on POINTS[i].

    A child who joins for point i starts in (POINTS[i-1], POINTS[i]] (0-99 days before it); a
    child who leaves after point i-1 ends in [POINTS[i-1] + 1, POINTS[i-1] + 100], so strictly
    between the two points (points are 121-123 days apart). Leavers are the longest-running
    children. Children still active after the last point stay open or end after it.
    """
    active: list[list] = []   # [start, end] lists, oldest first
    done: list[list] = []
    serial = 0
    for i, (point, want) in enumerate(zip(POINTS, counts)):
        while len(active) > want:                         # leave between the previous point and this
            span = active.pop(0)
            span[1] = POINTS[i - 1] + dt.timedelta(days=1 + serial % 100)
            done.append(span)
            serial += 7
        while len(active) < want:                         # join between the previous point and this
            span = [point - dt.timedelta(days=serial % 100), None]
            active.append(span)
            serial += 13
    for k, span in enumerate(active):                     # still there after the last point
        if k % 2:
            span[1] = POINTS[-1] + dt.timedelta(days=1 + k % 60)
        done.append(span)
    return [tuple(s) for s in done]


def _birth(k: int) -> str:
    # born 2001-01-01 ... 2013-04: aged 2-16 throughout Oct 2015 - Sep 2017
    return (dt.date(2001, 1, 1) + dt.timedelta(days=(k * 53) % 4500)).isoformat()


def _iso(x: dt.date | None) -> str | None:
    return x.isoformat() if x else None


def build_haderslev():
    preventive_counts = list(PRINTED_COUNT["preventive_measure"])
    preventive_counts[0] -= JAN16_PARENT_DIRECTED                  # 498 - 55 = 443
    parent_counts = list(PRINTED_COUNT["parent_directed_during_placement"])
    parent_counts[0] = JAN16_PARENT_DIRECTED                       # 55

    rows, born = [], {}

    def child(prefix: str, k: int) -> str:
        pid = f"{prefix}{k:04d}"
        born[pid] = _birth(len(born))
        return pid

    # preventive: step-3 measures, no placement; every 7th child has a second step-3 measure
    # (counted once), every 10th also an EXCLUDED (handicap) foster placement (decides nothing)
    for k, (start, end) in enumerate(spans(preventive_counts)):
        pid = child("prev", k)
        rows.append(measure(pid, STEP3_CODES[k % len(STEP3_CODES)], start=_iso(start), end=_iso(end)))
        if k % 7 == 0:
            rows.append(measure(pid, STEP3_CODES[(k + 3) % len(STEP3_CODES)],
                                start=_iso(start), end=_iso(end)))
        if k % 10 == 0:
            rows.append(measure(pid, "SEL 52.3.7", "plejefamilie", start=_iso(start),
                                end=_iso(end), handicap=True))
    # parent-directed: a step-3 measure inside a step 4-6 placement that starts 10 days earlier
    for k, (start, end) in enumerate(spans(parent_counts)):
        pid = child("pdir", k)
        rows.append(measure(pid, STEP3_CODES[k % len(STEP3_CODES)], start=_iso(start), end=_iso(end)))
        rows.append(measure(pid, "SEL 58" if k % 3 == 0 else "SEL 52.3.7",
                            PLACEMENT_SETTINGS[k % len(PLACEMENT_SETTINGS)],
                            start=_iso(start - dt.timedelta(days=10)), end=_iso(end)))
    # home placement: room of one's own / hall of residence
    for k, (start, end) in enumerate(spans(PRINTED_COUNT["home_placement"])):
        pid = child("home", k)
        rows.append(measure(pid, "SEL 52.3.7", HOME_SETTINGS[k % 2], start=_iso(start), end=_iso(end)))
    # stay for the whole family
    for k, (start, end) in enumerate(spans(PRINTED_COUNT["family_residential"])):
        pid = child("fam", k)
        rows.append(measure(pid, "SEL 52.3.4", start=_iso(start), end=_iso(end)))

    # distractors spanning all six points: none of them may enter Tabel 7
    for k in range(25):   # step-3 measures given because of disability
        rows.append(measure(child("hcap", k), STEP3_CODES[k % 8], start="2015-11-01", handicap=True))
    for k in range(8):    # unaccompanied refugee minors: family stay / room of one's own / step 3
        pid = child("refu", k)
        rows.append(measure(pid, "SEL 52.3.4", start="2015-11-01", refugee=True))
        rows.append(measure(pid, "SEL 52.3.7", "eget_vaerelse", start="2015-11-01", refugee=True))
    for k in range(30):   # step 2 only
        rows.append(measure(child("step2_", k), f"SEL 11.3.{1 + k % 4}", start="2015-11-01"))
    for k in range(15):   # placement only
        rows.append(measure(child("plac", k), "SEL 52.3.7", PLACEMENT_SETTINGS[k % 6],
                            start="2015-11-01"))
    for k in range(10):   # out of scope (financial support)
        rows.append(measure(child("oos", k), "SEL 52a", start="2015-11-01"))
    for k in range(5):    # adults on 31 Jan 2016 (born 1997): not children
        pid = f"adult{k}"
        born[pid] = "1997-06-01"
        rows.append(measure(pid, "SEL 52.3.3", start="2015-11-01"))

    return case_frames(
        measures=rows,
        population=population(k=KOMMUNE, year=2016, children=11498, adults=1000)
        + population(k=KOMMUNE, year=2017, children=11356, adults=1000),
        born=born,
        extraction_date="2017-10-15",
    )


@pytest.fixture(scope="module")
def published():
    return run(build_haderslev())


def test_generator_matches_the_printed_counts_by_construction():
    # self-check of the generator (independent of the pipeline): active spans per point
    for counts in ([0, 0, 0, 3, 0, 0], [3, 3, 3, 5, 5, 6], [443, 594, 620, 501, 479, 511]):
        s = spans(counts)
        for point, want in zip(POINTS, counts):
            assert sum(1 for a, b in s if a <= point and (b is None or b >= point)) == want


@pytest.mark.parametrize("kind", ["family_residential", "home_placement"])
@pytest.mark.parametrize("i", range(6), ids=LABELS)
def test_counts_and_rates_without_a_january_merge(published, kind, i):
    d = POINTS[i]
    pop = 11498 if d.year == 2016 else 11356
    n, den, v = figure(published, "home_based_per_1000", d, kind)
    assert n == PRINTED_COUNT[kind][i]
    assert den == pop
    assert abs(v - PRINTED_PER_1000[kind][i]) <= TOL


@pytest.mark.parametrize("kind", ["preventive_measure", "parent_directed_during_placement"])
@pytest.mark.parametrize("i", range(1, 6), ids=LABELS[1:])
def test_preventive_and_parent_directed_may16_to_sep17(published, kind, i):
    d = POINTS[i]
    pop = 11498 if d.year == 2016 else 11356
    n, den, v = figure(published, "home_based_per_1000", d, kind)
    assert n == PRINTED_COUNT[kind][i]
    assert den == pop
    assert abs(v - PRINTED_PER_1000[kind][i]) <= TOL


def test_january_2016_preventive_plus_parent_directed_equals_the_merged_figure(published):
    d = POINTS[0]
    prev = figure(published, "home_based_per_1000", d, "preventive_measure")
    pdir = figure(published, "home_based_per_1000", d, "parent_directed_during_placement")
    # printed 498 (merged) = preventive + parent-directed (a child is in at most one of the two)
    assert prev.numerator + pdir.numerator == PRINTED_COUNT["preventive_measure"][0]
    assert prev.denominator == pdir.denominator == 11498
    # 498 / 11498 × 1000 = 43.3119 -> printed 43.31
    assert abs(prev.value + pdir.value - PRINTED_PER_1000["preventive_measure"][0]) <= TOL


@pytest.mark.parametrize("i", range(6), ids=LABELS)
def test_total_counts_each_child_once(published, i):
    # the generated pools are disjoint children, so total = sum of the four kinds
    # (Jan 16: 0 + 3 + 498 = 501; May 16: 0 + 3 + 594 + 60 = 657; ...; Sep 17: 0 + 6 + 511 + 78 = 595)
    d = POINTS[i]
    merged = [498, 594, 620, 501, 479, 511][i]
    parent = [0, 60, 58, 97, 51, 78][i]                  # Jan 16 already inside `merged`
    expected = PRINTED_COUNT["family_residential"][i] + PRINTED_COUNT["home_placement"][i] \
        + merged + parent
    assert figure(published, "home_based_per_1000", d, "total").numerator == expected
