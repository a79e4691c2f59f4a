"""What the commands write on stdout: rows as a terminal table, CSV or JSON.

CSV is made to be opened in a spreadsheet, and a spreadsheet runs a cell that starts with = + - or @ as a
formula (CSV injection: `=HYPERLINK("http://...","klik")` in a file peil read would become a link in the
steward's Excel). So a text cell starting with one of those, a tab or a carriage return is written behind an
apostrophe, as OWASP advises: Excel and LibreOffice show the text without the apostrophe and run nothing. Numbers
(int, float, Decimal), negative ones too, are written as they are.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def print_rows(
    console: Console,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    output_format: OutputFormat,
    title: str | None = None,
) -> None:
    """Rows as a table on `console`, or as CSV or JSON records (one object per row) on stdout."""
    if output_format is OutputFormat.csv:
        write_csv(header, rows)
    elif output_format is OutputFormat.json:
        names = unique_names(header)
        write_json([dict(zip(names, row, strict=True)) for row in rows], default=json_value)
    else:
        console.print(rows_table(header, rows, title))


def unique_names(header: Sequence[str]) -> list[str]:
    """The column names with each repeat made unique as DuckDB does when it stores such a result (a, a_1, and
    a_1_1 where a_1 is taken), so that a JSON record keeps every column: `SELECT *` over a join repeats `id`."""
    names: list[str] = []
    for name in header:
        while name in names:
            name = f"{name}_1"
        names.append(name)
    return names


def rows_table(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> Table:
    """A Rich table of the rows; names and values are shown as text, never taken for markup (a `Text` value as
    it is styled)."""
    table = Table(*(escape(name) for name in header), title=title)
    for row in rows:
        table.add_row(*(v if isinstance(v, Text) else Text("" if v is None else str(v)) for v in row))
    return table


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]], out: TextIO | None = None) -> None:
    """The header and rows as CSV on `out` (default stdout), every cell safe to open in a spreadsheet."""
    writer = csv.writer(out or sys.stdout)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)


def csv_cell(value: object) -> object:
    """`value` for a CSV cell: text that a spreadsheet would run as a formula (starting with = + - @, a tab or a
    carriage return) behind an apostrophe; None and numbers as they are, so -5 stays a number."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_json(data: object, default: Callable[[Any], object] | None = None) -> None:
    """`data` as indented JSON on stdout, non-ASCII kept; `default` turns what JSON has no type for into a value.
    JSON has no NaN or infinity either (RFC 8259), and a parser may refuse Python's bare `NaN`: such a float is
    written as the text "NaN", "Infinity" or "-Infinity", which float() and JavaScript's Number() read back."""
    sys.stdout.write(json.dumps(_finite(data), default=default, ensure_ascii=False, indent=1, allow_nan=False) + "\n")


def _finite(data: object) -> object:
    """`data` with every float that is not a finite number replaced by its text (see `write_json`)."""
    if isinstance(data, float) and not math.isfinite(data):
        return "NaN" if math.isnan(data) else ("Infinity" if data > 0 else "-Infinity")
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


def json_value(value: object) -> object:
    """A query value JSON has no type for: dates and times in ISO 8601, a DECIMAL as a number, anything else as
    its text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)
