-- grain: municipality × measurement point whose d − 1 year is itself a measurement point × breakdown (up, down, none)
-- Cohort: children aged 0-17 at d − 1 year with a step-3 measure and no placement on steps 4-6 then,
-- who do not turn 18 by d. At d: up = on any of steps 4-6; none = not on 4-6 and still on step 3;
-- down = on none of steps 3-6. Shares of the cohort; the three sum to 100.
WITH cohort AS (
    SELECT p.kommunekode, p.measurement_date, c.person_id, d.placement_step AS step_now, d.on_step3 AS step3_now
    FROM staging.measurement_points AS p
    JOIN staging.child_status AS c
        ON c.kommunekode = p.kommunekode AND c.measurement_date = p.minus_1y
       AND c.on_step3 = 1 AND c.placement_step IS NULL
    LEFT JOIN staging.child_status AS d
        ON d.kommunekode = p.kommunekode AND d.measurement_date = p.measurement_date AND d.person_id = c.person_id
    WHERE p.minus_1y_is_point AND c.adult_from > p.measurement_date
),
counts AS (
    SELECT p.kommunekode, p.measurement_date,
           COUNT(c.person_id) AS cohort,
           SUM(CASE WHEN c.step_now IS NOT NULL THEN 1 ELSE 0 END) AS up,
           SUM(CASE WHEN c.step_now IS NULL AND c.step3_now = 1 THEN 1 ELSE 0 END) AS stayed,
           SUM(CASE WHEN c.person_id IS NOT NULL AND c.step_now IS NULL AND COALESCE(c.step3_now, 0) = 0 THEN 1 ELSE 0 END) AS down
    FROM staging.measurement_points AS p
    LEFT JOIN cohort AS c ON c.kommunekode = p.kommunekode AND c.measurement_date = p.measurement_date
    WHERE p.minus_1y_is_point
    GROUP BY p.kommunekode, p.measurement_date
),
parts AS (
    SELECT kommunekode, measurement_date, 'up' AS breakdown, up AS numerator, cohort AS denominator FROM counts
    UNION ALL
    SELECT kommunekode, measurement_date, 'down', down, cohort FROM counts
    UNION ALL
    SELECT kommunekode, measurement_date, 'none', stayed, cohort FROM counts
)
SELECT kommunekode, measurement_date, 'home_based_movement' AS key_figure, breakdown, numerator, denominator,
       CASE WHEN denominator > 0 THEN 100.0 * numerator / denominator END AS value, 'pct' AS unit
FROM parts
