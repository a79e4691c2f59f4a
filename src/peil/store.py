"""The warehouse: one DuckDB file holding every snapshot of every dataset, the builds and the audit log.

Layout of `.peil/warehouse.duckdb`:

- ``raw."<dataset>__v<version>"``: one table per snapshot, append-only: a build never overwrites or deletes one.
  Columns are the schema's fields in order, then ``_file``, ``_sheet`` and ``_row`` (where each row came from).
- ``main.<dataset>``: a view on the dataset's current snapshot, without the lineage columns and without the rows
  its checks quarantined (``meta.quarantine``; see peil.quality and docs/quality.md).
- ``main.<model>``: one table per model, rebuilt by every build.
- ``meta.snapshots``, ``meta.builds``, ``meta.indicator_values``, ``meta.lineage``, ``meta.audit_log``;
  ``meta.quarantine``, ``meta.check_results``, ``meta.quality_scores`` (peil.quality.run.SCHEMA).
  ``meta.snapshots.key_unique`` is TRUE when the snapshot's primary_key check found its primary key filled and
  unique on every row at ingest, FALSE when it did not, NULL when no such check ran (or the snapshot predates
  the column); peil.diff then skips its own check for duplicate keys.

DuckDB allows one writing process at a time; the store opens the file read-write only for a build and
read-only for everything else (queries, reports). Each snapshot is made in one transaction, so a failure or a
killed process leaves the previous state intact.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from peil.errors import StoreError, TypeMismatch
from peil.quality import quarantine
from peil.quality import run as checks
from peil.quality.declarations import effective, references
from peil.sources import LoadResult, SourceFile, load_into, source_files
from peil.sources.conform import DUCKDB_TYPES
from peil.sources.excel import read_sheet
from peil.sources.files import local_path
from peil.sources.table import HIDDEN, INVALID, LINEAGE, ROW_HASH, row_hash
from peil.workspace import Source

_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SEQUENCE IF NOT EXISTS meta.build_ids START 1;
CREATE SEQUENCE IF NOT EXISTS meta.snapshot_ids START 1;
CREATE TABLE IF NOT EXISTS meta.builds (
    build_id BIGINT PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status VARCHAR NOT NULL,
    summary_json VARCHAR
);
CREATE TABLE IF NOT EXISTS meta.snapshots (
    snapshot_id BIGINT PRIMARY KEY,
    dataset VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    definition_hash VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    row_count BIGINT NOT NULL,
    table_name VARCHAR NOT NULL,
    schema_json VARCHAR NOT NULL,
    files_json VARCHAR NOT NULL,
    warnings_json VARCHAR NOT NULL,
    build_id BIGINT NOT NULL,
    UNIQUE (dataset, version)
);
ALTER TABLE meta.snapshots ADD COLUMN IF NOT EXISTS key_unique BOOLEAN;
CREATE TABLE IF NOT EXISTS meta.indicator_values (
    build_id BIGINT NOT NULL,
    indicator VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    value DOUBLE
);
CREATE TABLE IF NOT EXISTS meta.lineage (
    build_id BIGINT NOT NULL,
    node VARCHAR NOT NULL,
    node_kind VARCHAR NOT NULL,
    upstream VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS meta.audit_log (
    logged_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    detail VARCHAR
);
"""


@dataclass(frozen=True)
class Snapshot:
    """One load of a source: which files, with which content hash, when, how many rows, in which table."""

    snapshot_id: int
    dataset: str
    version: int
    content_hash: str
    created_at: datetime
    row_count: int
    table_name: str
    files: list[dict[str, Any]]
    warnings: list[str]
    build_id: int


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one source did: the snapshot now current, and whether this build made it."""

    snapshot: Snapshot
    created: bool
    quality: checks.Evaluation


def quote(identifier: str) -> str:
    """A DuckDB identifier in double quotes, inner quotes doubled."""
    return '"' + identifier.replace('"', '""') + '"'


def content_hash(files: list[SourceFile]) -> str:
    """SHA-256 over the sorted (path, file SHA-256) pairs: equal exactly when the same bytes sit at the same paths."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        digest.update(f"{f.path}\0{f.sha256}\n".encode())
    return digest.hexdigest()


