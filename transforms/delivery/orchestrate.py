"""Deliver: for each municipality and measurement point asked for, write the extract into
`<out>/<kommunekode>/<measurement point>/` (warehouse.md §4):

    trappe_<k>_<point>.xlsx                 front sheet + a sheet per table
    trappe_<k>_<point>_<table>.csv          the same tables as CSV
    trappe_<k>_<point>_rapport.html         the charts, self-contained
    trappe_<k>_<point>_rapport.pdf          its printable copy, where Chromium is installed
    manifest.json                           SHA-256 of every file, the run and the measurement point

The folder is written beside the old one and swapped in whole, so a reader never sees half an
extract, and a file that is no longer delivered does not linger. Delivering the same run again
gives byte-identical files.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from transforms.delivery import csv_tables, manifest, pdf, report, source, tabular, workbook
from transforms.warehouse import open_warehouse

ALL_POINTS = "all"


@dataclass(frozen=True)
class Delivered:
    kommunekode: int
    municipality: str
    point: date
    folder: Path
    files: list[str]
    run_id: str
    pdf: str


@dataclass
class DeliveryResult:
    delivered: list[Delivered] = field(default_factory=list)
    skipped: list[tuple[int, date | None, str]] = field(default_factory=list)  # (kommunekode, point, why)


class DeliveryError(RuntimeError):
    """Nothing can be delivered as asked (no published figures, an unknown municipality or point)."""


def parse_points(text: str | None) -> list[date] | str | None:
    """`--measurement-point`: empty (the newest), `all`, or dates YYYY-MM-DD separated by commas."""
    if not text:
        return None
    if text.strip().lower() == ALL_POINTS:
        return ALL_POINTS
    return [date.fromisoformat(p.strip()) for p in text.split(",") if p.strip()]


def plan(wh, kommunekoder: Iterable[int] | None, points: list[date] | str | None) -> tuple[list[tuple[int, date]], list[tuple[int, date | None, str]]]:
    """The (municipality, point) pairs to deliver, and those asked for that the warehouse cannot give."""
    present = source.existing_tables(wh)
    if "key_figures" not in present:
        raise DeliveryError("the warehouse has no published.key_figures: run `trappe run` first")
    known = source.municipalities(wh)
    if not known:
        raise DeliveryError("published.key_figures is empty: run `trappe run` first")
    codes = sorted(set(kommunekoder)) if kommunekoder else known
    if points is None:
        newest = source.measurement_points(wh)[-1]
        points = [newest]
    todo, skipped = [], []
    for k in codes:
        own = source.measurement_points(wh, k)
        if not own:
            skipped.append((k, None, "no published key figures for this municipality"))
            continue
        wanted = own if points == ALL_POINTS else points
        for p in wanted:
            if p in own:
                todo.append((k, p))
            else:
                skipped.append((k, p, f"no key figures at {p.isoformat()} (its points run {own[0].isoformat()} to {own[-1].isoformat()})"))
    return todo, skipped


def deliver(url: str, out: Path, kommunekoder: Iterable[int] | None = None, points: list[date] | str | None = None,
            with_pdf: bool = True, progress: Callable[[str], None] = lambda _: None) -> DeliveryResult:
    """Deliver every (municipality, point) asked for; see the module's docstring for the layout."""
    chromium = pdf.find_chromium() if with_pdf else None
    pdf_state = "written" if chromium else ("not asked for (--no-pdf)" if not with_pdf else
                                            "not written: no Chromium on this machine (the HTML report is complete)")
    if url.startswith("duckdb:///") and not Path(url.removeprefix("duckdb:///")).is_file():
        raise DeliveryError(f"no DuckDB warehouse at {url.removeprefix('duckdb:///')}")
    result = DeliveryResult()
    with open_warehouse(url) as wh:
        todo, result.skipped = plan(wh, kommunekoder, points)
        for i, (k, point) in enumerate(todo, start=1):
            progress(f"Delivering {k} at {point.isoformat()} ({i}/{len(todo)})…")
            extract = source.read_extract(wh, k, point)
            result.delivered.append(write_extract(extract, Path(out), chromium, pdf_state))
    return result


def render(extract: source.Extract, chromium: str | None, pdf_state: str, scratch: Path) -> dict[str, bytes]:
    """Every file of one extract, by name."""
    stem = extract.stem
    files: dict[str, bytes] = {}
    figures = report.figures(extract)
    html = report.report_html(extract, figures).encode("utf-8")
    files[f"{stem}_rapport.html"] = html
    if chromium:
        page = scratch / f"{stem}_rapport.html"
        page.write_bytes(html)
        files[f"{stem}_rapport.pdf"] = pdf.print_pdf(chromium, page, extract.run_started)
    sheets = tabular.sheets(extract)
    for sheet in sheets:
        files[f"{stem}_{sheet.table}.csv"] = csv_tables.csv_bytes(sheet)
    listing = sorted([*files, f"{stem}.xlsx", manifest.NAME])
    files[f"{stem}.xlsx"] = workbook.workbook_bytes(extract, sheets, listing)
    files[manifest.NAME] = manifest.manifest_bytes(extract, files, figures, pdf_state)
    return files


def write_extract(extract: source.Extract, out: Path, chromium: str | None, pdf_state: str) -> Delivered:
    final = out / str(extract.kommunekode) / extract.point.isoformat()
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.new-", dir=final.parent))
    try:
        scratch = Path(tempfile.mkdtemp(prefix="trappe-deliver-"))
        try:
            files = render(extract, chromium, pdf_state, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        for name, data in files.items():
            (staging / name).write_bytes(data)
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        _swap_in(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Delivered(extract.kommunekode, extract.municipality, extract.point, final, sorted(files), extract.run_id, pdf_state)


def _swap_in(new: Path, final: Path) -> None:
    if not final.exists():
        new.rename(final)
        return
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)
