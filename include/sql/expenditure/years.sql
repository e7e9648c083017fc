-- grain: municipality × fiscal year with accounts in force
-- The year's status (final only when every posting of the delivery in force says regnskab), its
-- fixed-price factor, and whether any administration account is mapped for it (accounts.md §1:
-- 6.45.58 from 2013; a municipality's own rows can map more).
CREATE TABLE staging.expenditure_years AS
WITH years AS (
    SELECT kommunekode, aar AS fiscal_year,
           CASE WHEN MIN(status) = 'regnskab' AND MAX(status) = 'regnskab' THEN 'final' ELSE 'expected' END AS accounts_status
    FROM staging.ledger
    GROUP BY kommunekode, aar
)
SELECT y.kommunekode, y.fiscal_year, y.accounts_status, f.factor, p.price_base_year,
       EXISTS (SELECT 1 FROM staging.expenditure_mapping AS m
               WHERE m.kommunekode = y.kommunekode AND m.category = 'administration'
                 AND (m.valid_from_year IS NULL OR m.valid_from_year <= y.fiscal_year)
                 AND (m.valid_to_year IS NULL OR m.valid_to_year >= y.fiscal_year)) AS administration_mapped
FROM years AS y
CROSS JOIN (SELECT MAX(price_base_year) AS price_base_year FROM staging.ref_pl_factors) AS p
LEFT JOIN staging.ref_pl_factors AS f ON f.fiscal_year = y.fiscal_year
