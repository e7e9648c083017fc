-- grain: one row per municipality × measurement point that has a population count on or before it
-- children: persons aged 0-17 in the newest count (dato) on or before the point; for one
-- (kommunekode, dato, alder) the newest population file wins (sources.md §1).
CREATE TABLE staging.population_points AS
WITH newest_per_key AS (
    SELECT kommunekode, dato, alder, antal,
           ROW_NUMBER() OVER (PARTITION BY kommunekode, dato, alder ORDER BY extraction_date DESC) AS rank_in_key
    FROM staging.population
),
counts AS (
    SELECT kommunekode, dato, SUM(antal) AS children
    FROM newest_per_key
    WHERE rank_in_key = 1 AND alder BETWEEN 0 AND 17
    GROUP BY kommunekode, dato
),
ranked AS (
    SELECT p.kommunekode, p.measurement_date, c.children,
           ROW_NUMBER() OVER (PARTITION BY p.kommunekode, p.measurement_date ORDER BY c.dato DESC) AS newest
    FROM staging.measurement_points AS p
    JOIN counts AS c ON c.kommunekode = p.kommunekode AND c.dato <= p.measurement_date
)
SELECT kommunekode, measurement_date, children
FROM ranked
WHERE newest = 1
