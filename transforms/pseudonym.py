"""The pseudonymisation key and the step that replaces CPR numbers before anything is written.

The key comes from `TRAPPE_PSEUDONYM_KEY` or, inside Airflow, the variable or connection
`trappe_pseudonym_key` (sources.md §2.1). Only the demo may fall back to a fixed, public demo key,
and it says so. The key itself is never logged, returned in a message or written anywhere.
"""
from __future__ import annotations

import logging
import os

import pandas as pd

from transforms import cpr as cprlib

log = logging.getLogger(__name__)

DEMO_KEY = b"trappe-demo-key-not-secret"
MIN_KEY_LENGTH = 16


class MissingKey(RuntimeError):
    pass


def _from_airflow() -> str | None:
    try:
        from airflow.sdk import Connection, Variable
    except ImportError:
        return None
    try:
        return Variable.get("trappe_pseudonym_key")
    except Exception:  # noqa: BLE001 - absent variable: try the connection next
        pass
    try:
        return Connection.get("trappe_pseudonym_key").password
    except Exception:  # noqa: BLE001 - absent connection: no key from Airflow
        return None


def load_key(demo: bool = False) -> bytes:
    """The secret key; stops the run with a clear message (before anything is written) when it is missing."""
    key = os.environ.get("TRAPPE_PSEUDONYM_KEY") or _from_airflow()
    if key:
        if len(key) < MIN_KEY_LENGTH:
            raise MissingKey(f"The pseudonymisation key is too short (under {MIN_KEY_LENGTH} characters): set a long random TRAPPE_PSEUDONYM_KEY.")
        return key.encode("utf-8")
    if demo:
        log.warning("Demo run: CPR numbers are pseudonymised with the fixed, public demo key. Never use it for real data.")
        return DEMO_KEY
    raise MissingKey("No pseudonymisation key: set TRAPPE_PSEUDONYM_KEY (or the Airflow variable or connection "
                     "'trappe_pseudonym_key'). Nothing was read or written.")


def protect(frame: pd.DataFrame, key: bytes, column: str = "cpr") -> pd.DataFrame:
    """Replace the CPR column by `person_id` (keyed pseudonym) and `birth_date`, dropping the CPR."""
    out = frame.copy()
    out.insert(out.columns.get_loc(column), "person_id", cprlib.pseudonymise(out[column], key))
    out.insert(out.columns.get_loc(column), "birth_date", out.pop(f"{column}__birth"))
    return out.drop(columns=[column])
