"""The compiled rules agree with Great Expectations, value for value, on hostile input.

`validator.evaluate` computes the suites' expectations itself (GX costs 30-80 ms per expectation
and call, hours at national volume), and GX checks it on a sample of each rule's values once per
process. This test is the full check: for every file kind, a few hundred rows drawn from awkward
values of each column's type are validated once with the compiled rules and once with GX judging
every rule on every distinct value (`TRAPPE_VALIDATION=gx`); the compiled run must not have
disagreed with GX's sample check (that would hand the rule to GX), and everything `validate` returns must
be identical: good rows and their typed values, quarantine rows, every rule's breaking rows and the
warnings. Values the process has already judged are not reused across the two engines.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from tests.transforms.inputs import measure
from transforms.file_kinds import FileKind, file_kinds
from transforms.reader import ROW, RawTable
from transforms.reference import code_lists
from transforms.validator import validate

POOLS: dict[str, list[str | None]] = {
    "integer": [None, "0", "7", "510", "-1", "+5", "00000000000000000007", "1234567890123456789", "123456789012345678",
                "5,0", "5.0", "1e3", "abc", "５１０", "1 000", "-0", "10", "11", "2020", "1989", "2101"],
    "decimal": [None, "0", "0,5", "1.5", ",5", "5,", "-2,25", "1.000,5", "abc", "1e3", "0,0001", "6", "1", "5,0", "4,9",
                "1000000,75", "-0", "+3,5", "3,", "--1"],
    "date": [None, "2020-01-31", "31-01-2020", "2020-02-30", "29-02-2021", "29-02-2020", "2020-13-01", "20200131",
             "2020/01/31", "2027-05-05", "0001-01-01", "9999-12-31", "2019-12-31", "01-01-2019", "2020-1-1"],
    "boolean": [None, "0", "1", "2", "ja", "true", "01"],
    "cpr": [None, "0101901234", "010190-1234", "3002901234", "0101901234x", "123", "2902001234", "2902014234",
            "1503584123", "1503585123", "0101-901234", "3213901234", "0000000000"],
    "text": [None, "m1", "m2", "m3", "a" * 250, "ref 0101901234 here", "ÆØÅ", "=1+2", "x;y"],
}
SPECIAL = {
    "kommunekode": ["510", "510", "510", "0510", "101", None, "abc"],
    "skoleaar": ["2020/21", "2020/21", "2019/20", None, "2020-21"],
    "funktion": ["5.28.20", "5.28.23", "6.45.51", "1.01.01", "5.28", "5.28.2x", None],
    "gruppering": ["001", "002", "*", "12", None, "abc"],
    "art": ["1.1", "7.1", "9.1", "9.7", "4.5", "1", None, "8.0"],
    "foranstaltning_id": ["m1", "m2", "m3", "m9", None],
}
PARAMETERS = {"folder_kommunekode": [510], "extraction_date": pd.Timestamp("2020-06-30"), "known_measure_ids": ["m1", "m2"],
              "file_year": [2020], "school_year": ["2020/21"]}


def pool(column, rng: random.Random) -> list[str | None]:
    if column.name in SPECIAL:
        return SPECIAL[column.name]
    if column.type == "code":
        listed = code_lists()[column.code_list or ""]
        picked = rng.sample(listed, min(6, len(listed)))
        return [None, "unknown code", "SEL 76.3.1"] + picked + [p.lower() for p in picked[:2]]
    return POOLS[column.type]


def hostile(kind: FileKind, rows: int = 300, seed: int = 7) -> RawTable:
    rng = random.Random(f"{kind.name}-{seed}")
    header = list(kind.column_names)
    data = {c.name: [rng.choice(pool(c, rng)) for _ in range(rows)] for c in kind.columns}
    frame = pd.DataFrame({ROW: pd.array(np.arange(2, rows + 2), dtype="int64"),
                          **{name: pd.array(values, dtype="string") for name, values in data.items()}})
    return RawTable(header=header, frame=frame, ragged=pd.DataFrame(columns=["row_number", "fields"]), encoding="utf-8")


@pytest.mark.parametrize("kind", file_kinds(), ids=lambda k: k.name)
def test_compiled_rules_agree_with_great_expectations(kind, monkeypatch, caplog):
    raw = hostile(kind)
    monkeypatch.setenv("TRAPPE_VALIDATION", "compiled")
    compiled = validate(raw, kind, PARAMETERS)
    # no sampled disagreement either (it would hand the rule to GX and hide the difference below)
    assert not [r for r in caplog.records if r.name == "transforms.validator" and r.levelname == "ERROR"]
    monkeypatch.setenv("TRAPPE_VALIDATION", "gx")
    reference = validate(raw, kind, PARAMETERS)
    assert len(compiled.quarantine) > 0  # the corpus does break rules
    pd.testing.assert_frame_equal(compiled.quarantine, reference.quarantine)
    pd.testing.assert_frame_equal(compiled.good, reference.good)
    assert compiled.breaks.keys() == reference.breaks.keys()
    for rule in compiled.breaks:
        assert np.array_equal(compiled.breaks[rule], reference.breaks[rule]), rule
    assert compiled.warnings == reference.warnings


def test_a_uniqueness_agreement_is_recorded_and_trusted_by_a_later_process(tmp_path, monkeypatch):
    """The first duplicate key is judged by GX too and the agreement is recorded; a later process
    (a nightly worker) reads the record and never imports GX for it, with the same verdict."""
    from transforms import validator

    measures = next(k for k in file_kinds() if k.name == "case_foranstaltninger")
    rows = [measure("dup" if i % 50 == 0 else f"m{i}") for i in range(300)]
    frame = pd.DataFrame({ROW: pd.array(np.arange(2, len(rows) + 2), dtype="int64"),
                          **{c: pd.array([r[c] or None for r in rows], dtype="string") for c in measures.column_names}})
    raw = RawTable(header=list(measures.column_names), frame=frame, ragged=pd.DataFrame(columns=["row_number", "fields"]), encoding="utf-8")
    params = PARAMETERS
    record = tmp_path / "gx-agreements.jsonl"
    monkeypatch.setattr(validator, "_uniqueness_compared", set())
    monkeypatch.setattr(validator, "_preagreed", {})
    monkeypatch.setattr(validator, "_agreements", None)
    validator.record_agreements_in(record)
    first = validate(raw, measures, params)
    duplicates = first.quarantine[first.quarantine["rule"] == "duplicate_id"]["row_number"].tolist()
    assert len(duplicates) == 6
    assert record.exists()

    def no_gx(*_args, **_kwargs):
        raise AssertionError("GX was asked again")

    monkeypatch.setattr(validator, "_uniqueness_compared", set())  # a new process
    monkeypatch.setattr(validator, "_agreements", None)
    validator.record_agreements_in(record)
    monkeypatch.setattr(validator, "_validate_with_gx", no_gx)
    again = validate(raw, measures, params)
    assert again.quarantine[again.quarantine["rule"] == "duplicate_id"]["row_number"].tolist() == duplicates
