"""Turn raw values into the declared types, as DuckDB SQL: a value either fits its type exactly or is an error.

The rules follow DuckDB's own parsers where those never change a value, and add a check where they would:

- number: DuckDB's DOUBLE parser (1234.56, .5, 1e3, NaN, Infinity). With decimal ',' the text must not contain a
  '.' (1,5 and ,5 are numbers; 1.5 is an error). With a thousands separator the text must match a strict pattern
  whose groups have three digits: with decimal ',' and thousands '.', `1.234,56` is 1234.56 while `1,2,3`,
  `1a.2,3` and `12.34,5` are errors (peer case TYP-04). DuckDB's own `thousands` option accepts those, so it is
  not used.
- integer: a number that is whole and below 2^53 in size (12, 12.0, 1e3); DuckDB's BIGINT cast would round 1.5
  to 2, so 1.5 is an error. year: a whole number from 1000 to 9999 (2014, 2014.0).
- boolean: DuckDB's BOOLEAN parser: true/false, t/f, yes/no, y/n, 1/0, in any case.
- date: the field's `format` in strptime codes (`%d/%m/%Y`), by default %Y-%m-%d; 2024-01-05 10:00 is not a date.
  datetime: YYYY-MM-DD HH:MM[:SS[.f]] with a space or T, or the field's format; a time zone offset is an error
  (DuckDB would drop it).
- string: the text as it is, so codes keep their leading zeros (NIS codes, postcodes, national numbers).

`parse` gives the SQL over text; `read_type` and `from_read` let the CSV reader have DuckDB parse a column while
it reads (DOUBLE, BOOLEAN, DATE), which is exactly as strict and much faster. Missing values are NULL before any
of this.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from peil.errors import Location, SourceError, TypeMismatch
from peil.sources.sql import literal
from peil.workspace import ReadOptions, SchemaField, Source

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "year": "INTEGER",
}
VALUE_ERROR = "peil: a value does not fit its declared type"
FAIL = f"error('{VALUE_ERROR}')"
SPACES = "[ \u00a0\u202f]"
ISO_DATETIME = r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?\s*"


@dataclass(frozen=True)
class Numbers:
    """How a source writes numbers: the decimal separator and the thousands separator, if any."""

    decimal: str = "."
    thousands: str | None = None

    @classmethod
    def of(cls, options: ReadOptions) -> Numbers:
        return cls(options.decimal, options.thousands)

    def example(self) -> str:
        """1234.56 written this way, e.g. 1.234,56."""
        whole = f"1{self.thousands}234" if self.thousands else "1234"
        return f"{whole}{self.decimal}56"


PLAIN = Numbers()


@dataclass(frozen=True)
class Invalid:
    """The first value that does not fit its type: row (as `_row`), field, the text, and how many more fail."""

    row: int
    field: SchemaField
    value: str
    others: int


def check_formats(source: Source) -> None:
    """Raise SourceError when a date or datetime field's format is not a strptime pattern such as %d/%m/%Y."""
    for number, field in enumerate(source.table_schema.fields):
        if field.type in ("date", "datetime") and field.format not in (None, "default") and "%" not in field.format:
            raise SourceError(
                f"'{field.format}' is not a date format peil can read",
                Location(file=f"sources/{source.name}.yaml", field=f"schema.fields[{number}].format"),
                hint="Write the format in strptime codes, e.g. %d/%m/%Y for 31/12/2024 or %Y-%m-%d %H:%M.",
            )


def parse(field: SchemaField, text: str, numbers: Numbers) -> str:
    """SQL: the value of the VARCHAR expression `text` as the field's type; NULL when text is NULL or invalid."""
    kind = field.type
    if kind == "string":
        return text
    if kind == "boolean":
        return f"TRY_CAST({text} AS BOOLEAN)"
    if kind == "datetime" and field.format in (None, "default"):
        return (
            f"CASE WHEN regexp_full_match({text}, {literal(ISO_DATETIME)}) THEN TRY_CAST(trim({text}) AS TIMESTAMP) END"
        )
    if kind in ("date", "datetime"):
        return f"CAST(try_strptime(trim({text}), {literal(date_format(field))}) AS {DUCKDB_TYPES[kind]})"
    return _whole(field, _number(text, numbers))


def lenient(strict_sql: str) -> str:
    """SQL: a value expression made by `strict` or `from_read`, giving NULL where the strict one fails."""
    return strict_sql.replace(FAIL, "NULL")


def strict(field: SchemaField, text: str, numbers: Numbers) -> str:
    """SQL: like `parse`, but the query fails with VALUE_ERROR at a text that is not NULL and not valid."""
    if field.type == "string":
        return text
    return f"CASE WHEN {text} IS NULL THEN NULL ELSE coalesce({parse(field, text, numbers)}, {FAIL}) END"


def read_type(field: SchemaField, numbers: Numbers, dateformat: str | None) -> str:
    """The type DuckDB's CSV reader can parse the field's column as, exactly as `parse` would (VARCHAR: it can't).

    `dateformat` is the one date format given to the reader.
    """
    if field.type in ("integer", "number", "year") and numbers.thousands is None:
        return "DOUBLE"
    if field.type == "boolean" or (field.type == "date" and date_format(field) == dateformat):
        return DUCKDB_TYPES[field.type]
    return "VARCHAR"


