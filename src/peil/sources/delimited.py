"""Read delimited text (.csv, .tsv, .txt, also gzipped) into the target table.

The fast path hands one plain UTF-8 file to DuckDB's read_csv with every option explicit and nothing sniffed by
DuckDB: delimiter, quote (doubled inside values), the preamble and header skipped as records, the missing values
as nullstr, strict mode, and each column typed as DuckDB can parse it exactly (conform.read_type: DOUBLE for
numbers without a thousands separator, DATE, BOOLEAN; VARCHAR otherwise, converted by conform.strict in the same
statement). `_row` is the header's row number plus the row's position, as DuckDB returns rows in file order.

Before that, a file that is gzipped or not UTF-8 becomes a plain UTF-8 copy (streamed, never whole in memory),
and a file that mixes LF and CRLF line endings, which DuckDB's strict reader rejects, is rewritten record by
record with Python's csv module, its row numbers as a column, and a remark names the mix (peer case CSV-04).
When DuckDB fails, the same record reader finds the first row that is cut off or too long.

The total and note rows below the data of a file exported from a spreadsheet ("Totaal;;;821,4", "Bron: ...",
layout.footer_start) are found in the file's last FOOTER_BYTES and left out: DuckDB reads a copy cut where they
begin (the plain copy itself when there is one). A remark (peil.errors.Remark) names them with their row numbers,
and another the rows there that look like totals but have data below them, which are read.

A header row that holds none of the declared names, in a file where a row below titles and blank rows holds them
(dialect.find_table), is an error that names that row: the source needs options.header_row, as `peil infer`
proposes, and nothing is read from a guess.
"""

from __future__ import annotations

import csv
import mmap
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from peil.errors import Location, Remark, SourceError
from peil.messages import Problem
from peil.sources import conform, layout
from peil.sources.columns import field_positions, header_names
from peil.sources.dialect import Dialect, find_table, read_records, sniff
from peil.sources.encoding import (
    HEAD,
    check_decodes,
    codec_name,
    decode_head,
    detect,
    is_utf8,
    sample,
    transcode,
)
from peil.sources.files import SourceFile, is_gzip, open_binary
from peil.sources.sql import literal, literal_list
from peil.sources.table import Column, Loaded, Rows, Target, insert, unreadable
from peil.workspace import ReadOptions, Source

CHUNK = 1 << 24
FOOTER_BYTES = 1 << 16
LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
TRAILING_VALUE = "peil: a value after the last named column"


@dataclass(frozen=True)
class Record:
    """A data record: its row number as `_row` gives it, its fields and the line ending that closed it."""

    row: int
    fields: list[str]
    ending: str


def load(target: Target, source: Source, file: SourceFile, path: Path, scratch: Path) -> Loaded:
    """Load one delimited text file; see the module docstring. Raises SourceError (encoding, header, rows, values)."""
    options = source.options
    declared = options.encoding is not None
    head, tail = sample(path)
    encoding = codec_name(options.encoding, file.path) if options.encoding else detect(head, tail)
    text = decode_head(head, encoding, file.path, declared)
    fields = target.schema.fields
    dialect = sniff(text, options, [f.name for f in fields], len(head) < HEAD, file.path)
    _check_header_row(text, options, [f.name for f in fields], dialect, len(head) < HEAD, file.path)
    where = Location(file=file.path, row=dialect.header_row)
    names, renamed = header_names(dialect.header, dialect.width, where)
    positions, unloaded = field_positions(fields, names, where)
    last_named = max((i for i, name in enumerate(names) if name is not None), default=-1)
    trailing = [f"c{i}" for i in range(last_named + 1, dialect.width)]  # after a trailing delimiter (CSV-03)
    plain = _plain_utf8(path, encoding, scratch, file.path, declared)
    below = _tail(plain, dialect)
    if below.offset is not None:
        plain = _cut(plain, plain != path, below.offset, scratch)
    rows, mixed = _rows(target, dialect, positions, trailing, plain, scratch, file.path, conform.Numbers.of(options))

    def explain(exc: duckdb.Error) -> SourceError:
        if TRAILING_VALUE in str(exc):
            return _trailing_error(rows, trailing, file.path)
        if "unicode" in str(exc).lower():
            check_decodes(plain, "utf-8", file.path, declared)
        return _shape_error(plain, dialect, file.path) or unreadable(exc, file.path)

    inserted = insert(target, rows, file.path, explain)
    below_table = below.remarks(Location(file=file.path), dialect.header_row + inserted)
    return Loaded(inserted, renamed + unloaded + mixed + below_table)


