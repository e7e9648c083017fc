"""School registers through the one reader, validator, pseudonymisation and quarantine
(sources.md §1, §2.1, §5): `transforms.ingest.ingest("school", …)` on a tmp inbox."""
from __future__ import annotations

import pandas as pd
import pytest

from tests.transforms.inputs import CPR, CPR_DASHED, MEASURES, Inbox, counts, csv_text, measure, quarantined

TRIVSEL = "school/510/trivsel_2016-17_2017-09-01.csv"
FRAVAER = "school/510/fravaer_2016-17_2017-09-01.csv"
OTHER_CPR = "0202054321"   # born 2 February 2005 (7th digit 4, YY 05 ≤ 36 → 2000s)
THIRD_CPR = "030306-4123"


def pupil_cpr(i: int) -> str:
    """A distinct valid CPR per i (born 2005, 7th digit 4)."""
    return f"{i:02d}0305{4000 + i}"


def wellbeing(cpr: str = CPR, **over: str) -> dict[str, str]:
    row = {"kommunekode": "510", "skoleaar": "2016/17", "cpr": cpr, "klassetrin": "6", "faglig_trivsel": "3,75",
           "social_trivsel": "4,2", "ro_og_orden": "3.5", "stoette_og_inspiration": "3"}
    assert not set(over) - set(row)
    return {**row, **over}


def absence(cpr: str = CPR, **over: str) -> dict[str, str]:
    row = {"kommunekode": "510", "skoleaar": "2016/17", "cpr": cpr, "klassetrin": "6", "skoledage": "200", "fravaersdage": "12,5"}
    assert not set(over) - set(row)
    return {**row, **over}


@pytest.fixture
def inbox(tmp_path, monkeypatch) -> Inbox:
    return Inbox(tmp_path, monkeypatch)


def test_valid_files_load_with_pseudonyms_that_join_the_case_data(inbox):
    inbox.add(TRIVSEL, csv_text(wellbeing(CPR_DASHED), wellbeing(OTHER_CPR, faglig_trivsel="", social_trivsel="",
                                                                  ro_og_orden="", stoette_og_inspiration="")))
    inbox.add(FRAVAER, csv_text(absence(CPR), absence(OTHER_CPR, fravaersdage="0")))
    inbox.add(MEASURES, csv_text(measure("m1")))
    inbox.run("case")
    inbox.run("school")
    assert counts(inbox, TRIVSEL) == (2, 2, 0) and counts(inbox, FRAVAER) == (2, 2, 0)
    assert inbox.status(TRIVSEL) == "loaded"
    staged = inbox.staged("pupil_wellbeing")
    assert "cpr" not in staged.columns and staged["skoleaar"].tolist() == ["2016/17", "2016/17"]
    assert staged["faglig_trivsel"].tolist()[0] == 3.75 and pd.isna(staged["faglig_trivsel"].tolist()[1])
    assert staged["ro_og_orden"].tolist()[0] == 3.5   # a point is a decimal point when there is no comma
    case_person = inbox.staged("measures")["person_id"].iloc[0]
    assert case_person in set(staged["person_id"]) and case_person in set(inbox.staged("pupil_absence")["person_id"])
    assert str(staged.loc[staged["person_id"] == case_person, "birth_date"].iloc[0]) == "1990-01-01"
    for path in inbox.staging_files():
        assert CPR.encode() not in path.read_bytes() and OTHER_CPR.encode() not in path.read_bytes()


def test_wellbeing_rules(inbox):
    rows = [wellbeing(CPR),                                     # 2 valid
            wellbeing(pupil_cpr(11), skoleaar="2015/16"),          # 3 another school year than the file's
            wellbeing(pupil_cpr(12), klassetrin="11"),             # 4 grade outside 0-10
            wellbeing(pupil_cpr(13), faglig_trivsel="0,75"),       # 5 index below 1
            wellbeing(pupil_cpr(14), stoette_og_inspiration="5,5"),  # 6 index above 5
            wellbeing(pupil_cpr(15), social_trivsel="ja"),         # 7 not a decimal
            wellbeing(pupil_cpr(16), klassetrin="5,0"),            # 8 no integer
            wellbeing(pupil_cpr(17), faglig_trivsel="1", social_trivsel="5"),  # 9 the ends are valid
            wellbeing("3201051234"),                              # 10 no real date in the CPR
            wellbeing(pupil_cpr(18), kommunekode="657")]           # 11 another municipality
    inbox.add(TRIVSEL, csv_text(*rows))
    inbox.run("school")
    assert quarantined(inbox, TRIVSEL) == [
        (3, "skoleaar", "school_year_mismatch"), (4, "klassetrin", "grade_out_of_range"),
        (5, "faglig_trivsel", "index_out_of_range"), (6, "stoette_og_inspiration", "index_out_of_range"),
        (7, "social_trivsel", "not_a_decimal"), (8, "klassetrin", "not_an_integer"), (10, "cpr", "cpr_invalid_date"),
        (11, "kommunekode", "kommunekode_not_folder")]
    assert counts(inbox, TRIVSEL) == (10, 2, 8)


