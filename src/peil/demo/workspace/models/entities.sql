-- The entities indicators are computed for: the 285 Flemish municipalities of 2025 and the Flemish Region
-- (02000, the code of Statbel's 2025 REFNIS list), whose figures are recomputed from the summed counts of
-- those municipalities.
SELECT code, name, 'gemeente' AS kind FROM municipalities
UNION ALL
SELECT '02000', 'Vlaams Gewest', 'gewest'
ORDER BY code
