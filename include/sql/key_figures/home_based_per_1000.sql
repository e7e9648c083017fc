-- grain: municipality × measurement point × home-based kind (total, family_residential, home_placement,
-- preventive_measure, parent_directed_during_placement): children per 1000 children aged 0-17
-- family_residential and home_placement hold whatever else the child has; another step-3 measure is
-- preventive_measure without, parent_directed_during_placement with an active placement on steps 4-6.
-- total counts each child once across the four kinds.
WITH kinds AS (
    SELECT kommunekode, measurement_date, person_id, 'family_residential' AS breakdown
    FROM staging.child_status WHERE family_residential = 1
    UNION ALL
    SELECT kommunekode, measurement_date, person_id, 'home_placement'
    FROM staging.child_status WHERE home_placement = 1
    UNION ALL
    SELECT kommunekode, measurement_date, person_id, 'preventive_measure'
    FROM staging.child_status WHERE other_step3 = 1 AND placement_step IS NULL
    UNION ALL
    SELECT kommunekode, measurement_date, person_id, 'parent_directed_during_placement'
    FROM staging.child_status WHERE other_step3 = 1 AND placement_step IS NOT NULL
),
with_total AS (
    SELECT kommunekode, measurement_date, person_id, breakdown FROM kinds
    UNION ALL
    SELECT DISTINCT kommunekode, measurement_date, person_id, 'total' FROM kinds
),
breakdowns AS (
    SELECT * FROM (VALUES ('total'), ('family_residential'), ('home_placement'),
                          ('preventive_measure'), ('parent_directed_during_placement')) AS b(breakdown)
)
SELECT p.kommunekode, p.measurement_date, 'home_based_per_1000' AS key_figure, b.breakdown,
       COUNT(w.person_id) AS numerator, MAX(pop.children) AS denominator,
       CASE WHEN MAX(pop.children) > 0 THEN 1000.0 * COUNT(w.person_id) / MAX(pop.children) END AS value,
       'per_1000' AS unit
FROM staging.measurement_points AS p
JOIN staging.population_points AS pop
    ON pop.kommunekode = p.kommunekode AND pop.measurement_date = p.measurement_date
CROSS JOIN breakdowns AS b
LEFT JOIN with_total AS w
    ON w.kommunekode = p.kommunekode AND w.measurement_date = p.measurement_date AND w.breakdown = b.breakdown
GROUP BY p.kommunekode, p.measurement_date, b.breakdown
