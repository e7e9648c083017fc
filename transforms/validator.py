"""One validator for every source: the rules of sources.md as Great Expectations suites, per row.

For one file it builds a *check frame* (each column as delivered, plus typed and canonical
companions such as `startdato__value` or `paragraf__code`), runs the kind's suite on it with
`result_format` COMPLETE, and turns the failing row indices into quarantine rows. A row that breaks
several rules is quarantined once, with the first rule in the order of the file's own columns;
uniqueness is judged afterwards among the rows that keep every other rule (sources.md §1).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from transforms import cpr, values
from transforms.file_kinds import Column, FileKind
from transforms.reader import ROW, RawTable
from transforms.reference import canonical_codes, code_lists, table

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

MASK = "**********"
MAX_VALUE_LENGTH = 200


@dataclass(frozen=True)
class Checked:
    """`good`: typed rows that keep every rule (ROW kept); `quarantine`: one row per bad row;
    `breaks`: for each rule code, the positions of every row that breaks it, first rule or not."""

    good: pd.DataFrame
    quarantine: pd.DataFrame  # row_number, column_name, rule, value_masked
    breaks: dict[str, np.ndarray] = field(default_factory=dict)

    def rows_breaking(self, rule: str) -> int:
        return len(self.breaks.get(rule, ()))

    warnings: dict[str, int] = field(default_factory=dict)
    """Rows that load but break a rule of severity `warning` (suite meta), per rule: counted, never quarantined."""


@dataclass(frozen=True)
class Rule:
    expectation: dict[str, Any]
    column: str
    rule: str
    order: int
    warning: bool = False
    """A rule of severity `warning` (suite meta `severity`): its rows are counted, but load."""


def _expectation(kind: str, rule: str, source_column: str, order: int, **kwargs: Any) -> Rule:
    return Rule({"type": kind, "kwargs": kwargs}, source_column, rule, order)


def _given_but_unparsed(rule: str, column: str, parsed: str) -> Rule:
    """A value of the right shape that is no real date (day 32, 30 February): the parse left it null."""
    return _expectation("expect_column_values_to_not_be_null", rule, column, 2, column=parsed,
                        row_condition=f"{column}__given==True", condition_parser="pandas")


def type_rules(col: Column) -> list[Rule]:
    """The rules every column of a type carries, whatever the source (sources.md §1 and §2.1)."""
    n = col.name
    # An empty boolean means 0 (sources.md §1), so booleans are never "required".
    rules = [] if col.optional or col.type == "boolean" else [_expectation("expect_column_values_to_not_be_null", "required", n, 0, column=n)]
    if col.type == "integer":
        rules.append(_expectation("expect_column_values_to_match_regex", "not_an_integer", n, 1, column=n, regex=values.INTEGER_PATTERN))
    elif col.type == "decimal":
        rules.append(_expectation("expect_column_values_to_match_regex", "not_a_decimal", n, 1, column=n, regex=values.DECIMAL_PATTERN))
    elif col.type == "date":
        rules.append(_expectation("expect_column_values_to_match_regex", "date_format", n, 1, column=n, regex=values.DATE_PATTERN))
        rules.append(_given_but_unparsed("invalid_date", n, f"{n}__value"))
    elif col.type == "boolean":
        rules.append(_expectation("expect_column_values_to_be_in_set", "not_a_boolean", n, 1, column=f"{n}__filled", value_set=values.BOOLEAN_VALUES))
    elif col.type == "code":
        rules.append(_expectation("expect_column_values_to_be_in_set", "unknown_code", n, 1, column=f"{n}__code", value_set=code_lists()[col.code_list or ""]))
    elif col.type == "cpr":
        rules.append(_expectation("expect_column_values_to_match_regex", "cpr_format", n, 1, column=n, regex=cpr.CPR_PATTERN))
        rules.append(_given_but_unparsed("cpr_invalid_date", n, f"{n}__birth"))
    return rules


def suite_rules(kind: FileKind) -> list[Rule]:
    """The kind's own rules from its suite file, after the type rules of the same column."""
    return [Rule({"type": e["type"], "kwargs": e["kwargs"]}, e["meta"]["column"], e["meta"]["rule"], 10 + i,
                 e["meta"].get("severity") == "warning") for i, e in enumerate(kind.expectations)]


@cache
def _placement_class() -> dict[str, str]:
    legal = table("legal_basis")
    cls = np.where(legal["is_placement"] == "1", "placement", np.where(legal["kind"] == "out_of_scope", "out_of_scope", "measure"))
    return dict(zip(legal["code"], cls))


