"""Propose a source YAML for a new file: format, read options, field types, a primary key and placeholders.

The file is first loaded as it is, every field as text, through the same readers `load_into` uses; each column's
type is then the first of these that all its values fit, tested with the same checks (conform.parse) that will
read it later, over every row (a late value is never missed, peer case TYP-02):

- a column with a value that has a significant leading zero (0412..., not 0 or 0,5) is no number, so codes
  stay strings and keep their zeros (peer case TYP-06); so is a column whose name says it holds a code (NIS
  code, postcode, national register, enterprise or account number, phone), even when no value shows a zero;
- integer (year when the name says jaar/year and every value is a year), boolean, number, date (ISO, then
  dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy), datetime; else string.

In a workbook, a column of whole numbers whose name says it holds dates (datum, date_...) and whose values all lie
between 1910 and 2099 as Excel serial numbers (3654 to 73050) is a date column: the reader turns each serial
into its date (cells.py). Any other column of such whole numbers stays integer, with a note that they may be
dates in cells without a date format, unless its name says it holds amounts or counts (bedrag, loon, aantal, ...).
A column of formulas whose stored results are all whole numbers is number, not integer, with a note: a later
result need not be whole, and would then not fit.

The number format (decimal and thousands separator) is the one under which most columns are numbers; '.' wins a
tie. The primary key is the leftmost column or pair of columns (among the first six) that is unique and never
empty, from the columns that can be keys (strings, integers, years, dates): (nis_code, jaar) wins over a count
column to its right whose values happen to differ.

`examine` also says, per sheet, what it chose and why (choices.py): the sheet, the header row and the rows above
it, merged title cells, what the readers left out or read otherwise than the sheet shows (their remarks), and
the columns kept as text or read as dates. A text file's header is found the same way below titles and blank
rows, its delimiter told by the table there (dialect.find_table); when no row is the header with confidence,
`examine` raises SourceError naming the file and row instead of guessing. `load_text` and `propose` are the two
steps on their own, for callers that look at the rows in between (the stray-copy scanner, peil.scan); load_text
reads on with the first filled row as the header.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import itertools
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from peil import privacy
from peil.errors import Location, Remark, SourceError
from peil.sources import conform, structured
from peil.sources.cells import excel_serial
from peil.sources.choices import (
    SheetChoices,
    choose_sheet,
    formula_cells,
    formula_note,
    header_note,
    merged_notes,
)
from peil.sources.columns import header_names
from peil.sources.dialect import Table, find_table
from peil.sources.encoding import HEAD, decode_head, detect, sample
from peil.sources.excel import header_top, read_sheet, table_header
from peil.sources.files import content, empty_file, open_binary, source_files
from peil.sources.layout import LABEL, filled, header_index
from peil.sources.load import THOUSANDS, load_into
from peil.sources.sql import identifier, literal
from peil.texts import condensed
from peil.workspace import ReadOptions, SchemaField, Source, format_for_path

NUMBER_FORMATS = [
    conform.Numbers("."),
    conform.Numbers(","),
    conform.Numbers(",", "."),
    conform.Numbers(".", ","),
    conform.Numbers(",", " "),
]
DATE_FORMATS = [None, "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
DATETIME_FORMATS = [None, "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"]
KEY_TYPES = ("string", "integer", "year", "date")
KEY_BATCH = 32
YEAR_NAME = re.compile(r"jaar|year", re.IGNORECASE)
CODE_NAME = re.compile(
    r"(^|_)(nis|refnis|postcode|postnummer|zip|rijksregister\w*|rrn|kbo|ondernemingsn\w*|iban|telefoon|gsm|phone)($|_)",
    re.I,
)
LEADING_ZERO = r"^\s*[+-]?0[0-9]"
DATE_NAME = re.compile(r"datum|(?<![a-z])date", re.IGNORECASE)  # geboortedatum, start_date; not candidate
AMOUNT_NAME = re.compile(  # whole numbers that are no dates, whatever their size
    r"bedrag|loon|salaris|wedde|prijs|kost|eur|budget|uitgave|ontvangst|saldo|omzet|aantal|inwoners|totaal|"
    r"amount|price|cost|count|total|population",
    re.IGNORECASE,
)
SAMPLE = 200  # distinct values per column looked at for personal data
MOSTLY = 0.8  # the share of a text column's values of another type that earns a note (`_mixed_note`)
SERIALS = (3654, 73050)  # Excel serial numbers of 1910-01-01 and 2099-12-31


@dataclass(frozen=True)
class Layout:
    """What infer found out about a file before typing it: its format, read options and column names, and what it
    chose in finding them, in sentences."""

    format: str
    options: dict[str, Any]
    names: list[str]
    notes: list[str] = field(default_factory=list)
    doubt: SourceError | None = None  # why the header row is a guess; infer raises it, the scanner reads on
    columns: list[int] = field(default_factory=list)  # a workbook's: the 0-based sheet column of each name


@dataclass(frozen=True)
class Inferred:
    """What infer proposes for a file: its layout (the read options with the number format found), the fields
    with their types, the primary key ([] when none is found) and the number format."""

    layout: Layout
    fields: list[SchemaField]
    key: list[str]
    numbers: conform.Numbers


@dataclass(frozen=True)
class Proposal:
    """A proposed source YAML (text), and per sheet (one entry for a file that is no workbook) what was chosen."""

    yaml: str
    sheets: list[SheetChoices]


def infer(path: Path, root: Path | None = None, sheet: str | int | None = None) -> str:
    """A proposed source YAML (text) for the file at `path`, its path written relative to `root` when inside it;
    for a workbook, of its sheet `sheet` (default: the one choices.choose_sheet picks).

    The YAML loads back through peil.workspace; owner and licence are placeholders to fill in, and the
    classification is `internal` until someone decides. Raises SourceError when the file cannot be read or its
    format cannot be told from its extension.
    """
    return examine(path, root, sheet).yaml


def examine(path: Path, root: Path | None = None, sheet: str | int | None = None) -> Proposal:
    """The YAML `infer` proposes, with what was chosen for each sheet and why (see the module docstring)."""
    path = Path(path).resolve()
    shown = _shown_path(path, root)
    kind = _format(path, shown)
    sheets: list[SheetChoices] = []
    if kind == "excel":
        sheet, sheets = choose_sheet(path, shown, sheet)
    layout = _layout(path, kind, shown, sheet)
    if layout.doubt is not None:
        raise layout.doubt
    with contextlib.closing(duckdb.connect()) as con:
        read = [remark.local() for remark in _load(con, path, layout)]  # the file and sheet go without saying
        found = propose(con, layout)
        serial: list[str] = []
        workbook: list[str] = []
        if kind == "excel":
            found, serial = _serial_dates(con, found)
            rows = {int(row) for (row,) in con.execute("SELECT DISTINCT _row FROM t").fetchall()}
            formulas = formula_cells(path, str(layout.options["sheet"]), rows)
            read += formula_note(formulas)
            found, workbook = _workbook_types(con, found, {column for _, column in formulas})
        notes = layout.notes + condensed(read) + _type_notes(con, found, serial, kind) + workbook
        personal = privacy.personal_columns(_samples(con, layout.names))
    chosen = next((s for s in sheets if s.proposed), None)
    if chosen is None:
        chosen = SheetChoices(None, "proposed", proposed=True)
        sheets.append(chosen)
    chosen.notes = notes
    return Proposal(_yaml(path, shown, found.layout, found.fields, found.key, personal), sheets)


def load_text(
    con: duckdb.DuckDBPyConnection, path: Path, shown: str, kind: str | None = None, sheet: str | int | None = None
) -> tuple[Layout, list[Remark]]:
    """Load the file at `path` (absolute) into table `t` on `con`, every column as text, through the readers that
    `load_into` uses; return its layout and the readers' remarks. `shown` names the file in errors.

    `kind` is the format (default: told by the extension); `sheet` a workbook's sheet (default: the first).
    Raises SourceError when the file cannot be read or its format cannot be told from its extension.
    """
    kind = kind or _format(path, shown)
    layout = _layout(path, kind, shown, sheet)
    return layout, _load(con, path, layout)


def _load(con: duckdb.DuckDBPyConnection, path: Path, layout: Layout) -> list[Remark]:
    """Load the file into table `t` on `con` as `layout` says, every column as text; the readers' remarks."""
    draft = _source(path, layout, [SchemaField(name=n) for n in layout.names])
    return load_into(con, draft, path.parent, source_files(draft, path.parent), "t").remarks


