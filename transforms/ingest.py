"""Ingest one source for one municipality: decide what is in force, read, check, protect, stage, audit.

This is the function every ingest task calls. It follows sources.md §1: the newest delivery per
partition is in force, older ones are `superseded` (never read), a redelivered file (same SHA-256 as
a file seen in an earlier run) is `unchanged`, and if the newest is rejected whole the newest
readable older one stays in force. Every file gets an audit row with rows read = loaded +
quarantined; bad rows and files go to `published.quarantine` with the rule they broke.
"""
from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from transforms import changes
from transforms import file_kinds as fk
from transforms.inbox import Delivery, Inbox, scan
from transforms.pseudonym import MissingKey, load_key, protect
from transforms.reader import ROW, FileRejected, read_table
from transforms.run_context import RunContext
from transforms.staging import Staging
from transforms.tables import PUBLISHED
from transforms.validator import record_agreements_in, validate
from transforms.warehouse import WarehouseUnavailable, open_warehouse

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one delivered file in this run."""

    delivery: Delivery
    sha256: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    quarantine: pd.DataFrame = field(default_factory=lambda: NO_QUARANTINE)
    note: str = ""


NO_QUARANTINE = pd.DataFrame()
"""The quarantine of a file with none (never modified: a night audits thousands of unchanged files)."""


@dataclass
class Loaded:
    frame: pd.DataFrame | None  # None once a worker process has written it to `prepared`
    quarantine: pd.DataFrame
    rows_read: int
    note: str
    rows_loaded: int
    final: bool | None  # kinds with a `final` rule (ledger): every row carries the final value
    prepared: Path | None = None  # the partition's next content, written by a worker (Staging.prepare)


def _file_rejection(rule: str, message: str) -> pd.DataFrame:
    return pd.DataFrame({"row_number": [None], "column_name": [""], "rule": [rule], "value_masked": [message]})


def load_delivery(delivery: Delivery, parameters: dict[str, Any], key: bytes) -> Loaded:
    """Read, validate and pseudonymise one file. Raises FileRejected when nothing of it can load."""
    kind = delivery.kind
    assert kind is not None
    raw = read_table(delivery.path, delivery.file_name)
    missing = [c for c in kind.column_names if c not in raw.header]
    if missing:
        raise FileRejected("missing_columns", f"{delivery.file_name}: required column(s) missing: {', '.join(missing)}")
    extra = [c for c in raw.header if c not in kind.column_names]
    checked = validate(raw, kind, parameters)
    # Misfiled: every row read names another municipality, whatever else it breaks and wherever the column is.
    if raw.rows_read and checked.rows_breaking("kommunekode_not_folder") == raw.rows_read:
        raise FileRejected("misfiled", f"{delivery.file_name}: every row names another municipality than the folder {delivery.kommunekode}")
    frame = checked.good.drop(columns=[ROW])
    for col in kind.columns:
        if col.type == "cpr":
            frame = protect(frame, key, col.name)
    if "kommunekode" not in frame.columns:  # a kind without the column (kontoplan_tilpasning): the folder's
        frame.insert(0, "kommunekode", delivery.kommunekode)
    frame["extraction_date"] = delivery.extraction_date
    notes = ([f"ignored columns: {', '.join(extra)}"] if extra else []) + [f"{n} row(s) {rule} (loaded)" for rule, n in checked.warnings.items()]
    final = _is_final(frame, kind.final) if kind.final else None
    return Loaded(frame, checked.quarantine, raw.rows_read, "; ".join(notes), len(frame), final)


def _seen_hashes(url: str, run_id: str) -> set[str]:
    with open_warehouse(url) as wh:
        wh.ensure_published()
        seen = wh.query("SELECT DISTINCT sha256 FROM published.load_audit WHERE run_id <> ? AND sha256 IS NOT NULL", [run_id])
    return set(seen["sha256"])


def _parameters(delivery: Delivery, staging: Staging) -> dict[str, Any]:
    params: dict[str, Any] = {"folder_kommunekode": [delivery.kommunekode],
                              "extraction_date": pd.Timestamp(delivery.extraction_date)}
    if delivery.kind and delivery.kind.depends_on == "measures":
        params["known_measure_ids"] = staging_ids(staging, delivery.kommunekode)
    if delivery.source == "ledger" and delivery.period.isdigit():  # `aar` must equal the file name's fiscal year
        params["file_year"] = [int(delivery.period)]
    if delivery.source == "school":  # `skoleaar` must equal the file name's school year (2016-17 → 2016/17)
        params["school_year"] = [delivery.period.replace("-", "/")]
    return params


def staging_ids(staging: Staging, kommunekode: int) -> list[str]:
    path = staging.path("measures", kommunekode)
    return pd.read_parquet(path, columns=["foranstaltning_id"])["foranstaltning_id"].tolist() if path.exists() else []


def _load_or_reject(delivery: Delivery, parameters: dict[str, Any], key: bytes, sha: str, staging: Staging) -> Loaded | FileRejected:
    """`load_delivery` in a worker process, which also writes the staged partition it would become
    (`Staging.prepare`): only counts, masked quarantine rows and a path come back, never rows.
    A rejection comes back as a value."""
    try:
        loaded = load_delivery(delivery, parameters, key)
    except FileRejected as exc:
        return FileRejected(exc.rule, exc.message)
    assert delivery.kind is not None and loaded.frame is not None
    _, k, period = _partition_key(delivery)
    prepared = staging.prepare(delivery.kind.staging_table, k, period, loaded.frame, _manifest(delivery, sha, key, loaded.final))
    return Loaded(None, loaded.quarantine, loaded.rows_read, loaded.note, loaded.rows_loaded, loaded.final, prepared)


@cache
def worker_pool(processes: int, agreements: Path) -> ProcessPoolExecutor:
    """Worker processes kept for the life of this process (one `trappe run` runs every task in one
    process): the fork server imports what they run once and forks them from it, and each trusts
    the rules that agreed with GX before. They read, check and stage files, and compute tables."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["transforms.ingest", "transforms.publish"])
    return ProcessPoolExecutor(max_workers=processes, mp_context=context,
                               initializer=record_agreements_in, initargs=(agreements,))


