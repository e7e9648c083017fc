"""Ledger files through the one ingest (reader, GX suites, quarantine, audit): per-year partitions,
expected accounts replaced by final ones (never the other way round), the undated national index, a
municipality's own mapping rows, and the counted-but-loaded postings of accounts.md."""
from __future__ import annotations

import pytest

from tests.transforms.inputs import Inbox, csv_text, quarantined

K = 510


def posting(**over: str) -> dict[str, str]:
    row = {"kommunekode": "510", "aar": "2015", "status": "regnskab", "funktion": "5.28.21", "gruppering": "002",
           "dranst": "1", "art": "4.0", "beloeb": "1000,50"}
    assert set(over) <= set(row)
    return {**row, **over}


def ledger(year: int, date: str) -> str:
    return f"ledger/510/regnskab_{year}_{date}.csv"


@pytest.fixture()
def inbox(tmp_path, monkeypatch):
    return Inbox(tmp_path, monkeypatch)


def staged_status(inbox: Inbox) -> dict[int, set[str]]:
    staged = inbox.staged("ledger")
    return {int(y): set(g["status"]) for y, g in staged.groupby("aar")}


def test_each_fiscal_year_is_its_own_partition(inbox):
    inbox.add(ledger(2015, "2016-05-01"), csv_text(posting()))
    inbox.add(ledger(2016, "2017-05-01"), csv_text(posting(aar="2016")))
    inbox.run("ledger", K)
    assert set(inbox.audit()["status"]) == {"loaded"}
    assert staged_status(inbox) == {2015: {"regnskab"}, 2016: {"regnskab"}}


def test_expected_accounts_are_replaced_by_the_final_accounts(inbox):
    expected, final = ledger(2015, "2015-10-01"), ledger(2015, "2016-05-01")
    inbox.add(expected, csv_text(posting(status="forventet", beloeb="900")))
    inbox.run("ledger", K, run_id="r1")
    assert staged_status(inbox) == {2015: {"forventet"}}
    inbox.add(final, csv_text(posting()))
    inbox.run("ledger", K, run_id="r2")
    assert inbox.status(final, "r2") == "loaded" and inbox.status(expected, "r2") == "unchanged"
    assert staged_status(inbox) == {2015: {"regnskab"}}


def test_a_later_expected_delivery_never_replaces_final_accounts(inbox):
    final, late = ledger(2015, "2016-05-01"), ledger(2015, "2016-10-01")
    inbox.add(final, csv_text(posting()))
    inbox.add(late, csv_text(posting(status="forventet", beloeb="1")))
    inbox.run("ledger", K, run_id="r1")
    audit = inbox.audit("r1")
    assert audit.loc[final, "status"] == "loaded"
    assert audit.loc[late, "status"] == "superseded" and "final delivery stays in force" in audit.loc[late, "note"]
    assert staged_status(inbox) == {2015: {"regnskab"}}
    inbox.run("ledger", K, run_id="r2")  # a rerun: nothing changes
    assert set(inbox.audit("r2")["status"]) == {"unchanged"} and staged_status(inbox) == {2015: {"regnskab"}}


def test_a_late_expected_delivery_after_the_final_one_was_staged_keeps_the_final(inbox):
    final, late = ledger(2015, "2016-05-01"), ledger(2015, "2016-10-01")
    inbox.add(final, csv_text(posting()))
    inbox.run("ledger", K, run_id="r1")
    inbox.add(late, csv_text(posting(status="forventet", beloeb="1")))
    inbox.run("ledger", K, run_id="r2")
    assert inbox.status(late, "r2") == "superseded" and inbox.status(final, "r2") == "unchanged"
    assert float(inbox.staged("ledger")["beloeb"].iloc[0]) == 1000.5


def test_the_newest_of_two_expected_deliveries_is_in_force_without_final_accounts(inbox):
    first, second = ledger(2026, "2026-04-01"), ledger(2026, "2026-10-01")
    inbox.add(first, csv_text(posting(aar="2026", status="forventet", beloeb="1")))
    inbox.add(second, csv_text(posting(aar="2026", status="forventet", beloeb="2")))
    inbox.run("ledger", K)
    assert inbox.status(second) == "loaded" and inbox.status(first) == "superseded"
    assert float(inbox.staged("ledger")["beloeb"].iloc[0]) == 2


def test_unreadable_final_accounts_leave_the_expected_ones_in_force(inbox):
    expected, final = ledger(2015, "2015-10-01"), ledger(2015, "2016-05-01")
    inbox.add(expected, csv_text(posting(status="forventet")))
    inbox.add(final, b"")
    inbox.run("ledger", K)
    assert inbox.status(final) == "rejected" and inbox.status(expected) == "loaded"
    assert staged_status(inbox) == {2015: {"forventet"}}


