-- Investment expenditure per inhabitant (EUR) per municipality and book year 2014-2024, in total and for
-- the main account groups, and the same figures for the Flemish Region.
--
-- Municipalities: the workbook's own per-inhabitant figures, summed over the accounts of a group. A cell
-- left empty in the workbook means no expenditure on that account, so a municipality with figures in a
-- year gets 0 for a group it did not spend on; a municipality without any figure in a year (Herstappe,
-- 2019) gets no row for that year.
--
-- Flemish Region: per-inhabitant figures cannot be averaged, and they cannot be summed either. Each
-- municipality's figure times its population gives its amount; the region's figure is the sum of amounts
-- over the sum of populations (a population-weighted mean). The workbook does not state the population it
-- divided by, and the open data at hand has population on 1 January for 2009-2015 and 2018-2020 only. The
-- weight is therefore the population on 1 January of the book year where known (2014, 2015, 2018-2020) and
-- otherwise the latest earlier year known (2015 for 2016-2017, 2020 for 2021-2024), taken with an ASOF join.
-- A weight only decides how much a municipality counts in the regional mean, and population shares move
-- slowly: weighting any book year 2014-2024 with the 2015 instead of the 2020 populations moves the Flemish
-- figure by at most 0.31 % (tests/test_demo.py::test_region_investment_weights_are_robust). An unweighted
-- mean would be far off (2018: 368 instead of 479 EUR), as small municipalities would count as much as
-- Antwerpen. The regional figure covers the municipalities with figures in that year.
WITH per_group AS (
    SELECT
        code,
        year,
        sum(eur_per_inhabitant) AS total,
        coalesce(sum(eur_per_inhabitant) FILTER (WHERE account_group = 'roads_infrastructure'), 0)
            AS roads_infrastructure,
        coalesce(sum(eur_per_inhabitant) FILTER (WHERE account_group = 'land_buildings'), 0) AS land_buildings,
        coalesce(sum(eur_per_inhabitant) FILTER (WHERE account_group = 'movables'), 0) AS movables
    FROM investment_accounts
    WHERE code IS NOT NULL
    GROUP BY code, year
),
weighted AS (
    SELECT g.*, p.year AS population_year, p.inhabitants AS weight
    FROM per_group AS g
    ASOF JOIN population_totals AS p ON p.code = g.code AND p.year <= g.year
)
SELECT code, year, total, roads_infrastructure, land_buildings, movables, population_year
FROM weighted
UNION ALL
SELECT
    '02000',
    year,
    sum(total * weight) / sum(weight),
    sum(roads_infrastructure * weight) / sum(weight),
    sum(land_buildings * weight) / sum(weight),
    sum(movables * weight) / sum(weight),
    max(population_year)
FROM weighted
GROUP BY year
ORDER BY code, year
