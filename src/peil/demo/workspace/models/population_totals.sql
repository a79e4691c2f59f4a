-- Inhabitants on 1 January per municipality (2025 geography) and for the Flemish Region: 2009-2015 from the
-- Statbel age files (population_by_age), 2018-2020 from the yearly totals compiled by vandenbroucke from
-- Statbel (no figures for 2016 and 2017 in the open data at hand).
--
-- The 2018-2020 files give the number as text in three formats: "523,248" (2018, thousands comma),
-- "525 935" (2019, thousands space) and "529247" (2020, plain), so the source reads it as a string. A value
-- must match one of the three patterns in full; its separators are then removed and the digits cast. Any
-- other text (a decimal part, a letter, an empty cell) stops the build with error() rather than being
-- dropped or misread: a plain cast would turn "12.5" into 13.
-- 2018 uses the codes of 2009-2018, 2019 and 2020 those of 2019-2024: code_map harmonises both to 2025.
WITH totals_2018_2020 AS (
    SELECT 2018 AS year, NIS_code, inhabitants FROM population_totals_2018
    UNION ALL
    SELECT 2019, NIS_code, inhabitants FROM population_totals_2019
    UNION ALL
    SELECT 2020, NIS_code, inhabitants FROM population_totals_2020
),
cleaned AS (
    SELECT
        year,
        NIS_code,
        CASE
            WHEN regexp_full_match(inhabitants, '[0-9]{1,3}(,[0-9]{3})+|[0-9]{1,3}( [0-9]{3})+|[0-9]+')
                THEN CAST(regexp_replace(inhabitants, '[ ,]', '', 'g') AS BIGINT)
            ELSE error('population_totals: "' || coalesce(inhabitants, '') || '" is not a number of inhabitants')
        END AS inhabitants
    FROM totals_2018_2020
),
harmonised AS (
    SELECT m.code, t.year, sum(t.inhabitants) AS inhabitants
    FROM cleaned AS t
    JOIN code_map AS m ON m.code_old = t.NIS_code
    GROUP BY m.code, t.year
)
SELECT code, year, inhabitants FROM population_by_age
UNION ALL
SELECT code, year, inhabitants FROM harmonised
UNION ALL
SELECT '02000', year, sum(inhabitants) FROM harmonised GROUP BY year
ORDER BY code, year
