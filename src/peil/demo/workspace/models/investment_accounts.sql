-- Investment expenditure per inhabitant per municipality (2025 code), book year and BBC account, from the
-- workbook of the Agentschap Binnenlands Bestuur (annual accounts, budgetary accounting, "uitgave per
-- inwoner"), with the account group each account belongs to.
--
-- The workbook names each body "Gemeente en OCMW <naam>" (the municipality and its public social welfare
-- centre, which report together since their 2019 integration) and holds no NIS code. The name after the prefix is matched
-- to the Dutch name of the 2025 municipality; the workbook already uses the 2025 geography (Pajottegem,
-- Beveren-Kruibeke-Zwijndrecht, ... for every year since 2014), so no merging is needed here. All 285 names
-- match exactly today; a body whose name does not match is kept with a NULL code, so that the test
-- tests/test_demo.py::test_every_bestuur_maps_to_a_2025_code reports it instead of it silently vanishing.
--
-- Account groups follow the "niveau 7" headings the workbook was filtered on (the note under the table):
--   roads_infrastructure  224/8  roads, other road infrastructure, waterways, sewers, other infrastructure
--   land_buildings        220/3, 229, 250, 253, 260/4  land and buildings (community goods, business
--                                 assets, in leasing, other tangible fixed assets)
--   movables              230/49, 251/2, 254/5, 265/9  installations, machines, furniture, vehicles
--   heritage              270/9  immovable and movable heritage
--   intangible            21     development costs, licences, plans and studies
--   financial             28     holdings in and claims on agencies, intermunicipal bodies, ...
--   subsidies             664    investment subsidies granted to others
WITH accounts AS (
    SELECT
        bestuur,
        regexp_extract(bestuur, '^Gemeente en OCMW (.+)$', 1) AS name,
        boekjaar AS year,
        rekening,
        regexp_extract(rekening, '^REK([0-9]+)', 1) AS account,
        uitgave_per_inwoner AS eur_per_inhabitant
    FROM investments
),
grouped AS (
    SELECT
        *,
        -- The first three digits name the account (2290 -> 229, 2801 -> 280); 664 stands alone.
        CASE
            WHEN account LIKE '21%' THEN 'intangible'
            WHEN left(account, 3) BETWEEN '220' AND '223' THEN 'land_buildings'
            WHEN left(account, 3) BETWEEN '224' AND '228' THEN 'roads_infrastructure'
            WHEN left(account, 3) = '229' THEN 'land_buildings'
            WHEN left(account, 3) BETWEEN '230' AND '249' THEN 'movables'
            WHEN left(account, 3) IN ('250', '253') THEN 'land_buildings'
            WHEN left(account, 3) IN ('251', '252', '254', '255') THEN 'movables'
            WHEN left(account, 3) BETWEEN '260' AND '264' THEN 'land_buildings'
            WHEN left(account, 3) BETWEEN '265' AND '269' THEN 'movables'
            WHEN left(account, 3) BETWEEN '270' AND '279' THEN 'heritage'
            WHEN account LIKE '28%' THEN 'financial'
            WHEN account = '664' THEN 'subsidies'
        END AS account_group
    FROM accounts
)
SELECT m.code, g.bestuur, g.year, g.account, g.rekening, g.account_group, g.eur_per_inhabitant
FROM grouped AS g
LEFT JOIN municipalities AS m ON m.name = g.name
ORDER BY m.code, g.year, g.account