def propose(con: duckdb.DuckDBPyConnection, layout: Layout, key: bool = True) -> Inferred:
    """The number format, field types and (with `key`) primary key of the text columns of table `t` on `con` (see
    load_text)."""
    numbers = _number_format(con, layout.names)
    fields = [_field(con, name, numbers) for name in layout.names]
    options = dict(layout.options)
    if numbers != conform.PLAIN:
        options["decimal"] = numbers.decimal
        if numbers.thousands:
            options["thousands"] = numbers.thousands
    proposed = _primary_key(con, fields) if key else []
    return Inferred(dataclasses.replace(layout, options=options), fields, proposed, numbers)


def _format(path: Path, shown: str) -> str:
    try:
        return format_for_path(path.name)
    except ValueError as exc:
        raise SourceError(str(exc), Location(file=shown)) from None


def _layout(path: Path, kind: str, shown: str, sheet: str | int | None) -> Layout:
    if kind == "csv":
        return _delimited_layout(path, shown)
    if kind == "excel":
        return _workbook_layout(path, shown, sheet)
    if kind == "parquet":
        with contextlib.closing(duckdb.connect()) as con:
            described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        return Layout(kind, {}, [str(row[0]) for row in described])
    if kind == "json":
        with open_binary(path) as stream:
            document = json.loads(stream.read().decode("utf-8-sig"))
        dotted = _records_path(document)
        records = structured.records_at(document, dotted, shown)
        return Layout(kind, {"records": dotted} if dotted else {}, _keys(records))
    records = [r for _, r in itertools.islice(structured.ndjson_records(path, shown), structured.KEY_SAMPLE)]
    return Layout(kind, {}, _keys(records))


