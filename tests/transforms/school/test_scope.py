"""Which municipalities and school years get a table, what the build warns about, and the shape of
the published rows (methodology.md §5, warehouse.md §2)."""
from __future__ import annotations

import pandas as pd
import pytest

from transforms import school
from transforms.duckdb_warehouse import DuckDBWarehouse
from transforms.tables import PUBLISHED

from .builders import absent, case_only, frames, measure, pupil, run


def _build(f, **params):
    engine = DuckDBWarehouse.in_memory()
    school.load_frames(engine, f)
    school.build(engine, school.SchoolParams(**params))
    return engine


def test_no_table_without_a_measures_snapshot_and_the_run_says_so():
    f = frames(measures=[case_only(510)], absence=[absent("A", 5, 10, kommune=510), absent("B", 5, 10, kommune=657)])
    with _build(f) as engine:
        got = school.published_rows(engine)
        assert set(got["kommunekode"]) == {510}
        notes = school.warnings(engine)
        assert any(n.startswith("municipality 657:") and "no measures snapshot" in n for n in notes)


@pytest.mark.parametrize("snapshot, published", [("2016-08-01", {"2015/16", "2016/17"}), ("2016-07-31", {"2015/16"})])
def test_a_school_year_that_starts_after_the_snapshot_gets_no_table(snapshot, published):
    f = frames(measures=[case_only()], absence=[absent("A", 5, 10, year=y) for y in ("2015/16", "2016/17")], snapshot=snapshot)
    with _build(f) as engine:
        assert set(school.published_rows(engine)["school_year"]) == published
        if len(published) == 1:
            assert any("starts after the extraction date" in n for n in school.warnings(engine))


def test_a_year_with_one_register_only_has_n_0_on_the_other_and_a_warning():
    f = frames(measures=[case_only()], absence=[absent(p, 5, 10) for p in "ABCDEF"])
    with _build(f) as engine:
        got = school.published_rows(engine)
        wellbeing = got[(got["pupil_group"] != "gap") & (got["indicator"] != "absence_pct")]
        assert (wellbeing["n"] == 0).all() and wellbeing["suppressed"].all() and wellbeing["mean"].isna().all()
        assert any("no wellbeing survey (trivsel)" in n for n in school.warnings(engine))


def test_every_published_school_year_has_every_group_and_indicator():
    f = frames(measures=[case_only(), measure("A", start="2015-01-01")],
               wellbeing=[pupil("A", 5, all=3.0, year="2014/15")],
               absence=[absent("A", 5, 10, year=y) for y in ("2015/16", "2016/17")])
    got = run(f)
    assert sorted(set(got["school_year"])) == ["2014/15", "2015/16", "2016/17"]
    per_year = got.groupby("school_year").apply(lambda g: set(zip(g["pupil_group"], g["indicator"])), include_groups=False)
    assert all(len(cells) == 15 for cells in per_year)
    assert set(got["indicator"]) == set(school.INDICATORS) and set(got["pupil_group"]) == set(school.GROUPS)


def test_published_columns_are_the_warehouse_table_but_run_id():
    got = run(frames(measures=[case_only()], absence=[absent("A", 5, 10)]))
    assert list(got.columns) == [c for c in PUBLISHED["school_wellbeing"].column_names if c != "run_id"]
    assert got.loc[got["pupil_group"] == "gap", "n"].isna().all()


def test_nothing_in_staging_breaks_the_group_down_by_measure_type():
    f = frames(measures=[measure("A", "SEL 52.3.7", "plejefamilie", start="2016-01-01")], absence=[absent("A", 5, 10)])
    with _build(f) as engine:
        for table in (*school.INTERMEDIATE, school.TABLE):
            columns = set(engine.query(f"SELECT * FROM staging.{table} LIMIT 0").columns)
            assert not columns & {"step", "paragraf", "anbringelsessted", "home_based_kind", "foranstaltning_id"}, table


def test_the_parameters_file_has_the_defaults():
    from transforms.parameters import config_path, load

    assert school.params_from(load(config_path())) == school.SchoolParams()
    assert school.params_from({"school_wellbeing": {"suppression_threshold": 10}}).suppression_threshold == 10


def test_grades_are_parameters():
    f = frames(measures=[case_only()], absence=[absent("A", 3, 10), absent("B", 4, 20)])
    got = run(f, suppression_threshold=1, first_grade=3)
    row = got[(got["pupil_group"] == "other") & (got["indicator"] == "absence_pct")].iloc[0]
    assert row["n"] == 2 and row["mean"] == pytest.approx(7.5)
    assert isinstance(got, pd.DataFrame)