def prefetch(deliveries: list[Delivery], hashes: dict[str, str], seen: set[str], staging: Staging, key: bytes,
             processes: int, agreements: Path) -> dict[str, Future]:
    """Start reading, checking and pseudonymising, in `processes` worker processes, the delivery
    `decide` will load first in each partition: the newest, unless it is already staged and audited
    or shares its date. Kinds checked against another staged kind (follow-ups against measures)
    are left to `decide`, which stages that kind first. One process: nothing is started."""
    if processes <= 1:
        return {}
    newest: dict[tuple[str, int, str], Delivery] = {}
    dates: dict[tuple[str, int, str], list] = {}
    for d in deliveries:
        if d.kind is None or d.extraction_date is None or d.kind.depends_on:
            continue
        part = _partition_key(d)
        dates.setdefault(part, []).append(d.extraction_date)
        if part not in newest or d.extraction_date > newest[part].extraction_date:
            newest[part] = d
    chosen = [d for part, d in newest.items() if dates[part].count(d.extraction_date) == 1
              and not _current(staging.manifest(d.kind.staging_table, part[1], part[2]), hashes[d.file_name], seen, key)]
    pool = worker_pool(processes, agreements)
    return {d.file_name: pool.submit(_load_or_reject, d, _parameters(d, staging), key, hashes[d.file_name], staging) for d in chosen}


@dataclass(frozen=True)
class Queued:
    """Loads started for one ingest task ahead of it (see `queue`)."""

    hashes: dict[str, str]  # file name → SHA-256
    seen: set[str]  # SHA-256s audited by earlier runs, as the loads were started
    started: dict[str, Future]


_queued: dict[tuple[str, str, int], Queued] = {}
"""Loads queued for the ingest tasks of a run in this process, per (run id, source, municipality)."""


SMALL_NIGHT_BYTES = 32 * 2**20
"""A night whose changed folders hold less than this (as delivered, gzip or not) runs in one
process unless `--processes` says otherwise: starting worker processes (the fork server, their
imports) costs more than they save on a few municipalities' files. The benchmark's
one-municipality night (4 MB): 16.8 s with two workers, 14.9 s without; the demo's three
municipalities (23 MB): 28.3 s with two, 27.1 s without."""


