-- grain: municipality × fiscal year × step (preventive, home_based, network_care, foster_care, institution, not_allocated)
-- Gross operating service expenditure (methodology.md §4): expense kinds under dranst 1 on the accounts
-- mapped to service, per step, in fixed prices (nominal × index(base) / index(year), to the øre); the share
-- is of the year's gross service total, so the six rows sum to 100 (null when the total is 0).
WITH steps AS (
    SELECT step FROM (VALUES ('preventive'), ('home_based'), ('network_care'), ('foster_care'), ('institution'),
                             ('not_allocated')) AS s (step)
),
gross AS (
    SELECT kommunekode, fiscal_year, step, SUM(amount) AS nominal
    FROM staging.expenditure_postings
    WHERE category = 'service' AND role = 'operating' AND kind = 'expense'
    GROUP BY kommunekode, fiscal_year, step
),
cells AS (
    SELECT y.kommunekode, y.fiscal_year, y.accounts_status, s.step, y.factor, y.price_base_year,
           COALESCE(g.nominal, 0) AS nominal
    FROM staging.expenditure_years AS y
    CROSS JOIN steps AS s
    LEFT JOIN gross AS g ON g.kommunekode = y.kommunekode AND g.fiscal_year = y.fiscal_year AND g.step = s.step
),
totals AS (
    SELECT kommunekode, fiscal_year, SUM(nominal) AS total FROM cells GROUP BY kommunekode, fiscal_year
)
SELECT c.kommunekode, c.fiscal_year, c.accounts_status, c.step,
       CAST(CAST(ROUND(c.nominal * c.factor, 2) AS DECIMAL(18, 2)) AS DOUBLE PRECISION) AS gross_expenditure_dkk,
       CASE WHEN t.total = 0 THEN NULL ELSE CAST(100 * c.nominal / t.total AS DOUBLE PRECISION) END AS share_pct,
       CAST(CAST(ROUND(c.nominal, 2) AS DECIMAL(18, 2)) AS DOUBLE PRECISION) AS gross_expenditure_nominal_dkk,
       c.price_base_year
FROM cells AS c
JOIN totals AS t ON t.kommunekode = c.kommunekode AND t.fiscal_year = c.fiscal_year
