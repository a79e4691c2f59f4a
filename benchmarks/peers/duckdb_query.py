"""The limit: the six checks as one hand-written DuckDB query over the table, counting failing rows.

Runs in the project's .venv. Usage (by benchmarks/quality.py): python duckdb_query.py SPEC.json
"""

from __future__ import annotations

from typing import Any

import duckdb
from rules import national_register_sql, run


def load(spec: dict[str, Any]) -> tuple[duckdb.DuckDBPyConnection, str]:
    con = duckdb.connect()
    con.execute("CREATE TABLE checked AS SELECT * FROM read_parquet(?)", [spec["parquet"]])
    return con, query(spec["checks"])


def query(checks: dict[str, Any]) -> str:
    """One SELECT: one pass over the table (the national register number cast to BIGINT once per row in a
    subquery) plus the GROUP BY that finds the repeated values."""
    values = ", ".join("'" + v.replace("'", "''") + "'" for v in checks["accepted_values"]["values"])
    c = {name: '"' + check["column"] + '"' for name, check in checks.items()}
    rng = checks["range"]
    return f"""
        SELECT
            count_if({c["not_null"]} IS NULL) AS not_null,
            (SELECT coalesce(sum(n), 0) FROM (
                SELECT count(*) AS n FROM checked WHERE {c["unique"]} IS NOT NULL
                GROUP BY {c["unique"]} HAVING count(*) > 1)) AS "unique",
            count_if({c["accepted_values"]} NOT IN ({values})) AS accepted_values,
            count_if({c["range"]} < {rng["min"]} OR {c["range"]} > {rng["max"]}) AS range,
            count_if(NOT regexp_full_match({c["pattern"]}, '{checks["pattern"]["regex"]}')) AS pattern,
            count_if(NOT {national_register_sql(c["national_register_number"], "_number")}) AS national_register_number
        FROM (SELECT *, TRY_CAST({c["national_register_number"]} AS BIGINT) AS _number FROM checked)
    """


def validate(loaded: tuple[duckdb.DuckDBPyConnection, str]) -> dict[str, int]:
    con, sql = loaded
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchall()[0]
    return {name: int(value) for name, value in zip(names, row, strict=True)}


if __name__ == "__main__":
    run("duckdb (hand-written query)", duckdb.__version__, load, validate)
