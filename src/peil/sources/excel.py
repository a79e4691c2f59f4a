"""Read a workbook sheet (.xlsx, .xlsm, .xls, .xlsb, .ods) into the target table, through python-calamine.

Rows are the sheet's rows as a spreadsheet numbers them: `skip_rows` and `header_row` count from row 1 and `_row`
is the sheet row. Fully empty rows are skipped, and so are the total and note rows below the data
(layout.footer_start: "Totaal", "Bron: ..."), each named in a remark; a row among the data that looks like a
total is read, and named too. A second table below the data, after blank rows (layout.second_table: a title or a
header over rows of numbers), is left out with a remark that names its rows and its header row. The cells become
Arrow columns (see cells.py) and one INSERT types them like CSV text. A formula reads as the result the workbook
stored with it.

A header of two rows is read as one (`table_header`): a merged cell of the header row that spans two or more
columns, over a row that fills exactly the columns under such cells, carries its text over them, joined with the
text below: `Dienst | Code | Loon` (Loon merged over C1:D1) over `  |   | Maand | Jaar` gives the columns Dienst,
Code, Loon Maand and Loon Jaar, and the data start below the second row.

Remarks (peil.errors.Remark: where, and a message id with values) also name what a person looking at the sheet
would not see as it is read: a sheet hidden in the
workbook (read all the same, as declared), rows hidden in the sheet (read as data), merged cells among the data
(the value stands in the first cell; the others read as empty), formulas without a stored result, and Excel's
serial 60.

With options.crosstab the sheet is a cross table: `len(headers)` header rows across from `header_row` on, whose
first cells are labels; below them one row per entity whose first `len(index)` cells are the index values and
every other non-empty cell a value. Each value becomes one long row (index values, the header values above it,
the value); a header cell left empty, as in merged cells, repeats the one to its left. The footer is left out
as in a plain table.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

from peil.errors import Location, Remark, SourceError
from peil.messages import N_, Problem
from peil.sources import conform, layout
from peil.sources.cells import Value, columns, text_of
from peil.sources.columns import field_positions, header_names
from peil.sources.files import SourceFile, content, empty_file
from peil.sources.ooxml import SheetQuirks, cell_name, sheet_quirks
from peil.sources.table import Column, Loaded, Rows, Target, insert
from peil.workspace import Crosstab, SchemaField, Source

Grid = list[list[Value]]
HIDDEN_SHEET = N_("the sheet is hidden in the workbook (old data?)")  # the remarks on a sheet read though hidden
VERY_HIDDEN_SHEET = N_("the sheet is very hidden in the workbook: only a macro shows it")
Range = tuple[tuple[int, int], tuple[int, int]]  # merged cells: (first row, first column), (last row, last column)
VISIBILITY = [  # calamine's enums cannot be dictionary keys
    (calamine.SheetVisibleEnum.Hidden, "hidden"),
    (calamine.SheetVisibleEnum.VeryHidden, "very hidden"),
]
KINDS = [
    (calamine.SheetTypeEnum.ChartSheet, "chart sheet"),
    (calamine.SheetTypeEnum.DialogSheet, "dialog sheet"),
    (calamine.SheetTypeEnum.MacroSheet, "macro sheet"),
    (calamine.SheetTypeEnum.Vba, "VBA module"),
]


@dataclass(frozen=True)
class Sheet:
    """A sheet as read: its name, its cells from A1 on ('' for an empty cell), whether the workbook shows it
    ('visible', 'hidden' or 'very hidden', which only a macro can show) and its merged cells (0-based)."""

    name: str
    grid: Grid
    visibility: str = "visible"
    merged: tuple[Range, ...] = ()


@dataclass(frozen=True)
class SheetInfo:
    """A sheet of a workbook as its list of sheets tells: name, kind ('worksheet', 'chart sheet', ...),
    visibility, and whether it holds any cell."""

    name: str
    kind: str
    visibility: str
    filled: bool


@dataclass(frozen=True)
class Header:
    """The header of a plain table: its first row (0-based), the texts of its cells, and the merged cells of that
    row that stand over a second header row (`table_header`; empty for a header of one row)."""

    row: int
    cells: list[str]
    spans: tuple[Range, ...] = ()

    @property
    def height(self) -> int:
        """How many rows the header takes: 1 or 2."""
        return 2 if self.spans else 1


@dataclass(frozen=True)
class _Extract:
    """The records of a sheet (schema order), their cells' origins (0-based row, column), their row numbers, and
    remarks about the header and the footer."""

    records: list[list[Value]]
    origins: list[list[tuple[int, int]]]
    rows: list[int]
    remarks: list[Remark]


def load(target: Target, source: Source, file: SourceFile, path: Path, scratch: Path) -> Loaded:
    """Load the declared sheet of one workbook. Raises SourceError (workbook, sheet, header, values)."""
    sheet = read_sheet(path, source.options.sheet, file.path)
    fields = target.schema.fields
    quirks = sheet_quirks(path, sheet.name, any(f.type in ("date", "datetime") for f in fields))
    where = Location(file=file.path, sheet=sheet.name)
    header_row = source.options.skip_rows + source.options.header_row
    if source.options.crosstab:
        found = _unpivot(sheet.grid, source.options.crosstab, [f.name for f in fields], header_row, source, where)
    else:
        found = _table(sheet, fields, header_row, where)
    remarks = _hidden_sheet(sheet, source.options.sheet is not None, where) + found.remarks
    remarks += _read_as_shown(sheet, quirks, found, where)
    built = columns(fields, found.records, found.origins, found.rows, quirks.serial_60, quirks.padded)
    remarks += [
        Remark.saying(
            Location(file=file.path, sheet=sheet.name, row=row + 1, column=f.name),
            Problem(
                N_("cell %(cell)s holds the Excel serial 60, a day that does not exist (1900-02-29); read as empty"),
                {"cell": cell_name(row, column)},
            ),
            f"cell {cell_name(row, column)} holds the Excel serial 60, the day 1900-02-29 that does not exist (a "
            "leap-year bug in Excel); read as empty",
        )
        for row, column, f in built.fictitious
    ]
    style = conform.Numbers.of(source.options)
    typed = [_column(f, i, f"n{i}" in built.arrays, style) for i, f in enumerate(fields)]
    name = f"peil_sheet_{uuid.uuid4().hex}"
    rows = Rows(name, typed, "_row", style, sheet.name, arrow={name: built.table()})
    return Loaded(insert(target, rows, file.path), remarks)


def read_sheet(path: Path, sheet: str | int | None, file: str) -> Sheet:
    """The sheet `sheet` (a name or 0-based number; the first when None) with its cells and merged cells.

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
        visibility = _visibility(workbook.sheets_metadata[names.index(name)])
        try:
            data = workbook.get_sheet_by_name(name)
            grid = data.to_python(skip_empty_area=False)
            merged = tuple(data.merged_cell_ranges or ())
        except calamine.CalamineError as exc:
            raise SourceError(
                f"cannot read the sheet: {exc}",
                Location(file=file, sheet=name),
                hint="Open the workbook in Excel or LibreOffice and save it again.",
            ) from None
    return Sheet(name, [list(row) for row in grid], visibility, merged)