def check_frame(raw: pd.DataFrame, kind: FileKind) -> pd.DataFrame:
    """The delivered text columns plus the typed and canonical companions the rules look at."""
    out = pd.DataFrame(index=raw.index)
    for col in kind.columns:
        text = raw[col.name]
        out[col.name] = text
        out[f"{col.name}__given"] = text.notna()
        if col.type == "integer":
            out[f"{col.name}__value"] = values.parse_integer(text)
        elif col.type == "decimal":
            out[f"{col.name}__value"] = values.parse_decimal(text)
        elif col.type == "date":
            out[f"{col.name}__value"] = values.parse_date(text)
        elif col.type == "boolean":
            out[f"{col.name}__filled"] = text.fillna("0")
            out[f"{col.name}__value"] = values.parse_boolean(text)
        elif col.type == "code":
            entry, canonical = canonical_codes(text, col.code_list or "")
            out[f"{col.name}__code"] = entry
            out[f"{col.name}__value"] = canonical.where(text.notna())
            if col.code_list == "measure_codes":
                out[f"{col.name}__placement"] = entry.map(_placement_class()).fillna("unknown")
        elif col.type == "cpr":
            out[f"{col.name}__value"] = cpr.normalise(text)
            out[f"{col.name}__birth"] = pd.to_datetime(cpr.birth_date_iso(text), format="%Y-%m-%d", errors="coerce")
        else:
            out[f"{col.name}__value"] = text
    return out


RESULT_FORMAT = {"result_format": "COMPLETE", "exclude_unexpected_values": True, "partial_unexpected_count": 0,
                 "return_unexpected_index_query": False}
"""Every failing row's index, but no values: GX then never copies a CPR into its results (and is faster)."""


@cache
def _batch_definition() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("trappe")
    return source.add_dataframe_asset("delivery").add_batch_definition_whole_dataframe("whole")


ROW_SET_EXPECTATIONS = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
"""Rules about the set of rows (duplicates): they cannot be checked on distinct values."""


def columns_of(rule: Rule) -> set[str]:
    """The base names of the check-frame columns a rule reads (its kwargs and its row condition)."""
    kwargs = rule.expectation["kwargs"]
    names = [kwargs.get(k) for k in ("column", "column_A", "column_B")] + list(kwargs.get("column_list", []))
    names += re.findall(r"(\w+)\s*==", kwargs.get("row_condition", ""))
    return {n.split("__")[0] for n in names if isinstance(n, str)}


def run_suite(frame: pd.DataFrame, rules: list[Rule], name: str, parameters: dict[str, Any],
              private: frozenset[str] = frozenset()) -> list[tuple[Rule, np.ndarray]]:
    """Run each rule as a GX suite on only the columns it reads; each rule with the positions of the
    rows that break it. Narrow frames matter: GX copies its batch for every metric, so validating the
    whole check frame per rule costs 5-10 times more at national volumes. Verdicts on the values of
    `private` columns (CPR numbers) are never remembered beyond the call."""
    frame = frame.reset_index(drop=True)
    failures = []
    # GX ≥ 1.9 prefers Condition objects to the string row conditions of our JSON suites; both work in 1.24.
    warnings.filterwarnings("ignore", message="(Passing a string to the row_condition|The condition_parser parameter)", category=DeprecationWarning)
    for rule in rules:
        bases = columns_of(rule)
        narrow = frame[[c for c in frame.columns if c.split("__")[0] in bases]]
        if rule.expectation["type"] in ROW_SET_EXPECTATIONS:
            bad = _validate_duplicates(narrow, rule, name, parameters)
        else:  # a rule on values alone: check each distinct combination once, then map back to rows
            group = narrow.groupby(list(narrow.columns), dropna=False, sort=False).ngroup().to_numpy()
            _, first = np.unique(group, return_index=True)
            distinct = narrow.iloc[first].reset_index(drop=True)
            bad_distinct = _validate_values(distinct, rule, name, parameters, private=bool(bases & private))
            bad = np.flatnonzero(np.isin(group, group[first][bad_distinct])) if len(bad_distinct) else bad_distinct
        if len(bad):
            failures.append((rule, bad))
    return failures


