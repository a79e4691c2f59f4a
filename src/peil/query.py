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
from duckdb.sqltypes import DuckDBPyType
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError

from peil.errors import QueryError, StoreError

# Statements that only look at the tables: allowed by `run`, read-only like a query.
INSPECTIONS: tuple[type[exp.Expr], ...] = (exp.Describe, exp.Summarize, exp.Show)
# First words of the statements that may be allowed: a statement starting with another word that does not parse
# is refused by that word, not with a parse error.
QUERY_STARTS = frozenset({"SELECT", "WITH", "FROM", "VALUES", "TABLE", "(", "PIVOT", "UNPIVOT"})
INSPECTION_STARTS = frozenset({"DESCRIBE", "DESC", "SUMMARIZE", "SHOW"})
# Table functions that run SQL given as a text: what they read is out of `validate`'s sight.
SQL_IN_TEXT = frozenset({"query", "query_table"})


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
    SHOW TABLES, that runs no SQL given as text (SQL_IN_TEXT); raise QueryError saying why not.

    The error names the line and column where parsing failed, or the kind of statement that was refused.
    """
    statements = _parse(sql, inspection)
    if len(statements) != 1:
        raise QueryError(f"expected one statement, found {len(statements)}", hint="Run one SELECT at a time.")
    statement = statements[0]
    if not isinstance(statement, (exp.Query, *INSPECTIONS) if inspection else exp.Query):
        word = _first_word(sql)  # CALL and LOAD parse as a Command, CHECKPOINT as a column: say what was written
        raise _refusal(word if word not in QUERY_STARTS else statement.key.upper(), inspection)
    runs_text = next((f.name for f in statement.find_all(exp.Anonymous) if f.name.lower() in SQL_IN_TEXT), None)
    if runs_text:
        raise QueryError(
            f"{runs_text}() runs SQL given as text, which peil cannot check",
            hint="Name the tables in the query itself: FROM personeel, not FROM query_table('personeel').",
        )
    return sql


def _other_database(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise QueryError when `sql` names a table of a database attached to `con` other than the one it runs on:
    on an overlay of an earlier moment (peil.timetravel), the attached warehouse holds today's data."""
    (here,) = con.execute("SELECT current_database()").fetchall()[0]
    attached = {name.lower() for (name,) in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
    attached -= {here.lower(), "system", "temp"}
    if not attached:  # the warehouse itself, as every query but an overlay's runs on
        return
    statement = sqlglot.parse_one(sql, dialect="duckdb")
    named = [t.sql(dialect="duckdb") for t in statement.find_all(exp.Table) if (t.catalog or t.db).lower() in attached]
    texts = [  # a table named in a text, as pragma_storage_info('warehouse.raw.x') takes it
        repr(text.this)
        for text in statement.find_all(exp.Literal)
        if text.is_string and text.this.lower().replace('"', "").split(".")[0] in attached
    ]
    if named or texts:  # warehouse.x is the catalog's table x in its main
        raise QueryError(
            f"{(named or texts)[0]} is today's data, not the data of the moment asked for",
            hint='Leave out --as-of and --snapshot to query today\'s data; earlier versions are raw."DATASET__vN".',
        )


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

    DESCRIBE, SUMMARIZE and SHOW TABLES are allowed too. An INTERVAL comes as DuckDB's text ('1 year 2 months
    3 days'), in a list, struct or map too: Python's timedelta would count a month as 30 days. Raises QueryError
    with DuckDB's message when the query fails (an unknown table or column, a type error), and a hint when peil
    has one for that kind of error (`error_hint`); and when `sql` names a table of another database attached to
    `con` (`_other_database`).
    """
    validate(sql, inspection=True)
    _other_database(con, sql)
    try:
        relation = _intervals_as_text(con.sql(sql))
        rows = (relation.limit(limit + 1) if limit is not None else relation).fetchall()
        columns = list(relation.columns)
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip(), hint=error_hint(exc, sql)) from None
    truncated = limit is not None and len(rows) > limit
    return Result(columns, rows[:limit] if truncated else rows, truncated)


def _intervals_as_text(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """`relation` with each column that holds an INTERVAL cast to the same shape with VARCHAR in its place (see
    `run`); the other columns as they are, duplicate names kept (columns are taken by position)."""
    shapes = [_interval_free(column_type) for column_type in relation.types]
    if not any(shapes):
        return relation
    columns = enumerate(zip(relation.columns, shapes, strict=True), start=1)
    return relation.project(", ".join(_select_item(number, name, shape) for number, (name, shape) in columns))


def _select_item(number: int, name: str, shape: str | None) -> str:
    """The select item of column `number` (1-based) named `name`, cast to `shape` when given."""
    value = f"CAST(#{number} AS {shape})" if shape else f"#{number}"
    return f"{value} AS {exp.to_identifier(name, quoted=True).sql(dialect='duckdb')}"


def _interval_free(column_type: DuckDBPyType) -> str | None:
    """`column_type` in SQL with every INTERVAL in it made VARCHAR (INTERVAL[] becomes VARCHAR[]); None when it
    holds no INTERVAL."""
    if not _holds_interval(column_type):
        return None
    shape = exp.DataType.build(str(column_type), dialect="duckdb")
    return shape.transform(_varchar_for_interval).sql(dialect="duckdb")


def _varchar_for_interval(node: exp.Expr) -> exp.Expr:
    is_interval = isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INTERVAL
    return exp.DataType.build("VARCHAR") if is_interval else node


def _holds_interval(column_type: DuckDBPyType) -> bool:
    if column_type.id == "interval":
        return True
    nested = column_type.id in ("list", "array", "struct", "map", "union")
    return nested and any(isinstance(t, DuckDBPyType) and _holds_interval(t) for _, t in column_type.children)


def error_hint(exc: duckdb.Error, sql: str) -> str | None:
    """What to do about DuckDB's error `exc` running `sql`: for an unknown table, where the datasets are listed;
    for a value that does not convert to a type, TRY_CAST (`conversion_hint`); None for any other error, whose
    message DuckDB already makes specific (a column it suggests, a function's argument types)."""
    if isinstance(exc, duckdb.CatalogException):
        return "`peil sources` lists the datasets you can query."
    if isinstance(exc, duckdb.ConversionException):
        return conversion_hint(sql)
    return None


def conversion_hint(sql: str) -> str:
    """The hint for a value that does not convert (DuckDB names the value and the type): the casts in `sql` as
    TRY_CAST, which gives NULL for such a value instead of stopping the query; without a cast in `sql` (DuckDB
    converted a value to compare it), how to write one."""
    casts = [
        c
        for c in sqlglot.parse_one(sql, dialect="duckdb").find_all(exp.Cast, bfs=False)
        if not isinstance(c, exp.TryCast)
    ]
    tries = dict.fromkeys(exp.TryCast(this=c.this.copy(), to=c.to.copy()).sql(dialect="duckdb") for c in casts)
    if not tries:
        return (
            "A value did not convert where it was compared or combined with another type: convert it yourself "
            "with TRY_CAST(column AS type), which gives NULL for a value that does not convert."
        )
    return f"TRY_CAST gives NULL for a value that does not convert, instead of this error: {', '.join(tries)}."
