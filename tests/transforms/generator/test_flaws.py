"""Deliberate flaws: extra rows that each break the rule their kind names, at the documented rate."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from transforms.generator.flaws import APPLICABLE, FLAWS, FlawContext, inject

from .inbox_files import parse_date

MEASURE = {
    "kommunekode": "510", "foranstaltning_id": "F510-000007", "cpr": "040516-4321", "paragraf": "SEL 52.3.7",
    "anbringelsessted": "plejefamilie", "startdato": "03-05-2016", "slutdato": "", "bevilget_af": "myndighed",
    "handicap": "0", "uledsaget_flygtning": "0",
}
CTX = FlawContext(extraction=date(2026, 10, 31), other_kommunekode=530,
                  fresh_id=lambda i: f"F510-{900_000 + i:06d}", school_year=2016)


def _cpr_date_invalid(cpr: str) -> bool:
    digits = cpr.replace("-", "")
    try:
        date(2000 + int(digits[4:6]), int(digits[2:4]), int(digits[:2]))
        return False
    except ValueError:
        return True


BROKEN: dict[str, tuple[dict[str, str], Callable[[dict[str, str]], bool]]] = {
    "cpr_invalid_date": (MEASURE, lambda r: _cpr_date_invalid(r["cpr"])),
    "cpr_letters": (MEASURE, lambda r: re.search(r"[A-Z]", r["cpr"]) is not None),
    "end_before_start": (MEASURE, lambda r: parse_date(r["slutdato"]) < parse_date(r["startdato"])),
    "start_after_extraction": (MEASURE, lambda r: parse_date(r["startdato"]) > CTX.extraction),
    "unknown_paragraf": (MEASURE, lambda r: r["paragraf"] != "SEL 52.3.7"),
    "unknown_setting": (MEASURE, lambda r: r["anbringelsessted"] not in ("plejefamilie", "")),
    "placement_without_setting": (
        MEASURE, lambda r: r["anbringelsessted"] == "" and r["paragraf"] in ("SEL 52.3.7", "SEL 58")),
    "kommunekode_mismatch": (MEASURE, lambda r: r["kommunekode"] == "530"),
    "boolean_not_0_1": (MEASURE, lambda r: r["handicap"] not in ("0", "1", "")),
    "date_without_leading_zeros": (MEASURE, lambda r: r["startdato"] == "3-5-2016"),
    "empty_required": (MEASURE, lambda r: r["cpr"] == ""),
    "integer_with_decimals": ({"antal_sager": "5"}, lambda r: r["antal_sager"] == "5,0"),
    "thousands_separator": ({"beloeb": "1234567,5"}, lambda r: r["beloeb"] == "1.234.567,50"),
    "normtid_above_1": ({"normtid": "0,8"}, lambda r: float(r["normtid"].replace(",", ".")) > 1),
    "index_out_of_range": (
        {"faglig_trivsel": "3,75", "social_trivsel": "", "ro_og_orden": "", "stoette_og_inspiration": ""},
        lambda r: not 1 <= float(r["faglig_trivsel"].replace(",", ".")) <= 5),
    "absence_above_school_days": ({"skoledage": "200", "fravaersdage": "12,5"},
                                  lambda r: float(r["fravaersdage"]) > 200),
    "skoleaar_mismatch": ({"skoleaar": "2016/17"}, lambda r: r["skoleaar"] == "2015/16"),
    "unknown_measure": ({"foranstaltning_id": "F510-000001"}, lambda r: int(r["foranstaltning_id"][5:]) >= 900_000),
    "non_investigation_paragraf": ({"paragraf": "SEL 50"},
                                   lambda r: r["paragraf"] not in ("SEL 50", "SEL 51", "BL 20", "BL 23")),
    "duplicate_id": (MEASURE, lambda r: r == MEASURE),
    "duplicate_pupil": ({"cpr": "0101101234"}, lambda r: r == {"cpr": "0101101234"}),
}
COLUMN = {"boolean_not_0_1": "handicap", "date_without_leading_zeros": "startdato", "empty_required": "cpr",
          "integer_with_decimals": "antal_sager", "thousands_separator": "beloeb", "normtid_above_1": "normtid",
          "cpr_invalid_date": "cpr", "cpr_letters": "cpr", "unknown_paragraf": "paragraf",
          "unknown_setting": "anbringelsessted", "non_investigation_paragraf": "paragraf"}


@pytest.mark.parametrize("kind", sorted(FLAWS))
def test_each_kind_breaks_its_rule(kind: str) -> None:
    row, broken = BROKEN[kind]
    rng = np.random.default_rng(1)
    for _ in range(20):
        assert broken(FLAWS[kind](dict(row), COLUMN.get(kind, ""), CTX, rng)), kind


def _measures_table(n: int) -> pa.Table:
    rows = [dict(MEASURE, foranstaltning_id=f"F510-{i:06d}") for i in range(1, n + 1)]
    return pa.Table.from_pylist(rows)


def test_extra_rows_only_and_the_real_rows_untouched() -> None:
    table = _measures_table(2_000)
    flawed, counts = inject(table, "foranstaltninger", CTX, np.random.default_rng(5))
    assert flawed.num_rows == table.num_rows + sum(counts.values())
    ids = flawed.column("foranstaltning_id").to_pylist()
    real = [i for i in ids if int(i[5:]) <= 2_000]  # flawed copies have fresh ids, except duplicates
    twice = {i for i, n in Counter(real).items() if n == 2}
    assert len(real) == 2_000 + len(twice) and len(twice) == counts["duplicate_id"]
    original = table.column("foranstaltning_id").to_pylist()
    assert [i for i in real if i not in twice] == [i for i in original if i not in twice]  # order kept
    assert {kind for kind, _ in APPLICABLE["foranstaltninger"]} == set(counts)


def test_rate_between_0_3_and_1_percent_for_large_files() -> None:
    table = _measures_table(20_000)
    for seed in range(5):
        _, counts = inject(table, "foranstaltninger", CTX, np.random.default_rng(seed))
        assert 0.003 * 20_000 - 1 <= sum(counts.values()) <= 0.01 * 20_000 + 1


def test_small_files_get_few_flaws() -> None:
    _, counts = inject(_measures_table(60), "foranstaltninger", CTX, np.random.default_rng(0))
    assert sum(counts.values()) == 2  # 2 % of 60 rows, rounded up: not every kind
    empty, none = inject(_measures_table(1).slice(0, 0), "foranstaltninger", CTX, np.random.default_rng(0))
    assert empty.num_rows == 0 and not none
