"""A timetable for the days after each measurement point: the `deliver` DAG runs on each of the first
`days` days after 31 January, 31 May and 30 September (early February, June and October).

Why several days: the case systems' extracts for a point arrive in the days after it, and a
municipality's figures at the point exist only once its snapshot is in (methodology.md §2). Each
daily run delivers what is there; delivering the same run again gives byte-identical files, so the
repeated runs cost nothing and a late municipality is picked up.

Each run's data interval is the day before its run time, so the runs have distinct logical dates;
the measurement point a run delivers is the newest point before the end of its interval
(`point_for`). A manual run infers the same.

Airflow finds the timetable through the plugin below. Serialization names a custom timetable by its
import path: the DAG imports it as `plugins.measurement_timetable`, while Airflow's plugin loader
loads this file as `measurement_timetable`, so the plugin registers the class under the DAG's path.
Kept free of heavy imports: the scheduler imports it while parsing.
"""
from __future__ import annotations

import importlib
from datetime import date, datetime, time, timedelta
from typing import Any

import pendulum
from pendulum import UTC, DateTime

from airflow.plugins_manager import AirflowPlugin
from airflow.timetables.base import DagRunInfo, DataInterval, Timetable

POINTS = ("01-31", "05-31", "09-30")
"""Measurement points (month-day), methodology.md §2; the same as trappe.toml's default."""


def _points_in(year: int, points: tuple[str, ...]) -> list[date]:
    return [date(year, int(p[:2]), int(p[3:])) for p in points]


def point_for(when: date | datetime, points: tuple[str, ...] = POINTS) -> date:
    """The newest measurement point strictly before the day `when`."""
    day = when.date() if isinstance(when, datetime) else when
    candidates = [p for y in (day.year - 1, day.year) for p in _points_in(y, points) if p < day]
    return max(candidates)


class MeasurementPointTimetable(Timetable):
    """Runs at `at` (UTC) on each of the `days` days after every measurement point."""

    def __init__(self, days: int = 7, at: str = "06:00", points: tuple[str, ...] = POINTS) -> None:
        if not 1 <= days <= 120:
            raise ValueError("days must be between 1 and 120")
        self.days = days
        self.at = at
        self.points = tuple(points)
        self._time = time.fromisoformat(at)
        firsts = sorted(p + timedelta(days=1) for p in _points_in(2001, self.points))
        months = ", ".join(d.strftime("%b") for d in firsts)
        self.description = f"At {at} UTC on each of the {days} days after every measurement point ({', '.join(self.points)})"
        self._summary = f"{at} UTC, days 1-{days} after each measurement point ({months})"

    # -- the schedule ------------------------------------------------------------------------------------

    def run_times(self, year: int) -> list[DateTime]:
        out = []
        for p in _points_in(year, self.points):
            for k in range(1, self.days + 1):
                d = p + timedelta(days=k)
                out.append(DateTime(d.year, d.month, d.day, self._time.hour, self._time.minute, tzinfo=UTC))
        return sorted(out)

    def next_run_at_or_after(self, moment: DateTime) -> DateTime:
        for year in (moment.year - 1, moment.year, moment.year + 1):
            for t in self.run_times(year):
                if t >= moment:
                    return t
        raise AssertionError("unreachable: every year has runs")

    def _interval(self, run_at: DateTime) -> DataInterval:
        return DataInterval(start=run_at - timedelta(days=1), end=run_at)

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return DataInterval(start=run_after - timedelta(days=1), end=run_after)

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None, restriction: Any) -> DagRunInfo | None:
        if last_automated_data_interval is not None:
            after = last_automated_data_interval.end + timedelta(seconds=1)
            if restriction.earliest is not None:
                after = max(after, restriction.earliest)
        elif restriction.earliest is None:
            return None  # no start date: never scheduled
        elif restriction.catchup:
            after = restriction.earliest
        else:
            now = pendulum.now(UTC)
            after = max(restriction.earliest, now.replace(microsecond=0))
        run_at = self.next_run_at_or_after(DateTime.instance(after).in_timezone(UTC))
        if restriction.latest is not None and run_at > restriction.latest:
            return None
        return DagRunInfo.interval(start=run_at - timedelta(days=1), end=run_at)

    # -- serialization (the scheduler keeps DAGs as JSON) ------------------------------------------------

    def serialize(self) -> dict[str, Any]:
        return {"days": self.days, "at": self.at, "points": list(self.points)}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> MeasurementPointTimetable:
        return cls(days=int(data["days"]), at=str(data["at"]), points=tuple(data["points"]))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MeasurementPointTimetable) and self.serialize() == other.serialize()

    def __hash__(self) -> int:
        return hash((self.days, self.at, self.points))

    @property
    def summary(self) -> str:
        return self._summary


def _as_dags_import_it() -> type[Timetable]:
    if __name__ == "plugins.measurement_timetable":
        return MeasurementPointTimetable
    return importlib.import_module("plugins.measurement_timetable").MeasurementPointTimetable


class MeasurementTimetablePlugin(AirflowPlugin):
    name = "trappe_measurement_timetable"
    timetables = [_as_dags_import_it()]
