"""Read the spreadsheets and delimited text files under a folder into the scan's database, each table as canonical
text with its fingerprint; say which files cannot be read and why, and what is odd about those that can.

Files are found recursively (`EXTENSIONS`; folders whose name starts with a dot are passed over, symbolic links
to folders are not followed) and read through peil.sources exactly as `peil infer` reads them
(infer.load_text): delimiter, encoding and header row sniffed, workbooks through calamine, one table per sheet
that holds cells; the readers leave out the total and note rows below a table (layout.footer_start) and say so.
Every value is then written as canonical text, so that copies compare equal whatever their format:

- numbers with up to 15 significant digits, without trailing zeros (0,80 in a CSV with decimal commas and the
  cell 0.8 both read 0.8; 1.0 reads 1);
- dates as YYYY-MM-DD (31/12/2024 and a date cell agree), moments without a time as their date;
- text stripped of surrounding spaces; an empty cell is NULL.

Broken and hostile files are skipped with their reason (empty, an Office lock file, a corrupt or
password-protected workbook, a zip that would expand past MAX_EXPANDED, binary content, an HTML page named .xls)
or read and flagged (a workbook name on delimited text, a formula written as text such as =HYPERLINK(...), which
a spreadsheet might run when the file is opened, rows left out below the table, the readers' remarks); so is a
subfolder that cannot be listed, with its reason. Whatever one file does, the scan goes on.

Reasons and flags are Problems (peil.messages): message ids with values, in English in the terminal and in the
report's language on its page. The readers (peil.sources) make them: each of their remarks (peil.errors.Remark: a
hidden sheet, rows left out below the table, a total among the data, hidden rows, merged cells, formulas, ...)
holds its Problem apart from the file and sheet it is about (the page names them), and so does each of their
errors (PeilError.problem: a broken or protected workbook, ...); one peil has no words for is shown as it is
(Problem.literal).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import math
import multiprocessing
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
from datasketch import MinHash  # type: ignore[import-untyped]

from peil.errors import PeilError
from peil.messages import N_, Problem
from peil.scan.model import Column, Hashes, Key, Skipped, Table
from peil.sources import conform, excel
from peil.sources.files import content
from peil.sources.infer import KEY_TYPES, load_text, propose
from peil.sources.sql import identifier, literal
from peil.workspace import SchemaField

EXTENSIONS = {".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".xlsb": "excel", ".ods": "excel"}
EXTENSIONS |= {".csv": "csv", ".tsv": "csv", ".txt": "csv"}
MAX_EXPANDED = 1 << 30
MEMORY_LIMIT = 1 << 30  # for DuckDB, shared by the reading processes
FILES_PER_WORKER = 8
KEY_SHARE = 0.95
COMPOUND_COLUMNS = 6  # the leftmost columns a compound key is sought among
COMPOUND_WIDTH = 3  # the most columns of a compound key
PERMUTATIONS = 128
FORMULA = r"^\s*[=@]|^\s*[+-]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\("
PERMUTATION_SEED = MinHash(num_perm=PERMUTATIONS, seed=1).permutations


def files_under(folder: Path, unreadable: list[Skipped]) -> Iterator[Path]:
    """Every file under `folder` with a spreadsheet or text extension, in sorted order (see the module docstring);
    a subfolder that cannot be listed (no permission) is added to `unreadable` with its reason."""

    def skip(error: OSError) -> None:
        where = Path(error.filename).relative_to(folder).as_posix() if error.filename else folder.name
        unreadable.append(Skipped(where, Problem(N_("cannot read the folder: %(error)s"), {"error": error.strerror})))

    for current, folders, names in os.walk(folder, onerror=skip):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(names):
            if Path(name).suffix.lower() in EXTENSIONS:
                yield Path(current) / name


def read_folder(
    folder: Path, scratch: Path, on_file: Callable[[Path], None] | None = None
) -> tuple[list[Table], list[Skipped], int]:
    """Read every file under `folder` (`files_under`): the tables, what was skipped, and how many files there were.

    Files are read by a pool of processes, one per core (in this process when there are fewer than
    2 * FILES_PER_WORKER); the tables' canonical values go to Parquet files in `scratch`. The processes are forked
    from a fresh server process, never from this one, which may hold DuckDB connections and their threads.
    `on_file` is called with each file as it is done.
    """
    tables: list[Table] = []
    skipped: list[Skipped] = []
    paths = list(files_under(folder, skipped))
    workers = min(os.cpu_count() or 1, len(paths) // FILES_PER_WORKER) or 1
    with contextlib.ExitStack() as stack:
        if workers == 1:
            reader = Reader(stack.enter_context(contextlib.closing(_connect(scratch, 1))), folder, scratch)
            results: Iterator[tuple[list[Table], list[Skipped]]] = map(reader.read, paths, itertools.count())
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            pool = stack.enter_context(ProcessPoolExecutor(workers, context, _start_worker, (folder, scratch, workers)))
            results = pool.map(_read_in_worker, paths, range(len(paths)), chunksize=4)
        for path, (found, missed) in zip(paths, results, strict=True):
            tables += found
            skipped += missed
            if on_file is not None:
                on_file(path)
    return tables, skipped, len(paths)


def _connect(scratch: Path, share: int) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a `share` of MEMORY_LIMIT, spilling to `scratch`."""
    limit = f"{MEMORY_LIMIT // share // 2**20}MB"
    con = duckdb.connect(":memory:", config={"memory_limit": limit, "temp_directory": str(scratch)})
    con.execute("SET enable_progress_bar = false")
    return con


