"""What the commands write on stdout: rows as a terminal table, CSV or JSON.

CSV is made to be opened in a spreadsheet, and a spreadsheet runs a cell that starts with = + - or @ as a
formula (CSV injection: `=HYPERLINK("http://...","klik")` in a file peil read would become a link in the
steward's Excel). So a text cell starting with one of those, a tab or a carriage return is written behind an
apostrophe, as OWASP advises: Excel and LibreOffice show the text without the apostrophe and run nothing. Numbers
(int, float, Decimal), negative ones too, are written as they are.

CSV and JSON write a value alike and lose nothing of it; where JSON has no type for it, as a string:

- DECIMAL: its exact digits, in fixed point as DuckDB writes it ('12345678901234567890.1234567891',
  '0.0000000000', never '0E-10'); in JSON as a string, as `peil diff` and BigQuery write one: most JSON readers
  (JavaScript, pandas, Python's json) would read a number into a double and drop digits. Decimal(s) or
  CAST(s AS DECIMAL(38,10)) reads it back exactly.
- A DOUBLE or REAL that is not a finite number: 'NaN', 'Infinity' or '-Infinity', which float() and JavaScript's
  Number() read back; in JSON a string, as the Protocol Buffers JSON mapping writes it: JSON has no NaN
  (RFC 8259). null is kept for SQL NULL alone, so NaN, infinity and NULL stay three values. The string "NaN" is
  the same whether the column is a DOUBLE or a text; the column's type (`peil sql "DESCRIBE ..."`) tells which.
- TIMESTAMPTZ: ISO 8601 with its offset, in Belgian time as peil shows every moment ('2024-03-01T12:00:00+01:00';
  in CSV with a space for the T, as spreadsheets read a time). Other dates and times in ISO 8601.
- INTERVAL: DuckDB's own text ('1 year 2 months 3 days 04:05:06.5'), which CAST(s AS INTERVAL) reads back;
  peil.query.run gives it so (Python would count a month as 30 days).
- BLOB: base64 (RFC 4648), as JSON usually carries bytes; DuckDB's from_base64(s) reads it back.
"""

from __future__ import annotations

import base64
import csv
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from peil.reports.i18n import belgian_time

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
        write_json([dict(zip(names, row, strict=True)) for row in rows], default=text_value)
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
    it is styled), each as CSV writes it (`_shown`)."""
    table = Table(*(escape(name) for name in header), title=title)
    for row in rows:
        table.add_row(*(v if isinstance(v, Text) else Text(_shown(v)) for v in row))
    return table


def _shown(value: object) -> str:
    """A value as text, as CSV writes it: '' for NULL, a DECIMAL's every digit and NaN as 'NaN' (`exact_number`), a
    TIMESTAMPTZ in Belgian time and a BLOB in base64 (`text_value`)."""
    if value is None:
        return ""
    return str(exact_number(value)) if isinstance(value, float | Decimal) else text_value(value, sep=" ")


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]], out: TextIO | None = None) -> None:
    """The header and rows as CSV on `out` (default stdout), every cell safe to open in a spreadsheet."""
    writer = csv.writer(out or sys.stdout)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)


def csv_cell(value: object) -> object:
    """`value` for a CSV cell: text that a spreadsheet would run as a formula (starting with = + - @, a tab or a
    carriage return) behind an apostrophe; None and numbers as they are, so -5 stays a number (a DECIMAL and NaN
    as `exact_number` writes them); other values as `text_value` writes them, with a space between date and time."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return exact_number(value)
    text = text_value(value, sep=" ")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_json(data: object, default: Callable[[Any], object] | None = None) -> None:
    """`data` as indented JSON on stdout, non-ASCII kept; `default` turns what JSON has no type for into a value
    (`text_value` for query values). A DECIMAL and a float that is not finite, which JSON cannot hold exactly (a
    parser may refuse Python's bare `NaN`), are written as strings (`exact_number`; the module docstring says why).
    """
    sys.stdout.write(json.dumps(_exact(data), default=default, ensure_ascii=False, indent=1, allow_nan=False) + "\n")


def _exact(data: object) -> object:
    """`data` with every DECIMAL and every float that is not a finite number as `exact_number` writes it."""
    if isinstance(data, float | Decimal):
        return exact_number(data)
    if isinstance(data, dict):
        return {key: _exact(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_exact(value) for value in data]
    return data


def exact_number(value: float | Decimal) -> float | str:
    """A number as CSV and JSON write it: a finite float as it is; 'NaN', 'Infinity' or '-Infinity' for one that
    is not finite; a DECIMAL as its exact digits in fixed point ('0.0000000000' for Decimal('0E-10'))."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def text_value(value: object, sep: str = "T") -> str:
    """A value JSON and CSV have no type for, as text: a date or time in ISO 8601 (`sep` between date and time),
    a moment with a time zone (TIMESTAMPTZ) in Belgian time with its offset ('2024-03-01T12:00:00+01:00'), bytes
    (BLOB) in base64, anything else (UUID, an INTERVAL's text) as str()."""
    if isinstance(value, datetime):
        return (belgian_time(value) if value.tzinfo else value).isoformat(sep)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)
