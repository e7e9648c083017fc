-- grain: municipality × school year × group × indicator (methodology.md §5, warehouse.md §2).
-- Pupils count in the grades of staging.school_parameters (default 4-9) by each file's own
-- `klassetrin`; a mean is over the pupils with a value and n counts them (AVG and COUNT skip the
-- empty indices of a pupil who did not answer, who still counts for absence). Every cell of a
-- published school year is present (n = 0 where no pupil has a value). A cell with n below the
-- threshold is suppressed (no mean); so is the gap that would use it, since the gap and the other
-- cell's mean would reveal it. Values are unrounded.
CREATE TABLE staging.school_wellbeing AS
WITH wellbeing AS (
    SELECT kommunekode, school_year, pupil_group,
           AVG(faglig_trivsel) AS academic_mean, COUNT(faglig_trivsel) AS academic_n,
           AVG(social_trivsel) AS social_mean, COUNT(social_trivsel) AS social_n,
           AVG(ro_og_orden) AS calm_mean, COUNT(ro_og_orden) AS calm_n,
           AVG(stoette_og_inspiration) AS support_mean, COUNT(stoette_og_inspiration) AS support_n
    FROM (
        SELECT w.kommunekode, w.skoleaar AS school_year, w.faglig_trivsel, w.social_trivsel, w.ro_og_orden, w.stoette_og_inspiration,
               CASE WHEN v.person_id IS NULL THEN 'other' ELSE 'vulnerable' END AS pupil_group
        FROM staging.pupil_wellbeing AS w
        JOIN staging.school_years AS y ON y.kommunekode = w.kommunekode AND y.school_year = w.skoleaar
        CROSS JOIN staging.school_parameters AS p
        LEFT JOIN staging.school_vulnerable AS v
            ON v.kommunekode = w.kommunekode AND v.school_year = w.skoleaar AND v.person_id = w.person_id
        WHERE w.klassetrin BETWEEN p.first_grade AND p.last_grade
    ) AS pupils
    GROUP BY kommunekode, school_year, pupil_group
),
absence AS (
    SELECT kommunekode, school_year, pupil_group, AVG(absence_pct) AS absence_mean, COUNT(absence_pct) AS absence_n
    FROM (
        -- absence days / school days × 100; skoledage > 0 and fravaersdage are required by the suite
        SELECT a.kommunekode, a.skoleaar AS school_year, 100.0 * a.fravaersdage / a.skoledage AS absence_pct,
               CASE WHEN v.person_id IS NULL THEN 'other' ELSE 'vulnerable' END AS pupil_group
        FROM staging.pupil_absence AS a
        JOIN staging.school_years AS y ON y.kommunekode = a.kommunekode AND y.school_year = a.skoleaar
        CROSS JOIN staging.school_parameters AS p
        LEFT JOIN staging.school_vulnerable AS v
            ON v.kommunekode = a.kommunekode AND v.school_year = a.skoleaar AND v.person_id = a.person_id
        WHERE a.klassetrin BETWEEN p.first_grade AND p.last_grade
    ) AS pupils
    GROUP BY kommunekode, school_year, pupil_group
),
stats AS (
    SELECT kommunekode, school_year, pupil_group, 'academic_wellbeing' AS indicator, academic_mean AS mean, academic_n AS n FROM wellbeing
    UNION ALL SELECT kommunekode, school_year, pupil_group, 'social_wellbeing', social_mean, social_n FROM wellbeing
    UNION ALL SELECT kommunekode, school_year, pupil_group, 'classroom_calm', calm_mean, calm_n FROM wellbeing
    UNION ALL SELECT kommunekode, school_year, pupil_group, 'support_inspiration', support_mean, support_n FROM wellbeing
    UNION ALL SELECT kommunekode, school_year, pupil_group, 'absence_pct', absence_mean, absence_n FROM absence
),
cells AS (
    SELECT y.kommunekode, y.school_year, g.pupil_group, i.indicator,
           s.mean AS unsuppressed_mean, COALESCE(s.n, 0) AS n, COALESCE(s.n, 0) < p.threshold AS suppressed
    FROM staging.school_years AS y
    CROSS JOIN (VALUES ('vulnerable'), ('other')) AS g (pupil_group)
    CROSS JOIN (VALUES ('academic_wellbeing'), ('social_wellbeing'), ('classroom_calm'),
                       ('support_inspiration'), ('absence_pct')) AS i (indicator)
    CROSS JOIN staging.school_parameters AS p
    LEFT JOIN stats AS s
        ON s.kommunekode = y.kommunekode AND s.school_year = y.school_year
       AND s.pupil_group = g.pupil_group AND s.indicator = i.indicator
)
SELECT kommunekode, school_year, pupil_group, indicator,
       CASE WHEN suppressed THEN NULL ELSE unsuppressed_mean END AS mean,
       n, suppressed
FROM cells
UNION ALL
SELECT o.kommunekode, o.school_year, 'gap', o.indicator,
       CASE WHEN o.suppressed OR v.suppressed THEN NULL ELSE o.unsuppressed_mean - v.unsuppressed_mean END,
       CAST(NULL AS BIGINT),
       (o.suppressed OR v.suppressed)
FROM cells AS o
JOIN cells AS v
    ON v.kommunekode = o.kommunekode AND v.school_year = o.school_year AND v.indicator = o.indicator
   AND o.pupil_group = 'other' AND v.pupil_group = 'vulnerable'
