"""Helpers for the input tests: write tiny deliveries and run the real ingest against them.

Every test builds its own few rows in `tmp_path`. `Inbox` writes files under `<tmp>/inbox`, runs
`transforms.ingest.ingest` with a DuckDB file and a staging folder in `tmp_path` and a key in the
environment, and reads back `published.load_audit`, `published.quarantine` and staging.

    def test_something(tmp_path, monkeypatch):
        inbox = Inbox(tmp_path, monkeypatch)
        inbox.add("case/510/foranstaltninger_2020-01-01.csv", measures(measure("m1"), measure("m2", paragraf="SEL 99")))
        inbox.run()
        assert quarantined(inbox) == [(3, "paragraf", "unknown_code")]

Rows are dicts over a default valid row (`measure`, `investigation`, `caseworker`, `followup`,
`population`); the file's columns are the dict keys of the first row (so a test can reorder them).
"""
from __future__ import annotations

import gzip as gzip_lib
import re
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.ingest import ingest
from transforms.run_context import RunContext
from transforms.staging import Staging
from transforms.warehouse import open_warehouse

KEY = "test-key-for-trappe-tests-0123456789"
CPR = "0101901234"
"""A CPR that fails modulus 11 (it must still load) and is born 1 January 1990."""
CPR_DASHED = "010190-1234"
CPR_SHAPED = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")

MEASURES = "case/510/foranstaltninger_2020-01-01.csv"
INVESTIGATIONS = "case/510/undersoegelser_2020-01-01.csv"
CASEWORKERS = "case/510/sagsbehandlere_2020-01-01.csv"
FOLLOWUPS = "case/510/opfoelgninger_2020-01-01.csv"
POPULATION = "population/befolkning_2020-01-01.csv"


# ------------------------------------------------------------------------------------------------
# rows and CSV text
# ------------------------------------------------------------------------------------------------

def measure(id: str = "m1", **over: str) -> dict[str, str]:
    """A valid placement row of foranstaltninger (§2.2); keyword arguments replace columns."""
    row = {"kommunekode": "510", "foranstaltning_id": id, "cpr": CPR, "paragraf": "SEL 52.3.7",
           "anbringelsessted": "plejefamilie", "startdato": "2019-01-01", "slutdato": "", "bevilget_af": "myndighed",
           "handicap": "0", "uledsaget_flygtning": "0"}
    return _over(row, over)


def investigation(id: str = "u1", **over: str) -> dict[str, str]:
    row = {"kommunekode": "510", "undersoegelse_id": id, "cpr": CPR, "paragraf": "SEL 50", "afgoerelsesdato": "2019-03-01"}
    return _over(row, over)


def caseworker(id: str = "w1", **over: str) -> dict[str, str]:
    row = {"kommunekode": "510", "opgoerelsesdato": "2019-12-31", "medarbejder_id": id, "team": "Børn og unge",
           "normtid": "1", "antal_sager": "20"}
    return _over(row, over)


def followup(measure_id: str = "m1", **over: str) -> dict[str, str]:
    row = {"kommunekode": "510", "foranstaltning_id": measure_id, "opfoelgningsdato": "2019-06-01"}
    return _over(row, over)


def population(alder: str = "5", **over: str) -> dict[str, str]:
    row = {"kommunekode": "510", "dato": "2020-01-01", "alder": alder, "antal": "700"}
    return _over(row, over)


def _over(row: dict[str, str], over: dict[str, str]) -> dict[str, str]:
    unknown = set(over) - set(row)
    assert not unknown, f"not a column of this kind: {unknown}"
    return {**row, **over}


