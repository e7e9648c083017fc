"""Municipal accounts (``regnskab``): thin but real postings on the chart of accounts.

Expenditure follows the simulated activity: the child-years a municipality's children spend in each
kind of measure in a fiscal year, times a cost per child-year (2011 level, +2 % a year, ±10 % per
municipality), booked on the function and grouping the authorised chart of accounts uses for it
(accounts.md §1) and split into kinds (salaries, purchases, transfers). Beside them: revenues (sales
of places to other municipalities, art 7.x, negative), state refunds for expensive cases (dranst 2,
art 8.6, negative), an occasional capital posting (dranst 3), a few corrections with the opposite
sign, administration of the children's area on 6.45.58 from 2013 (on 6.45.51 before), and postings
outside the pipeline's scope (6.45.51 for the whole municipality, 5.28.25, 3.22.01 schools).

A municipality of 11 000 children spends about 100-200 million DKK a year on 5.28. Files: final
accounts (``regnskab``) for each closed year, delivered the next spring; expected accounts
(``forventet``) for the current year, and for the previous year an expected delivery in October that
its final accounts replace.

Booking differs between municipalities (the report: Herning books its authority social workers on
6.45.51). Herning, and a fifth of the others, book the administration of the children's area on
6.45.51 in every year; they deliver ``kontoplan_tilpasning_<date>.csv`` (accounts.md §1) that counts
a share (``andel``, their own estimate to three decimals) of 6.45.51 as administration, and a revised
estimate a few years later, which supersedes the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from . import legal
from .caseworkers import Caseworkers
from .dates import day
from .investigations import Investigations
from .measures import Measures
from .population import Children
from .seeding import Stream, rng_for
from .window import Window
from .writer import Col, Delivery, Schema

PRICE_GROWTH = 0.02
TOWN_HALL_BOOKERS = (657,)
"""Herning books the administration of the children's area on 6.45.51 (the evaluation report)."""
TOWN_HALL_SHARE = 0.2
"""The probability that any other municipality books it there too."""
CHILDREN_ADMIN_FROM = 2013
"""Administration of the children's area is booked on 6.45.58 from this year (methodology.md §4)."""