_worker: Reader | None = None


def _start_worker(folder: Path, scratch: Path, workers: int) -> None:
    global _worker
    _worker = Reader(_connect(scratch, workers), folder, scratch)


def _read_in_worker(path: Path, number: int) -> tuple[list[Table], list[Skipped]]:
    assert _worker is not None
    return _worker.read(path, number)


@dataclass(frozen=True)
class Reader:
    """Reads files of `folder` through its own DuckDB connection `con`, writing each table's canonical values to a
    Parquet file in `scratch`; a Table's `relation` is the SQL that reads it back."""

    con: duckdb.DuckDBPyConnection
    folder: Path
    scratch: Path

    def read(self, path: Path, number: int) -> tuple[list[Table], list[Skipped]]:
        """The tables of one file (the `number`th), and what was skipped of it (the file or some of its sheets)."""
        shown = path.relative_to(self.folder).as_posix()
        try:
            return self._read(path, shown, number)
        except Exception as exc:  # whatever one file does (unreadable, gone, ...), the scan goes on
            return [], [Skipped(shown, _reason(exc))]

    def _read(self, path: Path, shown: str, number: int) -> tuple[list[Table], list[Skipped]]:
        stat = path.stat()
        kind, problem, remarks = _kind(path)
        if problem:
            return [], [Skipped(shown, problem)]
        assert kind is not None
        try:
            sheets: list[str | None] = list(excel.table_sheets(path, shown)) if kind == "excel" else [None]
        except PeilError as exc:
            return [], [Skipped(shown, _reason(exc))]
        if not sheets:
            return [], [Skipped(shown, Problem(N_("the workbook holds no worksheet with cells")))]
        with path.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
        file = File(path, shown, kind, datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size, digest, remarks)
        tables: list[Table] = []
        skipped: list[Skipped] = []
        for sheet in sheets:
            label = sheet if len(sheets) > 1 else None
            try:
                table = self._table(
                    file, sheet, label, self.scratch / f"f{number}_{len(tables) + len(skipped)}.parquet"
                )
            except Exception as exc:  # whatever one file does, the scan goes on
                skipped.append(Skipped(shown, _reason(exc), label))
                continue
            if table is None:
                skipped.append(Skipped(shown, Problem(N_("no rows below the header")), label))
                continue
            tables.append(table)
        return tables, skipped

    def _table(self, file: File, sheet: str | None, label: str | None, target: Path) -> Table | None:
        """Load one table (a file or a sheet) as canonical text into the Parquet file `target`; None when it has
        no rows."""
        con = self.con
        con.execute("DROP TABLE IF EXISTS t")
        layout, read = load_text(con, file.path, file.shown, file.kind, sheet)
        remarks = file.remarks + [remark.problem for remark in read] + _formulas(con, layout.names)
        found = propose(con, layout, key=False)  # the scan finds its own key columns
        columns = [_canonical(f, identifier(f.name), found.numbers) for f in found.fields]
        select = ", ".join(["_row", *(f"{c} AS c{i}" for i, c in enumerate(columns))])
        con.execute(f"COPY (SELECT {select} FROM t ORDER BY _row) TO {literal(str(target))} (FORMAT parquet)")  # noqa: S608
        con.execute("DROP TABLE t")
        relation = f"read_parquet({literal(str(target))})"
        rows, described = _describe(con, relation, found.fields)
        if not rows:
            return None
        return Table(
            path=file.shown,
            sheet=label,
            format=layout.format,
            options=dict(found.layout.options),
            modified=file.modified,
            size=file.size,
            sha256=file.sha256,
            rows=rows,
            columns=described,
            keys=candidate_keys(con, relation, rows, described),
            remarks=remarks,
            relation=relation,
        )


