"""The one place that decides the warehouse, and the pseudonymisation key's sources."""
from __future__ import annotations

from pathlib import Path

import pytest

from transforms.pseudonym import DEMO_KEY, MissingKey, load_key
from transforms.warehouse import describe, resolve_url


def test_explicit_url_wins(monkeypatch):
    monkeypatch.setenv("TRAPPE_WAREHOUSE_URL", "duckdb:////env.duckdb")
    assert resolve_url("duckdb:////explicit.duckdb") == "duckdb:////explicit.duckdb"


def test_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAPPE_WAREHOUSE_URL", "duckdb:////env.duckdb")
    assert resolve_url(None) == "duckdb:////env.duckdb"
    monkeypatch.delenv("TRAPPE_WAREHOUSE_URL")
    assert resolve_url(None, base=tmp_path) == f"duckdb:///{tmp_path / 'data' / 'warehouse.duckdb'}"


def test_a_plain_path_is_a_duckdb_file(tmp_path):
    assert resolve_url("wh.duckdb", base=tmp_path) == f"duckdb:///{tmp_path / 'wh.duckdb'}"


def test_passwords_are_never_shown():
    assert "secret" not in describe("postgresql+psycopg://trappe:secret@127.0.0.1:5432/trappe")


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv("TRAPPE_PSEUDONYM_KEY", "k" * 32)
    assert load_key() == b"k" * 32


def test_missing_key_stops_with_a_clear_message(monkeypatch):
    monkeypatch.delenv("TRAPPE_PSEUDONYM_KEY", raising=False)
    with pytest.raises(MissingKey, match="TRAPPE_PSEUDONYM_KEY"):
        load_key()


def test_only_the_demo_falls_back_to_the_demo_key(monkeypatch):
    monkeypatch.delenv("TRAPPE_PSEUDONYM_KEY", raising=False)
    assert load_key(demo=True) == DEMO_KEY


def test_a_short_key_is_refused_without_showing_it(monkeypatch):
    monkeypatch.setenv("TRAPPE_PSEUDONYM_KEY", "short")
    with pytest.raises(MissingKey) as err:
        load_key()
    assert "short" not in str(err.value).replace("too short", "")
