"""Where the table is in a sheet or a delimited file: its header below titles and blank rows, and the end of its
data above a total row and notes.

Spreadsheets kept by people often start with a title and a date, leave a row blank, and end with a "Totaal" row
and a note ("Bron: personeelsdienst"). A CSV exported from such a sheet keeps all of it, padded with delimiters
("Personeelsregister;;;;").

- `header_index` finds the header among the first HEADER_SCAN rows: the first row that fills at least half as
  many cells as the rows below it typically do, and under which nearly all rows (90%) fit, no row reaching
  further right than the header's last filled cell. Titles fill one or two cells and the table reaches past them.
  `fitting_header` is the same rule, saying None where header_index falls back to the first filled row, and
  `titles_above` whether the rows passed over look like titles (fewer cells than the table's rows), not data.
- `footer_start` finds where the trailing rows that are no data begin. A total row, in a table of two or more
  columns, starts its first filled cell with a total word (Totaal, Subtotaal, Eindtotaal, Algemeen totaal, Som,
  Total, Grand total), or its second when the first is text that is no number (a code column left empty or
  labelled); its label is found once in its column, since a label repeated, such as "Totaal" as the value of
  `geslacht` beside "M" and "V", is data. A note, in a table of three or more columns, fills one cell whose text
  starts with a note word (Bron, Opmerking, Noot, Source, Note, ...) or with `*`, or holds a colon. Only trailing
  rows count, and only below at least one data row; a total row among the data is data, and `inner_totals` names
  such rows so the readers can say so (`left_out`, `totals_kept`: Remarks, peil.errors).
- `second_table` finds a second table below the data: after one or more blank rows, a block whose rows differ in
  shape from the rows above (another width, or a column of numbers where the rows above hold texts, or the other
  way round) and that opens with a header (two or more texts, none a number, a date or a placeholder such as `-`
  or `n.v.t.`, over a column that the rows below it in the block fill mostly with numbers or dates), or with titles
  (rows of one text alone) followed by a row of two or more cells with a text (`dienst | 2023 | 2024`; titles may
  stand apart from it, across blank rows). A blank row followed by more data of the same shape, whatever one row
  of it holds (a text among numbers, the header repeated), or by a label of one text over rows of data, is no
  second table; rows of one text alone just above a second table are taken for its titles. The workbook reader
  leaves a second table out with a remark (`second_left_out`).

Rows are sequences of cells; a cell is empty when it is None or blank text.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from peil.errors import Location, Remark
from peil.messages import N_, Problem

HEADER_SCAN = 50
BELOW_SAMPLE = 200
LISTED = 5  # rows named one by one in a warning; more are counted
LABEL = 60  # characters of a row's text quoted in a warning
TOTAL = re.compile(r"(eind|generaal |algemeen |sub)?totaal|totalen|som\b|(grand |sub)?totals?\b", re.IGNORECASE)
NOTE = re.compile(
    r"\*|(bron|opmerking|noot|nota|toelichting|laatst bijgewerkt|stand|toestand|source|note|remark)\b", re.IGNORECASE
)
NUMBER = re.compile(r"\s*[+-]?[0-9][0-9.,\s]*")
DATE_TEXT = re.compile(r"\s*[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}\b")
PLACEHOLDER = re.compile(r"[-?x/.]+|n\.?v\.?t\.?|n\.?b\.?|n/?a|onbekend|unknown|geen|none", re.IGNORECASE)

Row = Sequence[object]


@dataclass(frozen=True)
class SecondTable:
    """A second table below a table's data (`second_table`): the 0-based indices, into the rows looked at, of its
    first row (a title, or its header when it has none) and of its header."""

    start: int
    header: int


def header_index(rows: Sequence[Row]) -> int:
    """The 0-based index of the header row (see the module docstring); the first filled row when none fits, 0 for
    a grid without any filled cell."""
    found = fitting_header(rows)
    if found is not None:
        return found
    return next((i for i, row in enumerate(rows) if filled(row)), 0)


def fitting_header(rows: Sequence[Row]) -> int | None:
    """The 0-based index of the first row among the first HEADER_SCAN filled rows that fits as the header (see the
    module docstring), or None when none does (a grid without any filled cell, or a ragged one)."""
    filled_rows = list(itertools.islice((i for i, row in enumerate(rows) if filled(row)), HEADER_SCAN + BELOW_SAMPLE))
    for position, index in enumerate(filled_rows[:HEADER_SCAN]):
        below = [rows[i] for i in filled_rows[position + 1 : position + 1 + BELOW_SAMPLE]]
        if not below:
            return index
        typical = statistics.median(filled(row) for row in below)
        reach = _reach(rows[index])
        fitting = sum(1 for row in below if _reach(row) <= reach)
        if filled(rows[index]) >= typical / 2 and fitting >= 0.9 * len(below):
            return index
    return None


def second_table(rows: Sequence[Row]) -> SecondTable | None:
    """The first second table among `rows`, the rows below a header with the blank ones kept (see the module
    docstring), or None. Only a block after one or more blank rows, below at least one filled row, can open one,
    and only when the rows under its header differ in shape from the rows above (`_shape`): a block of the same
    shape is more data, whatever a row of it holds (a text where numbers stand, a repeated header)."""
    at = [i for i, row in enumerate(rows) if filled(row)]
    above: list[list[int]] = []  # the tally (`_tally`) of the rows above the gap, kept as the gaps are passed
    counted = 0
    position = 1
    while position < len(at):
        if at[position] == at[position - 1] + 1:
            position += 1
            continue
        header = next((p for p in range(position, len(at)) if not _is_title(rows[at[p]])), len(at))
        block = _block(rows, at, header) if header < len(at) else []
        if block:
            _tally(above, [rows[i] for i in at[counted:position]])
            counted = position
        if block and _shape(block) != _kinds(above) and _opens(rows[at[header]], block, titled=header > position):
            return SecondTable(at[position], at[header])
        position = header + 1  # a gap among the titles passed over leads to the same row
    return None


def _opens(header: Row, block: Sequence[Row], titled: bool) -> bool:
    """Whether `header` can head the rows `block` under it: below a title, any row of two or more cells with a
    text (years may name the columns: dienst | 2023 | 2024); else a row of texts over a column of numbers."""
    if titled:
        return filled(header) >= 2 and bool(_texts(header))
    return any(_holds_values(block, column) for column in _header_columns(header))


def _shape(rows: Sequence[Row]) -> list[str]:
    """Per column up to the last one filled, what most of its filled cells hold: 'value' (numbers, dates),
    'text', or '' (none filled, or placeholders only)."""
    return _kinds(_tally([], rows))


def _tally(counts: list[list[int]], rows: Sequence[Row]) -> list[list[int]]:
    """`counts` (per column: cells filled, those no placeholder, and of those the numbers and dates) with the
    cells of `rows` added, in place; so that the rows above a table's later gaps are each counted once."""
    for row in rows:
        for column, cell in enumerate(row):
            if _empty(cell):
                continue
            counts.extend([0, 0, 0] for _ in range(column + 1 - len(counts)))
            counts[column][0] += 1
            if not _placeholder(cell):
                counts[column][1] += 1
                counts[column][2] += _is_value(cell)
    return counts


