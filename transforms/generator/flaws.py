"""Deliberate flaws: rows that break the rules of sources.md, injected at a small documented rate.

Every flaw is an **extra row**: a copy of a randomly chosen real row of the same file with one
defect, inserted at a random position. The real rows therefore stay exactly the simulation, and a
pipeline that quarantines each flawed row (and only it) sees the true numbers. A copied row keeps
the real row's CPR; where the file has a system id (``foranstaltning_id``, ``undersoegelse_id``) the
copy gets a fresh id that no real row uses, so that it is a record of its own. In the other files the
copy keeps its key (caseworker and date, pupil, population cell): sources.md judges uniqueness only
among the rows that keep every other rule, so such a copy must be quarantined for its defect, never
for being a duplicate. The two duplicate kinds are the exception on purpose: their copy is
faithful, so both rows of the pair are quarantined, and the real row is lost with it (a measure that
then misses, follow-ups of it that refer to an unloaded measure, a pupil missing from one file).

Rate: in each file, ``r`` × rows flawed rows with ``r`` drawn per file between 0.3 % and 1 %, but at
least one of every kind that applies to the file as long as that stays within 5 % of its rows (so
every rule is exercised in every delivery of a normal size; small files get only some kinds). The
kinds rotate from a random starting kind, so they spread evenly across files.

| kind | files | the defect |
|---|---|---|
| `cpr_invalid_date` | measures, investigations, school | CPR date part not a date (day 32 or month 13) |
| `cpr_letters` | measures, investigations, school | letters in the CPR number |
| `end_before_start` | measures | `slutdato` before `startdato` |
| `start_after_extraction` | measures | `startdato` after the file's extraction date |
| `unknown_paragraf` | measures | a code in no list (`SEL 52.3.10`, `BL 52.3.3`, `SL 52.3.3` …) |
| `unknown_setting` | measures | a placement setting in no list (`bosted`, `familiepleje` …) |
| `placement_without_setting` | measures | a placement (`SEL 52.3.7`, `SEL 58`, `BL 46`, `BL 47`) with empty setting |
| `kommunekode_mismatch` | all municipal files | `kommunekode` of another municipality than the folder |
| `duplicate_id` | measures, investigations, caseworkers | a faithful second row with the same id (key) |
| `boolean_not_0_1` | measures | `ja`, `nej`, `true` or `Ja` in `handicap` / `uledsaget_flygtning` |
| `date_without_leading_zeros` | measures, investigations, caseworkers, follow-ups, population | e.g. `1-2-2016` |
| `integer_with_decimals` | caseworkers (`antal_sager`), ledger (`dranst`), population (`antal`) | e.g. `5,0` |
| `thousands_separator` | ledger | `beloeb` such as `1.234.567,50` |
| `normtid_above_1` | caseworkers | `normtid` 1,2 / 1,5 / 2 |
| `index_out_of_range` | wellbeing | an index of 0, 0,75, 5,5 or 6 |
| `absence_above_school_days` | absence | `fravaersdage` > `skoledage` |
| `skoleaar_mismatch` | school | `skoleaar` of the year before the file's |
| `duplicate_pupil` | school | a faithful second row of a pupil |
| `unknown_measure` | follow-ups | a follow-up of a `foranstaltning_id` that no measure has |
| `non_investigation_paragraf` | investigations | `SEL 52.3.3`, `BL 32.1.5`, `SEL 11.3` or `BL 19` (afdækning) |
| `empty_required` | all (the own mapping rows of `kontoplan_tilpasning`: `category`) | a required field left empty |
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

RATE = (0.003, 0.01)
FLOOR_SHARE = 0.02

PLACEMENT_CODES = ("SEL 52.3.7", "SEL 58", "BL 46", "BL 47")
BARNETS_LOV_FROM = date(2024, 1, 1)
UNKNOWN_PARAGRAF = ("SEL 52.3.10", "BL 52.3.3", "SEL 999", "BL 32.1.9", "SL 52.3.3", "SEL 11.3.5")
UNKNOWN_SETTINGS = ("bosted", "plejehjem", "ukendt", "familiepleje", "institution")
NOT_BOOLEAN = ("ja", "nej", "true", "Ja")
NOT_INVESTIGATION = ("SEL 52.3.3", "BL 32.1.5", "SEL 11.3", "BL 19")
INDEX_COLUMNS = ("faglig_trivsel", "social_trivsel", "ro_og_orden", "stoette_og_inspiration")
DUPLICATE_KINDS = ("duplicate_id", "duplicate_pupil")


@dataclass(frozen=True)
class FlawContext:
    """What a file's flaws need to know beyond its rows."""

    extraction: date
    other_kommunekode: int
    fresh_id: Callable[[int], str] | None = None
    """The i-th id that no real row of the file (or of its measures, for follow-ups) uses."""
    school_year: int | None = None


Row = dict[str, str]


def _parse(text: str) -> date:
    """A date written ``YYYY-MM-DD`` or ``DD-MM-YYYY``."""
    a, b, c = (int(p) for p in text.split("-"))
    return date(a, b, c) if a > 31 else date(c, b, a)


