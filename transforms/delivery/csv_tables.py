"""The delivered tables as CSV files that Danish Excel opens correctly: `;` between fields, UTF-8
with a byte-order mark, decimal comma, no thousands separator, dates as YYYY-MM-DD, CRLF line ends,
one header row. Cells are the workbook's (tabular.py), text already neutralised against formulas."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from transforms.delivery.formatting import number_da
from transforms.delivery.tabular import Cell, Sheet


def csv_bytes(sheet: Sheet) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_field(c) for c in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _field(cell: Cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_da(value, cell.decimals)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
