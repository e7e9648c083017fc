-- grain: municipality × measurement point × breakdown (median, share_within_standard); counts measures, not children
-- median: gaps in days between consecutive follow-ups (same-day follow-ups count once) of the step 3-6
-- measures active on d, both dates in (d − 1 year, d]; numerator = gaps, denominator = measures with a gap.
-- share_within_standard: of the measures active on d that started more than their standard before d,
-- those whose latest follow-up on or before d is at most the standard before d.
WITH active AS (
    SELECT DISTINCT a.kommunekode, a.measurement_date, a.foranstaltning_id, a.step, a.startdato, p.minus_1y
    FROM staging.active_measures AS a
    JOIN staging.measurement_points AS p
        ON p.kommunekode = a.kommunekode AND p.measurement_date = a.measurement_date
    WHERE a.step BETWEEN 3 AND 6
),
followups AS (
    SELECT DISTINCT kommunekode, foranstaltning_id, opfoelgningsdato FROM staging.followups
),
in_window AS (
    SELECT a.kommunekode, a.measurement_date, a.foranstaltning_id, f.opfoelgningsdato
    FROM active AS a
    JOIN followups AS f
        ON f.kommunekode = a.kommunekode AND f.foranstaltning_id = a.foranstaltning_id
       AND f.opfoelgningsdato > a.minus_1y AND f.opfoelgningsdato <= a.measurement_date
),
gaps AS (
    SELECT kommunekode, measurement_date, foranstaltning_id,
           opfoelgningsdato - LAG(opfoelgningsdato) OVER (
               PARTITION BY kommunekode, measurement_date, foranstaltning_id ORDER BY opfoelgningsdato) AS gap
    FROM in_window
),
median_gap AS (
    SELECT p.kommunekode, p.measurement_date,
           COUNT(g.gap) AS numerator,
           COUNT(DISTINCT CASE WHEN g.gap IS NOT NULL THEN g.foranstaltning_id END) AS denominator,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY g.gap) AS value
    FROM staging.measurement_points AS p
    LEFT JOIN gaps AS g ON g.kommunekode = p.kommunekode AND g.measurement_date = p.measurement_date
    GROUP BY p.kommunekode, p.measurement_date
),
standards AS (
    SELECT m.kommunekode, s.step, COALESCE(own.standard_days, s.standard_days) AS standard_days
    FROM (SELECT DISTINCT kommunekode FROM staging.measurement_points) AS m
    JOIN staging.ref_followup_standards AS s ON s.kommunekode IS NULL
    LEFT JOIN staging.ref_followup_standards AS own ON own.kommunekode = m.kommunekode AND own.step = s.step
),
eligible AS (
    SELECT a.kommunekode, a.measurement_date, a.foranstaltning_id, st.standard_days,
           (SELECT MAX(f.opfoelgningsdato) FROM followups AS f
             WHERE f.kommunekode = a.kommunekode AND f.foranstaltning_id = a.foranstaltning_id
               AND f.opfoelgningsdato <= a.measurement_date) AS latest
    FROM active AS a
    JOIN standards AS st ON st.kommunekode = a.kommunekode AND st.step = a.step
    WHERE a.measurement_date - a.startdato > st.standard_days
),
within AS (
    SELECT p.kommunekode, p.measurement_date,
           SUM(CASE WHEN e.latest IS NOT NULL AND e.measurement_date - e.latest <= e.standard_days THEN 1 ELSE 0 END) AS numerator,
           COUNT(e.foranstaltning_id) AS denominator
    FROM staging.measurement_points AS p
    LEFT JOIN eligible AS e ON e.kommunekode = p.kommunekode AND e.measurement_date = p.measurement_date
    GROUP BY p.kommunekode, p.measurement_date
)
SELECT kommunekode, measurement_date, 'days_between_followups' AS key_figure, 'median' AS breakdown,
       numerator, denominator, CASE WHEN denominator > 0 THEN value END AS value, 'days' AS unit
FROM median_gap
UNION ALL
SELECT kommunekode, measurement_date, 'days_between_followups', 'share_within_standard',
       numerator, denominator, CASE WHEN denominator > 0 THEN 100.0 * numerator / denominator END, 'pct'
FROM within
