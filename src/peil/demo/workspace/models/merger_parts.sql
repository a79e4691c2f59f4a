-- The Flemish mergers of 1 January 2025 as one row per former municipality: its code and name, and the code
-- and name of the new municipality (for the report, and checked against the code chains in code_map).
--
-- The list (from gehuybre/embuild-analyses) writes each merger as text: "Meulebeke (37007) + Tielt (37015)"
-- -> "Tielt (37022)". Its two columns are separated by a comma and a tab, so the source reads it tab-separated
-- and the first column keeps a trailing comma, which the regexps here ignore. It also lists one Walloon merger
-- (Bastogne + Bertogne), which the join with the Flemish municipalities leaves out.
WITH parts AS (
    SELECT
        unnest(regexp_extract_all("Fuserende gemeenten,", '([^+(]+?) \(([0-9]{5})\)', 2)) AS code_old,
        unnest(regexp_extract_all("Fuserende gemeenten,", '([^+(]+?) \(([0-9]{5})\)', 1)) AS name_old,
        regexp_extract("Nieuwe gemeenten", '\(([0-9]{5})\)\s*$', 1) AS code
    FROM mergers_2025
)
SELECT m.code, m.name, trim(p.name_old) AS name_old, p.code_old
FROM parts AS p
JOIN municipalities AS m ON m.code = p.code
ORDER BY m.code, p.code_old
