"""The `trappe` command: generate a synthetic inbox, run the nightly DAGs, read back what was published."""
from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="trappe: key figures on the intervention staircase from municipal extracts.", no_args_is_help=True,
                  add_completion=False)
console = Console()


def _codes(text: str | None) -> list[int] | None:
    return [int(c) for c in text.split(",") if c.strip()] if text else None


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Inbox folder to write")],
    municipalities: Annotated[Optional[int], typer.Option(help="The first N municipalities (510, 657, 167 first)")] = None,
    kommunekoder: Annotated[Optional[str], typer.Option(help="Comma-separated municipality codes, e.g. 510,657,167")] = None,
    scale: Annotated[float, typer.Option(help="1 = real Danish volumes")] = 1.0,
    seed: Annotated[int, typer.Option(help="Same seed, same files")] = 42,
    from_year: Annotated[int, typer.Option(help="First year of history")] = 2011,
    to_date: Annotated[str, typer.Option(help="Extraction date of the newest deliveries (YYYY-MM-DD)")] = "2026-10-31",
) -> None:
    """Write a realistic synthetic inbox (sources.md), flawed rows included, deterministic per seed."""
    from transforms.generator import generate_inbox

    started = time.perf_counter()
    with console.status("Generating inbox…") as status:
        summary = generate_inbox(out, kommunekoder=_codes(kommunekoder), municipalities=municipalities, scale=scale, seed=seed,
                                 from_year=from_year, to_date=date.fromisoformat(to_date), progress=lambda m: status.update(m))
    console.print(f"[green]Inbox written[/] to {out} in {time.perf_counter() - started:.1f} s")
    console.print(summary)


@app.command()
def run(
    inbox: Annotated[Path, typer.Option(help="Inbox folder (sources.md layout)")],
    warehouse: Annotated[Optional[str], typer.Option(help="SQLAlchemy URL or DuckDB file; default: $TRAPPE_WAREHOUSE_URL, the connection trappe_warehouse, or <data-dir>/warehouse.duckdb")] = None,
    as_of: Annotated[Optional[str], typer.Option(help="Replay the night of this date: later deliveries are left out")] = None,
    data_dir: Annotated[Path, typer.Option(help="Staging, Airflow home and logs")] = Path("data"),
    demo: Annotated[bool, typer.Option(help="Allow the public demo pseudonymisation key when none is set")] = False,
    config: Annotated[Optional[Path], typer.Option(help="Parameters file (default: $TRAPPE_CONFIG or trappe.toml)")] = None,
    processes: Annotated[Optional[int], typer.Option(min=1, help="Worker processes that read, check and stage the files and compute the tables (default: the machine's cores, one for a night of under 32 MB)")] = None,
) -> None:
    """One full nightly run through the Airflow DAGs (in-process), publishing to the warehouse."""
    from transforms.pseudonym import MissingKey, load_key
    from transforms.runner import new_context, prepare_airflow, run_dags
    from transforms.summary import run_summary
    from transforms.warehouse import describe, resolve_url

    if not inbox.is_dir():
        console.print(f"[red]No inbox folder at {inbox}[/]")
        raise typer.Exit(2)
    if as_of:
        date.fromisoformat(as_of)
    prepare_airflow(data_dir)  # before anything imports Airflow: its home and database live under data_dir
    try:
        load_key(demo)  # fail fast, before Airflow starts, with the clear message (tasks load it again themselves)
    except MissingKey as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    url = resolve_url(warehouse, default=data_dir / "warehouse.duckdb")
    ctx = new_context(inbox, data_dir, url, as_of or "", demo, config, processes or os.cpu_count() or 1)
    log_file = Path(ctx.data_dir) / "airflow" / "logs" / f"{ctx.run_id}.log"
    started = time.perf_counter()
    console.print(f"Run [bold]{ctx.run_id}[/]: inbox {ctx.inbox} → warehouse {describe(url)}")
    try:
        with console.status("Starting Airflow…") as status:
            results = run_dags(ctx, log_file, on_step=lambda dag_id: status.update(f"Running DAG [bold]{dag_id}[/]…"),
                               right_size=processes is None)
    except Exception as exc:  # noqa: BLE001 - every failure ends in one clear line and a non-zero exit
        console.print(f"[red]Run failed:[/] {exc}")
        console.print(f"Airflow's log of the run: {log_file}")
        raise typer.Exit(1) from None
    for r in results:
        console.print(f"  DAG {r.dag_id}: [green]{r.state}[/]")
    result = run_summary(url, ctx.run_id, inbox)
    _print_summary({"Files per source (this run)": result["audit"], "Quarantined rows by rule": result["rules"],
                    "Key figures published": result["published"], "Published tables": result["tables"]})
    if result["ignored"]:
        console.print(f"Ignored (outside the source folders): {', '.join(result['ignored'])}")
    console.print(f"Published to {describe(url)} in {time.perf_counter() - started:.1f} s; Airflow's log: {log_file}")