@dataclass(frozen=True)
class File:
    """A file about to be read: where it is, shown relative to the folder, its reader, mtime, size, SHA-256, and
    the remarks its name and content raised."""

    path: Path
    shown: str
    kind: str
    modified: datetime
    size: int
    sha256: str
    remarks: list[Problem]


def _kind(path: Path) -> tuple[str | None, Problem | None, list[Problem]]:
    """The reader for the file's content ('excel' or 'csv'), or the reason it cannot be read; and remarks."""
    named = EXTENSIONS[path.suffix.lower()]
    if path.name.startswith("~$"):
        return None, Problem(N_("an Office lock file, left while someone has the workbook open")), []
    kind = content(path)
    if kind == "empty":
        return None, Problem(N_("the file is empty (0 bytes)")), []
    if kind == "zip":
        expanded = _expanded(path)
        if expanded > MAX_EXPANDED:
            gib = round(expanded / 2**30, 1)
            return None, Problem(N_("the zip archive would expand to %(gib)s GiB; not opened"), {"gib": gib}), []
        if named == "csv":
            why = N_("a workbook (zip) with a text file's name; rename it to .xlsx or .ods to scan it")
            return None, Problem(why), []
        return "excel", None, []
    if kind == "ole":
        if named == "csv":
            return None, Problem(N_("an Office file with a text file's name; rename it to .xls to scan it")), []
        return "excel", None, []
    if kind == "binary":
        return None, Problem(N_("binary content, neither a workbook nor text")), []
    if kind == "html":
        why = N_("an HTML page, not a workbook; open it in Excel and save it as .xlsx to scan it")
        return None, Problem(why), []
    if named == "excel":
        return (
            "csv",
            None,
            [Problem(N_("named %(suffix)s but holds delimited text: read as CSV"), {"suffix": path.suffix})],
        )
    return "csv", None, []


def _expanded(path: Path) -> int:
    """The bytes a zip archive's members take once decompressed (as the archive declares them); 0 if unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # calamine then says what is wrong


def _reason(exc: Exception) -> Problem:
    """Why a file (or sheet) cannot be read: a reader's error (PeilError.problem), or the first line of any other."""
    if isinstance(exc, PeilError):
        return exc.problem
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Problem(N_("cannot read the file: %(error)s"), {"error": first})


def _formulas(con: duckdb.DuckDBPyConnection, names: list[str]) -> list[Problem]:
    """A remark per column (at most 3 cells each) holding text that a spreadsheet would take for a formula."""
    remarks = []
    for name in names:
        column = identifier(name)
        found = con.execute(
            f"SELECT _row, {column} FROM t WHERE regexp_matches({column}, {literal(FORMULA)}) "  # noqa: S608
            "ORDER BY _row LIMIT 3"
        ).fetchall()
        remarks += [
            Problem(
                N_(
                    "row %(row)s, column '%(column)s' holds the formula %(formula)s as text; a spreadsheet may run "
                    "it when the file is opened (peil only shows it)"
                ),
                {"row": str(row), "column": name, "formula": repr(value[:60])},
            )
            for row, value in found
        ]
    return remarks


def _canonical(field: SchemaField, column: str, numbers: conform.Numbers) -> str:
    """SQL: the canonical text of a text column read as `field` (see the module docstring)."""
    value = conform.parse(field, column, numbers)
    if field.type == "string":
        return f"nullif(trim({column}), '')"
    if field.type == "number":
        return f"format('{{:.15g}}', {value})"
    if field.type == "date":
        return f"strftime({value}, '%Y-%m-%d')"
    if field.type == "datetime":
        day = f"CAST({value} AS TIME) = TIME '00:00:00'"
        return f"strftime({value}, CASE WHEN {day} THEN '%Y-%m-%d' ELSE '%Y-%m-%d %H:%M:%S' END)"
    return f"CAST({value} AS VARCHAR)"


