"""The table a source is loaded into: its columns, inserting each reader's rows, and the primary key check.

Every reader describes one file's rows the same way, as `Rows`: a SQL relation (a DuckDB table function or a
registered Arrow table), per declared field the SQL of its typed value (which fails the query on an invalid
value, see conform.strict) and the raw text to check, and how to number the rows. One INSERT ... SELECT loads
them. The caller's transaction is aborted when a statement fails, so the first invalid value is then looked up
on a separate in-memory connection, which reads the same file again.

`_row` of a relation that returns rows in file order (DuckDB's CSV and NDJSON readers) is the row's position
plus an offset. The rows are first written to a temporary table and numbered by its rowid: row_number() OVER ()
would make DuckDB read and convert the file on one thread, which takes twice as long on two cores.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from peil.errors import Location, Remark, SourceError
from peil.sources import conform
from peil.sources.sql import identifier, literal
from peil.workspace import SchemaField, TableSchema

LINEAGE = ("_file", "_sheet", "_row")  # where each row of a snapshot table came from
INVALID = "_invalid"  # per row, the texts that did not fit their field's type, loading leniently
ROW_HASH = "_row_hash"  # per row, a 64-bit hash of its field values (see `row_hash`), which speeds up diffs
HIDDEN = (*LINEAGE, INVALID, ROW_HASH)  # a snapshot table's columns that are not the dataset's


@dataclass(frozen=True)
class Loaded:
    """What a reader loaded from one file: the number of rows and its remarks on the file (peil.errors.Remark)."""

    rows: int
    remarks: list[Remark]


@dataclass(frozen=True)
class Target:
    """Where rows go: a connection in the caller's transaction and the qualified, quoted table name.

    Loading strictly, the first value that does not fit its type raises TypeMismatch (and aborts the caller's
    transaction). Loading leniently, such a value is NULL and its text is kept in the row's `_invalid` map of
    field name to text, so a check can quarantine the row with the value that did not fit.
    """

    con: duckdb.DuckDBPyConnection
    table: str
    schema: TableSchema
    lenient: bool = False


@dataclass(frozen=True)
class Column:
    """A declared field: `value` is SQL over Rows.relation giving its typed value (failing on an invalid one);
    `text` is SQL over Rows.checked giving the raw text that conform.parse checks, None when always valid."""

    value: str
    text: str | None


@dataclass
class Rows:
    """One file's (or sheet's) rows as SQL over `relation`, with `columns` in schema order.

    `row` is the SQL for `_row`, or an int k when `relation` returns rows in file order: `_row` is then k plus
    the row's 1-based position. `checked` is the relation the texts are read from (default: `relation`);
    `guard` SQL that must hold for every row; `arrow` tables to register under their names while reading.
    """

    relation: str
    columns: list[Column]
    row: str | int
    numbers: conform.Numbers = conform.PLAIN
    sheet: str | None = None
    guard: str | None = None
    arrow: dict[str, pa.Table] = field(default_factory=dict)
    checked: str | None = None


def row_hash(fields: Sequence[SchemaField]) -> str:
    """SQL of a row's hash: DuckDB's 64-bit ``hash`` (UBIGINT) of the values of `fields`, in that order and in
    their stored types (a value that did not fit its type is NULL). A snapshot keeps it per row in `_row_hash`,
    so a diff of two snapshots of the same schema joins on key and hash without reading the values, as a data
    vault's hashdiff column serves to find changed rows. Unequal rows hash alike by chance only (1 in 2^64)."""
    values = (f"CAST({identifier(f.name)} AS {conform.DUCKDB_TYPES[f.type]})" for f in fields)
    return f"hash({', '.join(values)})"


def create(target: Target) -> None:
    """Create the target table: the declared fields in schema order, then _file, _sheet, _row, _invalid and
    _row_hash."""
    columns = [f"{identifier(f.name)} {conform.DUCKDB_TYPES[f.type]}" for f in target.schema.fields]
    columns += ["_file VARCHAR", "_sheet VARCHAR", "_row BIGINT", f"{INVALID} MAP(VARCHAR, VARCHAR)"]
    columns += [f"{ROW_HASH} UBIGINT"]
    target.con.execute(f"CREATE TABLE {target.table} ({', '.join(columns)})")