def test_row_rules_of_a_ledger_file(inbox):
    name = ledger(2015, "2016-05-01")
    inbox.add(name, csv_text(posting(), posting(aar="2014"), posting(gruppering="2"), posting(dranst="9"), posting(art="4"),
                             posting(funktion="5.28"), posting(status="budget"), posting(gruppering=""), posting(kommunekode="657")))
    inbox.run("ledger", K)
    assert quarantined(inbox, name) == [(3, "aar", "aar_not_file_year"), (4, "gruppering", "gruppering_format"),
                                        (5, "dranst", "dranst_out_of_range"), (6, "art", "art_format"),
                                        (7, "funktion", "funktion_format"), (8, "status", "unknown_code"),
                                        (10, "kommunekode", "kommunekode_not_folder")]
    assert inbox.audit().loc[name, "rows_loaded"] == 2  # an empty grouping is valid


def test_postings_outside_the_area_and_contradicting_signs_load_and_are_counted(inbox):
    name = ledger(2015, "2016-05-01")
    inbox.add(name, csv_text(posting(), posting(funktion="3.22.01"), posting(funktion="6.45.51", gruppering=""),
                             posting(art="4.0", beloeb="-20"), posting(art="7.2", beloeb="15"), posting(art="7.2", beloeb="-15"),
                             posting(art="9.7", beloeb="3"), posting(art="9.1", beloeb="-3"), posting(art="8.6", dranst="2", beloeb="-9")))
    inbox.run("ledger", K)
    row = inbox.audit().loc[name]
    assert (row["status"], row["rows_read"], row["rows_loaded"], row["rows_quarantined"]) == ("loaded", 9, 9, 0)
    assert row["note"] == "1 row(s) outside_childrens_area (loaded); 4 row(s) sign_contradicts_kind (loaded)"


def test_the_national_price_index_has_no_date_and_belongs_to_no_municipality(inbox):
    inbox.add("ledger/pl_indeks.csv", "aar;indeks\n2015;98,0\n2017;100\n2017;101\n2016;0\n")
    inbox.add("ledger/510/pl_indeks.csv", "aar;indeks\n2015;98,0\n")
    inbox.add("ledger/regnskab_2015_2016-05-01.csv", csv_text(posting()))  # a dated file at the root: ignored
    from transforms.inbox import scan

    assert scan(inbox.root).municipalities("ledger") == [0, 510]
    assert scan(inbox.root).ignored == ["ledger/regnskab_2015_2016-05-01.csv"]
    inbox.run("ledger", 0)
    inbox.run("ledger", K)
    audit = inbox.audit()
    assert audit.loc["ledger/pl_indeks.csv", "kommunekode"] == 0
    assert quarantined(inbox, "ledger/pl_indeks.csv") == [(3, "aar", "duplicate_id"), (4, "aar", "duplicate_id"),
                                                          (5, "indeks", "index_not_positive")]
    assert audit.loc["ledger/510/pl_indeks.csv", "status"] == "rejected"
    assert quarantined(inbox, "ledger/510/pl_indeks.csv")[0][2] == "no_date_in_name"
    assert inbox.staged("ledger_pl_index")[["aar", "indeks"]].values.tolist() == [[2015, 98.0]]


def test_an_as_of_replay_keeps_the_undated_index(inbox):
    inbox.add("ledger/pl_indeks.csv", "aar;indeks\n2015;98,0\n")
    inbox.run("ledger", 0, as_of="2012-01-01")
    assert inbox.status("ledger/pl_indeks.csv") == "loaded"


def test_a_municipalitys_own_mapping_rows(inbox):
    old, new = "ledger/510/kontoplan_tilpasning_2014-01-01.csv", "ledger/510/kontoplan_tilpasning_2020-01-01.csv"
    header = "funktion;gruppering;category;step;andel\n"
    inbox.add(old, header + "6.45.51;;administration;;0,5\n")
    inbox.add(new, header + "6.45.51;;administration;;0,35\n5.28.21;017;service;home_based;\n5.28.23;*;Excluded;;\n"
                            "5.28.22;;service;;1\n6.45.58;;administration;preventive;\n5.28.20;;service;institution;1,5\n"
                            "5.28.24;;service;institution;0\n6.45.51;;administration;;1\n")
    inbox.run("ledger", K)
    assert inbox.status(old) == "superseded" and inbox.status(new) == "partially_loaded"
    rules = sorted((r, rule) for r, _, rule in quarantined(inbox, new))
    assert rules == [(2, "duplicate_key"), (5, "step_required_for_service"), (6, "step_outside_service"),
                     (7, "share_out_of_range"), (8, "share_out_of_range"), (9, "duplicate_key")]
    staged = inbox.staged("ledger_mapping").sort_values("funktion")
    assert staged["kommunekode"].tolist() == [K, K] and staged["category"].tolist() == ["service", "excluded"]