def _validate_with_gx(checked: pd.DataFrame, rule: Rule, name: str, parameters: dict[str, Any]) -> np.ndarray:
    """Positions (in `checked`) of the rows that break `rule`, as its GX suite finds them."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    suite = gx.ExpectationSuite(name=name)
    suite.add_expectation_configuration(ExpectationConfiguration(type=rule.expectation["type"], kwargs=_narrowed_kwargs(rule.expectation, checked, parameters)))
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": checked})
    (r,) = batch.validate(suite, result_format=RESULT_FORMAT, expectation_parameters=parameters).results
    if r.exception_info and r.exception_info.get("raised_exception"):
        # Never include values: the message may reach a log.
        raise RuntimeError(f"{name}: the rule {rule.rule!r} on {rule.column!r} could not be evaluated ({r.expectation_config.type})")
    if r.success:
        return np.array([], dtype=np.int64)
    return np.asarray(r.result.get("unexpected_index_list") or [], dtype=np.int64)


def _narrowed_kwargs(expectation: dict[str, Any], checked: pd.DataFrame, parameters: dict[str, Any]) -> dict[str, Any]:
    """The expectation's kwargs, a value set cut down to the values present in the column (the same
    verdict for every row). GX copies an expectation's kwargs many times per validation, so a set of
    thousands of ids (`known_measure_ids`) cost seconds per file; the values present are few."""
    kwargs = expectation["kwargs"]
    if expectation["type"] != "expect_column_values_to_be_in_set" or kwargs.get("column") not in checked.columns:
        return kwargs
    allowed = kwargs.get("value_set")
    if isinstance(allowed, dict):
        if "$PARAMETER" not in allowed or allowed["$PARAMETER"] not in parameters:
            return kwargs
        allowed = parameters[allowed["$PARAMETER"]]
    if not isinstance(allowed, (list, tuple, set, frozenset)):
        return kwargs
    present = set(checked[kwargs["column"]].dropna().tolist())
    kept = [v for v in allowed if v in present]
    if not kept and allowed:  # an empty value set may mean "no restriction" to GX: keep one value none of the rows has
        kept = [next(iter(allowed))]
    return {**kwargs, "value_set": kept}


VERDICTS_PER_RULE = 200_000
"""How many distinct value combinations a rule's verdicts are remembered for (per process), at most."""

_verdicts: dict[str, dict[tuple, bool]] = {}
"""For each value rule (its expectation, the parameters it reads and the columns it sees): whether GX
found each distinct combination of values bad. A value rule judges each row by its own values, so a
combination GX has judged once (in an earlier file, or an earlier municipality of the same process)
needs no second GX run. GX's cost is mostly per call and per expectation, not per row: at national
volumes (thousands of files, dozens of rules each) asking it only about combinations it has not
seen saves most of the validation time."""