def insert(target: Target, rows: Rows, file: str, explain: Callable[[duckdb.Error], SourceError] | None = None) -> int:
    """Insert the rows of one file; returns how many.

    Raises SourceError naming the file, row, column and value of the first value that does not fit its type;
    any other failure of DuckDB goes through `explain` (by default it is reported as it is).
    """
    fields = target.schema.fields
    names = [identifier(f.name) for f in fields] + ([INVALID] if target.lenient else [])
    relation, values = _values(target, rows)
    selected = ", ".join(f"{v} AS {n}" for v, n in zip(values, names, strict=True))
    where = f" WHERE {rows.guard}" if rows.guard else ""
    sheet = f"CAST({literal(rows.sheet) if rows.sheet is not None else 'NULL'} AS VARCHAR)"
    into = f"INSERT INTO {target.table} ({', '.join([*names, '_file', '_sheet', '_row', ROW_HASH])})"
    con = target.con
    try:
        with _registered(con, rows.arrow):
            if isinstance(rows.row, str):
                lineage = f"{literal(file)} AS _file, {sheet} AS _sheet, {rows.row} AS _row"
                select = f"SELECT {selected}, {lineage} FROM {relation}{where}"  # noqa: S608
                hashed = f"SELECT *, {row_hash(fields)} FROM ({select})"  # noqa: S608
                return int(con.execute(f"{into} {hashed}").fetchall()[0][0])
            stage = f"peil_stage_{uuid.uuid4().hex}"
            con.execute(f"CREATE TEMP TABLE {stage} AS SELECT {selected} FROM {relation}{where}")  # noqa: S608
            inserted = con.execute(  # rowids of a table made in an open transaction start at 2^55, not 0
                f"{into} SELECT {', '.join(names)}, {literal(file)}, {sheet}, "  # noqa: S608
                f"rowid - (SELECT min(rowid) FROM {stage}) + {rows.row + 1}, {row_hash(fields)} FROM {stage}"
            ).fetchall()[0][0]
            con.execute(f"DROP TABLE {stage}")
            return int(inserted)
    except duckdb.Error as exc:
        if conform.VALUE_ERROR in str(exc) or isinstance(exc, duckdb.ConversionException):
            invalid = _first_invalid(target.schema.fields, rows)
            if invalid is not None:
                raise conform.value_error(invalid, file, rows.sheet, rows.numbers) from None
        raise (explain(exc) if explain else unreadable(exc, file, rows.sheet)) from None


def unreadable(exc: duckdb.Error, file: str, sheet: str | None = None) -> SourceError:
    """A SourceError for a failure of DuckDB that peil cannot explain better: DuckDB's first line of text."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return SourceError(
        f"cannot read the file: {message}",
        Location(file=file, sheet=sheet),
        hint="Check that the file is complete and of the declared format.",
    )


def _values(target: Target, rows: Rows) -> tuple[str, list[str]]:
    """The relation to read and the SQL of each column's value; leniently, NULL where a value does not fit, and
    last the `_invalid` map of field name to text (NULL when every value fits). A reader that parses while it
    reads (`checked` set) is read as text instead, since its parser would fail the whole query."""
    fields = target.schema.fields
    if not target.lenient:
        return rows.relation, [c.value for c in rows.columns]
    if rows.checked is None:
        relation, values = rows.relation, [conform.lenient(c.value) for c in rows.columns]
    else:
        relation = rows.checked
        values = [
            conform.parse(f, c.text, rows.numbers) if c.text else c.value
            for f, c in zip(fields, rows.columns, strict=True)
        ]
    misfits = [
        f"CASE WHEN ({c.text}) IS NOT NULL AND ({v}) IS NULL "
        f"THEN {{'k': {literal(f.name)}, 'v': CAST({c.text} AS VARCHAR)}} END"
        for f, c, v in zip(fields, rows.columns, values, strict=True)
        if c.text is not None and f.type != "string"
    ]
    found = f"list_filter([{', '.join(misfits)}], lambda x: x IS NOT NULL)" if misfits else "[]"
    invalid = f"CASE WHEN len({found}) > 0 THEN map_from_entries({found}) END"
    return relation, [*values, invalid]


def _first_invalid(fields: list[SchemaField], rows: Rows) -> conform.Invalid | None:
    """The first value that does not fit, read again on a new connection; None when that read fails too."""
    texts = [(f, c.text) for f, c in zip(fields, rows.columns, strict=True) if c.text is not None]
    row = f"row_number() OVER () + {rows.row}" if isinstance(rows.row, int) else rows.row
    try:
        with contextlib.closing(duckdb.connect()) as con, _registered(con, rows.arrow):
            return conform.first_invalid(con, rows.checked or rows.relation, texts, row, rows.numbers)
    except duckdb.Error:
        return None


@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> Iterator[None]:
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield
    finally:
        for name in tables:
            with contextlib.suppress(duckdb.Error):
                con.unregister(name)


@contextlib.contextmanager
def insertion_order_kept(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep DuckDB's preserve_insertion_order on while loading: `_row` relies on rows arriving in file order."""
    kept = bool(con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0])
    if not kept:
        con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        if not kept:
            with contextlib.suppress(duckdb.Error):
                con.execute("SET preserve_insertion_order = false")
