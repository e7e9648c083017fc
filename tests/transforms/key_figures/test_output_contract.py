"""Shape of the published rows (methodology.md §2-3, key_figures module docstring): columns,
units per key figure, breakdowns ('' where none), one row per key, null value only with
denominator 0, numerator/denominator always present.
"""
import datetime as dt

import pandas as pd
import pytest

from .builders import (
    OUTPUT_COLUMNS, case_frames, caseworker, followup, investigation, is_null, measure,
    measurement_dates, population, run,
)

UNITS = {
    "placed_per_1000": "per_1000",
    "placement_form_share": "pct",
    "home_based_per_1000": "per_1000",
    "preventive_per_1000": "per_1000",
    "institution_exits": "pct",
    "home_based_movement": "pct",
    "preventive_followed_by_investigation": "pct",
    "caseload_per_worker": "cases",
}
BREAKDOWNS = {
    "placed_per_1000": {""},
    "placement_form_share": {"network_care", "foster_care", "institution"},
    "home_based_per_1000": {"total", "family_residential", "home_placement",
                            "preventive_measure", "parent_directed_during_placement"},
    "preventive_per_1000": {""},
    "institution_exits": {"total", "to_network_or_foster_care", "not_placed"},
    "home_based_movement": {"up", "down", "none"},
    "preventive_followed_by_investigation": {""},
    "caseload_per_worker": {"mean", "mean_per_fte", "max", "min"},
    "days_between_followups": {"median", "share_within_standard"},
}


@pytest.fixture(scope="module")
def df():
    frames = case_frames(
        measures=[
            measure("A", "SEL 58", "opholdssted", start="2015-12-01", end="2016-08-01", id="a1"),
            measure("A", "SEL 52.3.7", "plejefamilie", start="2016-08-02", id="a2"),
            measure("B", "SEL 52.3.3", start="2015-12-01", id="b1"),
            measure("C", "SEL 11.3.1", start="2016-03-01", id="c1"),
            measure("D", "SEL 52.3.7", "eget_vaerelse", start="2015-12-01", id="d1"),
        ],
        investigations=[investigation("C", "2016-04-01")],
        caseworkers=[caseworker("2016-03-01", "w1", 1.0, 12), caseworker("2016-03-01", "w2", 0.5, 6)],
        followups=[followup("b1", "2016-02-01"), followup("b1", "2016-04-01"),
                   followup("a2", "2016-09-01")],
        population=population(year=2016) + population(year=2017),
    )
    return run(frames)


def test_columns(df):
    assert list(df.columns) == OUTPUT_COLUMNS


def test_units_per_key_figure(df):
    for kf, u in UNITS.items():
        units = set(df.loc[df["key_figure"] == kf, "unit"])
        assert units == {u}, (kf, units)
    dbf = df[df["key_figure"] == "days_between_followups"]
    assert set(dbf.loc[dbf["breakdown"] == "median", "unit"]) <= {"days"}
    assert set(dbf.loc[dbf["breakdown"] == "share_within_standard", "unit"]) == {"pct"}


def test_breakdowns_per_key_figure(df):
    assert set(df["key_figure"]) <= set(BREAKDOWNS)
    for kf, expected in BREAKDOWNS.items():
        sub = df[df["key_figure"] == kf]
        assert not sub["breakdown"].isna().any(), kf           # '' not null where none
        assert set(sub["breakdown"]) <= expected, kf
    # every measurement point carries the complete set of the always-published figures
    for d in measurement_dates(df):
        for kf in ("placed_per_1000", "placement_form_share", "home_based_per_1000",
                   "preventive_per_1000", "preventive_followed_by_investigation"):
            at = df[(df["key_figure"] == kf)
                    & (pd.to_datetime(df["measurement_date"]) == pd.Timestamp(d))]
            assert set(at["breakdown"]) == BREAKDOWNS[kf], (kf, d)


def test_one_row_per_key(df):
    key = ["kommunekode", "measurement_date", "key_figure", "breakdown"]
    assert not df.duplicated(key).any()


def test_null_value_only_with_denominator_zero(df):
    for _, row in df.iterrows():
        assert not is_null(row["numerator"]) and not is_null(row["denominator"]), row.to_dict()
        if is_null(row["value"]):
            assert row["denominator"] == 0 and row["numerator"] == 0, row.to_dict()
        if row["denominator"] == 0:
            assert is_null(row["value"]), row.to_dict()


def test_measurement_points_are_31_jan_31_may_30_sep(df):
    for d in measurement_dates(df):
        assert (d.month, d.day) in {(1, 31), (5, 31), (9, 30)}, d
    # earliest start 1 Dec 2015 -> first 31 Jan 2016; extraction 15 Oct 2017 -> last 30 Sep 2017
    assert measurement_dates(df)[0] == dt.date(2016, 1, 31)
    assert measurement_dates(df)[-1] == dt.date(2017, 9, 30)
    assert len(measurement_dates(df)) == 6