# cost per child-year in 2011 DKK, and where it is booked: (funktion, gruppering)
SETTING_ACCOUNTS = {
    "eget_vaerelse": (200_000, "5.28.20", "005"),
    "kollegium": (200_000, "5.28.20", "005"),
    "netvaerksplejefamilie": (150_000, "5.28.22", "005"),
    "plejefamilie": (420_000, "5.28.22", "002"),
    "forstaerket_plejefamilie": (520_000, "5.28.22", "002"),
    "specialiseret_plejefamilie": (650_000, "5.28.22", "002"),
    "kommunal_plejefamilie": (450_000, "5.28.22", "004"),
    "opholdssted": (900_000, "5.28.20", "003"),
    "skibsprojekt": (900_000, "5.28.20", "003"),
    "kostskole": (250_000, "5.28.20", "004"),
    "efterskole": (250_000, "5.28.20", "004"),
    "doegninstitution": (1_300_000, "5.28.23", "001"),
    "delt_doegninstitution": (1_100_000, "5.28.23", "001"),
    "sikret_doegninstitution": (2_500_000, "5.28.24", "001"),
}
HOME_BASED_GROUPING = {
    "SEL 52.3.2": "002", "BL 32.1.2": "002",
    "SEL 52.3.3": "003", "BL 32.1.5": "003",
    "SEL 52.3.4": "004", "BL 32.1.6": "004",
    "SEL 52.3.5": "005", "BL 32.1.7": "005",
    "SEL 52.3.6": "007", "BL 32.1.3": "007",
}
"""Other home-based measures go to 5.28.21 without a specific grouping (001)."""
HOME_BASED_COST = 110_000
PREVENTIVE_COST = 25_000
INVESTIGATION_COST = 12_000
SPECIAL_DAY_CARE_PER_CHILD = 1_200
"""5.28.25 (children with disabilities; excluded from the tables)."""
ADMIN_PER_FTE = 620_000
"""6.45.58: salary and overhead per caseworker FTE."""
TOWN_HALL_PER_CHILD = 2_800 * 4.8
"""6.45.51, the whole municipality's administration: per inhabitant, 4.8 inhabitants per child."""
SCHOOL_PER_CHILD = 80_000 * 0.55
"""3.22.01 folkeskoler (outside the children's area): per pupil, 0.55 pupils per child."""
KINDS = {
    # funktion: (art, share of gross) for operating expenses
    "5.28.20": (("4.0", 0.85), ("1.0", 0.10), ("2.2", 0.05)),
    "5.28.21": (("1.0", 0.45), ("4.0", 0.45), ("5.9", 0.10)),
    "5.28.22": (("1.0", 0.55), ("4.0", 0.35), ("5.9", 0.10)),
    "5.28.23": (("1.0", 0.70), ("2.2", 0.10), ("4.0", 0.20)),
    "5.28.24": (("4.0", 1.0),),
    "5.28.25": (("1.0", 0.80), ("2.2", 0.20)),
    "6.45.58": (("1.0", 0.92), ("2.2", 0.03), ("4.0", 0.05)),
    "6.45.51": (("1.0", 0.85), ("2.2", 0.05), ("4.0", 0.10)),
    "3.22.01": (("1.0", 0.80), ("2.2", 0.10), ("4.0", 0.10)),
}
REVENUES = {"5.28.20": ("7.2", 0.08), "5.28.21": ("7.1", 0.01), "5.28.23": ("7.2", 0.12)}
REFUNDED = ("5.28.20", "5.28.22", "5.28.23")
LEDGER = Schema("regnskab", "ledger", (
    ("kommunekode", Col.INT), ("aar", Col.INT), ("status", Col.TEXT), ("funktion", Col.TEXT),
    ("gruppering", Col.TEXT), ("dranst", Col.INT), ("art", Col.TEXT), ("beloeb", Col.DECIMAL),
))
MAPPING = Schema("kontoplan_tilpasning", "ledger", (
    ("funktion", Col.TEXT), ("gruppering", Col.TEXT), ("category", Col.TEXT), ("step", Col.TEXT), ("andel", Col.DECIMAL),
))


_Posting = tuple[str, str, int, str, float]
"""(funktion, gruppering, dranst, art, amount)"""
_Bookings = tuple[np.ndarray, list[tuple[str, str]], np.ndarray]
"""Per measure: index of its (funktion, gruppering) account (-1: none); the accounts; the cost per
child-year."""


@dataclass(frozen=True)
class LedgerFile:
    """One delivery of one fiscal year's accounts."""

    year: int
    status: str
    delivered: date
    rows: dict[str, np.ndarray]


@dataclass(frozen=True)
class MappingFile:
    """One delivery of a municipality's own mapping rows (``kontoplan_tilpasning``)."""

    delivered: date
    andel: float


def books_on_town_hall(seed: int, kommunekode: int) -> bool:
    """Whether the municipality books the administration of the children's area on 6.45.51."""
    return kommunekode in TOWN_HALL_BOOKERS or rng_for(seed, kommunekode, Stream.LEDGER, 0, 1).random() < TOWN_HALL_SHARE


def _overlap_years(start: np.ndarray, end: np.ndarray, year: int) -> np.ndarray:
    """Years (fractions) of each interval [start, end] inside the calendar year."""
    lo, hi = day(date(year, 1, 1)), day(date(year, 12, 31))
    return np.maximum(np.minimum(end, hi) - np.maximum(start, lo) + 1, 0) / (hi - lo + 1)


