"""Expenditure on the intervention staircase from the municipal accounts (methodology.md §4, accounts.md).

Shared by the two published tables (`expenditure_by_step.py`, `expenditure_development.py`): the
reference data (the mapping of accounts to category and step with each municipality's own rows in
force, the kinds of `art`, the roles of `dranst`, the price index), the named parameters of the
`[expenditure]` section of trappe.toml, and the intermediate tables of include/sql/expenditure/
(`mapping`, `postings`, `years`). All money is summed as exact decimals on the warehouse's engine;
fixed prices multiply by a factor index(base) / index(year) computed here to 12 decimals, so DuckDB
and PostgreSQL publish the same amounts to the øre.

`compute_expenditure` runs the same SQL on frames in an in-memory DuckDB, for tests and for anyone
who wants the tables without a warehouse.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from transforms import reference

SQL_DIR = Path(__file__).resolve().parent.parent / "include" / "sql" / "expenditure"
INTERMEDIATE = ("mapping", "postings", "years")
"""include/sql/expenditure/<name>.sql → staging.expenditure_<name>, in this order."""
STEPS = ("preventive", "home_based", "network_care", "foster_care", "institution", "not_allocated")
CATEGORIES = ("service", "administration", "total", "refunds")
FACTOR = Decimal("0.000000000001")
"""Fixed-price factors and baseline weights carry 12 decimals (DECIMAL(16,12), DECIMAL(14,12))."""
BY_STEP_COLUMNS = ["kommunekode", "fiscal_year", "accounts_status", "step", "gross_expenditure_dkk", "share_pct",
                   "gross_expenditure_nominal_dkk", "price_base_year"]
DEVELOPMENT_COLUMNS = ["kommunekode", "fiscal_year", "accounts_status", "category", "net_expenditure_dkk",
                       "net_expenditure_nominal_dkk", "baseline_first_year", "baseline_last_year", "baseline_mean_dkk",
                       "extra_expenditure_dkk", "price_base_year"]


class Engine(Protocol):
    def execute(self, sql: str) -> None: ...
    def query(self, sql: str) -> pd.DataFrame: ...
    def replace_table(self, name: str, frame: pd.DataFrame) -> None: ...


def _default_baselines() -> dict[str, tuple[int, int]]:
    return {"service": (2011, 2014), "administration": (2013, 2014), "total": (2013, 2014), "refunds": (2011, 2014)}


@dataclass(frozen=True)
class ExpenditureParams:
    """Named parameters of methodology.md §4 with the report's defaults."""

    price_base_year: int | None = None
    """None: the newest fiscal year in the data (methodology.md §4)."""
    baseline_years: dict[str, tuple[int, int]] = field(default_factory=_default_baselines)
    """First and last baseline year per category: service 2011-2014, administration and total 2013-2014
    (administration cannot be isolated before 2013). Refunds (choice): as service, whose refunds they are."""
    project_first_year: int = 2015
    project_last_year: int | None = None
    """None: every year from project_first_year on (the report's project years were 2015 onwards)."""


def _year(value: Any) -> int | None:
    return None if value in (None, "", 0) else int(value)


def params_from(config: dict[str, Any] | ExpenditureParams) -> ExpenditureParams:
    """ExpenditureParams from the `[expenditure]` section of the parameters file (defaults where absent)."""
    if isinstance(config, ExpenditureParams):
        return config
    section = config.get("expenditure", {})
    defaults = ExpenditureParams()
    baselines = dict(defaults.baseline_years)
    for category, years in section.get("baseline_years", {}).items():
        if category not in CATEGORIES or len(years) != 2 or int(years[0]) > int(years[1]):
            raise ValueError(f"[expenditure.baseline_years] {category} = {years!r}: give [first, last] for one of {', '.join(CATEGORIES)}")
        baselines[category] = (int(years[0]), int(years[1]))
    return ExpenditureParams(price_base_year=_year(section.get("price_base_year")), baseline_years=baselines,
                             project_first_year=int(section.get("project_first_year") or defaults.project_first_year),
                             project_last_year=_year(section.get("project_last_year")))


# -- reference data --------------------------------------------------------------------------------

def _star(gruppering: pd.Series) -> pd.Series:
    return gruppering.fillna("*").replace("", "*")


