"""One validator for every source: the rules of sources.md as Great Expectations suites, per row.

For one file it encodes each column once (`encode`: each distinct value with its typed and
canonical companions such as `startdato__value` or `paragraf__code`), judges every rule of the
kind's suite on the distinct values (or combinations) the rule reads, and turns the rows that break
a rule into quarantine rows. A row that breaks several rules is quarantined once, with the first
rule in the order of the file's own columns; uniqueness is judged afterwards among the rows that
keep every other rule (sources.md §1).

The suites stay Great Expectations suites (`expectations/*.json`), and GX is the reference for what
they mean. At national volume GX's fixed cost (30-80 ms per expectation and call, thousands of files)
came to hours, so `evaluate` computes the expectation types the suites use exactly as GX's pandas
engine does, and `judge` checks that against GX itself on a sample of each rule's real values, once
per rule and code version (recorded across runs): a disagreement is logged as an error and GX
judges that rule from then on. `TRAPPE_VALIDATION=gx` makes GX judge every rule on every value;
tests/transforms/test_validator_engines.py compares the two on hostile input for every kind.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import logging
import operator
import os
import re
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from transforms import cpr, values
from transforms.file_kinds import Column, FileKind
from transforms.reader import ROW, RawTable
from transforms.reference import canonical_codes, code_lists, table

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
log = logging.getLogger(__name__)

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


@dataclass
class Known:
    """The distinct values of one column (kind, name and type) this process has seen, with their
    companions (row 0: the empty value) and, per rule and parameter values, each value's verdict
    (-1 not judged yet, 0 keeps, 1 breaks). Dates, codes, flags and counts recur in every file of
    a night, so after the first files they are looked up, not parsed or judged again."""

    index: pd.Index
    values: pd.DataFrame
    verdicts: dict[str, np.ndarray] = field(default_factory=dict)


KNOWN_TYPES = {"date", "code", "boolean", "integer", "decimal", "text"}
"""Column types whose values are remembered per process: not CPR numbers (never kept beyond a
file) nor ids (`…_id`, new in every file)."""


def remembered(col: Column) -> bool:
    return col.type in KNOWN_TYPES and not col.name.endswith("_id")
KNOWN_LIMIT = 100_000
"""Distinct values remembered per column at most; past it the column starts afresh."""
_known: dict[tuple[str, str, str, str], Known] = {}


@dataclass(frozen=True)
class Encoded:
    """One delivered column, dictionary-encoded: `values` has a row per distinct text (the empty
    value first) with the text and its typed and canonical companions; `codes` gives each row of
    the file its row of `values`. Parsing, code lookup and every value rule then run once per
    distinct value: a national file has 100 000 rows but a few hundred dates or codes.
    `known`: the process-wide dictionary `values` belongs to, if the type is remembered."""

    codes: np.ndarray
    values: pd.DataFrame
    known: Known | None = None


def compact(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes used (sorted) and each row's position among them, in O(rows + size)."""
    used = np.zeros(size, dtype=bool)
    used[codes] = True
    return np.flatnonzero(used), (np.cumsum(used) - 1)[codes]


def _companions(text: pd.Series, col: Column) -> pd.DataFrame:
    """The text and the typed and canonical companions the rules look at, for these values."""
    n = col.name
    out = pd.DataFrame({n: text, f"{n}__given": text.notna()})
    if col.type == "integer":
        out[f"{n}__value"] = values.parse_integer(text)
    elif col.type == "decimal":
        out[f"{n}__value"] = values.parse_decimal(text)
    elif col.type == "date":
        out[f"{n}__value"] = values.parse_date(text)
    elif col.type == "boolean":
        out[f"{n}__filled"] = text.fillna("0")
        out[f"{n}__value"] = values.parse_boolean(text)
    elif col.type == "code":
        entry, canonical = canonical_codes(text, col.code_list or "")
        out[f"{n}__code"] = entry
        out[f"{n}__value"] = canonical.where(text.notna())
        if col.code_list == "measure_codes":
            out[f"{n}__placement"] = entry.map(_placement_class()).fillna("unknown")
    elif col.type == "cpr":
        out[f"{n}__value"] = cpr.normalise(text)
        out[f"{n}__birth"] = cpr.birth_date(text)
    else:
        out[f"{n}__value"] = text
    return out


