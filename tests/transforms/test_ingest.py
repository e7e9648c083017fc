"""Delivery rules of sources.md §1 through `transforms.ingest.ingest` on a tmp inbox: what is read,
what is in force, what is audited, and that no raw CPR is written anywhere.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import logging

import pyarrow.parquet as pq
import pytest

from tests.transforms.inputs import (
    CASEWORKERS, CPR, CPR_DASHED, FOLLOWUPS, INVESTIGATIONS, KEY, MEASURES, Inbox, caseworker, counts, csv_text, followup,
    investigation, measure, quarantined,
)
from transforms.inbox import scan
from transforms.pseudonym import MissingKey
from transforms.staging import Staging
from transforms.tables import STAGING
from transforms.warehouse import open_warehouse


def measures_file(date: str) -> str:
    return f"case/510/foranstaltninger_{date}.csv"


@pytest.fixture
def inbox(tmp_path, monkeypatch) -> Inbox:
    return Inbox(tmp_path, monkeypatch)


def staged_ids(inbox: Inbox) -> list[str]:
    return sorted(inbox.staged("measures")["foranstaltning_id"])


def assert_rejected(inbox: Inbox, file_name: str, rule: str, run_id: str = "r1") -> None:
    """Rejected whole: status, 0 rows everywhere, one quarantine row with an empty row number."""
    assert inbox.status(file_name, run_id) == "rejected"
    assert counts(inbox, file_name, run_id) == (0, 0, 0)
    assert quarantined(inbox, file_name) == [(None, "", rule)]


# -- audit ----------------------------------------------------------------------------------------

def test_rows_read_equal_loaded_plus_quarantined_for_every_file(inbox):
    measures = csv_text(measure("m1"), measure("m2", paragraf="SEL 99"), measure("m3")).splitlines()
    measures.insert(2, "")  # a blank line: not a row read
    measures.append("510;m4;too;few")  # a ragged row
    inbox.add(MEASURES, "\n".join(measures) + "\n")
    inbox.add(FOLLOWUPS, csv_text(followup("m1"), followup("m2")))
    inbox.add(CASEWORKERS, csv_text(caseworker("w1"), caseworker("w2")))
    inbox.add(INVESTIGATIONS, ";".join(investigation()) + "\n")  # header only
    inbox.add("case/510/undersoegelser.csv", csv_text(investigation()))  # no date: rejected
    inbox.run()

    audit = inbox.audit("r1")
    assert (audit["rows_read"] == audit["rows_loaded"] + audit["rows_quarantined"]).all()
    q = inbox.quarantine("r1")
    row_level = q[q["row_number"].notna()].groupby("file_name").size()
    assert audit["rows_quarantined"].to_dict() == {f: int(row_level.get(f, 0)) for f in audit.index}
    assert counts(inbox, MEASURES) == (4, 2, 2)  # m1, m3 loaded; SEL 99 and the ragged row quarantined
    assert quarantined(inbox, MEASURES) == [(4, "paragraf", "unknown_code"), (6, "", "field_count")]
    assert counts(inbox, FOLLOWUPS) == (2, 1, 1)  # m2 was quarantined, so its follow-up is unknown
    assert counts(inbox, CASEWORKERS) == (2, 2, 0) and inbox.status(CASEWORKERS) == "loaded"
    assert counts(inbox, INVESTIGATIONS) == (0, 0, 0) and inbox.status(INVESTIGATIONS) == "loaded"
    assert_rejected(inbox, "case/510/undersoegelser.csv", "no_date_in_name")


def test_unknown_extra_columns_are_ignored_and_reported(inbox):
    row = {**measure("m1"), "kommentar": f"ring til {CPR}"}
    inbox.add(MEASURES, csv_text(row))
    inbox.run()
    assert inbox.status(MEASURES) == "loaded"
    assert "kommentar" in inbox.audit("r1").loc[MEASURES, "note"]
    assert "kommentar" not in inbox.staged("measures").columns


# -- whole files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("content, rule", [
    (b"", "empty_file"),
    (b"kommunekode;foranstaltning_id\n510;\x81\x8d\n", "undecodable"),
    (gzip.compress(csv_text(measure()).encode())[:30], "truncated_gzip"),
    (csv_text(measure(), columns=[c for c in measure() if c != "bevilget_af"]).encode(), "missing_columns"),
    (("Kommunekode;" + csv_text(measure())).encode(), "duplicate_columns"),
], ids=["0_bytes", "undecodable", "truncated_gzip", "missing_column", "duplicate_column"])
def test_file_that_cannot_be_read_is_rejected_whole(inbox, content, rule):
    inbox.add(MEASURES, content)
    inbox.run()
    assert_rejected(inbox, MEASURES, rule)
    assert inbox.staged("measures").empty


def test_file_in_the_wrong_municipality_folder_is_misfiled(inbox):
    inbox.add(MEASURES, csv_text(measure("m1", kommunekode="657"), measure("m2", kommunekode="657")))
    inbox.run()
    assert_rejected(inbox, MEASURES, "misfiled")
    assert inbox.staged("measures").empty


def test_misfiled_whatever_the_column_order_and_other_broken_rules(inbox):
    rows = [measure("m1", kommunekode="657"), measure("m2", kommunekode="657", startdato="2019-13-01")]
    columns = [c for c in rows[0] if c != "kommunekode"] + ["kommunekode"]  # kommunekode last
    inbox.add(MEASURES, csv_text(*rows, columns=columns))
    inbox.run()
    assert_rejected(inbox, MEASURES, "misfiled")


@pytest.mark.parametrize("name", ["foranstaltninger.csv", "foranstaltninger_2020-13-45.csv", "foranstaltninger_01-02-2020.csv"])
def test_file_name_without_a_date_is_rejected(inbox, name):
    inbox.add(f"case/510/{name}", csv_text(measure()))
    inbox.run()
    assert_rejected(inbox, f"case/510/{name}", "no_date_in_name")


def test_file_name_of_an_unknown_kind_is_rejected(inbox):
    inbox.add("case/510/boern_2020-01-01.csv", csv_text(measure()))
    inbox.run()
    assert_rejected(inbox, "case/510/boern_2020-01-01.csv", "unknown_file_kind")


def test_files_outside_the_source_folders_are_ignored_and_listed(inbox):
    outside = ["README.txt", "case/foranstaltninger_2020-01-01.csv", "case/510/old/foranstaltninger_2020-01-01.csv",
               "case/haderslev/foranstaltninger_2020-01-01.csv", "andet/510/foranstaltninger_2020-01-01.csv",
               "population/2020/befolkning_2020-01-01.csv"]
    for name in outside:
        inbox.add(name, csv_text(measure()))
    assert sorted(scan(inbox.root).ignored) == sorted(outside)
    summary = inbox.run()
    assert summary["files"] == 0 and inbox.audit().empty and inbox.quarantine().empty


# -- snapshots: superseded, unchanged, replaced, fallback, ambiguous, as-of -----------------------

def test_older_snapshot_is_superseded_and_never_read(inbox):
    inbox.add(measures_file("2020-01-01"), b"")  # would be rejected (0 bytes) if it were read
    inbox.add(measures_file("2020-02-01"), csv_text(measure("m1")))
    inbox.run()
    assert inbox.status(measures_file("2020-01-01")) == "superseded"
    assert counts(inbox, measures_file("2020-01-01")) == (0, 0, 0)
    assert quarantined(inbox) == []
    assert inbox.status(measures_file("2020-02-01")) == "loaded"


def test_same_file_in_a_second_run_is_unchanged_and_changes_nothing(inbox):
    inbox.add(MEASURES, csv_text(measure("m1"), measure("m2", paragraf="SEL 99")))
    inbox.run(run_id="r1")
    part = inbox.staging_files()
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in part]
    summary = inbox.run(run_id="r2")
    assert summary["statuses"] == {"unchanged": 1}
    assert counts(inbox, MEASURES, "r2") == (0, 0, 0)
    assert inbox.quarantine("r2").empty and len(inbox.quarantine("r1")) == 1  # the log keeps run 1
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.staging_files()] == before


def test_redelivered_rejected_file_is_unchanged(inbox):
    inbox.add(MEASURES, b"")
    inbox.run(run_id="r1")
    inbox.run(run_id="r2")
    assert inbox.status(MEASURES, "r1") == "rejected" and inbox.status(MEASURES, "r2") == "unchanged"
    assert inbox.quarantine("r2").empty


def test_newer_snapshot_replaces_the_older_ones_rows(inbox):
    inbox.add(measures_file("2020-01-01"), csv_text(measure("m1"), measure("m2")))
    inbox.run(run_id="r1")
    inbox.add(measures_file("2020-02-01"), csv_text(measure("m1"), measure("m3")))
    inbox.run(run_id="r2")
    staged = inbox.staged("measures")
    assert sorted(staged["foranstaltning_id"]) == ["m1", "m3"]  # no m2, and m1 once
    assert set(staged["extraction_date"]) == {dt.date(2020, 2, 1)}
    assert inbox.status(measures_file("2020-02-01"), "r2") == "loaded"
    assert inbox.status(measures_file("2020-01-01"), "r2") == "unchanged"  # seen in r1: unchanged before superseded


def test_newest_snapshot_rejected_whole_leaves_the_older_in_force(inbox, caplog):
    inbox.add(measures_file("2020-01-01"), csv_text(measure("m1")))
    inbox.add(measures_file("2020-02-01"), csv_text(measure("m2"), columns=[c for c in measure() if c != "cpr"]))
    with caplog.at_level(logging.WARNING):
        inbox.run()
    assert_rejected(inbox, measures_file("2020-02-01"), "missing_columns")
    assert inbox.status(measures_file("2020-01-01")) == "loaded"
    assert "stays in force" in inbox.audit("r1").loc[measures_file("2020-01-01"), "note"]
    assert staged_ids(inbox) == ["m1"]
    assert any("foranstaltninger_2020-02-01" in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


def test_newest_snapshot_rejected_in_a_later_run_keeps_the_staged_older_one(inbox):
    inbox.add(measures_file("2020-01-01"), csv_text(measure("m1")))
    inbox.run(run_id="r1")
    inbox.add(measures_file("2020-02-01"), b"")
    inbox.run(run_id="r2")
    assert inbox.status(measures_file("2020-02-01"), "r2") == "rejected"
    assert inbox.status(measures_file("2020-01-01"), "r2") == "unchanged"
    assert staged_ids(inbox) == ["m1"]


def test_two_files_of_a_kind_with_the_same_extraction_date_are_both_rejected(inbox):
    inbox.add(measures_file("2020-01-01"), csv_text(measure("m1")))
    inbox.add(measures_file("2020-02-01"), csv_text(measure("m2")))
    inbox.add(measures_file("2020-02-01") + ".gz", csv_text(measure("m3")), gz=True)
    inbox.run()
    assert_rejected(inbox, measures_file("2020-02-01"), "ambiguous_delivery")
    assert_rejected(inbox, measures_file("2020-02-01") + ".gz", "ambiguous_delivery")
    assert inbox.status(measures_file("2020-01-01")) == "loaded"  # the newest readable one is in force
    assert staged_ids(inbox) == ["m1"]


def test_ambiguous_pair_older_than_the_delivery_in_force_is_superseded(inbox):
    # sources.md §1 Audit: "superseded when a newer delivery is in force, else rejected ..."
    inbox.add(measures_file("2020-01-01"), csv_text(measure("m1")))
    inbox.add(measures_file("2020-01-01") + ".gz", csv_text(measure("m2")), gz=True)
    inbox.add(measures_file("2020-02-01"), csv_text(measure("m3")))
    inbox.run()
    assert inbox.status(measures_file("2020-01-01")) == "superseded"
    assert inbox.status(measures_file("2020-01-01") + ".gz") == "superseded"
    assert quarantined(inbox) == [] and staged_ids(inbox) == ["m3"]


def test_as_of_leaves_later_deliveries_out(inbox):
    inbox.add(measures_file("2020-01-01"), csv_text(measure("m1")))
    inbox.add(measures_file("2020-03-01"), csv_text(measure("m2")))
    inbox.run(as_of="2020-02-01")
    assert list(inbox.audit("r1").index) == [measures_file("2020-01-01")]  # as if the later one had not arrived
    assert inbox.status(measures_file("2020-01-01")) == "loaded"
    assert staged_ids(inbox) == ["m1"]


# -- the key and the CPR --------------------------------------------------------------------------

def test_no_pseudonymisation_key_stops_before_anything_is_written(tmp_path, monkeypatch):
    inbox = Inbox(tmp_path, monkeypatch, key=None)
    inbox.add(MEASURES, csv_text(measure("m1")))
    with pytest.raises(MissingKey, match="TRAPPE_PSEUDONYM_KEY"):
        inbox.run()
    assert not inbox.warehouse.exists() and not inbox.data_dir.exists()


def test_no_raw_cpr_reaches_staging_the_warehouse_or_the_logs(inbox, caplog):
    other = "2412983678"  # born 24 December 1998
    inbox.add(MEASURES, csv_text(
        measure("m1", cpr=CPR), measure("m2", cpr=CPR_DASHED), measure("m3", cpr=other),
        measure("m4", cpr="3212983678"),  # no real date
        measure("m5", anbringelsessted=f"hos {other[:6]}-{other[6:]}"),  # a CPR in another column
        measure(CPR), measure(CPR)))  # a CPR as a (duplicated) id
    inbox.add(INVESTIGATIONS, csv_text(investigation("u1", cpr=f"{other[:6]}-{other[6:]}"), investigation("u2", cpr=CPR, paragraf="x")))
    with caplog.at_level(logging.DEBUG):
        inbox.run()
    with open_warehouse(f"duckdb:///{inbox.warehouse}") as wh:  # as the build step does: staging into the warehouse
        for table in ("measures", "investigations"):
            wh.load_parquet(f"staging.{table}", Staging(inbox.data_dir / "staging").files(table))

    spellings = [s.encode() for n in (CPR, other) for s in (n, f"{n[:6]}-{n[6:]}")]
    # 1. raw bytes of every file written
    for path in [*inbox.staging_files(), inbox.warehouse]:
        data = path.read_bytes()
        assert not any(s in data for s in spellings), path
    # 2. every decoded value of every Parquet file and warehouse table (compressed pages hide from a byte scan)
    texts = []
    for path in inbox.staging_files():
        table = pq.read_table(path)
        texts += [str(v) for col in table.columns for v in col.to_pylist()] + [str(table.schema.metadata)]
    with open_warehouse(f"duckdb:///{inbox.warehouse}") as wh:
        tables = wh.query("SELECT table_schema, table_name FROM information_schema.tables")
        for schema, name in tables.itertuples(index=False):
            texts += [str(v) for v in wh.query(f"SELECT * FROM {schema}.{name}").to_numpy().ravel()]
    # 3. the log
    texts += [r.getMessage() for r in caplog.records]
    assert not [t for t in texts if any(s.decode() in t for s in spellings)]

    staged = inbox.staged("measures").set_index("foranstaltning_id")
    assert staged.loc["m1", "person_id"] == staged.loc["m2", "person_id"] == hmac.new(KEY.encode(), CPR.encode(), hashlib.sha256).hexdigest()
    assert staged.loc["m3", "birth_date"] == dt.date(1998, 12, 24)
    assert set(staged.reset_index().columns) <= set(STAGING["measures"].column_names) and "cpr" not in staged.columns


# -- worker processes for a night -----------------------------------------------------------------

def test_a_small_night_runs_in_one_process_unless_the_processes_were_given(inbox, monkeypatch):
    from dataclasses import replace

    from transforms import ingest as ingest_module

    inbox.add(MEASURES, csv_text(measure("m1"), measure("m2")))
    ctx = replace(inbox.context("r1"), processes=2)
    started = []
    monkeypatch.setattr(ingest_module, "prefetch", lambda *a, **k: started.append(a[0]) or {})
    monkeypatch.setattr(ingest_module, "_queued", {})  # what this test queues stays in this test
    assert ingest_module.queue(ctx, right_size=True).processes == 1 and started == []
    assert ingest_module.queue(ctx, right_size=False).processes == 2 and len(started) == 1
    monkeypatch.setattr(ingest_module, "SMALL_NIGHT_BYTES", 10)  # the same files, as if they were a big night
    assert ingest_module.queue(replace(ctx, run_id="r2"), right_size=True).processes == 2 and len(started) == 2
