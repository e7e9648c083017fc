"""A small published warehouse with every table the extract delivers, built in seconds on either engine.

Haderslev (510) has everything: key figures at six measurement points (2025-01-31 … 2026-09-30) and
caseloads at their counting dates, expenditure by step and development (with an expected year and a
negative extra expenditure), and school wellbeing with a small group that is suppressed. Herning
(657) has key figures up to 2026-05-31 only, and no expenditure or school rows, so its charts of
those say "ingen data". Edge cases sit where the tests look for them:

- 510's placement rate at 2026-09-30 is 12.345 per 1000 in decimal (stored as a float): shown 12,35;
- a share with denominator 0 (null value) at 2025-05-31;
- dimension labels and breakdowns that begin with =, +, - and @ (formula injection);
- a suppressed school cell whose mean the warehouse (wrongly) kept: the extract must blank it.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from transforms.publish import dimensions
from transforms.tables import PUBLISHED

RUN = "run_20261101T020000Z"
STARTED = datetime(2026, 11, 1, 2, 0, 0)
POINTS = [date(2025, 1, 31), date(2025, 5, 31), date(2025, 9, 30), date(2026, 1, 31), date(2026, 5, 31), date(2026, 9, 30)]
COUNTING_DATES = [date(2025, 3, 1), date(2025, 9, 1), date(2026, 3, 1), date(2026, 9, 1)]
FULL, PARTIAL = 510, 657
INJECTION = {  # breakdown → Danish label, both beginning with a character a spreadsheet reads as a formula
    "=cmd|' /C calc'!A0": "=1+2",
    "+plus": "-3+4",
    "@SUM(1)": "@etiket",
}


def _kf(k: int, d: date, kf: str, bd: str, num: float, den: float, unit: str, scale: float) -> tuple:
    value = None if den == 0 else num / den * scale
    return (k, d, kf, bd, float(num), float(den), value, unit, RUN)


def key_figures(k: int, points: list[date]) -> list[tuple]:
    rows: list[tuple] = []
    shift = 0 if k == FULL else 7
    for i, d in enumerate(points):
        pop = 12_000 + 40 * i + 100 * shift
        placed = 140 + 3 * i + shift
        if k == FULL and d == date(2026, 9, 30):
            placed, pop = 2469, 200_000  # 12.345 per 1000
        rows.append(_kf(k, d, "placed_per_1000", "", placed, pop, "per_1000", 1000))
        net, foster = 20 + i, 80 - 2 * i
        for bd, n in (("network_care", net), ("foster_care", foster), ("institution", placed - net - foster)):
            rows.append(_kf(k, d, "placement_form_share", bd, n, placed, "pct", 100))
        kinds = {"family_residential": 4 + i % 2, "home_placement": 6, "preventive_measure": 210 - 5 * i + shift,
                 "parent_directed_during_placement": 31 + i}
        rows.append(_kf(k, d, "home_based_per_1000", "total", sum(kinds.values()) - 3, pop, "per_1000", 1000))
        rows += [_kf(k, d, "home_based_per_1000", bd, n, pop, "per_1000", 1000) for bd, n in kinds.items()]
        rows.append(_kf(k, d, "preventive_per_1000", "", 95 + 4 * i, pop, "per_1000", 1000))
        if i >= 1:
            exits = 6 + i % 3
            rows.append(_kf(k, d, "institution_exits", "total", exits, 30 + i, "pct", 100))
            rows.append(_kf(k, d, "institution_exits", "to_network_or_foster_care", exits - 2, exits, "pct", 100))
            rows.append(_kf(k, d, "institution_exits", "not_placed", 2, exits, "pct", 100))
        if i >= 3:
            rows += [_kf(k, d, "home_based_movement", bd, n, 200, "pct", 100) for bd, n in (("up", 18 + i), ("down", 90 - i), ("none", 92))]
        investigated, starters = (0, 0) if d == date(2025, 5, 31) else (11 + i, 40 + i)
        rows.append(_kf(k, d, "preventive_followed_by_investigation", "", investigated, starters, "pct", 100))
        rows.append((k, d, "days_between_followups", "median", 77.0, 31.0, 84.5, "days", RUN))
        rows.append(_kf(k, d, "days_between_followups", "share_within_standard", 37, 43, "pct", 100))
        if k == FULL and i == len(points) - 1:
            rows += [_kf(k, d, "days_between_followups", bd, 1, 3, "pct", 100) for bd in INJECTION]
    for j, c in enumerate(cd for cd in COUNTING_DATES if cd <= points[-1]):
        rows.append(_kf(k, c, "caseload_per_worker", "mean", 600 + j, 25, "cases", 1))
        rows.append(_kf(k, c, "caseload_per_worker", "mean_per_fte", 600 + j, 23.4, "cases", 1))
        rows.append((k, c, "caseload_per_worker", "max", 38.0, 1.0, 38.0, "cases", RUN))
        rows.append((k, c, "caseload_per_worker", "min", 9.0, 1.0, 9.0, "cases", RUN))
    return rows


STEPS = ["preventive", "home_based", "network_care", "foster_care", "institution", "not_allocated"]


def expenditure_by_step(k: int) -> list[tuple]:
    rows = []
    for year in range(2013, 2027):
        amounts = [12_345_500.0 + 250_000 * (year - 2013), 30_000_000.0, 18_000_000.0 - 100_000 * (year - 2013), 55_250_000.0,
                   61_000_000.0 - 500_000 * (year - 2013), 2_400_499.0]
        total = sum(amounts)
        status = "expected" if year == 2026 else "final"
        rows += [(k, year, status, step, a, a / total * 100, a * 0.9, 2026, RUN) for step, a in zip(STEPS, amounts)]
    return rows


def expenditure_development(k: int) -> list[tuple]:
    rows = []
    service = {y: 180_000_000.0 + 1_500_000 * (y - 2011) for y in range(2011, 2027)}
    admin = {y: (22_000_000.0 + 200_000 * (y - 2013)) if y >= 2013 else None for y in range(2011, 2027)}
    service[2019] = 170_000_000.0  # below the baseline: a negative extra expenditure
    base = {"service": (2011, 2014), "administration": (2013, 2014), "total": (2013, 2014), "refunds": (2013, 2014)}
    for year in range(2011, 2027):
        status = "expected" if year == 2026 else "final"
        values = {"service": service[year], "administration": admin[year],
                  "total": None if admin[year] is None else service[year] + admin[year], "refunds": -4_000_000.0}
        for cat, v in values.items():
            first, last = base[cat]
            history = [values_for(service, admin, cat, y) for y in range(first, last + 1)]
            mean = sum(history) / len(history)
            extra = None if year < 2015 or v is None or cat == "refunds" else v - mean
            rows.append((k, year, status, cat, v, None if v is None else v * 0.9, first, last, mean, extra, 2026, RUN))
    return rows


def values_for(service: dict, admin: dict, cat: str, year: int) -> float:
    if cat == "service":
        return service[year]
    if cat == "administration":
        return admin[year]
    if cat == "total":
        return service[year] + admin[year]
    return -4_000_000.0


INDICATORS = ["academic_wellbeing", "social_wellbeing", "classroom_calm", "support_inspiration", "absence_pct"]


def school_wellbeing(k: int) -> list[tuple]:
    rows = []
    for y, year in enumerate(["2023/24", "2024/25", "2025/26", "2026/27"]):
        for j, ind in enumerate(INDICATORS):
            vulnerable = (3.1 + 0.05 * j + 0.02 * y) if ind != "absence_pct" else 9.45 + y
            other = (3.9 + 0.03 * j) if ind != "absence_pct" else 5.25 + 0.1 * y
            small = year == "2025/26" and ind == "classroom_calm"
            rows.append((k, year, "vulnerable", ind, vulnerable, 3 if small else 40 + y, small, RUN))
            rows.append((k, year, "other", ind, other, 900 + y, False, RUN))
            rows.append((k, year, "gap", ind, None if small else other - vulnerable, None, small, RUN))
    return rows


def build(wh) -> None:
    """Fill `wh` (an open Warehouse, DuckDB or PostgreSQL) with the published tables above."""
    wh.ensure_published()
    dims = dimensions()
    extra = pd.DataFrame([("days_between_followups", bd, "pct", label, label, "test row") for bd, label in INJECTION.items()],
                         columns=dims["dim_key_figure"].columns)
    dims["dim_key_figure"] = pd.concat([dims["dim_key_figure"], extra], ignore_index=True)
    for name, frame in dims.items():
        wh.replace_table(f"published.{name}", frame)
    tables = {
        "key_figures": key_figures(FULL, POINTS) + key_figures(PARTIAL, POINTS[:-1]),
        "expenditure_by_step": expenditure_by_step(FULL),
        "expenditure_development": expenditure_development(FULL),
        "school_wellbeing": school_wellbeing(FULL),
    }
    for name, rows in tables.items():
        table = PUBLISHED[name]
        frame = pd.DataFrame(rows, columns=table.column_names)
        for column, sqltype, _ in table.columns:
            if sqltype == "INTEGER":
                frame[column] = frame[column].astype("Int64")
        wh.execute(f"DELETE FROM {table.qualified}")
        wh.insert(table, frame)
    audit = PUBLISHED["load_audit"]
    wh.execute("DELETE FROM published.load_audit WHERE run_id = ?", [RUN])
    wh.insert(audit, pd.DataFrame([(RUN, "case", FULL, "case/510/foranstaltninger_2026-10-31.csv", "0" * 64, 1, 1, 0, "loaded", "",
                                    pd.Timestamp(STARTED))], columns=audit.column_names))
