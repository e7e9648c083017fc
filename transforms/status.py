"""`trappe status`: what the last run published, when, and what it quarantined — for an operator."""
from __future__ import annotations

from typing import Any

import pandas as pd

from transforms.tables import PUBLISHED
from transforms.warehouse import open_warehouse


def last_run(url: str) -> dict[str, Any]:
    """The newest run in the audit log: its time, files by status, quarantine by rule, rows it published."""
    with open_warehouse(url) as wh:
        wh.ensure_published()
        runs = wh.query("SELECT run_id, MIN(loaded_at) AS started FROM published.load_audit GROUP BY run_id ORDER BY started DESC, run_id DESC")
        if runs.empty:
            return {"run_id": None}
        run_id = str(runs["run_id"].iloc[0])
        files = wh.query("SELECT source, status, COUNT(*) AS files, CAST(SUM(rows_read) AS BIGINT) AS rows_read, "
                         "CAST(SUM(rows_quarantined) AS BIGINT) AS rows_quarantined FROM published.load_audit "
                         "WHERE run_id = ? GROUP BY source, status ORDER BY source, status", [run_id])
        rules = wh.query("SELECT source, rule, COUNT(*) AS rows FROM published.quarantine WHERE run_id = ? "
                         "GROUP BY source, rule ORDER BY rows DESC, source, rule", [run_id])
        published = pd.DataFrame(
            [(t.name, int(wh.query(f"SELECT COUNT(*) AS n FROM {t.qualified} WHERE run_id = ?", [run_id])["n"].iloc[0]))
             for t in PUBLISHED.values() if "run_id" in t.column_names and t.name not in ("load_audit", "quarantine")],
            columns=["table", "rows from this run"])
    return {"run_id": run_id, "started": runs["started"].iloc[0], "runs": len(runs), "files": files, "rules": rules, "published": published}