def _with_empty_first(uniques: Any) -> pd.Series:
    return pd.concat([pd.Series([pd.NA], dtype="string"), pd.Series(uniques, dtype="string")], ignore_index=True)


def encode(text: pd.Series, col: Column, kind: str = "") -> Encoded:
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    if not remembered(col):
        return Encoded(codes + 1, _companions(_with_empty_first(uniques), col))
    spec = (kind, col.name, col.type, col.code_list or "")
    known = _known.get(spec)
    if known is None or len(known.index) > KNOWN_LIMIT:
        known = _known[spec] = Known(pd.Index([], dtype="string"), _companions(_with_empty_first([]), col))
    position = known.index.get_indexer(pd.Index(uniques, dtype="string"))
    new = position < 0
    if new.any():
        fresh = pd.Index(uniques[new], dtype="string")
        position[new] = len(known.index) + np.arange(len(fresh))
        known.index = known.index.append(fresh)
        known.values = pd.concat([known.values, _companions(pd.Series(fresh.array), col)], ignore_index=True)
        known.verdicts = {k: np.concatenate([v, np.full(len(fresh), -1, dtype=np.int8)]) for k, v in known.verdicts.items()}
    return Encoded(np.append(position + 1, 0)[codes], known.values, known)  # code -1 (empty) → row 0


def check_frame(raw: pd.DataFrame, kind: FileKind) -> dict[str, Encoded]:
    """Each declared column of the file, encoded with its companions."""
    return {col.name: encode(raw[col.name], col, kind.name) for col in kind.columns}


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


def columns_of(rule: Rule, known: Iterable[str]) -> list[str]:
    """The delivered columns (of `known`) a rule reads, through its kwargs and its row condition."""
    kwargs = rule.expectation["kwargs"]
    names = [kwargs.get(k) for k in ("column", "column_A", "column_B")] + list(kwargs.get("column_list", []))
    names += re.findall(r"[A-Za-z_]\w*", kwargs.get("row_condition", ""))
    known = set(known)
    return sorted({n.split("__")[0] for n in names if isinstance(n, str)} & known)


def distinct_rows(encoded: dict[str, Encoded], bases: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct combinations of the columns' values (with their companions), and for each row
    of the file the position of its combination."""
    if len(bases) == 1:
        only = encoded[bases[0]]
        return only.values, only.codes
    key = np.zeros(len(encoded[bases[0]].codes), dtype=np.int64)
    first = np.array([], dtype=np.int64)
    for b in bases:  # compacted after each column, so the combined key never overflows
        _, first, key = np.unique(key * len(encoded[b].values) + encoded[b].codes, return_index=True, return_inverse=True)
    parts = [encoded[b].values.iloc[encoded[b].codes[first]].reset_index(drop=True) for b in bases]
    return pd.concat(parts, axis=1), key.reshape(-1)


def _parameter(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return parameters[value["$PARAMETER"]]
    return value


COMPILED_KWARGS = {"column", "column_A", "column_B", "value_set", "regex", "min_value", "max_value", "strict_min",
                   "strict_max", "or_equal", "ignore_row_if", "row_condition", "condition_parser"}
COMPILED_TYPES = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_null", "expect_column_values_to_match_regex",
                  "expect_column_values_to_be_in_set", "expect_column_values_to_be_between",
                  "expect_column_pair_values_a_to_be_greater_than_b"}
"""The expectation types (and kwargs) `evaluate` computes itself, exactly as GX's pandas engine does
(`column_map_metrics`, `column_pair_map_metrics`); a suite's other expectations run through GX."""


def compiled(rule: Rule) -> bool:
    e = rule.expectation
    if e["type"] not in COMPILED_TYPES or not set(e["kwargs"]) <= COMPILED_KWARGS or e["kwargs"].get("condition_parser", "pandas") != "pandas":
        return False
    try:
        return e["kwargs"].get("row_condition") is None or bool(row_condition(e["kwargs"]["row_condition"]))
    except (ValueError, SyntaxError):  # a condition beyond comparisons: GX evaluates it
        return False


_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
            ast.GtE: operator.ge}


