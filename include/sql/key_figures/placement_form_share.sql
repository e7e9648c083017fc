-- grain: municipality × measurement point × placement form (network_care, foster_care, institution)
-- Each placed child counts once, on the highest step it is on; the three shares sum to 100.
WITH forms AS (
    SELECT * FROM (VALUES (4, 'network_care'), (5, 'foster_care'), (6, 'institution')) AS f(step, breakdown)
),
counts AS (
    SELECT p.kommunekode, p.measurement_date, f.breakdown,
           SUM(CASE WHEN c.placement_step = f.step THEN 1 ELSE 0 END) AS numerator,
           COUNT(c.person_id) AS denominator
    FROM staging.measurement_points AS p
    CROSS JOIN forms AS f
    LEFT JOIN staging.child_status AS c
        ON c.kommunekode = p.kommunekode AND c.measurement_date = p.measurement_date AND c.placement_step IS NOT NULL
    GROUP BY p.kommunekode, p.measurement_date, f.breakdown
)
SELECT kommunekode, measurement_date, 'placement_form_share' AS key_figure, breakdown,
       numerator, denominator,
       CASE WHEN denominator > 0 THEN 100.0 * numerator / denominator END AS value,
       'pct' AS unit
FROM counts
