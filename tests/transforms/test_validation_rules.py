"""One rule, one test: every rule a row can break in sources.md §1-§2 and §6, through the real ingest.

Most tests write a file of three rows where only the middle one (spreadsheet row 3: the header is
row 1) breaks the rule, and check the quarantine row (row_number, column_name, rule), that the two
good rows still load, and that rows read = loaded + quarantined. `Inbox.quarantine()` also checks
every test's `value_masked` for CPR-shaped digits.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.transforms.inputs import (
    CASEWORKERS, CPR, CPR_DASHED, FOLLOWUPS, INVESTIGATIONS, MEASURES, POPULATION, Inbox, caseworker, counts, csv_text,
    followup, investigation, measure, population, quarantined,
)
from transforms.reference import canonical_codes, code_lists
from transforms.validator import MASK

ID_COLUMN = {"measures": "foranstaltning_id", "investigations": "undersoegelse_id"}


@pytest.fixture
def inbox(tmp_path, monkeypatch) -> Inbox:
    return Inbox(tmp_path, monkeypatch)


def load(inbox: Inbox, file_name: str, *rows: dict[str, str], columns: list[str] | None = None) -> Inbox:
    inbox.add(file_name, csv_text(*rows, columns=columns))
    if file_name.startswith("population/"):
        inbox.run("population", 0)
    else:
        inbox.run("case", int(file_name.split("/")[1]))
    return inbox


def staged_ids(inbox: Inbox, table: str) -> list[str]:
    return sorted(str(v) for v in inbox.staged(table)[ID_COLUMN[table]])


def only_row_3_breaks(inbox: Inbox, file_name: str, column: str, rule: str) -> None:
    assert quarantined(inbox, file_name) == [(3, column, rule)]
    assert counts(inbox, file_name) == (3, 2, 1)
    assert inbox.status(file_name) == "partially_loaded"


def value_shown(inbox: Inbox, row: int = 3) -> str:
    q = inbox.quarantine()
    return q.loc[q["row_number"] == row, "value_masked"].iloc[0]


def bad_measure(inbox: Inbox, column: str, rule: str, **bad: str) -> None:
    """m1 and m3 are valid, m2 (row 3) carries `bad`: only m2 is quarantined, with (column, rule)."""
    load(inbox, MEASURES, measure("m1"), measure("m2", **bad), measure("m3"))
    only_row_3_breaks(inbox, MEASURES, column, rule)
    assert staged_ids(inbox, "measures") == ["m1", "m3"]


def good_measure(inbox: Inbox, **over: str) -> dict:
    """The row loads: nothing quarantined; the staged row of m1 is returned."""
    load(inbox, MEASURES, measure("m1", **over))
    assert quarantined(inbox) == []
    assert counts(inbox, MEASURES) == (1, 1, 0)
    return inbox.staged("measures").iloc[0].to_dict()


# -- §1 values: required, integer, decimal, date, boolean -----------------------------------------

def test_required_field_empty(inbox):
    bad_measure(inbox, "foranstaltning_id", "required", foranstaltning_id="")


def test_optional_fields_and_an_empty_boolean_may_be_empty(inbox):
    row = good_measure(inbox, paragraf="SEL 52.3.2", anbringelsessted="", slutdato="", handicap="", uledsaget_flygtning="1")
    assert pd.isna(row["anbringelsessted"]) and pd.isna(row["slutdato"])
    assert not row["handicap"] and row["uledsaget_flygtning"]  # an empty boolean means 0


def test_not_an_integer(inbox):  # more spellings (`５１０`, 20 digits): test_values.py
    bad_measure(inbox, "kommunekode", "not_an_integer", kommunekode="510,0")


def test_not_a_decimal(inbox):
    load(inbox, CASEWORKERS, caseworker("w1", normtid="0.5"), caseworker("w2", normtid="1.234,5"), caseworker("w3", normtid="0,75"))
    only_row_3_breaks(inbox, CASEWORKERS, "normtid", "not_a_decimal")
    assert sorted(inbox.staged("caseworkers")["normtid"]) == [0.5, 0.75]  # a point is accepted without a comma


def test_bad_date_format(inbox):  # other spellings: test_values.py
    bad_measure(inbox, "startdato", "date_format", startdato="2019-1-01")


def test_invalid_date(inbox):
    bad_measure(inbox, "startdato", "invalid_date", startdato="29-02-2019")


def test_both_date_spellings_load_as_the_same_date(inbox):
    load(inbox, MEASURES, measure("m1", startdato="2019-03-07"), measure("m2", startdato="07-03-2019"))
    assert inbox.staged("measures")["startdato"].tolist() == [dt.date(2019, 3, 7)] * 2


def test_boolean_ja(inbox):
    bad_measure(inbox, "handicap", "not_a_boolean", handicap="ja")


# -- §2.2 measures: codes, setting, municipality, dates ------------------------------------------

def test_unknown_paragraf_code(inbox):
    bad_measure(inbox, "paragraf", "unknown_code", paragraf="SEL 99", anbringelsessted="")


@pytest.mark.parametrize("code", ["SEL 99", "SEL 52.3", "SEL52.3.7", "§ 52.3.7", "SEL 52.3.7.1", "BL 32.1.9", "SEL 76a", "SEL 76.", "SEL 50"])
def test_only_the_forms_the_code_list_gives_are_measure_codes(code):
    entry, _ = canonical_codes(pd.Series([code], dtype="string"), "measure_codes")
    assert entry.iloc[0] not in code_lists()["measure_codes"]


@pytest.mark.parametrize("code, canonical", [(" sel 52.3.7 ", "SEL 52.3.7"), ("bl 46", "BL 46"), ("SEL 76", "SEL 76"),
                                             ("sel 76.3.1", "SEL 76.3.1"), ("BL 114.1.1", "BL 114.1.1"), ("sel 52a.1", "SEL 52a.1")])
def test_codes_match_trimmed_ignoring_case_and_out_of_scope_subdivisions_belong_to_their_family(code, canonical):
    entry, value = canonical_codes(pd.Series([code], dtype="string"), "measure_codes")
    assert entry.iloc[0] in code_lists()["measure_codes"] and value.iloc[0] == canonical


def test_code_is_matched_trimmed_ignoring_case_and_whatever_the_date(inbox):
    load(inbox, MEASURES, measure("m1", paragraf="  sel 52.3.7 ", anbringelsessted=" PlejeFamilie", bevilget_af="PPR"),
         measure("m2", paragraf="BL 46", startdato="2010-05-01"))  # a Barnets Lov code before 2024
    assert quarantined(inbox) == []
    m1, m2 = inbox.staged("measures").sort_values("foranstaltning_id").to_dict("records")
    assert (m1["paragraf"], m1["anbringelsessted"], m1["bevilget_af"]) == ("SEL 52.3.7", "plejefamilie", "ppr")
    assert m2["paragraf"] == "BL 46"


def test_out_of_scope_family_with_a_subdivision_is_accepted(inbox):
    # with or without a placement setting (barnets-lov.md §1)
    load(inbox, MEASURES, measure("m1", paragraf="sel 76.3.1", anbringelsessted=""), measure("m2", paragraf="SEL 76.3.1", anbringelsessted="opholdssted"))
    assert quarantined(inbox) == []
    assert inbox.staged("measures")["paragraf"].tolist() == ["SEL 76.3.1", "SEL 76.3.1"]


def test_placement_without_setting(inbox):
    bad_measure(inbox, "anbringelsessted", "placement_without_setting", paragraf="SEL 58", anbringelsessted="")


def test_setting_on_a_non_placement(inbox):
    bad_measure(inbox, "anbringelsessted", "setting_on_non_placement", paragraf="SEL 52.3.2", anbringelsessted="plejefamilie")


def test_unknown_setting(inbox):
    bad_measure(inbox, "anbringelsessted", "unknown_code", anbringelsessted="hotel")


def test_unknown_bevilget_af(inbox):
    bad_measure(inbox, "bevilget_af", "unknown_code", bevilget_af="kommunen")


def test_kommunekode_differs_from_folder(inbox):
    bad_measure(inbox, "kommunekode", "kommunekode_not_folder", kommunekode="657")
    assert value_shown(inbox) == "657"


def test_kommunekode_is_compared_as_an_integer(inbox):
    assert good_measure(inbox, kommunekode="0510")["kommunekode"] == 510


def test_start_after_extraction_date(inbox):
    bad_measure(inbox, "startdato", "start_after_extraction_date", startdato="2020-01-02")  # file of 2020-01-01


def test_boundary_dates_are_valid(inbox):
    load(inbox, MEASURES, measure("m1", startdato="01-01-2020", slutdato="2021-06-30"),  # start on the extraction date, planned end
         measure("m2", startdato="2019-05-01", slutdato="01-05-2019"))  # ends on its start day
    assert quarantined(inbox) == [] and counts(inbox, MEASURES) == (2, 2, 0)


def test_end_before_start(inbox):
    bad_measure(inbox, "slutdato", "end_before_start", startdato="2019-05-01", slutdato="30-04-2019")


def test_duplicate_measure_id_quarantines_every_row_of_it(inbox):
    load(inbox, MEASURES, measure("m1"), measure("m2"), measure("m2", paragraf="SEL 58"), measure("m3"), measure("m2", startdato="2019-02-01"))
    assert quarantined(inbox, MEASURES) == [(3, "foranstaltning_id", "duplicate_id"), (4, "foranstaltning_id", "duplicate_id"),
                                           (6, "foranstaltning_id", "duplicate_id")]
    assert counts(inbox, MEASURES) == (5, 2, 3)
    assert staged_ids(inbox, "measures") == ["m1", "m3"]


def test_uniqueness_is_judged_only_among_otherwise_valid_rows(inbox):
    load(inbox, MEASURES, measure("m1"), measure("m2", startdato="2019-02-30"), measure("m2"))
    assert quarantined(inbox, MEASURES) == [(3, "startdato", "invalid_date")]
    assert staged_ids(inbox, "measures") == ["m1", "m2"]


# -- §2.1 CPR, and masking ------------------------------------------------------------------------

def test_cpr_with_letters(inbox):  # other shapes: test_cpr.py
    bad_measure(inbox, "cpr", "cpr_format", cpr="01019O1234")
    assert value_shown(inbox) == MASK


def test_cpr_date_part_is_no_real_date(inbox):  # day 32; 29 February etc.: test_cpr.py
    bad_measure(inbox, "cpr", "cpr_invalid_date", cpr="320190-1234")
    assert value_shown(inbox) == MASK


def test_cpr_in_both_spellings_and_failing_modulus_11_loads_as_one_person(inbox):
    load(inbox, MEASURES, measure("m1", cpr=CPR), measure("m2", cpr=CPR_DASHED))  # CPR fails modulus 11 (test_cpr.py)
    staged = inbox.staged("measures")
    assert quarantined(inbox) == [] and staged["person_id"].nunique() == 1
    assert staged["birth_date"].tolist() == [dt.date(1990, 1, 1)] * 2
    assert "cpr" not in staged.columns


def test_cpr_shaped_text_in_another_column_is_masked(inbox):
    load(inbox, MEASURES, measure("m1"), measure("m2", anbringelsessted=f"hos {CPR_DASHED} (mormor)"), measure(CPR), measure(CPR))
    assert quarantined(inbox) == [(3, "anbringelsessted", "unknown_code"),
                                  (4, "foranstaltning_id", "duplicate_id"), (5, "foranstaltning_id", "duplicate_id")]
    assert inbox.quarantine()["value_masked"].tolist() == [f"hos {MASK} (mormor)", MASK, MASK]


# -- §1 one rule per row, row shape ---------------------------------------------------------------

def test_row_breaking_two_rules_is_quarantined_once_with_the_first_in_column_order(inbox):
    bad = measure("m2", paragraf="SEL 99", anbringelsessted="", startdato="2019-13-01")
    load(inbox, MEASURES, measure("m1"), bad, measure("m3"))
    only_row_3_breaks(inbox, MEASURES, "paragraf", "unknown_code")  # paragraf comes before startdato


def test_first_rule_follows_the_files_own_column_order(inbox):
    bad = measure("m2", paragraf="SEL 99", anbringelsessted="", startdato="2019-13-01")
    columns = ["startdato"] + [c for c in bad if c != "startdato"]
    load(inbox, MEASURES, measure("m1"), bad, measure("m3"), columns=columns)
    only_row_3_breaks(inbox, MEASURES, "startdato", "invalid_date")


def test_row_with_another_number_of_fields_than_the_header(inbox):
    text = csv_text(measure("m1"), measure("m2"), measure("m3"))
    lines = text.splitlines()
    lines[2] += ";extra"
    inbox.add(MEASURES, "\n".join(lines) + "\n")
    inbox.run()
    only_row_3_breaks(inbox, MEASURES, "", "field_count")


# -- §2.3 investigations --------------------------------------------------------------------------

def test_investigation_with_a_non_investigation_paragraf(inbox):
    load(inbox, INVESTIGATIONS, investigation("u1"), investigation("u2", paragraf="SEL 52.3.2"), investigation("u3", paragraf="bl 23"))
    only_row_3_breaks(inbox, INVESTIGATIONS, "paragraf", "unknown_code")
    assert sorted(inbox.staged("investigations")["paragraf"]) == ["BL 23", "SEL 50"]


def test_duplicate_investigation_id(inbox):
    load(inbox, INVESTIGATIONS, investigation("u1"), investigation("u2"), investigation("u2", afgoerelsesdato="2019-04-01"))
    assert quarantined(inbox) == [(3, "undersoegelse_id", "duplicate_id"), (4, "undersoegelse_id", "duplicate_id")]
    assert staged_ids(inbox, "investigations") == ["u1"]


# -- §2.4 caseworkers -----------------------------------------------------------------------------

def test_normtid_0_or_over_1(inbox):
    load(inbox, CASEWORKERS, caseworker("w1", normtid="1"), caseworker("w2", normtid="0"), caseworker("w3", normtid="0,01"),
         caseworker("w4", normtid="1,01"))
    assert quarantined(inbox) == [(3, "normtid", "fte_out_of_range"), (5, "normtid", "fte_out_of_range")]
    assert counts(inbox, CASEWORKERS) == (4, 2, 2)


def test_antal_sager_negative(inbox):
    load(inbox, CASEWORKERS, caseworker("w1"), caseworker("w2", antal_sager="-1"), caseworker("w3", antal_sager="0"))
    only_row_3_breaks(inbox, CASEWORKERS, "antal_sager", "negative_count")


def test_antal_sager_with_decimals(inbox):
    load(inbox, CASEWORKERS, caseworker("w1"), caseworker("w2", antal_sager="5,0"), caseworker("w3"))
    only_row_3_breaks(inbox, CASEWORKERS, "antal_sager", "not_an_integer")


def test_duplicate_caseworker_on_a_counting_date(inbox):
    load(inbox, CASEWORKERS, caseworker("w1"), caseworker("w2", opgoerelsesdato="2019-12-31"),
         caseworker("w2", opgoerelsesdato="31-12-2019"), caseworker("w2", opgoerelsesdato="2019-06-30"))
    assert quarantined(inbox) == [(3, "opgoerelsesdato", "duplicate_key"), (4, "opgoerelsesdato", "duplicate_key")]
    assert counts(inbox, CASEWORKERS) == (4, 2, 2)  # w1, and w2 on another date, load


# -- §2.5 follow-ups ------------------------------------------------------------------------------

def test_follow_up_of_an_unknown_measure(inbox):
    inbox.add(MEASURES, csv_text(measure("m1"), measure("m2", startdato="2019-02-30")))
    inbox.add(FOLLOWUPS, csv_text(followup("m1"), followup("m9"), followup("m2"), followup("m1", opfoelgningsdato="2019-09-01")))
    inbox.run()
    # m9 never existed; m2 exists in the file but was quarantined, so it is not among the loaded measures
    assert quarantined(inbox, FOLLOWUPS) == [(3, "foranstaltning_id", "unknown_measure"), (4, "foranstaltning_id", "unknown_measure")]
    assert counts(inbox, FOLLOWUPS) == (4, 2, 2)


# -- §6 population --------------------------------------------------------------------------------

def test_population_age_over_125(inbox):
    load(inbox, POPULATION, population("0"), population("126"), population("125"))
    only_row_3_breaks(inbox, POPULATION, "alder", "age_out_of_range")


def test_population_negative_count(inbox):
    load(inbox, POPULATION, population("1"), population("2", antal="-1"), population("3", antal="0"))
    only_row_3_breaks(inbox, POPULATION, "antal", "negative_count")


def test_population_duplicate_key(inbox):
    load(inbox, POPULATION, population("1"), population("2"), population("2", antal="5"), population("2", dato="2019-01-01"),
         population("2", kommunekode="657"))
    assert quarantined(inbox) == [(3, "kommunekode", "duplicate_key"), (4, "kommunekode", "duplicate_key")]
    assert counts(inbox, POPULATION) == (5, 3, 2)


def test_a_byte_order_mark_in_the_middle_of_a_value_breaks_its_rule(inbox):
    bad_measure(inbox, "startdato", "date_format", startdato="\ufeff2019-05-01")


def test_a_csv_injection_payload_in_a_text_field_loads_as_plain_text(inbox):
    """A formula in a free-text field breaks no input rule: it loads as text (the delivery neutralises it)."""
    payload = "=cmd|' /C calc'!A0"
    load(inbox, CASEWORKERS, caseworker("w1"), caseworker("w2", team=payload), caseworker("w3"))
    assert quarantined(inbox) == [] and counts(inbox, CASEWORKERS) == (3, 3, 0)
    assert payload in set(inbox.staged("caseworkers")["team"])