@cache
def row_condition(text: str) -> Callable[[pd.DataFrame], Any]:
    """A suite's pandas row condition (`a__given == True and (b__value < "7" or …)`), parsed once:
    the same Series operations `DataFrame.query` applies (`and`/`or`/`not` as `&`/`|`/`~`, so a
    comparison with a missing value is neither true nor false), without parsing it again for
    every distinct value set. Anything beyond comparisons of columns with constants is refused."""
    def compile_(node: ast.AST) -> Callable[[pd.DataFrame], Any]:
        if isinstance(node, ast.BoolOp):
            parts = [compile_(v) for v in node.values]
            combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
            return lambda f: functools.reduce(combine, (p(f) for p in parts))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = compile_(node.operand)
            return lambda f: ~inner(f)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            left, right, op = compile_(node.left), compile_(node.comparators[0]), _COMPARE[type(node.ops[0])]
            return lambda f: op(left(f), right(f))
        if isinstance(node, ast.Name):
            return lambda f: f[node.id]
        if isinstance(node, ast.Constant):
            return lambda f: node.value
        raise ValueError(f"unsupported row condition: {text!r}")

    return compile_(ast.parse(text, mode="eval").body)


def _true(mask: pd.Series | np.ndarray) -> np.ndarray:
    """Null-safe: a comparison that is null (a missing value) is not true."""
    if isinstance(mask, pd.Series):
        return mask.to_numpy(dtype=bool, na_value=False)
    return np.asarray(mask, dtype=bool)


def _in_set(column: pd.Series, allowed: Iterable[Any]) -> np.ndarray:
    """`Series.isin(allowed)` as GX calls it; a text column against text values is looked up in a
    Python set instead: pandas' `isin` on Arrow-backed text costs a second per 100 000 values
    against one municipality's measure ids (follow-ups), the set lookup 40 ms."""
    allowed = list(allowed)
    if pd.api.types.is_string_dtype(column.dtype) and all(isinstance(v, str) for v in allowed):
        members = frozenset(allowed)
        return np.fromiter((v in members for v in column.to_numpy(dtype=object, na_value=None)), dtype=bool, count=len(column))
    return _true(column.isin(allowed))


def evaluate(rule: Rule, frame: pd.DataFrame, parameters: dict[str, Any]) -> np.ndarray:
    """For each row of `frame`, whether it breaks the rule, as GX's pandas engine judges it: the row
    condition selects the rows (`DataFrame.query`), missing values pass every rule but the null
    checks, a pair rule skips rows as `ignore_row_if` says."""
    kwargs = {k: _parameter(v, parameters) for k, v in rule.expectation["kwargs"].items()}
    frame = frame.reset_index(drop=True)
    scope = np.ones(len(frame), dtype=bool)
    if kwargs.get("row_condition"):
        scope = _true(row_condition(kwargs["row_condition"])(frame))
    kind = rule.expectation["type"]
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = frame[kwargs["column_A"]], frame[kwargs["column_B"]]
        ignore = {"either_value_is_missing": _true(a.isna() | b.isna()), "both_values_are_missing": _true(a.isna() & b.isna()),
                  "neither": np.zeros(len(frame), dtype=bool)}[kwargs.get("ignore_row_if", "both_values_are_missing")]
        ok = _true(a >= b) if kwargs.get("or_equal") else _true(a > b)
        return scope & ~ignore & ~ok
    column = frame[kwargs["column"]]
    present = _true(column.notna())
    if kind == "expect_column_values_to_not_be_null":
        return scope & ~present
    if kind == "expect_column_values_to_be_null":
        return scope & present
    ok = np.ones(len(frame), dtype=bool)
    if kind == "expect_column_values_to_match_regex":
        ok[present] = _true(column[present].astype(str).str.contains(kwargs["regex"]))
    elif kind == "expect_column_values_to_be_in_set":
        if kwargs.get("value_set") is not None:
            ok = _in_set(column, kwargs["value_set"])
    elif kind == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if low is not None:
            ok &= _true(column > low) if kwargs.get("strict_min") else _true(column >= low)
        if high is not None:
            ok &= _true(column < high) if kwargs.get("strict_max") else _true(column <= high)
    return scope & present & ~ok