def _delimited_layout(path: Path, shown: str) -> Layout:
    """The delimiter, encoding and header row of a text file, the header below any titles (dialect.find_table).

    Raises SourceError (files.empty_file) for a file of 0 bytes, as the workbook reader and `peil build` do.
    """
    if content(path) == "empty":
        raise empty_file(shown)
    head, tail = sample(path)
    encoding = detect(head, tail)
    text = decode_head(head, encoding, shown, declared=False)
    table = find_table(text, ReadOptions.model_validate({}).quote, [], len(head) < HEAD, shown)
    dialect, header_row = table.dialect, table.dialect.header_row
    names, _ = header_names(dialect.header, dialect.width, Location(file=shown))
    found = {"delimiter": dialect.delimiter, "encoding": "utf-8" if encoding.startswith("utf-8") else encoding}
    told = f" (told by the table from row {header_row} on, not by the rows above it)" if table.below_titles else ""
    notes = [
        f"delimited text, encoding {found['encoding']}, delimiter {dialect.delimiter!r}{told}",
        header_note(table.rows, header_row - 1),
    ]
    options = found | ({"header_row": header_row} if header_row != 1 else {})
    blank = not any(filled(row) for row in table.rows)  # the reader says what is wrong with an empty file
    doubt = None if table.confident or blank else _no_header(table, shown)
    return Layout("csv", options, _named(names), notes, doubt)


