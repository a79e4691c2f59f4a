"""Snapshot diffs: what changed between two versions of a dataset, computed in DuckDB.

``peil diff DATASET [OLD] [NEW]`` and the report's changes page call :func:`diff_snapshots`; :func:`diff_tables`
compares any two DuckDB tables. The comparing is SQL into a temporary table of the differences (a FULL OUTER
JOIN on the key, or one aggregate for whole rows); Python reads the counts and the first `limit` differences of
each kind.

Two modes
---------
``key``: rows are matched by the primary key with a FULL OUTER JOIN on ``IS NOT DISTINCT FROM`` (a NULL key
matches a NULL key). A key only in the new table is added, only in the old one removed; a matched row is
changed when one of its cells is. The join carries a 64-bit hash of each row's values rather than the values,
which makes it lighter; the rows whose hashes differ are then fetched by rowid and their cells compared with
``IS DISTINCT FROM``, exactly, in their own type. (A changed row whose two hashes happen to be equal would be
missed: a chance of 1 in 1.8e19 for each changed row.) A snapshot stores each row's hash when it is loaded
(`_row_hash`, see peil.sources.table.row_hash); when both snapshots have one and the same columns, the diff
reads the stored hashes and the key alone, not the values. When, besides, the key is known to be unique in
both (their primary_key checks passed), the rows are first matched by stored hash alone, without the key,
which is a third cheaper: only the rows whose hash the other table lacks are joined on the key and compared
(see `_hash_matched` for the checks and the chance of a miss, 1 in 2^64 for each pair of a removed or
changed row and an added or changed one).

- NULL against NULL is no change, and neither is NaN against NaN (DuckDB treats NaN as one value);
- text is compared as text, so two 34-digit references that differ only in the last digit differ;
- numbers are compared exactly, without tolerance: DOUBLE 1.0 against 1.0000000001 is a change.

A key on more than one row on either side is set aside: it is reported in ``duplicates`` with its row count on
each side, and its rows are neither compared nor counted as added, removed, changed or unchanged. Joining them
would pair every old row with every new one and report changes that are not there. Whether there are any is
told by the differences and the row counts when the key is known to be unique in one of the tables (a snapshot
whose primary_key check found no empty or repeated key at ingest), else by one more join that counts the
matched pairs (see `_has_duplicates`); only when there are some are the keys counted and the join made again
without them.

``row hash``: a table without a key is compared as a multiset of whole rows, grouped by value in one hash
aggregate (the values are compared exactly, not only their hashes). A row three times in the old table and
once in the new one is two removed copies. Rows have no identity here, so there are no changed cells, only
added and removed rows, and no renames are detected.

Schema
------
Columns are matched by name. A column only in the old table is removed, one only in the new table added, and
one in both with another DuckDB type has its type changed: its values are then compared as text (``CAST(...
AS VARCHAR)``), so INTEGER 5 against DOUBLE 5.0 is a change ('5' against '5.0'). In key mode a removed and an
added column whose values are equal on at least 95% of the matched row pairs where either has a value is
reported as renamed, and its cells are compared under the new name. Columns only on one side take no part in
the row comparison. A key column renamed (the new version declares its key under other names, and at least half
of the old keys are keys of the new version: `diff_snapshots`) still matches the rows, and is reported as
renamed with the share of rows whose key is on both sides.
"""

# ruff: noqa: S608 -- the SQL here is built from identifiers quoted with `quote`, column names as string literals
# (`literal`) and aliases made here (k0, v0, ...); values are always parameters.

from __future__ import annotations

import json
import operator
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple, overload

import duckdb
from sqlglot import exp

from peil.errors import StoreError
from peil.sources.sql import literal
from peil.sources.table import HIDDEN, INVALID, ROW_HASH
from peil.store import quote
from peil.texts import counted

Mode = Literal["key", "row hash"]
Side = Literal["old", "new"]
SIDES: tuple[Side, Side] = ("old", "new")
ChangeKind = Literal["added", "removed", "renamed", "type changed"]
Key = Any
"""A key's value: the value itself for a one-column key, a tuple of values for a compound key."""
RENAME_SHARE = 0.95
KEY_RENAME_SHARE = 0.5  # of the old keys found under the new version's key of other names (`diff_snapshots`)


@dataclass(frozen=True)
class Column:
    """A table column: its name and its DuckDB type as DESCRIBE writes it ('BIGINT', 'DECIMAL(18,3)')."""

    name: str
    type: str


@dataclass(frozen=True)
class SchemaChange:
    """A column added (`old` None), removed (`new` None), renamed or of another type. `share` is, for a
    rename, the share (0..1) of matched rows with a value on either side where the two values are equal."""

    kind: ChangeKind
    old: Column | None
    new: Column | None
    share: float | None = None

    def describe(self) -> str:
        """The change in one line of English, e.g. "renamed 'naam' -> 'name' (100% of the values equal)"."""
        if self.kind == "added" and self.new:
            return f"column '{self.new.name}' added ({self.new.type})"
        if self.kind == "removed" and self.old:
            return f"column '{self.old.name}' removed ({self.old.type})"
        assert self.old and self.new
        if self.kind == "renamed":
            types = f", {self.old.type} -> {self.new.type}" if self.old.type != self.new.type else ""
            return f"renamed '{self.old.name}' -> '{self.new.name}' ({self.share:.0%} of the values equal{types})"
        return f"column '{self.new.name}' changed type {self.old.type} -> {self.new.type}; compared as text"


class Cell(NamedTuple):
    """One changed cell: the row's key, the column (its name in the new table) and the old and new value. A
    named tuple, as a diff may hold millions of them."""

    key: Key
    column: str
    old: Any
    new: Any


