"""Read a workbook sheet (.xlsx, .xlsm, .xls, .xlsb, .ods) into the target table, through python-calamine.

Rows are the sheet's rows as a spreadsheet numbers them: `skip_rows` and `header_row` count from row 1 and `_row`
is the sheet row. Fully empty rows are skipped. The cells become Arrow columns (see cells.py) and one INSERT
types them like CSV text.

With options.crosstab the sheet is a cross table: `len(headers)` header rows across from `header_row` on, whose
first cells are labels; below them one row per entity whose first `len(index)` cells are the index values and
every other non-empty cell a value. Each value becomes one long row (index values, the header values above it,
the value); a header cell left empty, as in merged cells, repeats the one to its left. A row without values,
such as a footer note, gives no row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import python_calamine as calamine

from peil.errors import Location, SourceError
from peil.sources import conform
from peil.sources.cells import Value, columns, text_of
from peil.sources.columns import field_positions, header_names
from peil.sources.files import SourceFile
from peil.sources.ooxml import cell_name, sheet_quirks
from peil.sources.table import Column, Loaded, Rows, Target, insert
from peil.workspace import Crosstab, SchemaField, Source

Grid = list[list[Value]]


def load(target: Target, source: Source, file: SourceFile, path: Path, scratch: Path) -> Loaded:
    """Load the declared sheet of one workbook. Raises SourceError (workbook, sheet, header, values)."""
    sheet, grid = read_sheet(path, source.options.sheet, file.path)
    quirks = sheet_quirks(path, sheet, any(f.type in ("date", "datetime") for f in target.schema.fields))
    where = Location(file=file.path, sheet=sheet)
    warnings = [
        f"{Location(file=file.path, sheet=sheet, row=row + 1)}: cell {cell_name(row, column)} holds a formula "
        "without a stored result and is read as empty; open and save the file in Excel or LibreOffice to store it"
        for row, column in quirks.uncached
    ]
    header_row = source.options.skip_rows + source.options.header_row
    fields = target.schema.fields
    if source.options.crosstab:
        records, origins, row_numbers = _unpivot(
            grid, source.options.crosstab, [f.name for f in fields], header_row, source
        )
    else:
        records, origins, row_numbers, found = _table(grid, fields, header_row, where)
        warnings += found
    built = columns(fields, records, origins, row_numbers, quirks.serial_60)
    warnings += [
        f"{Location(file=file.path, sheet=sheet, row=row + 1, column=f.name)}: cell {cell_name(row, column)} holds "
        "the Excel serial 60, the day 1900-02-29 that does not exist (a leap-year bug in Excel); read as empty"
        for row, column, f in built.fictitious
    ]
    style = conform.Numbers.of(source.options)
    typed = [_column(f, i, f"n{i}" in built.arrays, style) for i, f in enumerate(fields)]
    name = f"peil_sheet_{uuid.uuid4().hex}"
    rows = Rows(name, typed, "_row", style, sheet, arrow={name: built.table()})
    return Loaded(insert(target, rows, file.path), warnings)


def read_sheet(path: Path, sheet: str | int | None, file: str) -> tuple[str, Grid]:
    """The sheet's name and its cells from A1 on ('' for an empty cell); the first sheet when `sheet` is None.

    Raises SourceError for a broken, encrypted or unreadable workbook, or a sheet it does not have (listing them).
    """
    with _open(path, file) as workbook:
        names = workbook.sheet_names
        chosen = sheet if sheet is not None else 0
        if (isinstance(chosen, int) and not 0 <= chosen < len(names)) or (
            isinstance(chosen, str) and chosen not in names
        ):
            listed = ", ".join(f"{i}: '{n}'" for i, n in enumerate(names))
            raise SourceError(
                f"the workbook has no sheet {chosen!r}",
                Location(file=file, field="options.sheet"),
                hint=f"Its sheets are {listed}; set options.sheet to a name or a 0-based number.",
            )
        name = names[chosen] if isinstance(chosen, int) else chosen
        try:
            grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except calamine.CalamineError as exc:
            raise SourceError(
                f"cannot read the sheet: {exc}",
                Location(file=file, sheet=name),
                hint="Open the workbook in Excel or LibreOffice and save it again.",
            ) from None
    return name, [list(row) for row in grid]


def table_sheets(path: Path, file: str) -> list[str]:
    """The names of the worksheets that may hold a table, in order: the only one, or of several those that hold
    at least one cell (chart sheets and the empty Blad2 and Blad3 of a new workbook are left out).

    Raises SourceError as `read_sheet` does.
    """
    with _open(path, file) as workbook:
        names = [m.name for m in workbook.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
        if len(names) < 2:
            return names
        return [name for name in names if workbook.get_sheet_by_name(name).height]


def _open(path: Path, file: str) -> calamine.CalamineWorkbook:
    """The workbook at `path`; raises SourceError naming `file` when it is broken, encrypted or no workbook."""
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise SourceError(
            "the workbook is protected with a password",
            Location(file=file),
            hint="Save an unprotected copy (File > Info > Protect Workbook in Excel) and load that.",
        ) from None
    except (calamine.CalamineError, OSError, ValueError) as exc:
        raise SourceError(
            f"cannot open the workbook: {exc}",
            Location(file=file),
            hint="The file is broken, encrypted or not a workbook: open it in Excel or LibreOffice and save it "
            "again as .xlsx.",
        ) from None


def _column(field: SchemaField, index: int, native: bool, numbers: conform.Numbers) -> Column:
    """A field's value: the native cell if it has one (column n{index}), else its text (t{index}) conformed."""
    value = conform.strict(field, f"t{index}", numbers)
    if native:
        value = f"coalesce(CAST(n{index} AS {conform.DUCKDB_TYPES[field.type]}), {value})"
    return Column(value, f"t{index}")