def _measure_accounts(m: Measures) -> _Bookings:
    """Where each measure is booked (index into the returned accounts; -1 nowhere) and its cost
    per child-year at 2011 prices."""
    accounts: dict[tuple[str, str], int] = {}
    where = np.full(len(m), -1)
    cost = np.zeros(len(m))

    def book(mask: np.ndarray, account: tuple[str, str], unit: float) -> None:
        where[mask] = accounts.setdefault(account, len(accounts))
        cost[mask] = unit

    for setting, (unit, funktion, gruppering) in SETTING_ACCOUNTS.items():
        book(m.setting == setting, (funktion, gruppering), unit)
    home = (m.step == 3) & (m.setting == "")
    book(home, ("5.28.21", "001"), HOME_BASED_COST)
    for code, gruppering in HOME_BASED_GROUPING.items():
        book(home & (m.paragraf == code), ("5.28.21", gruppering), HOME_BASED_COST)
    preventive = m.step == 2
    book(preventive, ("5.28.21", "017"), PREVENTIVE_COST)
    out_of_scope = np.isin(m.paragraf, legal.OUT_OF_SCOPE_PREVENTIVE.sel + legal.OUT_OF_SCOPE_PREVENTIVE.bl)
    book(preventive & out_of_scope, ("5.28.21", "016"), PREVENTIVE_COST)
    return where, list(accounts), cost


def _year_rows(year: int, children: Children, m: Measures, bookings: _Bookings, inv: Investigations,
               cw: Caseworkers, level: float, rng: np.random.Generator, on_town_hall: bool = False) -> tuple[list[_Posting], float]:
    """All postings of a fiscal year: (funktion, gruppering, dranst, art, amount); and the share of
    6.45.51 that is the children's area's administration."""
    price = level * (1 + PRICE_GROWTH) ** (year - 2011)
    lo, hi = day(date(year, 1, 1)), day(date(year, 12, 31))
    n_children = int(children.living_on(day(date(year, 7, 1))).sum())
    where, accounts, cost = bookings
    booked = where >= 0
    child_years = _overlap_years(m.start[booked], m.end[booked], year) * cost[booked]
    service = np.bincount(where[booked], weights=child_years, minlength=len(accounts))
    gross = {acc: amount * price for acc, amount in zip(accounts, service) if amount > 0}
    gross[("5.28.21", "014")] = INVESTIGATION_COST * price * int(((inv.decided >= lo) & (inv.decided <= hi)).sum())
    gross[("5.28.25", "001")] = SPECIAL_DAY_CARE_PER_CHILD * price * n_children
    counted = (cw.counted >= lo) & (cw.counted <= hi)
    fte = cw.normtid[counted].sum() / max(1, np.unique(cw.counted[counted]).size)
    admin = ADMIN_PER_FTE * price * max(fte, 1.0)
    town_hall = TOWN_HALL_PER_CHILD * price * n_children
    if year >= CHILDREN_ADMIN_FROM and not on_town_hall:
        gross[("6.45.58", "")] = admin
    else:
        town_hall += admin
    gross[("6.45.51", "")] = town_hall
    share = admin / town_hall
    gross[("3.22.01", "001")] = SCHOOL_PER_CHILD * price * n_children

    rows = []
    for (funktion, gruppering), amount in gross.items():
        for art, share in KINDS[funktion]:
            rows.append((funktion, gruppering, 1, art, amount * share * rng.uniform(0.97, 1.03)))
        if funktion in REVENUES:
            art, share = REVENUES[funktion]
            rows.append((funktion, gruppering, 1, art, -amount * share * rng.uniform(0.5, 1.5)))
        if funktion in REFUNDED:
            rows.append((funktion, gruppering, 2, "8.6", -amount * rng.uniform(0.03, 0.06)))
    if rng.random() < 0.3:  # a capital posting (dranst 3), which the tables ignore
        rows.append(("5.28.23", "001", 3, "4.0", rng.uniform(0.5e6, 5e6) * price))
    for _ in range(int(rng.integers(1, 4))):  # corrections: the opposite sign of their kind
        funktion, gruppering, _, art, amount = rows[int(rng.integers(0, len(rows)))]
        rows.append((funktion, gruppering, 1, art, -np.sign(amount) * rng.uniform(2_000, 60_000)))
    return rows, share


