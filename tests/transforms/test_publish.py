"""Build and publish per municipality (transforms/publish.py): what the municipalities share is
decided once for all of them, a night computes only the municipalities whose inputs changed, and
publishing replaces exactly those municipalities' rows."""
from __future__ import annotations

import pytest

from tests.transforms.inputs import Inbox, csv_text
from transforms.publish import plan, rebuild

INDEX = "aar;indeks\n" + "".join(f"{y};{90 + y - 2011},0\n" for y in range(2011, 2020))


def ledger(k: int, year: int, beloeb: int = 1_000_000) -> str:
    return csv_text({"kommunekode": str(k), "aar": str(year), "status": "regnskab", "funktion": "5.28.21",
                     "gruppering": "002", "dranst": "1", "art": "4.0", "beloeb": str(beloeb)})


def published(inbox: Inbox) -> dict[int, set[int]]:
    rows = inbox.query("SELECT kommunekode, price_base_year FROM published.expenditure_by_step")
    return {int(k): set(group["price_base_year"].astype(int)) for k, group in rows.groupby("kommunekode")}


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    inbox = Inbox(tmp_path, monkeypatch)
    inbox.add("ledger/pl_indeks.csv", INDEX)
    for k, years in ((510, (2015, 2016)), (657, (2015,))):
        for year in years:
            inbox.add(f"ledger/{k}/regnskab_{year}_{year + 1}-05-01.csv", ledger(k, year))
        inbox.run("ledger", k)
    inbox.run("ledger", 0)
    return inbox


def test_every_municipality_is_published_in_the_newest_years_prices(inbox):
    rebuild(inbox.context("r1"))
    assert published(inbox) == {510: {2016}, 657: {2016}}


def test_a_newer_year_of_one_municipality_moves_every_municipality_to_its_prices(inbox):
    rebuild(inbox.context("r1"))
    inbox.add("ledger/657/regnskab_2017_2018-05-01.csv", ledger(657, 2017))
    inbox.run("ledger", 657, run_id="r2")
    assert [item["kommunekode"] for item in plan(inbox.context("r2"))] == [510, 657]  # 510's inputs did not change
    rebuild(inbox.context("r2"))
    assert published(inbox) == {510: {2017}, 657: {2017}}


def test_a_night_computes_and_replaces_only_the_municipality_that_delivered(inbox):
    rebuild(inbox.context("r1"))
    inbox.add("ledger/657/regnskab_2015_2016-06-01.csv", ledger(657, 2015, beloeb=2_000_000))  # a corrected 2015
    inbox.run("ledger", 657, run_id="r2")
    assert [item["kommunekode"] for item in plan(inbox.context("r2"))] == [657]
    rebuild(inbox.context("r2"))
    runs = inbox.query("SELECT kommunekode, run_id, SUM(gross_expenditure_dkk) AS dkk FROM published.expenditure_by_step "
                       "WHERE fiscal_year = 2015 GROUP BY ALL ORDER BY kommunekode")
    assert runs["run_id"].tolist() == ["r1", "r2"]
    assert runs["dkk"].iloc[1] == 2 * runs["dkk"].iloc[0]


def test_publishing_drops_the_micro_data_copies_an_older_warehouse_holds(inbox):
    """Before compute was mapped per municipality, the build copied the staged micro-data into the
    warehouse's staging schema; they are never read again, so publishing removes them."""
    from transforms.warehouse import open_warehouse

    with open_warehouse(f"duckdb:///{inbox.warehouse}") as wh:
        wh.execute("CREATE SCHEMA IF NOT EXISTS staging")
        wh.execute("CREATE TABLE staging.ledger AS SELECT 510 AS kommunekode")
    rebuild(inbox.context("r1"))
    found = inbox.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging'")
    assert "ledger" not in set(found["table_name"]) and "expenditure_by_step" in set(found["table_name"])
