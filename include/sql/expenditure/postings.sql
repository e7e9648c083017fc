-- grain: municipality × fiscal year × account (funktion, gruppering) × category × step × dranst role × kind
-- Every posting of the ledger delivery in force, classified (accounts.md §1-2): the mapping is looked up on
-- (funktion, gruppering) first and (funktion, *) second, among the rows valid in the fiscal year; a 5.28
-- account that no row covers lands in service / not_allocated (flagged `unmapped`, reported by the run);
-- any other uncovered account is `outside` the children's area and enters nothing. `amount` is the
-- booked amount times the row's andel (exact decimals).
CREATE TABLE staging.expenditure_postings AS
WITH ledger AS (
    SELECT kommunekode, aar AS fiscal_year, funktion, COALESCE(gruppering, '') AS gruppering, dranst, art,
           CAST(beloeb AS DECIMAL(18, 2)) AS beloeb
    FROM staging.ledger
),
classified AS (
    SELECT l.kommunekode, l.fiscal_year, l.funktion, l.gruppering,
           CASE WHEN e.category IS NOT NULL THEN e.category
                WHEN w.category IS NOT NULL THEN w.category
                WHEN l.funktion LIKE '5.28.%' THEN 'service'
                ELSE 'outside' END AS category,
           CASE WHEN e.category IS NOT NULL THEN e.step
                WHEN w.category IS NOT NULL THEN w.step
                WHEN l.funktion LIKE '5.28.%' THEN 'not_allocated' END AS step,
           (e.category IS NULL AND w.category IS NULL AND l.funktion LIKE '5.28.%') AS unmapped,
           COALESCE(r.role, 'other') AS role,
           COALESCE(ks.kind, km.kind, 'other') AS kind,
           l.beloeb * CASE WHEN e.category IS NOT NULL THEN e.andel WHEN w.category IS NOT NULL THEN w.andel
                           ELSE CAST(1 AS DECIMAL(9, 6)) END AS amount
    FROM ledger AS l
    LEFT JOIN staging.expenditure_mapping AS e
           ON e.kommunekode = l.kommunekode AND e.funktion = l.funktion AND e.gruppering = l.gruppering
          AND (e.valid_from_year IS NULL OR e.valid_from_year <= l.fiscal_year)
          AND (e.valid_to_year IS NULL OR e.valid_to_year >= l.fiscal_year)
    LEFT JOIN staging.expenditure_mapping AS w
           ON w.kommunekode = l.kommunekode AND w.funktion = l.funktion AND w.gruppering = '*'
          AND (w.valid_from_year IS NULL OR w.valid_from_year <= l.fiscal_year)
          AND (w.valid_to_year IS NULL OR w.valid_to_year >= l.fiscal_year)
    LEFT JOIN staging.ref_dranst AS r ON r.dranst = l.dranst
    LEFT JOIN staging.ref_account_kinds AS ks ON ks.art = l.art
    LEFT JOIN staging.ref_account_kinds AS km ON km.art = SUBSTR(l.art, 1, 1)
)
SELECT kommunekode, fiscal_year, funktion, gruppering, category, step, unmapped, role, kind,
       SUM(amount) AS amount, COUNT(*) AS postings
FROM classified
GROUP BY kommunekode, fiscal_year, funktion, gruppering, category, step, unmapped, role, kind
