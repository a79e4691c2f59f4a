"""The quarantine: rows of a snapshot that failed a check, kept out of the dataset's current view.

meta.quarantine holds one row per failing row of a snapshot (peil.quality.run.SCHEMA): `held` rows failed an
error check and are left out of main.<dataset>; the others only failed warn checks and stay, flagged. The
snapshot table itself is never changed, so its rows are exactly the view's rows plus the held ones.

`keep` writes an evaluation's failing rows; `view_sql` is the current view's SELECT; `listing` reads the held
(and flagged) rows back with every value, for `peil quarantine`; `export_xlsx` writes them as a workbook a steward
can fix, with every text kept as text (never a formula).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font

from peil.errors import StoreError
from peil.quality.run import Evaluation
from peil.sources.sql import identifier
from peil.sources.table import HIDDEN

HEADER = ["file", "sheet", "row", "key", "held", "checks", "reasons"]


@dataclass(frozen=True)
class Listing:
    """Quarantined rows of one snapshot: the columns (HEADER, then the dataset's fields) and one row each."""

    dataset: str
    version: int
    columns: list[str]
    rows: list[tuple[Any, ...]]


def keep(con: duckdb.DuckDBPyConnection, evaluation: Evaluation) -> None:
    """Append the evaluation's failing rows to meta.quarantine; `held` when any failure is of an error check."""
    if evaluation.failures is None:
        return
    con.execute(
        "INSERT INTO meta.quarantine SELECT ?, ?, _rid, _file, _sheet, _row, key, "  # noqa: S608
        f"list_bool_or([f.severity = 'error' FOR f IN failures]), failures FROM {evaluation.failures}",
        [evaluation.snapshot_id, evaluation.dataset],
    )


def view_sql(con: duckdb.DuckDBPyConnection, table: str, snapshot_id: int) -> str:
    """The SELECT of a dataset's current rows: the snapshot table without its lineage columns, anti-joined to
    the snapshot's held rows (when it has any). `table` is qualified and quoted; the id is an integer."""
    present = {str(r[0]) for r in con.execute(f"DESCRIBE {table}").fetchall()}
    hidden = ", ".join(c for c in HIDDEN if c in present)
    held = con.execute("SELECT count(*) FROM meta.quarantine WHERE snapshot_id = ? AND held", [snapshot_id]).fetchall()[
        0
    ][0]
    select = f"SELECT t.* EXCLUDE ({hidden}) FROM {table} AS t"  # noqa: S608
    if not held:
        return select
    return (
        f"{select} ANTI JOIN (SELECT row_id FROM meta.quarantine "  # noqa: S608 - an integer, and our table names
        f"WHERE snapshot_id = {int(snapshot_id)} AND held) AS q ON t.rowid = q.row_id"
    )


def listing(
    con: duckdb.DuckDBPyConnection, dataset: str, version: int, table: str, snapshot_id: int, flagged: bool = False
) -> Listing:
    """The held rows of a snapshot (and, with `flagged`, the rows only warn checks flagged), in file order:
    where each is, its key, the checks it failed, the reasons with the offending values, and every value.

    Raises StoreError when the warehouse has no quarantine table yet (built by an older peil).
    """
    fields = [str(r[0]) for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in HIDDEN]
    values = ", ".join(f"t.{identifier(f)}" for f in fields)
    try:
        rows = con.execute(
            "SELECT q._file, q._sheet, q._row, q.key, q.held, "  # noqa: S608
            "array_to_string(list_distinct([f.check FOR f IN q.failures]), ', '), "
            "array_to_string([f.check || coalesce(' (' || f.column || ')', '') || ': ' || f.reason "
            "|| coalesce(' [' || f.value || ']', '') FOR f IN q.failures], '; ')"
            f"{', ' + values if values else ''} "
            f"FROM meta.quarantine q JOIN {table} t ON t.rowid = q.row_id "
            "WHERE q.snapshot_id = ? AND (q.held OR ?) ORDER BY q._file, q._sheet, q._row, q.row_id",
            [snapshot_id, flagged],
        ).fetchall()
    except duckdb.CatalogException:
        raise StoreError("this warehouse has no quarantine yet", hint="Run `peil build` to check the data.") from None
    return Listing(dataset, version, HEADER + fields, rows)


def export_xlsx(found: Listing, path: Path) -> None:
    """Write the listing as a workbook: a header row, then one row per quarantined row.

    Every text is written as a string cell with Excel's quote prefix, so `=HYPERLINK(...)`, `+32 ...` or `@x`
    stay exactly those characters and Excel neither evaluates them nor turns them into a formula on editing.
    Numbers, booleans and dates keep their types.
    """
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{found.dataset} v{found.version}"[:31]
    for number, values in enumerate([found.columns, *found.rows], start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl makes text starting with '=' a formula; this keeps it a string
                cell.quotePrefix = True
            if number == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    book.save(path)
