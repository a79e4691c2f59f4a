"""The quarantine: rows of a snapshot that failed a check, kept out of the dataset's current view.

meta.quarantine holds one row per failing row of a snapshot (peil.quality.run.SCHEMA): `held` rows failed an
error check and are left out of main.<dataset>; the others only failed warn checks and stay, flagged. The
snapshot table itself is never changed, so its rows are exactly the view's rows plus the held ones.

`keep` writes an evaluation's failing rows; `view_sql` is the current view's SELECT; `listing` reads the held
(and flagged) rows back with every value, for `peil quarantine`; `export_xlsx` writes them as a workbook a steward
can fix, with every text kept as text (never a formula), its header and reasons in the steward's language. A value
that did not fit its field's type is empty in the snapshot; the listing shows the text the file held instead
(kept in the snapshot's `_invalid` map), where the steward fixes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font

from peil.errors import StoreError
from peil.messages import N_
from peil.quality.problems import reason_text
from peil.quality.run import Evaluation
from peil.sources.sql import identifier
from peil.sources.table import HIDDEN, INVALID

HEADER = [N_("file"), N_("sheet"), N_("row"), N_("key"), N_("held"), N_("checks"), N_("reasons")]
REASONS = HEADER.index("reasons")
Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Listing:
    """Quarantined rows of one snapshot: the dataset's fields, and per row the HEADER's values (the reasons as the
    failures' list of {check, column, reason, value}) and then the fields' (a value that did not fit its type as
    the text the file held)."""

    dataset: str
    version: int
    fields: list[str]
    rows: list[tuple[Any, ...]]

    def table(self, gettext: Gettext = N_) -> tuple[list[str], list[list[Any]]]:
        """The header and the rows in the language of `gettext` (English by default): the reasons in words, as
        'check (column): reason [value]' joined by '; '."""
        header = [gettext(name) for name in HEADER] + self.fields
        rows = [[*row[:REASONS], _reasons(row[REASONS], gettext), *row[REASONS + 1 :]] for row in self.rows]
        return header, rows


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
    described = [str(r[0]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
    fields = [name for name in described if name not in HIDDEN]
    values = "".join(f", t.{identifier(f)}" for f in fields)
    invalid = f"t.{INVALID}" if INVALID in described else "NULL"  # a snapshot of an older peil has none
    try:
        rows = con.execute(
            "SELECT q._file, q._sheet, q._row, q.key, q.held, "  # noqa: S608
            "array_to_string(list_distinct([f.check FOR f IN q.failures]), ', '), "
            f"q.failures, {invalid}{values} FROM meta.quarantine q JOIN {table} t ON t.rowid = q.row_id "
            "WHERE q.snapshot_id = ? AND (q.held OR ?) ORDER BY q._file, q._sheet, q._row, q.row_id",
            [snapshot_id, flagged],
        ).fetchall()
    except duckdb.CatalogException:
        raise StoreError("this warehouse has no quarantine yet", hint="Run `peil build` to check the data.") from None
    return Listing(dataset, version, fields, [_as_read(row, fields) for row in rows])


def _as_read(row: tuple[Any, ...], fields: list[str]) -> tuple[Any, ...]:
    """A listed row with its `_invalid` map (after the HEADER's values) taken out: each field's text that did not
    fit its type stands in the field's place."""
    invalid = row[len(HEADER)] or {}
    found = row[len(HEADER) + 1 :]
    return (*row[: len(HEADER)], *(invalid.get(f, v) for f, v in zip(fields, found, strict=True)))


def _reasons(failures: list[dict[str, Any]], gettext: Gettext) -> str:
    """The failures of a row in words: 'range_kg (kg): below the minimum [-6.0]; ...'."""
    return "; ".join(_reason(failure, gettext) for failure in failures)


def _reason(failure: dict[str, Any], gettext: Gettext) -> str:
    column = f" ({failure['column']})" if failure["column"] else ""
    value = f" [{failure['value']}]" if failure["value"] is not None else ""
    return f"{failure['check']}{column}: {reason_text(failure['reason'], gettext)}{value}"


def export_xlsx(found: Listing, path: Path, gettext: Gettext = N_) -> None:
    """Write the listing as a workbook: a header row, then one row per quarantined row, in the language of
    `gettext` (English by default; the fields keep their names).

    Every text is written as a string cell with Excel's quote prefix, so `=HYPERLINK(...)`, `+32 ...` or `@x`
    stay exactly those characters and Excel neither evaluates them nor turns them into a formula on editing.
    Numbers, booleans and dates keep their types; a value that did not fit its type is the text the file held.
    """
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{found.dataset} v{found.version}"[:31]
    header, rows = found.table(gettext)
    for number, values in enumerate([header, *rows], start=1):
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
