"""The partnership office's extract (warehouse.md §4): per municipality and measurement point a
workbook, the same tables as CSV, a report with the evaluation report's charts (HTML, and PDF where
Chromium is installed) and a manifest with every file's SHA-256.

Modules: `source` reads `published` (never `staging`), `tabular` labels and rounds the tables,
`workbook`, `csv_tables`, `report` (+ `charts`), `pdf` and `manifest` write one output each, and
`orchestrate` puts them together. `trappe deliver` calls `orchestrate.deliver`; the `deliver` DAG
calls it through `scheduled`.
"""
from __future__ import annotations

from transforms.delivery.orchestrate import DeliveryError, DeliveryResult, deliver, parse_points, plan

__all__ = ["DeliveryError", "DeliveryResult", "deliver", "parse_points", "plan"]
