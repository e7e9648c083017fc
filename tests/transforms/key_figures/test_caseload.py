"""caseload_per_worker (methodology.md §3): on each counting date of the caseworker snapshot
(its own dates), mean = total open cases / heads; mean_per_fte = total open cases / total FTE;
max / min = the highest / lowest caseload of one caseworker, numerator = that caseload,
denominator = 1. Unit `cases`; rows carry the counting date as measurement_date.
"""
import pytest

from .builders import case_frames, caseworker, figure, has_row, measure, population, run, unit

KF = "caseload_per_worker"
MAR = "2016-03-01"
SEP = "2016-09-01"


def _frames():
    return case_frames(
        measures=[
            measure("A", "SEL 52.3.3", start="2015-06-01", kommune=510),
            measure("B", "SEL 52.3.3", start="2015-06-01", kommune=657),
        ],
        caseworkers=[
            caseworker(MAR, "w1", 1.0, 20, team="A"),
            caseworker(MAR, "w2", 0.5, 9, team="B"),
            caseworker(MAR, "w3", 0.8, 15, team="B"),
            caseworker(SEP, "w1", 1.0, 18, team="A"),
            caseworker(SEP, "w2", 1.0, 22, team="B"),
            caseworker(SEP, "w4", 0.75, 0, team="B"),
            caseworker(MAR, "x1", 1.0, 30, kommune=657),
        ],
        population=population(k=510, year=2016) + population(k=657, year=2016),
    )


def test_caseload_on_the_first_counting_date():
    df = run(_frames())
    # 1 Mar 2016, 510: cases 20 + 9 + 15 = 44; heads 3; FTE 1.0 + 0.5 + 0.8 = 2.3
    # mean 44 / 3 = 14.6667; per FTE 44 / 2.3 = 19.1304...
    n, d, v = figure(df, KF, MAR, "mean")
    assert (n, d) == (44, 3) and v == pytest.approx(44 / 3, rel=1e-12)
    n, d, v = figure(df, KF, MAR, "mean_per_fte")
    assert n == 44 and d == pytest.approx(2.3) and v == pytest.approx(44 / 2.3, rel=1e-9)
    # max w1 20 -> 20 / 1 = 20; min w2 9 -> 9 / 1 = 9
    assert figure(df, KF, MAR, "max") == (20, 1, pytest.approx(20.0))
    assert figure(df, KF, MAR, "min") == (9, 1, pytest.approx(9.0))
    for b in ("mean", "mean_per_fte", "max", "min"):
        assert unit(df, KF, MAR, b) == "cases"


def test_caseload_on_the_second_counting_date_includes_a_worker_with_no_cases():
    df = run(_frames())
    # 1 Sep 2016, 510: cases 18 + 22 + 0 = 40; heads 3; FTE 1.0 + 1.0 + 0.75 = 2.75
    # mean 40 / 3 = 13.3333; per FTE 40 / 2.75 = 14.5454...
    n, d, v = figure(df, KF, SEP, "mean")
    assert (n, d) == (40, 3) and v == pytest.approx(40 / 3, rel=1e-12)
    n, d, v = figure(df, KF, SEP, "mean_per_fte")
    assert n == 40 and d == pytest.approx(2.75) and v == pytest.approx(40 / 2.75, rel=1e-9)
    # max w2 22; min w4 0 -> 0 / 1 = 0.0
    assert figure(df, KF, SEP, "max") == (22, 1, pytest.approx(22.0))
    assert figure(df, KF, SEP, "min") == (0, 1, pytest.approx(0.0))


def test_caseload_rows_carry_the_counting_date_and_stay_per_municipality():
    df = run(_frames())
    # no caseload row on a measurement point (31 Jan / 31 May / 30 Sep)
    for point in ("2016-01-31", "2016-05-31", "2016-09-30"):
        assert not has_row(df, KF, point)
    # 657 on 1 Mar 2016: one worker, 30 cases, FTE 1.0 -> 30 / 1 = 30 (510 not mixed in)
    assert figure(df, KF, MAR, "mean", kommune=657) == (30, 1, pytest.approx(30.0))
    assert figure(df, KF, MAR, "max", kommune=657) == (30, 1, pytest.approx(30.0))
    # 657 has no 1 Sep 2016 counting date
    assert not has_row(df, KF, SEP, kommune=657)
