"""What a report shows, read from the warehouse into small dataclasses. Every query here is parameterised.

The warehouse holds ``meta.builds``, ``meta.snapshots`` and ``meta.indicator_values`` (written by the store
and the build) and the entities relation named in peil.yaml. Nothing here writes, and nothing formats:
rendering turns these values into text in the report's language.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import duckdb

from peil import query
from peil.errors import Location, QueryError, ReportError
from peil.workspace import WORKSPACE_FILE, Entities, PeerQuery, Project

Role = Literal["home", "peer", "compare", "region"]


@dataclass(frozen=True)
class Build:
    """One row of meta.builds: a build run, and the moments it started and finished (UTC)."""

    build_id: int
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    status: str | None


@dataclass(frozen=True)
class SnapshotFile:
    """One file a snapshot was read from, as recorded when it was loaded."""

    path: str
    sha256: str
    size: int | None = None
    modified: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """One load of a dataset: its version, when it was loaded, how many rows and from which files."""

    dataset: str
    version: int
    content_hash: str
    created_at: dt.datetime
    row_count: int
    build_id: int
    files: tuple[SnapshotFile, ...] = ()


@dataclass(frozen=True)
class Cohort:
    """Whom an indicator's values are compared across: the home municipality, its peers, the further
    compare-municipalities and the region. The lists are disjoint and in peil.yaml order; `names` maps codes
    to entity names (a code without a name is shown as itself)."""

    home: str
    peers: tuple[str, ...] = ()
    compare: tuple[str, ...] = ()
    region: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code in the cohort: home, peers, compare-municipalities, region."""
        return (self.home, *self.peers, *self.compare, *((self.region,) if self.region else ()))

    def name(self, code: str) -> str:
        return self.names.get(code, code)


@dataclass(frozen=True)
class Point:
    """One value of one entity in one period (periods are text such as '2024' or '2024-Q1')."""

    period: str
    value: float


@dataclass(frozen=True)
class Band:
    """The peers' values in one period: their median, lowest and highest, and how many peers have one."""

    period: str
    median: float
    low: float
    high: float
    count: int


@dataclass(frozen=True)
class Bar:
    """One entity's value in the comparison of the latest period."""

    code: str
    name: str
    role: Role
    value: float


@dataclass(frozen=True)
class Series:
    """One indicator's values in one build: entity code -> period -> value."""

    indicator: str
    values: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def trend(self, code: str) -> list[Point]:
        """The entity's values over all periods, oldest first."""
        by_period = self.values.get(code, {})
        return [Point(period, by_period[period]) for period in sorted(by_period)]

    def band(self, peers: tuple[str, ...]) -> list[Band]:
        """Per period, oldest first, the median and range of the peers that have a value in that period."""
        periods = sorted({p for code in peers for p in self.values.get(code, {})})
        bands = []
        for period in periods:
            found = [self.values[c][period] for c in peers if period in self.values.get(c, {})]
            bands.append(Band(period, statistics.median(found), min(found), max(found), len(found)))
        return bands

    def latest_period(self, cohort: Cohort) -> str | None:
        """The home municipality's latest period; when it has none, the latest of anyone in the cohort."""
        home = self.values.get(cohort.home, {})
        periods = home or {p for code in cohort.codes for p in self.values.get(code, {})}
        return max(periods, default=None)

    def bars(self, cohort: Cohort, period: str) -> list[Bar]:
        """The values in `period` of everyone in the cohort that has one, highest first."""
        roles: list[tuple[str, Role]] = [(cohort.home, "home")]
        roles += [(c, "peer") for c in cohort.peers] + [(c, "compare") for c in cohort.compare]
        roles += [(cohort.region, "region")] if cohort.region else []
        bars = [
            Bar(code, cohort.name(code), role, self.values[code][period])
            for code, role in roles
            if period in self.values.get(code, {})
        ]
        return sorted(bars, key=lambda bar: -bar.value)


def quote_identifier(name: str) -> str:
    """`name` as a DuckDB identifier in double quotes, so any name is taken literally."""
    return '"' + name.replace('"', '""') + '"'


def load_build(con: duckdb.DuckDBPyConnection, build_id: int) -> Build | None:
    """The row of meta.builds for `build_id`, or None when the build has not recorded itself."""
    row = con.execute(
        "SELECT build_id, started_at, finished_at, status FROM meta.builds WHERE build_id = ?", [build_id]
    ).fetchone()
    return Build(*row) if row else None