class Cells(Sequence[Cell]):
    """Changed cells kept as four lists (keys, columns, old values, new values) and made `Cell`s as they are
    read: made all at once, a million tuples keep Python's garbage collector busy for longer than the diff
    took to compute. Equal to any sequence of the same cells."""

    __slots__ = ("_columns", "_keys", "_new", "_old")

    def __init__(self, keys: list[Key], columns: list[str], old: list[Any], new: list[Any]) -> None:
        self._keys, self._columns, self._old, self._new = keys, columns, old, new

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Cell: ...

    @overload
    def __getitem__(self, index: slice) -> Cells: ...

    def __getitem__(self, index: int | slice) -> Cell | Cells:
        if isinstance(index, slice):
            return Cells(self._keys[index], self._columns[index], self._old[index], self._new[index])
        return Cell(self._keys[index], self._columns[index], self._old[index], self._new[index])

    def __iter__(self) -> Iterator[Cell]:
        return map(Cell._make, zip(self._keys, self._columns, self._old, self._new, strict=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(other) == len(self) and all(map(operator.eq, self, other))

    __hash__ = None  # type: ignore[assignment]  # equal to a tuple, so not hashable as one is


class Unfit(str):
    """A value that did not fit its column's type when it was loaded, as its text: the table holds NULL there
    and the row's `_invalid` map the text (see peil.sources.table)."""

    unfit = True  # for templates: `v.unfit is defined`


@dataclass(frozen=True)
class Row:
    """A whole row added or removed in row hash mode: its values (in `Diff.columns` order) and how many copies."""

    values: tuple[Any, ...]
    copies: int


@dataclass(frozen=True)
class Diff:
    """What changed from the old table to the new one.

    Counts cover every row; the samples (`cells`, `added_keys`, `removed_keys`, `duplicates`, `added_rows`,
    `removed_rows`) hold the first `limit` of their kind in key (or row) order, all when `limit` is None.
    In key mode `added`, `removed`, `changed` and `unchanged` count rows, one per key, and the keys that are
    on more than one row on either side are left out of them (`duplicate_keys` counts those keys). In row hash
    mode `added` and `removed` count row copies, `changed` is 0 and the samples are `added_rows` and
    `removed_rows`. `changed_cells` maps each compared column with changes to the number of changed cells.
    `truncated` is True when a sample holds fewer differences than there are.
    """

    mode: Mode
    key: tuple[str, ...]
    columns: tuple[str, ...]
    old_rows: int
    new_rows: int
    added: int
    removed: int
    changed: int
    unchanged: int
    changed_cells: dict[str, int]
    schema: tuple[SchemaChange, ...]
    duplicate_keys: int
    duplicates: dict[Key, tuple[int, int]]
    added_keys: tuple[Key, ...]
    removed_keys: tuple[Key, ...]
    cells: Sequence[Cell]
    added_rows: tuple[Row, ...]
    removed_rows: tuple[Row, ...]
    limit: int | None
    truncated: bool

    @property
    def cell_count(self) -> int:
        """How many cells changed, in all columns."""
        return sum(self.changed_cells.values())

    @property
    def identical(self) -> bool:
        """True when nothing differs: no rows added, removed or changed, no duplicate keys, no schema change."""
        return not (self.added or self.removed or self.changed or self.duplicate_keys or self.schema)

    def key_values(self, key: Key) -> tuple[Any, ...]:
        """A key as a tuple of one value per key column."""
        return tuple(key) if len(self.key) > 1 else (key,)


@dataclass(frozen=True)
class SnapshotDiff:
    """The diff of two versions of one dataset; `declared_key` is the new version's primary key, also when the
    old version lacks one of its columns and the rows were compared whole."""

    dataset: str
    old_version: int
    new_version: int
    declared_key: tuple[str, ...]
    diff: Diff


def diff_tables(
    con: duckdb.DuckDBPyConnection,
    old: str,
    new: str,
    key: Sequence[str],
    limit: int | None,
    *,
    ignore: Sequence[str] = (),
    known_unique: Collection[Side] = (),
    row_hash: str | None = None,
    unfit: str | None = None,
    old_key: Sequence[str] | None = None,
) -> Diff:
    """Compare the table `old` with the table `new` by the columns `key` (by whole rows when `key` is empty).

    `old_key` names the key's columns in `old` when they were renamed (default: `key`); each renamed one is
    reported as renamed, with the share of rows whose key is on both sides.

    `old` and `new` name tables as SQL does (``t``, ``raw."bevolking__v2"``); their parts are quoted again
    before use. A view will do for a diff by whole rows, not by key. Columns in `ignore` are left out on both
    sides. The samples hold at most `limit` differences of each kind (all when None). See the module docstring
    for how values and schemas compare.
    `known_unique` names the tables ("old", "new") in which the key is on one row at most (a primary_key check
    found no repeated key). In one of them, a join that looks for duplicate keys is saved, and the duplicates in
    the other are found all the same; in both, the rows may be matched by their stored hashes (see
    `_hash_matched`). A wrong claim gives a wrong diff.
    `row_hash` names a column of both tables holding each row's hash of its columns but those in `ignore`, in
    table order (peil.sources.table.row_hash); the diff reads it instead of hashing the values when the two
    tables have the same columns, in name, order and type (else it hashes them). A stale hash cannot make a
    change up, as the values of the rows the hashes pick are compared, but can hide one.
    `unfit` names a MAP column of both tables holding, per row, the text of each value that did not fit its
    column's type and is NULL in the table (peil.sources.table.INVALID): a cell whose text changed is changed.
    Temporary tables are made and dropped, so `con` may be read-only.

    Raises StoreError when a table does not exist, a key column is missing from either table, or a table
    compared by key is a view.
    """
    old_ref, new_ref = _reference(old), _reference(new)
    old_described, new_described = _columns(con, old_ref, old), _columns(con, new_ref, new)
    hashed, texts = (name if name in old_described and name in new_described else None for name in (row_hash, unfit))
    texts = texts if texts and any(_has_values(con, ref, texts) for ref in (old_ref, new_ref)) else None
    old_columns = {n: c for n, c in old_described.items() if n not in (*ignore, row_hash, unfit)}
    new_columns = {n: c for n, c in new_described.items() if n not in (*ignore, row_hash, unfit)}
    old_key = list(key if old_key is None else old_key)
    for name, columns, names in ((old, old_columns, old_key), (new, new_columns, key)):
        missing = [k for k in names if k not in columns]
        if missing:
            raise StoreError(
                f"the key column {', '.join(map(repr, missing))} is not in {name}",
                hint=f"Its columns: {', '.join(columns) or 'none'}.",
            )
    keys = [_Pair(old_columns[o], new_columns[n]) for o, n in zip(old_key, key, strict=True)]
    common = [
        _Pair(old_columns[n], c) for n, c in new_columns.items() if n in old_columns and n not in {*key, *old_key}
    ]
    removed = [c for n, c in old_columns.items() if n not in new_columns and n not in old_key]
    added = [c for n, c in new_columns.items() if n not in old_columns and n not in key]
    counts = (_count(con, old_ref), _count(con, new_ref))
    with _scratch(con, "duplicates", "differences") as (duplicates, differences):
        if not keys:
            schema = _schema_changes([], removed, added, common)
            return _row_hash_diff(con, (old_ref, new_ref), common, differences, counts, schema, limit, texts)
        for reference, name in ((old_ref, old), (new_ref, new)):
            _require_table(con, reference, name)
        same = list(old_columns.values()) == list(new_columns.values())
        sides = _Sides(old_ref, new_ref, keys, None, hashed if same else None, texts)
        renames = _renames(con, sides, removed, added)
        renamed = {p.old.name for p, _ in renames} | {p.new.name for p, _ in renames}
        removed, added = [c for c in removed if c.name not in renamed], [c for c in added if c.name not in renamed]
        schema = _schema_changes(renames, removed, added, [*keys, *common])
        order = list(new_columns)
        values = sorted([*common, *(p for p, _ in renames)], key=lambda p: order.index(p.new.name))
        _write_differences(con, sides, values, differences, counts, known_unique)
        if _has_duplicates(con, sides, differences, counts, bool(known_unique)):
            sides = replace(sides, duplicates=_duplicates(con, old_ref, new_ref, keys, duplicates))
            con.execute(f"DROP TABLE {differences}")
            _write_differences(con, sides, values, differences, counts, known_unique)
        diff = _key_diff(con, sides, values, differences, counts, schema, limit)
        return replace(diff, schema=_renamed_key(keys, diff) + diff.schema)


def diff_snapshots(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    old_version: int | None = None,
    new_version: int | None = None,
    limit: int | None = None,
) -> SnapshotDiff:
    """Compare two snapshots of `dataset` in the warehouse on `con` (read-only will do).

    `new_version` defaults to the newest, `old_version` to the one before the newest. Rows are matched by the
    new snapshot's primary key when both snapshots have its columns, else compared whole (row hash); the
    lineage columns (_file, _sheet, _row) and _invalid are left out. A changed cell whose value did not fit
    its type at load (NULL in the table) holds that value's text as an `Unfit`. `limit` as in
    :func:`diff_tables`.

    Raises StoreError when the dataset has no snapshots, a version does not exist, or a version is not given
    and the dataset has only one snapshot.
    """
    found = _snapshot_tables(con, dataset)
    versions = sorted(found)
    if old_version is None and new_version is None and len(versions) < 2:
        raise StoreError(
            f"'{dataset}' has one snapshot (version {versions[0]}): there is nothing to compare it with yet",
            hint="A new snapshot is made when a source file changes; then run `peil build`.",
        )
    new_version = versions[-1] if new_version is None else new_version
    old_version = versions[-2] if old_version is None else old_version
    for version in (old_version, new_version):
        if version not in found:
            raise StoreError(
                f"'{dataset}' has no version {version}",
                hint=f"Its versions: {', '.join(map(str, versions))} (`peil history {dataset}` lists them).",
            )
    old, new = found[old_version], found[new_version]
    columns = [_columns(con, _reference(version.table), version.table) for version in (old, new)]
    key = new.key if all(k in names for k in new.key for names in columns) else []
    old_key = key or _key_renamed(con, old, new, columns)
    key = key or (new.key if old_key else [])
    unique = [
        side
        for side, version, names in zip(SIDES, (old, new), (old_key, key), strict=True)
        if version.key_unique and version.key == names
    ]
    diff = diff_tables(
        con,
        old.table,
        new.table,
        key,
        limit,
        ignore=HIDDEN,
        known_unique=unique,
        row_hash=ROW_HASH,
        unfit=INVALID,
        old_key=old_key,
    )
    if any(cell.old is None or cell.new is None for cell in diff.cells):
        diff = replace(diff, cells=_unfit_texts(con, (old.table, new.table), diff))
    return SnapshotDiff(dataset, old_version, new_version, tuple(new.key), diff)


def change_rows(diff: Diff) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The sampled differences as one long table: (header, rows), for CSV and the terminal.

    Key mode: ``change, <key columns>, column, old, new`` with rows 'changed' (one per cell), 'added' and
    'removed' (one per key) and 'duplicate key' (old and new hold the key's row counts; 'empty key, repeated'
    for the rows whose key columns are all empty). Row hash mode: ``change, copies, <columns>`` with rows 'added'
    and 'removed'.
    """
    if diff.mode == "row hash":
        header = ["change", "copies", *diff.columns]
        rows = [("added", r.copies, *r.values) for r in diff.added_rows]
        return header, rows + [("removed", r.copies, *r.values) for r in diff.removed_rows]
    header = ["change", *diff.key, "column", "old", "new"]
    rows = [("changed", *diff.key_values(c.key), c.column, c.old, c.new) for c in diff.cells]
    rows += [("added", *diff.key_values(k), None, None, None) for k in diff.added_keys]
    rows += [("removed", *diff.key_values(k), None, None, None) for k in diff.removed_keys]
    rows += [(_repeated(diff.key_values(k)), *diff.key_values(k), None, *n) for k, n in diff.duplicates.items()]
    return header, rows


def _repeated(key: tuple[Any, ...]) -> str:
    """How `change_rows` names a key on more than one row: rows without a key are not one key repeated."""
    return "duplicate key" if any(value is not None for value in key) else "empty key, repeated"


def summary(result: SnapshotDiff) -> list[str]:
    """What the diff found, in lines of English: the counts, how rows were matched, each schema change, and
    the duplicate keys."""
    diff = result.diff
    head = f"{result.dataset}, version {result.old_version} -> {result.new_version}"
    rows = f"{diff.old_rows:,} -> {diff.new_rows:,} rows"
    if diff.mode == "row hash":
        why = f"the key {', '.join(result.declared_key)} is not in both" if result.declared_key else "no primary key"
        one_side = [c for c in diff.schema if c.kind in ("added", "removed")]
        within = f" in the {counted(len(diff.columns), 'column')} both have" if one_side else ""
        lines = [
            f"{head}: {why}, so whole rows are compared as a multiset (row hash)",
            f"{rows}: {diff.added:,} added, {diff.removed:,} removed, {diff.unchanged:,} unchanged{within}",
        ]
        if one_side:
            lines.append("the columns of one version only are not compared: a change in them does not show")
    else:
        lines = [
            f"{head}: rows matched by the key {', '.join(diff.key)}",
            f"{rows}: {diff.added:,} added, {diff.removed:,} removed, {diff.changed:,} changed "
            f"({counted(diff.cell_count, 'cell')}), {diff.unchanged:,} unchanged",
        ]
    lines += [f"schema: {change.describe()}" for change in diff.schema]
    if diff.duplicate_keys:
        on = "is" if diff.duplicate_keys == 1 else "are"
        lines.append(f"{counted(diff.duplicate_keys, 'key')} {on} on more than one row; their rows are not compared")
    return lines


def to_json(result: SnapshotDiff) -> dict[str, Any]:
    """The diff as JSON-ready data: counts, schema changes and the samples, keys as {column: value}; a cell's
    `unfit` lists the sides whose value did not fit the column's type and is given as its text (a whole row's,
    its columns whose value did); `truncated` is
    true when `limit` left differences out of the samples."""
    diff = result.diff

    def key(value: Key) -> dict[str, Any]:
        return dict(zip(diff.key, diff.key_values(value), strict=True))

    def row(sample: Row) -> dict[str, Any]:
        values = dict(zip(diff.columns, sample.values, strict=True))
        return {
            "copies": sample.copies,
            "values": values,
            "unfit": [c for c, v in values.items() if isinstance(v, Unfit)],
        }

    return {
        "dataset": result.dataset,
        "old_version": result.old_version,
        "new_version": result.new_version,
        "mode": diff.mode,
        "key": list(diff.key),
        "columns": list(diff.columns),
        "rows": {"old": diff.old_rows, "new": diff.new_rows},
        "added": diff.added,
        "removed": diff.removed,
        "changed": diff.changed,
        "unchanged": diff.unchanged,
        "changed_cells": diff.changed_cells,
        "schema": [
            {
                "change": c.kind,
                "old": {"name": c.old.name, "type": c.old.type} if c.old else None,
                "new": {"name": c.new.name, "type": c.new.type} if c.new else None,
                "share": c.share,
            }
            for c in diff.schema
        ],
        "duplicate_keys": diff.duplicate_keys,
        "duplicates": [{"key": key(k), "old_rows": o, "new_rows": n} for k, (o, n) in diff.duplicates.items()],
        "cells": [
            {"key": key(c.key), "column": c.column, "old": c.old, "new": c.new, "unfit": _unfit_sides(c)}
            for c in diff.cells
        ],
        "added_keys": [key(k) for k in diff.added_keys],
        "removed_keys": [key(k) for k in diff.removed_keys],
        "added_rows": [row(r) for r in diff.added_rows],
        "removed_rows": [row(r) for r in diff.removed_rows],
        "limit": diff.limit,
        "truncated": diff.truncated,
    }


def _unfit_sides(cell: Cell) -> list[str]:
    """Which of the cell's values ('old', 'new') did not fit the column's type and are given as text."""
    return [side for side, value in (("old", cell.old), ("new", cell.new)) if isinstance(value, Unfit)]


# -- SQL ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pair:
    """A column as it is on each side. Of another type on each side, both are compared as VARCHAR."""

    old: Column
    new: Column

    def sql(self, side: Side, alias: str) -> str:
        column = self.old if side == "old" else self.new
        reference = f"{alias}.{quote(column.name)}"
        return f"CAST({reference} AS VARCHAR)" if self.old.type != self.new.type else reference

    def unfit(self, side: Side, alias: str, texts: str) -> str:
        """The text of this column's value that did not fit its type, from the row's map `texts` (else NULL)."""
        return f"{alias}.{quote(texts)}[{literal((self.old if side == 'old' else self.new).name)}]"


@dataclass(frozen=True)
class _Sides:
    """The two tables as CTEs ``o`` and ``n`` of aligned columns k0.. (the key), v0.. (values) and `present`
    (TRUE, so a row missing from an outer join shows), without the rows whose key is in `duplicates`."""

    old: str
    new: str
    keys: list[_Pair]
    duplicates: str | None
    row_hash: str | None = None  # a column of both tables holding each row's hash, the same on both sides
    unfit: str | None = None  # a MAP column of both tables: per row, the texts of the values that did not fit

    def ctes(self, values: Sequence[_Pair]) -> str:
        """CTEs o and n of k0.., v0.. (the `values`) and present."""
        return self._both(lambda side: _aliased([p.sql(side, "t") for p in values], "v"))

    def hashed_ctes(self, values: Sequence[_Pair]) -> str:
        """CTEs o and n of k0.., h (one 64-bit hash of the `values` in their order, or the stored `row_hash`), r
        (the rowid), u (the `unfit` map, else NULL) and present."""

        def columns(side: Side) -> list[str]:
            hashed = f"hash({', '.join(p.sql(side, 't') for p in values)})" if values else "0"
            hashed = f"t.{quote(self.row_hash)}" if self.row_hash else hashed
            return [f"{hashed} AS h", "t.rowid AS r", f"t.{quote(self.unfit)} AS u" if self.unfit else "NULL AS u"]

        return self._both(columns)

    def join(self) -> str:
        """The join condition of ``o`` and ``n`` on the key."""
        return " AND ".join(f"o.k{i} IS NOT DISTINCT FROM n.k{i}" for i in range(len(self.keys)))

    def table(self, side: Side) -> str:
        return self.old if side == "old" else self.new

    def matched_by_hash(self) -> str:
        """One row: how many pairs of rows, one of each table, have the same stored `row_hash` (pairs), and the
        rowids of the rows whose hash is on no row of the other table (old_rows, new_rows; NULL for none)."""
        assert self.row_hash, "the rows are matched by their stored hashes"
        hashed = [f"SELECT t.{quote(self.row_hash)} AS h, t.rowid AS r FROM {self.table(s)} AS t" for s in SIDES]
        return (
            "SELECT count(*) FILTER (WHERE o.r IS NOT NULL AND n.r IS NOT NULL) AS pairs, "
            "list(o.r) FILTER (WHERE n.r IS NULL) AS old_rows, list(n.r) FILTER (WHERE o.r IS NULL) AS new_rows "
            f"FROM ({hashed[0]}) AS o FULL JOIN ({hashed[1]}) AS n ON o.h = n.h"
        )

    def unmatched_ctes(self, values: Sequence[_Pair], unmatched: str) -> str:
        """CTEs m, the rowids in the table `unmatched` (see `matched_by_hash`) as old_row and new_row, and o and n
        of those rows' k0.., r (the rowid), v0.. (the `values`) and present."""
        m = f"m AS (SELECT unnest(old_rows) AS old_row, unnest(new_rows) AS new_row FROM {unmatched})"
        return f"{m}, {self._both(lambda side: ['t.rowid AS r', *self.values(side, values)], within='m')}"

    def values(self, side: Side, values: Sequence[_Pair]) -> list[str]:
        """The `values` of a row of `side` (alias t) as v0.., and with `unfit` their texts that did not fit as
        u0.."""
        selected = _aliased([p.sql(side, "t") for p in values], "v")
        return selected + (_aliased([p.unfit(side, "t", self.unfit) for p in values], "u") if self.unfit else [])

    def _both(self, columns: Callable[[Side], list[str]], within: str | None = None) -> str:
        return ", ".join(f"{s[0]} AS ({self._side(s, columns(s), within)})" for s in SIDES)

    def _side(self, side: Side, columns: list[str], within: str | None) -> str:
        keys = [p.sql(side, "t") for p in self.keys]
        select = f"SELECT {', '.join([*_aliased(keys, 'k'), *columns, 'TRUE AS present'])} FROM {self.table(side)} AS t"
        select += f" SEMI JOIN {within} ON t.rowid = {within}.{side}_row" if within else ""
        if self.duplicates is None:
            return select
        on = " AND ".join(f"{k} IS NOT DISTINCT FROM d.k{i}" for i, k in enumerate(keys))
        return f"{select} ANTI JOIN {self.duplicates} AS d ON {on}"


def _unfit_texts(con: duckdb.DuckDBPyConnection, tables: tuple[str, str], diff: Diff) -> tuple[Cell, ...]:
    """`diff.cells` with each empty old or new value that did not fit its type replaced by its text (`Unfit`),
    read from the `_invalid` maps of the old and the new table. The old table's map names a renamed column by
    its old name."""
    old_names = {c.new.name: c.old.name for c in diff.schema if c.kind == "renamed" and c.old and c.new}
    found = [_invalid_texts(con, table, diff.key) for table in tables]

    def text(side: int, cell: Cell, value: Any) -> Any:
        column = old_names.get(cell.column, cell.column) if side == 0 else cell.column
        unfit = found[side].get(cell.key, {}).get(column) if value is None else None
        return value if unfit is None else Unfit(unfit)

    return tuple(cell._replace(old=text(0, cell, cell.old), new=text(1, cell, cell.new)) for cell in diff.cells)


def _invalid_texts(con: duckdb.DuckDBPyConnection, table: str, key: Sequence[str]) -> dict[Key, dict[str, str]]:
    """Per key, the `_invalid` map of the rows of `table` that have one ({} when the table has no such column)."""
    reference = _reference(table)
    if INVALID not in {str(r[0]) for r in con.execute(f"DESCRIBE {reference}").fetchall()}:
        return {}
    keys = ", ".join(quote(k) for k in key)
    rows = con.execute(f"SELECT {keys}, {quote(INVALID)} FROM {reference} WHERE {quote(INVALID)} IS NOT NULL")
    return {_key(row[:-1]): dict(row[-1]) for row in rows.fetchall()}


def _reference(name: str) -> str:
    """`name` (table, schema.table or catalog.schema.table, quoted or not) with every part quoted."""
    return ".".join(quote(part.name) for part in exp.to_table(name, dialect="duckdb").parts)


def _columns(con: duckdb.DuckDBPyConnection, reference: str, name: str) -> dict[str, Column]:
    """The table's columns by name, in table order. StoreError when it is missing."""
    try:
        described = con.execute(f"DESCRIBE {reference}").fetchall()
    except duckdb.CatalogException:
        raise StoreError(f"there is no table {name}", hint="`peil history DATASET` lists the snapshots.") from None
    return {str(r[0]): Column(str(r[0]), str(r[1])) for r in described}


def _require_table(con: duckdb.DuckDBPyConnection, reference: str, name: str) -> None:
    """StoreError when `reference` has no rowid, as a view: a diff by key fetches the changed rows by rowid."""
    try:
        con.execute(f"SELECT rowid FROM {reference} LIMIT 0")
    except duckdb.BinderException:
        hint = "Make a table of it (CREATE TABLE ... AS SELECT ...) and compare that."
        raise StoreError(f"{name} is a view: a diff by key compares tables", hint=hint) from None


def _has_values(con: duckdb.DuckDBPyConnection, reference: str, column: str) -> bool:
    """Whether `column` holds a value on some row (answered from the column's statistics when it holds none)."""
    return bool(_one(con, f"SELECT EXISTS (SELECT 1 FROM {reference} WHERE {quote(column)} IS NOT NULL)")[0])


def _count(con: duckdb.DuckDBPyConnection, reference: str) -> int:
    return int(_one(con, f"SELECT count(*) FROM {reference}")[0])


def _aliased(expressions: Sequence[str], prefix: str) -> list[str]:
    return [f"{e} AS {prefix}{i}" for i, e in enumerate(expressions)]


def _names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


def _stacked(old: str, new: str, columns: Sequence[_Pair], prefix: str, unfit: str | None = None) -> str:
    """Both tables' `columns` as `prefix`0.. under one another, with in_old telling which table a row is from;
    with `unfit`, each column's text that did not fit its type as u0.. too."""

    def select(side: Side) -> list[str]:
        selected = _aliased([p.sql(side, "t") for p in columns], prefix)
        return selected + (_aliased([p.unfit(side, "t", unfit) for p in columns], "u") if unfit else [])

    return (
        f"SELECT {', '.join([*select('old'), 'TRUE AS in_old'])} FROM {old} AS t "
        f"UNION ALL SELECT {', '.join([*select('new'), 'FALSE'])} FROM {new} AS t"
    )


@contextmanager
def _scratch(con: duckdb.DuckDBPyConnection, *names: str) -> Iterator[tuple[str, ...]]:
    """References to temporary tables, one per name, unique to this call; dropped when the block ends."""
    tag = uuid.uuid4().hex[:12]
    tables = tuple(f"temp.main.{quote(f'peil_diff_{tag}_{name}')}" for name in names)
    try:
        yield tables
    finally:
        for table in tables:
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _has_duplicates(
    con: duckdb.DuckDBPyConnection, sides: _Sides, table: str, counts: tuple[int, int], known_unique: bool
) -> bool:
    """Whether a key is on more than one row of either table, told from the differences in `table` (written
    without leaving any key out) and, unless the key is `known_unique` in one table, one count of matched pairs,
    which is cheaper than counting every key.

    A key on a rows of the old table and b of the new one gives a*b matched pairs, or a removed (b = 0) or b
    added (a = 0) rows; a key added or removed twice shows in `table` twice. The old rows that are not removed
    add up to the sum of a over the matched keys, the new rows that are not added to the sum of b. When b = 1
    for every key (or a = 1) the two sums are equal exactly when a = 1 (b = 1) as well; else they are equal to
    the matched pairs, the sum of a*b, exactly when every matched key has a = b = 1.
    """
    keys = ", ".join(_names("k", len(sides.keys)))
    added, removed, repeated = _one(
        con,
        "SELECT count(*) FILTER (WHERE status = 'added'), count(*) FILTER (WHERE status = 'removed'), "
        f"(SELECT count(*) FROM (SELECT status, {keys} FROM {table} WHERE status <> 'changed' "
        f"GROUP BY ALL HAVING count(*) > 1)) FROM {table}",
    )
    matched = {counts[0] - removed, counts[1] - added}
    if not known_unique:
        matched.add(_one(con, f"WITH {sides.ctes([])} SELECT count(*) FROM o JOIN n ON {sides.join()}")[0])
    return bool(repeated) or len(matched) > 1


def _duplicates(con: duckdb.DuckDBPyConnection, old: str, new: str, keys: list[_Pair], table: str) -> str:
    """Write the keys on more than one row of either table into `table` as (k0.., old_rows, new_rows)."""
    columns = [*_names("k", len(keys)), "count_if(in_old) AS old_rows", "count_if(NOT in_old) AS new_rows"]
    con.execute(
        f"CREATE TEMP TABLE {table} AS SELECT {', '.join(columns)} FROM ({_stacked(old, new, keys, 'k')}) "
        "GROUP BY ALL HAVING old_rows > 1 OR new_rows > 1"
    )
    return table


def _renames(
    con: duckdb.DuckDBPyConnection, sides: _Sides, removed: list[Column], added: list[Column]
) -> list[tuple[_Pair, float]]:
    """The removed columns whose values match an added column's on at least RENAME_SHARE of the matched rows
    where either has a value, as (pair, share), best matches first, each column in one pair at most."""
    candidates = [_Pair(old, new) for old in removed for new in added]
    if not candidates:
        return []
    counts = ", ".join(
        f"count(*) FILTER (WHERE o.v{i} IS NOT DISTINCT FROM n.v{i} AND o.v{i} IS NOT NULL), "
        f"count(*) FILTER (WHERE o.v{i} IS NOT NULL OR n.v{i} IS NOT NULL)"
        for i in range(len(candidates))
    )
    row = con.execute(f"WITH {sides.ctes(candidates)} SELECT {counts} FROM o JOIN n ON {sides.join()}").fetchone()
    assert row is not None
    shares = [(pair, row[2 * i] / row[2 * i + 1]) for i, pair in enumerate(candidates) if row[2 * i + 1]]
    chosen: list[tuple[_Pair, float]] = []
    for pair, share in sorted(shares, key=lambda found: -found[1]):
        taken = {p.old.name for p, _ in chosen} | {p.new.name for p, _ in chosen}
        if share >= RENAME_SHARE and pair.old.name not in taken and pair.new.name not in taken:
            chosen.append((pair, share))
    return chosen


def _renamed_key(keys: list[_Pair], diff: Diff) -> tuple[SchemaChange, ...]:
    """A key column renamed, as a rename whose share is that of the rows with a key on either side whose key is
    on both: the rows matched."""
    matched = diff.changed + diff.unchanged
    share = matched / (matched + diff.added + diff.removed) if matched else 0.0
    return tuple(SchemaChange("renamed", p.old, p.new, share) for p in keys if p.old.name != p.new.name)


def _schema_changes(
    renames: list[tuple[_Pair, float]], removed: list[Column], added: list[Column], kept: list[_Pair]
) -> tuple[SchemaChange, ...]:
    return (
        *(SchemaChange("renamed", p.old, p.new, share) for p, share in renames),
        *(SchemaChange("removed", c, None) for c in removed),
        *(SchemaChange("added", None, c) for c in added),
        *(SchemaChange("type changed", p.old, p.new) for p in kept if p.old.type != p.new.type),
    )


def _write_differences(
    con: duckdb.DuckDBPyConnection,
    sides: _Sides,
    values: list[_Pair],
    table: str,
    counts: tuple[int, int],
    known_unique: Collection[Side],
) -> None:
    """Write the added, removed and changed rows into `table` as (status, k0.., o0.., n0.., c0..): the key,
    the old and new values and whether each differs (these three are read on changed rows only).

    Two steps, so that no join of every row carries the values. The first finds the candidates: the keys
    added, removed, or whose rows' hashes differ, by the rows' stored hashes (`_hash_matched`, which reads
    their values in the same pass), else by the key with the rowid of each side's row, by which their values
    are then fetched (`_key_candidates`, `_fetched`). The second compares the candidates' values exactly, which
    also drops a pair whose values are equal though hashed apart. With `sides.unfit`, a row whose map of texts
    that did not fit differs is a candidate too, and a cell is changed when its value or its text differs.
    """
    nk, nv = len(sides.keys), len(values)
    differs = [
        f"ov{i} IS DISTINCT FROM nv{i}" + (f" OR ou{i} IS DISTINCT FROM nu{i}" if sides.unfit else "")
        for i in range(nv)
    ]
    columns = [*_names("k", nk), *(f"ov{i} AS o{i}" for i in range(nv)), *(f"nv{i} AS n{i}" for i in range(nv))]
    columns += [f"{d} AS c{i}" for i, d in enumerate(differs)]
    by_hash = set(known_unique) == set(SIDES) and sides.row_hash and not sides.unfit and sides.duplicates is None
    with _scratch(con, "unmatched", "candidates") as (unmatched, candidates):
        pairs = _hash_matched(con, sides, values, unmatched, counts) if by_hash else None
        if pairs is None:
            _key_candidates(con, sides, values, candidates)
            pairs = _fetched(sides, values, candidates)
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT status, {', '.join(columns)} FROM {pairs} "
            f"WHERE status <> 'changed' OR {' OR '.join(f'({d})' for d in differs) or 'FALSE'}"
        )