def mapping_table(overrides: pd.DataFrame) -> pd.DataFrame:
    """reference/accounts_mapping.csv (kommunekode null) plus the municipalities' own rows in force."""
    ref = reference.table("accounts_mapping")
    default = pd.DataFrame({
        "kommunekode": pd.array([None] * len(ref), dtype="Int64"), "funktion": ref["funktion"], "gruppering": _star(ref["gruppering"]),
        "valid_from_year": pd.to_numeric(ref["valid_from_year"]).astype("Int64"),
        "valid_to_year": pd.to_numeric(ref["valid_to_year"]).astype("Int64"),
        "category": ref["category"], "step": ref["step"], "andel": "1"})
    own = pd.DataFrame({
        "kommunekode": pd.to_numeric(overrides["kommunekode"]).astype("Int64"), "funktion": overrides["funktion"].astype("string"),
        "gruppering": _star(overrides["gruppering"].astype("string")),
        "valid_from_year": pd.array([None] * len(overrides), dtype="Int64"), "valid_to_year": pd.array([None] * len(overrides), dtype="Int64"),
        "category": overrides["category"].astype("string"), "step": overrides["step"].astype("string"),
        "andel": [_decimal_text(a, 6, default="1") for a in overrides["andel"]]})
    return pd.concat([default, own], ignore_index=True) if len(own) else default


def _decimal_text(value: Any, places: int, default: str | None = None) -> str | None:
    """A number as exact decimal text (so that both engines cast the same digits), or `default` when missing."""
    if value is None or pd.isna(value):
        return default
    return str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def kinds_table() -> pd.DataFrame:
    art = reference.table("accounts_art")
    return pd.DataFrame({"art": art["art"], "kind": art["kind"]})


def dranst_table() -> pd.DataFrame:
    d = reference.table("accounts_dranst")
    return pd.DataFrame({"dranst": d["dranst"].astype(int), "role": d["role"]})


@dataclass(frozen=True)
class PriceIndex:
    """The series in use: year → index, where it came from, and the years whose value is unverified."""

    values: dict[int, Decimal]
    source: str
    unverified: frozenset[int] = frozenset()


def price_index(delivered: pd.DataFrame) -> PriceIndex:
    """`ledger/pl_indeks.csv` when it has rows (it replaces the whole series), else reference/pl_indeks.csv."""
    if len(delivered):
        return PriceIndex({int(y): Decimal(_decimal_text(v, 6) or "0") for y, v in zip(delivered["aar"], delivered["indeks"])},
                          "ledger/pl_indeks.csv")
    ref = reference.table("pl_indeks")
    return PriceIndex({int(y): Decimal(v) for y, v in zip(ref["aar"], ref["indeks"])}, "transforms/reference/pl_indeks.csv",
                      frozenset(int(y) for y, ok in zip(ref["aar"], ref["verified"]) if ok != "1"))


def factors_table(index: PriceIndex, base_year: int | None) -> pd.DataFrame:
    """fixed = nominal × index(base) / index(year): the factor per year, 12 decimals; none without a base index."""
    base = index.values.get(base_year) if base_year is not None else None
    rows = [{"fiscal_year": y, "pl_index": str(v), "factor": str((base / v).quantize(FACTOR, ROUND_HALF_UP)) if base and v else None,
             "price_base_year": base_year} for y, v in sorted(index.values.items())]
    if not rows:
        rows = [{"fiscal_year": None, "pl_index": None, "factor": None, "price_base_year": base_year}]
    return pd.DataFrame(rows, columns=["fiscal_year", "pl_index", "factor", "price_base_year"]).astype(
        {"fiscal_year": "Int64", "price_base_year": "Int64"})


def periods_table(params: ExpenditureParams) -> pd.DataFrame:
    return pd.DataFrame([{"category": c, "baseline_first_year": first, "baseline_last_year": last,
                          "baseline_weight": str((Decimal(1) / (last - first + 1)).quantize(FACTOR, ROUND_HALF_UP)),
                          "project_first_year": params.project_first_year, "project_last_year": params.project_last_year}
                         for c, (first, last) in ((c, params.baseline_years[c]) for c in CATEGORIES)]).astype(
        {"project_last_year": "Int64"})


# -- the build -------------------------------------------------------------------------------------

def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def base_year(engine: Engine, params: ExpenditureParams) -> int | None:
    if params.price_base_year is not None:
        return params.price_base_year
    newest = engine.query("SELECT MAX(aar) AS newest FROM staging.ledger")["newest"].iloc[0]
    return None if pd.isna(newest) else int(newest)