def _check_header_row(
    text: str, options: ReadOptions, expected: list[str], dialect: Dialect, complete: bool, file: str
) -> None:
    """Raise SourceError when the header row read holds none of the `expected` names and a row below titles does
    (dialect.find_table): a file exported with a title above its table, read without options.header_row."""
    if not expected or {name.strip() for name in dialect.header} & set(expected):
        return
    table = find_table(text, options.quote, expected, complete, file, options.delimiter)
    row = table.dialect.header_row
    if row == dialect.header_row or not {name.strip() for name in table.dialect.header} & set(expected):
        return
    above = next((layout.label(r) for r in reversed(table.rows[: row - 1]) if layout.filled(r)), "")
    declare = (
        f"options.header_row: {row - options.skip_rows}"
        if row > options.skip_rows
        else f"options.header_row: {row} and leave out options.skip_rows"
    )
    raise SourceError(
        f"the header was expected in row {dialect.header_row}, which holds none of the declared columns; row {row} "
        f"holds them, below {repr(above) if above else 'blank rows'}",
        Location(file=file, row=dialect.header_row),
        hint=f"Declare {declare} in the source (peil infer proposes it).",
    )


def _rows(
    target: Target,
    dialect: Dialect,
    positions: list[int],
    trailing: list[str],
    plain: Path,
    scratch: Path,
    file: str,
    numbers: conform.Numbers,
) -> tuple[Rows, list[Remark]]:
    """How DuckDB reads the file, typed where its parser is exact (conform.read_type), and the remark about
    mixed line endings when the file had to be rewritten first."""
    fields = target.schema.fields
    dates = Counter(conform.date_format(f) for f in fields if f.type == "date").most_common(1)
    dateformat = dates[0][0] if dates else None
    kinds = [conform.read_type(f, numbers, dateformat) for f in fields]
    texts = {f"c{i}": "VARCHAR" for i in range(dialect.width)}
    typed = texts | {f"c{p}": kind for p, kind in zip(positions, kinds, strict=True)}
    options = {"decimal_separator": numbers.decimal} if numbers.decimal != "." else {}
    if dateformat and "DATE" in kinds:
        options["dateformat"] = dateformat
    layout = _Layout(plain, dialect.delimiter, dialect.quote, dialect.header_row)
    row: str | int = dialect.header_row
    remarks: list[Remark] = []
    if _mixed_line_endings(plain):
        layout = _Layout(scratch / f"{uuid.uuid4().hex}.csv", ",", '"', 1)
        remarks = _normalize(plain, dialect, layout.path, file)
        texts, typed, row = {"r": "BIGINT"} | texts, {"r": "BIGINT"} | typed, "r"
    missing = target.schema.missing_values
    rows = Rows(
        relation=layout.read(typed, missing, options),
        columns=[
            Column(conform.from_read(f, f"c{p}", kind, numbers), f"c{p}")
            for f, p, kind in zip(fields, positions, kinds, strict=True)
        ],
        row=row,
        numbers=numbers,
        guard=_guard(trailing),
        checked=layout.read(texts, missing, {}),
    )
    return rows, remarks


@dataclass(frozen=True)
class _Tail:
    """The last records of a file: the data records there, and the footer below them with the byte offset where
    it begins (None when the file ends with data)."""

    data: list[list[str]] = field(default_factory=list)
    footer: list[list[str]] = field(default_factory=list)
    offset: int | None = None

    def remarks(self, where: Location, last: int) -> list[Remark]:
        """The footer left out and the totals among the data, numbered from `last`, the last data row's number."""
        remarks = []
        if self.footer:
            remarks.append(layout.left_out(where, range(last + 1, last + 1 + len(self.footer)), self.footer))
        totals = layout.inner_totals(self.data)
        if totals:
            numbers = [last - len(self.data) + 1 + i for i in totals]
            remarks.append(layout.totals_kept(where, numbers, [self.data[i] for i in totals]))
        return remarks


