-- grain: municipality × measurement point from the second point on × breakdown (total,
-- to_network_or_foster_care, not_placed)
-- Cohort: children on step 6 at the previous point p who do not turn 18 in (p, d]. total = cohort
-- members no longer on step 6 at d / cohort; the exits split by where they are at d: highest step 4
-- or 5, or none of steps 4-6 (a step-3 home placement counts as not placed) / all exits.
WITH cohort AS (
    SELECT p.kommunekode, p.measurement_date, c.person_id, d.placement_step AS step_now
    FROM staging.measurement_points AS p
    JOIN staging.child_status AS c
        ON c.kommunekode = p.kommunekode AND c.measurement_date = p.previous_date AND c.placement_step = 6
    LEFT JOIN staging.child_status AS d
        ON d.kommunekode = p.kommunekode AND d.measurement_date = p.measurement_date AND d.person_id = c.person_id
    WHERE c.adult_from > p.measurement_date
),
counts AS (
    SELECT p.kommunekode, p.measurement_date,
           COUNT(c.person_id) AS cohort,
           SUM(CASE WHEN c.person_id IS NOT NULL AND (c.step_now IS NULL OR c.step_now < 6) THEN 1 ELSE 0 END) AS exits,
           SUM(CASE WHEN c.step_now IN (4, 5) THEN 1 ELSE 0 END) AS to_care,
           SUM(CASE WHEN c.person_id IS NOT NULL AND c.step_now IS NULL THEN 1 ELSE 0 END) AS not_placed
    FROM staging.measurement_points AS p
    LEFT JOIN cohort AS c ON c.kommunekode = p.kommunekode AND c.measurement_date = p.measurement_date
    WHERE p.previous_date IS NOT NULL
    GROUP BY p.kommunekode, p.measurement_date
),
parts AS (
    SELECT kommunekode, measurement_date, 'total' AS breakdown, exits AS numerator, cohort AS denominator FROM counts
    UNION ALL
    SELECT kommunekode, measurement_date, 'to_network_or_foster_care', to_care, exits FROM counts
    UNION ALL
    SELECT kommunekode, measurement_date, 'not_placed', not_placed, exits FROM counts
)
SELECT kommunekode, measurement_date, 'institution_exits' AS key_figure, breakdown, numerator, denominator,
       CASE WHEN denominator > 0 THEN 100.0 * numerator / denominator END AS value, 'pct' AS unit
FROM parts