def prepare(engine: Engine, config: dict[str, Any] | ExpenditureParams) -> PriceIndex:
    """The reference tables and the intermediate tables both expenditure tables are built from."""
    params = params_from(config)
    overrides = engine.query("SELECT kommunekode, funktion, gruppering, category, step, andel FROM staging.ledger_mapping "
                             "ORDER BY kommunekode, funktion, gruppering")
    index = price_index(engine.query("SELECT aar, indeks FROM staging.ledger_pl_index ORDER BY aar"))
    engine.replace_table("staging.ref_accounts_mapping", mapping_table(overrides))
    engine.replace_table("staging.ref_account_kinds", kinds_table())
    engine.replace_table("staging.ref_dranst", dranst_table())
    engine.replace_table("staging.ref_pl_factors", factors_table(index, base_year(engine, params)))
    engine.replace_table("staging.ref_expenditure_periods", periods_table(params))
    for name in INTERMEDIATE:
        engine.execute(f"DROP TABLE IF EXISTS staging.expenditure_{name}")
        engine.execute(sql(name))
    return index


def build_table(engine: Engine, config: dict[str, Any] | ExpenditureParams, table: str) -> None:
    """`staging.<table>` (expenditure_by_step or expenditure_development) with the published columns but run_id."""
    prepare(engine, config)
    engine.execute(f"DROP TABLE IF EXISTS staging.{table}")
    engine.execute(f"CREATE TABLE staging.{table} AS\n{sql(table)}")


def _dkk(amount: Any) -> str:
    return f"{float(amount):,.0f}".replace(",", " ")


def index_warnings(engine: Engine) -> list[str]:
    """Accounts no mapping row covers, years without a price index, and fixed prices resting on an unverified index value."""
    notes = []
    unmapped = engine.query("SELECT kommunekode, fiscal_year, funktion, gruppering, SUM(amount) AS amount, SUM(postings) AS postings "
                            "FROM staging.expenditure_postings WHERE unmapped GROUP BY kommunekode, fiscal_year, funktion, gruppering "
                            "ORDER BY kommunekode, fiscal_year, funktion, gruppering")
    for k, year, funktion, gruppering, amount, postings in unmapped.itertuples(index=False):
        notes.append(f"municipality {k}, {year}: {funktion} grouping {gruppering or '(none)'} is in no mapping row: "
                     f"{int(postings)} posting(s), {_dkk(amount)} DKK counted as service / not_allocated")
    missing = engine.query("SELECT kommunekode, fiscal_year, price_base_year FROM staging.expenditure_years WHERE factor IS NULL "
                           "ORDER BY kommunekode, fiscal_year")
    for k, year, base in missing.itertuples(index=False):
        notes.append(f"municipality {k}, {year}: no price index for {year} or the base year {base}: its fixed-price amounts are null")
    return notes


def unverified_years(engine: Engine, index: PriceIndex) -> list[int]:
    years = set(engine.query("SELECT DISTINCT fiscal_year FROM staging.expenditure_years")["fiscal_year"].astype(int))
    base = engine.query("SELECT MAX(price_base_year) AS b FROM staging.ref_pl_factors")["b"].iloc[0]
    if not pd.isna(base):
        years.add(int(base))
    return sorted(years & index.unverified)


# -- frames in, tables out (tests) -----------------------------------------------------------------

@dataclass(frozen=True)
class LedgerFrames:
    """The staging tables of the accounts: postings, municipalities' own mapping rows, a delivered index."""

    ledger: pd.DataFrame
    mapping: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["kommunekode", "funktion", "gruppering", "category", "step", "andel"]))
    pl_index: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["kommunekode", "aar", "indeks"]))


def compute_expenditure(frames: LedgerFrames, config: dict[str, Any] | ExpenditureParams = ExpenditureParams()) -> dict[str, pd.DataFrame]:
    """Both published expenditure tables (without run_id) for the given staging frames, on an in-memory DuckDB."""
    from transforms.duckdb_warehouse import DuckDBWarehouse

    with DuckDBWarehouse.in_memory() as engine:
        engine.replace_table("staging.ledger", frames.ledger)
        engine.replace_table("staging.ledger_mapping", frames.mapping)
        engine.replace_table("staging.ledger_pl_index", frames.pl_index)
        out = {}
        for table, columns, keys in (("expenditure_by_step", BY_STEP_COLUMNS, "kommunekode, fiscal_year, step"),
                                     ("expenditure_development", DEVELOPMENT_COLUMNS, "kommunekode, fiscal_year, category")):
            build_table(engine, config, table)
            out[table] = engine.query(f"SELECT {', '.join(columns)} FROM staging.{table} ORDER BY {keys}")
    return out