def _paired(sides: _Sides, carried: Sequence[str] = ()) -> str:
    """The rows of CTEs o and n (see `_Sides`) fully joined on the key, as (status, k0.., old_row, new_row) and
    the `carried` columns (see `_carried`)."""
    keys = [f"coalesce(o.k{i}, n.k{i}) AS k{i}" for i in range(len(sides.keys))]
    return (
        "SELECT CASE WHEN o.present IS NULL THEN 'added' WHEN n.present IS NULL THEN 'removed' "
        f"ELSE 'changed' END AS status, {', '.join([*keys, 'o.r AS old_row', 'n.r AS new_row', *carried])} "
        f"FROM o FULL JOIN n ON {sides.join()}"
    )


def _carried(count: int, *, unfit: bool) -> list[str]:
    """Both rows' first `count` values (v0..) of a pair of rows o and n as ov0.., nv0.., and with `unfit` their
    texts that did not fit (u0..) as ou0.., nu0.."""
    names = _names("v", count) + (_names("u", count) if unfit else [])
    return [f"{side}.{name} AS {side}{name}" for side in "on" for name in names]


def _key_candidates(con: duckdb.DuckDBPyConnection, sides: _Sides, values: list[_Pair], table: str) -> None:
    """Write into `table` the candidates (see `_paired`) of one FULL OUTER JOIN of the tables on the key, which
    carries each row's hash of its values (the stored one when `sides.row_hash`) instead of the values: the keys
    on one side only and the pairs whose hashes (or maps of texts that did not fit) differ. A changed row is
    missed only when the 64-bit hashes of its two versions collide: a chance of 1 in 2^64 (1.8e19) for each
    changed row."""
    con.execute(
        f"CREATE TEMP TABLE {table} AS WITH {sides.hashed_ctes(values)} {_paired(sides)} "
        "WHERE o.present IS NULL OR n.present IS NULL OR o.h <> n.h OR o.u IS DISTINCT FROM n.u"
    )