GX_CHECKS = 1
"""How many times per process each compiled rule is compared with GX on a sample of its values:
once, and once more the first time it finds bad values (if the first time found none)."""
SAMPLE = 500
"""Distinct values per comparison, at most: every bad one up to SAMPLE, and as many good ones."""

_compared: dict[str, list[int]] = {}
"""Per rule (its expectation): comparisons with GX made, and those that had bad values."""
_agreements: Path | None = None
"""Where comparisons that agreed are recorded across runs (see `record_agreements_in`)."""


@cache
def _code_version() -> str:
    """The compiled rules' code and the GX version they were compared with."""
    from importlib.metadata import version

    here = Path(__file__).resolve().parent
    sources = [(here / f).read_bytes() for f in ("validator.py", "values.py", "cpr.py", "reference.py")]
    return hashlib.sha256(b"".join(sources) + version("great_expectations").encode()).hexdigest()


def _agreement_key(identity: str) -> str:
    return hashlib.sha256((identity + _code_version()).encode()).hexdigest()


def record_agreements_in(path: Path | None) -> None:
    """Remember, in `path` (one JSON line per comparison, appended), which compiled rules agreed with
    GX on a sample of real values, for this code and GX version: a later run (a later night, another
    worker process) trusts them without importing GX, which alone costs seconds per process. A new
    release of the rules or of GX compares again; the test suite compares on every value."""
    global _agreements
    if path == _agreements:
        return
    _agreements = path
    if path is None or not path.exists():
        return
    agreed = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        agreed[record["rule"]] = agreed.get(record["rule"], False) or record["with_bad"]
    _preagreed.clear()
    _preagreed.update(agreed)


_preagreed: dict[str, bool] = {}
"""Agreements read from `_agreements`: rule key → whether the comparison included bad values."""
_by_gx: set[str] = set()
"""Rules whose compiled verdict disagreed with GX's on a sample: GX judges them for the rest of the process."""


def _mode() -> str:
    """`TRAPPE_VALIDATION=gx`: every rule through GX on every distinct value (the reference, slow)."""
    return os.environ.get("TRAPPE_VALIDATION", "compiled")


def judge(rule: Rule, frame: pd.DataFrame, name: str, parameters: dict[str, Any]) -> np.ndarray:
    """Which rows of `frame` break the rule. GX's verdict is the reference; the compiled verdict is
    used when it agreed with GX on a sample (each rule is compared in each process, see GX_CHECKS).
    A disagreement is logged and GX judges that rule from then on, so it costs time, not correctness."""
    identity = json.dumps(rule.expectation, sort_keys=True, default=str)
    if _mode() == "gx" or identity in _by_gx or not compiled(rule):
        bad = np.zeros(len(frame), dtype=bool)
        bad[_validate_with_gx(frame, rule, name, parameters)] = True
        return bad
    bad = evaluate(rule, frame, parameters)
    if identity not in _compared:
        key = _agreement_key(identity)
        _compared[identity] = [1, int(_preagreed[key])] if key in _preagreed else [0, 0]
    checks, with_bad = _compared[identity]
    if checks >= GX_CHECKS and (with_bad or not bad.any()):
        return bad
    sample = np.concatenate([np.flatnonzero(bad)[:SAMPLE], np.flatnonzero(~bad)[:SAMPLE]])
    reference = np.zeros(len(sample), dtype=bool)
    reference[_validate_with_gx(frame.iloc[sample].reset_index(drop=True), rule, name, parameters)] = True
    if (reference != bad[sample]).any():
        log.error("%s: the compiled rule %r on %r disagrees with Great Expectations on %d of %d sampled values; "
                  "GX judges it from now on", name, rule.rule, rule.column, int((reference != bad[sample]).sum()), len(sample))
        _by_gx.add(identity)
        return judge(rule, frame, name, parameters)
    _compared[identity] = [checks + 1, with_bad + int(bad.any())]
    _record_agreement(identity, bool(bad.any()))
    return bad


