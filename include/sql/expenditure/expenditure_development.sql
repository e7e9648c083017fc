-- grain: municipality × fiscal year × category (service, administration, total, refunds)
-- Net operating expenditure (methodology.md §4): every kind under dranst 1 (revenues reduce it) on the
-- accounts mapped to service and to administration; total = service + administration. State refunds
-- (dranst 2 on those accounts) are their own category and never netted into service or total.
-- Administration and total are null in a year in which no administration account is mapped (before 2013
-- by default). Fixed prices to the øre; the baseline mean is the mean over the category's baseline years,
-- published only when the municipality has accounts for each of them (exact: sum × 1/n, 12 decimals);
-- the extra expenditure (merudgift) is published for the project years only.
WITH categories AS (
    SELECT category FROM (VALUES ('service'), ('administration'), ('total'), ('refunds')) AS c (category)
),
net AS (
    SELECT kommunekode, fiscal_year,
           SUM(CASE WHEN category = 'service' AND role = 'operating' THEN amount ELSE 0 END) AS service,
           SUM(CASE WHEN category = 'administration' AND role = 'operating' THEN amount ELSE 0 END) AS administration,
           SUM(CASE WHEN category IN ('service', 'administration') AND role = 'refunds' THEN amount ELSE 0 END) AS refunds
    FROM staging.expenditure_postings
    GROUP BY kommunekode, fiscal_year
),
cells AS (
    SELECT y.kommunekode, y.fiscal_year, y.accounts_status, c.category, y.factor, y.price_base_year,
           CASE c.category
               WHEN 'service' THEN COALESCE(n.service, 0)
               WHEN 'administration' THEN CASE WHEN y.administration_mapped THEN COALESCE(n.administration, 0) END
               WHEN 'total' THEN CASE WHEN y.administration_mapped THEN COALESCE(n.service, 0) + COALESCE(n.administration, 0) END
               ELSE COALESCE(n.refunds, 0)
           END AS nominal
    FROM staging.expenditure_years AS y
    CROSS JOIN categories AS c
    LEFT JOIN net AS n ON n.kommunekode = y.kommunekode AND n.fiscal_year = y.fiscal_year
),
fixed AS (
    SELECT kommunekode, fiscal_year, accounts_status, category, price_base_year,
           CAST(ROUND(nominal, 2) AS DECIMAL(18, 2)) AS nominal,
           CAST(ROUND(nominal * factor, 2) AS DECIMAL(18, 2)) AS amount
    FROM cells
),
baselines AS (
    SELECT f.kommunekode, f.category,
           CASE WHEN COUNT(f.amount) = p.baseline_last_year - p.baseline_first_year + 1
                THEN CAST(ROUND(SUM(f.amount) * p.baseline_weight, 2) AS DECIMAL(18, 2)) END AS mean
    FROM fixed AS f
    JOIN staging.ref_expenditure_periods AS p ON p.category = f.category
    WHERE f.fiscal_year BETWEEN p.baseline_first_year AND p.baseline_last_year
    GROUP BY f.kommunekode, f.category, p.baseline_first_year, p.baseline_last_year, p.baseline_weight
)
SELECT f.kommunekode, f.fiscal_year, f.accounts_status, f.category,
       CAST(f.amount AS DOUBLE PRECISION) AS net_expenditure_dkk,
       CAST(f.nominal AS DOUBLE PRECISION) AS net_expenditure_nominal_dkk,
       p.baseline_first_year, p.baseline_last_year,
       CAST(b.mean AS DOUBLE PRECISION) AS baseline_mean_dkk,
       CASE WHEN f.fiscal_year >= p.project_first_year AND (p.project_last_year IS NULL OR f.fiscal_year <= p.project_last_year)
            THEN CAST(f.amount - b.mean AS DOUBLE PRECISION) END AS extra_expenditure_dkk,
       f.price_base_year
FROM fixed AS f
JOIN staging.ref_expenditure_periods AS p ON p.category = f.category
LEFT JOIN baselines AS b ON b.kommunekode = f.kommunekode AND b.category = f.category
