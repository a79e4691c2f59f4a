"""Workbook cells as Arrow columns that conform can type.

A cell from calamine is already a number, date, datetime, boolean or text. Each declared field becomes two
Arrow columns: `native` holds the cells whose value fits the field's type as it is (a number in a number field,
a whole number in an integer field, a date in a date field), `text` every other non-empty cell written as text,
which conform.strict then parses like CSV text, or rejects with the row and column. So a text cell "1.234,56" in
a number field is read with the source's decimal options, and a date cell in a number field is an error.

Excel stores dates as serial numbers. A date cell arrives as a date; a plain number in a date field is read as a
serial of the 1900 date system: 1 is 1900-01-01, 59 is 1900-02-28, 61 is 1900-03-01, and 60, Excel's fictitious
29 February 1900, is no date: it is read as empty and reported (peer case XLS-01).

A whole number that the sheet shows zero-padded (a code 8500 under the format "00000", peil.sources.ooxml) is read
in a text field as the sheet shows it, 08500; in a number field it is the number.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from peil.workspace import SchemaField

NATIVE_TYPES = {
    "integer": pa.int64(),
    "year": pa.int32(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
}
LAST_SERIAL = 2958465  # 9999-12-31
Value = object


@dataclass
class Columns:
    """Per field (schema order) a native and a text column, the `_row` column, and the fictitious dates found."""

    arrays: dict[str, pa.Array] = field(default_factory=dict)
    fictitious: list[tuple[int, int, SchemaField]] = field(default_factory=list)

    def table(self) -> pa.Table:
        return pa.table(self.arrays)


def text_of(value: Value) -> str:
    """A cell as text: whole numbers without '.0', other numbers as Python writes them, dates in ISO form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def excel_serial(serial: float) -> dt.datetime | None:
    """The moment an Excel 1900-system serial stands for; None for 60, the fictitious 1900-02-29."""
    if math.floor(serial) == 60:
        return None
    base = dt.datetime(1899, 12, 31) if serial < 60 else dt.datetime(1899, 12, 30)
    return base + dt.timedelta(days=serial)


def columns(
    fields: Sequence[SchemaField],
    records: Sequence[Sequence[Value]],
    origins: Sequence[Sequence[tuple[int, int]]],
    rows: Sequence[int],
    serial_60: set[tuple[int, int]],
    padded: dict[tuple[int, int], int],
) -> Columns:
    """Arrow columns n{i} (native, when the type has one) and t{i} (text) per field, and _row.

    `records` holds per row the cell values in schema order ('' or None for an empty cell), `origins` the
    0-based sheet (row, column) each value came from, `rows` the `_row` numbers; `serial_60` the cells whose
    stored serial is 60 (calamine shows them as 1900-02-28); `padded` the digits shown of the whole numbers shown
    zero-padded.
    """
    result = Columns()
    for index, schema_field in enumerate(fields):
        natives: list[object] = []
        texts: list[str | None] = []
        for record, origin in zip(records, origins, strict=True):
            value = record[index]
            if schema_field.type in ("date", "datetime") and origin[index] in serial_60:
                value = 60.0
            elif schema_field.type == "string" and origin[index] in padded and isinstance(value, float):
                value = text_of(value).zfill(padded[origin[index]])
            native, text = _split(value, schema_field)
            if native is None and text is None and value not in ("", None):
                result.fictitious.append((*origin[index], schema_field))
            natives.append(native)
            texts.append(text)
        if schema_field.type in NATIVE_TYPES:
            result.arrays[f"n{index}"] = pa.array(natives, NATIVE_TYPES[schema_field.type])
        result.arrays[f"t{index}"] = pa.array(texts, pa.string())
    result.arrays["_row"] = pa.array(rows, pa.int64())
    return result


def _split(value: Value, schema_field: SchemaField) -> tuple[object, str | None]:
    """(native, None) when the cell fits the field as it is, (None, text) otherwise, (None, None) when empty.

    Returns (None, None) too for a non-empty cell that stands for no value: Excel's serial 60 in a date field.
    """
    kind = schema_field.type
    if value is None or value == "":
        return None, None
    if isinstance(value, str) or kind == "string":
        return None, value if isinstance(value, str) else text_of(value)
    if isinstance(value, bool):
        return (value, None) if kind == "boolean" else (None, text_of(value))
    if isinstance(value, int | float):
        return _number(float(value), kind)
    if isinstance(value, dt.datetime):
        if kind == "datetime":
            return value, None
        if kind == "date" and value.time() == dt.time():
            return value.date(), None
    elif isinstance(value, dt.date):
        if kind == "date":
            return value, None
        if kind == "datetime":
            return dt.datetime.combine(value, dt.time()), None
    return None, text_of(value)


def _number(value: float, kind: str) -> tuple[object, str | None]:
    if kind == "number":
        return value, None
    whole = math.isfinite(value) and value.is_integer()
    if kind == "integer" and whole and abs(value) < 2**63:
        return int(value), None
    if kind == "year" and whole and 1000 <= value <= 9999:
        return int(value), None
    if kind in ("date", "datetime") and 1 <= value <= LAST_SERIAL:
        moment = excel_serial(value)
        if moment is None:
            return None, None
        if kind == "datetime":
            return moment, None
        if value.is_integer():
            return moment.date(), None
    return None, text_of(value)
