"""The warehouse's tables: columns, SQL types and comments, in one place.

DDL, `COMMENT ON`, the frames handed to the warehouse and the README's data dictionary are all
made from these definitions, so they cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    grain: str
    columns: tuple[tuple[str, str, str], ...]  # (name, SQL type, comment)
    comment: str = ""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c[0] for c in self.columns]


def _t(schema: str, name: str, grain: str, comment: str, *columns: tuple[str, str, str]) -> Table:
    return Table(schema, name, grain, tuple(columns), comment)


KOMMUNE = ("kommunekode", "INTEGER", "Municipality code (e.g. 510 Haderslev); 0 for the national population file")
EXTRACTED = ("extraction_date", "DATE", "Extraction date in the name of the delivery this row came from")
PERSON = ("person_id", "VARCHAR", "Keyed pseudonym of the CPR number (HMAC-SHA256); never the CPR itself")
BIRTH = ("birth_date", "DATE", "Date of birth derived from the CPR number by the century rule")
RUN = ("run_id", "VARCHAR", "The run that produced this row")

STAGING = {
    t.name: t
    for t in (
        _t("staging", "measures", "measure of the snapshot in force", "Measures and placements (pseudonymised)",
           KOMMUNE, ("foranstaltning_id", "VARCHAR", ""), PERSON, BIRTH, ("paragraf", "VARCHAR", "Canonical legal basis code"),
           ("anbringelsessted", "VARCHAR", ""), ("startdato", "DATE", ""), ("slutdato", "DATE", ""), ("bevilget_af", "VARCHAR", ""),
           ("handicap", "BOOLEAN", ""), ("uledsaget_flygtning", "BOOLEAN", ""), EXTRACTED),
        _t("staging", "investigations", "child investigation decision", "Child investigations (pseudonymised)",
           KOMMUNE, ("undersoegelse_id", "VARCHAR", ""), PERSON, BIRTH, ("paragraf", "VARCHAR", ""), ("afgoerelsesdato", "DATE", ""), EXTRACTED),
        _t("staging", "caseworkers", "caseworker × counting date", "Caseworker snapshot",
           KOMMUNE, ("opgoerelsesdato", "DATE", ""), ("medarbejder_id", "VARCHAR", ""), ("team", "VARCHAR", ""),
           ("normtid", "DOUBLE PRECISION", ""), ("antal_sager", "INTEGER", ""), EXTRACTED),
        _t("staging", "followups", "follow-up of a measure", "Follow-ups of measures",
           KOMMUNE, ("foranstaltning_id", "VARCHAR", ""), ("opfoelgningsdato", "DATE", ""), EXTRACTED),
        _t("staging", "population", "municipality × reference date × age × delivery", "Population counts",
           KOMMUNE, ("dato", "DATE", ""), ("alder", "INTEGER", ""), ("antal", "INTEGER", ""), EXTRACTED),
        _t("staging", "measurement_points", "municipality × measurement point", "Measurement points and the dates they look back to",
           KOMMUNE, ("point_index", "INTEGER", ""), ("measurement_date", "DATE", ""), ("previous_date", "DATE", ""),
           ("minus_6m", "DATE", ""), ("minus_1y", "DATE", ""), ("minus_1y_is_point", "BOOLEAN", "")),
        _t("staging", "ref_legal_basis", "legal-basis code", "reference/legal_basis.csv",
           ("code", "VARCHAR", ""), ("kind", "VARCHAR", ""), ("step", "INTEGER", ""), ("home_based_kind", "VARCHAR", ""),
           ("is_placement", "BOOLEAN", ""), ("covers_subdivisions", "BOOLEAN", "")),
        _t("staging", "ref_legal_basis_rules", "dated override of a code", "reference/legal_basis_rules.csv",
           ("code", "VARCHAR", ""), ("started_before", "DATE", ""), ("step", "INTEGER", ""), ("home_based_kind", "VARCHAR", "")),
        _t("staging", "ref_placement_settings", "placement setting", "reference/placement_settings.csv",
           ("code", "VARCHAR", ""), ("step", "INTEGER", "")),
        _t("staging", "ref_followup_standards", "municipality (null: default) × step", "Follow-up standards in days",
           ("kommunekode", "INTEGER", ""), ("step", "INTEGER", ""), ("standard_days", "INTEGER", "")),
    )
}


PUBLISHED = {
    t.name: t
    for t in (
        _t("published", "key_figures", "municipality × measurement date × key figure × breakdown",
           "Key figures on the intervention staircase (methodology.md §3), unrounded, with numerator and denominator",
           KOMMUNE[:2] + ("Municipality code",), ("measurement_date", "DATE", "Measurement point (31 Jan, 31 May, 30 Sep); for caseloads the counting date"),
           ("key_figure", "VARCHAR", "Key figure code (see published.dim_key_figure)"),
           ("breakdown", "VARCHAR", "Part of the key figure; empty string when it has none"),
           ("numerator", "DOUBLE PRECISION", "Numerator (usually distinct children)"),
           ("denominator", "DOUBLE PRECISION", "Denominator (children aged 0-17 for per_1000 figures)"),
           ("value", "DOUBLE PRECISION", "Unrounded value; null when the denominator is 0"),
           ("unit", "VARCHAR", "per_1000, pct, count, cases or days"), RUN),
        _t("published", "load_audit", "file × run", "Every delivered file in every run: rows read = loaded + quarantined (a log: runs append)",
           ("run_id", "VARCHAR", "The run"), ("source", "VARCHAR", "case, ledger, school or population"), KOMMUNE,
           ("file_name", "VARCHAR", "Path of the file inside the inbox"), ("sha256", "VARCHAR", "SHA-256 of the file's bytes"),
           ("rows_read", "INTEGER", "Data rows read (blank lines not counted)"), ("rows_loaded", "INTEGER", "Rows loaded into staging"),
           ("rows_quarantined", "INTEGER", "Rows quarantined (see published.quarantine)"),
           ("status", "VARCHAR", "loaded, partially_loaded, rejected, unchanged or superseded"),
           ("note", "VARCHAR", "What else a data engineer should know (ignored columns, fallback to an older snapshot)"),
           ("loaded_at", "TIMESTAMP", "When the run started")),
        _t("published", "quarantine", "rejected row or file × run", "Rows and files that broke a rule of sources.md (a log: runs append)",
           ("run_id", "VARCHAR", "The run"), ("source", "VARCHAR", "case, ledger, school or population"), KOMMUNE,
           ("file_name", "VARCHAR", "Path of the file inside the inbox"),
           ("row_number", "INTEGER", "Row as a spreadsheet shows it (header = 1); null for a whole file"),
           ("column_name", "VARCHAR", "The column whose rule the row broke first (empty for a whole file or a ragged row)"),
           ("rule", "VARCHAR", "Stable code of the rule (see the README, 'What happens to bad data')"),
           ("value_masked", "VARCHAR", "The offending value, CPR numbers masked, at most 200 characters")),
        _t("published", "dim_key_figure", "key figure × breakdown", "Key figures: labels, unit and definition",
           ("key_figure", "VARCHAR", "Key figure code"), ("breakdown", "VARCHAR", "Breakdown code, empty when none"),
           ("unit", "VARCHAR", "Unit"), ("label_da", "VARCHAR", "Danish label"), ("label_en", "VARCHAR", "English label"),
           ("definition", "VARCHAR", "Numerator / denominator in words")),
        _t("published", "dim_step", "staircase step", "The intervention staircase (indsatstrappen)",
           ("step_code", "VARCHAR", "Step code"), ("step", "INTEGER", "Step number 1-6 (null for not_allocated)"),
           ("label_da", "VARCHAR", "Danish label"), ("label_en", "VARCHAR", "English label")),
        _t("published", "dim_municipality", "municipality", "The 98 Danish municipalities",
           ("kommunekode", "INTEGER", "Municipality code"), ("label_da", "VARCHAR", "Danish name"),
           ("label_en", "VARCHAR", "English name"), ("region_da", "VARCHAR", "Region")),
    )
}
