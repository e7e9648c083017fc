"""The generated accounts (transforms/generator/ledger.py): real accounts from 2011 on, expected and
final deliveries, refunds, revenues, corrections, postings outside scope, a municipality's own mapping
rows; and, read through the pipeline's own reader and validator, levels of the right order."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from transforms import reference
from transforms.generator.ledger import books_on_town_hall

from .inbox_files import SMALL, files, read

Inbox = tuple[Path, object]


def _amounts(frame: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(frame.beloeb.str.replace(",", "."), errors="coerce")


def test_final_accounts_every_year_from_2011_and_expected_ones_before_them(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    for k in (510, 657, 167):
        names = [p.name.split(".")[0] for p in files(root / "ledger" / str(k), "regnskab_*")]
        years = sorted({int(n.split("_")[1]) for n in names})
        assert years == list(range(2011, 2027))
        for year in years:
            mine = sorted(n for n in names if n.startswith(f"regnskab_{year}_"))
            statuses = [set(read(next(iter(files(root / "ledger" / str(k), f"{n}*")))).status) for n in mine]
            if year == 2026:
                assert statuses == [{"forventet"}]
            elif year == 2025:
                assert statuses == [{"forventet"}, {"regnskab"}]  # expected in the autumn, final the next spring
            else:
                assert statuses == [{"regnskab"}]


def test_postings_use_the_chart_of_accounts(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    frame = pd.concat([read(p) for p in files(root / "ledger" / "510", "regnskab_*")], ignore_index=True)
    frame = frame[(frame.kommunekode == "510") & frame.funktion.str.fullmatch(r"\d\.\d{2}\.\d{2}")]
    amount = _amounts(frame)
    mapping = reference.table("accounts_mapping")
    known = set(zip(mapping.funktion, mapping.gruppering))
    service = frame[frame.funktion.str.startswith("5.28.") & (frame.funktion != "5.28.25")]
    assert all((f, g) in known or (f, "*") in known for f, g in zip(service.funktion, service.gruppering))
    assert {"preventive", "home_based", "foster_care", "institution", "network_care"} <= set(
        mapping.set_index(["funktion", "gruppering"]).step.reindex(list(zip(service.funktion, service.gruppering))).dropna())
    refunds = frame.dranst == "2"
    assert refunds.any() and (amount[refunds] < 0).all() and set(frame.art[refunds]) == {"8.6"}
    revenue = frame.art.str.startswith("7")
    assert revenue.any() and (amount[revenue] < 0).mean() > 0.9  # a few corrections of a revenue are positive
    assert {"3.22.01", "6.45.51", "5.28.25"} <= set(frame.funktion)  # outside scope, or excluded
    assert (frame.dranst == "3").any()  # capital
    expense = frame.art.str.match(r"^[0-6]\.") & (frame.dranst == "1")
    assert (amount[expense] < 0).any()  # corrections with the opposite sign
    assert set(frame.art) <= {"1.0", "2.2", "4.0", "5.9", "7.1", "7.2", "8.6"}


def test_herning_books_administration_on_6_45_51_and_delivers_its_own_mapping(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    assert books_on_town_hall(SMALL["seed"], 657)
    own = files(root / "ledger" / "657", "kontoplan_tilpasning_*")
    assert len(own) == 2 and re.search(r"_2012-03-01", own[0].name) and re.search(r"_2023-03-01", own[1].name)
    rows = read(own[-1])
    real = rows[rows.category == "administration"]
    assert real[["funktion", "gruppering", "step"]].values.tolist() == [["6.45.51", "", ""]]
    assert 0 < float(real.andel.iloc[0].replace(",", ".")) < 0.5
    herning = pd.concat([read(p) for p in files(root / "ledger" / "657", "regnskab_*")])
    assert "6.45.58" not in set(herning.funktion)


def test_the_others_book_it_on_6_45_58_from_2013(small_inbox: Inbox) -> None:
    root, _ = small_inbox
    others = [k for k in (510, 167) if not books_on_town_hall(SMALL["seed"], k)]
    assert others  # with this seed at least one of them books as most municipalities do
    for k in others:
        by_year = {int(p.name.split("_")[1]): set(read(p).funktion) for p in files(root / "ledger" / str(k), "regnskab_*")}
        assert all(("6.45.58" in f) == (y >= 2013) for y, f in by_year.items())
        assert not files(root / "ledger" / str(k), "kontoplan_tilpasning_*")


def test_a_municipality_of_50000_inhabitants_spends_100_to_200_million_on_528(tmp_path: Path) -> None:
    """Haderslev (about 56 000 inhabitants, 12 000 children) at full scale, one closed year."""
    from transforms.generator import generate_inbox

    generate_inbox(tmp_path, kommunekoder=[510], scale=1.0, seed=5, from_year=2019, to_date=date(2020, 6, 30))
    final = read(files(tmp_path / "ledger" / "510", "regnskab_2019_*")[-1])
    final = final[(final.kommunekode == "510") & (final.dranst == "1")]
    service = _amounts(final)[final.funktion.str.match(r"^5\.28\.2[0-4]$")].sum()
    assert 100e6 <= service <= 200e6
