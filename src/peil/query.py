"""Read-only SQL on the warehouse, for `peil sql`, report tables and anything generated.

Three fences, each enough on its own for the common case and together for the hostile one: the statement must
parse (sqlglot, DuckDB dialect) as exactly one query (SELECT, WITH ... SELECT, UNION, VALUES) or, where `run`
is used, one look at the tables (DESCRIBE, SUMMARIZE, SHOW TABLES); the connection is opened read-only; and it
has no access to files or the network (`enable_external_access = false`, locked), so `read_csv('/etc/passwd')`,
ATTACH, COPY, INSTALL and LOAD fail even inside a SELECT.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError

from peil.errors import QueryError, StoreError

# Statements that only look at the tables: allowed by `run`, read-only like a query.
INSPECTIONS: tuple[type[exp.Expr], ...] = (exp.Describe, exp.Summarize, exp.Show)
# First words of the statements that may be allowed: a statement starting with another word that does not parse
# is refused by that word, not with a parse error.
QUERY_STARTS = frozenset({"SELECT", "WITH", "FROM", "VALUES", "TABLE", "(", "PIVOT", "UNPIVOT"})
INSPECTION_STARTS = frozenset({"DESCRIBE", "DESC", "SUMMARIZE", "SHOW"})


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


def validate(sql: str, inspection: bool = False) -> str:
    """Return `sql` when it is exactly one read-only query, or with `inspection` also one DESCRIBE, SUMMARIZE or
    SHOW TABLES; raise QueryError saying why not.

    The error names the line and column where parsing failed, or the kind of statement that was refused.
    """
    statements = _parse(sql, inspection)
    if len(statements) != 1:
        raise QueryError(f"expected one statement, found {len(statements)}", hint="Run one SELECT at a time.")
    statement = statements[0]
    if not isinstance(statement, (exp.Query, *INSPECTIONS) if inspection else exp.Query):
        word = _first_word(sql)  # CALL and LOAD parse as a Command, CHECKPOINT as a column: say what was written
        raise _refusal(word if word not in QUERY_STARTS else statement.key.upper(), inspection)
    return sql


def _parse(sql: str, inspection: bool) -> list[exp.Expr]:
    """The statements in `sql`, without sqlglot's warning on stderr for a statement it parses as a mere Command
    (CALL, LOAD): that one is refused with peil's own message. A statement that does not parse is refused by its
    first word when that word starts no allowed statement (EXPORT, IMPORT), else with the line and column."""
    logger = logging.getLogger("sqlglot")
    quiet = logging.Filter("peil.query")  # passes only that logger's records: none of sqlglot's; one per call
    logger.addFilter(quiet)
    try:
        return [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except ParseError as exc:
        word = _first_word(sql)
        typo = difflib.get_close_matches(word, QUERY_STARTS | INSPECTION_STARTS, n=1, cutoff=0.75)
        if word and typo and word not in QUERY_STARTS | INSPECTION_STARTS:  # SELEC, WTIH: no statement at all
            raise QueryError(f"'{word}' starts no SQL statement", hint=f"Did you mean {typo[0]}?") from None
        if word and word not in QUERY_STARTS | INSPECTION_STARTS:
            raise _refusal(word, inspection) from None
        first = exc.errors[0] if exc.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first else ""
        raise QueryError(
            f"the SQL does not parse{where}: {first.get('description', exc)}",
            hint="Check the statement; only one SELECT is accepted.",
        ) from None
    finally:
        logger.removeFilter(quiet)


def _first_word(sql: str) -> str:
    """The first word of `sql` in capitals, comments skipped: the kind of statement it is. '' when there is none."""
    try:
        tokens = sqlglot.tokenize(sql, read="duckdb")
    except SqlglotError:
        return ""
    return tokens[0].text.upper() if tokens else ""


def _refusal(kind: str, inspection: bool) -> QueryError:
    allowed = "a SELECT, DESCRIBE, SUMMARIZE or SHOW TABLES" if inspection else "a SELECT"
    return QueryError(f"only queries are allowed, not {kind}", hint=f"peil sql is read-only: use {allowed}.")


def run(con: duckdb.DuckDBPyConnection, sql: str, limit: int | None = None) -> Result:
    """Validate and run one read-only statement; return at most `limit` rows when given.

    DESCRIBE, SUMMARIZE and SHOW TABLES are allowed too. Raises QueryError with DuckDB's message when the query
    fails (an unknown table or column, a type error).
    """
    validate(sql, inspection=True)
    try:
        cursor = con.execute(sql)
        rows = cursor.fetchmany(limit + 1) if limit is not None else cursor.fetchall()
        columns = [d[0] for d in cursor.description or []]
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip(), hint="`peil sources` lists the datasets you can query.") from None
    truncated = limit is not None and len(rows) > limit
    return Result(columns, rows[:limit] if truncated else rows, truncated)
