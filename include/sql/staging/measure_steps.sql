-- grain: one row per measure of the measures snapshot in force, with its staircase step and home-based kind
-- Step: the legal basis decides (legal_basis.csv), a placement's setting decides for placements
-- (placement_settings.csv), and dated rules override both (legal_basis_rules.csv: SEL 52.3.1 before
-- 2014 was advice, step 2). `excluded`: disability, unaccompanied refugee minor, or a code outside the
-- staircase (methodology.md §2): loaded, never counted.
CREATE TABLE staging.measure_steps AS
SELECT
    m.kommunekode,
    m.foranstaltning_id,
    m.person_id,
    m.birth_date,
    CAST(CASE WHEN EXTRACT(MONTH FROM m.birth_date) = 2 AND EXTRACT(DAY FROM m.birth_date) = 29
              THEN m.birth_date + INTERVAL '18 years' + INTERVAL '1 day'
              ELSE m.birth_date + INTERVAL '18 years' END AS DATE) AS adult_from,
    m.startdato,
    m.slutdato,
    m.bevilget_af,
    CASE WHEN r.code IS NOT NULL THEN r.step
         WHEN lb.is_placement THEN ps.step
         ELSE lb.step END AS step,
    CASE WHEN r.code IS NOT NULL THEN r.home_based_kind
         WHEN lb.is_placement AND ps.step = 3 THEN 'home_placement'
         WHEN lb.is_placement THEN NULL
         ELSE lb.home_based_kind END AS home_based_kind,
    (m.handicap OR m.uledsaget_flygtning OR lb.kind = 'out_of_scope' OR lb.code IS NULL) AS excluded
FROM staging.measures AS m
LEFT JOIN staging.ref_legal_basis AS lb
    ON m.paragraf = lb.code OR (lb.covers_subdivisions AND m.paragraf LIKE lb.code || '.%')
LEFT JOIN staging.ref_legal_basis_rules AS r
    ON r.code = m.paragraf AND m.startdato < r.started_before
LEFT JOIN staging.ref_placement_settings AS ps
    ON ps.code = m.anbringelsessted