def _kinds(counts: list[list[int]]) -> list[str]:
    """The shape (`_shape`) a tally (`_tally`) stands for."""
    width = max((column + 1 for column, (cells, _, _) in enumerate(counts) if cells), default=0)
    return ["" if not kept else "value" if 2 * values > kept else "text" for _, kept, values in counts[:width]]


def second_left_out(where: Location, numbers: Sequence[int], header: int, rows: Sequence[Row]) -> Remark:
    """A remark that a second table below the data is left out: `numbers` are the row numbers of its filled rows
    (a spreadsheet's), `header` that of its header, `rows` its filled rows from its first (a title or the header).
    In English the first row is named as a title or a header; the message id quotes its text only."""
    first = rows[0]
    shown = label(first) if filled(first) == 1 else ", ".join(_texts(first))
    kind = "title" if filled(first) == 1 else "header"
    problem = Problem(  # a header and a row at least: never one row
        N_(
            "rows %(rows)s: a second table (%(label)s) is left out; declare it as its own source with "
            "options.header_row: %(header)s if you need it"
        ),
        {"rows": _shown_runs(numbers), "label": repr(shown), "header": str(header)},
    )
    english = (
        f"{row_list(numbers)}: a second table ({kind} {shown!r}) is left out; declare it as its own source with "
        f"options.header_row: {header} if you need it"
    )
    return Remark.saying(where, problem, english)


def _is_title(row: Row) -> bool:
    """Whether a row holds one text alone (a title or a label), no number or date."""
    return filled(row) == 1 and len(_texts(row)) == 1


def _header_columns(row: Row) -> list[int]:
    """The filled columns of a row that may be a header: two or more cells, texts that are no number, date or
    placeholder, or years (dienst | 2023 | 2024: a text at least); [] for any other row. It is the header of the
    rows below it when they fill one of these columns mostly with numbers or dates (`_holds_values`)."""
    columns = [i for i, cell in enumerate(row) if not _empty(cell)]
    years = sum(1 for i in columns if _year(row[i]))
    texts = len(_texts(row))
    if len(columns) < 2 or not texts or texts + years < len(columns) or any(_placeholder(row[i]) for i in columns):
        return []
    return columns