def survey(path: Path, file: str) -> list[SheetInfo]:
    """Every sheet of the workbook, in order. Raises SourceError as `read_sheet` does."""
    with _open(path, file) as workbook:
        return [
            SheetInfo(
                m.name,
                next((kind for typ, kind in KINDS if m.typ == typ), "worksheet"),
                _visibility(m),
                m.typ == calamine.SheetTypeEnum.WorkSheet and workbook.get_sheet_by_name(m.name).height > 0,
            )
            for m in workbook.sheets_metadata
        ]


def table_sheets(path: Path, file: str) -> list[str]:
    """The names of the worksheets that may hold a table, in order: the only one, or of several those that hold
    at least one cell (chart sheets and the empty Blad2 and Blad3 of a new workbook are left out).

    Raises SourceError as `read_sheet` does.
    """
    sheets = [s for s in survey(path, file) if s.kind == "worksheet"]
    return [s.name for s in sheets if s.filled or len(sheets) < 2]


def _visibility(sheet: calamine.SheetMetadata) -> str:
    return next((shown for value, shown in VISIBILITY if sheet.visible == value), "visible")


def _open(path: Path, file: str) -> calamine.CalamineWorkbook:
    """The workbook at `path`; raises SourceError naming `file` when it is broken, encrypted or no workbook."""
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise SourceError(
            Problem(N_("the workbook is protected with a password")),
            Location(file=file),
            hint="Save an unprotected copy (File > Info > Protect Workbook in Excel) and load that.",
        ) from None
    except (calamine.CalamineError, OSError, ValueError) as exc:
        raise _not_a_workbook(path, file) or SourceError(
            Problem(N_("cannot open the workbook: %(error)s"), {"error": str(exc)}),
            Location(file=file),
            hint="The file is broken, encrypted or not a workbook: open it in Excel or LibreOffice and save it "
            "again as .xlsx.",
        ) from None


