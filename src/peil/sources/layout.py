"""Where the table is in a sheet or a delimited file: its header below titles and blank rows, and the end of its
data above a total row and notes.

Spreadsheets kept by people often start with a title and a date, leave a row blank, and end with a "Totaal" row
and a note ("Bron: personeelsdienst"). A CSV exported from such a sheet keeps all of it, padded with delimiters
("Personeelsregister;;;;").

- `header_index` finds the header among the first HEADER_SCAN rows: the first row that fills at least half as
  many cells as the rows below it typically do, and under which nearly all rows (90%) fit, no row reaching
  further right than the header's last filled cell. Titles fill one or two cells and the table reaches past them.
- `footer_start` finds where the trailing rows that are no data begin: a row whose first or second filled cell
  starts with a total word (Totaal, Eindtotaal, Generaal totaal, Som, Total, Grand total), or a note, a row with
  one filled cell in a table of three or more columns whose text starts with a note word (Bron, Opmerking, Noot,
  Source, Note, ...) or with `*`, or holds a colon. Only trailing rows count: a total row in the middle is data.

Rows are sequences of cells; a cell is empty when it is None or blank text.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence

HEADER_SCAN = 50
BELOW_SAMPLE = 200
TOTAL = re.compile(r"(eind|generaal |algemeen )?totaal|totalen|som\b|(grand )?totals?\b", re.IGNORECASE)
NOTE = re.compile(
    r"\*|(bron|opmerking|noot|nota|toelichting|laatst bijgewerkt|stand|toestand|source|note|remark)\b", re.IGNORECASE
)

Row = Sequence[object]


def header_index(rows: Sequence[Row]) -> int:
    """The 0-based index of the header row (see the module docstring); the first filled row when none fits, 0 for
    a grid without any filled cell."""
    filled_rows = list(itertools.islice((i for i, row in enumerate(rows) if _filled(row)), HEADER_SCAN + BELOW_SAMPLE))
    for position, index in enumerate(filled_rows[:HEADER_SCAN]):
        below = [rows[i] for i in filled_rows[position + 1 : position + 1 + BELOW_SAMPLE]]
        if not below:
            return index
        typical = statistics.median(_filled(row) for row in below)
        reach = _reach(rows[index])
        fitting = sum(1 for row in below if _reach(row) <= reach)
        if _filled(rows[index]) >= typical / 2 and fitting >= 0.9 * len(below):
            return index
    return filled_rows[0] if filled_rows else 0


def footer_start(rows: Sequence[Row]) -> int:
    """The 0-based index where the trailing total, note and blank rows of a table's data rows begin; len(rows)
    when the last row is data. `rows` are the rows below the header."""
    width = max((_reach(row) for row in rows), default=0)
    start = len(rows)
    while start > 0:
        row = rows[start - 1]
        if _filled(row) and not (_is_total(row) or (width >= 3 and _is_note(row))):
            break
        start -= 1
    return start


def _is_total(row: Row) -> bool:
    texts = [_text(cell) for cell in row if not _empty(cell)][:2]
    return any(TOTAL.match(text) for text in texts)


def _is_note(row: Row) -> bool:
    texts = [_text(cell) for cell in row if not _empty(cell)]
    return len(texts) == 1 and (NOTE.match(texts[0]) is not None or ":" in texts[0])


def _filled(row: Row) -> int:
    return sum(1 for cell in row if not _empty(cell))


def _reach(row: Row) -> int:
    """One past the last filled cell."""
    return next((i + 1 for i in range(len(row) - 1, -1, -1) if not _empty(row[i])), 0)


def _empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: object) -> str:
    return cell.strip() if isinstance(cell, str) else ""
