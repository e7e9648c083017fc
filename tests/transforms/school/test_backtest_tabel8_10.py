"""Backtest against Tabel 8-10 of the May 2018 evaluation report (report-tables.md): school
wellbeing and absence of pupils in grades 4-9, Haderslev (510), school years 2014/15-2016/17.

Micro-data are constructed as the municipality and the national registers would deliver them,
as CSV files with CPR numbers, and run through the real ingest (reader, GX validation,
pseudonymisation, quarantine, staging) and the warehouse build of published.school_wellbeing:

- every printed (indicator, group, year) gets exactly its printed n of pupils with a value, with
  values placed symmetrically around the printed mean (so the unrounded mean is the printed one);
  a pupil has an absence value, the first of them a social index, the first of those an academic
  index (the printed n are nested so: absence ≥ social ≥ academic). The rest missed the survey:
  half of them are in the survey file with four empty indices, half are not in it at all;
- the vulnerable pupils have measures of every kind on steps 2-6 (step 2 to placements, one-day
  measures on 1 August and 31 July, a measure beside an excluded one), all active in the year;
- turnover: 25 vulnerable pupils of each year are "other" the next year (their measure ended on
  31 July) and 25 "other" pupils become vulnerable the next year (their measure starts 1 August);
- distractors that must not move a printed number: "other" pupils with only excluded measures
  (disability, unaccompanied refugee, out of scope), a measure that ended the day before the year
  or starts the day after it, or a measure in another municipality's case data; pupils in grades 3
  and 10 with extreme values; flawed rows (index 6, the previous school year, a duplicated pupil)
  that are quarantined.
Tolerance: half the printed precision (0.05); n exact.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.transforms.inputs import Inbox, csv_text
from transforms import school
from transforms.publish import load_inputs
from transforms.staging import Staging
from transforms.warehouse import open_warehouse

KOMMUNE = 510
YEARS = ["2014/15", "2015/16", "2016/17"]
PRINTED = {  # (indicator, group) -> [(mean, n) per school year], Tabel 8-10 as printed
    ("academic_wellbeing", "vulnerable"): [(3.4, 159), (3.5, 128), (3.4, 104)],
    ("academic_wellbeing", "other"): [(3.6, 2353), (3.7, 2496), (3.7, 2230)],
    ("social_wellbeing", "vulnerable"): [(3.9, 159), (4.0, 128), (4.0, 105)],
    ("social_wellbeing", "other"): [(4.1, 2360), (4.2, 2505), (4.1, 2347)],
    ("absence_pct", "vulnerable"): [(10.3, 204), (11.7, 157), (14.7, 166)],
    ("absence_pct", "other"): [(5.3, 2632), (5.8, 2827), (6.3, 3055)],
}
TOL = 0.05
CARRY = 25
SNAPSHOT = "2018-10-31"


def start(year: int) -> dt.date:
    return dt.date(2014 + year, 8, 1)


def end(year: int) -> dt.date:
    return dt.date(2015 + year, 7, 31)


def around(mean: float, n: int, deltas: tuple[float, ...], rng: np.random.Generator) -> list[float]:
    """n values whose mean is `mean`: pairs mean ± d, and mean itself when n is odd; shuffled."""
    values = [mean + s * deltas[i % len(deltas)] for i in range(n // 2) for s in (-1, 1)] + ([mean] * (n % 2))
    return [round(v, 4) for v in rng.permutation(values)]


class Registers:
    """The CSV rows of the case and school files, built person by person."""

    def __init__(self) -> None:
        self.persons: dict[str, tuple[str, int]] = {}   # key -> (cpr, birth year)
        self.measures: list[dict[str, str]] = []
        self.other_measures: list[dict[str, str]] = []  # municipality 657
        self.trivsel = {y: [] for y in range(3)}
        self.fravaer = {y: [] for y in range(3)}

    def person(self, key: str, first_year: int, grade: int) -> str:
        if key not in self.persons:
            k = len(self.persons)
            born_year = 2014 + first_year - 6 - grade
            born = dt.date(born_year, 1, 1) + dt.timedelta(days=k % 365)
            seventh = 4 if born_year >= 2000 else 0
            self.persons[key] = (f"{born:%d%m%y}{seventh}{k // 365 % 1000:03d}", born_year)
        return self.persons[key][0]

    def grade(self, key: str, year: int) -> int:
        return 2014 + year - 6 - self.persons[key][1]

    def measure(self, key: str, paragraf: str, begin: dt.date, stop: dt.date | None, *, setting: str = "",
                handicap: str = "0", refugee: str = "0", kommune: int = KOMMUNE) -> None:
        rows = self.measures if kommune == KOMMUNE else self.other_measures
        rows.append({"kommunekode": str(kommune), "foranstaltning_id": f"M{kommune}-{len(rows) + 1}", "cpr": self.persons[key][0],
                     "paragraf": paragraf, "anbringelsessted": setting, "startdato": begin.isoformat(),
                     "slutdato": stop.strftime("%d-%m-%Y") if stop else "", "bevilget_af": "myndighed",
                     "handicap": handicap, "uledsaget_flygtning": refugee})

    def school_rows(self, key: str, year: int, grade: int, absence_pct: float, school_days: int,
                    academic: float | None, social: float | None, in_survey: bool) -> None:
        cpr, label = self.persons[key][0], YEARS[year]
        dashed = f"{cpr[:6]}-{cpr[6:]}" if len(self.fravaer[year]) % 3 == 0 else cpr   # both spellings
        absent_days = round(absence_pct * school_days / 100, 4)
        self.fravaer[year].append({"kommunekode": "510", "skoleaar": label, "cpr": dashed, "klassetrin": str(grade),
                                   "skoledage": str(school_days), "fravaersdage": _dk(absent_days)})
        if in_survey:
            answered = social is not None
            self.trivsel[year].append({"kommunekode": "510", "skoleaar": label, "cpr": cpr, "klassetrin": str(grade),
                                       "faglig_trivsel": _dk(academic), "social_trivsel": _dk(social),
                                       "ro_og_orden": _dk(3.5 if answered else None),
                                       "stoette_og_inspiration": _dk(3.25 if answered else None)})


def _dk(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")


STEP_2_TO_6 = [("SEL 11.3", ""), ("SEL 52.3.3", ""), ("SEL 52.3.2", ""), ("SEL 54", ""), ("SEL 52.3.4", ""),
               ("SEL 52.3.7", "eget_vaerelse"), ("SEL 52.3.7", "netvaerksplejefamilie"), ("SEL 58", "plejefamilie"),
               ("SEL 52.3.7", "doegninstitution"), ("SEL 58", "opholdssted")]


def _vulnerable_measure(reg: Registers, key: str, year: int, i: int) -> None:
    """A measure of another kind for each pupil, active on at least one day of the school year."""
    paragraf, setting = STEP_2_TO_6[i % len(STEP_2_TO_6)]
    s, e = start(year), end(year)
    spans = [(s - dt.timedelta(days=400), None), (s - dt.timedelta(days=30), s), (e, e + dt.timedelta(days=90)),
             (s + dt.timedelta(days=100), s + dt.timedelta(days=160)), (s - dt.timedelta(days=700), e + dt.timedelta(days=300))]
    begin, stop = spans[i % len(spans)]
    reg.measure(key, paragraf, begin, stop, setting=setting)
    if i % 7 == 0:  # beside an excluded measure: the in-scope one decides
        reg.measure(key, "SEL 52.3.3", s - dt.timedelta(days=10), None, handicap="1")


def build_registers() -> Registers:
    rng = np.random.default_rng(810)
    reg = Registers()
    members: dict[tuple[int, str], list[str]] = {}
    for y in range(3):
        for group in ("vulnerable", "other"):
            n = PRINTED[("absence_pct", group)][y][1]
            keys = [f"{group[0]}{y}-{i}" for i in range(n)]
            if y > 0 and group == "vulnerable":   # joiners: other last year, measure from 1 August
                keys[:CARRY] = members[(y - 1, "other")][CARRY:2 * CARRY]
            if y > 0 and group == "other":        # leavers: vulnerable last year, measure ended 31 July
                keys[:CARRY] = members[(y - 1, "vulnerable")][CARRY:2 * CARRY]
            members[(y, group)] = keys
    for y in range(3):
        for group in ("vulnerable", "other"):
            keys = members[(y, group)]
            for i, key in enumerate(keys):
                reg.person(key, y, 4 + i % 5)
            (mean_abs, n_abs), (mean_soc, n_soc), (mean_acad, n_acad) = (
                PRINTED[(ind, group)][y] for ind in ("absence_pct", "social_wellbeing", "academic_wellbeing"))
            absence = around(mean_abs, n_abs, (1.5, 3.0, 4.5), rng)
            social = around(mean_soc, n_soc, (0.2, 0.4, 0.6), rng)
            academic = around(mean_acad, n_acad, (0.2, 0.4, 0.6), rng)
            for i, key in enumerate(keys):
                reg.school_rows(key, y, reg.grade(key, y), absence[i], 180 if i % 4 == 0 else 200,
                                academic[i] if i < n_acad else None, social[i] if i < n_soc else None,
                                in_survey=i < n_soc or i % 2 == 0)
            if group == "vulnerable":
                for i, key in enumerate(keys):
                    if y > 0 and i < CARRY:
                        reg.measure(key, "SEL 11.3", start(y), None)                       # joins on 1 August
                    elif CARRY <= i < 2 * CARRY and y < 2:
                        reg.measure(key, "SEL 52.3.3", start(y) - dt.timedelta(days=200), end(y))  # leaves on 31 July
                    else:
                        _vulnerable_measure(reg, key, y, i)
            else:
                s, e = start(y), end(y)
                for i, key in enumerate(keys[50:86], start=50):
                    if i < 60:
                        reg.measure(key, "SEL 52.3.3", s, None, handicap="1")
                    elif i < 65:
                        reg.measure(key, "SEL 11.3", s, None, refugee="1")
                    elif i < 70:
                        reg.measure(key, "SEL 52a", s, None)
                    elif i < 75:
                        reg.measure(key, "SEL 11.3", s - dt.timedelta(days=300), s - dt.timedelta(days=1))
                    elif i < 80:
                        reg.measure(key, "SEL 11.3", e + dt.timedelta(days=1), None)
                    else:
                        reg.measure(key, "SEL 11.3", s, None, kommune=657)
        # grade distractors (3 and 10), vulnerable and not, with extreme values
        for i in range(20):
            key = f"g{y}-{i}"
            grade = 3 if i % 2 else 10
            reg.person(key, y, grade)
            reg.school_rows(key, y, grade, 60.0, 200, 1.0 if grade == 3 else None, 1.0 if grade == 3 else None, in_survey=grade == 3)
            if i % 4 < 2:
                reg.measure(key, "SEL 58", start(y), None, setting="doegninstitution")
    return reg


def _flawed(rows: list[dict[str, str]], year: int) -> list[dict[str, str]]:
    """Copies of grade-distractor rows with a defect (quarantined), and a duplicated distractor."""
    distractor = next(r for r in rows if r["klassetrin"] in ("3", "10"))
    bad = [{**rows[5], "skoleaar": YEARS[year - 1] if year else "2013/14"}, {**rows[7], "kommunekode": "657"}, dict(distractor)]
    if "faglig_trivsel" in rows[0]:
        bad.append({**rows[9], "faglig_trivsel": "6"})
    else:
        bad.append({**rows[9], "fravaersdage": "250"})
    return rows[:3] + bad + rows[3:]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tabel8_10")
    patch = pytest.MonkeyPatch()
    try:
        inbox = Inbox(tmp, patch)
        reg = build_registers()
        inbox.add(f"case/510/foranstaltninger_{SNAPSHOT}.csv", csv_text(*reg.measures))
        inbox.add(f"case/657/foranstaltninger_{SNAPSHOT}.csv", csv_text(*reg.other_measures))
        for y, label in enumerate(YEARS):
            name = label.replace("/", "-")
            inbox.add(f"school/510/trivsel_{name}_{end(y) + dt.timedelta(days=40)}.csv", csv_text(*_flawed(reg.trivsel[y], y)),
                      encoding="cp1252")
            inbox.add(f"school/510/fravaer_{name}_{end(y) + dt.timedelta(days=40)}.csv.gz", csv_text(*_flawed(reg.fravaer[y], y)),
                      gz=True, bom=True)
        inbox.run("case", 510)
        inbox.run("case", 657)
        inbox.run("school", 510)
        ctx = inbox.context()
        with open_warehouse(ctx.warehouse_url) as wh:
            load_inputs(wh, Staging(ctx.staging_path))
            school.build(wh, school.SchoolParams())
            rows = school.published_rows(wh)
        audit = inbox.audit("r1")
        quarantine = inbox.quarantine("r1")
    finally:
        patch.undo()
    return rows, audit, quarantine


@pytest.mark.parametrize("indicator, group", list(PRINTED))
def test_printed_means_and_n(published, indicator, group):
    rows, _, _ = published
    for y, (mean, n) in zip(YEARS, PRINTED[(indicator, group)]):
        got = rows[(rows["kommunekode"] == KOMMUNE) & (rows["school_year"] == y) & (rows["pupil_group"] == group)
                   & (rows["indicator"] == indicator)].iloc[0]
        assert int(got["n"]) == n, (indicator, group, y)
        assert abs(got["mean"] - mean) <= TOL, (indicator, group, y, got["mean"])
        assert not got["suppressed"]


def test_gap_is_other_minus_vulnerable(published):
    rows, _, _ = published
    table = rows.set_index(["school_year", "pupil_group", "indicator"])["mean"]
    for y in YEARS:
        for indicator in ("academic_wellbeing", "social_wellbeing", "absence_pct"):
            assert table[(y, "gap", indicator)] == pytest.approx(table[(y, "other", indicator)] - table[(y, "vulnerable", indicator)])
    # the report's direction: vulnerable pupils below on wellbeing, above on absence
    gap = table.xs("gap", level="pupil_group")
    assert (gap.xs("academic_wellbeing", level="indicator") > 0).all() and (gap.xs("social_wellbeing", level="indicator") > 0).all()
    assert (gap.xs("absence_pct", level="indicator") < 0).all()


def test_the_flawed_rows_were_quarantined_and_every_file_audited(published):
    _, audit, quarantine = published
    school_files = audit[audit["source"] == "school"]
    assert len(school_files) == 6 and set(school_files["status"]) == {"partially_loaded"}
    assert set(quarantine.loc[quarantine["source"] == "school", "rule"]) == {
        "school_year_mismatch", "kommunekode_not_folder", "duplicate_id", "index_out_of_range", "absence_above_school_days"}