def _not_a_workbook(path: Path, file: str) -> SourceError | None:
    """The error for a file calamine cannot open that is plainly no workbook: empty, text (an export named
    .xlsx, peer case seen on shared drives) or an HTML page, or a zip archive cut short (no end of central
    directory: a copy broken off); None for any other (see `files.content`)."""
    try:
        kind = content(path)
    except OSError:
        return None
    if kind == "empty":
        return empty_file(file)
    if kind == "html":
        return SourceError(
            f"named {path.suffix} but holds an HTML page, not a workbook",
            Location(file=file),
            hint="Open it in Excel or LibreOffice and save it as .xlsx, then load that.",
        )
    if kind == "zip" and not zipfile.is_zipfile(path):
        return SourceError(
            Problem(N_("the workbook is damaged: its zip archive is cut short or broken")),
            Location(file=file),
            hint="Copy it again from where it came from, or open it in Excel, which offers to repair it, and save it "
            "again.",
        )
    if kind == "text":
        return SourceError(
            f"named {path.suffix} but holds text, not a workbook",
            Location(file=file),
            hint="Rename it to .csv (then `peil infer` reads it), or declare `format: csv` in its source.",
        )
    return None


def _column(field: SchemaField, index: int, native: bool, numbers: conform.Numbers) -> Column:
    """A field's value: the native cell if it has one (column n{index}), else its text (t{index}) conformed."""
    value = conform.strict(field, f"t{index}", numbers)
    if native:
        value = f"coalesce(CAST(n{index} AS {conform.DUCKDB_TYPES[field.type]}), {value})"
    return Column(value, f"t{index}")


def table_header(sheet: Sheet, index: int) -> Header:
    """The header whose first row is the 0-based row `index` (see the module docstring): a merged cell's text,
    carried over its columns, joined with the text of the second row below it; no cells beyond the grid."""
    row = sheet.grid[index] if index < len(sheet.grid) else []
    cells = [text_of(cell) for cell in row]
    spans = _over_second_row(sheet, index)
    for (_, left), (_, right) in spans:
        for column in range(left, right + 1):
            parts = (text_of(_at(row, left)).strip(), text_of(_at(sheet.grid[index + 1], column)).strip())
            cells[column] = " ".join(part for part in parts if part)
    return Header(index, cells, spans)


def header_top(sheet: Sheet, index: int) -> int:
    """The first row of the header found in the 0-based row `index`: the row above it when `index` is the second
    row of a header of two rows (see `table_header`), else `index`."""
    return index - 1 if index > 0 and _over_second_row(sheet, index - 1) else index


def _over_second_row(sheet: Sheet, index: int) -> tuple[Range, ...]:
    """The merged cells of the 0-based row `index`, one row high and two or more columns wide, when the row below
    fills exactly the columns under them (a second header row); () when it does not or there are none, and when
    the row holds one merged cell and nothing beside it: a title merged over the header (Personeel 2024 over
    naam | dienst | loon)."""
    spans = tuple(r for r in sheet.merged if r[0][0] == r[1][0] == index and r[0][1] < r[1][1])
    if not spans or index + 1 >= len(sheet.grid):
        return ()
    under = {column for (_, left), (_, right) in spans for column in range(left, right + 1)}
    beside = [column for column, cell in enumerate(sheet.grid[index]) if layout.filled([cell]) and column not in under]
    if len(spans) == 1 and not beside:  # a title merged over the header, not a header's top row
        return ()
    below = {column for column, cell in enumerate(sheet.grid[index + 1]) if layout.filled([cell])}
    return spans if below == under else ()


