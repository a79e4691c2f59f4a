-- Every Flemish municipality code used since 2018 -> the code of the 2025 municipality it lies in.
--
-- The sources use three geographies: 2009-2018 (308 Flemish municipalities: population, income), 2019-2024
-- (300, after the 2019 mergers: household projections, population 2019-2020) and 2025 (285, after the 2025
-- mergers: the investment workbook). The classification file holds, per 2018 municipality, its code in 2018
-- (gemeente2018), 2024 (gemeente2024) and 2025 (gemeente). Stacking the three columns gives one lookup that
-- works for a code of any of the three vintages: unchanged municipalities map to themselves, and a code is
-- never reused for another municipality, so each old code has exactly one 2025 code (tests/test_demo.py).
--
-- Quirk: the file ends with dummy rows (99991 "Niet te lokaliseren - Vlaanderen", 99992, 99993, 99999
-- "Buiten Vlaanderen en Brussel"); 99991 even carries the Flemish region code. The inner join with the 2025
-- list of Flemish municipalities drops them, and the Brussels rows with them.
WITH chains AS (
    SELECT gemeente2018 AS code_old, gemeente AS code FROM municipality_classification
    UNION
    SELECT gemeente2024, gemeente FROM municipality_classification
    UNION
    SELECT gemeente, gemeente FROM municipality_classification
)
SELECT c.code_old, c.code
FROM chains AS c
JOIN municipalities_2025 AS m ON m.refnis = c.code AND m.region = '02000'
ORDER BY c.code_old
