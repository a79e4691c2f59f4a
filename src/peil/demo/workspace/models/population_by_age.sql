-- Population on 1 January 2009-2015 in the age groups the ageing indicators need, in the 2025 geography,
-- for every Flemish municipality and for the Flemish Region (02000).
--
-- The Statbel files count people per municipality x sex x single year of age in the geography of 2009-2018.
-- Harmonising to 2025 sums the counts of the former municipalities that make up a 2025 municipality
-- (e.g. Tielt 37022 = Tielt 37015 + Meulebeke 37007). The region is the sum over the 285 municipalities.
-- Every ratio is computed later from these summed counts, never by averaging ratios.
--
-- Quirks: a zero cell has no row, so sums are right without filling gaps; age 100 means "100 or older",
-- which only matters for groups we do not use (every group here that includes 100 is open-ended).
WITH harmonised AS (
    SELECT
        m.code,
        p.CD_YEAR AS year,
        sum(p.MS_POPULATION) AS inhabitants,
        sum(p.MS_POPULATION) FILTER (WHERE p.CD_AGE <= 19) AS age_0_19,
        sum(p.MS_POPULATION) FILTER (WHERE p.CD_AGE BETWEEN 20 AND 64) AS age_20_64,
        sum(p.MS_POPULATION) FILTER (WHERE p.CD_AGE >= 65) AS age_65_plus,
        sum(p.MS_POPULATION) FILTER (WHERE p.CD_AGE >= 80) AS age_80_plus
    FROM population_age_sex AS p
    JOIN code_map AS m ON m.code_old = p.CD_MUNTY_REFNIS
    GROUP BY m.code, p.CD_YEAR
)
SELECT * FROM harmonised
UNION ALL
SELECT
    '02000', year, sum(inhabitants), sum(age_0_19), sum(age_20_64), sum(age_65_plus), sum(age_80_plus)
FROM harmonised
GROUP BY year
ORDER BY code, year
