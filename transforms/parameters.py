"""The methodology's named parameters, read from a TOML file (default: trappe.toml in the repo).

The specification calls every choice it makes a named parameter with its value as the default;
this is where a deployment changes one, without touching code or SQL. Each published table's
module reads its own section (`[key_figures]`, …).
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "trappe.toml"


def config_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("TRAPPE_CONFIG") or DEFAULT_CONFIG)


def load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))
