-- One row per municipality and year; the Flemish Region as the sum of its municipalities.
WITH per_gemeente AS (
    UNPIVOT bevolking ON COLUMNS(* EXCLUDE (CD_MUNTY_REFNIS)) INTO NAME jaar VALUE inwoners
)
SELECT CD_MUNTY_REFNIS AS code, CAST(jaar AS INTEGER) AS jaar, inwoners FROM per_gemeente
UNION ALL
SELECT g.CD_RGN_REFNIS, CAST(p.jaar AS INTEGER), sum(p.inwoners)
FROM per_gemeente AS p JOIN gemeenten AS g USING (CD_MUNTY_REFNIS)
WHERE g.CD_RGN_REFNIS = '2000'
GROUP BY ALL