def _record_agreement(identity: str, with_bad: bool) -> None:
    """Remember across processes that a compiled rule agreed with GX (see `record_agreements_in`)."""
    if _agreements is not None:  # one short line, appended in one write: safe from several workers at once
        _agreements.parent.mkdir(parents=True, exist_ok=True)
        with open(_agreements, "a", encoding="utf-8") as sink:
            sink.write(json.dumps({"rule": _agreement_key(identity), "with_bad": with_bad}) + "\n")


def run_suite(encoded: dict[str, Encoded], rules: list[Rule], name: str, parameters: dict[str, Any]) -> list[tuple[Rule, np.ndarray]]:
    """Each rule with the positions of the rows that break it. A rule judges a row by its own
    values, so each distinct combination of the columns it reads is judged once; on a remembered
    column (`Known`), once per process for the same parameters."""
    failures = []
    warnings.filterwarnings("ignore", message="(Passing a string to the row_condition|The condition_parser parameter)", category=DeprecationWarning)
    for rule in rules:
        bases = columns_of(rule, encoded)
        known = encoded[bases[0]].known if len(bases) == 1 else None
        if known is not None:
            bad = np.flatnonzero(_remembered(rule, encoded[bases[0]], known, name, parameters))
        else:
            frame, rows = distinct_rows(encoded, bases)
            bad = np.flatnonzero(judge(rule, frame, name, parameters)[rows])
        if len(bad):
            failures.append((rule, bad))
    return failures


def _remembered(rule: Rule, enc: Encoded, known: Known, name: str, parameters: dict[str, Any]) -> np.ndarray:
    """Whether each row breaks the rule, judging only the values of the column not judged before
    (for these parameter values)."""
    read = {n: parameters.get(n) for n in sorted(_parameter_names(rule.expectation["kwargs"]))}
    key = json.dumps([rule.expectation, read, _mode()], sort_keys=True, default=str)
    verdict = known.verdicts.get(key)
    if verdict is None:
        verdict = known.verdicts[key] = np.full(len(known.values), -1, dtype=np.int8)
    used, _ = compact(enc.codes, len(known.values))
    open_ = used[verdict[used] < 0]
    if len(open_):
        verdict[open_] = judge(rule, known.values.iloc[open_].reset_index(drop=True), name, parameters)
    return verdict[enc.codes] == 1


