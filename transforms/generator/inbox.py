"""``generate_inbox``: a realistic, deliberately imperfect synthetic inbox, deterministic per seed.

Each municipality is simulated and written on its own (its own random streams, see seeding.py), in
worker processes when the work is large enough to pay for them; the national population file and
the README are written last from what the municipalities returned. The same arguments give
byte-identical files, whatever the number of processes.
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from .case import case_deliveries
from .caseworkers import build_caseworkers
from .conventions import Conventions, conventions_for
from .dates import add_months
from .flaws import FlawContext, inject
from .followups import build_followups
from .investigations import build_investigations
from .ledger import build_ledger, ledger_deliveries
from .measures import build_measures
from .municipalities import Municipality, load_municipalities, select_municipalities
from .population import (
    census_dates,
    population_counts,
    population_delivery,
    preliminary,
    simulate_children,
    target_children,
)
from .readme import readme_text
from .school import build_school_years, school_deliveries
from .seeding import NATIONAL, Stream, rng_for
from .staircase import simulate_episodes
from .window import Window
from .writer import Delivery, format_table, write_table

PARALLEL_FROM_CHILDREN = 60_000
"""Below this many children in total, worker processes cost more than they save."""


@dataclass(frozen=True)
class GenerationSummary:
    """What ``generate_inbox`` wrote.

    ``rows_per_source`` counts data rows written (flawed extra rows included) per source folder;
    ``flawed_rows`` counts the flawed rows injected per kind (flaws.py).
    """

    out: Path
    kommunekoder: tuple[int, ...]
    files_written: int
    bytes_written: int
    rows_per_source: Mapping[str, int]
    children_simulated: int
    flawed_rows: Mapping[str, int]


@dataclass(frozen=True)
class _Job:
    municipality: Municipality
    neighbour: int
    scale: float
    window: Window
    seed: int
    n_slots: int
    out: Path


@dataclass(frozen=True)
class _Written:
    """Files, bytes, rows per source and flawed rows per kind of a set of deliveries."""

    files: int = 0
    bytes: int = 0
    rows: Counter = field(default_factory=Counter)
    flaws: Counter = field(default_factory=Counter)

    def __add__(self, other: _Written) -> _Written:
        return _Written(self.files + other.files, self.bytes + other.bytes, self.rows + other.rows,
                        self.flaws + other.flaws)


@dataclass(frozen=True)
class _Result:
    kommunekode: int
    children: int
    written: _Written
    population: np.ndarray


def _emit(out: Path, delivery: Delivery, conv: Conventions, seed: int, kommunekode: int, neighbour: int) -> _Written:
    """Format, flaw and write one delivery."""
    key = zlib.crc32(delivery.stem.encode())
    table = format_table(delivery.frame, delivery.schema, conv, rng_for(seed, kommunekode, Stream.WRITER, key))
    ctx = FlawContext(delivery.extraction, neighbour, delivery.fresh_id, delivery.school_year)
    table, flaws = inject(table, delivery.schema.kind, ctx, rng_for(seed, kommunekode, Stream.FLAWS, key))
    _, size = write_table(out / delivery.folder, delivery.stem, table, delivery.schema, conv, seed, kommunekode,
                          rng_for(seed, kommunekode, Stream.WRITER, key, 1))
    return _Written(1, size, Counter({delivery.schema.source: table.num_rows}), flaws)


def _municipality(job: _Job) -> _Result:
    """Simulate one municipality and write all its files."""
    muni, window, seed = job.municipality, job.window, job.seed
    k = muni.kommunekode
    children = simulate_children(muni, job.scale, window, seed, job.n_slots)
    episodes = simulate_episodes(children, window, rng_for(seed, k, Stream.STAIRCASE))
    measures = build_measures(episodes, children, window, rng_for(seed, k, Stream.MEASURES))
    investigations = build_investigations(measures, children, window, rng_for(seed, k, Stream.INVESTIGATIONS))
    caseworkers = build_caseworkers(measures, window, rng_for(seed, k, Stream.CASEWORKERS))
    followups = build_followups(measures, window, rng_for(seed, k, Stream.FOLLOWUPS))
    deliveries = [
        *case_deliveries(k, children, measures, investigations, caseworkers, followups, window),
        *school_deliveries(k, build_school_years(children, measures, window, seed, k)),
        *ledger_deliveries(k, build_ledger(children, measures, investigations, caseworkers, window, seed, k)),
    ]
    conv = conventions_for(seed, k)
    written = sum((_emit(job.out, d, conv, seed, k, job.neighbour) for d in deliveries), _Written())
    return _Result(k, len(children), written, population_counts(children, census_dates(window)))


def _run(jobs: list[_Job], progress: Callable[[str], None]) -> list[_Result]:
    """Run the jobs, in worker processes when there is enough work; results in job order."""
    total = sum(target_children(j.municipality, j.scale) for j in jobs)
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2 or total < PARALLEL_FROM_CHILDREN:
        results = []
        for job in jobs:
            results.append(_municipality(job))
            progress(_done(job, results[-1]))
        return results
    largest_first = sorted(jobs, key=lambda j: -j.municipality.children_0_17)
    by_code: dict[int, _Result] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_municipality, job): job for job in largest_first}
        for future in as_completed(futures):
            result = future.result()
            by_code[result.kommunekode] = result
            progress(_done(futures[future], result))
    return [by_code[j.municipality.kommunekode] for j in jobs]


def _done(job: _Job, result: _Result) -> str:
    m = job.municipality
    return f"{m.kommunekode} {m.name_da}: {result.children} children, {result.written.files} files"


def generate_inbox(out: Path, *, kommunekoder: list[int] | None = None, municipalities: int | None = None,
                   scale: float = 1.0, seed: int = 42, from_year: int = 2011,
                   to_date: date = date(2026, 10, 31),
                   progress: Callable[[str], None] | None = None) -> GenerationSummary:
    """Write a synthetic inbox (sources.md) for the chosen municipalities under ``out``.

    ``kommunekoder`` picks exact municipalities, ``municipalities=N`` the first N (the partnership
    municipalities 510, 657, 167 first when N >= 3), neither all 98. ``scale`` multiplies the real
    number of children (at least 50 per municipality). ``to_date`` is the extraction date of the
    newest deliveries. Existing files of the same names are overwritten; nothing else in ``out`` is
    touched.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    window = Window(from_year, to_date)
    table = load_municipalities()
    chosen = select_municipalities(table, kommunekoder, municipalities)
    report = progress or (lambda _: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        _Job(m, table[(m.slot + 1) % len(table)].kommunekode, scale, window, seed, len(table), out)
        for m in chosen
    ]
    results = _run(jobs, report)

    written = sum((r.written for r in results), _Written())
    codes = [r.kommunekode for r in results]
    national = conventions_for(seed, NATIONAL)
    dates = census_dates(window)
    newest = population_delivery(codes, dates, [r.population for r in results], window.to_date)
    written += _emit(out, newest, national, seed, NATIONAL, 0)
    if len(dates) > 1:
        rng = rng_for(seed, NATIONAL, Stream.POPULATION)
        older = population_delivery(codes, dates[:-1], [preliminary(r.population[:-1], rng) for r in results],
                                    add_months(window.to_date, -12))
        written += _emit(out, older, national, seed, NATIONAL, 0)
    report("population files written")

    summary = GenerationSummary(
        out=out,
        kommunekoder=tuple(codes),
        files_written=written.files,
        bytes_written=written.bytes,
        rows_per_source=dict(sorted(written.rows.items())),
        children_simulated=sum(r.children for r in results),
        flawed_rows=dict(sorted(written.flaws.items())),
    )
    producers = {m.kommunekode: conventions_for(seed, m.kommunekode) for m in chosen}
    (out / "README.txt").write_text(readme_text(summary, chosen, window, scale, seed, producers), encoding="utf-8")
    report("README.txt written")
    return summary
