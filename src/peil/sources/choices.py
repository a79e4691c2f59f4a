"""What `peil infer` chose for each sheet of a workbook (or for a text file) and why, in sentences.

The sheet proposed, when none is asked for, is the first visible worksheet that holds a table (a header of two
or more cells with a filled row below it); failing that the first visible worksheet with cells, then a hidden one
that holds a table. Every other sheet is listed with the reason it was passed over: hidden, very hidden (only a
macro shows it), a chart sheet, empty, no table, or simply a later sheet (`--sheet` proposes it).

For the sheet proposed infer also says where it found the header and which rows above it were skipped, which
merged cells stand above or in the header (and which of them stand over a second header row, their text joined
with it), and how many formulas were read as the results stored with them; the readers add their own remarks (a
footer or a second table left out, hidden rows, ...) and infer the types it chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from peil.sources import excel
from peil.sources.layout import Row, filled, header_index, label, row_list
from peil.sources.ooxml import cell_name, sheet_quirks

LISTED = 3  # cells named one by one; more are counted


@dataclass
class SheetChoices:
    """One sheet of a workbook (`sheet` None for a file of another format): whether it is proposed and why
    (`headline`), and for the proposed one the choices made in reading it (`notes`)."""

    sheet: str | None
    headline: str
    proposed: bool = False
    notes: list[str] = field(default_factory=list)


def choose_sheet(path: Path, shown: str, wanted: str | int | None) -> tuple[str | int, list[SheetChoices]]:
    """The sheet to propose (`wanted` when given; see the module docstring) and a SheetChoices per sheet.

    Raises SourceError when the workbook cannot be opened.
    """
    sheets = excel.survey(path, shown)
    if wanted is not None:
        names = [s.name for s in sheets]
        name = names[wanted] if isinstance(wanted, int) and 0 <= wanted < len(names) else wanted
        return name, [_listed(s, s.name == name, "the sheet asked for") for s in sheets]
    chosen, reason, tables = _best(path, shown, sheets)
    if chosen is None:
        return 0, []
    return chosen, [_listed(s, s.name == chosen, reason, tables.get(s.name, True)) for s in sheets]


def header_note(rows: Sequence[Row], index: int, height: int = 1) -> str:
    """Where the header is (0-based `index` into `rows`, `height` rows) and which rows above it are skipped."""
    where = f"row {index + 1}" if height == 1 else f"rows {index + 1}-{index + height}"
    if index == 0:
        return f"header in {where}"
    above = rows[:index]
    labels = [repr(label(row)) for row in above if label(row)]
    blank = len(above) - len(labels)
    skipped = labels + ([f"{blank} blank row{'s' if blank > 1 else ''}"] if blank else [])
    return (
        f"header in {where} (declared as options.header_row); {row_list(range(1, index + 1))} above it "
        f"skipped: {_and(skipped)}"
    )


def merged_notes(merged: Sequence[excel.Range], header: int, found: excel.Header | None = None) -> list[str]:
    """Merged cells above the header (titles) and in the header row (0-based `header`); those of `found` (the
    header read) that stand over its second row are said to name the columns under them with it."""
    spans = found.spans if found else ()
    above = [_range(r) for r in merged if r[1][0] < header]
    inside = [r for r in merged if r[0][0] <= header <= r[1][0] and r[0][1] < r[1][1] and r not in spans]
    notes = [f"merged cells above the header (a title) skipped: {_and(above)}"] if above else []
    if found is not None:
        notes += [_joined_note(found, r) for r in spans]
    for r in inside:
        first, beside = cell_name(header, r[0][1]), r[1][1] - r[0][1]
        rest = (
            "the column beside it has no name and is"
            if beside == 1
            else f"the {beside} columns beside it have no name and are"
        )
        notes.append(f"merged cells {_range(r)} in the header: {first} names its column; {rest} not read")
    return notes


def _joined_note(found: excel.Header, span: excel.Range) -> str:
    """What the header made of a merged cell over its second row: the names of the columns under it."""
    (top, left), (_, right) = span
    names = _and([repr(found.cells[column]) for column in range(left, right + 1)])
    return (
        f"merged cells {_range(span)} in the header stand over row {top + 2}, a second header row: their columns "
        f"are named {names}"
    )


def formula_cells(path: Path, sheet: str, rows: set[int]) -> list[tuple[int, int]]:
    """The formula cells (0-based row, column) with a stored result among the rows read (1-based `rows`)."""
    return [cell for cell in sheet_quirks(path, sheet, dates=False).cached if cell[0] + 1 in rows]


def formula_note(cells: Sequence[tuple[int, int]]) -> list[str]:
    """How many formula cells (0-based row, column) are read as the results stored with them."""
    if not cells:
        return []
    named = ", ".join(cell_name(*cell) for cell in cells[:LISTED]) + (", ..." if len(cells) > LISTED else "")
    if len(cells) == 1:
        return [f"1 formula cell ({named}) read as the result stored with it"]
    return [f"{len(cells)} formula cells ({named}) read as the results stored with them"]


def _best(path: Path, shown: str, sheets: list[excel.SheetInfo]) -> tuple[str | None, str, dict[str, bool]]:
    """The sheet to propose when none is asked for, why, and for each sheet looked into whether it holds a
    table."""
    worksheets = [s for s in sheets if s.kind == "worksheet"]
    if len(worksheets) == 1:
        return worksheets[0].name, "the only worksheet", {}
    visible = [s for s in worksheets if s.filled and s.visibility == "visible"]
    hidden = [s for s in worksheets if s.filled and s.visibility != "visible"]
    tables: dict[str, bool] = {}
    for sheet in visible + hidden:
        tables[sheet.name] = _holds_table(excel.read_sheet(path, sheet.name, shown).grid)
        if tables[sheet.name] and sheet in visible:
            return sheet.name, "the first visible sheet that holds a table", tables
        if visible and sheet is visible[-1]:
            return visible[0].name, "the first visible sheet with cells (none looks like a table)", tables
        if tables[sheet.name]:
            return sheet.name, f"no visible sheet has cells; this {sheet.visibility} one holds a table", tables
    return (worksheets[0].name, "the first worksheet (all are empty)", tables) if worksheets else (None, "", tables)


def _holds_table(grid: Sequence[Row]) -> bool:
    """Whether a sheet holds a header of two or more cells with a filled row below it."""
    index = header_index(grid)
    return len(grid) > index and filled(grid[index]) >= 2 and any(filled(row) for row in grid[index + 1 :])


def _listed(sheet: excel.SheetInfo, chosen: bool, reason: str, table: bool = True) -> SheetChoices:
    """The SheetChoices of one sheet: proposed for `reason`, or why not."""
    if chosen:
        return SheetChoices(sheet.name, f"proposed: {reason}", proposed=True)
    if sheet.kind != "worksheet":
        why = f"a {sheet.kind}, no table"
    elif sheet.visibility == "very hidden":
        why = "very hidden in the workbook (only a macro shows it)"
    elif sheet.visibility == "hidden":
        why = f"hidden in the workbook (old data?); --sheet '{sheet.name}' proposes it"
    elif not sheet.filled:
        why = "empty"
    elif not table:
        why = "holds no table (no header of two or more cells with rows below it)"
    else:
        why = f"--sheet '{sheet.name}' proposes it"
    return SheetChoices(sheet.name, f"not proposed: {why}")


def _range(merged: excel.Range) -> str:
    (top, left), (bottom, right) = merged
    return f"{cell_name(top, left)}:{cell_name(bottom, right)}"


def _and(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)