def _fetched(sides: _Sides, values: list[_Pair], candidates: str) -> str:
    """The candidates of `_key_candidates` with their rows' values, fetched by rowid, as (status, k0.., ov0..,
    nv0.. and with `sides.unfit` ou0.., nu0..)."""
    carried = _carried(len(values), unfit=bool(sides.unfit))
    rows = [
        f"(SELECT {', '.join(['t.rowid AS r', *sides.values(s, values)])} FROM {sides.table(s)} AS t)" for s in SIDES
    ]
    keys = [f"c.{k}" for k in _names("k", len(sides.keys))]
    return (
        f"(SELECT c.status, {', '.join([*keys, *carried])} FROM {candidates} AS c LEFT JOIN {rows[0]} AS o "
        f"ON o.r = c.old_row LEFT JOIN {rows[1]} AS n ON n.r = c.new_row)"
    )


def _hash_matched(
    con: duckdb.DuckDBPyConnection, sides: _Sides, values: list[_Pair], unmatched: str, counts: tuple[int, int]
) -> str | None:
    """The candidates (see `_paired`) with their values, found by a FULL OUTER JOIN on the stored row hashes
    alone, for tables whose key is on one row at most in each and whose rows carry no texts that did not fit:
    SQL reading the table `unmatched`, which this writes.

    A row whose hash is on a row of the other table is unchanged. Only the rows whose hash is not, a few in a
    diff, are then read with their values and joined on the key. The join on eight bytes a row is about a third
    cheaper than the join on the key with the hash, and the values are read in the same pass as the keys.

    Returns None when the rows were not matched one to one, because two rows of a table hash alike: then the
    pairs of rows with equal hashes outnumber the old or the new rows that found one (a hash on a rows of the
    old table and b of the new makes a*b pairs of a and b rows, and a*b = a = b only when a = b = 1). A match
    one to one can still be wrong, by chance: a removed or changed old row whose hash is that of an added or
    changed new row of another key is taken for it. The two are then missing from the diff, and the other
    versions of their keys, where there are any, are reported added or removed instead of changed. The chance
    is 1 in 2^64 for each such pair of rows: for 50,000 changed rows, 1 in 7e9 diffs (the join on the key
    misses a changed row with a chance of 1 in 2^64 for each).
    """
    con.execute(f"CREATE TEMP TABLE {unmatched} AS {sides.matched_by_hash()}")
    pairs, old_rows, new_rows = _one(
        con, f"SELECT pairs, coalesce(len(old_rows), 0), coalesce(len(new_rows), 0) FROM {unmatched}"
    )
    if not pairs == counts[0] - old_rows == counts[1] - new_rows:
        return None
    return f"(WITH {sides.unmatched_ctes(values, unmatched)} {_paired(sides, _carried(len(values), unfit=False))})"


