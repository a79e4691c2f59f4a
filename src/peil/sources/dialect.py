"""The shape of a delimited text file: its delimiter, header and record width, and its records one by one.

peil never uses DuckDB's CSV sniffer, which can take the header and early rows for a preamble and return no rows
(peer case CSV-10). The delimiter is chosen here from the first 256 KiB: each candidate (`,` `;` tab `|`) splits the
records with Python's csv module, and the best candidate is the one whose header holds the most declared field
names, then whose data records agree with the header's width, then that gives the most columns. A file with one
column therefore keeps `,` when a late value happens to contain a `;`.

Records are counted as a spreadsheet counts rows: a quoted value that spans lines is one record (CSV-02). Before
the header every line counts, blank or not, so `skip_rows` and `header_row` are the row numbers a spreadsheet
shows; among the data a blank line in a file of two or more columns is skipped and not counted, as DuckDB does.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from peil.errors import Location, SourceError
from peil.sources.layout import header_index
from peil.workspace import ReadOptions

DELIMITERS = [",", ";", "\t", "|"]
SAMPLE = 1 << 18


@dataclass(frozen=True)
class Dialect:
    """How to split a file: `width` fields per data record; the header is record `header_row` (1-based)."""

    delimiter: str
    quote: str
    header: list[str]
    width: int
    header_row: int


def sniff(text: str, options: ReadOptions, expected: list[str], complete: bool, file: str) -> Dialect:
    """The dialect of a file whose first characters are `text` (all of it when `complete`).

    `expected` are the declared field names (empty when unknown). Raises SourceError when the file has fewer
    rows than `skip_rows + header_row`.
    """
    header_row = options.skip_rows + options.header_row
    complete, text = complete and len(text) <= SAMPLE, text[:SAMPLE]
    candidates = [options.delimiter] if options.delimiter else DELIMITERS
    scored, most = [], 0
    for delimiter in candidates:
        rows = sample_rows(text, delimiter, options.quote, complete)
        most = max(most, len(rows))
        if len(rows) < header_row:  # e.g. quoting that breaks at once under this delimiter
            continue
        header, data = rows[header_row - 1], [r for r in rows[header_row:] if r]
        width = _width(header, data)
        scored.append((_score(header, data, width, expected), delimiter, header, width))
    if not scored:
        raise SourceError(
            f"the file has {most} rows; the header was expected in row {header_row}",
            Location(file=file),
            hint="Check options.skip_rows and options.header_row.",
        )
    _, delimiter, header, width = max(scored, key=lambda item: item[0])
    return Dialect(delimiter, options.quote, header, width, header_row)


def guess_header_row(text: str, delimiter: str, quote: str, complete: bool) -> int:
    """The 1-based row of the header in a sample, below any title and blank rows (layout.header_index)."""
    return header_index(sample_rows(text, delimiter, quote, complete)) + 1


def read_records(stream: TextIO, delimiter: str, quote: str, file: str) -> Iterator[tuple[list[str], str]]:
    """Each record of a text stream opened with newline='', with the line ending that closed it ('' at the end).

    A blank line is a record without fields. Raises SourceError naming the line where the record with broken
    quoting starts (e.g. the line where a quote that is never closed opens).
    """
    last = [""]

    def lines() -> Iterator[str]:
        for line in stream:
            last[0] = line
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, quotechar=quote, doublequote=True, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = f"line {start}" if reader.line_num == start else f"line {start} (read up to line {reader.line_num})"
            raise SourceError(
                f"the quoting is broken in the record that starts at {where}: {exc}",
                Location(file=file, line=start),
                hint=f"A value that contains the delimiter or a line break must be enclosed in {quote}, and a "
                f"{quote} inside it doubled.",
            ) from None
        yield fields, _ending(last[0])


def sample_rows(text: str, delimiter: str, quote: str, complete: bool) -> list[list[str]]:
    """The records of a sample of a file, all of them blank or not; the last is dropped when the sample is cut off
    (it may be cut off too)."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote, doublequote=True, strict=True
    )
    rows: list[list[str]] = []
    # A quote still open where the sample is cut off, or never closed: the records before it are the sample, so
    # an unclosed quote does not make the delimiter look wrong (the reader then names the line it opens on).
    with contextlib.suppress(csv.Error):
        rows.extend(reader)
    return rows if complete or len(rows) < 2 else rows[:-1]


def _width(header: list[str], data: list[list[str]]) -> int:
    """Fields per data record: the most common width among the sample's data, and at least the header's."""
    common = Counter(len(r) for r in data).most_common(1)[0][0] if data else 0
    return max(common, len(_named(header)))


def _score(header: list[str], data: list[list[str]], width: int, expected: list[str]) -> tuple[int, bool, int, int]:
    """Declared names found in the header, then whether the data agree with the header, then the width."""
    named = _named(header)
    found = len({name.strip() for name in named} & set(expected))
    agree = sum(1 for r in data if len(r) == width) / len(data) if data else 1.0
    trailing = len(named) > 1 and width == len(named) + 1 and all(not r[-1].strip() for r in data if len(r) == width)
    fits = width in (len(named), len(header)) or trailing
    return found, fits and agree >= 0.8, width, round(agree * 100)


def _named(header: list[str]) -> list[str]:
    """The header without empty names after its last real name (a trailing delimiter, CSV-03)."""
    end = len(header)
    while end and not header[end - 1].strip():
        end -= 1
    return header[:end]


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    return line[-1:] if line[-1:] in ("\n", "\r") else ""
