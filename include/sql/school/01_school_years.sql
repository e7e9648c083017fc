-- grain: municipality × school year that gets a table: a year with a school file in force, in a
-- municipality with a measures snapshot in force (methodology.md §5), whose first day (1 August)
-- is on or before the snapshot's extraction date (choice: a later year has no case data to decide
-- who is vulnerable; the build warns about it). The school year runs 1 August - 31 July.
CREATE TABLE staging.school_years AS
SELECT y.kommunekode, y.school_year, y.first_day, y.last_day
FROM (
    SELECT kommunekode, school_year,
           CAST(SUBSTRING(school_year, 1, 4) || '-08-01' AS DATE) AS first_day,
           CAST(CAST(CAST(SUBSTRING(school_year, 1, 4) AS INTEGER) + 1 AS VARCHAR) || '-07-31' AS DATE) AS last_day
    FROM (SELECT kommunekode, skoleaar AS school_year FROM staging.pupil_wellbeing
          UNION
          SELECT kommunekode, skoleaar FROM staging.pupil_absence) AS delivered
) AS y
JOIN (SELECT kommunekode, MAX(extraction_date) AS extraction_date FROM staging.measures GROUP BY kommunekode) AS snapshot
    ON snapshot.kommunekode = y.kommunekode AND y.first_day <= snapshot.extraction_date