def _no_header(table: Table, shown: str) -> SourceError:
    """The error infer raises for a text file with a filled row but no row that is the header with confidence
    (dialect.Table): it names the first filled row, the guess it will not make, and the first row below it with
    values further right."""
    dialect = table.dialect
    first = next(i for i, r in enumerate(table.rows) if filled(r))
    width = len(table.rows[first])
    wider = next((i + 1 for i, r in enumerate(table.rows[first + 1 :], start=first + 1) if filled(r[width:])), None)
    text = dialect.delimiter.join(table.rows[first])[:LABEL]
    return SourceError(
        f"no header row found with confidence: split at {dialect.delimiter!r}, row {first + 1} ({text!r}) would be "
        f"the header, but {f'row {wider}' if wider else 'a row'} below it has values to the right of its last column",
        Location(file=shown, row=first + 1),
        hint=f"A value with an unquoted {dialect.delimiter!r}, or a second table below the first? Fix the file, or "
        "write the source by hand with options.delimiter and options.header_row (docs/workspace.md).",
    )


def _workbook_layout(path: Path, shown: str, chosen: str | int | None) -> Layout:
    """The sheet, header row and column names of a workbook's sheet: the header below any titles (a header of two
    rows is read from its first row, excel.table_header), with notes on what was chosen."""
    sheet = read_sheet(path, chosen, shown)
    found = table_header(sheet, header_top(sheet, header_index(sheet.grid)))
    index = found.row
    width = max((len(row) for row in sheet.grid), default=0)
    names, _ = header_names(found.cells, width, Location(file=shown, sheet=sheet.name))
    options: dict[str, Any] = {"sheet": sheet.name} | ({"header_row": index + 1} if index else {})
    notes = [header_note(sheet.grid, index, found.height), *merged_notes(sheet.merged, index, found)]
    columns = [column for column, name in enumerate(names) if name is not None]
    return Layout("excel", options, _named(names), notes, columns=columns)


def _source(path: Path, layout: Layout, fields: list[SchemaField]) -> Source:
    return Source.model_validate(
        {
            "name": slug(path),
            "path": glob.escape(path.name),
            "format": layout.format,
            "options": layout.options,
            "schema": {"fields": [f.model_dump(exclude_defaults=True) for f in fields]},
            "owner": "TODO",
        }
    )


