"""The CSV writer: Danish conventions, quoting, encodings, gzip — and nothing that varies by run."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import numpy as np

from transforms.generator.conventions import Conventions, conventions_for
from transforms.generator.dates import NO_DAY, day
from transforms.generator.writer import Col, Schema, format_table, write_table

SCHEMA = Schema("demo", "case", (
    ("kommunekode", Col.INT), ("cpr", Col.CPR), ("dato", Col.DATE), ("beloeb", Col.DECIMAL),
    ("handicap", Col.BOOL), ("tekst", Col.TEXT),
))
FRAME = {
    "kommunekode": np.array([510, 510, 510]),
    "cpr": np.array([101154321, 2902081234, 3112999876]),
    "dato": np.array([day(date(2016, 2, 1)), NO_DAY, day(date(2024, 12, 24))]),
    "beloeb": np.array([1234567.5, -0.8, np.nan]),
    "handicap": np.array([True, False, False]),
    "tekst": np.array(["møde; aftalt", 'sagt "ja"', "Ærø"], dtype=object),
}


def _conv(**changes: object) -> Conventions:
    plain = Conventions(encoding="utf-8", newline="\n", gzip_sources=frozenset(), dmy_share=0.0,
                        cpr_hyphen_share=0.0, header_case="lower", shuffle_columns=False, remark_column=False,
                        empty_false=False)
    return Conventions(**{**plain.__dict__, **changes})


def _write(tmp_path: Path, conv: Conventions) -> Path:
    rng = np.random.default_rng(0)
    table = format_table(FRAME, SCHEMA, conv, rng)
    path, size = write_table(tmp_path, "demo_2026-10-31", table, SCHEMA, conv, 1, 510, rng)
    assert path.stat().st_size == size
    return path


def test_danish_values_and_quoting(tmp_path: Path) -> None:
    text = _write(tmp_path, _conv()).read_text(encoding="utf-8")
    assert text.splitlines() == [
        "kommunekode;cpr;dato;beloeb;handicap;tekst",
        '510;0101154321;2016-02-01;1234567,5;1;"møde; aftalt"',
        '510;2902081234;;-0,8;0;"sagt ""ja"""',
        "510;3112999876;2024-12-24;;0;Ærø",
    ]


def test_producer_variants(tmp_path: Path) -> None:
    conv = _conv(dmy_share=1.0, cpr_hyphen_share=1.0, header_case="padded", empty_false=True, newline="\r\n")
    lines = _write(tmp_path, conv).read_bytes().decode("utf-8").split("\r\n")
    assert lines[0] == " kommunekode ; cpr ; dato ; beloeb ; handicap ; tekst "
    assert lines[1].startswith("510;010115-4321;01-02-2016;1234567,5;1;")
    assert lines[2].startswith("510;290208-1234;;-0,8;;")


def test_encodings_and_gzip(tmp_path: Path) -> None:
    cp1252 = _write(tmp_path / "a", _conv(encoding="cp1252")).read_bytes()
    assert "Ærø".encode("cp1252") in cp1252 and cp1252.decode("cp1252").count("møde") == 1
    assert _write(tmp_path / "b", _conv(encoding="utf-8-sig")).read_bytes().startswith(b"\xef\xbb\xbf")
    gz = _write(tmp_path / "c", _conv(gzip_sources=frozenset({"case"})))
    assert gz.name.endswith(".csv.gz")
    assert gzip.decompress(gz.read_bytes()).decode("utf-8").startswith("kommunekode;")
    assert gz.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0: same bytes on every run


def test_shuffle_and_remark_column(tmp_path: Path) -> None:
    text = _write(tmp_path, _conv(shuffle_columns=True, remark_column=True)).read_text(encoding="utf-8")
    header = text.splitlines()[0].split(";")
    assert sorted(header) == sorted(SCHEMA.names + ["bemaerkning"])


def test_all_conventions_occur_among_the_98() -> None:
    conv = [conventions_for(42, k) for k in range(100, 1000)][:98]
    assert {c.encoding for c in conv} == {"utf-8", "utf-8-sig", "cp1252"}
    assert any(c.gzip_sources for c in conv) and any(not c.gzip_sources for c in conv)
    assert {c.header_case for c in conv} == {"lower", "upper", "title", "padded"}
    assert any(0 < c.dmy_share < 1 for c in conv) and any(c.dmy_share == 1 for c in conv)
    assert any(c.shuffle_columns for c in conv) and any(c.remark_column for c in conv)
    assert conventions_for(42, 510) == conventions_for(42, 510)