def _frame(year: int, status: str, rows: list[_Posting], whole_kroner: bool) -> dict[str, np.ndarray]:
    """Postings as columns; expected accounts are forecasts in whole kroner."""
    funktion, gruppering, dranst, art, amount = zip(*rows)
    amount = np.round(np.array(amount), 0 if whole_kroner else 2)
    return {
        "aar": np.full(len(rows), year),
        "status": np.full(len(rows), status, dtype=object),
        "funktion": np.array(funktion, dtype=object),
        "gruppering": np.array(gruppering, dtype=object),
        "dranst": np.array(dranst),
        "art": np.array(art, dtype=object),
        "beloeb": amount,
    }


def build_ledger(children: Children, measures: Measures, investigations: Investigations,
                 caseworkers: Caseworkers, window: Window, seed: int, kommunekode: int) -> list[LedgerFile | MappingFile]:
    """Every ledger delivery of the municipality, oldest year first, then its own mapping rows if it has any."""
    rng = rng_for(seed, kommunekode, Stream.LEDGER)
    level = rng.lognormal(0.0, 0.1)
    final_delay = timedelta(days=int(rng.integers(0, 45)))
    bookings = _measure_accounts(measures)
    on_town_hall = books_on_town_hall(seed, kommunekode)
    files: list[LedgerFile | MappingFile] = []
    shares: dict[int, float] = {}
    for year in window.years:
        rows, shares[year] = _year_rows(year, children, measures, bookings, investigations, caseworkers, level,
                                        rng_for(seed, kommunekode, Stream.LEDGER, year), on_town_hall)
        final = date(year + 1, 5, 1) + final_delay
        if year >= window.to_year - 1:
            expected_rng = rng_for(seed, kommunekode, Stream.LEDGER, year, 1)
            forecast = [(f, g, d, a, amount * expected_rng.normal(1.0, 0.04)) for f, g, d, a, amount in rows]
            expected = min(date(year, 10, 1) + final_delay, window.to_date)
            files.append(LedgerFile(year, "forventet", expected, _frame(year, "forventet", forecast, True)))
        if final <= window.to_date:
            files.append(LedgerFile(year, "regnskab", final, _frame(year, "regnskab", rows, False)))
    if on_town_hall:
        files.extend(_mapping_files(shares, window))
    return files


def _mapping_files(shares: dict[int, float], window: Window) -> list[MappingFile]:
    """The municipality's estimate of the children's share of 6.45.51 from the years it knows: a first
    delivery early in the window and a revision a few years before its end (if the window allows)."""
    years = sorted(shares)
    out = []
    for delivered in sorted({date(years[0] + 1, 3, 1), date(max(years[0] + 1, years[-1] - 3), 3, 1)}):
        known = [shares[y] for y in years if y < delivered.year] or [shares[years[0]]]
        if delivered <= window.to_date:
            out.append(MappingFile(delivered, round(float(np.mean(known)), 3)))
    return out


def ledger_deliveries(kommunekode: int, files: list[LedgerFile | MappingFile]) -> list[Delivery]:
    """One file per fiscal year and delivery date; one per delivery of the municipality's own mapping rows."""
    out = []
    for f in files:
        if isinstance(f, MappingFile):
            out.append(Delivery(f"ledger/{kommunekode}", f"kontoplan_tilpasning_{f.delivered.isoformat()}", MAPPING,
                                {"funktion": np.array(["6.45.51"], dtype=object), "gruppering": np.array([""], dtype=object),
                                 "category": np.array(["administration"], dtype=object), "step": np.array([""], dtype=object),
                                 "andel": np.array([f.andel])}, f.delivered))
        else:
            out.append(Delivery(f"ledger/{kommunekode}", f"regnskab_{f.year}_{f.delivered.isoformat()}", LEDGER,
                                {"kommunekode": np.full(len(f.rows["aar"]), kommunekode), **f.rows}, f.delivered))
    return out
