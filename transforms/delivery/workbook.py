"""The workbook: a front sheet that says what the extract is, then one sheet per delivered table with
Danish headers, a frozen header row, and numbers rounded and formatted as methodology.md §2 says.

Byte-identical for the same run: the document's created/modified time is the run's start, and the
zip container is re-packed with that time on every entry (openpyxl stamps the wall clock on both:
its `save` overwrites `modified`, so the re-pack sets it again in docProps/core.xml).
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from transforms.delivery.formatting import date_da, neutralise
from transforms.delivery.source import Extract
from transforms.delivery.tabular import Cell, Sheet

FRONT_TITLE = "Om udtrækket"
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BOLD = Font(bold=True)


def workbook_bytes(extract: Extract, sheets: list[Sheet], files: list[str]) -> bytes:
    wb = Workbook()
    front = wb.active
    front.title = FRONT_TITLE
    _front_sheet(front, extract, sheets, files)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        ws.append([neutralise(h) for h in sheet.headers])
        for cell in ws[1]:
            cell.font = BOLD
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(sheet.rows, start=2):
            for c, value in enumerate(row, start=1):
                _put(ws.cell(row=r, column=c), value)
        ws.freeze_panes = "A2"
        if sheet.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{len(sheet.rows) + 1}"
        _widths(ws, sheet)

    started = extract.run_started.replace(tzinfo=None)
    props = wb.properties
    props.creator = props.lastModifiedBy = "trappe"
    props.created = props.modified = started
    props.title = f"Nøgletal for {extract.municipality} Kommune, målepunkt {extract.point.isoformat()}"
    props.subject = "Udtræk til partnerskabssekretariatet"
    props.identifier = extract.run_id
    props.language = "da-DK"
    buffer = io.BytesIO()
    wb.save(buffer)
    return repack(buffer.getvalue(), started)


def repack(data: bytes, when: datetime) -> bytes:
    """The same zip, every entry stamped `when` with fixed attributes: deterministic bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    w3c = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + w3c + m.group(3), content)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content, compresslevel=9)
    return out.getvalue()


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)([^<]*)(</dcterms:(?:created|modified)>)")


def _put(cell, value: Cell) -> None:
    v = value.value
    if v is None:
        return
    if isinstance(v, Decimal):
        cell.value = float(v)
        if value.thousands:
            cell.number_format = "#,##0" if value.decimals == 0 else "#,##0." + "0" * value.decimals
        else:
            cell.number_format = "0" if value.decimals == 0 else "0." + "0" * value.decimals
    elif isinstance(v, datetime):
        cell.value = v.replace(tzinfo=None)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(v, date):
        cell.value = v
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(v, int):
        cell.value = v
        cell.number_format = "0"
    else:
        cell.value = neutralise(str(v))
        cell.data_type = "s"  # never a formula, whatever the text


def _widths(ws, sheet: Sheet) -> None:
    for i, header in enumerate(sheet.headers, start=1):
        longest = max([len(header) // 2 + 2] + [len(_shown(row[i - 1])) for row in sheet.rows[:2000]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 8), 60)


def _shown(cell: Cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return f"{v:,.{cell.decimals}f}"
    return str(v)


def _front_sheet(ws, extract: Extract, sheets: list[Sheet], files: list[str]) -> None:
    ws["A1"] = "Udtræk til partnerskabssekretariatet"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ("Kommunens nøgletal for omlægningen til en tidligere forebyggende indsats (indsatstrappen), "
                "som de stod på målepunktet, med deres historik.")
    facts: list[tuple[str, object, str | None]] = [
        ("Kommune", f"{extract.municipality} ({extract.kommunekode})", None),
        ("Målepunkt", extract.point, "yyyy-mm-dd"),
        ("Målepunkt (tekst)", date_da(extract.point), None),
        ("Kørsel (run_id)", extract.run_id or "(ingen)", None),
        ("Kørslen startede (UTC)", extract.run_started.replace(tzinfo=None), "yyyy-mm-dd hh:mm:ss"),
        ("Kilde", "Datavarehusets skema published (trappe); aldrig mikrodata fra staging", None),
    ]
    row = 4
    for label, value, fmt in facts:
        ws.cell(row=row, column=1, value=label).font = BOLD
        cell = ws.cell(row=row, column=2)
        if isinstance(value, str):
            cell.value = neutralise(value)
            cell.data_type = "s"
        else:
            cell.value = value
            cell.number_format = fmt
            cell.alignment = Alignment(horizontal="left")
        row += 1
    row += 1
    for c, h in enumerate(("Ark", "Indhold", "Rækker", "Bemærkning"), start=1):
        cell = ws.cell(row=row, column=c, value=h)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for sheet in sheets:
        row += 1
        note = "" if sheet.rows else ("ingen data" if sheet.exists else "ingen data (tabellen findes endnu ikke i datavarehuset)")
        ws.cell(row=row, column=1, value=sheet.title)
        ws.cell(row=row, column=2, value=neutralise(sheet.description))
        ws.cell(row=row, column=3, value=len(sheet.rows))
        ws.cell(row=row, column=4, value=note)
    row += 2
    notes = [
        ("Afrunding", "Pr. 1.000 0-17-årige med 2 decimaler, procenter, sagsstammer, dage og skolegennemsnit med 1 decimal, "
                      "beløb i hele 1.000 kr. (metode §2). Datavarehuset gemmer de uafrundede tal."),
        ("Diskretionering", "Som i datavarehuset: en skolecelle med for få elever er undertrykt (ingen værdi), og det samme "
                            "gælder den forskel, der ville afsløre den. Udtrækket indeholder ingen mikrodata og ingen pseudonymer."),
        ("Filer", "; ".join(files)),
        ("CSV", "De samme tabeller som CSV: semikolon, UTF-8 med BOM, decimalkomma, datoer som ÅÅÅÅ-MM-DD."),
        ("Kontrol", "manifest.json giver SHA-256 for hver fil, kørslen og målepunktet."),
    ]
    for label, text in notes:
        ws.cell(row=row, column=1, value=label).font = BOLD
        cell = ws.cell(row=row, column=2, value=neutralise(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["C"].width = 10
    ws.column_dimensions["D"].width = 40
