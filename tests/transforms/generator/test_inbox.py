"""The generated inbox end to end: layout, determinism, content rules, prevalences, flaws."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from transforms.generator import GenerationSummary, generate_inbox
from transforms.generator.cpr import birth_year_from_cpr
from transforms.generator.flaws import FLAWS
from transforms.generator.municipalities import load_municipalities
from transforms.generator.population import census_dates, population_counts, simulate_children
from transforms.generator.window import Window

from .inbox_files import HERNING, SMALL, TO_DATE, decode, files, parse_date, read

Inbox = tuple[Path, GenerationSummary]
PLACEMENT = ("SEL 52.3.7", "SEL 58", "BL 46", "BL 47")
SETTING_STEP = {
    "netvaerksplejefamilie": 4, "plejefamilie": 5, "forstaerket_plejefamilie": 5, "specialiseret_plejefamilie": 5,
    "kommunal_plejefamilie": 5, "doegninstitution": 6, "delt_doegninstitution": 6, "sikret_doegninstitution": 6,
    "opholdssted": 6, "skibsprojekt": 6, "kostskole": 6, "efterskole": 6, "eget_vaerelse": 3, "kollegium": 3,
}
KNOWN = re.compile(r"^(SEL (11\.3(\.[1-4])?|52\.3\.[1-9]|58|54|11\.[4678].*|52a.*|76.*|50|51)"
                   r"|BL (30(\.1\.[1-4])?|32\.1\.[1-8]|46|47|75|76|35.*|11[456].*|20|23))$")


def _born(cpr: str) -> date | None:
    """Date of birth by the century rule of sources.md §2.1, None if the CPR is not valid."""
    digits = cpr.replace("-", "")
    if not re.fullmatch(r"\d{10}", digits):
        return None
    try:
        return date(int(birth_year_from_cpr(np.array([int(digits)]))[0]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return None


def _step(paragraf: str, setting: str, start: date) -> int | None:
    """The staircase step sources.md §3 and barnets-lov.md give a measure row (None: out of scope)."""
    if paragraf in PLACEMENT:
        return SETTING_STEP.get(setting)
    if paragraf == "SEL 52.3.1" and start < date(2014, 1, 1):
        return 2
    if re.match(r"^(SEL 11\.3|BL 30)", paragraf):
        return 2
    if re.match(r"^(SEL 52\.3\.|BL 32\.|SEL 54$|BL 7[56]$)", paragraf):
        return 3
    return None


def _measures(root: Path, k: int, newest: bool = True) -> pd.DataFrame:
    """The rows of a measures snapshot that keep every rule of sources.md §2.2, with parsed dates
    and step."""
    path = files(root / "case" / str(k), "foranstaltninger_*")[-1 if newest else 0]
    extraction = parse_date(re.search(r"\d{4}-\d{2}-\d{2}", path.name).group())
    m = read(path)
    m["start"] = m.startdato.map(parse_date)
    m["end"] = m.slutdato.map(lambda s: parse_date(s) if s else date.max)
    placement = m.paragraf.isin(PLACEMENT)
    m["born"] = m.cpr.map(_born)
    m = m[m.start.notna() & m.end.notna() & (m.end >= m.start) & (m.start <= extraction)
          & m.born.notna() & m.paragraf.str.match(KNOWN) & (m.kommunekode == str(k))
          & (m.anbringelsessted.isin(list(SETTING_STEP)) | ((m.anbringelsessted == "") & ~placement))
          & m.handicap.isin(["0", "1", ""]) & m.uledsaget_flygtning.isin(["0", "1", ""])
          & m.bevilget_af.isin(["myndighed", "ppr", "andet"])]
    m = m[~m.duplicated("foranstaltning_id", keep=False)]
    m["step"] = [_step(p, s, st) for p, s, st in zip(m.paragraf, m.anbringelsessted, m.start)]
    return m


def test_layout_and_summary(small_inbox: Inbox) -> None:
    root, summary = small_inbox
    written = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.txt")
    assert summary.files_written == len(written)
    assert summary.bytes_written == sum(p.stat().st_size for p in written)
    assert summary.kommunekoder == (167, 510, 657)
    assert set(summary.rows_per_source) == {"case", "school", "ledger", "population"}
    assert (root / "README.txt").read_text(encoding="utf-8").count("Flawed rows injected, per kind") == 1
    for k in summary.kommunekoder:
        for kind in ("foranstaltninger", "undersoegelser", "sagsbehandlere", "opfoelgninger"):
            names = [p.name for p in files(root / "case" / str(k), f"{kind}_*")]
            assert [n.split("_")[1][:10] for n in names] == ["2026-06-30", "2026-10-31"]
        assert len(files(root / "school" / str(k), "trivsel_*")) == 13  # 2014/15 .. 2026/27
        ledger = [p.name.split(".")[0] for p in files(root / "ledger" / str(k), "regnskab_*")]
        assert sum(n.startswith("regnskab_2025_") for n in ledger) == 2  # expected, then final
        assert sum(n.startswith("regnskab_2026_") for n in ledger) == 1
    assert [p.name for p in files(root / "population", "befolkning_*")][-1].startswith("befolkning_2026-10-31")


def test_same_arguments_same_bytes(tmp_path: Path) -> None:
    args = {"kommunekoder": [825, 510], "scale": 0.01, "seed": 11, "to_date": date(2025, 3, 15)}
    generate_inbox(tmp_path / "a", **args)
    generate_inbox(tmp_path / "b", **args)
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b and len(a) > 40
    generate_inbox(tmp_path / "c", **{**args, "seed": 12})
    c = {p.relative_to(tmp_path / "c"): p.read_bytes() for p in (tmp_path / "c").rglob("*") if p.is_file()}
    assert all(c[name] != a.get(name) for name in c if name.parts[0] == "case")


def test_municipality_files_do_not_depend_on_the_others(small_inbox: Inbox, tmp_path: Path) -> None:
    root, _ = small_inbox
    generate_inbox(tmp_path, **{**SMALL, "kommunekoder": [510]})
    for path in (root / "case" / "510").iterdir():
        assert (tmp_path / "case" / "510" / path.name).read_bytes() == path.read_bytes()


def test_every_cpr_follows_the_century_rule(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    checked = 0
    for path in [*root.glob("case/*/*"), *root.glob("school/*/*")]:
        frame = read(path)
        if "cpr" not in frame:
            continue
        cpr = frame.cpr.str.replace("-", "")
        valid = cpr[cpr.str.fullmatch(r"\d{10}") & ~cpr.str[:2].isin(["32"]) & ~cpr.str[2:4].isin(["13"])]
        numbers = valid.astype("int64").to_numpy()
        years = birth_year_from_cpr(numbers)
        births = [date(int(y), int(c // 10**6 % 100), int(c // 10**8)) for c, y in zip(numbers, years)]
        assert all(date(1985, 1, 1) <= b <= TO_DATE for b in births), path
        checked += len(births)
    assert checked > 10_000


def test_cprs_unique_across_municipalities_and_school_joins_case(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    window = Window(2011, TO_DATE)
    table = {m.kommunekode: m for m in load_municipalities()}
    simulated = {k: set(simulate_children(table[k], SMALL["scale"], window, SMALL["seed"], 98).cpr)
                 for k in (510, 657, 167)}
    assert sum(map(len, simulated.values())) == len(set().union(*simulated.values()))
    for k, cprs in simulated.items():
        pupils, case = set(), set()
        for path in files(root / "school" / str(k), "*"):
            pupils |= set(read(path).cpr.str.replace("-", ""))
        for path in files(root / "case" / str(k), "*"):
            if "cpr" in (frame := read(path)):
                case |= set(frame.cpr.str.replace("-", ""))
        real = {c for c in pupils if re.fullmatch(r"\d{10}", c)}
        simulated_text = {f"{c:010d}" for c in cprs}
        flawed = real - simulated_text
        assert all(c[:2] == "32" or c[2:4] == "13" for c in flawed)  # only corrupted copies
        assert len((real - flawed) & case) > 0.03 * len(real)  # pupils with measures join the case files


def test_barnets_lov_only_from_2024(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    for k in (510, 657, 167):
        m = _measures(root, k)
        bl = m.paragraf.str.startswith("BL")
        assert (m.start[bl] >= date(2024, 1, 1)).all() and (m.start[~bl] < date(2024, 1, 1)).all()
        assert bl.any() and (~bl).any()
        inv = read(files(root / "case" / str(k), "undersoegelser_*")[-1])
        inv["d"] = inv.afgoerelsesdato.map(parse_date)
        inv = inv[inv.d.notna() & inv.paragraf.isin(["SEL 50", "SEL 51", "BL 20", "BL 23"])]
        assert ((inv.d >= date(2024, 1, 1)) == inv.paragraf.str.startswith("BL")).all()


def test_measure_rules_hold_for_clean_rows(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    m = pd.concat([_measures(root, k) for k in (510, 657, 167)])
    placement = m.paragraf.isin(PLACEMENT)
    assert (m.anbringelsessted[placement] != "").all()
    assert (m.anbringelsessted[m.step.isin([2]) | (m.step.eq(3) & ~placement)] == "").all()
    eighteenth = m.born.map(
        lambda b: date(b.year + 18, 3, 1) if (b.month, b.day) == (2, 29) else b.replace(year=b.year + 18))
    ended = ~m.paragraf.str.match(r"^(SEL 76|BL 11[456])") & (m.end != date.max)
    assert (m.end[ended] < eighteenth[ended]).all()  # measures end before the 18th birthday (aftercare aside)
    assert (m.slutdato == "").mean() > 0.02 and (m.end > TO_DATE).any() and (m.end[m.end != date.max] > TO_DATE).any()
    assert 0.03 < (m.handicap == "1").mean() < 0.09
    assert 0.003 < (m.uledsaget_flygtning == "1").mean() < 0.04
    assert set(m.bevilget_af) == {"myndighed", "ppr", "andet"} and (m.bevilget_af == "myndighed").mean() > 0.7
    assert m.paragraf.str.match(r"^(SEL 11\.6|SEL 52a|SEL 76|BL 114|BL 35)").any()
    assert ((m.paragraf == "SEL 52.3.1") & (m.start < date(2014, 1, 1))).any()


def test_older_snapshot_holds_only_what_was_known(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    older_date = date(2026, 6, 30)
    old, new = _measures(root, 510, newest=False), _measures(root, 510)
    assert (old.start <= older_date).all()
    raw_new = read(files(root / "case" / "510", "foranstaltninger_*")[-1])
    assert set(old.foranstaltning_id) <= set(raw_new.foranstaltning_id) and len(new) > len(old)
    same = old.merge(new, on="foranstaltning_id", suffixes=("_old", "_new"))  # a duplicated id drops out
    assert (same.cpr_old.str.replace("-", "") == same.cpr_new.str.replace("-", "")).all()
    ended_later = same[(same.end_new > older_date) & (same.end_new != date.max)]
    assert ((ended_later.end_old == date.max) | (ended_later.end_old == ended_later.end_new)).all()
    follow = read(files(root / "case" / "510", "opfoelgninger_*")[0])
    assert max(d for d in follow.opfoelgningsdato.map(parse_date) if d) <= older_date


def test_population_counts_are_the_simulation(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    window = Window(2011, TO_DATE)
    muni = {m.kommunekode: m for m in load_municipalities()}[657]
    children = simulate_children(muni, SMALL["scale"], window, SMALL["seed"], 98)
    expected = population_counts(children, census_dates(window))
    newest, older = (read(p) for p in reversed(files(root / "population", "befolkning_*")))
    tables = []
    for frame, years in ((newest, range(2011, 2027)), (older, range(2011, 2026))):
        frame = frame[(frame.kommunekode == "657") & frame.antal.str.fullmatch(r"\d+")]
        frame = frame[frame.dato.map(parse_date).notna()]
        got = frame.assign(dato=frame.dato.map(parse_date), alder=frame.alder.astype(int),
                           antal=frame.antal.astype(int))
        tables.append(got.pivot(index="dato", columns="alder", values="antal"))
        assert list(tables[-1].index) == [date(y, 1, 1) for y in years]
    assert (tables[0].to_numpy() == expected).all()
    assert (tables[1].to_numpy()[:-2] == expected[:-3]).all()  # the older file's last two dates were preliminary
    assert (tables[1].to_numpy()[-2:] != expected[-3:-1]).any()


def test_prevalences_at_a_date(herning: Inbox) -> None:
    root, _ = herning
    m = _measures(root, 657)
    m = m[m.step.notna() & (m.handicap != "1") & (m.uledsaget_flygtning != "1")]
    pop = read(files(root / "population", "befolkning_*")[-1])
    for d in (date(2014, 1, 31), date(2019, 5, 31), date(2026, 9, 30)):
        children = pop[pop.dato.map(parse_date) == date(d.year, 1, 1)].antal
        children = children[children.str.fullmatch(r"\d+")].astype(int).sum()
        active = m[(m.start <= d) & (m.end >= d)]
        highest = active.groupby("cpr").step.max()
        placed = highest[highest >= 4]
        assert 6 <= 1000 * len(placed) / children <= 15, d
        shares = placed.value_counts(normalize=True)
        assert 0.10 <= shares.get(4, 0) <= 0.35  # network care
        assert 0.35 <= shares.get(5, 0) <= 0.65  # foster care
        assert 0.15 <= shares.get(6, 0) <= 0.45  # institution
        assert 20 <= 1000 * active[active.step == 3].cpr.nunique() / children <= 55
        assert 5 <= 1000 * active[active.step == 2].cpr.nunique() / children <= 25
    starts = m[(m.step == 2) & (m.start >= date(2018, 1, 1)) & (m.start < date(2019, 1, 1))].cpr.nunique()
    assert 0.015 <= starts / (children) <= 0.05  # preventive starters a year: a few per cent


def test_caseworkers_and_followups(herning: Inbox) -> None:
    root, _ = herning
    cw = read(files(root / "case" / "657", "sagsbehandlere_*")[-1])
    cw = cw[cw.antal_sager.str.fullmatch(r"\d+") & cw.normtid.str.fullmatch(r"(0,\d+|1)") & (cw.kommunekode == "657")]
    dates = sorted({d for d in cw.opgoerelsesdato.map(parse_date) if d})
    assert {(d.month, d.day) for d in dates} == {(3, 1), (9, 1)} and dates[0] == date(2011, 3, 1)
    per_worker = cw.groupby("opgoerelsesdato").antal_sager.apply(lambda s: s.astype(int).mean())
    assert 15 <= per_worker.median() <= 40
    follow = read(files(root / "case" / "657", "opfoelgninger_*")[-1])
    follow["d"] = follow.opfoelgningsdato.map(parse_date)
    follow = follow[follow.d.notna()].sort_values(["foranstaltning_id", "d"])
    gaps = follow.groupby("foranstaltning_id").d.diff().dropna().map(lambda g: g.days)
    assert 35 <= gaps[gaps > 0].median() <= 125 and (gaps == 0).any() and (gaps > 150).any()


def test_school_registers(herning: Inbox) -> None:
    root, _ = herning
    m = _measures(root, 657)
    wellbeing = read(files(root / "school" / "657", "trivsel_2016-17_*")[-1])
    absence = read(files(root / "school" / "657", "fravaer_2016-17_*")[-1])
    assert (wellbeing.skoleaar == "2016/17").mean() > 0.98
    pupils_per_grade = 19_000 * HERNING["scale"] / 18
    assert 0.7 * 10 * pupils_per_grade < len(absence) < 11 * pupils_per_grade
    active = m[(m.start <= date(2017, 7, 31)) & (m.end >= date(2016, 8, 1)) & m.step.notna()]
    vulnerable = set(active.cpr.str.replace("-", ""))
    for frame in (wellbeing, absence):
        frame["vulnerable"] = frame.cpr.str.replace("-", "").isin(vulnerable)
    index = pd.to_numeric(wellbeing.faglig_trivsel.str.replace(",", "."), errors="coerce")
    assert 0.08 <= index.isna().mean() <= 0.2
    gap = index[~wellbeing.vulnerable].mean() - index[wellbeing.vulnerable].mean()
    assert 0.1 <= gap <= 0.6
    pct = 100 * pd.to_numeric(absence.fravaersdage.str.replace(",", "."), errors="coerce") / pd.to_numeric(
        absence.skoledage, errors="coerce")
    assert 4 <= pct[~absence.vulnerable].mean() <= 8 and 8 <= pct[absence.vulnerable].mean() <= 18


def test_ledger_is_of_the_right_order(herning: Inbox) -> None:
    root, _ = herning
    final = read(files(root / "ledger" / "657", "regnskab_2016_*")[-1])
    final = final[final.beloeb.str.fullmatch(r"-?\d+(,\d+)?") & (final.kommunekode == "657")]
    amount = final.beloeb.str.replace(",", ".").astype(float)
    service = amount[final.funktion.str.startswith("5.28.2") & (final.dranst == "1")].sum()
    assert 80e6 <= service <= 200e6  # half of Herning is about one municipality of 11 000 children
    assert (amount[final.dranst == "2"] < 0).all() and (final.art[final.dranst == "2"] == "8.6").all()
    assert (amount[final.art.str.startswith("7")] < 0).all()
    assert set(final.funktion) >= {"5.28.20", "5.28.21", "5.28.22", "5.28.23", "6.45.51", "3.22.01"}
    assert "6.45.58" not in set(final.funktion)  # Herning books its children's administration on 6.45.51 (the report)
    assert files(root / "ledger" / "657", "kontoplan_tilpasning_*")
    expected = read(files(root / "ledger" / "657", "regnskab_2026_*")[-1])
    assert set(expected.status) == {"forventet"}


def test_every_flaw_kind_is_injected_at_a_small_rate(small_inbox: Inbox) -> None:
    root, summary = small_inbox
    assert set(summary.flawed_rows) == set(FLAWS)
    assert sum(summary.flawed_rows.values()) <= 0.03 * sum(summary.rows_per_source.values())
    text = decode(files(root / "case" / "510", "foranstaltninger_*")[-1])
    assert re.search(r";(ja|nej|true|Ja)(;|\r?\n)", text)
    assert re.search(r";\d{1,2}-\d{1,2}-\d{4};", text) and re.search(r"(^|;)\d-\d{1,2}-\d{4};|;\d{1,2}-\d-\d{4};", text)


def test_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        generate_inbox(tmp_path, kommunekoder=[825], scale=0)
    with pytest.raises(ValueError, match="to_date"):
        generate_inbox(tmp_path, kommunekoder=[825], from_year=2020, to_date=date(2019, 12, 31))
    with pytest.raises(ValueError, match="411"):
        generate_inbox(tmp_path, kommunekoder=[411])