def _year(cell: object) -> bool:
    """Whether a cell holds a year (1900-2100) as a whole number or its digits, as a header of years does."""
    text = str(int(cell)) if isinstance(cell, int | float) and float(cell).is_integer() else str(cell).strip()
    return text.isdigit() and 1900 <= int(text) <= 2100


def _block(rows: Sequence[Row], at: Sequence[int], position: int) -> list[Row]:
    """The filled rows after the filled row at[position], up to the next blank row (at most BELOW_SAMPLE)."""
    block = []
    for previous, index in itertools.pairwise(at[position : position + 1 + BELOW_SAMPLE]):
        if index > previous + 1:
            break
        block.append(rows[index])
    return block


def _holds_values(rows: Sequence[Row], column: int) -> bool:
    """Whether most filled cells of `column` among `rows` are numbers or dates (and at least one is)."""
    cells = [row[column] for row in rows if column < len(row) and not _empty(row[column])]
    return 2 * sum(1 for cell in cells if _is_value(cell)) > len(cells)


def _is_value(cell: object) -> bool:
    """A filled cell that is a number or a date: a workbook's typed cell, or text that reads as one."""
    if isinstance(cell, str):
        return NUMBER.fullmatch(cell) is not None or DATE_TEXT.match(cell) is not None
    return not _empty(cell)


def _texts(row: Row) -> list[str]:
    """The filled cells of a row that are texts, neither numbers nor dates, stripped."""
    return [cell.strip() for cell in row if isinstance(cell, str) and cell.strip() and not _is_value(cell)]


def _placeholder(cell: object) -> bool:
    """Whether a cell holds a placeholder for a missing value ('-', '?', 'n.v.t.', 'onbekend', ...)."""
    return isinstance(cell, str) and PLACEHOLDER.fullmatch(cell.strip()) is not None


def titles_above(rows: Sequence[Row], index: int) -> bool:
    """Whether every filled row above the header (0-based `index`) fills fewer cells than the rows below it
    typically do, as titles, dates and notes do; False when one is a data row passed over because rows further
    down reach further right. True when no filled row is above it."""
    above = [filled(row) for row in rows[:index] if filled(row)]
    if not above:
        return True
    below = [filled(row) for row in itertools.islice((r for r in rows[index + 1 :] if filled(r)), BELOW_SAMPLE)]
    typical = statistics.median(below) if below else filled(rows[index])
    return max(above) < typical


def footer_start(rows: Sequence[Row]) -> int:
    """The 0-based index where the trailing total, note and blank rows below a table's data begin; len(rows) when
    the last filled row is data or no data row precedes them. `rows` are the rows below the header."""
    width = _width(rows)
    start = len(rows)
    while start > 0 and _footer_row(rows[start - 1], width):
        start -= 1
    for index in range(start, len(rows)):  # a label repeated in its column is a value, not a total
        total = _total_cell(rows[index])
        if total is not None and _count(rows, total) > 1:
            start = index + 1
    if start == 0 or not any(filled(row) for row in rows[start:]):
        return len(rows)
    return start


def inner_totals(rows: Sequence[Row]) -> list[int]:
    """The 0-based indices of the rows that look like a total row (see the module docstring) among data rows."""
    width = _width(rows)
    return [i for i, row in enumerate(rows) if width >= 2 and _total_cell(row) is not None]


def left_out(where: Location, numbers: Sequence[int], rows: Sequence[Row]) -> Remark:
    """A remark that rows below the table were left out: `where` names the file (and sheet), `numbers` are the
    rows' numbers as `_row` counts them; blank rows among them are not named. In English each row is named with its
    kind (a total 'Totaal', a note 'Bron: ...'); the message id names only their labels."""
    named = [(number, row) for number, row in zip(numbers, rows, strict=True) if filled(row)]
    held = ", ".join(f"{_kind(row)} {label(row)!r}" for _, row in named)
    listed = [number for number, _ in named]
    problem = _rows_problem(
        listed,
        N_("row %(rows)s: left out below the table (%(labels)s)"),
        N_("rows %(rows)s: left out below the table (%(labels)s)"),
        labels=", ".join(repr(label(row)) for _, row in named),
    )
    return Remark.saying(where, problem, f"{row_list(listed)}: left out below the table ({held})")