def _table(sheet: Sheet, fields: Sequence[SchemaField], header_row: int, where: Location) -> _Extract:
    """The records of a plain table, below its header in row `header_row` (and the second header row under it,
    see `table_header`), above its footer and any second table."""
    grid = sheet.grid
    if len(grid) < header_row:
        raise SourceError(
            f"the sheet has {len(grid)} rows; the header was expected in row {header_row}",
            where,
            hint="Check options.skip_rows and options.header_row.",
        )
    width = max(len(row) for row in grid)
    at_header = Location(file=where.file, sheet=where.sheet, row=header_row)
    found_header = table_header(sheet, header_row - 1)
    names, renamed = header_names(found_header.cells, width, at_header)
    positions, unloaded = field_positions(fields, names, at_header)
    body, found = _body(grid, header_row - 1 + found_header.height, where)
    records = [[_at(grid[i], p) for p in positions] for i in body]
    origins = [[(i, p) for p in positions] for i in body]
    return _Extract(records, origins, [i + 1 for i in body], renamed + unloaded + found)


def _unpivot(
    grid: Grid, crosstab: Crosstab, fields: list[str], header_row: int, source: Source, where: Location
) -> _Extract:
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
    body, remarks = _body(grid, top + len(crosstab.headers), where)
    records, origins, rows = [], [], []
    for index in body:
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
    return _Extract(records, origins, rows, remarks)


def _body(grid: Grid, first: int, where: Location) -> tuple[list[int], list[Remark]]:
    """The 0-based indices of the data rows from index `first` on: the filled rows above the footer and any second
    table; and remarks naming the footer rows left out, the rows among the data that look like totals and the
    second table left out."""
    last, second = _second_table(grid, first, where)
    filled = [i for i in range(first, last) if any(cell not in ("", None) for cell in grid[i])]
    rows = [grid[i] for i in filled]
    end = layout.footer_start(rows)
    remarks = []
    if end < len(rows):
        remarks.append(layout.left_out(where, [i + 1 for i in filled[end:]], rows[end:]))
    totals = layout.inner_totals(rows[:end])
    if totals:
        remarks.append(layout.totals_kept(where, [filled[i] + 1 for i in totals], [rows[i] for i in totals]))
    return filled[:end], remarks + second


def _second_table(grid: Grid, first: int, where: Location) -> tuple[int, list[Remark]]:
    """The 0-based row where the table whose data start in row `first` ends: where a second table below it begins
    (layout.second_table), with a remark naming it, else at the end of the grid, without one."""
    found = layout.second_table(grid[first:])
    if found is None:
        return len(grid), []
    start = first + found.start
    rows = [i for i in range(start, len(grid)) if layout.filled(grid[i])]
    numbers = [i + 1 for i in rows]
    return start, [layout.second_left_out(where, numbers, first + found.header + 1, [grid[i] for i in rows])]


def _hidden_sheet(sheet: Sheet, declared: bool, where: Location) -> list[Remark]:
    """A remark when the sheet read is hidden in the workbook."""
    if sheet.visibility == "visible":
        return []
    why = "options.sheet names it" if declared else "it is the first sheet; set options.sheet to the table's sheet"
    problem = Problem(HIDDEN_SHEET if sheet.visibility == "hidden" else VERY_HIDDEN_SHEET)
    english = f"the sheet is {sheet.visibility} in the workbook (old data?); it is read because {why}"
    return [Remark.saying(where, problem, english)]


def _read_as_shown(sheet: Sheet, quirks: SheetQuirks, found: _Extract, where: Location) -> list[Remark]:
    """Remarks about the cells read that the sheet shows otherwise: hidden rows, merged cells, formulas without a
    stored result."""
    rows = set(found.rows)
    remarks = []
    hidden = sorted(row + 1 for row in quirks.hidden_rows if row + 1 in rows)
    if hidden:
        remarks.append(layout.hidden_rows(where, hidden))
    for (top, left), (bottom, right) in sheet.merged:
        if any(row + 1 in rows for row in range(top, bottom + 1)) and (top, left) != (bottom, right):
            first, last = cell_name(top, left), cell_name(bottom, right)
            merged = N_(
                "cells %(first)s:%(last)s are merged; the value stands in %(first)s, the other cells read as empty"
            )
            remarks.append(Remark(where, Problem(merged, {"first": first, "last": last})))
    read = {cell for origin in found.origins for cell in origin} if quirks.uncached else set()
    remarks += [
        Remark(
            Location(file=where.file, sheet=where.sheet, row=row + 1),
            Problem(
                N_(
                    "cell %(cell)s holds a formula without a stored result and is read as empty; open and save the "
                    "file in Excel or LibreOffice to store it"
                ),
                {"cell": cell_name(row, column)},
            ),
        )
        for row, column in quirks.uncached
        if (row, column) in read
    ]
    return remarks


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