def from_read(field: SchemaField, column: str, kind: str, numbers: Numbers) -> str:
    """SQL: the field's value from a column read as `kind` (see read_type); fails with VALUE_ERROR when invalid."""
    if kind == "VARCHAR":
        return strict(field, column, numbers)
    if field.type in ("integer", "year"):
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE coalesce({_whole(field, column)}, {FAIL}) END"
    return column


def date_format(field: SchemaField) -> str:
    """The strptime format of a date field, or of a datetime field that declares one (%Y-%m-%d by default)."""
    return str(field.format) if field.format not in (None, "default") else "%Y-%m-%d"


def expected(field: SchemaField, numbers: Numbers) -> str:
    """What a value of the field should look like, for error messages."""
    if field.type == "integer":
        return f"a whole number such as {numbers.example().split(numbers.decimal)[0]} (below 2^53)"
    if field.type == "number":
        return f"a number such as {numbers.example()}"
    if field.type == "year":
        return "a year from 1000 to 9999 such as 2024"
    if field.type == "boolean":
        return "true or false (also yes/no, 1/0)"
    if field.format not in (None, "default"):
        return f"a {'date' if field.type == 'date' else 'date and time'} in the format {field.format}"
    return "a date as YYYY-MM-DD" if field.type == "date" else "a date and time as YYYY-MM-DD HH:MM:SS"


def missing(text: str, values: list[str]) -> str:
    """SQL: the VARCHAR expression `text`, NULL when it is one of the schema's missing values."""
    if not values:
        return text
    listed = ", ".join(literal(v) for v in values)
    return f"CASE WHEN {text} IN ({listed}) THEN NULL ELSE {text} END"


def first_invalid(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    texts: list[tuple[SchemaField, str]],
    row: str,
    numbers: Numbers,
) -> Invalid | None:
    """The first row (by `row`) of `relation` with a text that does not fit its field, or None if all fit.

    `texts` pairs each checked field with its VARCHAR expression over `relation`; `row` is the SQL for `_row`.
    """
    checked = [(field, text) for field, text in texts if field.type != "string"]
    if not checked:
        return None
    columns = ", ".join(f"{text} AS t{i}" for i, (_, text) in enumerate(checked))
    bad = " UNION ALL ".join(
        f"SELECT _r, {i} AS f, t{i} AS v FROM src "  # noqa: S608
        f"WHERE t{i} IS NOT NULL AND ({parse(field, f't{i}', numbers)}) IS NULL"
        for i, (field, _) in enumerate(checked)
    )
    query = (
        f"WITH src AS MATERIALIZED (SELECT {row} AS _r, {columns} FROM {relation}), "  # noqa: S608
        f"bad AS MATERIALIZED ({bad}), head AS (SELECT _r, f, v FROM bad ORDER BY _r, f LIMIT 1) "
        "SELECT _r, f, v, (SELECT count(*) FROM bad WHERE bad.f = head.f) - 1 FROM head"
    )
    found = con.execute(query).fetchall()
    if not found:
        return None
    first_row, index, value, others = found[0]
    return Invalid(int(first_row), checked[int(index)][0], str(value), int(others))


def value_error(invalid: Invalid, file: str, sheet: str | None, numbers: Numbers) -> TypeMismatch:
    """The SourceError for the first value that does not fit: where, the value, what was expected and the fix."""
    field = invalid.field
    more = f" ({invalid.others} more values in this column do not fit either)" if invalid.others else ""
    hint = f"Correct the value in the file, or declare the field '{field.name}' with the type its values have."
    if field.type in ("number", "integer"):
        hint += (
            " If the file writes numbers differently, set options.decimal and options.thousands "
            "(e.g. decimal ',' and thousands '.' for 1.234,56)."
        )
    return TypeMismatch(
        f"'{invalid.value}' is not {expected(field, numbers)}, as the field's type {field.type} requires{more}",
        Location(file=file, sheet=sheet, row=invalid.row, column=field.name),
        hint=hint,
    )


def _number(text: str, numbers: Numbers) -> str:
    """SQL: the DOUBLE a text stands for under the source's number format, NULL when it is not a number."""
    if numbers.thousands is None:
        if numbers.decimal == ".":
            return f"TRY_CAST({text} AS DOUBLE)"
        return f"CASE WHEN NOT contains({text}, '.') THEN TRY_CAST(replace({text}, ',', '.') AS DOUBLE) END"
    decimal = "\\" + numbers.decimal
    separator = SPACES if numbers.thousands == " " else "\\" + numbers.thousands
    whole = rf"(?:[0-9]{{1,3}}(?:{separator}[0-9]{{3}})+|[0-9]+)"
    pattern = rf"\s*[+-]?(?:{whole}(?:{decimal}[0-9]*)?|{decimal}[0-9]+)(?:[eE][+-]?[0-9]+)?\s*"
    canonical = f"regexp_replace({text}, {literal(separator)}, '', 'g')"
    if numbers.decimal != ".":
        canonical = f"replace({canonical}, {literal(numbers.decimal)}, '.')"
    return f"CASE WHEN regexp_full_match({text}, {literal(pattern)}) THEN TRY_CAST({canonical} AS DOUBLE) END"


def _whole(field: SchemaField, number: str) -> str:
    """SQL: a DOUBLE expression as the field's type; an integer or year must be a whole number in range."""
    if field.type not in ("integer", "year"):
        return number
    fits = f"abs({number}) < {2**53}" if field.type == "integer" else f"{number} BETWEEN 1000 AND 9999"
    return f"CASE WHEN {number} = trunc({number}) AND {fits} THEN CAST({number} AS {DUCKDB_TYPES[field.type]}) END"
