-- grain: one row per in-scope measure × measurement point on which it is active and its child is aged 0-17
-- Active on d: startdato <= d and (slutdato empty or >= d), both ends inclusive (methodology.md §2).
CREATE TABLE staging.active_measures AS
SELECT
    p.kommunekode,
    p.measurement_date,
    s.person_id,
    s.foranstaltning_id,
    s.step,
    s.home_based_kind,
    s.startdato,
    s.adult_from
FROM staging.measurement_points AS p
JOIN staging.measure_steps AS s
    ON s.kommunekode = p.kommunekode
   AND s.startdato <= p.measurement_date
   AND (s.slutdato IS NULL OR s.slutdato >= p.measurement_date)
   AND s.birth_date <= p.measurement_date
   AND s.adult_from > p.measurement_date
WHERE NOT s.excluded AND s.step IS NOT NULL
