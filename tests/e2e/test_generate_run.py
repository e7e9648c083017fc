"""End to end, as a user runs it: `trappe generate` → `trappe run` (the real DAGs) → the warehouse.

One generated inbox of the three partnership municipalities at a tenth of their real volume, run
twice; the assertions read the published tables back.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import psycopg
import pytest

from transforms.file_kinds import sources
from tests.privacy import inbox_cprs, leaks
from transforms.postgres_warehouse import _conninfo
from transforms.tables import PUBLISHED
from transforms.measurement_points import points_between

TRAPPE = str(Path(sys.executable).with_name("trappe"))
CODES = [510, 657, 167]
KEY_FIGURES = {
    "placed_per_1000": {""},
    "placement_form_share": {"network_care", "foster_care", "institution"},
    "home_based_per_1000": {"total", "family_residential", "home_placement", "preventive_measure", "parent_directed_during_placement"},
    "preventive_per_1000": {""},
    "institution_exits": {"total", "to_network_or_foster_care", "not_placed"},
    "home_based_movement": {"up", "down", "none"},
    "preventive_followed_by_investigation": {""},
    "caseload_per_worker": {"mean", "mean_per_fte", "max", "min"},
    "days_between_followups": {"median", "share_within_standard"},
}


def _trappe(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRAPPE, *args], capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory, postgres_url):
    root = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["TRAPPE_PSEUDONYM_KEY"] = "an-end-to-end-test-key-0123456789"
    gen = _trappe("generate", "--out", str(root / "inbox"), "--kommunekoder", ",".join(map(str, CODES)), "--scale", "0.1", "--seed", "234", env=env)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    # Two worker processes here; the PostgreSQL run below is a small night and runs in one process
    # (ingest.SMALL_NIGHT_BYTES), so comparing the two warehouses compares both ways of running.
    first = _trappe("run", "--inbox", str(root / "inbox"), "--data-dir", str(root / "data"), "--processes", "2", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    con = duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True)
    tables = {t: con.execute(f"SELECT * FROM published.{t}").df() for t in ("key_figures", "load_audit", "quarantine")}
    con.close()
    second = _trappe("run", "--inbox", str(root / "inbox"), "--data-dir", str(root / "data"), env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    con = duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True)
    again = {t: con.execute(f"SELECT * FROM published.{t}").df() for t in ("key_figures", "load_audit")}
    con.close()
    with psycopg.connect(_conninfo(postgres_url)) as pg:  # a clean PostgreSQL warehouse for the same inbox
        pg.execute("DROP SCHEMA IF EXISTS published CASCADE")
        pg.execute("DROP SCHEMA IF EXISTS staging CASCADE")
    on_postgres = _trappe("run", "--inbox", str(root / "inbox"), "--data-dir", str(root / "data_pg"), "--warehouse", postgres_url, env=env)
    assert on_postgres.returncode == 0, on_postgres.stdout + on_postgres.stderr
    assert "secret" not in on_postgres.stdout and postgres_url.split("@")[0].split(":")[-1] not in on_postgres.stdout
    with psycopg.connect(_conninfo(postgres_url)) as pg:
        postgres = {t.name: pd.DataFrame(pg.execute(f"SELECT * FROM {t.qualified}").fetchall(), columns=t.column_names)
                    for t in PUBLISHED.values()}
    con = duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True)
    duck = {t.name: con.execute(f"SELECT * FROM {t.qualified}").df() for t in PUBLISHED.values()}
    con.close()
    return {"root": root, "first": first, "second": second, "tables": tables, "again": again,
            "postgres": postgres, "duckdb_first_run": {k: v[v["run_id"] == v["run_id"].min()] if "run_id" in v else v for k, v in duck.items()}}


def test_summary_says_what_was_published_and_where(run):
    out = run["first"].stdout
    assert "warehouse.duckdb" in out and "key_figures" in out and "Quarantined rows by rule" in out


def test_every_key_figure_and_breakdown_at_every_measurement_point(run):
    kf = run["tables"]["key_figures"]
    audit = run["tables"]["load_audit"]
    for k in CODES:
        mine = kf[kf["kommunekode"] == k]
        got = mine.groupby("key_figure")["breakdown"].agg(set).to_dict()
        assert got == KEY_FIGURES, k
        points = sorted(pd.to_datetime(mine.loc[mine["key_figure"] == "placement_form_share", "measurement_date"]).dt.date.unique())
        measures = audit[(audit["kommunekode"] == k) & audit["file_name"].str.contains("foranstaltninger") & audit["status"].isin(["loaded", "partially_loaded"])]
        snapshot = max(pd.to_datetime(measures["file_name"].str.extract(r"(\d{4}-\d{2}-\d{2})")[0]).dt.date)
        assert points[-1] == points_between(points[-1], snapshot)[-1]
        assert points == points_between(points[0], points[-1])
        movement = mine[mine["key_figure"] == "home_based_movement"]
        assert sorted(set(pd.to_datetime(movement["measurement_date"]).dt.date)) == points[3:] or len(points) < 4


def test_plausible_levels(run):
    kf = run["tables"]["key_figures"]
    latest = kf[pd.to_datetime(kf["measurement_date"]) == pd.to_datetime(kf.loc[kf["key_figure"] == "placed_per_1000", "measurement_date"]).max()]
    placed = latest[latest["key_figure"] == "placed_per_1000"]["value"]
    assert placed.between(3, 20).all(), placed
    shares = latest[latest["key_figure"] == "placement_form_share"].groupby("kommunekode")["value"].sum()
    assert ((shares - 100).abs() < 1e-9).all()


def test_rows_read_equal_loaded_plus_quarantined(run):
    audit = run["tables"]["load_audit"]
    assert (audit["rows_read"] == audit["rows_loaded"] + audit["rows_quarantined"]).all()
    quarantine = run["tables"]["quarantine"]
    counted = quarantine.dropna(subset=["row_number"]).groupby("file_name").size()
    assert (audit.set_index("file_name")["rows_quarantined"].reindex(counted.index) == counted).all()
    files = {p.relative_to(run["root"] / "inbox").as_posix() for p in (run["root"] / "inbox").rglob("*") if p.is_file()
             and p.relative_to(run["root"] / "inbox").parts[0] in sources()}
    assert files <= set(audit["file_name"])


def test_flawed_rows_are_quarantined_with_their_rule(run):
    rules = set(run["tables"]["quarantine"]["rule"])
    assert {"cpr_invalid_date", "unknown_code", "end_before_start", "duplicate_id", "kommunekode_not_folder"} <= rules


def test_rerun_is_unchanged_and_republishes_the_same_figures(run):
    audit = run["again"]["load_audit"]
    last = audit[audit["run_id"] == audit["run_id"].max()]
    assert set(last["status"]) <= {"unchanged", "superseded"}
    cols = ["kommunekode", "measurement_date", "key_figure", "breakdown", "numerator", "denominator", "value", "unit"]
    before = run["tables"]["key_figures"][cols].sort_values(cols[:4]).reset_index(drop=True)
    after = run["again"]["key_figures"][cols].sort_values(cols[:4]).reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)


def test_no_cpr_number_of_the_inbox_anywhere_the_run_wrote(run):
    cprs = inbox_cprs(run["root"] / "inbox")
    assert len(cprs) > 1000
    assert leaks(run["root"] / "data", cprs) == []
    assert not any(c in run["first"].stdout + run["first"].stderr for c in cprs)


@pytest.mark.parametrize("table", list(PUBLISHED))
def test_postgresql_publishes_the_same_rows_as_duckdb(run, table):
    """Row by row, apart from the run's own id and time."""
    ignore = {"run_id", "loaded_at"}
    duck, pg = run["duckdb_first_run"][table], run["postgres"][table]
    cols = [c for c in PUBLISHED[table].column_names if c not in ignore]

    def canonical(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[cols].copy()
        for c in cols:
            if out[c].dtype.kind in "fiu" or c in ("numerator", "denominator", "value"):
                out[c] = pd.to_numeric(out[c]).astype(float).round(9)
            else:
                out[c] = out[c].map(lambda v: None if pd.isna(v) else str(pd.Timestamp(v).date()) if hasattr(v, "year") else str(v))
        return out.sort_values(cols, na_position="first").reset_index(drop=True)

    pd.testing.assert_frame_equal(canonical(duck), canonical(pg), check_dtype=False)


def test_status_tells_what_the_last_run_published(run):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    out = _trappe("status", "--data-dir", str(run["root"] / "data"), env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Last run run_" in out.stdout and "key_figures" in out.stdout and "unchanged" in out.stdout
