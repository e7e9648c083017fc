"""The accounts' reference data: every row cited, mappings unambiguous, the index honest about what is verified."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from transforms import reference
from transforms.expenditure import STEPS
from transforms.file_kinds import EXPECTATIONS_DIR, kinds_of


def test_every_mapping_row_names_its_source_and_a_valid_category_and_step():
    m = reference.table("accounts_mapping")
    assert m["source"].notna().all()
    assert set(m["category"]) <= {"service", "administration", "excluded"}
    service = m[m["category"] == "service"]
    assert service["step"].notna().all() and set(service["step"]) <= set(STEPS)
    assert m.loc[m["category"] != "service", "step"].isna().all()
    assert m["funktion"].str.fullmatch(r"\d\.\d{2}\.\d{2}").all()
    assert m["gruppering"].str.fullmatch(r"\d{3}|\*").all()


def test_no_two_mapping_rows_cover_the_same_account_in_the_same_year():
    m = reference.table("accounts_mapping").fillna({"valid_from_year": "0", "valid_to_year": "9999"})
    for _, rows in m.groupby(["funktion", "gruppering"]):
        spans = sorted((int(a), int(b)) for a, b in zip(rows["valid_from_year"], rows["valid_to_year"]))
        assert all(prev[1] < nxt[0] for prev, nxt in zip(spans, spans[1:])), rows


def test_every_528_function_has_a_whole_function_row():
    m = reference.table("accounts_mapping")
    functions = set(m.loc[m["funktion"].str.startswith("5.28."), "funktion"])
    assert functions == set(m.loc[m["gruppering"] == "*", "funktion"]) & functions


def test_administration_of_the_childrens_area_starts_in_2013():
    m = reference.table("accounts_mapping").set_index(["funktion", "gruppering"])
    assert m.loc[("6.45.58", "*"), "valid_from_year"] == "2013" and m.loc[("6.45.58", "*"), "category"] == "administration"
    assert m.loc[("6.45.51", "*"), "category"] == "excluded"


def test_art_kinds_follow_accounts_md():
    kinds = reference.table("accounts_art").set_index("art")["kind"]
    assert {a for a, k in kinds.items() if k == "revenue"} == {"7", "8", "9.7"}
    assert {"0", "1", "2", "4", "5", "6", "9.1", "9.2", "9.3", "9.4"} <= {a for a, k in kinds.items() if k == "expense"}
    assert reference.table("accounts_art")["source"].notna().all()


def test_the_suites_sign_rule_agrees_with_the_art_kinds():
    """The GX warning `sign_contradicts_kind` is written in the suite: keep it in step with accounts_art.csv."""
    suite = json.loads((EXPECTATIONS_DIR / "ledger_regnskab.json").read_text())
    conditions = {("min" if "min_value" in e["kwargs"] else "max"): e["kwargs"]["row_condition"]
                  for e in suite["expectations"] if e["meta"]["rule"] == "sign_contradicts_kind"}
    kinds = reference.table("accounts_art").set_index("art")["kind"]
    for main in range(10):
        for sub in range(10):
            art = f"{main}.{sub}"
            frame = pd.DataFrame({"art__given": [True], "art__value": pd.array([art], dtype="string")})
            expense = len(frame.query(conditions["min"], parser="pandas")) == 1
            revenue = len(frame.query(conditions["max"], parser="pandas")) == 1
            kind = kinds.get(art, kinds.get(str(main), "other"))
            assert (expense, revenue) == (kind == "expense", kind == "revenue"), art


def test_dranst_roles():
    d = reference.table("accounts_dranst").set_index("dranst")["role"]
    assert (d["1"], d["2"], d["3"]) == ("operating", "refunds", "capital") and list(d.index) == [str(i) for i in range(1, 8)]


def test_the_price_index_covers_every_year_from_2011_and_says_what_is_unverified():
    pl = reference.table("pl_indeks")
    years = pl["aar"].astype(int).tolist()
    assert years == list(range(2011, years[-1] + 1)) and years[-1] >= 2026
    assert pl["source"].notna().all() and set(pl["verified"]) <= {"0", "1"}
    unverified = pl[pl["verified"] == "0"]
    assert len(unverified) and unverified["note"].str.contains("unverified").all()
    index = pl["indeks"].astype(float).tolist()
    growth = pl["growth_pct"].astype(float).tolist()
    for i in range(1, len(index)):  # the index is the published growth, chained
        assert index[i] == pytest.approx(index[i - 1] * (1 + growth[i] / 100), abs=0.0001 * (i + 1))


def test_ledger_suites_are_kinds_of_the_ledger_source():
    names = {k.name: k for k in kinds_of("ledger")}
    assert set(names) >= {"ledger_regnskab", "ledger_kontoplan_tilpasning", "ledger_pl_indeks"}
    assert names["ledger_regnskab"].final == ("status", "regnskab")
    assert not names["ledger_pl_indeks"].dated and names["ledger_regnskab"].dated
    assert names["ledger_regnskab"].pattern.match("regnskab_2015_2016-05-01.csv.gz").group("period") == "2015"


def test_the_code_lists_the_suites_name_exist():
    lists = reference.code_lists()
    for path in Path(EXPECTATIONS_DIR).glob("ledger_*.json"):
        for col in json.loads(path.read_text())["meta"]["columns"]:
            if col["type"] == "code":
                assert col["code_list"] in lists
    assert lists["expenditure_steps"] == list(STEPS)