def _key_diff(
    con: duckdb.DuckDBPyConnection,
    sides: _Sides,
    values: list[_Pair],
    table: str,
    counts: tuple[int, int],
    schema: tuple[SchemaChange, ...],
    limit: int | None,
) -> Diff:
    """Read the counts and the samples from the differences in `table` (see `_write_differences`)."""
    nk, nv = len(sides.keys), len(values)
    counts_of = ["status = 'added'", "status = 'removed'", "status = 'changed'"]
    counts_of += [f"status = 'changed' AND c{i}" for i in range(nv)]
    found = _one(con, f"SELECT {', '.join(f'count(*) FILTER (WHERE {c})' for c in counts_of)} FROM {table}")
    added, removed, changed = found[:3]
    changed_cells = {p.new.name: n for p, n in zip(values, found[3:], strict=True) if n}
    keys = ", ".join(_names("k", nk))
    samples = {
        status: [_key(r) for r in _fetch(con, f"SELECT {keys} FROM {table} WHERE status = ?", limit, status)]
        for status in ("added", "removed")
    }
    cells = _changed_cells(con, table, nk, values, limit)
    duplicates, duplicate_keys, duplicate_rows = _duplicate_sample(con, sides.duplicates, nk, limit)
    return Diff(
        mode="key",
        key=tuple(p.new.name for p in sides.keys),
        columns=tuple(p.new.name for p in values),
        old_rows=counts[0],
        new_rows=counts[1],
        added=added,
        removed=removed,
        changed=changed,
        unchanged=counts[1] - duplicate_rows - added - changed,
        changed_cells=changed_cells,
        schema=schema,
        duplicate_keys=duplicate_keys,
        duplicates=duplicates,
        added_keys=tuple(samples["added"]),
        removed_keys=tuple(samples["removed"]),
        cells=cells,
        added_rows=(),
        removed_rows=(),
        limit=limit,
        truncated=(len(cells), len(samples["added"]), len(samples["removed"]), len(duplicates))
        != (sum(changed_cells.values()), added, removed, duplicate_keys),
    )