@app.command()
def status(
    warehouse: Annotated[Optional[str], typer.Option(help="SQLAlchemy URL or DuckDB file; default as for `run`")] = None,
    data_dir: Annotated[Path, typer.Option(help="Data folder of the runs (for the default warehouse)")] = Path("data"),
) -> None:
    """What the last run published, when, and what it quarantined."""
    from transforms.runner import prepare_airflow
    from transforms.status import last_run
    from transforms.warehouse import describe, resolve_url

    prepare_airflow(data_dir)
    url = resolve_url(warehouse, default=data_dir / "warehouse.duckdb")
    report = last_run(url)
    if report["run_id"] is None:
        console.print(f"No run has written to {describe(url)} yet.")
        raise typer.Exit(1)
    console.print(f"Last run [bold]{report['run_id']}[/], started {report['started']} ({report['runs']} run(s) in the log), warehouse {describe(url)}")
    _print_summary({"Files by status": report["files"], "Quarantined rows by rule": report["rules"],
                    "Rows published by this run": report["published"]})


@app.command()
def deliver(
    out: Annotated[Path, typer.Option(help="Outbox folder: extracts go to <out>/<kommunekode>/<measurement point>/")],
    warehouse: Annotated[Optional[str], typer.Option(help="SQLAlchemy URL or DuckDB file; default as for `run`")] = None,
    kommunekoder: Annotated[Optional[str], typer.Option(help="Comma-separated municipality codes; default: every municipality in the warehouse")] = None,
    measurement_point: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD (several: comma-separated), or 'all'; default: the newest point in the warehouse")] = None,
    pdf: Annotated[bool, typer.Option(help="Also print the report as PDF where Chromium is installed")] = True,
    data_dir: Annotated[Path, typer.Option(help="Data folder of the runs (for the default warehouse)")] = Path("data"),
) -> None:
    """Write the partnership office's extract (workbook, CSV, report, manifest) per municipality and measurement point."""
    import os

    from transforms.delivery import DeliveryError, deliver as deliver_extracts, parse_points
    from transforms.warehouse import describe, resolve_url

    try:
        points = parse_points(measurement_point)
        codes = _codes(kommunekoder)
    except ValueError as exc:
        console.print(f"[red]Bad argument:[/] {exc}")
        raise typer.Exit(2) from None
    if not warehouse and not os.environ.get("TRAPPE_WAREHOUSE_URL"):
        from transforms.runner import prepare_airflow

        prepare_airflow(data_dir)  # the Airflow connection trappe_warehouse may decide
    url = resolve_url(warehouse, default=data_dir / "warehouse.duckdb")
    started = time.perf_counter()
    try:
        with console.status("Reading the warehouse…") as status:
            result = deliver_extracts(url, out, codes, points, with_pdf=pdf, progress=status.update)
    except DeliveryError as exc:
        console.print(f"[red]Nothing delivered:[/] {exc} ({describe(url)})")
        raise typer.Exit(1) from None
    except Exception as exc:  # noqa: BLE001 - every failure ends in one clear line and a non-zero exit
        console.print(f"[red]Delivery failed:[/] {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from None
    console.print(f"Extracts from {describe(url)}:")
    for d in result.delivered:
        console.print(f"  {d.kommunekode} {d.municipality}, {d.point.isoformat()}: {len(d.files)} files from {d.run_id} → {d.folder}")
    if result.delivered:
        console.print(f"PDF: {result.delivered[0].pdf}")
    for k, point, why in result.skipped:
        console.print(f"[yellow]Not delivered[/] {k}{' at ' + point.isoformat() if point else ''}: {why}")
    console.print(f"{len(result.delivered)} extract(s) written to {out} in {time.perf_counter() - started:.1f} s")
    if result.skipped and (codes or points):
        raise typer.Exit(1)  # something explicitly asked for could not be delivered


def _print_summary(summary: dict) -> None:
    for title, frame in summary.items():
        table = Table(title=title, title_justify="left")
        for col in frame.columns:
            table.add_column(str(col), justify="right" if frame[col].dtype.kind in "iuf" else "left")
        for row in frame.itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


if __name__ == "__main__":
    app()