def csv_text(*rows: dict[str, str], columns: list[str] | None = None) -> str:
    """`;`-separated text with a header (the first row's keys, or `columns`) and `\\n` line ends."""
    columns = columns or list(rows[0])
    lines = [";".join(columns)] + [";".join(row[c] for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def write(path: Path, content: str | bytes, *, encoding: str = "utf-8", bom: bool = False, gz: bool = False) -> Path:
    """Write text in `encoding` (a UTF-8 BOM in front when asked), or bytes as they are; gzip if asked."""
    data = content if isinstance(content, bytes) else content.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    if gz:
        data = gzip_lib.compress(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------------------
# an inbox and a run of the real ingest
# ------------------------------------------------------------------------------------------------

class Inbox:
    """A tmp inbox, staging folder and DuckDB warehouse file; the key is set in the environment."""

    def __init__(self, tmp_path: Path, monkeypatch: Any, key: str | None = KEY) -> None:
        self.root = tmp_path / "inbox"
        self.root.mkdir(parents=True)
        self.data_dir = tmp_path / "data"
        self.warehouse = tmp_path / "warehouse.duckdb"
        self._logs: tuple[pd.DataFrame, pd.DataFrame] | None = None
        monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")
        monkeypatch.setattr("transforms.pseudonym._from_airflow", lambda: None)  # hermetic: no Airflow key
        if key is None:
            monkeypatch.delenv("TRAPPE_PSEUDONYM_KEY", raising=False)
        else:
            monkeypatch.setenv("TRAPPE_PSEUDONYM_KEY", key)

    def add(self, relative: str, content: str | bytes, **how: Any) -> Path:
        """Write a delivery at `<inbox>/<relative>` (see `write` for encoding, BOM and gzip)."""
        return write(self.root / relative, content, **how)

    def context(self, run_id: str = "r1", as_of: str = "") -> RunContext:
        return RunContext(inbox=str(self.root), data_dir=str(self.data_dir), warehouse_url=f"duckdb:///{self.warehouse}",
                          run_id=run_id, started_at="2024-01-01T03:00:00", as_of=as_of)

    def run(self, source: str = "case", kommunekode: int = 510, run_id: str = "r1", as_of: str = "") -> dict[str, Any]:
        summary = ingest(source, kommunekode, self.context(run_id, as_of))
        self._logs = None
        return summary

    # -- what the runs wrote (the two logs are read once after each run) -------------------------

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        with open_warehouse(f"duckdb:///{self.warehouse}") as wh:
            return wh.query(sql, params)

    def _read_logs(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self._logs is None:
            with open_warehouse(f"duckdb:///{self.warehouse}") as wh:
                self._logs = (wh.query("SELECT * FROM published.load_audit ORDER BY run_id, file_name"),
                              wh.query("SELECT * FROM published.quarantine ORDER BY run_id, file_name, row_number"))
        return self._logs

    def audit(self, run_id: str | None = None) -> pd.DataFrame:
        """published.load_audit (of one run if given), indexed by file name."""
        audit = self._read_logs()[0]
        return (audit[audit["run_id"] == run_id] if run_id else audit).set_index("file_name")

    def status(self, file_name: str, run_id: str = "r1") -> str:
        return self.audit(run_id).loc[file_name, "status"]

    def quarantine(self, run_id: str | None = None) -> pd.DataFrame:
        """published.quarantine (of one run if given); fails if any value_masked looks like a CPR."""
        q = self._read_logs()[1]
        for value in q["value_masked"].dropna():
            assert not CPR_SHAPED.search(value), f"a CPR-shaped value reached quarantine: {value!r}"
        return q[q["run_id"] == run_id] if run_id else q

    def staged(self, table: str) -> pd.DataFrame:
        return Staging(self.data_dir / "staging").read(table)

    def staging_files(self) -> list[Path]:
        base = self.data_dir / "staging"
        return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


def quarantined(inbox: Inbox, file_name: str | None = None) -> list[tuple[int | None, str, str]]:
    """(row_number, column_name, rule) of every quarantine row (of one file), in row order."""
    q = inbox.quarantine()
    if file_name is not None:
        q = q[q["file_name"] == file_name]
    return [(None if pd.isna(r) else int(r), c, rule) for r, c, rule in q[["row_number", "column_name", "rule"]].itertuples(index=False)]


def counts(inbox: Inbox, file_name: str, run_id: str = "r1") -> tuple[int, int, int]:
    """(rows_read, rows_loaded, rows_quarantined) of a file in a run's load_audit."""
    row = inbox.audit(run_id).loc[file_name]
    return int(row["rows_read"]), int(row["rows_loaded"]), int(row["rows_quarantined"])
