"""Read-only SQL on the warehouse, for `peil sql`, report tables and anything generated.

Three fences, each enough on its own for the common case and together for the hostile one: the statement must
parse (sqlglot, DuckDB dialect) as exactly one query (SELECT, WITH ... SELECT, UNION, VALUES); the connection is
opened read-only; and it has no access to files or the network (`enable_external_access = false`, locked), so
`read_csv('/etc/passwd')`, ATTACH, COPY, INSTALL and LOAD fail even inside a SELECT.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from peil.errors import QueryError, StoreError


@dataclass(frozen=True)
class Result:
    """A query's result: column names and rows of Python values, with whether `limit` cut it."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False


@contextmanager
def read_only(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse at `path` with file and network access switched off.

    Raises StoreError when there is no warehouse yet.
    """
    if not path.exists():
        raise StoreError(f"no warehouse at {path}", hint="Run `peil build` first.")
    try:
        con = duckdb.connect(str(path), read_only=True, config={"enable_external_access": False})
    except duckdb.IOException as exc:
        raise StoreError(
            f"cannot open the warehouse {path}: {exc}",
            hint="Another peil process may be building; wait for it to finish.",
        ) from None
    try:
        con.execute("SET enable_progress_bar = false; SET lock_configuration = true")
        yield con
    finally:
        con.close()


def validate(sql: str) -> str:
    """Return `sql` when it is exactly one read-only query; raise QueryError saying why not.

    The error names the line and column where parsing failed, or the kind of statement that was refused.
    """
    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first else ""
        raise QueryError(
            f"the SQL does not parse{where}: {first.get('description', exc)}",
            hint="Check the statement; only one SELECT is accepted.",
        ) from None
    if len(statements) != 1:
        raise QueryError(f"expected one statement, found {len(statements)}", hint="Run one SELECT at a time.")
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        kind = statement.key.upper()
        raise QueryError(f"only queries are allowed, not {kind}", hint="peil sql is read-only: use a SELECT.")
    return sql


def run(con: duckdb.DuckDBPyConnection, sql: str, limit: int | None = None) -> Result:
    """Validate and run one read-only query; return at most `limit` rows when given.

    Raises QueryError with DuckDB's message when the query fails (an unknown table or column, a type error).
    """
    validate(sql)
    try:
        cursor = con.execute(sql)
        rows = cursor.fetchmany(limit + 1) if limit is not None else cursor.fetchall()
        columns = [d[0] for d in cursor.description or []]
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip(), hint="`peil sources` lists the datasets you can query.") from None
    truncated = limit is not None and len(rows) > limit
    return Result(columns, rows[:limit] if truncated else rows, truncated)