def _hashable(column: pd.Series) -> list[Any]:
    """The column's values as dictionary keys (dates as their integer ticks, NaT one sentinel: far
    cheaper than Timestamp objects)."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "M":
        return column.to_numpy().view("i8").tolist()
    return column.tolist()


def _validate_duplicates(narrow: pd.DataFrame, rule: Rule, name: str, parameters: dict[str, Any]) -> np.ndarray:
    """Positions of the rows that break a uniqueness rule. Only rows whose key occurs more than once
    can break it, and each such key comes with all its rows, so GX judges just those rows (usually
    none: then it is not asked)."""
    kwargs = rule.expectation["kwargs"]
    key = list(kwargs["column_list"]) if "column_list" in kwargs else [kwargs["column"]]
    candidates = np.flatnonzero(narrow.duplicated(subset=key, keep=False).to_numpy())
    if not len(candidates):
        return candidates
    return candidates[_validate_with_gx(narrow.iloc[candidates].reset_index(drop=True), rule, name, parameters)]


def _parameter_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        if "$PARAMETER" in value:
            return {value["$PARAMETER"]}
        return set().union(*(_parameter_names(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_parameter_names(v) for v in value)) if value else set()
    return set()


def _verdict_key(frame: pd.DataFrame, rule: Rule, parameters: dict[str, Any]) -> str:
    read = {n: parameters.get(n) for n in sorted(_parameter_names(rule.expectation["kwargs"]))}
    text = json.dumps([rule.expectation, read, [(c, str(t)) for c, t in frame.dtypes.items()]], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _validate_values(distinct: pd.DataFrame, rule: Rule, name: str, parameters: dict[str, Any], private: bool) -> np.ndarray:
    """Positions of the distinct value combinations that break a value rule: remembered verdicts,
    and GX for the combinations not judged before. Verdicts on CPR numbers are never remembered."""
    if private:
        return _validate_with_gx(distinct, rule, name, parameters)
    known = _verdicts.setdefault(_verdict_key(distinct, rule, parameters), {})
    keys = list(zip(*(_hashable(distinct[c]) for c in distinct.columns)))
    verdict = np.fromiter((known.get(k) is True for k in keys), dtype=bool, count=len(keys))
    unseen = np.flatnonzero(np.fromiter((k not in known for k in keys), dtype=bool, count=len(keys)))
    if len(unseen):
        verdict[unseen[_validate_with_gx(distinct.iloc[unseen].reset_index(drop=True), rule, name, parameters)]] = True
        if len(known) + len(unseen) > VERDICTS_PER_RULE:
            known.clear()
        known.update((keys[i], bool(verdict[i])) for i in unseen)
    return np.flatnonzero(verdict)


def mask(values_: pd.Series, is_cpr: bool) -> pd.Series:
    """What quarantine may show of a value: never a CPR (the whole cpr column, and any CPR-shaped
    digits elsewhere), and at most MAX_VALUE_LENGTH characters."""
    if is_cpr:
        return pd.Series(MASK, index=values_.index, dtype="string")
    text = values_.astype("string").str.replace(cpr.CPR_ANYWHERE, MASK, regex=True)
    long = text.str.len() > MAX_VALUE_LENGTH
    return text.where(~long, text.str.slice(0, MAX_VALUE_LENGTH) + "…")


def validate(raw: RawTable, kind: FileKind, parameters: dict[str, Any]) -> Checked:
    """Check one read file against its kind's rules; `parameters` fill the suite's `$PARAMETER`s."""
    frame = raw.frame.reset_index(drop=True)
    checks = check_frame(frame, kind)
    position = {name: raw.header.index(name) for name in kind.column_names}
    rules = [r for col in kind.columns for r in type_rules(col)] + suite_rules(kind)
    rules.sort(key=lambda r: (position[r.column], r.order))
    first_rule = np.full(len(frame), -1, dtype=np.int64)
    breaks: dict[str, np.ndarray] = {}
    if len(frame):
        private = frozenset(c.name for c in kind.columns if c.type == "cpr")
        for rule, rows in run_suite(checks, rules, kind.name, parameters, private):
            breaks[rule.rule] = np.union1d(breaks.get(rule.rule, np.array([], dtype=np.int64)), rows)
            if rule.warning:
                continue
            rank = rules.index(rule)
            hit = rows[(first_rule[rows] == -1) | (first_rule[rows] > rank)]
            first_rule[hit] = rank
    keeps = first_rule == -1
    unique_rules = [_expectation("expect_compound_columns_to_be_unique" if len(key) > 1 else "expect_column_values_to_be_unique",
                                 "duplicate_key" if len(key) > 1 else "duplicate_id", key[0].split("__")[0], 0,
                                 **({"column_list": list(key)} if len(key) > 1 else {"column": key[0]})) for key in kind.unique]
    bad_rows: list[pd.DataFrame] = []
    for i, rule in enumerate(rules):
        rows = np.flatnonzero(first_rule == i)
        if len(rows):
            bad_rows.append(_quarantine_rows(frame, rows, rule, kind))
    if unique_rules and keeps.any():
        kept = np.flatnonzero(keeps)
        for rule, rows in run_suite(checks.iloc[kept], unique_rules, f"{kind.name}_unique", parameters):
            positions = kept[rows]
            keeps[positions] = False
            bad_rows.append(_quarantine_rows(frame, positions, rule, kind))
    if len(raw.ragged):
        bad_rows.append(pd.DataFrame({"row_number": raw.ragged["row_number"], "column_name": "",
                                      "rule": "field_count",
                                      "value_masked": raw.ragged["fields"].map(lambda n: f"{n} fields, header has {len(raw.header)}")}))
    quarantine = pd.concat(bad_rows, ignore_index=True) if bad_rows else pd.DataFrame(columns=["row_number", "column_name", "rule", "value_masked"])
    good = _typed(checks[keeps], kind)
    good.insert(0, ROW, frame.loc[keeps, ROW].to_numpy())
    warned = {r.rule: int(keeps[breaks[r.rule]].sum()) for r in rules if r.warning and r.rule in breaks}
    return Checked(good=good.reset_index(drop=True), quarantine=quarantine.sort_values("row_number", kind="stable").reset_index(drop=True),
                   breaks=breaks, warnings={rule: n for rule, n in warned.items() if n})


def _quarantine_rows(frame: pd.DataFrame, rows: np.ndarray, rule: Rule, kind: FileKind) -> pd.DataFrame:
    col = next(c for c in kind.columns if c.name == rule.column)
    return pd.DataFrame({"row_number": frame[ROW].to_numpy()[rows], "column_name": rule.column, "rule": rule.rule,
                         "value_masked": mask(frame[rule.column].iloc[rows], col.type == "cpr").fillna("").to_numpy()})


def _typed(checks: pd.DataFrame, kind: FileKind) -> pd.DataFrame:
    """The typed value of every declared column (dates as dates); CPR stays normalised text plus
    its birth date, for `pseudonym.protect` to replace before anything is written."""
    out = pd.DataFrame(index=checks.index)
    for col in kind.columns:
        value = checks[f"{col.name}__value"]
        out[col.name] = value.dt.date if col.type == "date" else value
        if col.type == "cpr":
            out[f"{col.name}__birth"] = checks[f"{col.name}__birth"].dt.date
    return out
