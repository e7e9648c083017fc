-- grain: municipality × school year × pupil who is `vulnerable`: a measure of the municipality's
-- snapshot on steps 2-6, not excluded (disability, unaccompanied refugee minor, out-of-scope code:
-- methodology.md §2), active on at least one day of the school year while the pupil is a child
-- (aged 0-17, as every key figure counts only children). Active: start <= d and (end empty or
-- end >= d), both ends inclusive. Only the fact is kept, never the step or kind of measure.
CREATE TABLE staging.school_vulnerable AS
SELECT DISTINCT y.kommunekode, y.school_year, s.person_id
FROM staging.school_years AS y
JOIN staging.measure_steps AS s
    ON s.kommunekode = y.kommunekode
WHERE NOT s.excluded
  AND s.step BETWEEN 2 AND 6
  AND GREATEST(s.startdato, s.birth_date, y.first_day) <= LEAST(COALESCE(s.slutdato, y.last_day), y.last_day)
  AND GREATEST(s.startdato, s.birth_date, y.first_day) < s.adult_from
