"""The generator tests' inbox settings and a minimal reader of generated files.

The reader is not the pipeline's: it undoes exactly the producer conventions the generator applies
(gzip, BOM, Windows-1252, header case and padding) and parses dates in both spellings, so the tests
can check content.
"""

from __future__ import annotations

import gzip
import io
from datetime import date
from pathlib import Path

import pandas as pd

TO_DATE = date(2026, 10, 31)
SMALL = {"kommunekoder": [510, 657, 167], "scale": 0.05, "seed": 7, "to_date": TO_DATE}
"""The shared small inbox: the three partnership municipalities at 5 % of their children."""
HERNING = {"kommunekoder": [657], "scale": 0.5, "seed": 3, "to_date": TO_DATE}
"""Herning at half its real size: enough children for prevalences to be stable."""


def decode(path: Path) -> str:
    """The file's text: gunzipped, BOM stripped, UTF-8 or else Windows-1252."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read(path: Path) -> pd.DataFrame:
    """All columns as text, header names trimmed and lower-cased, empty fields as ''."""
    frame = pd.read_csv(io.StringIO(decode(path)), sep=";", dtype=str, keep_default_na=False)
    frame.columns = [c.strip().lower() for c in frame.columns]
    return frame


def parse_date(text: str) -> date | None:
    """``YYYY-MM-DD`` or ``DD-MM-YYYY`` with leading zeros, else None."""
    if len(text) != 10:
        return None
    try:
        if text[4] == "-":
            return date(int(text[:4]), int(text[5:7]), int(text[8:]))
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        return None


def files(root: Path, pattern: str) -> list[Path]:
    """Files under ``root`` matching ``pattern`` (end it with ``*`` to match ``.csv`` and ``.csv.gz``),
    in name order (so by extraction date within a kind)."""
    return sorted(root.glob(pattern))
