"""The shape of a delimited text file: its delimiter, header and record width, and its records one by one.

peil never uses DuckDB's CSV sniffer, which can take the header and early rows for a preamble and return no rows
(peer case CSV-10). The delimiter is chosen here from the first 256 KiB: each candidate (`,` `;` tab `|`) splits the
records with Python's csv module, and the best candidate is the one whose header holds the most declared field
names, then whose data records agree with the header's width, then that gives the most columns. A file with one
column therefore keeps `,` when a late value happens to contain a `;`.

The header is where `header_row` says. Without that option (`peil infer`, and the error `peil build` gives when the
declared header holds none of the declared names) `find_table` looks for it below titles and blank rows with the
rule workbooks use (layout.header_index), and tells the delimiter by the table there, not by a title in row 1.

Records are counted as a spreadsheet counts rows: a quoted value that spans lines is one record (CSV-02). Before
the header every line counts, blank or not, so `skip_rows` and `header_row` are the row numbers a spreadsheet
shows; among the data a blank line in a file of two or more columns is skipped and not counted, as DuckDB does.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from peil.errors import Location, SourceError
from peil.sources.layout import NUMBER, fitting_header, header_index, titles_above
from peil.workspace import ReadOptions

DELIMITERS = [",", ";", "\t", "|"]
SAMPLE = 1 << 18
Samples = dict[str, list[list[str]]]  # a delimiter: the records of a sample split at it
HeaderAt = Callable[[list[list[str]]], int | None]  # a sample's records: the 1-based header row, None for none


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
    samples = {delimiter: sample_rows(text, delimiter, options.quote, complete) for delimiter in candidates}
    best = _best(samples, options.quote, lambda _: header_row, expected)
    if best is None:  # e.g. quoting that breaks at once under every delimiter
        raise _too_few_rows(samples, header_row, file)
    return best.dialect


@dataclass(frozen=True)
class Table:
    """Where the table of a delimited file is (find_table): its dialect, whose header_row counts records from 1;
    the records of the sample under its delimiter; whether a header row was found that the rows below it fit,
    with only titles above it (`confident`, layout.fitting_header and layout.titles_above); and whether the
    delimiter was told by the rows below titles (`below_titles`)."""

    dialect: Dialect
    rows: list[list[str]]
    confident: bool
    below_titles: bool


def find_table(
    text: str, quote: str, expected: list[str], complete: bool, file: str, delimiter: str | None = None
) -> Table:
    """The table of a file whose first characters are `text` (all of it when `complete`), below any title and
    blank rows, for a file whose header row is not declared (`delimiter` None when that is not declared either).

    The delimiter is the one `sniff` picks with the header in row 1 when that gives a table: two or more columns
    whose header fits the data below it. When it gives none (a title without delimiters stands in row 1), each
    delimiter is scored again as `sniff` scores it, with its header where layout.fitting_header finds it. Of those
    that give a table below rows that are titles (layout.titles_above), each of its records of two or more fields
    as wide as the table (prose with commas is no table), the one with the most `expected` names in its header
    wins, then the one whose header holds no bare number (a data row split at its decimal commas is no header),
    then the one with the most columns. The header is the row layout.header_index finds under that delimiter.
    Raises SourceError when the file has no rows.
    """
    short = text[:SAMPLE]
    cut = complete and len(text) <= SAMPLE
    candidates = [delimiter] if delimiter else DELIMITERS
    samples = {d: sample_rows(short, d, quote, cut) for d in candidates}
    top = _best(samples, quote, lambda _: 1, expected)
    if top is None:
        raise _too_few_rows(samples, 1, file)
    chosen, below_titles = top.dialect.delimiter, False
    if not _is_table(top):
        titled = [c for c in _candidates(samples, quote, _found_header, expected) if _is_table(c) and c.regular]
        if titled:
            chosen = max(titled, key=_titled_score).dialect.delimiter
            below_titles = True
    rows = sample_rows(text, chosen, quote, complete)
    found = fitting_header(rows)
    header_row = (header_index(rows) if found is None else found) + 1
    confident = found is not None and titles_above(rows, found)
    options = ReadOptions.model_validate({"delimiter": chosen, "quote": quote, "header_row": header_row})
    return Table(sniff(text, options, expected, complete, file), rows, confident, below_titles)


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


@dataclass(frozen=True)
class _Candidate:
    """A delimiter scored (see `_score`) with its header in a given row of the sample."""

    dialect: Dialect
    score: tuple[int, bool, int, int]
    regular: bool  # the records below the header with two or more fields, one at least, have the dialect's width


def _candidates(samples: Samples, quote: str, header_at: HeaderAt, expected: list[str]) -> list[_Candidate]:
    """Each delimiter of `samples` (delimiter: the sample's records) scored with its header in the 1-based row
    `header_at` gives for its records; one whose records are fewer than that row, or for which it gives None, is
    left out."""
    candidates = []
    for delimiter, rows in samples.items():
        header_row = header_at(rows)
        if header_row is None or len(rows) < header_row:
            continue
        header, data = rows[header_row - 1], [r for r in rows[header_row:] if r]
        width = _width(header, data)
        dialect = Dialect(delimiter, quote, header, width, header_row)
        wide = [len(r) for r in data if len(r) > 1]
        regular = bool(wide) and all(n == width for n in wide)
        candidates.append(_Candidate(dialect, _score(header, data, width, expected), regular))
    return candidates


def _best(samples: Samples, quote: str, header_at: HeaderAt, expected: list[str]) -> _Candidate | None:
    """The best-scored candidate, the first in DELIMITERS order of those scored alike; None when there is none.
    When no candidate's data agree with its header and the header holds one name under every one, the file is
    one column: the first candidate, so that a line it splits is an error rather than a column no header names
    (under which DuckDB would skip the blank lines among the data, and lose their rows)."""
    candidates = _candidates(samples, quote, header_at, expected)
    if not candidates:
        return None
    if not any(c.score[1] for c in candidates) and all(len(_named(c.dialect.header)) == 1 for c in candidates):
        return candidates[0]
    return max(candidates, key=lambda c: c.score)


def _too_few_rows(samples: Samples, header_row: int, file: str) -> SourceError:
    return SourceError(
        f"the file has {max(len(rows) for rows in samples.values())} rows; the header was expected in row {header_row}",
        Location(file=file),
        hint="Check options.skip_rows and options.header_row.",
    )


def _found_header(rows: list[list[str]]) -> int | None:
    """The 1-based row of the header below titles and blank rows (layout); None when none fits or a data row would
    be passed over."""
    found = fitting_header(rows)
    return None if found is None or not titles_above(rows, found) else found + 1


def _is_table(candidate: _Candidate) -> bool:
    """Whether a candidate splits the rows into two or more columns that agree with its header."""
    return candidate.score[1] and candidate.dialect.width >= 2


def _titled_score(candidate: _Candidate) -> tuple[int, bool, int, int]:
    """Declared names found, then a header without bare numbers, then the width, then the rows that agree."""
    found, _, width, agree = candidate.score
    numbers = any(NUMBER.fullmatch(name) for name in _named(candidate.dialect.header))
    return found, not numbers, width, agree


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
