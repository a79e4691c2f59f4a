"""The stray-copy scanner: find the copies and versions of the same table among the spreadsheets on a shared drive,
show where they differ, and recommend the one to trust.

`scan(folder)` reads every spreadsheet and CSV under `folder` (peil.scan.read), fingerprints each table (column
names and types, key candidates: a column, else a compound key of two or three columns; MinHash sketches of every
column's and key's values), groups the tables that are copies of one another (peil.scan.group), and for each group
lists the keys some copies lack and the cells they disagree on, and recommends an authoritative version with its
reasons (peil.scan.compare; a copy that lost the leading zeros of a code: peil.scan.zeros). `adopt`
(peil.scan.adopt) makes a group's chosen file a source of a workspace, the other copies its earlier snapshots.

The tables' canonical values live in Parquet files in a temporary folder for the duration of the scan only.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from peil.errors import PeilError
from peil.scan import compare, group
from peil.scan.model import Conflict, Group, Key, LostZeros, Member, Presence, Scan, Skipped, Table
from peil.scan.read import read_folder

__all__ = ["Conflict", "Group", "Key", "LostZeros", "Member", "Presence", "Scan", "Skipped", "Table", "scan"]

LIMIT = 1000


def scan(folder: Path | str, limit: int = LIMIT, on_file: Callable[[Path], None] | None = None) -> Scan:
    """Scan `folder` recursively; see the module docstring. `limit` caps the keys not everywhere and the conflicts
    listed per group (their totals are always counted); `on_file` is called as each file is done.

    Raises PeilError when `folder` is not a folder; a file that cannot be read is listed in Scan.skipped.
    """
    started = time.perf_counter()
    root = Path(folder).resolve()
    if not root.is_dir():
        raise PeilError(f"{folder} is not a folder", hint="Give the folder to scan, e.g. a shared drive's folder.")
    with tempfile.TemporaryDirectory(prefix="peil-scan-") as scratch:
        tables, skipped, files = read_folder(root, Path(scratch), on_file)
        parts = group.components(tables)
        with contextlib.closing(duckdb.connect(":memory:", config={"temp_directory": scratch})) as con:
            con.execute("SET enable_progress_bar = false")
            groups = [
                compare.analyse(con, [tables[i] for i in part], f"g{number}", limit)
                for number, part in enumerate((p for p in parts if len(p) > 1), start=1)
            ]
    singles = [tables[part[0]] for part in parts if len(part) == 1]
    return Scan(root, groups, singles, skipped, files, time.perf_counter() - started)