def _changed_cells(
    con: duckdb.DuckDBPyConnection, table: str, nk: int, values: list[_Pair], limit: int | None
) -> Sequence[Cell]:
    """The first `limit` changed cells in `table` (see `_write_differences`), by key and then column order. One
    SELECT per column reads its changed cells only, as (k0.., i, o<i>, n<i>); UNION ALL BY NAME puts them under
    one another, each column in its own type, NULL in the other rows, so no unchanged value is fetched."""
    keys = ", ".join(_names("k", nk))
    selects = [
        f"SELECT {keys}, {i} AS i, o{i}, n{i} FROM {table} WHERE status = 'changed' AND c{i}"
        for i in range(len(values))
    ]
    if not selects:
        return ()
    columns = [keys, "i", *(f"o{i}, n{i}" for i in range(len(values)))]
    rows = _fetch(con, f"SELECT {', '.join(columns)} FROM ({' UNION ALL BY NAME '.join(selects)})", limit)
    names = [p.new.name for p in values]
    at = [row[nk] for row in rows]  # the column; its old and new value are the (i + 1)th pair after it
    return Cells(
        [row[0] for row in rows] if nk == 1 else [row[:nk] for row in rows],
        [names[i] for i in at],
        [row[nk + 1 + 2 * i] for row, i in zip(rows, at, strict=True)],
        [row[nk + 2 + 2 * i] for row, i in zip(rows, at, strict=True)],
    )


