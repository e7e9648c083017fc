"""The `deliver` DAG and its timetable: runs on the days after each measurement point (early
February, June and October), survives Airflow's serialization through the plugin, and delivers the
extracts when run."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction

from plugins.measurement_timetable import MeasurementPointTimetable, point_for

REPO = Path(__file__).resolve().parents[2]
UTC = pendulum.UTC


def at(*args) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=UTC)


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    return bag.dags["deliver"]


def test_shape(dag):
    assert set(dag.task_dict) == {"municipalities", "deliver_municipality"}
    assert dag.task_dict["deliver_municipality"].upstream_task_ids == {"municipalities"}
    assert isinstance(dag.timetable, MeasurementPointTimetable)
    assert dag.timetable.days == 7 and dag.timetable.at == "06:00"
    assert not dag.catchup and dag.max_active_runs == 1


def test_runs_on_the_days_after_each_point():
    tt = MeasurementPointTimetable(days=7, at="06:00")
    runs = tt.run_times(2026)
    assert len(runs) == 21
    assert {(r.month, r.day) for r in runs} == {(m, d) for m in (2, 6, 10) for d in range(1, 8)}
    assert all((r.hour, r.minute) == (6, 0) for r in runs)


def test_next_run_follows_the_last_and_skips_to_the_next_point():
    tt = MeasurementPointTimetable(days=7, at="06:00")
    catchup = TimeRestriction(earliest=at(2026, 1, 1), latest=None, catchup=True)
    first = tt.next_dagrun_info(last_automated_data_interval=None, restriction=catchup)
    assert first.run_after == at(2026, 2, 1, 6) and first.data_interval == DataInterval(at(2026, 1, 31, 6), at(2026, 2, 1, 6))
    second = tt.next_dagrun_info(last_automated_data_interval=first.data_interval, restriction=catchup)
    assert second.run_after == at(2026, 2, 2, 6)
    last_of_february = DataInterval(at(2026, 2, 6, 6), at(2026, 2, 7, 6))
    assert tt.next_dagrun_info(last_automated_data_interval=last_of_february, restriction=catchup).run_after == at(2026, 6, 1, 6)
    october = DataInterval(at(2026, 10, 6, 6), at(2026, 10, 7, 6))
    assert tt.next_dagrun_info(last_automated_data_interval=october, restriction=catchup).run_after == at(2027, 2, 1, 6)
    ended = TimeRestriction(earliest=at(2026, 1, 1), latest=at(2026, 5, 1), catchup=True)
    assert tt.next_dagrun_info(last_automated_data_interval=last_of_february, restriction=ended) is None
    assert tt.next_dagrun_info(last_automated_data_interval=None, restriction=TimeRestriction(None, None, True)) is None


def test_without_catchup_the_first_run_is_the_next_one_from_now():
    tt = MeasurementPointTimetable()
    info = tt.next_dagrun_info(last_automated_data_interval=None, restriction=TimeRestriction(at(2020, 1, 1), None, False))
    now = pendulum.now(UTC)
    assert now <= info.run_after <= now.add(days=130)
    assert (info.run_after.month, info.run_after.hour) in {(2, 6), (6, 6), (10, 6)}


@pytest.mark.parametrize(("day", "point"), [
    (date(2026, 2, 1), date(2026, 1, 31)), (date(2026, 2, 7), date(2026, 1, 31)), (date(2026, 6, 3), date(2026, 5, 31)),
    (date(2026, 10, 1), date(2026, 9, 30)), (date(2026, 1, 31), date(2025, 9, 30)), (date(2026, 11, 23), date(2026, 9, 30)),
])
def test_the_point_a_run_delivers(day, point):
    assert point_for(day) == point


def test_manual_runs_get_a_day_long_interval():
    tt = MeasurementPointTimetable()
    interval = tt.infer_manual_data_interval(run_after=at(2026, 11, 23, 10))
    assert interval == DataInterval(at(2026, 11, 22, 10), at(2026, 11, 23, 10))


def test_serialization_round_trip():
    tt = MeasurementPointTimetable(days=3, at="07:30", points=("01-31", "05-31", "09-30"))
    again = MeasurementPointTimetable.deserialize(tt.serialize())
    assert again == tt and again.summary == "07:30 UTC, days 1-3 after each measurement point (Feb, Jun, Oct)"


def _airflow_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({"AIRFLOW_HOME": str(tmp_path / "airflow"), "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow' / 'airflow.db'}",
                "GX_ANALYTICS_ENABLED": "False"})
    return env


def test_the_scheduler_can_store_and_restore_the_dag(tmp_path):
    """Airflow keeps DAGs as JSON; a custom timetable must be registered by a plugin under the import
    path the DAG uses. Run as the scheduler would: plugins loaded from the plugins folder."""
    code = ("from airflow.dag_processing.dagbag import DagBag\n"
            "from airflow.serialization.serialized_objects import DagSerialization\n"
            f"dag = DagBag(dag_folder={str(REPO / 'dags')!r}).dags['deliver']\n"
            "back = DagSerialization.from_dict(DagSerialization.to_dict(dag))\n"
            "print(type(back.timetable).__module__, back.timetable.serialize())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_airflow_env(tmp_path), cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "plugins.measurement_timetable {'days': 7, 'at': '06:00', 'points': ['01-31', '05-31', '09-30']}" in done.stdout


def test_a_run_of_the_dag_delivers_every_municipality_with_figures_at_the_point(tmp_path):
    from tests.transforms.delivery import fixture_warehouse
    from transforms.warehouse import open_warehouse

    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    with open_warehouse(url) as wh:
        fixture_warehouse.build(wh)
    env = _airflow_env(tmp_path)
    migrate = subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], capture_output=True, text=True,
                             env=env, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    outbox = tmp_path / "outbox"
    code = ("from airflow.dag_processing.dagbag import DagBag\n"
            f"dag = DagBag(dag_folder={str(REPO / 'dags')!r}).dags['deliver']\n"
            f"run = dag.test(run_conf={{'warehouse_url': {url!r}, 'outbox': {str(outbox)!r}, 'measurement_point': '2026-05-31', 'pdf': False}})\n"
            "print('STATE', run.state)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert "STATE success" in done.stdout or "STATE DagRunState.SUCCESS" in done.stdout, (done.stdout + done.stderr)[-4000:]
    assert sorted(str(p.relative_to(outbox)) for p in outbox.glob("*/*")) == ["510/2026-05-31", "657/2026-05-31"]
    assert (outbox / "510" / "2026-05-31" / "manifest.json").exists()


def test_a_scheduled_run_delivers_the_point_before_its_interval_ends(monkeypatch, tmp_path):
    from transforms.delivery.scheduled import settings

    monkeypatch.setenv("TRAPPE_WAREHOUSE_URL", f"duckdb:///{tmp_path / 'w.duckdb'}")
    monkeypatch.setenv("TRAPPE_OUTBOX", str(tmp_path / "outbox"))
    s = settings({}, at(2026, 6, 3, 6))
    assert s["measurement_point"] == "2026-05-31" and s["outbox"] == str(tmp_path / "outbox") and s["kommunekoder"] == []
    s = settings({"measurement_point": "2025-09-30", "kommunekoder": "510, 657", "outbox": str(tmp_path / "o2")}, at(2026, 6, 3, 6))
    assert s["measurement_point"] == "2025-09-30" and s["kommunekoder"] == [510, 657] and s["outbox"] == str(tmp_path / "o2")
