"""Load all files of a source into one table, with the reader its format names."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from peil.errors import Location, Remark
from peil.messages import Problem
from peil.sources import delimited, excel, structured
from peil.sources.conform import check_formats
from peil.sources.files import SourceFile, local_path
from peil.sources.table import INVALID, Loaded, Target, create, insertion_order_kept
from peil.workspace import ReadOptions, Source

THOUSANDS = r"-?\d{1,3}(\.\d{3})+"  # 2.500, 12.345: whole thousands as Belgians write them (Python re and RE2)
THOUSANDS_POINT = re.compile(THOUSANDS + r"(,\d+)?")  # 2.500 and 1.234,5
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")  # 0,75
Reader = Callable[[Target, Source, SourceFile, Path, Path], Loaded]
READERS: dict[str, Reader] = {
    "csv": delimited.load,
    "excel": excel.load,
    "parquet": structured.load_parquet,
    "json": structured.load_json,
    "ndjson": structured.load_ndjson,
}


@dataclass
class LoadResult:
    """How many rows were loaded, and the readers' remarks, each naming the file (and sheet, row or column)."""

    row_count: int = 0
    remarks: list[Remark] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The remarks in English, as the terminal and the snapshot's record show them."""
        return [str(remark) for remark in self.remarks]


def load_into(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    root: Path,
    files: list[SourceFile],
    table: str,
    lenient: bool = False,
) -> LoadResult:
    """Create table `table` (qualified and quoted, e.g. "raw"."population__v3") holding the rows of all `files`.

    The columns are the schema's fields in order, typed string VARCHAR, integer BIGINT, number DOUBLE, boolean
    BOOLEAN, date DATE, datetime TIMESTAMP, year INTEGER; then _file (SourceFile.path), _sheet (NULL but for
    workbooks) and _row (the 1-based row number a spreadsheet shows: the header is row 1 when header_row is 1,
    a quoted value over several lines is one row), and _invalid (a MAP of field name to the text that did not
    fit its type, NULL when all fit). Runs inside the caller's transaction and commits nothing; creates no other
    table but temporary scratch files. Keys are not checked here: the primary key is a check (peil.quality).

    Strictly (the default, and the fast path), a value that does not fit its type raises TypeMismatch naming
    file, sheet, row, column and value, and leaves the transaction aborted. With `lenient`, the value is NULL,
    its text is kept in `_invalid`, and a remark counts such values per file.

    Raises SourceError with file, sheet, row and column when the header lacks a declared field, the encoding is
    wrong, or a workbook is broken, encrypted or lacks the sheet.
    """
    check_formats(source)
    target = Target(con, table, source.table_schema, lenient)
    create(target)
    result = LoadResult()
    read = READERS[source.format or "csv"]
    with insertion_order_kept(con), tempfile.TemporaryDirectory(prefix="peil-") as scratch:
        for file in files:
            loaded = read(target, source, file, local_path(file, root), Path(scratch))
            result.row_count += loaded.rows
            result.remarks += loaded.remarks
    if lenient:
        result.remarks += _misfits(con, table, source)
    return result


def _misfits(con: duckdb.DuckDBPyConnection, table: str, source: Source) -> list[Remark]:
    """Per file and sheet, how many values did not fit their type (never silently NULL: TYP-02), located at the
    first of them, with its text; and for a number written as Belgians write one (1.234,5) in a source not read so,
    the options that read it."""
    found = con.execute(
        f"SELECT _file, _sheet, sum(cardinality({INVALID})), min(_row), "  # noqa: S608
        f"arg_min(map_keys({INVALID})[1], _row), arg_min(map_values({INVALID})[1], _row) "
        f"FROM {table} WHERE {INVALID} IS NOT NULL GROUP BY ALL ORDER BY _file, _sheet NULLS FIRST"
    ).fetchall()
    return [
        Remark(
            Location(file=file, sheet=sheet, row=int(row), column=column),
            Problem.literal(_misfit_text(int(count), text, source)),
        )
        for file, sheet, count, row, column, text in found
    ]


def _misfit_text(count: int, text: str, source: Source) -> str:
    """The remark on `count` values that did not fit, the first of which is `text`."""
    said = (
        f"{text!r} does not fit its field's type; its row is quarantined (check 'type')"
        if count == 1
        else f"{count} values do not fit their field's type, the first here {text!r}; their rows are quarantined "
        "(check 'type')"
    )
    return said + _number_options(text.strip(), source.options)


def _number_options(text: str, options: ReadOptions) -> str:
    """For a `text` that reads as a number written the Belgian way (2.500,00 or 0,75) in a source not read so,
    the remark's end naming the options that read it; else ''."""
    wanted = {"decimal": ",", "thousands": "."} if THOUSANDS_POINT.fullmatch(text) else {}
    wanted = wanted or ({"decimal": ","} if DECIMAL_COMMA.fullmatch(text) else {})
    missing = [f"options.{name}: '{value}'" for name, value in wanted.items() if getattr(options, name) != value]
    return f"; it reads as a number written the Belgian way: declare {' and '.join(missing)}" if missing else ""