def test_absence_rules(inbox):
    rows = [absence(CPR),                                       # 2 valid
            absence(pupil_cpr(11), fravaersdage="200"),          # 3 all days absent: valid
            absence(pupil_cpr(12), fravaersdage="200,5"),        # 4 more absence than school days
            absence(pupil_cpr(13), skoledage="0", fravaersdage="0"),  # 5 no school days
            absence(pupil_cpr(14), fravaersdage="-1"),           # 6 negative absence
            absence(pupil_cpr(15), fravaersdage=""),             # 7 required
            absence(pupil_cpr(16), skoleaar="2016-17"),          # 8 the file name's spelling is not the column's
            absence(pupil_cpr(17), skoledage="180,5", fravaersdage="180,5")]  # 9 decimals allowed
    inbox.add(FRAVAER, csv_text(*rows))
    inbox.run("school")
    assert quarantined(inbox, FRAVAER) == [
        (4, "fravaersdage", "absence_above_school_days"), (5, "skoledage", "school_days_not_positive"),
        (6, "fravaersdage", "negative_count"), (7, "fravaersdage", "required"), (8, "skoleaar", "school_year_mismatch")]


def test_a_pupil_twice_in_a_file_is_quarantined_in_both_spellings(inbox):
    inbox.add(FRAVAER, csv_text(absence(CPR), absence(OTHER_CPR), absence(CPR_DASHED, fravaersdage="3"),
                                absence(THIRD_CPR), absence(THIRD_CPR.replace("-", ""), fravaersdage="999")))
    inbox.run("school")
    # rows 2 and 4 are the same pupil: both quarantined (nothing is silently chosen); row 6's
    # absence is above its school days, so among the rows that keep every other rule row 5 is alone
    assert quarantined(inbox, FRAVAER) == [(2, "cpr", "duplicate_id"), (4, "cpr", "duplicate_id"),
                                           (6, "fravaersdage", "absence_above_school_days")]
    assert set(inbox.quarantine()["value_masked"]) >= {"**********"}
    assert counts(inbox, FRAVAER) == (5, 2, 3)


def test_one_partition_per_school_year_and_the_newest_delivery_of_a_year_wins(inbox):
    inbox.add("school/510/fravaer_2015-16_2016-09-01.csv", csv_text(absence(skoleaar="2015/16", fravaersdage="1")))
    inbox.add("school/510/fravaer_2016-17_2017-08-20.csv", csv_text(absence(fravaersdage="2")))
    inbox.add("school/510/fravaer_2016-17_2017-09-01.csv", csv_text(absence(fravaersdage="3"), absence(OTHER_CPR)))
    inbox.run("school")
    assert inbox.status("school/510/fravaer_2016-17_2017-08-20.csv") == "superseded"
    assert inbox.status("school/510/fravaer_2015-16_2016-09-01.csv") == "loaded"
    staged = inbox.staged("pupil_absence").sort_values(["skoleaar", "fravaersdage"])
    assert list(zip(staged["skoleaar"], staged["fravaersdage"])) == [("2015/16", 1.0), ("2016/17", 3.0), ("2016/17", 12.5)]


def test_a_name_without_a_school_year_is_no_known_kind(inbox):
    inbox.add("school/510/trivsel_2017-09-01.csv", csv_text(wellbeing()))
    inbox.add("school/510/trivsel_2016-2017_2017-09-01.csv", csv_text(wellbeing()))
    inbox.run("school")
    for name in ("school/510/trivsel_2017-09-01.csv", "school/510/trivsel_2016-2017_2017-09-01.csv"):
        assert inbox.status(name) == "rejected"
        assert quarantined(inbox, name) == [(None, "", "unknown_file_kind")]
