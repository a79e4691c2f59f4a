-- Private households on 1 January 2010-2040 per municipality (2025 geography) and for the Flemish Region:
-- observed up to 2023, projected from 2024 (Statistiek Vlaanderen, Huishoudensvooruitzichten, May 2024).
--
-- The file uses the geography of 2019-2024 (300 municipalities); the counts of municipalities merged in 2025
-- are summed. The region is the sum of the municipalities; it equals Statistiek Vlaanderen's own regional
-- series in huishoudensgroei_region.csv for every year (reports/methode.md shows the comparison).
--
-- Quirk: Herstappe (73028), with some thirty households, has no projection from 2024 on; the regional sum
-- of those years leaves it out, exactly as the published regional figure does.
WITH harmonised AS (
    SELECT m.code, h.y AS year, sum(h.n) AS households
    FROM households AS h
    JOIN code_map AS m ON m.code_old = h.nis
    GROUP BY m.code, h.y
)
SELECT code, year, households, year >= 2024 AS projected FROM harmonised
UNION ALL
SELECT '02000', year, sum(households), year >= 2024 FROM harmonised GROUP BY year
ORDER BY code, year
