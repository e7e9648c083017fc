-- grain: municipality with accounts × mapping row in force for it (accounts.md §1)
-- A municipality's own rows (kontoplan_tilpasning in force) replace the default rows with the same
-- (funktion, gruppering) for that municipality; every other default row stays.
CREATE TABLE staging.expenditure_mapping AS
WITH municipalities AS (
    SELECT DISTINCT kommunekode FROM staging.ledger
)
SELECT o.kommunekode, o.funktion, o.gruppering, o.valid_from_year, o.valid_to_year, o.category, o.step, o.andel,
       TRUE AS own_row
FROM staging.ref_accounts_mapping AS o
WHERE o.kommunekode IS NOT NULL
UNION ALL
SELECT m.kommunekode, d.funktion, d.gruppering, d.valid_from_year, d.valid_to_year, d.category, d.step, d.andel,
       FALSE AS own_row
FROM municipalities AS m
CROSS JOIN staging.ref_accounts_mapping AS d
WHERE d.kommunekode IS NULL
  AND NOT EXISTS (SELECT 1 FROM staging.ref_accounts_mapping AS o
                  WHERE o.kommunekode = m.kommunekode AND o.funktion = d.funktion AND o.gruppering = d.gruppering)
