"""Shared, session-scoped inboxes: generated once, read by many tests (keeps the suite fast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.generator import GenerationSummary, generate_inbox

from .inbox_files import HERNING, SMALL


@pytest.fixture(scope="session")
def small_inbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("small")
    return out, generate_inbox(out, **SMALL)


@pytest.fixture(scope="session")
def herning(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("herning")
    return out, generate_inbox(out, **HERNING)