def _number_format(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> conform.Numbers:
    """The number format under which most columns (without leading zeros) hold only numbers."""
    number = SchemaField(name="x", type="number")
    checks = [
        f"bool_and({identifier(n)} IS NULL OR ({conform.parse(number, identifier(n), numbers)}) IS NOT NULL) "
        f"AND count({identifier(n)}) > 0 AND NOT bool_or(regexp_matches({identifier(n)}, '{LEADING_ZERO}'))"
        for numbers in NUMBER_FORMATS
        for n in names
    ]
    if not checks:
        return conform.PLAIN
    flags = con.execute(f"SELECT {', '.join(checks)} FROM t").fetchall()[0]  # noqa: S608
    scores = [sum(bool(f) for f in flags[i * len(names) : (i + 1) * len(names)]) for i in range(len(NUMBER_FORMATS))]
    return NUMBER_FORMATS[scores.index(max(scores))]


def _field(con: duckdb.DuckDBPyConnection, name: str, numbers: conform.Numbers) -> SchemaField:
    """The first type (and format) that every value of the column fits; string when none does."""
    column = identifier(name)
    if CODE_NAME.search(name):
        return SchemaField(name=name)
    candidates = [SchemaField(name=name, type="year")] if YEAR_NAME.search(name) else []
    candidates += [SchemaField(name=name, type="integer"), SchemaField(name=name, type="boolean")]
    candidates += [SchemaField(name=name, type="number")]
    candidates += [SchemaField(name=name, type="date", format=f) for f in DATE_FORMATS]
    candidates += [SchemaField(name=name, type="datetime", format=f) for f in DATETIME_FORMATS]
    fits = ", ".join(
        f"bool_and({column} IS NULL OR ({conform.parse(c, column, numbers)}) IS NOT NULL)" for c in candidates
    )
    query = f"SELECT count({column}), bool_or(regexp_matches({column}, '{LEADING_ZERO}')), {fits} FROM t"  # noqa: S608
    count, zeros, *flags = con.execute(query).fetchall()[0]
    fitting = [c for c, fit in zip(candidates, flags, strict=True) if fit and count]
    if zeros:  # a code such as 0412...; a date such as 05/01/2024 may still start with a zero
        fitting = [c for c in fitting if c.type in ("date", "datetime")]
    return fitting[0] if fitting else SchemaField(name=name)


def _primary_key(con: duckdb.DuckDBPyConnection, fields: list[SchemaField]) -> list[str]:
    """The leftmost unique, never empty column or pair of columns (among the first six): the set whose last column
    comes first, and of those the smaller; [] when none is. People put keys first: (nis_code, jaar) before a count
    column that happens to be unique. The sets are tried KEY_BATCH at a time: a wide sheet (a cross table read as
    it is) has a thousand columns."""
    names = [f.name for f in fields if f.type in KEY_TYPES]
    position = {name: index for index, name in enumerate(names)}
    sets = [[n] for n in names] + [list(p) for p in itertools.combinations(names[:6], 2)]
    sets.sort(key=lambda s: (max(position[n] for n in s), len(s)))
    if not sets or con.execute("SELECT count(*) FROM t").fetchall()[0][0] < 2:
        return []
    for start in range(0, len(sets), KEY_BATCH):
        batch = sets[start : start + KEY_BATCH]
        checks = ", ".join(
            f"count(DISTINCT {_tuple(s)}) = count(*) AND "
            + " AND ".join(f"count({identifier(n)}) = count(*)" for n in s)
            for s in batch
        )
        unique = con.execute(f"SELECT {checks} FROM t").fetchall()[0]  # noqa: S608
        found = next((s for s, ok in zip(batch, unique, strict=True) if ok), None)
        if found:
            return found
    return []


def _serial_dates(con: duckdb.DuckDBPyConnection, found: Inferred) -> tuple[Inferred, list[str]]:
    """`found` with its integer columns of Excel serial dates (see the module docstring) typed date, and their
    names."""
    serial = [
        f.name
        for f in found.fields
        if f.type == "integer" and DATE_NAME.search(f.name) and _serial_example(con, f.name) is not None
    ]
    return _retyped(found, serial, "date"), serial


def _workbook_types(con: duckdb.DuckDBPyConnection, found: Inferred, formulas: set[int]) -> tuple[Inferred, list[str]]:
    """`found` with its integer columns that hold formulas (in the 0-based sheet columns `formulas`) typed number,
    and sentences on the types a workbook makes fragile: those formula columns, and the integer columns whose
    whole numbers may be Excel serial dates in cells without a date format (see the module docstring)."""
    columns = zip(found.fields, found.layout.columns, strict=True)
    computed = [f.name for f, column in columns if f.type == "integer" and column in formulas]
    found = _retyped(found, computed, "number")
    notes = [
        f"number, not integer, for formula results that are whole now (a later one need not be): {', '.join(computed)}"
    ]
    return found, (notes if computed else []) + _serial_hint(con, found)


def _serial_hint(con: duckdb.DuckDBPyConnection, found: Inferred) -> list[str]:
    """A sentence naming the integer columns, not named for amounts or counts, whose values all lie in the range
    of Excel serial dates (SERIALS), with an example and the date it would be; [] when there are none."""
    candidates = [f.name for f in found.fields if f.type == "integer" and not AMOUNT_NAME.search(f.name)]
    examples = [(name, example) for name in candidates if (example := _serial_example(con, name)) is not None]
    if not examples:
        return []
    named = ", ".join(f"{name} (e.g. {n}, which would be {excel_serial(n):%Y-%m-%d})" for name, n in examples)
    return [
        f"whole numbers that may be Excel serial dates in cells without a date format: {named}; kept as integer, "
        "declare `type: date` if they are dates"
    ]


def _serial_example(con: duckdb.DuckDBPyConnection, name: str) -> int | None:
    """The least value of a column of table `t` whose values are all whole numbers that are Excel serials of
    1910-2099 (SERIALS); None when a value is not, or the column is empty."""
    column = identifier(name)
    low, high = SERIALS
    query = (
        f"SELECT bool_and(TRY_CAST({column} AS BIGINT) BETWEEN {low} AND {high}), "  # noqa: S608
        f"min(TRY_CAST({column} AS BIGINT)) FROM t"
    )
    fits, least = con.execute(query).fetchall()[0]
    return int(least) if fits else None


def _retyped(found: Inferred, names: Sequence[str], kind: str) -> Inferred:
    """`found` with the fields named in `names` typed `kind` (without a format)."""
    fields = [SchemaField(name=f.name, type=kind) if f.name in names else f for f in found.fields]
    return dataclasses.replace(found, fields=fields)


def _type_notes(con: duckdb.DuckDBPyConnection, found: Inferred, serial: list[str], kind: str) -> list[str]:
    """Sentences on the types chosen that keep a value as the file shows it: codes as text, numbers, dates."""
    codes = [note for f in found.fields if f.type == "string" and (note := _code_note(con, f.name))]
    notes = [f"kept as text, so leading zeros stay: {', '.join(codes)}"] if codes else []
    if found.numbers != conform.PLAIN:
        grouped = f", thousands {found.numbers.thousands!r}" if found.numbers.thousands else ""
        notes.append(f"numbers written with decimal {found.numbers.decimal!r}{grouped}")
    dates = [f"{f.name} ({_date_note(f, serial, kind)})" for f in found.fields if f.type in ("date", "datetime")]
    if dates:
        notes.append(f"dates: {', '.join(dates)}")
    points = [f"{f.name} (e.g. {e!r})" for f in found.fields if (e := _thousands_example(con, f, found.numbers))]
    if points:
        notes.append(
            f"read with '.' as the decimal point, though every value with a '.' has three digits after it, as "
            f"thousands are written: {', '.join(points)}; if '.' separates thousands, declare options.thousands: '.'"
        )
    mixed = [note for f in found.fields if f.type == "string" and (note := _mixed_note(con, f.name, found.numbers))]
    if mixed:
        notes.append(f"kept as text, though most values are of another type: {'; '.join(mixed)}")
    return notes


def _thousands_example(con: duckdb.DuckDBPyConnection, f: SchemaField, numbers: conform.Numbers) -> str | None:
    """For a number column read with '.' as the decimal point and no thousands separator, whose values with a '.'
    all have three digits after it (1.234, 12.345: thousands, as Belgians write them), the least of them; else
    None."""
    if f.type != "number" or numbers != conform.PLAIN:
        return None
    column = identifier(f.name)
    query = (
        f"SELECT bool_and(regexp_full_match({column}, {literal(THOUSANDS)})), min({column}) "  # noqa: S608
        f"FROM t WHERE contains({column}, '.')"
    )
    thousands, example = con.execute(query).fetchall()[0]
    return str(example) if thousands else None


def _mixed_note(con: duckdb.DuckDBPyConnection, name: str, numbers: conform.Numbers) -> str | None:
    """For a text column most of whose values (MOSTLY) are numbers (written as `numbers` says, or in another of
    NUMBER_FORMATS, which is then named) or dates, though not all: the type, how many fit it, and the least value
    that does not; None for any other column (a code, plain text)."""
    if CODE_NAME.search(name):
        return None
    column = identifier(name)
    number = SchemaField(name=name, type="number")
    kinds = {"numbers": conform.parse(number, column, numbers)}
    kinds |= {
        f"numbers written as {other.example()}": conform.parse(number, column, other)
        for other in NUMBER_FORMATS
        if other != numbers
    }
    kinds |= {
        f"dates ({f or '%Y-%m-%d'})": conform.parse(SchemaField(name=name, type="date", format=f), column, numbers)
        for f in DATE_FORMATS
    }
    counts = ", ".join(f"count(*) FILTER ({v} IS NOT NULL), min({column}) FILTER ({v} IS NULL)" for v in kinds.values())
    found = con.execute(f"SELECT count({column}), {counts} FROM t WHERE {column} IS NOT NULL").fetchall()[0]  # noqa: S608
    total, pairs = found[0], list(zip(found[1::2], found[2::2], strict=True))
    best = max(range(len(kinds)), key=lambda i: pairs[i][0])  # the first of the most fitting
    fitting, example = pairs[best]
    if not total or fitting == total or fitting < MOSTLY * total:
        return None
    return f"{name} ({fitting} of {total} values are {list(kinds)[best]}; not {example!r})"


def _code_note(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """A text column with leading zeros (an example) or named for a code; None for any other."""
    column = identifier(name)
    query = f"SELECT min({column}) FILTER (regexp_matches({column}, '{LEADING_ZERO}')) FROM t"  # noqa: S608
    example = con.execute(query).fetchall()[0][0]
    if example is not None:
        return f"{name} (e.g. {example!r})"
    return f"{name} (its name says it holds a code)" if CODE_NAME.search(name) else None


def _date_note(f: SchemaField, serial: list[str], kind: str) -> str:
    if f.name in serial:
        return "whole numbers read as Excel serial dates, 45291 being 2023-12-31"
    if f.format:
        return f"written as {f.format}"
    return "date cells" if kind == "excel" else "written as yyyy-mm-dd"


def _yaml(
    path: Path, shown: str, layout: Layout, fields: list[SchemaField], key: list[str], personal: list[str]
) -> str:
    entries = [{"name": f.name, "type": f.type} | ({"format": f.format} if f.format else {}) for f in fields]
    schema: dict[str, Any] = {"fields": entries}
    if key:
        schema["primaryKey"] = key
    data: dict[str, Any] = {"title": path.stem, "path": glob.escape(shown), "format": layout.format}
    if layout.options:
        data["options"] = layout.options
    classification = "personal" if personal else "internal"
    data |= {"schema": schema, "owner": "TODO", "classification": classification, "licence": "TODO"}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    why = f"; proposed for the personal data in {', '.join(personal)}" if personal else ""
    notes = {
        "owner: TODO": "  # the department that answers for this data",
        f"classification: {classification}": f"  # public | internal | confidential | personal | special_category{why}",
        "licence: TODO": "  # e.g. CC-BY-4.0 for open data, or none for internal data",
    }
    lines = [line + notes.get(line, "") for line in text.splitlines()]
    intro = f"# Proposed by peil from {shown}: check the types and the key, and fill in owner and licence.\n"
    return intro + "\n".join(lines) + "\n"


def _samples(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> dict[str, list[str]]:
    """Up to SAMPLE distinct filled values per text column of table `t`, for telling personal data apart."""
    return {
        name: [
            str(v)
            for (v,) in con.execute(
                f"SELECT DISTINCT {identifier(name)} FROM t WHERE {identifier(name)} IS NOT NULL LIMIT {SAMPLE}"  # noqa: S608
            ).fetchall()
        ]
        for name in names
    }


def _records_path(document: Any) -> str | None:
    """The dotted path of the first array of objects in a JSON document, breadth first; None for the top."""
    queue: list[tuple[str, Any]] = [("", document)]
    while queue:
        dotted, node = queue.pop(0)
        if isinstance(node, list) and node and all(isinstance(item, dict) for item in node):
            return dotted or None
        if isinstance(node, dict):
            queue += [(f"{dotted}.{k}" if dotted else k, v) for k, v in node.items()]
    return None


def _tuple(names: list[str]) -> str:
    quoted = ", ".join(identifier(n) for n in names)
    return f"({quoted})" if len(names) > 1 else quoted


def _keys(records: Sequence[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for record in records for key in record))


def _named(names: list[str | None]) -> list[str]:
    return [n for n in names if n is not None]


def slug(path: Path) -> str:
    """A dataset name from a file name: lower-case ASCII letters, digits and _, starting with a letter."""
    stem = path.name.split(".")[0]
    ascii_name = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")
    return slug if re.match(r"^[a-z]", slug) else f"source_{slug}".rstrip("_")


def _shown_path(path: Path, root: Path | None) -> str:
    if root is not None:
        with contextlib.suppress(ValueError):
            return path.relative_to(Path(root).resolve()).as_posix()
    return str(path)
