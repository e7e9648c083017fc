"""The one reader (sources.md §1 "Format", "Bad input", "Row numbers"): what is a property of the file."""
from __future__ import annotations

import datetime as dt
import gzip

import pytest

from tests.transforms.inputs import Inbox, csv_text, measure, write
from transforms.reader import ROW, FileRejected, read_table

DANISH = "Ærø Å;Søndergård æøå"


def read(tmp_path, content, name="f.csv", **how):
    return read_table(write(tmp_path / name, content, **how), name)


def rows(table) -> list[list]:
    """The frame's values as plain lists (header order), nulls as None."""
    frame = table.frame[table.header]
    return [[None if v is None or v != v else v for v in r] for r in frame.astype(object).where(frame.notna(), None).values.tolist()]


def rejected(tmp_path, content, **how) -> str:
    with pytest.raises(FileRejected) as exc:
        read(tmp_path, content, **how)
    return exc.value.rule


# -- encodings ------------------------------------------------------------------------------------

def test_utf8(tmp_path):
    table = read(tmp_path, f"a;b\n{DANISH}\n")
    assert rows(table) == [["Ærø Å", "Søndergård æøå"]]
    assert table.encoding == "utf-8"


def test_utf8_with_bom_leaves_no_bom_in_the_first_header_name(tmp_path):
    table = read(tmp_path, f"a;b\n{DANISH}\n", bom=True)
    assert table.header == ["a", "b"]
    assert rows(table) == [["Ærø Å", "Søndergård æøå"]]


def test_windows_1252_keeps_danish_letters(tmp_path):
    table = read(tmp_path, f"a;b\n{DANISH}\n", encoding="cp1252")
    assert rows(table) == [["Ærø Å", "Søndergård æøå"]]
    assert table.encoding == "cp1252"


def test_lines_mixing_utf8_and_windows_1252_each_keep_their_letters(tmp_path):
    data = "a;b\n".encode() + "1;Århus\n".encode("utf-8") + "2;Køge å\n".encode("cp1252") + "3;Ærø\n".encode("utf-8")
    table = read(tmp_path, data)
    assert rows(table) == [["1", "Århus"], ["2", "Køge å"], ["3", "Ærø"]]


def test_bytes_neither_utf8_nor_windows_1252_reject_the_file(tmp_path):
    # 0x81 and 0x8D are undefined in Windows-1252 and invalid as UTF-8.
    assert rejected(tmp_path, b"a;b\n1;\x81\x8d\n") == "undecodable"


# -- gzip and empty files -------------------------------------------------------------------------

def test_gzip_is_read_like_the_plain_file(tmp_path):
    plain = read(tmp_path, f"a;b\n{DANISH}\n", name="p.csv", encoding="cp1252")
    zipped = read(tmp_path, f"a;b\n{DANISH}\n", name="p.csv.gz", encoding="cp1252", gz=True)
    assert rows(zipped) == rows(plain) == [["Ærø Å", "Søndergård æøå"]]


@pytest.mark.parametrize("keep", [0.5, 0.9], ids=["half", "tail_cut"])
def test_truncated_gzip_rejects_the_file(tmp_path, keep):
    whole = gzip.compress(("a;b\n" + "1;x\n" * 500).encode())
    assert rejected(tmp_path, whole[: int(len(whole) * keep)]) == "truncated_gzip"


def test_zero_byte_file_is_rejected(tmp_path):
    assert rejected(tmp_path, b"") == "empty_file"


@pytest.mark.parametrize("text", ["a;b\n", "a;b"], ids=["newline", "no_newline"])
def test_header_only_file_is_valid_with_zero_rows(tmp_path, text):
    table = read(tmp_path, text)
    assert table.header == ["a", "b"]
    assert table.rows_read == 0 and len(table.frame) == 0


# -- header and dialect ---------------------------------------------------------------------------

def test_header_names_are_trimmed_and_case_insensitive(tmp_path):
    table = read(tmp_path, " KommuneKode ;\tTEAM\n510;x\n")
    assert table.header == ["kommunekode", "team"]


def test_column_order_is_free(tmp_path, monkeypatch):
    """A measure delivered with its columns reversed loads like any other (through the real ingest)."""
    row = measure("m1", cpr="010190-1234", startdato="15-03-2019")
    inbox = Inbox(tmp_path, monkeypatch)
    inbox.add("case/510/foranstaltninger_2020-01-01.csv", csv_text(row, columns=list(reversed(row))))
    inbox.run()
    staged = inbox.staged("measures").iloc[0]
    assert (staged["kommunekode"], staged["foranstaltning_id"], staged["paragraf"], staged["anbringelsessted"]) == (510, "m1", "SEL 52.3.7", "plejefamilie")
    assert (staged["startdato"], staged["birth_date"]) == (dt.date(2019, 3, 15), dt.date(1990, 1, 1))


def test_quoted_field_may_hold_separator_and_newline(tmp_path):
    table = read(tmp_path, 'a;b\n1;"Team ; Syd\nanden linje"\n2;x\n')
    assert rows(table) == [["1", "Team ; Syd\nanden linje"], ["2", "x"]]
    # A spreadsheet shows the quoted two-line field as one row: the next row is 3.
    assert table.frame[ROW].tolist() == [2, 3]


def test_windows_line_endings(tmp_path):
    table = read(tmp_path, "a;b\r\n1;x\r\n2;y\r\n")
    assert rows(table) == [["1", "x"], ["2", "y"]]


def test_fields_have_no_length_limit(tmp_path):
    long = "æ" * 10_000
    table = read(tmp_path, f"a;b\n1;{long}\n")
    assert rows(table) == [["1", long]]


def test_blank_lines_are_skipped_but_keep_their_row_number(tmp_path):
    table = read(tmp_path, "a;b\n1;x\n\n   \n2;y\n")
    assert table.frame[ROW].tolist() == [2, 5]  # header = row 1
    assert table.rows_read == 2


def test_values_are_trimmed_and_empty_is_null(tmp_path):
    table = read(tmp_path, "a;b\n  1 ;\n")
    assert rows(table) == [["1", None]]


def test_ragged_rows_are_set_apart_with_their_row_number(tmp_path):
    table = read(tmp_path, "a;b\n1;x\n2\n3;y;extra\n4;z\n")
    assert table.frame[ROW].tolist() == [2, 5]
    assert table.ragged.to_dict("records") == [{"row_number": 3, "fields": 1}, {"row_number": 4, "fields": 3}]
    assert table.rows_read == 4
