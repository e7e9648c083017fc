-- grain: municipality × counting date of the caseworker snapshot × breakdown (mean, mean_per_fte, max, min)
-- measurement_date is the counting date (opgoerelsesdato), not a measurement point.
WITH per_date AS (
    SELECT kommunekode, opgoerelsesdato AS measurement_date,
           SUM(antal_sager) AS cases, COUNT(DISTINCT medarbejder_id) AS heads, SUM(normtid) AS fte,
           MAX(antal_sager) AS highest, MIN(antal_sager) AS lowest
    FROM staging.caseworkers
    GROUP BY kommunekode, opgoerelsesdato
),
parts AS (
    SELECT kommunekode, measurement_date, 'mean' AS breakdown, CAST(cases AS DOUBLE PRECISION) AS numerator, CAST(heads AS DOUBLE PRECISION) AS denominator FROM per_date
    UNION ALL
    SELECT kommunekode, measurement_date, 'mean_per_fte', cases, fte FROM per_date
    UNION ALL
    SELECT kommunekode, measurement_date, 'max', highest, 1 FROM per_date
    UNION ALL
    SELECT kommunekode, measurement_date, 'min', lowest, 1 FROM per_date
)
SELECT kommunekode, measurement_date, 'caseload_per_worker' AS key_figure, breakdown, numerator, denominator,
       CASE WHEN denominator > 0 THEN numerator / denominator END AS value, 'cases' AS unit
FROM parts
