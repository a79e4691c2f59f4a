"""Time travel: the workspace's data as it stood at an earlier moment, or with chosen snapshots.

An overlay is an in-memory DuckDB database that attaches the warehouse read-only and defines, in its own
``main`` schema, one view per dataset on the snapshot that was current at the chosen moment (or the snapshot
asked for), then recomputes the models over those views. Nothing in the warehouse changes, so an earlier
report can be rebuilt at any time, beside the current one. ``meta.snapshots`` and ``meta.builds`` in the
overlay show only what existed at that moment; ``meta.indicator_values`` starts empty, for `peil build --as-of`.

`peil sql --as-of`, `peil sql --snapshot` and `peil build --as-of` use it. Earlier versions are also
reachable from plain SQL on the warehouse as ``raw."<dataset>__v<N>"``. A moment is in Belgian time, as the
reports and `peil history` show load times (`cutoff`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb

from peil import indicators, models, query, reports
from peil.build import answers
from peil.errors import IndicatorError, ModelError, QueryError, StoreError
from peil.quality import quarantine
from peil.questions import load_all
from peil.questions.history import recorded
from peil.reports.i18n import BELGIAN_TIME, belgian_time, terminal_time
from peil.store import Snapshot, Warehouse, quote
from peil.workspace import Workspace


@dataclass(frozen=True)
class Overlay:
    """An open overlay: its connection, the build that was current at the moment, and the snapshots in use."""

    con: duckdb.DuckDBPyConnection
    build_id: int
    snapshots: dict[str, Snapshot]


def cutoff(moment: date | datetime) -> datetime:
    """The instant a moment stands for, in Belgian time (Europe/Brussels) as the reports and `peil history` show
    times: a date, the end of that day (midnight at the start of the next day in Brussels); a datetime without an
    offset, that time in Brussels; a datetime with one (2026-03-01T10:00+00:00), that instant. In UTC: a time the
    clocks skipped (2025-03-30 02:30) then compares as the instant it stands for (01:30 UTC)."""
    instant = moment if isinstance(moment, datetime) else datetime.combine(moment + timedelta(days=1), time())
    return (instant if instant.tzinfo else instant.replace(tzinfo=BELGIAN_TIME)).astimezone(UTC)


def offsets(moment: datetime) -> tuple[timedelta, timedelta] | None:
    """For a time without an offset that happens twice in Brussels, in the hour the clocks go back (2025-10-26
    02:30 is 00:30 and 01:30 UTC), its offsets from UTC the first time and the second (+2 and +1 hours); None
    for any other time, a skipped one included (see `cutoff`)."""
    if moment.tzinfo:
        return None
    first, second = (moment.replace(tzinfo=BELGIAN_TIME, fold=fold).utcoffset() for fold in (0, 1))
    assert first is not None and second is not None
    return (first, second) if first > second else None


def folder(moment: date | datetime) -> str:
    """The name of the folder `peil build --as-of` writes the report of `moment` to: no ':' (which Windows does not
    allow) or space in it, and one name for one moment. A date is a day in Belgian time: site-as-of-2026-03-01. A
    time is the instant it stands for (`cutoff`), in UTC: 2026-03-01T10:00 in Brussels, 2026-03-01T10:00+01:00 and
    2026-03-01 09:00z all give site-as-of-2026-03-01T0900Z; seconds and their fraction only when there are any
    (T090005.25Z)."""
    if not isinstance(moment, datetime):
        return f"site-as-of-{moment.isoformat()}"
    instant = cutoff(moment)
    seconds = f"{instant:%S}" if instant.second or instant.microsecond else ""
    fraction = f".{instant.microsecond:06d}".rstrip("0") if instant.microsecond else ""
    return f"site-as-of-{instant:%Y-%m-%dT%H%M}{seconds}{fraction}Z"


@contextmanager
def overlay(ws: Workspace, as_of: date | datetime | None = None, snapshot_ids: Sequence[int] = ()) -> Iterator[Overlay]:
    """Open the workspace's data as of `as_of` (default: now), with `snapshot_ids` overriding their datasets.

    A model that reads a source not loaded yet at `as_of` is left out (peil.models.run).
    Raises StoreError when nothing had been built by `as_of`, a snapshot id does not exist or two are of one
    dataset; ModelError when a model fails on the earlier data (and IndicatorError when an indicator computed in
    the overlay does), with a hint naming the versions in use.
    """
    chosen, visible, build_id = _choose(ws, as_of, snapshot_ids)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_literal(ws.warehouse_path)}' AS warehouse (READ_ONLY)")
        _define(con, chosen, visible, build_id, cutoff(as_of) if as_of is not None else None)
        models.run(con, ws, set(chosen))
        yield Overlay(con, build_id, chosen)
    except (ModelError, IndicatorError) as exc:
        exc.hint = " ".join(filter(None, [exc.hint, _versions_hint(chosen)]))
        raise
    finally:
        con.close()


def _versions_hint(chosen: dict[str, Snapshot]) -> str:
    """What to know when a model or indicator fails in an overlay: the versions it ran on."""
    then = ", ".join(f"{dataset} version {snapshot.version}" for dataset, snapshot in sorted(chosen.items()))
    return (
        f"As of then: {then}; the models and indicators are today's files, and one written for a later version of "
        "its data may fail on an earlier one (`peil history DATASET`)."
    )


def run_query(view: Overlay, sql: str, limit: int | None = None) -> query.Result:
    """Run a user's read-only `sql` (see peil.query.run) on the overlay, cut off from files and the network.

    Raises QueryError as peil.query.run does, which refuses a table of the attached warehouse (warehouse.personeel:
    today's data, not the data of the moment) and SQL given as text (query_table). DuckDB's suggestion of such a
    table for one that did not exist yet is replaced by the datasets there were.
    """
    (locked,) = view.con.execute("SELECT current_setting('lock_configuration')").fetchall()[0]
    if not locked:
        view.con.execute("SET enable_external_access = false; SET enable_progress_bar = false")
        view.con.execute("SET lock_configuration = true")
    try:
        return query.run(view.con, sql, limit)
    except QueryError as exc:
        if '"warehouse.' not in exc.message:
            raise
        message = exc.message.split("\nDid you mean")[0]
        raise QueryError(message, hint=f"The datasets then: {', '.join(sorted(view.snapshots))}.") from None


def build_as_of(ws: Workspace, as_of: date | datetime, out: Path) -> tuple[int, list[Path]]:
    """Recompute models, indicators and the answers to the questions as they stood at `as_of` (with today's
    definitions) and render the site into `out`: the quality page shows the checks of the build current then,
    the changes page that build's diffs, and each question's history its runs until then.

    Returns the id of the build that was current then and the pages written. The warehouse is not changed.
    """
    with overlay(ws, as_of) as view:
        indicators.compute(view.con, ws, view.build_id)
        runs = answers(view.con, load_all(ws.root))
        return view.build_id, reports.render_site(ws, view.con, out, view.build_id, runs)


def _choose(
    ws: Workspace, as_of: date | datetime | None, snapshot_ids: Sequence[int]
) -> tuple[dict[str, Snapshot], list[int], int]:
    """The snapshot per dataset, the ids of every snapshot that existed by then, and the build current then."""
    until = cutoff(as_of) if as_of is not None else None
    with Warehouse.open(ws.warehouse_path, read_only=True) as warehouse:
        existing = [s for s in warehouse.snapshots() if until is None or s.created_at <= until]
        chosen = {s.dataset: s for s in existing}  # oldest first, so the newest version wins
        named: dict[str, int] = {}
        for snapshot_id in snapshot_ids:
            snapshot = warehouse.snapshot(snapshot_id)
            if named.setdefault(snapshot.dataset, snapshot_id) != snapshot_id:
                raise StoreError(
                    f"snapshots {named[snapshot.dataset]} and {snapshot_id} are both of '{snapshot.dataset}'",
                    hint="Give one snapshot per dataset; an earlier version is also reachable as "
                    f'raw."{snapshot.dataset}__vN".',
                )
            chosen[snapshot.dataset] = snapshot
        row = warehouse.con.execute(
            "SELECT max(build_id) FILTER (WHERE $until IS NULL OR started_at <= $until), min(started_at) "
            "FROM meta.builds WHERE status = 'ok'",
            {"until": until},
        ).fetchone()
    assert row is not None  # an aggregate gives one row
    if not chosen or row[0] is None:
        raise StoreError(
            _nothing_built(as_of, until, row[1]),
            hint="`peil history DATASET` lists the snapshots and when they were made.",
        )
    return chosen, [s.snapshot_id for s in existing] + list(snapshot_ids), int(row[0])


def _nothing_built(as_of: date | datetime | None, until: datetime | None, first: datetime | None) -> str:
    """The message for a moment before anything was built: the moment in Belgian time as the terminal shows
    times, and when the first build was. A moment whose Belgian time was neither CET nor CEST (before 1940, mostly)
    is shown as it was given: the time zone database gives Brussels its local mean time before 1892 (LMT, 17
    minutes 30 seconds ahead of UTC), which says nothing to anyone (`--as-of 0001-01-01` showed '0001-01-02
    00:00:00 LMT')."""
    if as_of is None or until is None:
        return "nothing has been built yet"
    shown = terminal_time(until) if belgian_time(until).tzname() in ("CET", "CEST") else as_of.isoformat()
    later = f"; the first build was at {terminal_time(first)}" if first and first > until else ""
    return f"nothing had been built by {shown}{later}"


def _define(
    con: duckdb.DuckDBPyConnection,
    chosen: dict[str, Snapshot],
    visible: list[int],
    build_id: int,
    until: datetime | None,
) -> None:
    """The overlay's views: of the chosen snapshots, by dataset, and of every snapshot that existed then, by
    its table's name (raw."personeel__v3"); and its meta tables, each holding what the warehouse's held at build
    `build_id` (question runs: until `until`). meta.snapshots names each snapshot's table in the attached
    warehouse (warehouse.raw."personeel__v3"), so a diff of two of them reads them as tables."""
    con.execute("CREATE SCHEMA meta")
    con.execute(
        "CREATE TABLE meta.quarantine AS SELECT * FROM warehouse.meta.quarantine WHERE list_contains(?, snapshot_id)",
        [visible],
    )
    for dataset, snapshot in chosen.items():
        rows = quarantine.view_sql(con, f"warehouse.{snapshot.table_name}", snapshot.snapshot_id)
        con.execute(f"CREATE VIEW main.{quote(dataset)} AS {rows}")
    con.execute("CREATE SCHEMA raw")
    for (table,) in con.execute(
        "SELECT table_name FROM warehouse.meta.snapshots WHERE list_contains(?, snapshot_id)", [visible]
    ).fetchall():
        con.execute(f"CREATE VIEW {table} AS FROM warehouse.{table}")
    con.execute(
        "CREATE TABLE meta.snapshots AS SELECT * REPLACE ('warehouse.' || table_name AS table_name) "
        "FROM warehouse.meta.snapshots WHERE list_contains(?, snapshot_id)",
        [visible],
    )
    for table in ("builds", "check_results", "quality_scores"):
        con.execute(f"CREATE TABLE meta.{table} AS FROM warehouse.meta.{table} WHERE build_id <= ?", [build_id])
    if recorded(con, "warehouse"):
        con.execute(
            "CREATE TABLE meta.question_runs AS FROM warehouse.meta.question_runs "
            "WHERE $until IS NULL OR ran_at <= $until",
            {"until": until},
        )
    con.execute("CREATE TABLE meta.indicator_values AS SELECT * FROM warehouse.meta.indicator_values LIMIT 0")
    con.execute("CREATE TABLE meta.lineage AS SELECT * FROM warehouse.meta.lineage WHERE build_id = ?", [build_id])


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
