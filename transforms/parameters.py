"""The methodology's named parameters, read from a TOML file (default: trappe.toml in the repo).

The specification calls every choice it makes a named parameter with its value as the default;
this is where a deployment changes one, without touching code or SQL.
"""
from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

from transforms.key_figures import KeyFigureParams

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "trappe.toml"


def config_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("TRAPPE_CONFIG") or DEFAULT_CONFIG)


def key_figure_params(path: Path) -> KeyFigureParams:
    section = tomllib.loads(path.read_text(encoding="utf-8")).get("key_figures", {})
    points = tuple(tuple(int(p) for p in text.split("-")) for text in section.get("measurement_points", ["01-31", "05-31", "09-30"]))
    first = section.get("first_point") or ""
    standards = {int(step): int(days) for step, days in section.get("followup_standard_days", {}).items()}
    return KeyFigureParams(first_point=date.fromisoformat(first) if first else None,
                           followup_standard_days=standards or KeyFigureParams().followup_standard_days,
                           points=points)  # type: ignore[arg-type]