def definition_hash(source: Source, referenced: dict[str, int | None] | None = None) -> str:
    """SHA-256 of what decides how the files are read and which rows pass: format, options, schema, the checks
    (without their descriptions) and the snapshot ids of the datasets the checks read (`referenced`)."""
    declared = source.model_dump(mode="json", by_alias=True, include={"format", "options", "table_schema"})
    declared["checks"] = [c.model_dump(mode="json", exclude={"description"}) for c in effective(source)]
    declared["referenced"] = referenced or {}
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest()


class Warehouse:
    """The DuckDB warehouse of one workspace. Use `Warehouse.open` as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only

    @classmethod
    @contextmanager
    def open(cls, path: Path, *, read_only: bool = False) -> Iterator[Warehouse]:
        """Open the warehouse file; read-write creates it and its tables when missing.

        Raises StoreError when a read-only open finds no warehouse (nothing built yet) or the file is locked by
        another writing process.
        """
        if read_only and not path.exists():
            raise StoreError(f"no warehouse at {path}", hint="Run `peil build` first.")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(
                f"cannot open the warehouse {path}: {exc}",
                hint="Another peil process may be building; wait for it to finish.",
            ) from None
        try:
            if not read_only:
                con.execute(_SCHEMA + checks.SCHEMA)
            yield cls(con, path, read_only)
        finally:
            con.close()

    # -- builds and audit ------------------------------------------------------------------------------------

    def start_build(self) -> int:
        """Record a new build as running and return its id."""
        row = self.con.execute(
            "INSERT INTO meta.builds VALUES (nextval('meta.build_ids'), now(), NULL, 'running', NULL) "
            "RETURNING build_id"
        ).fetchone()
        assert row is not None
        self.audit("build.start", {"build_id": row[0]})
        return int(row[0])

    def finish_build(self, build_id: int, status: str, summary: dict[str, Any]) -> None:
        """Mark a build ok or failed, with its summary."""
        self.con.execute(
            "UPDATE meta.builds SET finished_at = now(), status = ?, summary_json = ? WHERE build_id = ?",
            [status, json.dumps(summary, default=str), build_id],
        )
        self.audit(f"build.{status}", {"build_id": build_id})

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        """Append one line to the audit log: who (the OS user) did what."""
        actor = os.environ.get("PEIL_USER") or os.environ.get("USER") or "unknown"
        self.con.execute(
            "INSERT INTO meta.audit_log (actor, action, detail) VALUES (?, ?, ?)",
            [actor, action, json.dumps(detail, default=str)],
        )

    # -- snapshots -------------------------------------------------------------------------------------------

    def ingest(self, source: Source, root: Path, build_id: int) -> IngestResult:
        """Make a snapshot of `source` unless its files and declaration are unchanged since the current one.

        The snapshot table, its metadata and the current view are written in one transaction: on any error
        nothing of this ingest remains. The source's checks run on the new snapshot in the same transaction: rows
        failing an error check are quarantined, and every check's result is recorded for `build_id`. A source
        whose checks read other datasets gets a new snapshot when one of those has a new one.

        Raises SourceError from the readers (missing file, ...), WorkspaceError when a check cannot run.
        """
        files = source_files(source, root)
        referenced = {name: self._current_id(name) for name in sorted(references(source))}
        hashed, defined = content_hash(files), definition_hash(source, referenced)
        current = self.current_snapshot(source.name)
        if current is not None and self._hashes(current.snapshot_id) == (hashed, defined):
            return IngestResult(current, created=False, quality=self.check(source, build_id))
        version = (current.version + 1) if current else self._next_version(source.name)
        table = f"raw.{quote(f'{source.name}__v{version}')}"
        self.con.execute("BEGIN TRANSACTION")
        try:
            loaded = self._load(source, root, files, table)
            read = self._files_read(source, root, files, table)
            snapshot = self._record(source, version, table, read, hashed, defined, loaded, build_id)
            now = datetime.now(UTC)
            with checks.evaluate(self.con, source, snapshot, current, now, keep_failures=True) as evaluation:
                quarantine.keep(self.con, evaluation)
                checks.record(self.con, build_id, evaluation)
            self.con.execute(
                "UPDATE meta.snapshots SET key_unique = ? WHERE snapshot_id = ?",
                [_key_unique(source, evaluation), snapshot.snapshot_id],
            )
            self._replace_view(source, snapshot)
            self.audit("snapshot.create", {"dataset": source.name, "version": version, "rows": loaded.row_count})
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return IngestResult(snapshot, created=True, quality=evaluation)

    def _load(self, source: Source, root: Path, files: list[SourceFile], table: str) -> LoadResult:
        """Load strictly, the fast path; when a value does not fit its type, which aborts the transaction, start
        it again and load leniently, so the row is kept and its check `type` quarantines it."""
        try:
            return load_into(self.con, source, root, files, table)
        except TypeMismatch:
            self.con.execute("ROLLBACK")
            self.con.execute("BEGIN TRANSACTION")
            return load_into(self.con, source, root, files, table, lenient=True)

    def ingest_version(
        self,
        source: Source,
        reader: Source,
        columns: dict[str, str | None],
        root: Path,
        build_id: int,
    ) -> Snapshot:
        """Make a new snapshot of `source` from a file it does not declare: an earlier copy of its data.

        `reader` reads the copy (its path, format and options, and fields named as the copy's header names them,
        typed as `source` types them); `columns` maps each field of `source` to the reader's field holding it, or
        None when the copy lacks it (the column is then empty). The snapshot's table has `source`'s fields in order
        and becomes the current one, made in one transaction as `ingest` makes one; no checks run on it. Raises
        SourceError from the readers, which leave out the rows below the table (a total, a note) as they always do.
        """
        files = source_files(reader, root)
        version = self._next_version(source.name)
        table = f"raw.{quote(f'{source.name}__v{version}')}"
        scratch = f"main.{quote(f'peil_version_{source.name}_{version}')}"  # dropped before the commit
        fields = ", ".join(
            f"{quote(name) if name else f'CAST(NULL AS {DUCKDB_TYPES[f.type]})'} AS {quote(f.name)}"
            for f, name in ((f, columns.get(f.name)) for f in source.table_schema.fields)
        )
        self.con.execute("BEGIN TRANSACTION")
        try:
            loaded = load_into(self.con, reader, root, files, scratch)
            copied = f"SELECT {fields}, {', '.join([*LINEAGE, INVALID])} FROM {scratch}"  # noqa: S608
            fresh = row_hash(source.table_schema.fields)
            self.con.execute(f"CREATE TABLE {table} AS SELECT *, {fresh} AS {ROW_HASH} FROM ({copied})")  # noqa: S608
            self.con.execute(f"DROP TABLE {scratch}")
            loaded.row_count = int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608
            hashed, defined = content_hash(files), definition_hash(reader)
            read = self._files_read(reader, root, files, table)
            snapshot = self._record(source, version, table, read, hashed, defined, loaded, build_id)
            self._replace_view(source, snapshot)
            self.audit("snapshot.create", {"dataset": source.name, "version": version, "file": files[0].path})
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return snapshot

    def check(self, source: Source, build_id: int | None = None) -> checks.Evaluation:
        """Run `source`'s checks on its current snapshot; with `build_id`, record the results for that build (the
        quarantine stays as the snapshot's own check left it). Writes nothing without `build_id`, so it runs on a
        read-only warehouse (`peil check`). Raises StoreError when the dataset has no snapshot."""
        snapshots = self.snapshots(source.name)
        previous = snapshots[-2] if len(snapshots) > 1 else None
        with checks.evaluate(self.con, source, snapshots[-1], previous, datetime.now(UTC)) as evaluation:
            if build_id is not None:
                self.con.execute("BEGIN TRANSACTION")
                try:
                    checks.record(self.con, build_id, evaluation)
                    self.con.execute("COMMIT")
                except BaseException:
                    self.con.execute("ROLLBACK")
                    raise
        return evaluation

    def _current_id(self, dataset: str) -> int | None:
        current = self.current_snapshot(dataset)
        return current.snapshot_id if current else None

    def _next_version(self, dataset: str) -> int:
        row = self.con.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM meta.snapshots WHERE dataset = ?", [dataset]
        ).fetchone()
        return int(row[0]) if row else 1

    def _hashes(self, snapshot_id: int) -> tuple[str, str]:
        row = self.con.execute(
            "SELECT content_hash, definition_hash FROM meta.snapshots WHERE snapshot_id = ?", [snapshot_id]
        ).fetchone()
        assert row is not None
        return str(row[0]), str(row[1])

    def _files_read(self, reader: Source, root: Path, files: list[SourceFile], table: str) -> list[dict[str, Any]]:
        """What ``meta.snapshots.files_json`` keeps of each file `reader` read into `table`: its path, SHA-256, size,
        modification time and `sheet`, the name of the sheet read from a workbook (None for other files), also when
        that sheet gave no rows (it is then looked up in the workbook, which reads that sheet again)."""
        workbook = reader.format == "excel"
        found: dict[str, str] = {}
        if workbook:
            grouped = f"SELECT _file, any_value(_sheet) FROM {table} GROUP BY _file"  # noqa: S608 -- ours, quoted
            found = {str(file): str(sheet) for file, sheet in self.con.execute(grouped).fetchall()}
        return [
            {
                "path": f.path,
                "sha256": f.sha256,
                "size": f.size,
                "modified": f.modified.isoformat(),
                "sheet": (found.get(f.path) or read_sheet(local_path(f, root), reader.options.sheet, f.path).name)
                if workbook
                else None,
            }
            for f in files
        ]

    def _record(
        self,
        source: Source,
        version: int,
        table: str,
        files: list[dict[str, Any]],
        hashed: str,
        defined: str,
        loaded: LoadResult,
        build_id: int,
    ) -> Snapshot:
        files_json = json.dumps(files)
        schema_json = source.table_schema.model_dump_json(by_alias=True)
        row = self.con.execute(
            "INSERT INTO meta.snapshots VALUES (nextval('meta.snapshot_ids'), ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, "
            "NULL) RETURNING snapshot_id",
            [
                source.name,
                version,
                hashed,
                defined,
                loaded.row_count,
                table,
                schema_json,
                files_json,
                json.dumps(loaded.warnings),
                build_id,
            ],
        ).fetchone()
        assert row is not None
        return self.snapshot(int(row[0]))

    def _replace_view(self, source: Source, snapshot: Snapshot) -> None:
        # Identifiers only: the dataset name is validated by the workspace and quoted; the table name is ours.
        select = quarantine.view_sql(self.con, snapshot.table_name, snapshot.snapshot_id)
        self.con.execute(f"CREATE OR REPLACE VIEW main.{quote(source.name)} AS {select}")

    def _select(self, dataset: str | None = None, snapshot_id: int | None = None) -> list[Snapshot]:
        rows = self.con.execute(
            """
            SELECT snapshot_id, dataset, version, content_hash, created_at, row_count, table_name, files_json,
                   warnings_json, build_id
            FROM meta.snapshots
            WHERE ($dataset IS NULL OR dataset = $dataset) AND ($id IS NULL OR snapshot_id = $id)
            ORDER BY dataset, version
            """,
            {"dataset": dataset, "id": snapshot_id},
        ).fetchall()
        return [_snapshot(r) for r in rows]

    def snapshots(self, dataset: str | None = None) -> list[Snapshot]:
        """All snapshots, oldest first; of one dataset when `dataset` is given.

        Raises StoreError when `dataset` has no snapshot at all (an unknown name, or never built).
        """
        found = self._select(dataset=dataset)
        if dataset is not None and not found:
            known = {s.dataset for s in self._select()}
            raise StoreError(
                f"no snapshots of '{dataset}'",
                hint=f"Known datasets: {', '.join(sorted(known)) or 'none (run peil build)'}.",
            )
        return found

    def snapshot(self, snapshot_id: int) -> Snapshot:
        """One snapshot by id; raises StoreError when there is none."""
        found = self._select(snapshot_id=snapshot_id)
        if not found:
            raise StoreError(f"no snapshot with id {snapshot_id}", hint="`peil history DATASET` lists them.")
        return found[0]

    def sheets(self, snapshot: Snapshot) -> dict[str, list[str]]:
        """Per file of `snapshot` (its path as in `files`), the sheets read from it, by name: the sheet recorded at
        the load (`sheet` in `files`), so a sheet that gave no rows is named too; for a snapshot loaded before
        sheets were recorded, the sheets its rows came from. A file read without sheets (CSV, JSON, Parquet) is
        left out."""
        if all("sheet" in f for f in snapshot.files):
            return {str(f["path"]): [str(f["sheet"])] for f in snapshot.files if f["sheet"] is not None}
        found = self.con.execute(
            f"SELECT _file, list(DISTINCT _sheet ORDER BY _sheet) FROM {snapshot.table_name} "  # noqa: S608 -- ours, quoted
            "WHERE _sheet IS NOT NULL GROUP BY _file"
        ).fetchall()
        return {str(file): list(names) for file, names in found}

    def rows_hash(self, snapshot: Snapshot) -> str:
        """A SHA-256 (hex) of the rows `snapshot` holds: its columns' names and types, its number of rows and the
        sum (a multiset's hash: equal rows count each time, their order does not count) of each row's 64-bit hash
        of its values (`_row_hash`) and of the texts that did not fit their type (`_invalid`). Equal for two
        snapshots holding the same rows, from whatever files or sheets they were read; unlike `content_hash`,
        which hashes the files' bytes. Reads those two columns of the table; a table made before rows kept
        `_row_hash` is hashed from its values, which gives the same hash."""
        described = self.con.execute(f"DESCRIBE {snapshot.table_name}").fetchall()  # ours, quoted
        columns = [(str(name), str(kind)) for name, kind, *_ in described if name not in HIDDEN]
        stored = any(name == ROW_HASH for name, *_ in described)
        values = ROW_HASH if stored else f"hash({', '.join(quote(name) for name, _ in columns)})"
        total, count = self.con.execute(
            f"SELECT coalesce(sum(hash({values}, {INVALID})), 0), count(*) FROM {snapshot.table_name}"  # noqa: S608
        ).fetchall()[0]
        return hashlib.sha256(json.dumps([columns, int(count), int(total)]).encode()).hexdigest()

    def current_snapshot(self, dataset: str) -> Snapshot | None:
        """The dataset's newest snapshot, or None before its first build."""
        found = self._select(dataset=dataset)
        return found[-1] if found else None


def _key_unique(source: Source, evaluation: checks.Evaluation) -> bool | None:
    """Whether the primary_key check on the schema's primary key found no empty or repeated key; None when no
    such check ran."""
    key = source.table_schema.primary_key
    found = [
        r.rows_failing == 0 for r in evaluation.results if r.check.type == "primary_key" and r.check.columns == key
    ]
    return found[0] if key and found else None


def _snapshot(row: tuple[Any, ...]) -> Snapshot:
    return Snapshot(
        snapshot_id=int(row[0]),
        dataset=str(row[1]),
        version=int(row[2]),
        content_hash=str(row[3]),
        created_at=row[4],
        row_count=int(row[5]),
        table_name=str(row[6]),
        files=json.loads(row[7]),
        warnings=json.loads(row[8]),
        build_id=int(row[9]),
    )
