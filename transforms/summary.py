"""What a run published, read back from the warehouse: the summary `trappe run` prints."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from transforms.inbox import scan
from transforms.tables import PUBLISHED
from transforms.warehouse import open_warehouse


def run_summary(url: str, run_id: str, inbox: Path) -> dict[str, Any]:
    with open_warehouse(url) as wh:
        audit = wh.query("""SELECT source, COUNT(*) AS files, CAST(SUM(rows_read) AS BIGINT) AS rows_read, CAST(SUM(rows_loaded) AS BIGINT) AS rows_loaded,
                                   CAST(SUM(rows_quarantined) AS BIGINT) AS rows_quarantined,
                                   CAST(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT) AS files_rejected,
                                   CAST(SUM(CASE WHEN status IN ('unchanged', 'superseded') THEN 1 ELSE 0 END) AS BIGINT) AS files_unchanged_or_superseded
                            FROM published.load_audit WHERE run_id = ? GROUP BY source ORDER BY source""", [run_id])
        rules = wh.query("""SELECT source, rule, COUNT(*) AS rows FROM published.quarantine WHERE run_id = ?
                            GROUP BY source, rule ORDER BY source, rows DESC""", [run_id])
        published = wh.query("""SELECT kommunekode, COUNT(*) AS key_figure_rows, COUNT(DISTINCT measurement_date) AS dates,
                                       CAST(MIN(measurement_date) AS VARCHAR) AS first_date, CAST(MAX(measurement_date) AS VARCHAR) AS last_date
                                FROM published.key_figures WHERE run_id = ? GROUP BY kommunekode ORDER BY kommunekode""", [run_id])
        tables = pd.DataFrame([(t.name, wh.count(t.qualified)) for t in PUBLISHED.values()], columns=["table", "rows"])
    return {"audit": audit, "rules": rules, "published": published, "tables": tables, "ignored": scan(inbox).ignored}
