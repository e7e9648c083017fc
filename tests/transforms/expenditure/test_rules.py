"""The rules of methodology.md §4 and accounts.md, one by one, on hand-made ledgers (real SQL, DuckDB)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.transforms.expenditure.builders import amount, own_rows, postings, row, run, years
from transforms import expenditure_by_step, expenditure_development
from transforms.duckdb_warehouse import DuckDBWarehouse
from transforms.expenditure import ExpenditureParams, params_from

HOME = ("5.28.21", "002", 1, "4.0")


def null(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# -- fixed prices --------------------------------------------------------------------------------

def test_fixed_price_is_nominal_times_index_of_base_over_index_of_year():
    ledger = years({2016: 1_000_000, 2018: 1_000_000})
    _, dev = run(ledger, index={2016: 96.0, 2017: 98.0, 2018: 100.0}, price_base_year=2017)
    assert amount(dev, 2016, "service") == round(1_000_000 * 98 / 96, 2)
    assert amount(dev, 2018, "service") == 980_000
    assert set(dev["price_base_year"]) == {2017}


def test_price_base_year_defaults_to_the_newest_year_in_the_data():
    ledger = pd.concat([years({2016: 1_000_000}), years({2018: 500_000}, k=657)])
    by_step, dev = run(ledger, index={2016: 96.0, 2018: 100.0})
    assert set(dev["price_base_year"]) == set(by_step["price_base_year"]) == {2018}
    assert amount(dev, 2016, "service") == round(1_000_000 * 100 / 96, 2)


def test_a_year_without_an_index_has_null_fixed_prices_and_a_warning():
    ledger = years({2015: 1_000, 2016: 2_000})
    _, dev = run(ledger, index={2016: 100.0})
    assert amount(dev, 2015, "service") is None and amount(dev, 2015, "service", nominal=True) == 1_000
    with DuckDBWarehouse.in_memory() as wh:
        wh.replace_table("staging.ledger", ledger)
        wh.replace_table("staging.ledger_mapping", pd.DataFrame())
        wh.replace_table("staging.ledger_pl_index", pd.DataFrame({"kommunekode": [0], "aar": [2016], "indeks": [100.0]}))
        expenditure_by_step.build(wh, ExpenditureParams())
        assert any("510, 2015: no price index" in w for w in expenditure_by_step.warnings(wh))


def test_reference_index_is_used_without_a_delivered_one():
    from transforms.expenditure import LedgerFrames, compute_expenditure

    out = compute_expenditure(LedgerFrames(years({2015: 1_000_000, 2016: 1_000_000})))
    dev = out["expenditure_development"]
    assert amount(dev, 2016, "service") == 1_000_000
    assert amount(dev, 2015, "service") == pytest.approx(1_000_000 * 103.5442 / 103.0290, abs=0.01)


# -- gross and net, refunds, what enters nothing --------------------------------------------------

def test_gross_is_expense_kinds_net_is_every_kind():
    ledger = postings(("5.28.21", "002", 1, "4.0", 1_000_000), ("5.28.21", "002", 1, "1.0", 500_000),
                      ("5.28.21", "002", 1, "7.1", -200_000),  # revenue: net only
                      ("5.28.21", "002", 1, "4.0", -50_000),  # a correction on an expense kind: kept, in gross
                      ("5.28.21", "002", 1, "9.4", 10_000), ("5.28.21", "002", 1, "9.7", -5_000),  # internal
                      ("5.28.21", "002", 1, "9.5", 1_000))  # a kind neither list names: net only
    by_step, dev = run(ledger)
    assert amount(by_step, 2015, "home_based") == 1_000_000 + 500_000 - 50_000 + 10_000
    assert amount(dev, 2015, "service") == 1_000_000 + 500_000 - 200_000 - 50_000 + 10_000 - 5_000 + 1_000


def test_refunds_are_published_apart_and_never_netted_into_service():
    ledger = postings(HOME + (1_000_000,), ("5.28.22", "002", 2, "8.6", -300_000), ("6.45.58", None, 1, "1.0", 100_000))
    by_step, dev = run(ledger)
    assert amount(dev, 2015, "service") == 1_000_000 and amount(dev, 2015, "total") == 1_100_000
    assert amount(dev, 2015, "refunds") == -300_000
    assert by_step["gross_expenditure_dkk"].sum() == 1_000_000


def test_capital_financial_excluded_and_outside_accounts_enter_nothing():
    ledger = postings(HOME + (1_000_000,), ("5.28.23", "001", 3, "4.0", 9_000_000), ("5.28.23", "001", 5, "4.0", 7),
                      ("5.28.25", "001", 1, "1.0", 700_000), ("6.45.51", None, 1, "1.0", 5_000_000),
                      ("3.22.01", "001", 1, "1.0", 9_000_000), ("5.28.24", None, 2, "8.6", -1_000))
    by_step, dev = run(ledger)
    assert by_step["gross_expenditure_dkk"].sum() == 1_000_000
    assert amount(dev, 2015, "service") == 1_000_000 and amount(dev, 2015, "administration") == 0
    assert amount(dev, 2015, "refunds") == -1_000  # refunds on a service account only


# -- steps, not_allocated, shares ----------------------------------------------------------------

def test_mapping_exact_grouping_first_then_the_whole_function():
    ledger = postings(("5.28.21", "017", 1, "4.0", 100), ("5.28.21", "016", 1, "4.0", 200), ("5.28.21", "099", 1, "4.0", 400),
                      ("5.28.21", None, 1, "4.0", 800), ("5.28.22", "005", 1, "4.0", 1_600), ("5.28.22", "002", 1, "4.0", 3_200),
                      ("5.28.20", "005", 1, "4.0", 6_400), ("5.28.20", "003", 1, "4.0", 12_800), ("5.28.24", None, 1, "4.0", 25_600))
    by_step, _ = run(ledger)
    assert amount(by_step, 2015, "preventive") == 300
    assert amount(by_step, 2015, "home_based") == 400 + 800 + 6_400
    assert amount(by_step, 2015, "network_care") == 1_600
    assert amount(by_step, 2015, "foster_care") == 3_200
    assert amount(by_step, 2015, "institution") == 12_800 + 25_600


def test_shares_sum_to_100_with_not_allocated_and_unknown_528_accounts_are_reported():
    ledger = postings(HOME + (600,), ("5.28.21", "014", 1, "4.0", 100), ("5.28.29", "001", 1, "4.0", 300))
    by_step, _ = run(ledger)
    assert amount(by_step, 2015, "not_allocated") == 400  # børnehus + an account no row covers
    assert row(by_step, 2015, "not_allocated")["share_pct"] == pytest.approx(40)
    assert by_step["share_pct"].sum() == pytest.approx(100, abs=1e-9)
    with DuckDBWarehouse.in_memory() as wh:
        wh.replace_table("staging.ledger", ledger)
        wh.replace_table("staging.ledger_mapping", pd.DataFrame())
        wh.replace_table("staging.ledger_pl_index", pd.DataFrame())
        expenditure_by_step.build(wh, ExpenditureParams())
        notes = expenditure_by_step.warnings(wh)
    assert any("5.28.29 grouping 001 is in no mapping row" in n and "not_allocated" in n for n in notes)
    assert not any("5.28.21" in n for n in notes)


def test_a_year_without_service_has_null_shares():
    by_step, _ = run(postings(("6.45.58", None, 1, "1.0", 100)))
    assert by_step["share_pct"].isna().all() and (by_step["gross_expenditure_dkk"] == 0).all() and len(by_step) == 6


# -- administration and baselines ---------------------------------------------------------------

def test_administration_and_total_are_null_before_2013():
    ledger = pd.concat([years({2012: 1_000, 2013: 1_000}), years({2013: 50}, funktion="6.45.58", gruppering=None, art="1.0")])
    _, dev = run(ledger)
    assert amount(dev, 2012, "administration") is None and amount(dev, 2012, "total") is None
    assert amount(dev, 2012, "service") == 1_000
    assert amount(dev, 2013, "administration") == 50 and amount(dev, 2013, "total") == 1_050


def test_baselines_of_different_length_per_category():
    service = {2011: 100, 2012: 200, 2013: 300, 2014: 400, 2015: 1_000, 2016: 2_000}
    admin = {2013: 10, 2014: 30, 2015: 50, 2016: 60}
    ledger = pd.concat([years(service), years(admin, funktion="6.45.58", gruppering=None, art="1.0")])
    _, dev = run(ledger)
    s15, a15, t15 = (row(dev, 2015, c) for c in ("service", "administration", "total"))
    assert (s15["baseline_first_year"], s15["baseline_last_year"], s15["baseline_mean_dkk"]) == (2011, 2014, 250)
    assert (a15["baseline_first_year"], a15["baseline_last_year"], a15["baseline_mean_dkk"]) == (2013, 2014, 20)
    assert (t15["baseline_first_year"], t15["baseline_last_year"], t15["baseline_mean_dkk"]) == (2013, 2014, 370)
    assert (s15["extra_expenditure_dkk"], a15["extra_expenditure_dkk"], t15["extra_expenditure_dkk"]) == (750, 30, 680)
    assert row(dev, 2016, "service")["extra_expenditure_dkk"] == 1_750
    assert null(row(dev, 2014, "service")["extra_expenditure_dkk"])  # a baseline year is no project year
    # every row carries its baseline years, baseline years included
    assert dev.groupby("category")[["baseline_first_year", "baseline_last_year"]].nunique().eq(1).all().all()


def test_baseline_years_project_years_and_base_year_are_configuration():
    params = params_from({"expenditure": {"price_base_year": 2016, "project_first_year": 2016, "project_last_year": 2016,
                                          "baseline_years": {"service": [2013, 2015]}}})
    assert params.price_base_year == 2016 and params.baseline_years["service"] == (2013, 2015)
    assert params.baseline_years["administration"] == (2013, 2014)
    ledger = years({2013: 300, 2014: 300, 2015: 600, 2016: 900, 2017: 1_000})
    _, dev = run(ledger, **{k: getattr(params, k) for k in ("price_base_year", "baseline_years", "project_first_year", "project_last_year")})
    assert row(dev, 2016, "service")["baseline_mean_dkk"] == 400 and row(dev, 2016, "service")["extra_expenditure_dkk"] == 500
    assert null(row(dev, 2017, "service")["extra_expenditure_dkk"]) and null(row(dev, 2015, "service")["extra_expenditure_dkk"])
    with pytest.raises(ValueError, match="baseline_years"):
        params_from({"expenditure": {"baseline_years": {"service": [2014, 2011]}}})


def test_a_missing_baseline_year_leaves_the_mean_null_and_warns():
    ledger = years({2012: 100, 2013: 100, 2014: 100, 2015: 500})
    _, dev = run(ledger)
    assert null(row(dev, 2015, "service")["baseline_mean_dkk"]) and null(row(dev, 2015, "service")["extra_expenditure_dkk"])
    with DuckDBWarehouse.in_memory() as wh:
        wh.replace_table("staging.ledger", ledger)
        wh.replace_table("staging.ledger_mapping", pd.DataFrame())
        wh.replace_table("staging.ledger_pl_index", pd.DataFrame())
        expenditure_development.build(wh, ExpenditureParams())
        notes = expenditure_development.warnings(wh)
    assert any("510: service has no baseline mean" in n and "2011-2014" in n for n in notes)


def test_baseline_mean_of_three_years_is_exact_to_the_oere():
    ledger = years({2011: 100, 2012: 100, 2013: 101, 2014: 5_000})
    _, dev = run(ledger, baseline_years={"service": (2011, 2013), "administration": (2013, 2014), "total": (2013, 2014),
                                         "refunds": (2011, 2014)}, project_first_year=2014)
    assert row(dev, 2014, "service")["baseline_mean_dkk"] == 100.33
    assert row(dev, 2014, "service")["extra_expenditure_dkk"] == pytest.approx(4_899.67, abs=1e-9)


# -- the municipality's own rows (kontoplan_tilpasning) --------------------------------------------

def test_override_with_andel_counts_a_share_of_the_whole_municipalitys_administration():
    ledger = postings(HOME + (1_000_000,), ("6.45.51", None, 1, "1.0", 10_000_000), ("6.45.51", None, 1, "7.2", -1_000_000))
    mapping = own_rows(("6.45.51", None, "administration", None, 0.35))
    _, dev = run(ledger, mapping=mapping)
    assert amount(dev, 2015, "administration") == 0.35 * 9_000_000
    assert amount(dev, 2015, "total") == 1_000_000 + 3_150_000
    _, other = run(postings(("6.45.51", None, 1, "1.0", 10_000_000), k=657), mapping=mapping)
    assert amount(other, 2015, "administration", k=657) == 0  # another municipality keeps the default row


def test_override_replaces_only_the_default_row_with_the_same_key():
    ledger = postings(("5.28.21", "017", 1, "4.0", 100), ("5.28.21", "002", 1, "4.0", 1_000))
    mapping = own_rows(("5.28.21", "017", "service", "home_based", None), ("5.28.23", "*", "excluded", None, None))
    by_step, _ = run(ledger, postings(("5.28.23", "001", 1, "4.0", 50)), mapping=mapping)
    assert amount(by_step, 2015, "preventive") == 0 and amount(by_step, 2015, "home_based") == 1_100
    assert amount(by_step, 2015, "institution") == 0  # 5.28.23 excluded for this municipality


def test_an_override_makes_administration_available_before_2013():
    ledger = years({2011: 1_000_000}, funktion="6.45.51", gruppering=None, art="1.0")
    _, dev = run(ledger, mapping=own_rows(("6.45.51", "", "administration", None, 0.1)))
    assert amount(dev, 2011, "administration") == 100_000


# -- provisional figures ------------------------------------------------------------------------

def test_expected_accounts_are_published_as_expected():
    ledger = pd.concat([postings(HOME + (1_000,), year=2015), postings(HOME + (2_000,), year=2016, status="forventet")])
    by_step, dev = run(ledger)
    assert set(dev.loc[dev["fiscal_year"] == 2016, "accounts_status"]) == {"expected"}
    assert set(by_step.loc[by_step["fiscal_year"] == 2015, "accounts_status"]) == {"final"}
