"""Disclosure control (methodology.md §5): a cell with n below the threshold shows no mean, and
neither does the gap that would reveal it (gap + the other group's mean = the suppressed mean)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .builders import absent, case_only, cell, frames, measure, pupil, pupils, run

WELLBEING = ("academic_wellbeing", "social_wellbeing", "classroom_calm", "support_inspiration")


def _school(vulnerable: int, other: int, *, answered_vulnerable: int | None = None):
    """`vulnerable` pupils with a measure (absence 20 days = 10 %, index 3.0) and `other` pupils
    (10 days = 5 %, index 4.0); only the first `answered_vulnerable` vulnerable pupils answered the survey."""
    v, o = pupils("v", vulnerable), pupils("o", other)
    answered = v[: vulnerable if answered_vulnerable is None else answered_vulnerable]
    return frames(measures=[case_only()] + [measure(p, start="2016-10-01") for p in v],
                  wellbeing=[pupil(p, 6, all=3.0) for p in answered] + [pupil(p, 6, all=4.0) for p in o],
                  absence=[absent(p, 6, 20) for p in v] + [absent(p, 6, 10) for p in o])


def test_four_vulnerable_pupils_are_suppressed_and_so_is_the_gap():
    df = run(_school(4, 10))
    for indicator in (*WELLBEING, "absence_pct"):
        assert cell(df, "2016/17", "vulnerable", indicator) == (None, 4, True)
        assert cell(df, "2016/17", "gap", indicator) == (None, None, True)   # 5.0 − gap would give the 10 %
        assert not cell(df, "2016/17", "other", indicator).suppressed
    assert cell(df, "2016/17", "other", "absence_pct") == (5.0, 10, False)


def test_five_vulnerable_pupils_are_shown_with_their_gap():
    df = run(_school(5, 10))
    assert cell(df, "2016/17", "vulnerable", "absence_pct") == (10.0, 5, False)
    assert cell(df, "2016/17", "gap", "absence_pct") == (-5.0, None, False)            # 5 − 10
    assert cell(df, "2016/17", "gap", "academic_wellbeing") == (1.0, None, False)      # 4 − 3


def test_suppression_is_per_indicator():
    # five vulnerable pupils for absence, but one missed the survey: four for every index
    df = run(_school(5, 10, answered_vulnerable=4))
    assert cell(df, "2016/17", "vulnerable", "absence_pct") == (10.0, 5, False)
    assert cell(df, "2016/17", "gap", "absence_pct") == (-5.0, None, False)
    for indicator in WELLBEING:
        assert cell(df, "2016/17", "vulnerable", indicator) == (None, 4, True)
        assert cell(df, "2016/17", "gap", indicator) == (None, None, True)


def test_a_small_other_group_is_suppressed_too():
    df = run(_school(6, 3))
    assert cell(df, "2016/17", "other", "absence_pct") == (None, 3, True)
    assert cell(df, "2016/17", "vulnerable", "absence_pct") == (10.0, 6, False)
    assert cell(df, "2016/17", "gap", "absence_pct") == (None, None, True)


def test_the_threshold_is_a_parameter():
    assert cell(run(_school(4, 10), suppression_threshold=4), "2016/17", "vulnerable", "absence_pct") == (10.0, 4, False)
    assert cell(run(_school(5, 10), suppression_threshold=6), "2016/17", "vulnerable", "absence_pct") == (None, 5, True)


def test_a_group_without_pupils_is_published_with_n_0_and_no_mean():
    df = run(_school(0, 10))
    assert cell(df, "2016/17", "vulnerable", "absence_pct") == (None, 0, True)
    assert cell(df, "2016/17", "gap", "absence_pct") == (None, None, True)


def _random_school(seed: int):
    """A few hundred pupils over three school years, two municipalities, group sizes around the threshold."""
    rng = np.random.default_rng(seed)
    measures, wellbeing, absence = [], [], []
    for k in (510, 657):
        measures.append(case_only(k))
        for i in range(int(rng.integers(20, 120))):
            p = f"{k}-{i}"
            if rng.random() < 0.12:
                start = pd.Timestamp("2014-06-01") + pd.Timedelta(days=int(rng.integers(0, 1100)))
                end = start + pd.Timedelta(days=int(rng.integers(0, 400)))
                measures.append(measure(p, str(rng.choice(["SEL 11.3", "SEL 52.3.3", "SEL 54"])), start=str(start.date()),
                                        end=None if rng.random() < 0.3 else str(end.date()), kommune=k,
                                        handicap=bool(rng.random() < 0.15)))
            for y in ("2014/15", "2015/16", "2016/17"):
                grade = int(rng.integers(2, 11))
                if rng.random() < 0.85:
                    values = {c: (None if rng.random() < 0.1 else float(np.round(rng.uniform(1, 5), 2)))
                              for c in ("academic", "social", "calm", "support")}
                    wellbeing.append(pupil(p, min(grade, 9), year=y, kommune=k, **values))
                days = float(rng.integers(150, 201))
                absence.append(absent(p, grade, float(np.round(rng.uniform(0, days / 4), 1)), school_days=days, year=y, kommune=k))
    return frames(measures=measures, wellbeing=wellbeing, absence=absence)


def _expected(f, threshold: int) -> pd.DataFrame:
    """The table computed independently in pandas, straight from methodology.md §5."""
    m = f.measures[~(f.measures["handicap"] | f.measures["uledsaget_flygtning"])]
    rows = []
    names = {"faglig_trivsel": "academic_wellbeing", "social_trivsel": "social_wellbeing", "ro_og_orden": "classroom_calm",
             "stoette_og_inspiration": "support_inspiration"}
    values = [f.wellbeing.assign(indicator=name, value=f.wellbeing[col]) for col, name in names.items()]
    values.append(f.absence.assign(indicator="absence_pct", value=100 * f.absence["fravaersdage"] / f.absence["skoledage"]))
    values = pd.concat(values)
    values = values[values["klassetrin"].between(4, 9) & values["value"].notna()]
    for (k, y), part in values.groupby(["kommunekode", "skoleaar"]):
        first, last = pd.Timestamp(f"{y[:4]}-08-01").date(), pd.Timestamp(f"{int(y[:4]) + 1}-07-31").date()
        mm = m[(m["kommunekode"] == k) & (m["startdato"] <= last) & (m["slutdato"].isna() | (m["slutdato"] >= first))]
        vulnerable = set(mm["person_id"])
        for indicator in ("academic_wellbeing", "social_wellbeing", "classroom_calm", "support_inspiration", "absence_pct"):
            sel = part[part["indicator"] == indicator]
            cells = {}
            for group, members in (("vulnerable", sel[sel["person_id"].isin(vulnerable)]), ("other", sel[~sel["person_id"].isin(vulnerable)])):
                n = len(members)
                cells[group] = (members["value"].mean() if n else None, n, n < threshold)
                rows.append((k, y, group, indicator, None if n < threshold else cells[group][0], n, n < threshold))
            hidden = cells["other"][2] or cells["vulnerable"][2]
            rows.append((k, y, "gap", indicator, None if hidden else cells["other"][0] - cells["vulnerable"][0], None, hidden))
    out = pd.DataFrame(rows, columns=["kommunekode", "school_year", "pupil_group", "indicator", "mean", "n", "suppressed"])
    return out.sort_values(["kommunekode", "school_year", "pupil_group", "indicator"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("threshold", [5, 10])
def test_random_registers_match_an_independent_computation(seed, threshold):
    f = _random_school(seed)
    got = run(f, suppression_threshold=threshold)
    want = _expected(f, threshold)
    assert len(got) == len(want) == 2 * 3 * 3 * 5
    pd.testing.assert_frame_equal(got.drop(columns=["mean", "n"]), want.drop(columns=["mean", "n"]), check_dtype=False)
    assert got["n"].astype("Float64").equals(want["n"].astype("Float64"))
    assert np.allclose(got["mean"].astype(float), want["mean"].astype(float), equal_nan=True)
    # the invariants, whatever the data
    groups = got[got["pupil_group"] != "gap"]
    assert (groups["suppressed"] == (groups["n"] < threshold)).all()
    assert groups.loc[groups["suppressed"], "mean"].isna().all()
    assert got.loc[got["pupil_group"] == "gap", "n"].isna().all()