def _describe(con: duckdb.DuckDBPyConnection, relation: str, fields: list[SchemaField]) -> tuple[int, list[Column]]:
    """The row count and the columns of a canonical table: filled and distinct counts, the values' hashes
    (DuckDB's hash of each distinct value, cut to 32 bits) and their MinHash. A table without rows (a header
    alone) has columns without hashes: DuckDB's list() of no rows is NULL."""
    parts = [f"count(c{i}), count(DISTINCT c{i}), list(DISTINCT {_hash((i,))})" for i in range(len(fields))]
    found = con.execute(f"SELECT count(*), {', '.join(parts) or '1'} FROM {relation}").fetchall()[0]  # noqa: S608
    columns = []
    for i, f in enumerate(fields):
        filled, distinct, hashes = found[1 + 3 * i : 4 + 3 * i]
        columns.append(Column(f.name, f.type, f.format, int(filled), int(distinct), *_hashed(hashes or [])))
    return int(found[0]), columns


def candidate_keys(con: duckdb.DuckDBPyConnection, relation: str, rows: int, columns: Sequence[Column]) -> list[Key]:
    """The candidate keys of a canonical table of `rows` rows, leftmost first, from the columns that can be keys
    (KEY_TYPES): of the first COMPOUND_COLUMNS such columns left of the first single key (below) that are filled on
    every row and hold two or more values, every pair whose values are unique together (count(DISTINCT (a, b)) is
    the row count), else every such triple; else every column at least KEY_SHARE filled and distinct. People put
    keys first: (nis_code, jaar) wins over a count column to its right whose values happen to differ. None for a
    table of one row."""
    if rows < 2:
        return []
    usable = [i for i, c in enumerate(columns) if c.type in KEY_TYPES]
    single = [i for i in usable if min(columns[i].filled, columns[i].distinct) >= KEY_SHARE * rows]
    left = single[0] if single else len(columns)  # a compound key must lie left of the first single one
    filled = [i for i in usable if i < left and columns[i].filled == rows and columns[i].distinct > 1]
    filled = filled[:COMPOUND_COLUMNS]
    for width in range(2, COMPOUND_WIDTH + 1):
        sets = [s for s in itertools.combinations(filled, width) if math.prod(columns[i].distinct for i in s) >= rows]
        unique = _unique(con, relation, rows, sets)
        if unique:
            lists = ", ".join(f"list(DISTINCT {_hash(s)})" for s in unique)
            found = con.execute(f"SELECT {lists} FROM {relation}").fetchall()[0]  # noqa: S608
            return [Key(s, *_hashed(hashes)) for s, hashes in zip(unique, found, strict=True)]
    return [Key((i,), columns[i].hashes, columns[i].sketch) for i in single]


def _unique(
    con: duckdb.DuckDBPyConnection, relation: str, rows: int, sets: list[tuple[int, ...]]
) -> list[tuple[int, ...]]:
    """The sets of columns whose values are unique together in `relation` (of `rows` rows)."""
    if not sets:
        return []
    counts = ", ".join(f"count(DISTINCT ({', '.join(f'c{i}' for i in s)}))" for s in sets)
    found = con.execute(f"SELECT {counts} FROM {relation}").fetchall()[0]  # noqa: S608
    return [s for s, count in zip(sets, found, strict=True) if count == rows]


def _hash(columns: Sequence[int]) -> str:
    """SQL: the 32-bit hash of the values of `columns` (one column: its value's), the same whatever their order."""
    return f"({' + '.join(f'(hash(c{i}) & 4294967295)' for i in columns)}) & 4294967295"


def _hashed(hashes: Sequence[int]) -> tuple[Hashes, MinHash]:
    """Hash values as a Column or Key holds them: sorted and unique, and their MinHash."""
    unique = np.unique(np.asarray(hashes, dtype=np.uint32))
    return unique, sketch(unique)


def sketch(hashes: Sequence[int] | Hashes) -> MinHash:
    """A MinHash of a set of 32-bit hash values."""
    minhash = MinHash(num_perm=PERMUTATIONS, permutations=PERMUTATION_SEED, hashfunc=int)
    if len(hashes):
        minhash.update_batch(np.asarray(hashes, dtype=np.uint64))
    return minhash