def _tail(path: Path, dialect: Dialect) -> _Tail:
    """The tail of a plain UTF-8 file (see the module docstring); empty for a file of one column."""
    if dialect.width < 2:
        return _Tail()
    records = _last_records(path, dialect)
    rows = [fields for _, fields in records]
    start = layout.footer_start(rows)
    if start == len(rows):
        return _Tail(rows)
    return _Tail(rows[:start], rows[start:], records[start][0])


def _last_records(path: Path, dialect: Dialect) -> list[tuple[int, list[str]]]:
    """The non-blank data records in the last FOOTER_BYTES of a plain UTF-8 file, each with the byte offset where
    it begins: all of them in a short file, else those after the first line break there, less the first (which
    may be part of a record that began earlier). [] when Python's csv module cannot read them."""
    begin = max(0, path.stat().st_size - FOOTER_BYTES)
    with path.open("rb") as stream:
        stream.seek(begin)
        data = stream.read()
    if begin:
        newline = data.find(b"\n")
        begin, data = begin + newline + 1, data[newline + 1 :]
    consumed = [begin]

    def lines() -> Iterator[str]:
        for match in LINE.finditer(data):
            consumed[0] += len(match.group())
            yield match.group().decode("utf-8", "replace")

    # strict: a quote never closed is an error here, not one record that swallows the rest of the file (and then
    # looks like a note below the table); the reader then names the line where it opens.
    reader = csv.reader(lines(), delimiter=dialect.delimiter, quotechar=dialect.quote, doublequote=True, strict=True)
    records = []
    try:
        while True:
            start = consumed[0]
            fields = next(reader, None)
            if fields is None:
                break
            records.append((start, fields))
    except csv.Error:
        return []
    skipped = records[dialect.header_row :] if begin == 0 else records[1:]
    return [(start, fields) for start, fields in skipped if fields]


def _cut(plain: Path, scratch_copy: bool, offset: int, scratch: Path) -> Path:
    """The file up to byte `offset`: `plain` cut in place when it is a scratch copy, else a copy in `scratch`."""
    if scratch_copy:
        os.truncate(plain, offset)
        return plain
    copy = scratch / f"{uuid.uuid4().hex}.csv"
    with plain.open("rb") as stream, copy.open("wb") as out:
        left = offset
        while left > 0 and (chunk := stream.read(min(CHUNK, left))):
            out.write(chunk)
            left -= len(chunk)
    return copy


@dataclass(frozen=True)
class _Layout:
    """A plain UTF-8 file and how to split it: delimiter, quote, and the records before the first data record."""

    path: Path
    delimiter: str
    quote: str
    skip: int

    def read(self, columns: dict[str, str], missing: list[str], options: dict[str, str]) -> str:
        """SQL: DuckDB's read_csv of the file with every option given, so DuckDB sniffs nothing."""
        spec = "{" + ", ".join(f"{literal(name)}: {literal(kind)}" for name, kind in columns.items()) + "}"
        extra = "".join(f", {name}={literal(value)}" for name, value in options.items())
        return (
            f"read_csv({literal(str(self.path))}, delim={literal(self.delimiter)}, quote={literal(self.quote)}, "
            f"escape={literal(self.quote)}, header=false, skip={self.skip}, auto_detect=false, strict_mode=true, "
            f"columns={spec}, nullstr={literal_list(missing)}{extra})"
        )


def _data_records(path: Path, dialect: Dialect, file: str) -> Iterator[Record]:
    """The data records of a plain UTF-8 file, numbered as `_row`: the header's row number, then one per record.

    A blank line among the data is skipped and not counted, except in a one-column file, where it is an empty
    value (this is what DuckDB's reader does too).
    """
    with path.open(encoding="utf-8-sig", newline="") as stream:
        records = read_records(stream, dialect.delimiter, dialect.quote, file)
        for _ in range(dialect.header_row):
            next(records, None)
        row = dialect.header_row
        for fields, ending in records:
            if not fields and dialect.width > 1:
                continue
            row += 1
            yield Record(row, fields or [""], ending)


