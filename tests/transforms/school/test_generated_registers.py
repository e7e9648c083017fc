"""The generated school registers (transforms/generator/school.py) and what the pipeline publishes
from them: realistic shape, and the issue's done-criterion on a generated inbox — a table for every
municipality and school year, vulnerable pupils below the others on wellbeing and above on
absence, and no cell below the threshold that shows a mean."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tests.transforms.inputs import Inbox
from transforms import school
from transforms.generator import generate_inbox
from transforms.generator.dates import day
from transforms.generator.measures import build_measures
from transforms.generator.municipalities import load_municipalities
from transforms.generator.population import simulate_children
from transforms.generator.school import build_school_years, school_years
from transforms.generator.seeding import Stream, rng_for
from transforms.generator.staircase import simulate_episodes
from transforms.generator.window import Window
from transforms.publish import load_inputs
from transforms.staging import Staging
from transforms.warehouse import open_warehouse

CODES = [510, 657, 167]
WELLBEING = ("academic_wellbeing", "social_wellbeing", "classroom_calm", "support_inspiration")


@pytest.fixture(scope="module")
def herning():
    """Herning at a fifth of its size, 2011 to the end of October 2026, simulated in memory."""
    window = Window(2011, date(2026, 10, 31))
    muni = {m.kommunekode: m for m in load_municipalities()}[657]
    children = simulate_children(muni, 0.2, window, 5, 98)
    episodes = simulate_episodes(children, window, rng_for(5, 657, Stream.STAIRCASE))
    measures = build_measures(episodes, children, window, rng_for(5, 657, Stream.MEASURES))
    return children, measures, build_school_years(children, measures, window, 5, 657)


def _frame(registers: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({k: v for k, v in registers.items()})


def test_school_years_from_2014_15_to_the_current_one():
    assert school_years(Window(2011, date(2026, 10, 31)))[0] == 2014
    assert school_years(Window(2011, date(2026, 10, 31)))[-1] == 2026
    assert school_years(Window(2011, date(2026, 7, 31)))[-1] == 2025


def test_grades_survey_and_absence(herning):
    _, _, years = herning
    y = next(sy for sy in years if sy.year == 2016)
    wellbeing, absence = _frame(y.trivsel), _frame(y.fravaer)
    assert set(absence["klassetrin"]) == set(range(11)) and set(wellbeing["klassetrin"]) == set(range(10))
    assert (absence["fravaersdage"] <= absence["skoledage"]).all() and (absence["skoledage"] > 0).all()
    indices = wellbeing[["faglig_trivsel", "social_trivsel", "ro_og_orden", "stoette_og_inspiration"]]
    assert ((indices >= 1) & (indices <= 5) | indices.isna()).all().all()
    silent = indices.isna().all(axis=1).mean()
    assert 0.08 <= silent <= 0.25
    assert set(wellbeing["cpr"]) <= set(absence["cpr"])  # the surveyed pupils are on the absence register too
    assert absence["cpr"].is_unique and wellbeing["cpr"].is_unique


def _vulnerable(measures, year: int) -> set:
    """Simulated children with a measure on steps 2-6 on at least one day of the school year."""
    first, last = day(date(year, 8, 1)), day(date(year + 1, 7, 31))
    hit = np.isin(measures.step, (2, 3, 4, 5, 6)) & (measures.start <= last) & (measures.end >= first)
    return set(measures.child[hit])


def test_vulnerable_pupils_answer_less_fare_worse_and_the_group_turns_over(herning):
    children, measures, years = herning
    cpr_of = children.cpr
    shares = []
    for sy in years[:-1]:
        vulnerable = {cpr_of[c] for c in _vulnerable(measures, sy.year)}
        wellbeing, absence = _frame(sy.trivsel), _frame(sy.fravaer)
        w_v, a_v = wellbeing["cpr"].isin(vulnerable), absence["cpr"].isin(vulnerable)
        silent = wellbeing["faglig_trivsel"].isna()
        assert silent[w_v].mean() > silent[~w_v].mean()
        assert wellbeing.loc[w_v, "social_trivsel"].mean() < wellbeing.loc[~w_v, "social_trivsel"].mean()
        pct = absence["fravaersdage"] / absence["skoledage"]
        assert pct[a_v].mean() > 1.5 * pct[~a_v].mean()
        shares.append(a_v.mean())
    assert 0.04 <= np.mean(shares) <= 0.2
    # turnover: of the pupils with a measure in one school year, some have none the next, and new ones come
    stay = []
    for this, nxt in zip(years[:-2], years[1:-1]):
        now = {cpr_of[c] for c in _vulnerable(measures, this.year)} & set(this.fravaer["cpr"])
        then = {cpr_of[c] for c in _vulnerable(measures, nxt.year)} & set(nxt.fravaer["cpr"])
        stay.append(len(now & then) / len(now))
        assert then - now
    assert 0.3 <= np.mean(stay) <= 0.9


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A generated inbox of the three partnership municipalities (school years 2022/23-2024/25,
    a third of their size) through the real ingest and the school build."""
    tmp = tmp_path_factory.mktemp("generated")
    patch = pytest.MonkeyPatch()
    try:
        inbox = Inbox(tmp, patch)
        generate_inbox(inbox.root, kommunekoder=CODES, scale=0.3, seed=8, from_year=2022, to_date=date(2024, 10, 31))
        for k in CODES:
            inbox.run("case", k)
            inbox.run("school", k)
        ctx = inbox.context()
        with open_warehouse(ctx.warehouse_url) as wh:
            load_inputs(wh, Staging(ctx.staging_path))
            school.build(wh, school.SchoolParams())
            rows = school.published_rows(wh)
            notes = school.warnings(wh)
        audit = inbox.audit("r1")
    finally:
        patch.undo()
    return rows, notes, audit


def test_every_municipality_has_every_school_year(published):
    rows, notes, audit = published
    assert notes == []
    school_files = audit[audit["source"] == "school"]
    assert len(school_files) == 3 * 3 * 2 and school_files["status"].isin(["loaded", "partially_loaded"]).all()
    for k in CODES:
        mine = rows[rows["kommunekode"] == k]
        assert sorted(set(mine["school_year"])) == ["2022/23", "2023/24", "2024/25"]
        assert len(mine) == 3 * 15


def test_no_small_cell_shows_a_mean_and_the_groups_differ_as_in_the_report(published):
    rows, _, _ = published
    groups = rows[rows["pupil_group"] != "gap"]
    assert groups.loc[groups["n"] < 5, "mean"].isna().all()
    assert (groups["suppressed"] == (groups["n"] < 5)).all()
    shown = rows[rows["pupil_group"] == "gap"].dropna(subset=["mean"])
    assert len(shown) >= 30
    # pooled over municipalities and years (single small cells may cross by chance)
    pooled = shown.groupby("indicator")["mean"].mean()
    assert (pooled[list(WELLBEING)] > 0).all() and pooled["absence_pct"] < -2
    full_years = rows[(rows["school_year"] != "2024/25") & (rows["pupil_group"] != "gap")]
    means = full_years.pivot_table(index=["kommunekode", "school_year", "indicator"], columns="pupil_group", values="mean")
    assert (means["vulnerable"] > means["other"]).xs("absence_pct", level="indicator").all()
    assert means["other"].between(1, 15).all() and means["vulnerable"].between(1, 30).all()
