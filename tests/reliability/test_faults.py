"""Faults of a nightly run, each injected, never described: the warehouse down, a run killed between
ingest and publish, a task retried after partial work, a full disk while staging.

Every sequence ends with a run that completes, and what it leaves is compared with one clean run
of the same inbox (pipeline.py says what "equal" means). Runs go through the functions the DAGs
call (transforms.ingest.ingest per source and municipality, then publish.plan, publish.compute per
municipality and publish.publish), in-process.
"""
from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from transforms import ingest as ingest_module
from transforms import publish as publish_module
from transforms.postgres_warehouse import _conninfo
from transforms.staging import Staging
from transforms.warehouse import WarehouseUnavailable, open_warehouse

from tests.privacy import inbox_cprs

from .pipeline import (KEY, Killed, Night, assert_like_clean_run, assert_logs_like, assert_published_like, assert_staging_like,
                       run_rows, snapshot, tables, REPLACED)
from .scan import find_in_texts, texts_of_postgres


def _parts(night: Night) -> dict[str, bytes]:
    """The bytes of every staged partition."""
    return {p.relative_to(night.staging).as_posix(): p.read_bytes() for p in sorted(night.staging.rglob("part.parquet"))}


def _litter(night: Night) -> list[str]:
    """Anything in staging that is not a partition in force (half-written temporary files)."""
    return sorted(p.relative_to(night.staging).as_posix() for p in night.staging.rglob("*") if p.is_file() and p.name != "part.parquet")


def _dies(message: str):
    """A stand-in for a function during which the worker is killed."""
    def killed(*args, **kwargs):
        raise Killed(message)
    return killed


def _loaded_files(clean) -> set[str]:
    audit = clean.snapshot.audit
    return set(audit.loc[audit["status"].isin(["loaded", "partially_loaded"]), "file_name"])


# ------------------------------------------------------------------------------------------------
# (a) the warehouse is down
# ------------------------------------------------------------------------------------------------

HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS held (x INTEGER)")
print("holding", flush=True)
time.sleep(120)
"""


def test_a_duckdb_warehouse_locked_by_another_process_stops_the_run_and_the_next_run_equals_a_clean_one(night, clean):
    path = Path(night.url.removeprefix("duckdb:///"))
    path.parent.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseUnavailable) as failure:
            night.run("run_1")
    finally:
        holder.kill()
        holder.wait()
    message = str(failure.value)
    assert str(path) in message and "lock" in message.lower(), message  # which warehouse, and why
    assert not night.staging.exists() or not any(night.staging.rglob("*"))  # stopped before staging anything

    night.run("run_2")  # the next night, the warehouse is free again
    assert_like_clean_run(snapshot(night), clean.snapshot)


@pytest.fixture()
def pg_url(postgres_url):
    """The test database with empty `published` and `staging` schemas (dropped again afterwards)."""
    import psycopg

    def reset() -> None:
        with psycopg.connect(_conninfo(postgres_url), autocommit=True) as pg:
            pg.execute("DROP SCHEMA IF EXISTS published CASCADE")
            pg.execute("DROP SCHEMA IF EXISTS staging CASCADE")

    reset()
    yield postgres_url
    reset()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _elsewhere(url: str, port: int, query: str = "") -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(port=port).render_as_string(hide_password=False) + query


def test_postgresql_down_in_the_middle_of_a_night_stops_the_run_and_the_next_night_equals_a_clean_run(night, clean, pg_url):
    from sqlalchemy.engine import make_url

    password = make_url(pg_url).password
    night.ingest("run_1", url=pg_url, only=("population", "case"))  # the first ingest DAGs ran
    port = _free_port()
    down = _elsewhere(pg_url, port)  # then the server went away: nothing listens on its port
    with pytest.raises(WarehouseUnavailable) as failure:
        night.ingest("run_1", url=down, only=("ledger", "school"))
    message = str(failure.value)
    assert "127.0.0.1" in message and str(port) in message and "refused" in message, message
    assert password not in message and password not in repr(failure.value.__cause__)
    assert not any((night.staging / t).exists() for t in ("ledger", "pupil_wellbeing", "pupil_absence"))  # stopped before staging

    night.run("run_2", url=pg_url)  # the next night, the server is back
    assert_like_clean_run(snapshot(night, pg_url), clean.snapshot)
    assert find_in_texts(texts_of_postgres(pg_url), inbox_cprs(night.inbox), KEY) == []  # privacy on PostgreSQL too


def test_a_postgresql_server_that_accepts_but_never_answers_fails_the_run_within_the_connect_timeout(night, pg_url):
    """A hung server (or a half-open firewall) must not hang the nightly run for ever."""
    from psycopg.conninfo import conninfo_to_dict

    bounded = "connect_timeout" in conninfo_to_dict(_conninfo(pg_url))
    assert bounded, "no connect_timeout in the connection string of a URL without one"  # (never show the string: it holds the password)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (the kernel does), never says a word
    port = silent.getsockname()[1]
    hung = _elsewhere(pg_url, port, "?connect_timeout=2")
    outcome: list[BaseException | None] = []

    def ingest() -> None:
        try:
            night.ingest("run_1", url=hung, only=("case",))
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=ingest, daemon=True)
    worker.start()
    worker.join(15)
    silent.close()  # releases a hung client, should there be one
    assert not worker.is_alive() and outcome, "the run was still waiting for the silent server after 15 s"
    assert isinstance(outcome[0], WarehouseUnavailable), outcome[0]
    message = str(outcome[0])
    assert "timeout" in message and "127.0.0.1" in message and str(port) in message, message


# ------------------------------------------------------------------------------------------------
# (b) killed between staging and publishing
# ------------------------------------------------------------------------------------------------

def test_a_run_killed_after_ingest_before_publish_is_completed_by_the_next_run(night, clean, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(publish_module, "plan", _dies("worker killed before build_publish"))
        with pytest.raises(Killed):
            night.run("run_1")
    assert tables(night.url, ("key_figures",))["key_figures"].empty  # nothing was published

    night.run("run_2")
    audit, _ = run_rows(night.url, "run_2")
    assert set(audit["status"]) == {"unchanged"}  # every file was audited by run_1 ...
    assert_like_clean_run(snapshot(night), clean.snapshot)  # ... and its staged data are published all the same


# ------------------------------------------------------------------------------------------------
# (c) a task retried after partial work
# ------------------------------------------------------------------------------------------------

def _killed_while_writing(monkeypatch, partition: int) -> list[int]:
    """The worker is stopped half-way through writing the `partition`-th Parquet file, as Airflow stops
    a task whose execution_timeout expires: AirflowTaskTimeout (and AirflowTaskTerminated on SIGTERM)
    are BaseExceptions, which pyarrow's own clean-up (`except Exception`) does not catch."""
    real = pq.ParquetWriter.write_table
    calls: list[int] = []

    def write_table(self, table, *args, **kwargs):
        calls.append(table.num_rows)
        if len(calls) == partition:
            real(self, table.slice(0, table.num_rows // 2), *args, **kwargs)
            raise Killed("AirflowTaskTimeout: the task's execution_timeout expired while staging")
        return real(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
    return calls


def test_an_ingest_task_killed_after_staging_some_partitions_and_retried_equals_a_clean_run(night, clean, monkeypatch):
    night.ingest("run_1", only=("population",))
    ctx = night.context("run_1")
    with monkeypatch.context() as m:
        calls = _killed_while_writing(m, partition=3)
        with pytest.raises(Killed):
            ingest_module.ingest("case", 510, ctx)
    assert len(calls) == 3  # two partitions of the municipality staged, killed while writing the third
    assert len(list(night.staging.rglob("part.parquet"))) == 1 + 2  # population, and those two
    assert _litter(night) == [], "the half-written partition stayed in staging"
    ingest_module.ingest("case", 510, ctx)  # Airflow's retry: the same task of the same run
    ingest_module.ingest("case", 657, ctx)  # the rest of the night
    night.ingest("run_1", only=("ledger", "school"))
    night.publish("run_1")
    assert_like_clean_run(snapshot(night), clean.snapshot)


def test_an_ingest_task_killed_after_writing_its_audit_rows_and_retried_logs_each_row_once(night, clean, monkeypatch):
    night.ingest("run_1", only=("population",))
    ctx = night.context("run_1")
    real = ingest_module.open_warehouse
    opened: list[object] = []

    def open_then_die_after_audit(url):
        wh = real(url)
        opened.append(wh)
        if len(opened) == 2:  # ingest opens the warehouse twice: seen hashes, then the audit transaction
            close = wh.close

            def close_and_die() -> None:
                close()
                raise Killed("worker lost after the audit rows were committed")

            wh.close = close_and_die
        return wh

    with monkeypatch.context() as m:
        m.setattr(ingest_module, "open_warehouse", open_then_die_after_audit)
        with pytest.raises(Killed):
            ingest_module.ingest("case", 510, ctx)
    first_audit, first_quarantine = run_rows(night.url, "run_1")
    assert set(first_audit["status"]) >= {"partially_loaded", "superseded"} and len(first_quarantine)

    ingest_module.ingest("case", 510, ctx)  # the retry
    audit, quarantine = run_rows(night.url, "run_1")
    assert_frames_same(audit, first_audit, "load_audit after the retry")
    assert_frames_same(quarantine, first_quarantine, "quarantine after the retry")
    ingest_module.ingest("case", 657, ctx)  # the rest of the night
    night.ingest("run_1", only=("ledger", "school"))
    night.publish("run_1")
    assert_like_clean_run(snapshot(night), clean.snapshot)


def assert_frames_same(got, want, what: str) -> None:
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
    except AssertionError as exc:
        raise AssertionError(f"{what}: {exc}") from None


def test_a_publish_task_killed_inside_its_transaction_leaves_the_previous_tables_and_its_retry_equals_a_clean_run(night, clean, monkeypatch):
    night.run("run_1")
    before = tables(night.url, REPLACED, with_run=True)
    with open_warehouse(night.url) as wh:  # as after a new SQL release: every municipality is rebuilt (changes.py)
        wh.execute("DELETE FROM staging.build_inputs")
    with monkeypatch.context() as m:  # every partition deleted and re-inserted; dies before the commit
        m.setattr(publish_module, "dimensions", _dies("worker killed while publishing"))
        with pytest.raises(Killed):
            night.publish("run_2")
    after = tables(night.url, REPLACED, with_run=True)
    for name in REPLACED:
        assert_frames_same(after[name], before[name], f"published.{name} after the killed publish")

    night.publish("run_2")  # the retry
    assert set(tables(night.url, ("key_figures",), with_run=True)["key_figures"]["run_id"]) == {"run_2"}
    assert_like_clean_run(snapshot(night), clean.snapshot)


# ------------------------------------------------------------------------------------------------
# (d) a full disk while staging
# ------------------------------------------------------------------------------------------------

OLDER_ONLY = "2025-07-01"
"""Replaying this night leaves the newer snapshots out: the night before they arrived."""


def _yesterday(night: Night) -> None:
    """Haderslev's older measures and investigations in force and published. (Only these: every file
    read for the first time costs real validation time; the older snapshots of the other kinds are
    never read by a clean run either, so leaving them out changes no comparison below.)"""
    for kind in ("sagsbehandlere", "opfoelgninger"):
        (night.inbox / f"case/510/{kind}_2025-06-30.csv").unlink()
    ingest_module.ingest("case", 510, night.context("run_1", as_of=OLDER_ONLY))
    night.publish("run_1", as_of=OLDER_ONLY)


def _disk_full_on_second_replacement(monkeypatch) -> list[str]:
    """The disk fills up half-way through writing the second partition that replaces one in force:
    half of its rows reach the file, then the writer gets ENOSPC (as pyarrow raises it: an OSError)."""
    real_write_table, real_write_rows = pq.write_table, pq.ParquetWriter.write_table
    replaced: list[str] = []

    def half_then_full(self, table, *args, **kwargs):
        real_write_rows(self, table.slice(0, table.num_rows // 2), *args, **kwargs)
        raise OSError(errno.ENOSPC, f"Error writing bytes to file: {os.strerror(errno.ENOSPC)}")

    def write_table(table, where, *args, **kwargs):
        target = Path(where).parent / "part.parquet"  # the partition its temporary file will replace
        if target.exists():
            replaced.append(target.parent.as_posix())
            if len(replaced) == 2:
                with pytest.MonkeyPatch.context() as m:
                    m.setattr(pq.ParquetWriter, "write_table", half_then_full)
                    return real_write_table(table, where, *args, **kwargs)
        return real_write_table(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_table)
    return replaced


def _assert_staging_intact_after_failure(night: Night, before: dict[str, bytes], failed: str) -> None:
    assert _litter(night) == [], "a half-written file stayed in staging"
    after = _parts(night)
    assert after[failed] == before[failed], f"the partition in force at {failed} changed"
    for path in after:  # every partition in force is whole and says which delivery it holds
        manifest = Staging(night.staging).manifest(*_partition_of(path))
        assert manifest and (night.inbox / manifest["file_name"]).exists(), path


def _partition_of(relative: str) -> tuple[str, int, str]:
    parts = relative.split("/")
    period = parts[2].removeprefix("period=") if parts[2].startswith("period=") else ""
    return parts[0], int(parts[1].removeprefix("kommunekode=")), period


def test_a_full_disk_while_staging_keeps_the_partition_in_force_and_the_next_run_equals_a_clean_one(night, clean, monkeypatch):
    _yesterday(night)
    before, published_before = _parts(night), tables(night.url, REPLACED)
    with monkeypatch.context() as m:
        replaced = _disk_full_on_second_replacement(m)
        with pytest.raises(OSError) as failure:  # tonight the newer snapshots arrived, and the disk fills up
            ingest_module.ingest("case", 510, night.context("run_2"))
    assert failure.value.errno == errno.ENOSPC
    first, failed = (str(Path(r).relative_to(night.staging) / "part.parquet") for r in replaced)
    assert _parts(night)[first] != before[first]  # midway: one partition was replaced before the disk filled up
    _assert_staging_intact_after_failure(night, before, failed)
    published = tables(night.url, REPLACED)
    for name in REPLACED:  # the published tables are still yesterday's
        assert_frames_same(published[name], published_before[name], f"published.{name}")

    night.run("run_3")  # space freed: the next night
    got = snapshot(night)
    assert_published_like(got, clean.snapshot)
    assert_staging_like(got, clean.snapshot)
    assert_logs_like(got, clean.snapshot, files=_loaded_files(clean) - _loaded_files_of(night, "run_1"))


def _loaded_files_of(night: Night, run_id: str) -> set[str]:
    audit, _ = run_rows(night.url, run_id)
    return set(audit.loc[audit["status"].isin(["loaded", "partially_loaded"]), "file_name"])


@pytest.fixture()
def small_disk(workdir):
    """A real file system of 1 MiB (tmpfs) for staging; unmounted afterwards. Needs root."""
    mountpoint = workdir / "disk"
    mountpoint.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (the monkeypatched full disk above runs everywhere)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "trappe-full-disk-test", str(mountpoint)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:  # unbuffered: nothing left to flush on close
        try:
            while f.write(b"\0" * 4096):
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_a_really_full_file_system_while_staging_keeps_the_partition_in_force_and_the_next_run_equals_a_clean_one(
        small_disk, workdir, night, clean):
    on_disk = Night(night.inbox, small_disk, f"duckdb:///{workdir / 'warehouse.duckdb'}")
    _yesterday(on_disk)
    before = _parts(on_disk)
    filler = _fill(small_disk)
    with pytest.raises(OSError) as failure:  # tonight: the newer snapshots replace the older ones on a full disk
        ingest_module.ingest("case", 510, on_disk.context("run_2"))
    assert failure.value.errno == errno.ENOSPC or "No space left" in str(failure.value)
    _assert_staging_intact_after_failure(on_disk, before, "measures/kommunekode=510/part.parquet")
    filler.unlink()

    on_disk.run("run_3")
    got = snapshot(on_disk)
    assert_published_like(got, clean.snapshot)
    assert_staging_like(got, clean.snapshot)
    assert_logs_like(got, clean.snapshot, files=_loaded_files(clean) - _loaded_files_of(on_disk, "run_1"))
