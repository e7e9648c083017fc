"""Fixtures of the reliability tests: one small inbox for the session and one clean run of it.

The clean run is the reference every faulted sequence is compared with; it also writes the logs
(Python logging at DEBUG, and everything written to stdout/stderr) that the privacy tests scan.
"""
from __future__ import annotations

import itertools
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from transforms.runner import output_to

from .pipeline import KEY, Night, Snapshot, build_inbox, copy_inbox, snapshot


def hermetic(mp: pytest.MonkeyPatch, key: str | None = KEY) -> None:
    """The key from the environment only (never an Airflow variable of the machine), no analytics."""
    mp.setenv("GX_ANALYTICS_ENABLED", "False")
    mp.setattr("transforms.pseudonym._from_airflow", lambda: None)
    if key is None:
        mp.delenv("TRAPPE_PSEUDONYM_KEY", raising=False)
    else:
        mp.setenv("TRAPPE_PSEUDONYM_KEY", key)


@contextmanager
def captured_output(folder: Path) -> Iterator[None]:
    """Every log record (DEBUG and up) to `folder/logging.log`, and the process's stdout/stderr
    (file descriptors 1 and 2, so C libraries and subprocesses too) to `folder/output.log`."""
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder / "logging.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with output_to(folder / "output.log"):
            yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


@pytest.fixture(autouse=True)
def _keyed(monkeypatch):
    hermetic(monkeypatch)


SHM = Path("/dev/shm")


@pytest.fixture(scope="session")
def scratch(tmp_path_factory) -> Iterator[Path]:
    """Where installations live: in memory (/dev/shm) where there is one, else pytest's tmp folder.

    DuckDB syncs its file to disk on every commit and close; on a busy disk that alone makes a run
    four times slower. These tests are about what a run decides and leaves behind, not about the
    disk (the full-disk test brings its own small file system)."""
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        root = Path(tempfile.mkdtemp(prefix="trappe-reliability-", dir=SHM))
        yield root
        shutil.rmtree(root, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("reliability")


_folders = itertools.count()


def fresh(scratch: Path, name: str) -> Path:
    folder = scratch / f"{next(_folders):02d}_{name}"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def inbox_template(scratch) -> Path:
    return build_inbox(fresh(scratch, "template") / "inbox")


@dataclass(frozen=True)
class Clean:
    night: Night
    snapshot: Snapshot
    logs: Path


@pytest.fixture(scope="session")
def clean(scratch, inbox_template) -> Clean:
    """One run of the whole inbox into an empty DuckDB warehouse: the reference."""
    root = fresh(scratch, "clean")
    night = Night.duckdb(copy_inbox(inbox_template, root), root)
    logs = night.data_dir / "logs"
    with pytest.MonkeyPatch.context() as mp, captured_output(logs):
        hermetic(mp)
        night.run("run_clean")
    return Clean(night, snapshot(night), logs)


@pytest.fixture()
def workdir(scratch, request) -> Iterator[Path]:
    folder = fresh(scratch, request.node.name[:40])
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def night(workdir, inbox_template) -> Night:
    """A fresh installation (empty staging and warehouse) with a copy of the inbox."""
    return Night.duckdb(copy_inbox(inbox_template, workdir), workdir)