def _plain_utf8(path: Path, encoding: str, scratch: Path, file: str, declared: bool) -> Path:
    """The file itself when it is plain UTF-8, else a plain UTF-8 copy of it in `scratch`."""
    if is_utf8(encoding) and not is_gzip(path):
        return path
    copy = scratch / f"{uuid.uuid4().hex}.csv"
    if is_utf8(encoding):
        with open_binary(path) as stream, copy.open("wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
    else:
        transcode(path, encoding, copy, file, declared)
    return copy


def _mixed_line_endings(path: Path) -> bool:
    """Whether the file has both LF and CR line ends not paired as CRLF (a quick count of the bytes).

    A file without CR at all (the usual case) is told by one memchr-speed scan. A CR or LF inside a quoted value
    can make a file look mixed; it then takes the record-by-record path, which is correct, only slower.
    """
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b"\r") < 0:
            return False
        lf = cr = 0
        for start in range(0, len(data), CHUNK):
            chunk = data[start : start + CHUNK]
            lf, cr = lf + chunk.count(b"\n"), cr + chunk.count(b"\r")
    return lf > 0 and lf != cr


def _normalize(path: Path, dialect: Dialect, dest: Path, file: str) -> list[Remark]:
    """Rewrite the data records as a plain CSV (`,`, LF) whose first column is `_row`; warn when endings mix.

    Raises SourceError for the first record whose number of values differs from the header's.
    """
    endings: Counter[str] = Counter()
    first: dict[str, int] = {}
    with dest.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)  # a lone CR in a value is quoted
        writer.writerow(["r", *(f"c{i}" for i in range(dialect.width))])
        for record in _data_records(path, dialect, file):
            if len(record.fields) != dialect.width:
                raise _width_error(record, dialect, file)
            if record.ending:
                endings[record.ending] += 1
                first.setdefault(record.ending, record.row)
            writer.writerow([record.row, *record.fields])
    if len(endings) < 2:
        return []
    names = {"\n": "LF", "\r\n": "CRLF", "\r": "CR"}
    counts = ", ".join(
        f"{n} {'row ends' if n == 1 else 'rows end'} in {names[e]} (the first is row {first[e]})"
        for e, n in endings.most_common()
    )
    mixed = f"mixed line endings: {counts}; read leniently, no value keeps a stray CR"
    return [Remark(Location(file=file), Problem.literal(mixed))]


def _guard(trailing: list[str]) -> str | None:
    """SQL that fails the insert when a column after the last named one has a value (CSV-03 allows it empty)."""
    if not trailing:
        return None
    return f"CASE WHEN {_filled(trailing)} THEN error({literal(TRAILING_VALUE)}) ELSE true END"


def _filled(columns: list[str]) -> str:
    return " OR ".join(f"nullif(trim({c}), '') IS NOT NULL" for c in columns)


def _trailing_error(rows: Rows, trailing: list[str], file: str) -> SourceError:
    row = rows.row if isinstance(rows.row, str) else f"row_number() OVER () + {rows.row}"
    values = " || ' ' || ".join(f"coalesce({c}, '')" for c in trailing)
    inner = f"SELECT {row} AS _r, {values} AS v, {_filled(trailing)} AS bad FROM {rows.checked}"  # noqa: S608
    with duckdb.connect() as con:
        found, value = con.execute(f"SELECT _r, v FROM ({inner}) WHERE bad ORDER BY _r LIMIT 1").fetchall()[0]  # noqa: S608
    return SourceError(
        f"a value '{value.strip()}' stands after the last named column",
        Location(file=file, row=int(found)),
        hint="Give the column a name in the header, or remove the value; only an empty trailing column is ignored.",
    )


def _shape_error(path: Path, dialect: Dialect, file: str) -> SourceError | None:
    """The first data record whose number of values differs from the header's, or None if there is none."""
    for record in _data_records(path, dialect, file):
        if len(record.fields) != dialect.width:
            return _width_error(record, dialect, file)
    return None


def _width_error(record: Record, dialect: Dialect, file: str) -> SourceError:
    text = dialect.delimiter.join(record.fields)
    return SourceError(
        f"the row has {len(record.fields)} value{'' if len(record.fields) == 1 else 's'} where the other rows have "
        f"{dialect.width}: {text[:120]!r}",
        Location(file=file, row=record.row),
        hint=f"A value that contains the delimiter {dialect.delimiter!r} must be enclosed in {dialect.quote}; "
        "a row may also be cut off or joined with the next one.",
    )