def load_snapshots(con: duckdb.DuckDBPyConnection, build_id: int) -> dict[str, list[Snapshot]]:
    """Per dataset, its snapshots loaded up to and including build `build_id`, newest version first; the first
    is the current one. files_json is read as a list of {"path", "sha256", "size", "modified"}."""
    rows = con.execute(
        """
        SELECT dataset, version, content_hash, created_at, row_count, build_id, files_json
        FROM meta.snapshots WHERE build_id <= ? ORDER BY dataset, version DESC
        """,
        [build_id],
    ).fetchall()
    snapshots: dict[str, list[Snapshot]] = {}
    for dataset, version, content_hash, created_at, row_count, snapshot_build, files_json in rows:
        files = tuple(
            SnapshotFile(str(f["path"]), str(f["sha256"]), f.get("size"), f.get("modified"))
            for f in json.loads(files_json or "[]")
        )
        snapshot = Snapshot(dataset, version, content_hash, created_at, row_count, snapshot_build, files)
        snapshots.setdefault(dataset, []).append(snapshot)
    return snapshots


def load_cohort(con: duckdb.DuckDBPyConnection, project: Project) -> Cohort:
    """The home municipality, its peers (the list in peil.yaml, or the codes its peer query returns), the
    compare-municipalities and the region, with their names from the entities relation.

    Raises ReportError naming peil.yaml when the peer query or the entities relation cannot be read.
    """
    home, region = project.municipality, project.region
    peers = _unique(c for c in _peer_codes(con, project.peers) if c not in (home, region))
    compare = _unique(c for c in project.compare if c not in (home, region, *peers))
    cohort = Cohort(home, peers, compare, region)
    names = _entity_names(con, project.entities, cohort.codes) if project.entities else {}
    return Cohort(home, peers, compare, region, names)


def _peer_codes(con: duckdb.DuckDBPyConnection, peers: list[str] | PeerQuery) -> list[str]:
    if not isinstance(peers, PeerQuery):
        return list(peers)
    try:
        result = query.run(con, peers.sql)
    except QueryError as exc:
        raise ReportError(
            f"the peer query fails: {exc.message}",
            Location(file=WORKSPACE_FILE, field="peers.sql"),
            hint="Run the query with `peil sql` to try it; it must return one column of entity codes.",
        ) from None
    return [str(row[0]) for row in result.rows if row and row[0] is not None]


def _entity_names(con: duckdb.DuckDBPyConnection, entities: Entities, codes: tuple[str, ...]) -> dict[str, str]:
    code, name = quote_identifier(entities.code), quote_identifier(entities.name)
    sql = (
        f"SELECT CAST({code} AS VARCHAR), CAST({name} AS VARCHAR) "  # noqa: S608 (identifiers quoted above)
        f"FROM {quote_identifier(entities.relation)} WHERE list_contains(?, CAST({code} AS VARCHAR))"
    )
    try:
        rows = con.execute(sql, [list(codes)]).fetchall()
    except duckdb.Error as exc:
        raise ReportError(
            f"cannot read the entity names from '{entities.relation}': {exc}",
            Location(file=WORKSPACE_FILE, field="entities"),
            hint="entities.relation names a dataset or model; entities.code and entities.name its columns.",
        ) from None
    return {str(c): str(n) for c, n in rows if c is not None and n is not None}


def load_series(con: duckdb.DuckDBPyConnection, build_id: int, codes: tuple[str, ...]) -> dict[str, Series]:
    """Per indicator id, the values of build `build_id` for the entities `codes` (missing and NaN values left
    out). An indicator without any such value has no entry."""
    rows = con.execute(
        """
        SELECT indicator, entity, period, value FROM meta.indicator_values
        WHERE build_id = ? AND list_contains(?, entity) AND value IS NOT NULL AND NOT isnan(value)
        """,
        [build_id, list(codes)],
    ).fetchall()
    values: dict[str, dict[str, dict[str, float]]] = {}
    for indicator, entity, period, value in rows:
        values.setdefault(indicator, {}).setdefault(entity, {})[str(period)] = float(value)
    return {indicator: Series(indicator, by_entity) for indicator, by_entity in values.items()}


def _unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))