def _table(
    grid: Grid, fields: Sequence[SchemaField], header_row: int, where: Location
) -> tuple[list[list[Value]], list[list[tuple[int, int]]], list[int], list[str]]:
    """Records (schema order), their cells' origins, their row numbers, and header warnings of a plain table."""
    if len(grid) < header_row:
        raise SourceError(
            f"the sheet has {len(grid)} rows; the header was expected in row {header_row}",
            where,
            hint="Check options.skip_rows and options.header_row.",
        )
    width = max(len(row) for row in grid)
    at_header = Location(file=where.file, sheet=where.sheet, row=header_row)
    names, warnings = header_names([text_of(c) for c in grid[header_row - 1]], width, at_header)
    positions, unloaded = field_positions(fields, names, at_header)
    records, origins, rows = [], [], []
    for index in range(header_row, len(grid)):
        row = grid[index]
        if all(cell in ("", None) for cell in row):
            continue
        records.append([_at(row, p) for p in positions])
        origins.append([(index, p) for p in positions])
        rows.append(index + 1)
    return records, origins, rows, warnings + unloaded


def _unpivot(
    grid: Grid, crosstab: Crosstab, fields: list[str], header_row: int, source: Source
) -> tuple[list[list[Value]], list[list[tuple[int, int]]], list[int]]:
    """The long records of a cross table (see the module docstring), in the order of `fields`."""
    declared = [*crosstab.index, *crosstab.headers, crosstab.value]
    if sorted(declared) != sorted(fields):
        raise SourceError(
            "options.crosstab must name each schema field once: "
            f"crosstab names {', '.join(declared)}; the schema has {', '.join(fields)}",
            Location(file=f"sources/{source.name}.yaml", field="options.crosstab"),
        )
    order = [declared.index(name) for name in fields]
    first = min((start for start in map(_first_filled, grid) if start is not None), default=0)
    labels = first + len(crosstab.index)
    top = header_row - 1
    headers = [_filled(grid[top + i], labels) for i in range(len(crosstab.headers))] if len(grid) > top else []
    records, origins, rows = [], [], []
    for index in range(top + len(crosstab.headers), len(grid)):
        row = grid[index]
        keys = [(_at(row, c), (index, c)) for c in range(first, labels)]
        for column in range(labels, len(row)):
            if row[column] in ("", None):
                continue
            above = [(_at(header, column), (top + i, column)) for i, header in enumerate(headers)]
            cells = [*keys, *above, (row[column], (index, column))]
            records.append([cells[i][0] for i in order])
            origins.append([cells[i][1] for i in order])
            rows.append(index + 1)
    return records, origins, rows


def _filled(row: list[Value], start: int) -> list[Value]:
    """A header row with each empty cell from `start` on taking the value to its left (merged cells)."""
    filled = list(row)
    for column in range(start + 1, len(filled)):
        if filled[column] in ("", None):
            filled[column] = filled[column - 1]
    return filled


def _first_filled(row: list[Value]) -> int | None:
    return next((i for i, cell in enumerate(row) if cell not in ("", None)), None)


def _at(row: list[Value], column: int) -> Value:
    return row[column] if column < len(row) else ""