def queue(ctx: RunContext, sources: tuple[str, ...] | None = None, found: tuple[Inbox, list[int]] | None = None,
          right_size: bool = False) -> RunContext:
    """Start, in the worker processes, the loads of every changed folder of these sources (all:
    what `trappe run` does before its first DAG), in the order the tasks will ask for them: the
    workers then stay busy while Airflow starts and ends each task in this process (a third of a
    second per task) and while the build runs. Only where every task runs in this process
    (`trappe run`, `processes` > 1); under a scheduler each task starts its own loads. A task that
    finds nothing queued, or other files than were queued, loads its own. Returns the context the
    run goes on with: with `right_size` (the number of processes was not given), a small night
    (SMALL_NIGHT_BYTES) goes on in one process, with nothing queued."""
    if ctx.processes <= 1 or (found is not None and all((ctx.run_id, s, k) in _queued for s in sources or () for k in found[1])):
        return ctx
    try:
        key = load_key(ctx.demo)
        seen = _seen_hashes(ctx.warehouse_url, ctx.run_id)
    except (MissingKey, WarehouseUnavailable):  # the tasks stop with the message (and Airflow retries them)
        return ctx
    staging = Staging(ctx.staging_path)
    changed = {source: found if found else _changed(source, ctx, key) for source in sources or fk.sources()}
    if right_size:
        size = sum(d.path.stat().st_size for source, (inbox, ks) in changed.items() for k in ks for d in inbox.of(source, k))
        if size < SMALL_NIGHT_BYTES:
            log.info("%.1f MB in changed folders: this night runs in one process", size / 2**20)
            return replace(ctx, processes=1)
    for source, (inbox, ks) in changed.items():
        for k in (k for k in ks if (ctx.run_id, source, k) not in _queued):
            deliveries = inbox.of(source, k)
            hashes = {d.file_name: d.sha256() for d in deliveries}
            _queued[(ctx.run_id, source, k)] = Queued(hashes, seen, prefetch(deliveries, hashes, seen, staging, key, ctx.processes, _agreements(ctx)))
    return ctx


def _current(staged: dict[str, Any] | None, sha: str, seen: set[str], key: bytes) -> bool:
    """A staged partition that needs no reading: the same file, audited by an earlier run, and
    pseudonymised with the key in use (after a key change every partition is staged again)."""
    return bool(staged) and staged.get("sha256") == sha and sha in seen and staged.get("key") == changes.key_fingerprint(key)


def _partition_key(d: Delivery) -> tuple[str, int, str]:
    """Population files each stand alone (newest file wins per key, in SQL); other kinds supersede."""
    kind, k, period = d.partition
    return (kind, k, d.extraction_date.isoformat() if d.source == "population" and d.extraction_date else period)