def _duplicate_sample(
    con: duckdb.DuckDBPyConnection, table: str | None, nk: int, limit: int | None
) -> tuple[dict[Key, tuple[int, int]], int, int]:
    """From the duplicates table (None: there are none): the first `limit` keys with their (old, new) row
    counts, how many keys there are, and how many new rows they are on."""
    if table is None:
        return {}, 0, 0
    rows = _fetch(con, f"SELECT {', '.join(_names('k', nk))}, old_rows, new_rows FROM {table}", limit)
    total = _one(con, f"SELECT count(*), sum(new_rows) FROM {table}")
    return {_key(r[:nk]): (int(r[nk]), int(r[nk + 1])) for r in rows}, int(total[0]), int(total[1])


def _row_hash_diff(
    con: duckdb.DuckDBPyConnection,
    tables: tuple[str, str],
    values: list[_Pair],
    table: str,
    counts: tuple[int, int],
    schema: tuple[SchemaChange, ...],
    limit: int | None,
    unfit: str | None,
) -> Diff:
    """Count every distinct row's copies on each side in one aggregate; write the rows whose counts differ
    into `table` as (v0.., [u0..,] old_copies, new_copies) and read the counts and samples from it. With
    `unfit`, a value that did not fit its type is part of its row as its text (u0..), shown as an `Unfit`."""
    columns = _names("v", len(values)) + (_names("u", len(values)) if unfit else [])
    copies = ["count_if(in_old) AS old_copies", "count_if(NOT in_old) AS new_copies"]
    stacked = _stacked(*tables, values, "v", unfit)
    con.execute(
        f"CREATE TEMP TABLE {table} AS SELECT {', '.join([*columns, *copies])} FROM ({stacked}) "
        "GROUP BY ALL HAVING old_copies <> new_copies"
    )
    more = {"added": "new_copies - old_copies", "removed": "old_copies - new_copies"}
    found = _one(
        con,
        f"SELECT sum(greatest({more['added']}, 0)), sum(greatest({more['removed']}, 0)), "
        f"count(*) FILTER (WHERE {more['added']} > 0), count(*) FILTER (WHERE {more['removed']} > 0) FROM {table}",
    )
    added, removed = int(found[0] or 0), int(found[1] or 0)
    samples = {
        change: tuple(
            Row(_shown(r[: len(values)], r[len(values) : -1]), int(r[-1]))
            for r in _fetch(con, f"SELECT {', '.join([*columns, extra])} FROM {table} WHERE {extra} > 0", limit)
        )
        for change, extra in more.items()
    }
    return Diff(
        mode="row hash",
        key=(),
        columns=tuple(p.new.name for p in values),
        old_rows=counts[0],
        new_rows=counts[1],
        added=added,
        removed=removed,
        changed=0,
        unchanged=counts[0] - removed,
        changed_cells={},
        schema=schema,
        duplicate_keys=0,
        duplicates={},
        added_keys=(),
        removed_keys=(),
        cells=(),
        added_rows=samples["added"],
        removed_rows=samples["removed"],
        limit=limit,
        truncated=(len(samples["added"]), len(samples["removed"])) != (found[2], found[3]),
    )


