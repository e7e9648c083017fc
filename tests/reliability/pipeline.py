"""Helpers for the reliability tests: a small realistic inbox, the in-process nightly pipeline, and
snapshots of what a run leaves behind (published tables, the two logs, staging) to compare runs.

The pipeline is the same sequence of functions the DAGs call, without Airflow:

    ingest(source, k) for every source (population first) and every municipality whose folder
    changed (`municipalities` audits the rest), then publish.plan, publish.compute for every planned
    municipality and publish.publish, all with one RunContext.

"Equal to a clean run" means: every published table replaced per municipality (and the dimensions)
has the same rows as a clean run of the same inbox into an empty warehouse, apart from `run_id`;
staging holds the same partitions with the same manifests and rows; and the logs (`load_audit`,
`quarantine`), collapsed over the runs of the sequence, tell the same story: each file has exactly one
audit row that is not `unchanged` and it equals the clean run's, and the quarantine rows are the
clean run's, none lost and none twice.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from transforms import ingest as ingest_module
from transforms import publish as publish_module
from transforms.file_kinds import sources
from transforms.run_context import RunContext
from transforms.staging import MANIFEST_KEY
from transforms.tables import PUBLISHED
from transforms.warehouse import open_warehouse

KEY = "reliability-tests-key-7f3a9c21e5b04d68"
CODES = (510, 657)
LOGS = ("load_audit", "quarantine")
REPLACED = tuple(t for t in PUBLISHED if t not in LOGS)
"""Published tables replaced per municipality (and the dimensions, replaced whole)."""
IGNORED_COLUMNS = {"run_id", "loaded_at"}


class Killed(BaseException):
    """An injected crash: like a killed worker, it is no Exception, so no `except Exception` handles it."""

# ------------------------------------------------------------------------------------------------
# the inbox
# ------------------------------------------------------------------------------------------------

KEEP = (
    re.compile(r"case/\d+/.*"),                                  # every case kind, older and newer snapshot
    re.compile(r"population/befolkning_2025-10-31\.csv(\.gz)?"),  # the newest national file
    re.compile(r"ledger/510/regnskab_2024_.*"),                   # expected accounts, then the final ones
    re.compile(r"school/510/(trivsel|fravaer)_2025-26_.*"),       # one school year, both kinds
    re.compile(r"README\.txt"),                                   # outside the source folders: ignored
)


def build_inbox(dest: Path) -> Path:
    """A small synthetic inbox (Haderslev and Herning) with flawed rows, pruned to a few files so
    that a whole nightly run takes seconds; in the case files every second CPR is written
    `DDMMYY-SSSS`, so both spellings reach the pipeline (the school files keep ten digits)."""
    from transforms.generator import generate_inbox

    generate_inbox(dest, kommunekoder=list(CODES), scale=0.006, seed=11, from_year=2023, to_date=date(2025, 10, 31))
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        if not any(k.fullmatch(path.relative_to(dest).as_posix()) for k in KEEP):
            path.unlink()
    for path in dest.glob("case/*/*.csv"):
        _dash_every_second_cpr(path)
    return dest


def _dash_every_second_cpr(path: Path) -> None:
    data = path.read_bytes()
    lines = data.split(b"\n")
    header = [h.strip().lower() for h in lines[0].rstrip(b"\r").removeprefix(b"\xef\xbb\xbf").split(b";")]
    if b"cpr" not in header:
        return
    i = header.index(b"cpr")
    for n in range(1, len(lines), 2):
        fields = lines[n].split(b";")
        if len(fields) == len(header) and re.fullmatch(rb"\d{10}", fields[i]):
            fields[i] = fields[i][:6] + b"-" + fields[i][6:]
            lines[n] = b";".join(fields)
    path.write_bytes(b"\n".join(lines))


# ------------------------------------------------------------------------------------------------
# the nightly run, in-process
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Night:
    """One installation: an inbox, a data folder (staging) and a warehouse URL."""

    inbox: Path
    data_dir: Path
    url: str

    @classmethod
    def duckdb(cls, inbox: Path, root: Path) -> Night:
        return cls(inbox, root / "data", f"duckdb:///{root / 'data' / 'warehouse.duckdb'}")

    def context(self, run_id: str, as_of: str = "", url: str | None = None) -> RunContext:
        return RunContext(inbox=str(self.inbox), data_dir=str(self.data_dir), warehouse_url=url or self.url,
                          run_id=run_id, started_at="2025-11-01T02:00:00+00:00", as_of=as_of)

    def ingest(self, run_id: str, as_of: str = "", url: str | None = None, only: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """Every ingest task of the night, in the order `trappe run` runs the DAGs."""
        ctx = self.context(run_id, as_of, url)
        done = []
        for source in sources():
            if only is not None and source not in only:
                continue
            done += [ingest_module.ingest(source, k, ctx) for k in ingest_module.municipalities(source, ctx)]
        return done

    def publish(self, run_id: str, as_of: str = "", url: str | None = None) -> dict[str, Any]:
        ctx = self.context(run_id, as_of, url)
        return publish_module.rebuild(ctx)

    def run(self, run_id: str, as_of: str = "", url: str | None = None) -> dict[str, Any]:
        self.ingest(run_id, as_of, url)
        return self.publish(run_id, as_of, url)

    @property
    def staging(self) -> Path:
        return self.data_dir / "staging"


def copy_inbox(source: Path, root: Path) -> Path:
    dest = root / "inbox"
    shutil.copytree(source, dest)
    return dest


# ------------------------------------------------------------------------------------------------
# snapshots and comparisons
# ------------------------------------------------------------------------------------------------

NUMERIC = ("INTEGER", "BIGINT", "DOUBLE PRECISION", "NUMERIC", "DECIMAL", "REAL")


def _canonical(frame: pd.DataFrame, columns: list[str], numeric: set[str] = frozenset()) -> pd.DataFrame:
    """Engine-independent values (numbers as floats rounded to 9 places, NULL as NaN; dates as ISO
    text), sorted rows."""
    out = frame[columns].copy()
    for c in columns:
        if out[c].dtype.kind in "fiu" or c in numeric:
            out[c] = pd.to_numeric(out[c]).astype(float).round(9)
        else:
            out[c] = out[c].map(lambda v: None if v is None or (not isinstance(v, str) and pd.isna(v))
                                else str(pd.Timestamp(v).date()) if hasattr(v, "year") else str(v))
    return out.sort_values(columns, na_position="first").reset_index(drop=True)


def tables(url: str, names: tuple[str, ...] = tuple(PUBLISHED), with_run: bool = False) -> dict[str, pd.DataFrame]:
    """Published tables, canonical, without `run_id`/`loaded_at` (unless `with_run`: without `loaded_at`)."""
    out = {}
    with open_warehouse(url) as wh:
        wh.ensure_published()
        for name in names:
            table = PUBLISHED[name]
            frame = wh.query(f"SELECT * FROM {table.qualified}")
            columns = [c for c in table.column_names if c not in IGNORED_COLUMNS or (with_run and c == "run_id")]
            numeric = {n for n, sqltype, _ in table.columns if sqltype.upper().startswith(NUMERIC)}
            out[name] = _canonical(frame.reindex(columns=table.column_names), columns, numeric)
    return out


def staged(staging_root: Path) -> dict[str, tuple[dict[str, Any], pd.DataFrame]]:
    """Every staged partition (path under staging): its manifest and its rows (sorted)."""
    out = {}
    for path in sorted(staging_root.rglob("part.parquet")):
        table = pq.read_table(path)
        manifest = json.loads((table.schema.metadata or {})[MANIFEST_KEY])
        frame = table.to_pandas()
        out[path.relative_to(staging_root).as_posix()] = (manifest, _canonical(frame, list(frame.columns)))
    return out


@dataclass(frozen=True)
class Snapshot:
    published: dict[str, pd.DataFrame]
    audit: pd.DataFrame
    quarantine: pd.DataFrame
    staging: dict[str, tuple[dict[str, Any], pd.DataFrame]]


def snapshot(night: Night, url: str | None = None) -> Snapshot:
    found = tables(url or night.url)
    return Snapshot({t: found[t] for t in REPLACED}, found["load_audit"], found["quarantine"], staged(night.staging))


def assert_frames_equal(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    try:
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
    except AssertionError as exc:
        raise AssertionError(f"{what} differs from a clean run: {exc}") from None


def assert_published_like(got: Snapshot, clean: Snapshot) -> None:
    for name in REPLACED:
        assert_frames_equal(got.published[name], clean.published[name], f"published.{name}")


def assert_staging_like(got: Snapshot, clean: Snapshot) -> None:
    assert sorted(got.staging) == sorted(clean.staging), "staged partitions differ from a clean run"
    for path, (manifest, rows) in clean.staging.items():
        assert got.staging[path][0] == manifest, f"manifest of {path}"
        assert_frames_equal(got.staging[path][1], rows, f"staging {path}")


def effective_audit(audit: pd.DataFrame) -> pd.DataFrame:
    """The audit rows that say what happened to a file the first time it was judged (not `unchanged`)."""
    return audit[audit["status"] != "unchanged"].reset_index(drop=True)


def assert_logs_like(got: Snapshot, clean: Snapshot, files: set[str] | None = None) -> None:
    """Over every run of the sequence: one effective audit row per file, the clean run's; the clean
    run's quarantine rows, each once (only for `files` when given)."""
    assert "unchanged" not in set(clean.audit["status"])  # a clean run into an empty warehouse has seen nothing

    def only(frame: pd.DataFrame) -> pd.DataFrame:
        return frame if files is None else frame[frame["file_name"].isin(files)].reset_index(drop=True)

    assert_frames_equal(only(effective_audit(got.audit)), only(clean.audit), "published.load_audit (collapsed over the runs)")
    assert_frames_equal(only(got.quarantine), only(clean.quarantine), "published.quarantine (over the runs)")


def assert_like_clean_run(got: Snapshot, clean: Snapshot) -> None:
    assert_published_like(got, clean)
    assert_staging_like(got, clean)
    assert_logs_like(got, clean)


def run_rows(url: str, run_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(load_audit, quarantine) rows of one run, canonical, without run_id/loaded_at."""
    found = tables(url, LOGS, with_run=True)
    return tuple(f[f["run_id"] == run_id].drop(columns="run_id").reset_index(drop=True) for f in (found["load_audit"], found["quarantine"]))  # type: ignore[return-value]