def decide(deliveries: list[Delivery], hashes: dict[str, str], seen: set[str], staging: Staging, key: bytes,
           started: dict[str, Future] | None = None) -> list[Outcome]:
    """Statuses for every delivery of one source and municipality, staging what comes into force
    (`started`: loads already under way in worker processes, see `prefetch`)."""
    started = started or {}
    outcomes: list[Outcome] = []
    by_partition: dict[tuple[str, int, str], list[Delivery]] = {}
    for d in deliveries:
        if d.kind is None or d.extraction_date is None:
            # no (real) date first: `foranstaltninger_2020-13-45.csv` is a known kind without a date
            rule = "no_date_in_name" if d.extraction_date is None else "unknown_file_kind"
            msg = f"{d.file_name}: " + ("the file name carries no (valid) extraction date" if rule == "no_date_in_name" else "the file name is not one of the kinds of sources.md")
            outcomes.append(_rejected(d, hashes[d.file_name], seen, rule, msg))
            continue
        by_partition.setdefault(_partition_key(d), []).append(d)
    order = {k.name: i for i, k in enumerate(fk.file_kinds())}
    for (kind_name, k, period), group in sorted(by_partition.items(), key=lambda item: (order[item[0][0]], item[0])):
        kind = group[0].kind
        assert kind is not None
        dates = pd.Series([d.extraction_date for d in group])
        ambiguous = set(dates[dates.duplicated(keep=False)])
        in_force = None
        # Kinds with a `final` rule (ledger): a newer delivery that is not final (expected accounts) is in
        # force only if no older delivery of the partition is final; while looking, it waits here.
        provisional: list[tuple[Delivery, str, Loaded | None]] = []
        passed: list[Outcome] = []  # rejected while looking past a provisional one
        for d in sorted(group, key=lambda d: d.extraction_date, reverse=True):
            sha = hashes[d.file_name]
            if in_force is not None:  # superseded comes before rejected (sources.md §1 Audit), ambiguous or not
                outcomes.append(Outcome(d, sha, "unchanged" if sha in seen else "superseded"))
                continue
            found = passed if provisional else outcomes
            if d.extraction_date in ambiguous:
                found.append(_rejected(d, sha, seen, "ambiguous_delivery",
                                       f"{d.file_name}: another {kind.name} file of the same municipality has the same extraction date"))
                continue
            staged = staging.manifest(kind.staging_table, k, period)
            # Staged and audited by an earlier run: nothing new. Staged but not audited by an earlier run (a task
            # killed before its audit rows were written, or a retry of this run's task) is read again, so that its
            # audit and quarantine rows are written once, as a clean run writes them.
            if _current(staged, sha, seen, key):
                if kind.final and staged.get("final") is False:
                    provisional.append((d, sha, None))
                    continue
                in_force = d
                outcomes.append(Outcome(d, sha, "unchanged"))
                continue
            try:
                loaded = started.pop(d.file_name).result() if d.file_name in started else load_delivery(d, _parameters(d, staging), key)
                if isinstance(loaded, FileRejected):
                    raise loaded
            except FileRejected as exc:
                log.warning("Rejected %s: %s (%s)", d.file_name, exc.message, exc.rule)
                found.append(_rejected(d, sha, seen, exc.rule, exc.message))
                continue
            if kind.final and not loaded.final:
                provisional.append((d, sha, loaded))
                continue
            in_force = d
            outcomes.append(_stage(d, sha, loaded, staging, seen, outcomes, key))
        if provisional:
            if in_force is None:  # no final delivery: the newest provisional one is in force, the rest never counted
                d, sha, loaded = provisional.pop(0)
                in_force = d
                outcomes.append(Outcome(d, sha, "unchanged") if loaded is None else _stage(d, sha, loaded, staging, seen, outcomes, key))
                passed = [Outcome(o.delivery, o.sha256, "unchanged" if o.sha256 in seen else "superseded") for o in passed]
            else:
                log.info("%s %s %s: final accounts of an older delivery stay in force", kind.name, k, period)
            outcomes.extend(Outcome(d, sha, "unchanged" if sha in seen else "superseded",
                                    note="" if in_force.extraction_date > d.extraction_date else "not final: the older final delivery stays in force")
                            for d, sha, _ in provisional)
            outcomes.extend(passed)
        if in_force is None and staging.manifest(kind.staging_table, k, period):
            log.warning("No readable delivery of %s for %s %s: its staged data are withdrawn", kind.name, k, period or "")
            staging.drop(kind.staging_table, k, period)
    return outcomes


def _is_final(frame: pd.DataFrame, final: tuple[str, str]) -> bool:
    """A delivery is final when it has rows and every one carries the kind's final value (`status = regnskab`)."""
    column, value = final
    return bool(len(frame)) and bool((frame[column] == value).all())


def _manifest(d: Delivery, sha: str, key: bytes, final: bool | None) -> dict[str, Any]:
    assert d.extraction_date is not None
    manifest: dict[str, Any] = {"file_name": d.file_name, "sha256": sha, "extraction_date": d.extraction_date.isoformat(),
                                "key": changes.key_fingerprint(key)}
    if final is not None:
        manifest["final"] = final
    return manifest


def _stage(d: Delivery, sha: str, loaded: Loaded, staging: Staging, seen: set[str], before: list[Outcome], key: bytes) -> Outcome:
    """Stage a delivery that comes into force; its outcome (`before`: the partition's outcomes so far)."""
    kind = d.kind
    assert kind is not None
    _, k, period = _partition_key(d)
    if loaded.prepared is not None:
        staging.commit(loaded.prepared, kind.staging_table, k, period)
    else:
        assert loaded.frame is not None
        staging.write(kind.staging_table, k, period, loaded.frame, _manifest(d, sha, key, loaded.final))
    if sha in seen:  # an older delivery comes back into force: staged again, but nothing new to report
        return Outcome(d, sha, "unchanged", note="restaged: back in force")
    status = "partially_loaded" if len(loaded.quarantine) else "loaded"
    notes = [loaded.note] + (["the newer delivery was rejected; this older one stays in force"] if before and before[-1].status == "rejected" and before[-1].delivery.partition == d.partition else [])
    return Outcome(d, sha, status, loaded.rows_read, loaded.rows_loaded, loaded.quarantine, "; ".join(n for n in notes if n))


