-- grain: municipality × measurement point (breakdown ''): children on steps 4-6 per 1000 children aged 0-17
-- A child on several placement steps counts once. No population count on or before the point: no row.
SELECT p.kommunekode, p.measurement_date,
       'placed_per_1000' AS key_figure, '' AS breakdown,
       COUNT(c.person_id) AS numerator, MAX(pop.children) AS denominator,
       CASE WHEN MAX(pop.children) > 0 THEN 1000.0 * COUNT(c.person_id) / MAX(pop.children) END AS value,
       'per_1000' AS unit
FROM staging.measurement_points AS p
JOIN staging.population_points AS pop
    ON pop.kommunekode = p.kommunekode AND pop.measurement_date = p.measurement_date
LEFT JOIN staging.child_status AS c
    ON c.kommunekode = p.kommunekode AND c.measurement_date = p.measurement_date AND c.placement_step IS NOT NULL
GROUP BY p.kommunekode, p.measurement_date