def _one(con: duckdb.DuckDBPyConnection, select: str) -> tuple[Any, ...]:
    """The one row of an aggregate `select` over our own temporary tables."""
    row = con.execute(select).fetchone()
    assert row is not None
    return row


def _fetch(con: duckdb.DuckDBPyConnection, select: str, limit: int | None, *params: Any) -> list[tuple[Any, ...]]:
    """The first `limit` rows of `select` (all when None), ordered by all its columns from the left."""
    if limit is None:
        return con.execute(f"{select} ORDER BY ALL", params).fetchall()
    return con.execute(f"{select} ORDER BY ALL LIMIT ?", [*params, limit]).fetchall()


def _shown(values: Sequence[Any], texts: Sequence[str | None]) -> tuple[Any, ...]:
    """A row's values, each that did not fit its type (NULL, with a text in `texts`) as that text (`Unfit`)."""
    return tuple(v if t is None else Unfit(t) for v, t in zip(values, [*texts] or [None] * len(values), strict=True))


def _key_renamed(
    con: duckdb.DuckDBPyConnection, old: _Version, new: _Version, columns: list[dict[str, Column]]
) -> list[str]:
    """The old version's key when the new one declares it with one or more of its columns under other names,
    column for column (each old name gone from the new table, its new one absent from the old; a compound key's
    other columns the same in both), and at least KEY_RENAME_SHARE of the old keys are keys of the new version;
    [] otherwise."""
    before, after = columns
    pairs = list(zip(old.key, new.key, strict=False))
    renamed = (
        bool(old.key)
        and len(old.key) == len(new.key)
        and all(o in before and n in after for o, n in pairs)
        and all(o == n or (o not in after and n not in before) for o, n in pairs)
    )
    if not renamed:
        return []
    tuples = [f"({', '.join(quote(k) for k in names)})" for names in (old.key, new.key)]
    (share,) = _one(
        con,
        f"SELECT count(*) FILTER (WHERE k IN (SELECT {tuples[1]} FROM {_reference(new.table)})) / "
        f"greatest(count(*), 1) FROM (SELECT DISTINCT {tuples[0]} AS k FROM {_reference(old.table)})",
    )
    return list(old.key) if share >= KEY_RENAME_SHARE else []


def _key(values: Sequence[Any]) -> Key:
    return values[0] if len(values) == 1 else tuple(values)


@dataclass(frozen=True)
class _Version:
    """A snapshot: its table, its primary key, and whether its primary_key check found the key filled and unique
    on every row at ingest (False also when that is not known: no such check ran, or the warehouse is older)."""

    table: str
    key: list[str]
    key_unique: bool


def _snapshot_tables(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[int, _Version]:
    """Every version of `dataset`. StoreError when it has no snapshots."""
    found = con.execute("SELECT * FROM meta.snapshots WHERE dataset = ? ORDER BY version", [dataset])
    names = [column[0] for column in found.description]
    rows = [dict(zip(names, row, strict=True)) for row in found.fetchall()]
    if not rows:
        known = [r[0] for r in con.execute("SELECT DISTINCT dataset FROM meta.snapshots ORDER BY 1").fetchall()]
        raise StoreError(
            f"no snapshots of '{dataset}'",
            hint=f"Known datasets: {', '.join(known) or 'none (run peil build)'}.",
        )
    return {
        int(r["version"]): _Version(
            str(r["table_name"]), _primary_key(json.loads(r["schema_json"])), bool(r.get("key_unique"))
        )
        for r in rows
    }


def _primary_key(schema: dict[str, Any]) -> list[str]:
    """The primaryKey of a Frictionless Table Schema, which may name one field or list several."""
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else [str(k) for k in key]
