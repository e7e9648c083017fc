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
STAGED_KOMMUNE = ("kommunekode", "BIGINT", "Municipality code as delivered (validated as an integer of up to 18 digits)")
EXTRACTED = ("extraction_date", "DATE", "Extraction date in the name of the delivery this row came from")
PERSON = ("person_id", "VARCHAR", "Keyed pseudonym of the CPR number (HMAC-SHA256); never the CPR itself")
BIRTH = ("birth_date", "DATE", "Date of birth derived from the CPR number by the century rule")
RUN = ("run_id", "VARCHAR", "The run that produced this row")

STAGING = {
    t.name: t
    for t in (
        _t("staging", "measures", "measure of the snapshot in force", "Measures and placements (pseudonymised)",
           STAGED_KOMMUNE, ("foranstaltning_id", "VARCHAR", ""), PERSON, BIRTH, ("paragraf", "VARCHAR", "Canonical legal basis code"),
           ("anbringelsessted", "VARCHAR", ""), ("startdato", "DATE", ""), ("slutdato", "DATE", ""), ("bevilget_af", "VARCHAR", ""),
           ("handicap", "BOOLEAN", ""), ("uledsaget_flygtning", "BOOLEAN", ""), EXTRACTED),
        _t("staging", "investigations", "child investigation decision", "Child investigations (pseudonymised)",
           STAGED_KOMMUNE, ("undersoegelse_id", "VARCHAR", ""), PERSON, BIRTH, ("paragraf", "VARCHAR", ""), ("afgoerelsesdato", "DATE", ""), EXTRACTED),
        _t("staging", "caseworkers", "caseworker × counting date", "Caseworker snapshot",
           STAGED_KOMMUNE, ("opgoerelsesdato", "DATE", ""), ("medarbejder_id", "VARCHAR", ""), ("team", "VARCHAR", ""),
           ("normtid", "DOUBLE PRECISION", ""), ("antal_sager", "BIGINT", ""), EXTRACTED),
        _t("staging", "followups", "follow-up of a measure", "Follow-ups of measures",
           STAGED_KOMMUNE, ("foranstaltning_id", "VARCHAR", ""), ("opfoelgningsdato", "DATE", ""), EXTRACTED),
        _t("staging", "population", "municipality × reference date × age × delivery", "Population counts",
           STAGED_KOMMUNE, ("dato", "DATE", ""), ("alder", "BIGINT", ""), ("antal", "BIGINT", ""), EXTRACTED),
        _t("staging", "pupil_wellbeing", "pupil × school-year file in force", "Wellbeing survey per pupil (sources.md §5, pseudonymised)",
           STAGED_KOMMUNE, ("skoleaar", "VARCHAR", "School year, e.g. 2016/17 (equal to the file name's)"), PERSON, BIRTH,
           ("klassetrin", "BIGINT", "Grade 0-10 in this file"), ("faglig_trivsel", "DOUBLE PRECISION", "Index 1-5; null: not answered"),
           ("social_trivsel", "DOUBLE PRECISION", ""), ("ro_og_orden", "DOUBLE PRECISION", ""),
           ("stoette_og_inspiration", "DOUBLE PRECISION", ""), EXTRACTED),
        _t("staging", "pupil_absence", "pupil × school-year file in force", "Absence per pupil (sources.md §5, pseudonymised)",
           STAGED_KOMMUNE, ("skoleaar", "VARCHAR", "School year, e.g. 2016/17 (equal to the file name's)"), PERSON, BIRTH,
           ("klassetrin", "BIGINT", "Grade 0-10 in this file"), ("skoledage", "DOUBLE PRECISION", "School days (> 0)"),
           ("fravaersdage", "DOUBLE PRECISION", "Absence days (0 to skoledage)"), EXTRACTED),
        _t("staging", "build_inputs", "municipality (-1: what all share)", "Digest of the staged inputs each municipality was last published from (changes.py)",
           ("kommunekode", "BIGINT", ""), ("digest", "VARCHAR", "")),
        _t("staging", "measurement_points", "municipality × measurement point", "Measurement points and the dates they look back to",
           STAGED_KOMMUNE, ("point_index", "BIGINT", ""), ("measurement_date", "DATE", ""), ("previous_date", "DATE", ""),
           ("minus_6m", "DATE", ""), ("minus_1y", "DATE", ""), ("minus_1y_is_point", "BOOLEAN", "")),
        _t("staging", "ref_legal_basis", "legal-basis code", "reference/legal_basis.csv",
           ("code", "VARCHAR", ""), ("kind", "VARCHAR", ""), ("step", "BIGINT", ""), ("home_based_kind", "VARCHAR", ""),
           ("is_placement", "BOOLEAN", ""), ("covers_subdivisions", "BOOLEAN", "")),
        _t("staging", "ref_legal_basis_rules", "dated override of a code", "reference/legal_basis_rules.csv",
           ("code", "VARCHAR", ""), ("started_before", "DATE", ""), ("step", "BIGINT", ""), ("home_based_kind", "VARCHAR", "")),
        _t("staging", "ref_placement_settings", "placement setting", "reference/placement_settings.csv",
           ("code", "VARCHAR", ""), ("step", "BIGINT", "")),
        _t("staging", "ref_followup_standards", "municipality (null: default) × step", "Follow-up standards in days",
           ("kommunekode", "BIGINT", ""), ("step", "BIGINT", ""), ("standard_days", "BIGINT", "")),
        # -- accounts (sources.md §4, accounts.md); the ref_* tables are rebuilt by transforms/expenditure.py --
        _t("staging", "ledger", "posting of the delivery in force per municipality × fiscal year", "Municipal accounts (ledger/regnskab_*)",
           STAGED_KOMMUNE, ("aar", "BIGINT", "Fiscal year (= the file name's)"), ("status", "VARCHAR", "regnskab (final) or forventet (expected)"),
           ("funktion", "VARCHAR", "Function of the authorised chart of accounts, e.g. 5.28.21"), ("gruppering", "VARCHAR", "Grouping (3 digits) or null"),
           ("dranst", "BIGINT", "Operating type: 1 operating, 2 state refunds, 3 capital, 4-7 financial"), ("art", "VARCHAR", "Kind, e.g. 4.0"),
           ("beloeb", "DECIMAL(18,2)", "DKK; expenses positive, revenues negative"), EXTRACTED),
        _t("staging", "ledger_mapping", "mapping row of a municipality's kontoplan_tilpasning in force", "A municipality's own mapping rows (accounts.md §1)",
           STAGED_KOMMUNE, ("funktion", "VARCHAR", ""), ("gruppering", "VARCHAR", "3 digits, * or null (the whole function)"),
           ("category", "VARCHAR", "service, administration or excluded"), ("step", "VARCHAR", ""),
           ("andel", "DECIMAL(9,6)", "Share of the postings that counts (null: 1)"), EXTRACTED),
        _t("staging", "ledger_pl_index", "year of ledger/pl_indeks.csv", "A user's price and wage index (accounts.md §3)",
           STAGED_KOMMUNE, ("aar", "BIGINT", ""), ("indeks", "DECIMAL(18,6)", "")),
        _t("staging", "ref_accounts_mapping", "municipality (null: default) × funktion × gruppering × validity",
           "Effective mapping of accounts to category and step: reference/accounts_mapping.csv and the overrides in force",
           ("kommunekode", "BIGINT", "null: the default row"), ("funktion", "VARCHAR", ""), ("gruppering", "VARCHAR", "3 digits or *"),
           ("valid_from_year", "BIGINT", ""), ("valid_to_year", "BIGINT", ""), ("category", "VARCHAR", ""), ("step", "VARCHAR", ""),
           ("andel", "DECIMAL(9,6)", "")),
        _t("staging", "ref_account_kinds", "art or main kind", "reference/accounts_art.csv", ("art", "VARCHAR", ""), ("kind", "VARCHAR", "")),
        _t("staging", "ref_dranst", "operating type", "reference/accounts_dranst.csv", ("dranst", "BIGINT", ""), ("role", "VARCHAR", "")),
        _t("staging", "ref_pl_factors", "fiscal year", "Fixed-price factors: index(base) / index(year), 12 decimals",
           ("fiscal_year", "BIGINT", ""), ("pl_index", "DECIMAL(18,6)", ""), ("factor", "DECIMAL(16,12)", ""),
           ("price_base_year", "BIGINT", "")),
        _t("staging", "ref_expenditure_periods", "category", "Baseline and project years per category ([expenditure] in trappe.toml)",
           ("category", "VARCHAR", ""), ("baseline_first_year", "BIGINT", ""), ("baseline_last_year", "BIGINT", ""),
           ("baseline_weight", "DECIMAL(14,12)", "1 / number of baseline years, 12 decimals"),
           ("project_first_year", "BIGINT", ""), ("project_last_year", "BIGINT", "")),
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
        _t("published", "school_wellbeing", "municipality × school year × group × indicator",
           "School wellbeing and absence of pupils in grades 4-9, vulnerable and other pupils (methodology.md §5), unrounded, "
           "small cells suppressed",
           KOMMUNE[:2] + ("Municipality code",), ("school_year", "VARCHAR", "School year (1 August - 31 July), e.g. 2016/17"),
           ("pupil_group", "VARCHAR", "vulnerable (an active measure on steps 2-6 on at least one day of the school year, "
                                      "target-group exclusions applied), other (the rest of the extract), or gap (mean of other minus mean of vulnerable)"),
           ("indicator", "VARCHAR", "academic_wellbeing, social_wellbeing, classroom_calm, support_inspiration (indices 1-5) or absence_pct"),
           ("mean", "DOUBLE PRECISION", "Unrounded mean over the pupils with a value; for gap the difference of the two means; "
                                        "null when suppressed"),
           ("n", "INTEGER", "Pupils with a value of the indicator; null for gap"),
           ("suppressed", "BOOLEAN", "True when n is below the disclosure threshold (default 5), and for a gap that would "
                                     "reveal a suppressed cell: the mean is then null"), RUN),
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
        _t("published", "expenditure_by_step", "municipality × fiscal year × step",
           "Gross operating service expenditure on 5.28 per staircase step 2-6 and not_allocated, in fixed prices, with its share "
           "(methodology.md §4); the six shares of a municipality and year sum to 100",
           KOMMUNE[:2] + ("Municipality code",), ("fiscal_year", "INTEGER", "Fiscal year of the accounts"),
           ("accounts_status", "VARCHAR", "final (regnskab) or expected (forventet regnskab: provisional, replaced when the final accounts arrive)"),
           ("step", "VARCHAR", "preventive, home_based, network_care, foster_care, institution or not_allocated (see published.dim_step)"),
           ("gross_expenditure_dkk", "DOUBLE PRECISION", "Gross expenditure (expense kinds, dranst 1) in DKK at the prices of price_base_year, to the øre"),
           ("share_pct", "DOUBLE PRECISION", "Share of the year's gross service expenditure, unrounded; null when that total is 0"),
           ("gross_expenditure_nominal_dkk", "DOUBLE PRECISION", "The same in current prices (as booked)"),
           ("price_base_year", "INTEGER", "Year whose price level the fixed-price amounts are in"), RUN),
        _t("published", "expenditure_development", "municipality × fiscal year × category",
           "Net operating expenditure per year for service (5.28), administration and total, in fixed prices, with the baseline "
           "mean and the extra expenditure (merudgift) of the project years (methodology.md §4); state refunds apart as category refunds",
           KOMMUNE[:2] + ("Municipality code",), ("fiscal_year", "INTEGER", "Fiscal year of the accounts"),
           ("accounts_status", "VARCHAR", "final (regnskab) or expected (forventet regnskab: provisional, replaced when the final accounts arrive)"),
           ("category", "VARCHAR", "service, administration, total (= service + administration) or refunds (state refunds, dranst 2: "
                                   "negative, never netted into service or total)"),
           ("net_expenditure_dkk", "DOUBLE PRECISION", "Net expenditure (all kinds, dranst 1; refunds: dranst 2) in DKK at the prices of "
                                                       "price_base_year, to the øre; null for administration and total in a year "
                                                       "in which no administration account is mapped (before 2013 by default)"),
           ("net_expenditure_nominal_dkk", "DOUBLE PRECISION", "The same in current prices (as booked)"),
           ("baseline_first_year", "INTEGER", "First year of this category's baseline period"),
           ("baseline_last_year", "INTEGER", "Last year of this category's baseline period"),
           ("baseline_mean_dkk", "DOUBLE PRECISION", "Mean of net_expenditure_dkk over the baseline years; null unless the municipality "
                                                     "has accounts for every baseline year"),
           ("extra_expenditure_dkk", "DOUBLE PRECISION", "Extra expenditure (merudgift): net_expenditure_dkk - baseline_mean_dkk in a "
                                                         "project year; null outside the project years. Categories with different "
                                                         "baseline years are not comparable"),
           ("price_base_year", "INTEGER", "Year whose price level the fixed-price amounts are in"), RUN),
    )
}
