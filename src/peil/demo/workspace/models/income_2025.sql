-- Personal income tax statistics per income year 2005-2013 (Statbel, fiscal statistics on income), in the
-- 2025 geography, for every Flemish municipality and for the Flemish Region.
--
-- Only counts and amounts are kept, so that they can be summed over the former municipalities of a merged
-- 2025 municipality and over the region; averages and shares are computed from the sums in the indicators.
-- residents is Statbel's own population column of this table: the population on 1 January of the year
-- after the income year (income year 2008 -> 1 January 2009: Roeselare 56,893 in both files).
-- A declaration is one tax return: spouses and legal cohabitants file one joint declaration.
WITH harmonised AS (
    SELECT
        m.code,
        i.CD_YEAR AS income_year,
        sum(i.MS_NBR_NON_ZERO_INC) AS declarations_nonzero,
        sum(i.MS_NBR_ZERO_INC) AS declarations_zero,
        sum(i.MS_TOT_NET_TAXABLE_INC) AS net_taxable_income,
        sum(i.MS_TOT_MUNICIP_TAXES) AS municipal_surcharge,
        sum(i.MS_TOT_RESIDENTS) AS residents
    FROM income_tax AS i
    JOIN code_map AS m ON m.code_old = i.CD_MUNTY_REFNIS
    GROUP BY m.code, i.CD_YEAR
)
SELECT * FROM harmonised
UNION ALL
SELECT
    '02000', income_year, sum(declarations_nonzero), sum(declarations_zero), sum(net_taxable_income),
    sum(municipal_surcharge), sum(residents)
FROM harmonised
GROUP BY income_year
ORDER BY code, income_year
