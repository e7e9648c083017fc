-- grain: one row per child × municipality × measurement point with at least one active in-scope measure
-- placement_step: the highest step among 4-6 the child is on (null: not placed); the flags say which
-- steps and home-based kinds the child has on that date.
CREATE TABLE staging.child_status AS
SELECT
    kommunekode,
    measurement_date,
    person_id,
    MIN(adult_from) AS adult_from,
    MAX(CASE WHEN step BETWEEN 4 AND 6 THEN step END) AS placement_step,
    MAX(CASE WHEN step = 3 THEN 1 ELSE 0 END) AS on_step3,
    MAX(CASE WHEN step = 2 THEN 1 ELSE 0 END) AS on_step2,
    MAX(CASE WHEN home_based_kind = 'family_residential' THEN 1 ELSE 0 END) AS family_residential,
    MAX(CASE WHEN home_based_kind = 'home_placement' THEN 1 ELSE 0 END) AS home_placement,
    MAX(CASE WHEN home_based_kind = 'other_step3' THEN 1 ELSE 0 END) AS other_step3
FROM staging.active_measures
GROUP BY kommunekode, measurement_date, person_id