def _parameter_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        if "$PARAMETER" in value:
            return {value["$PARAMETER"]}
        return set().union(*(_parameter_names(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_parameter_names(v) for v in value)) if value else set()
    return set()


def _validate_with_gx(checked: pd.DataFrame, rule: Rule, name: str, parameters: dict[str, Any]) -> np.ndarray:
    """Positions (in `checked`) of the rows that break `rule`, as its GX suite finds them."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    checked = checked.reset_index(drop=True)
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


def duplicates(encoded: dict[str, Encoded], key: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    """Positions (of `rows`) whose key occurs more than once among `rows`, as GX's uniqueness
    expectations judge it: a row whose key values are all missing is ignored."""
    codes = []
    for column in key:
        enc = encoded[column.split("__")[0]]
        value_codes, _ = pd.factorize(enc.values[column], use_na_sentinel=True)  # equal canonical values, one code
        codes.append(value_codes[enc.codes[rows]])
    stacked = np.column_stack(codes)
    considered = np.flatnonzero(~(stacked < 0).all(axis=1))
    if not len(considered):
        return considered
    combined = np.zeros(len(considered), dtype=np.int64)
    for c in codes:  # one integer per key, compacted after each column (no overflow)
        _, combined = np.unique(combined * (int(c.max(initial=0)) + 2) + c[considered] + 1, return_inverse=True)
    _, inverse, counts = np.unique(combined.reshape(-1), return_inverse=True, return_counts=True)
    return considered[counts[inverse] > 1]


_CPR_ANYWHERE = re.compile(cpr.CPR_ANYWHERE)


def mask(values_: Sequence[Any], is_cpr: bool) -> list[str]:
    """What quarantine may show of each value: never a CPR (the whole cpr column, and any
    CPR-shaped digits elsewhere), at most MAX_VALUE_LENGTH characters, "" for an empty value."""
    if is_cpr:
        return [MASK] * len(values_)
    shown = []
    for value in values_:
        if value is None or value is pd.NA:
            shown.append("")
            continue
        text = _CPR_ANYWHERE.sub(MASK, str(value))
        shown.append(text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH] + "…")
    return shown


def validate(raw: RawTable, kind: FileKind, parameters: dict[str, Any]) -> Checked:
    """Check one read file against its kind's rules; `parameters` fill the suite's `$PARAMETER`s."""
    frame = raw.frame.reset_index(drop=True)
    encoded = check_frame(frame, kind)
    position = {name: raw.header.index(name) for name in kind.column_names}
    rules = [r for col in kind.columns for r in type_rules(col)] + suite_rules(kind)
    rules.sort(key=lambda r: (position[r.column], r.order))
    first_rule = np.full(len(frame), -1, dtype=np.int64)
    breaks: dict[str, np.ndarray] = {}
    if len(frame):
        for rule, rows in run_suite(encoded, rules, kind.name, parameters):
            breaks[rule.rule] = np.union1d(breaks.get(rule.rule, np.array([], dtype=np.int64)), rows)
            if rule.warning:
                continue
            rank = rules.index(rule)
            hit = rows[(first_rule[rows] == -1) | (first_rule[rows] > rank)]
            first_rule[hit] = rank
    keeps = first_rule == -1
    found = [(np.flatnonzero(first_rule == i), rule) for i, rule in enumerate(rules)]
    for key in kind.unique:
        kept = np.flatnonzero(keeps)
        positions = kept[_unique_breaks(encoded, key, kept, kind.name, parameters)]
        keeps[positions] = False
        found.append((positions, _unique_rule(key)))
    bad_rows = [_quarantine_rows(frame, encoded, [(rows, rule) for rows, rule in found if len(rows)], kind)]
    if len(raw.ragged):
        bad_rows.append(pd.DataFrame({"row_number": raw.ragged["row_number"], "column_name": "",
                                      "rule": "field_count",
                                      "value_masked": raw.ragged["fields"].map(lambda n: f"{n} fields, header has {len(raw.header)}")}))
    quarantine = pd.concat(bad_rows, ignore_index=True)
    good = _typed(encoded, np.flatnonzero(keeps), kind)
    good.insert(0, ROW, frame.loc[keeps, ROW].to_numpy())
    warned = {r.rule: int(keeps[breaks[r.rule]].sum()) for r in rules if r.warning and r.rule in breaks}
    return Checked(good=good, quarantine=quarantine.sort_values("row_number", kind="stable").reset_index(drop=True),
                   breaks=breaks, warnings={rule: n for rule, n in warned.items() if n})


def _unique_rule(key: tuple[str, ...]) -> Rule:
    if len(key) > 1:
        return _expectation("expect_compound_columns_to_be_unique", "duplicate_key", key[0].split("__")[0], 0, column_list=list(key))
    return _expectation("expect_column_values_to_be_unique", "duplicate_id", key[0].split("__")[0], 0, column=key[0])


_uniqueness_compared: set[str] = set()


def _unique_breaks(encoded: dict[str, Encoded], key: tuple[str, ...], kept: np.ndarray, name: str, parameters: dict[str, Any]) -> np.ndarray:
    """Positions (of `kept`) that break the kind's uniqueness rule among the rows that keep every
    other rule (sources.md §1). The first time that a key has duplicates, GX judges the same rows
    too (once per code version, recorded like the other rules' agreements, so later runs and
    worker processes never import GX for it); a disagreement leaves GX's verdict, with an error in the log."""
    found = duplicates(encoded, key, kept)
    rule = _unique_rule(key)
    identity = json.dumps(rule.expectation, sort_keys=True)
    trusted = identity in _uniqueness_compared or _preagreed.get(_agreement_key(identity))
    if _mode() != "gx" and identity not in _by_gx and (trusted or not len(found)):
        return found
    bases = sorted({c.split("__")[0] for c in key})
    frame = pd.concat([encoded[b].values.iloc[encoded[b].codes[kept]].reset_index(drop=True) for b in bases], axis=1)
    reference = np.sort(_validate_with_gx(frame, rule, f"{name}_unique", parameters))
    _uniqueness_compared.add(identity)
    if not np.array_equal(reference, found):
        log.error("%s: the uniqueness check on %s disagrees with Great Expectations; GX judges it from now on", name, ", ".join(key))
        _by_gx.add(identity)
    else:
        _record_agreement(identity, True)
    return reference


def _quarantine_rows(frame: pd.DataFrame, encoded: dict[str, Encoded], found: list[tuple[np.ndarray, Rule]], kind: FileKind) -> pd.DataFrame:
    """One quarantine row per bad row: its number, the column and rule, and the value as `mask`
    shows it (masked once per distinct value of each column)."""
    rows = np.concatenate([r for r, _ in found]) if found else np.array([], dtype=np.int64)
    shown = np.empty(len(rows), dtype=object)
    starts = np.cumsum([0] + [len(r) for r, _ in found])
    cpr_columns = {c.name for c in kind.columns if c.type == "cpr"}
    for column in {rule.column for _, rule in found}:
        at = np.concatenate([np.arange(starts[i], starts[i + 1]) for i, (_, rule) in enumerate(found) if rule.column == column])
        enc = encoded[column]
        used, inverse = np.unique(enc.codes[rows[at]], return_inverse=True)
        shown[at] = np.array(mask(enc.values[column].iloc[used].tolist(), column in cpr_columns), dtype=object)[inverse.reshape(-1)]
    return pd.DataFrame({"row_number": frame[ROW].to_numpy()[rows].astype(np.int64),
                         "column_name": np.repeat([rule.column for _, rule in found], [len(r) for r, _ in found]).astype(object),
                         "rule": np.repeat([rule.rule for _, rule in found], [len(r) for r, _ in found]).astype(object),
                         "value_masked": shown})


def _typed(encoded: dict[str, Encoded], rows: np.ndarray, kind: FileKind) -> pd.DataFrame:
    """The typed value of every declared column for `rows` (dates as datetime64: staging stores them
    as DATE); CPR stays normalised text plus its birth date, for `pseudonym.protect` to replace
    before anything is written."""
    out = {}
    for col in kind.columns:
        enc = encoded[col.name]
        used, position = compact(enc.codes[rows], len(enc.values))
        names = [col.name] + ([f"{col.name}__birth"] if col.type == "cpr" else [])
        for name, companion in zip(names, [f"{col.name}__value", f"{col.name}__birth"]):
            out[name] = enc.values[companion].iloc[used].array.take(position)
    return pd.DataFrame(out)