def _rejected(d: Delivery, sha: str, seen: set[str], rule: str, message: str) -> Outcome:
    if sha in seen:
        return Outcome(d, sha, "unchanged")
    return Outcome(d, sha, "rejected", quarantine=_file_rejection(rule, message))


def audit_frames(outcomes: list[Outcome], ctx: RunContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The load_audit and quarantine rows of this run for these files."""
    audit = pd.DataFrame([{
        "run_id": ctx.run_id, "source": o.delivery.source, "kommunekode": o.delivery.kommunekode,
        "file_name": o.delivery.file_name, "sha256": o.sha256, "rows_read": o.rows_read, "rows_loaded": o.rows_loaded,
        "rows_quarantined": int((o.quarantine["row_number"].notna()).sum()) if len(o.quarantine) else 0,
        "status": o.status, "note": o.note, "loaded_at": ctx.started,
    } for o in outcomes], columns=PUBLISHED["load_audit"].column_names)
    parts = [o.quarantine.assign(run_id=ctx.run_id, source=o.delivery.source, kommunekode=o.delivery.kommunekode,
                                 file_name=o.delivery.file_name) for o in outcomes if len(o.quarantine)]
    quarantine = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PUBLISHED["quarantine"].column_names)
    return audit, quarantine


def _agreements(ctx: RunContext) -> Path:
    """Where the compiled rules that agreed with GX are recorded (validator.record_agreements_in)."""
    return ctx.ingested_path / "gx-agreements.jsonl"


def ingest(source: str, kommunekode: int, ctx: RunContext) -> dict[str, Any]:
    """Ingest every delivery of `source` for one municipality (0: the national population file)."""
    key = load_key(ctx.demo)
    record_agreements_in(_agreements(ctx))
    deliveries = scan(ctx.inbox_path, ctx.as_of_date, source, kommunekode).of(source, kommunekode)
    queued = _queued.pop((ctx.run_id, source, kommunekode), None)
    if queued is not None and set(queued.hashes) != {d.file_name for d in deliveries}:
        queued = None  # the folder changed since: start again
    hashes = queued.hashes if queued else {d.file_name: d.sha256() for d in deliveries}
    seen = queued.seen if queued else _seen_hashes(ctx.warehouse_url, ctx.run_id)
    staging = Staging(ctx.staging_path)
    fingerprint = changes.folder_fingerprint(deliveries, key)
    try:
        started = queued.started if queued else prefetch(deliveries, hashes, seen, staging, key, ctx.processes, _agreements(ctx))
        outcomes = decide(deliveries, hashes, seen, staging, key, started)
    finally:  # what no delivery in force took (and what a killed run left)
        staging.discard_prepared({k.staging_table for k in fk.kinds_of(source)}, kommunekode)
    if source == "population":
        _withdraw_population(ctx, outcomes)
    audit, quarantine = audit_frames(outcomes, ctx)
    _write_audit(ctx, audit, quarantine)
    changes.record_ingested(ctx.ingested_path, source, kommunekode, fingerprint, ctx.run_id)
    for o in outcomes:
        log.info("%s: %s (read %d, loaded %d, quarantined %d)%s", o.delivery.file_name, o.status, o.rows_read, o.rows_loaded,
                 len(o.quarantine), f"; {o.note}" if o.note else "")
        if len(o.quarantine):
            for rule, rows in o.quarantine.groupby("rule")["row_number"]:
                shown = ", ".join(str(int(r)) for r in rows.dropna().head(5))
                log.warning("  %s: %d row(s) broke %r%s", o.delivery.file_name, len(rows), rule, f" (rows {shown}…)" if shown else "")
    return {"source": source, "kommunekode": kommunekode, "files": len(outcomes),
            "rows_read": int(audit["rows_read"].sum()), "rows_loaded": int(audit["rows_loaded"].sum()),
            "rows_quarantined": int(audit["rows_quarantined"].sum()),
            "statuses": audit["status"].value_counts().to_dict()}


def _withdraw_population(ctx: RunContext, outcomes: list[Outcome]) -> None:
    """Population partitions whose file is not in force in this run (removed, or after --as-of) are dropped."""
    staging = Staging(ctx.staging_path)
    keep = {o.delivery.extraction_date.isoformat() for o in outcomes
            if o.status in ("loaded", "partially_loaded", "unchanged") and o.delivery.extraction_date}
    for period in staging.periods("population", 0):
        if period not in keep:
            staging.drop("population", 0, period)


def _write_audit(ctx: RunContext, audit: pd.DataFrame, quarantine: pd.DataFrame) -> None:
    """This run's audit and quarantine rows of these files, replacing any a retry of the task wrote."""
    with open_warehouse(ctx.warehouse_url) as wh:
        with wh.transaction():
            names = audit["file_name"].tolist()
            wh.delete(PUBLISHED["load_audit"], "file_name", names, and_run=ctx.run_id)
            wh.delete(PUBLISHED["quarantine"], "file_name", names, and_run=ctx.run_id)
            wh.insert(PUBLISHED["load_audit"], audit)
            wh.insert(PUBLISHED["quarantine"], quarantine)


def _changed(source: str, ctx: RunContext, key: bytes) -> tuple[Inbox, list[int]]:
    """The inbox of `source`, and the folders that changed since they were last ingested."""
    inbox = scan(ctx.inbox_path, ctx.as_of_date, source)
    with open_warehouse(ctx.warehouse_url) as wh:
        wh.ensure_published()
        found = wh.query("SELECT DISTINCT run_id, kommunekode FROM published.load_audit WHERE source = ?", [source])
    audited = {(run, source, int(k)) for run, k in zip(found["run_id"], found["kommunekode"])}
    return inbox, [k for k in inbox.municipalities(source)
                   if not changes.unchanged(changes.ingested(ctx.ingested_path, source, k), changes.folder_fingerprint(inbox.of(source, k), key),
                                            audited, source, k)]


def municipalities(source: str, ctx: RunContext) -> list[int]:
    """The municipalities (folders) that delivered files of `source` ([0] for the national
    population) and whose folder changed since it was last ingested: the ingest task of each takes
    this source (`changed_folders`). The files of the other folders are audited here, in one go, as
    `unchanged`."""
    try:
        key = load_key(ctx.demo)
    except MissingKey:  # every ingest task stops with the message, before anything is read or written
        return scan(ctx.inbox_path, ctx.as_of_date, source).municipalities(source)
    inbox, changed = _changed(source, ctx, key)
    log.info("%s: %d folder(s) changed, %d unchanged since they were last ingested", source, len(changed),
             len(inbox.municipalities(source)) - len(changed))
    _record_unchanged([d for d in inbox.of(source) if d.kommunekode not in set(changed)], source, ctx)
    queue(ctx, (source,), (inbox, changed))
    return changed


def changed_folders(ctx: RunContext) -> list[dict[str, Any]]:
    """Every municipality with a folder of any source that changed since it was last ingested
    (0: the national population), with those sources: each gets one ingest task. The files of
    unchanged folders are audited here (`municipalities`)."""
    changed: dict[int, list[str]] = {}
    for source in fk.sources():
        for k in municipalities(source, ctx):
            changed.setdefault(k, []).append(source)
    return [{"kommunekode": k, "sources": changed[k]} for k in sorted(changed)]


def ingest_folders(kommunekode: int, sources: list[str], ctx: RunContext) -> dict[str, Any]:
    """Ingest one municipality's changed folders, source by source in the order of `sources()`."""
    order = fk.sources()
    return {"kommunekode": kommunekode,
            "sources": {s: ingest(s, kommunekode, ctx) for s in sorted(sources, key=order.index)}}


def _record_unchanged(deliveries: list[Delivery], source: str, ctx: RunContext) -> None:
    """Audit rows for files in folders unchanged since their last ingest: each is `unchanged` (its
    content was seen before, sources.md §1), with the SHA-256 that ingest recorded."""
    if not deliveries:
        return
    with open_warehouse(ctx.warehouse_url) as wh:
        known = wh.query("SELECT file_name, sha256 FROM published.load_audit WHERE source = ? AND sha256 IS NOT NULL "
                         "ORDER BY loaded_at", [source])
    recorded = dict(zip(known["file_name"], known["sha256"]))
    audit, quarantine = audit_frames([Outcome(d, recorded.get(d.file_name) or d.sha256(), "unchanged") for d in deliveries], ctx)
    _write_audit(ctx, audit, quarantine)