def _like(original: str, d: date) -> str:
    """``d`` written in the same style as ``original``."""
    return d.strftime("%d-%m-%Y") if re.match(r"^\d{2}-", original) else d.isoformat()


def _cpr_digits(row: Row, column: str, edit: Callable[[str], str]) -> Row:
    value = row[column]
    digits = edit(value.replace("-", ""))
    row[column] = f"{digits[:6]}-{digits[6:]}" if "-" in value else digits
    return row


def cpr_invalid_date(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    return _cpr_digits(row, column, lambda d: "32" + d[2:] if rng.random() < 0.5 else d[:2] + "13" + d[4:])


def cpr_letters(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    letters = str(rng.choice(["AB", "XX", "O0", "K1"]))
    return _cpr_digits(row, column, lambda d: d[:7] + letters + d[9:])


def end_before_start(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    start = row["startdato"]
    row["slutdato"] = _like(start, _parse(start) - timedelta(days=int(rng.integers(1, 366))))
    return row


def start_after_extraction(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    row["startdato"] = _like(row["startdato"], ctx.extraction + timedelta(days=int(rng.integers(1, 91))))
    row["slutdato"] = ""
    return row


def _replace_with(options: tuple[str, ...]) -> Callable[[Row, str, FlawContext, np.random.Generator], Row]:
    def flaw(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
        row[column] = str(rng.choice(options))
        return row

    return flaw


def placement_without_setting(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    barnets_lov = _parse(row["startdato"]) >= BARNETS_LOV_FROM
    row["paragraf"] = str(rng.choice(PLACEMENT_CODES[2:] if barnets_lov else PLACEMENT_CODES[:2]))
    row["anbringelsessted"] = ""
    return row


def kommunekode_mismatch(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    row["kommunekode"] = str(ctx.other_kommunekode)
    return row


def faithful_copy(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    return row


def date_without_leading_zeros(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    d = _parse(row[column])
    dom = d.day if d.day < 10 or d.month < 10 else d.day % 10 or 1
    row[column] = f"{dom}-{d.month}-{d.year}"
    return row


def integer_with_decimals(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    row[column] = f"{row[column]},0"
    return row


def thousands_separator(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    amount = float(row[column].replace(",", "."))
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    row[column] = text if "." in text else f"1.{text}"
    return row


def index_out_of_range(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    answered = [c for c in INDEX_COLUMNS if row[c]] or list(INDEX_COLUMNS)
    row[str(rng.choice(answered))] = str(rng.choice(["0", "0,75", "5,5", "6"]))
    return row


def absence_above_school_days(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    row["fravaersdage"] = str(int(row["skoledage"]) + int(rng.integers(1, 30)))
    return row


def skoleaar_mismatch(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    assert ctx.school_year is not None
    year = ctx.school_year - 1
    row["skoleaar"] = f"{year}/{(year + 1) % 100:02d}"
    return row


def unknown_measure(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    assert ctx.fresh_id is not None
    row["foranstaltning_id"] = ctx.fresh_id(int(rng.integers(0, 10_000)))
    return row


def empty_required(row: Row, column: str, ctx: FlawContext, rng: np.random.Generator) -> Row:
    row[column] = ""
    return row


FLAWS: dict[str, Callable[[Row, str, FlawContext, np.random.Generator], Row]] = {
    "cpr_invalid_date": cpr_invalid_date,
    "cpr_letters": cpr_letters,
    "end_before_start": end_before_start,
    "start_after_extraction": start_after_extraction,
    "unknown_paragraf": _replace_with(UNKNOWN_PARAGRAF),
    "unknown_setting": _replace_with(UNKNOWN_SETTINGS),
    "placement_without_setting": placement_without_setting,
    "kommunekode_mismatch": kommunekode_mismatch,
    "duplicate_id": faithful_copy,
    "boolean_not_0_1": _replace_with(NOT_BOOLEAN),
    "date_without_leading_zeros": date_without_leading_zeros,
    "integer_with_decimals": integer_with_decimals,
    "thousands_separator": thousands_separator,
    "normtid_above_1": _replace_with(("1,2", "1,5", "2")),
    "index_out_of_range": index_out_of_range,
    "absence_above_school_days": absence_above_school_days,
    "skoleaar_mismatch": skoleaar_mismatch,
    "duplicate_pupil": faithful_copy,
    "unknown_measure": unknown_measure,
    "non_investigation_paragraf": _replace_with(NOT_INVESTIGATION),
    "empty_required": empty_required,
}

# file kind -> (flaw kind, column it corrupts, only rows where this column is non-empty)
_SCHOOL = (
    ("cpr_invalid_date", "cpr"), ("cpr_letters", "cpr"), ("kommunekode_mismatch", "kommunekode"),
    ("skoleaar_mismatch", "skoleaar"), ("duplicate_pupil", "cpr"), ("empty_required", "klassetrin"),
)
APPLICABLE: dict[str, tuple[tuple[str, str], ...]] = {
    "foranstaltninger": (
        ("cpr_invalid_date", "cpr"), ("cpr_letters", "cpr"), ("end_before_start", "slutdato"),
        ("start_after_extraction", "startdato"), ("unknown_paragraf", "paragraf"),
        ("unknown_setting", "anbringelsessted"), ("placement_without_setting", "anbringelsessted"),
        ("kommunekode_mismatch", "kommunekode"), ("duplicate_id", "foranstaltning_id"),
        ("boolean_not_0_1", "handicap"), ("boolean_not_0_1", "uledsaget_flygtning"),
        ("date_without_leading_zeros", "startdato"), ("empty_required", "cpr"),
        ("empty_required", "bevilget_af"),
    ),
    "undersoegelser": (
        ("cpr_invalid_date", "cpr"), ("cpr_letters", "cpr"), ("non_investigation_paragraf", "paragraf"),
        ("kommunekode_mismatch", "kommunekode"), ("duplicate_id", "undersoegelse_id"),
        ("date_without_leading_zeros", "afgoerelsesdato"), ("empty_required", "afgoerelsesdato"),
    ),
    "sagsbehandlere": (
        ("normtid_above_1", "normtid"), ("integer_with_decimals", "antal_sager"),
        ("kommunekode_mismatch", "kommunekode"), ("duplicate_id", "medarbejder_id"),
        ("date_without_leading_zeros", "opgoerelsesdato"), ("empty_required", "team"),
    ),
    "opfoelgninger": (
        ("unknown_measure", "foranstaltning_id"), ("date_without_leading_zeros", "opfoelgningsdato"),
        ("kommunekode_mismatch", "kommunekode"), ("empty_required", "opfoelgningsdato"),
    ),
    "trivsel": _SCHOOL + (("index_out_of_range", "faglig_trivsel"),),
    "fravaer": _SCHOOL + (("absence_above_school_days", "fravaersdage"),),
    "regnskab": (
        ("thousands_separator", "beloeb"), ("integer_with_decimals", "dranst"),
        ("kommunekode_mismatch", "kommunekode"), ("empty_required", "funktion"),
    ),
    "kontoplan_tilpasning": (("empty_required", "category"),),
    "befolkning": (
        ("date_without_leading_zeros", "dato"), ("integer_with_decimals", "antal"), ("empty_required", "antal"),
    ),
}
ID_COLUMNS = {"foranstaltninger": "foranstaltning_id", "undersoegelser": "undersoegelse_id"}
NEEDS_VALUE = {"unknown_setting", "placement_without_setting", "date_without_leading_zeros"}
"""Kinds that copy only rows where the corrupted column has a value (a placement, a date)."""


def _count(n_rows: int, n_kinds: int, rng: np.random.Generator) -> int:
    """Flawed rows for a file of ``n_rows`` rows (see the module docstring)."""
    by_rate = round(rng.uniform(*RATE) * n_rows)
    floor = min(n_kinds, int(np.ceil(FLOOR_SHARE * n_rows)))
    return max(by_rate, floor)


def inject(table: pa.Table, file_kind: str, ctx: FlawContext, rng: np.random.Generator) -> tuple[pa.Table, Counter]:
    """``table`` (text columns) with flawed extra rows inserted, and the number injected per kind."""
    applicable = APPLICABLE[file_kind]
    n = table.num_rows
    counts: Counter = Counter()
    if n == 0:
        return table, counts
    total = _count(n, len(applicable), rng)
    first = int(rng.integers(0, len(applicable)))
    planned: list[tuple[str, str, int]] = []
    with_value: dict[str, np.ndarray] = {}
    for i in range(total):
        kind, column = applicable[(first + i) % len(applicable)]
        if kind in NEEDS_VALUE:
            if column not in with_value:
                with_value[column] = np.flatnonzero(pc.not_equal(table[column], "").to_numpy(zero_copy_only=False))
            if with_value[column].size == 0:
                continue
            planned.append((kind, column, int(rng.choice(with_value[column]))))
        else:
            planned.append((kind, column, int(rng.integers(0, n))))
    originals = table.take(pa.array([source for _, _, source in planned], type=pa.int64())).to_pylist()
    id_column = ID_COLUMNS.get(file_kind)
    rows: list[Row] = []
    for (kind, column, _), original in zip(planned, originals):
        row = FLAWS[kind](original, column, ctx, rng)
        if id_column and kind not in DUPLICATE_KINDS and ctx.fresh_id is not None:
            row[id_column] = ctx.fresh_id(len(rows))
        rows.append(row)
        counts[kind] += 1
    if not rows:
        return table, counts
    extra = pa.Table.from_pylist(rows, schema=table.schema)
    positions = np.sort(rng.integers(0, n + 1, len(rows)))
    order = np.insert(np.arange(n), positions, np.arange(n, n + len(rows)))
    return pa.concat_tables([table, extra]).take(pa.array(order)), counts
