-- grain: municipality × measurement point (breakdown '')
-- Starters: children with an authority-granted (bevilget_af = myndighed) in-scope step-2 measure starting
-- in (d − 6 months, d], aged 0-17 on their earliest such start. Numerator: starters with a child-
-- investigation decision on or after that earliest start and on or before d.
WITH starts AS (
    SELECT p.kommunekode, p.measurement_date, s.person_id,
           MIN(s.startdato) AS first_start, MIN(s.birth_date) AS birth_date, MIN(s.adult_from) AS adult_from
    FROM staging.measurement_points AS p
    JOIN staging.measure_steps AS s
        ON s.kommunekode = p.kommunekode
       AND s.step = 2 AND NOT s.excluded AND s.bevilget_af = 'myndighed'
       AND s.startdato > p.minus_6m AND s.startdato <= p.measurement_date
    GROUP BY p.kommunekode, p.measurement_date, s.person_id
),
starters AS (
    SELECT st.*,
           CASE WHEN EXISTS (
               SELECT 1 FROM staging.investigations AS i
               WHERE i.kommunekode = st.kommunekode AND i.person_id = st.person_id
                 AND i.afgoerelsesdato >= st.first_start AND i.afgoerelsesdato <= st.measurement_date
           ) THEN 1 ELSE 0 END AS investigated
    FROM starts AS st
    WHERE st.birth_date <= st.first_start AND st.adult_from > st.first_start
),
counts AS (
    SELECT p.kommunekode, p.measurement_date,
           COALESCE(SUM(s.investigated), 0) AS numerator, COUNT(s.person_id) AS denominator
    FROM staging.measurement_points AS p
    LEFT JOIN starters AS s ON s.kommunekode = p.kommunekode AND s.measurement_date = p.measurement_date
    GROUP BY p.kommunekode, p.measurement_date
)
SELECT kommunekode, measurement_date, 'preventive_followed_by_investigation' AS key_figure, '' AS breakdown,
       numerator, denominator,
       CASE WHEN denominator > 0 THEN 100.0 * numerator / denominator END AS value, 'pct' AS unit
FROM counts