def totals_kept(where: Location, numbers: Sequence[int], rows: Sequence[Row]) -> Remark:
    """A remark that rows among the data look like totals and are read as data."""
    labels = ", ".join(dict.fromkeys(repr(label(row)) for row in rows[:LISTED]))
    one = len(numbers) == 1
    problem = _rows_problem(
        numbers,
        N_("row %(rows)s: looks like a total (%(labels)s) and is read as data; a sum over the column counts it twice"),
        N_(
            "rows %(rows)s: look like a total (%(labels)s) and are read as data; a sum over the column counts them "
            "twice"
        ),
        labels=labels,
    )
    english = (
        f"{row_list(numbers)}: {'looks' if one else 'look'} like a total ({labels}) and "
        f"{'is' if one else 'are'} read as data; a sum over the column counts {'it' if one else 'them'} twice"
    )
    return Remark.saying(where, problem, english)


def hidden_rows(where: Location, numbers: Sequence[int]) -> Remark:
    """A remark that rows hidden in the sheet are read as data."""
    problem = _rows_problem(
        numbers,
        N_("row %(rows)s: hidden in the sheet; read as data"),
        N_("rows %(rows)s: hidden in the sheet; read as data"),
    )
    return Remark.saying(where, problem, f"{row_list(numbers)}: hidden in the sheet; read as data")


def _rows_problem(numbers: Sequence[int], one: str, many: str, **values: str) -> Problem:
    """The message id `one` for one row, `many` for more, with their numbers as `rows` ('5, 7-9'; past LISTED
    runs, '5, 9, 12, 15, 18, …') and `values`."""
    return Problem(one if len(numbers) == 1 else many, {"rows": _shown_runs(numbers), **values})


def _shown_runs(numbers: Sequence[int]) -> str:
    """Row numbers as a message value: '5, 7-9'; past LISTED runs, '5, 9, 12, 15, 18, …'."""
    parts = _runs(numbers)
    return ", ".join(parts[:LISTED]) + (", …" if len(parts) > LISTED else "")


def row_list(numbers: Sequence[int]) -> str:
    """Row numbers in words: 'row 7', 'rows 5, 7-9', 'rows 5, 9, 12, 15, 18 and 3 more'."""
    parts = _runs(numbers)
    shown = ", ".join(parts[:LISTED]) + (f" and {len(parts) - LISTED} more" if len(parts) > LISTED else "")
    return f"{'row' if len(numbers) == 1 else 'rows'} {shown}"


def _runs(numbers: Sequence[int]) -> list[str]:
    """Row numbers as runs, in order: '5', '7-9'."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return [str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs]


def label(row: Row) -> str:
    """The first filled text of a row, on one line and cut to LABEL characters."""
    text = " ".join(next((str(cell) for cell in row if not _empty(cell)), "").split())
    return text if len(text) <= LABEL else text[: LABEL - 1] + "…"


def _footer_row(row: Row, width: int) -> bool:
    """Whether a row may stand below the data: blank, a total row or a note."""
    return not filled(row) or (width >= 2 and _total_cell(row) is not None) or (width >= 3 and _is_note(row))


def _total_cell(row: Row) -> tuple[int, str] | None:
    """(column, lower-case text) of the cell that makes the row a total row, or None when it is none."""
    columns = (i for i, cell in enumerate(row) if not _empty(cell))
    for position, column in enumerate(columns):
        cell = row[column]
        if not isinstance(cell, str):
            return None  # a total word after a number or a date (a key) is a value
        if TOTAL.match(cell.strip()):
            return column, cell.strip().lower()
        if position == 1 or NUMBER.fullmatch(cell):
            return None
    return None


def _count(rows: Sequence[Row], cell: tuple[int, str]) -> int:
    column, text = cell
    return sum(1 for row in rows if column < len(row) and _same(row[column], text))


def _same(cell: object, text: str) -> bool:
    return isinstance(cell, str) and cell.strip().lower() == text


def _is_note(row: Row) -> bool:
    texts = [cell for cell in row if not _empty(cell)]
    if len(texts) != 1 or not isinstance(texts[0], str):
        return False
    return NOTE.match(texts[0].strip()) is not None or ":" in texts[0]


def _kind(row: Row) -> str:
    return "a total" if _total_cell(row) is not None else "a note"


def filled(row: Row) -> int:
    """How many cells of a row are filled."""
    return sum(1 for cell in row if not _empty(cell))


def _width(rows: Sequence[Row]) -> int:
    """How far the rows reach, counted up to 3: all that the rules for totals and notes ask."""
    width = 0
    for row in rows:
        width = max(width, _reach(row))
        if width >= 3:
            break
    return width


def _reach(row: Row) -> int:
    """One past the last filled cell."""
    return next((i + 1 for i in range(len(row) - 1, -1, -1) if not _empty(row[i])), 0)


def _empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
