"""accounts.md §4, the worked example, reproduced exactly: from the fixture files through the real reader,
validator, staging and warehouse SQL (DuckDB), and once more from frames."""
from __future__ import annotations

import pytest

from tests.transforms.expenditure.builders import FIXTURES, amount, postings, row, run, years
from tests.transforms.inputs import Inbox, csv_text
from transforms import expenditure_by_step, expenditure_development
from transforms.publish import load_inputs
from transforms.staging import Staging
from transforms.warehouse import open_warehouse

EXAMPLE = "ledger/510/regnskab_2015_2016-05-01.csv"
BASELINE = {2011: 3_500_000, 2012: 3_600_000, 2013: 3_700_000, 2014: 3_800_000}
"""Net service in 2017 prices in the baseline years (the index is 100 in them, as in 2017)."""
CONFIG = {"expenditure": {"price_base_year": 2017}}


def baseline_file(year: int, beloeb: int) -> str:
    return csv_text({"kommunekode": "510", "aar": str(year), "status": "regnskab", "funktion": "5.28.21", "gruppering": "002",
                     "dranst": "1", "art": "4.0", "beloeb": str(beloeb)})


def build(inbox: Inbox, config: dict) -> dict:
    with open_warehouse(f"duckdb:///{inbox.warehouse}") as wh:
        load_inputs(wh, Staging(inbox.context().staging_path))
        out = {}
        for module in (expenditure_by_step, expenditure_development):
            module.build(wh, config)
            out[module.TABLE] = wh.query(f"SELECT * FROM staging.{module.TABLE}")
            out[f"{module.TABLE}_warnings"] = module.warnings(wh)
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _example(tmp_path_factory.mktemp("example"), monkeypatch)


def _example(tmp_path, monkeypatch):
    inbox = Inbox(tmp_path, monkeypatch)
    inbox.add(EXAMPLE, (FIXTURES / "regnskab_2015_2016-05-01.csv").read_bytes())
    for year, beloeb in BASELINE.items():
        inbox.add(f"ledger/510/regnskab_{year}_{year + 1}-05-01.csv", baseline_file(year, beloeb))
    index = (FIXTURES / "pl_indeks.csv").read_text() + "".join(f"{y};100,0\n" for y in BASELINE)
    inbox.add("ledger/pl_indeks.csv", index)
    inbox.run("ledger", 510)
    inbox.run("ledger", 0)
    return inbox, build(inbox, CONFIG)


def test_the_files_load_through_the_one_ingest(example):
    inbox, _ = example
    audit = inbox.audit()
    assert audit.loc[EXAMPLE, "status"] == "loaded" and audit.loc[EXAMPLE, "rows_loaded"] == 7
    assert audit.loc[EXAMPLE, "note"] == "1 row(s) outside_childrens_area (loaded)"  # 3.22.01
    assert audit.loc["ledger/pl_indeks.csv", "kommunekode"] == 0 and audit.loc["ledger/pl_indeks.csv", "status"] == "loaded"


def test_gross_service_by_step(example):
    _, t = example
    by_step = t["expenditure_by_step"]
    assert amount(by_step, 2015, "home_based", nominal=True) == 1_000_000
    assert amount(by_step, 2015, "institution", nominal=True) == 3_000_000
    assert row(by_step, 2015, "home_based")["share_pct"] == pytest.approx(25, abs=1e-12)
    assert row(by_step, 2015, "institution")["share_pct"] == pytest.approx(75, abs=1e-12)
    mine = by_step[by_step["fiscal_year"] == 2015]
    assert set(mine["step"]) == {"preventive", "home_based", "network_care", "foster_care", "institution", "not_allocated"}
    assert mine["gross_expenditure_nominal_dkk"].sum() == 4_000_000  # 5.28.25 and 3.22.01 enter nothing
    assert mine["share_pct"].sum() == pytest.approx(100, abs=1e-9)
    assert set(mine["accounts_status"]) == {"final"} and set(mine["price_base_year"]) == {2017}


def test_net_service_administration_total_and_refunds_apart(example):
    _, t = example
    dev = t["expenditure_development"]
    assert amount(dev, 2015, "service", nominal=True) == 3_900_000
    assert amount(dev, 2015, "administration", nominal=True) == 2_000_000
    assert amount(dev, 2015, "total", nominal=True) == 5_900_000
    assert amount(dev, 2015, "refunds", nominal=True) == -500_000


def test_fixed_prices_of_2017(example):
    _, t = example
    dev = t["expenditure_development"]
    service = amount(dev, 2015, "service")
    assert service == 3_979_591.84  # 3 900 000 × 100 / 98, to the øre
    assert round(service) == 3_979_592  # as accounts.md prints it


def test_extra_expenditure_against_the_baseline_mean(example):
    _, t = example
    dev = t["expenditure_development"]
    service = row(dev, 2015, "service")
    assert service["baseline_mean_dkk"] == 3_650_000
    assert service["extra_expenditure_dkk"] == pytest.approx(329_591.84, abs=0.005)
    assert round(service["extra_expenditure_dkk"]) == 329_592
    assert (service["baseline_first_year"], service["baseline_last_year"]) == (2011, 2014)
    admin = row(dev, 2015, "administration")
    assert (admin["baseline_first_year"], admin["baseline_last_year"]) == (2013, 2014)  # not comparable with service's
    for year in BASELINE:
        assert row(dev, year, "service")["extra_expenditure_dkk"] != row(dev, year, "service")["extra_expenditure_dkk"]  # NaN


def test_the_same_from_frames():
    ledger = postings(("5.28.21", "002", 1, "4.0", 1_000_000), ("5.28.21", "002", 1, "7.2", -100_000),
                      ("5.28.23", "002", 1, "1.0", 3_000_000), ("5.28.23", "002", 2, "8.6", -500_000),
                      ("5.28.25", "001", 1, "1.0", 700_000), ("6.45.58", None, 1, "1.0", 2_000_000),
                      ("3.22.01", "001", 1, "1.0", 9_000_000))
    by_step, dev = run(ledger, years(BASELINE), index={**{y: 100.0 for y in BASELINE}, 2015: 98.0, 2017: 100.0}, price_base_year=2017)
    assert amount(dev, 2015, "service") == 3_979_591.84
    assert row(dev, 2015, "service")["extra_expenditure_dkk"] == pytest.approx(329_591.84, abs=0.005)
    assert row(by_step, 2015, "institution")["share_pct"] == pytest.approx(75)
