"""Time travel: data, models, indicators and the report as they stood at an earlier moment."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from peil import indicators, timetravel, workspace
from peil.build import build
from peil.errors import StoreError

POPULATION = "data/bevolking_2009_2015.csv"


def _values(con: duckdb.DuckDBPyConnection, build_id: int) -> list[tuple[str, str, str, float]]:
    return con.execute(
        "SELECT indicator, entity, period, value FROM meta.indicator_values WHERE build_id = ? ORDER BY ALL",
        [build_id],
    ).fetchall()


@pytest.fixture
def two_builds(starter: Path) -> tuple[Path, datetime]:
    """The starter built twice, Roeselare's 2015 population changed in between; returns the moment between."""
    build(starter)
    con = duckdb.connect(str(starter / ".peil" / "warehouse.duckdb"), read_only=True)
    between = con.execute("SELECT finished_at FROM meta.builds WHERE build_id = 1").fetchall()[0][0]
    con.close()
    path = starter / POPULATION
    path.write_text(path.read_text(encoding="utf-8").replace(",59714,60386", ",59714,60999"), encoding="utf-8")
    assert build(starter).snapshots_made == 1
    return starter, between


def test_build_as_of_reproduces_the_earlier_indicator_values_exactly(two_builds: tuple[Path, datetime]) -> None:
    root, between = two_builds
    ws = workspace.load(root)
    with timetravel.overlay(ws, between) as view:
        assert view.build_id == 1
        assert {name: s.version for name, s in view.snapshots.items()} == {"bevolking": 1, "gemeenten": 1}
        indicators.compute(view.con, ws, view.build_id)
        recomputed = _values(view.con, 1)
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    original, current = _values(con, 1), _values(con, 2)
    con.close()
    assert recomputed == original
    assert len(recomputed) == 590 * 7 + 590 * 6
    assert recomputed != current
    assert ("inwoners", "36015", "2015", 60386.0) in recomputed
    assert ("inwoners", "36015", "2015", 60999.0) in current


def test_build_as_of_renders_the_earlier_report_beside_the_current_one(two_builds: tuple[Path, datetime]) -> None:
    root, between = two_builds
    build_id, pages = timetravel.build_as_of(workspace.load(root), between, root / "earlier")
    assert build_id == 1
    assert "60.386" in (root / "earlier" / "index.html").read_text(encoding="utf-8")
    assert "60.999" in (root / "site" / "index.html").read_text(encoding="utf-8")
    assert len(pages) >= 3


def test_sql_as_of_and_by_snapshot_see_the_earlier_rows(two_builds: tuple[Path, datetime]) -> None:
    root, between = two_builds
    sql = "SELECT \"2015\" FROM bevolking WHERE CD_MUNTY_REFNIS = '36015'"

    def run(*options: str) -> object:
        result = subprocess.run(
            [sys.executable, "-m", "peil", "sql", "-w", str(root), "-f", "json", *options, sql],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)[0]["2015"]

    assert run() == 60999
    assert run("--as-of", between.isoformat()) == 60386
    assert run("--snapshot", "1") == 60386
    assert run("--as-of", date.today().isoformat()) == 60999


def test_earlier_versions_are_reachable_by_name_in_plain_sql(two_builds: tuple[Path, datetime]) -> None:
    root, _ = two_builds
    con = duckdb.connect(str(root / ".peil" / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        'SELECT v1."2015", v2."2015" FROM raw.bevolking__v1 AS v1 JOIN raw.bevolking__v2 AS v2 '
        "USING (CD_MUNTY_REFNIS) WHERE CD_MUNTY_REFNIS = '36015'"
    ).fetchall()
    con.close()
    assert rows == [(60386, 60999)]


def test_a_moment_before_the_first_build_is_an_error(two_builds: tuple[Path, datetime]) -> None:
    root, _ = two_builds
    with (
        pytest.raises(StoreError, match="nothing had been built by 2001-01-01"),
        timetravel.overlay(workspace.load(root), date(2000, 12, 31)),
    ):
        pass


def test_an_overlay_query_cannot_read_files(two_builds: tuple[Path, datetime]) -> None:
    root, between = two_builds
    with timetravel.overlay(workspace.load(root), between) as view:
        timetravel.lock(view.con)
        with pytest.raises(duckdb.PermissionException):
            view.con.execute("SELECT * FROM read_csv('/etc/passwd')")


def test_a_date_stands_for_the_end_of_that_day() -> None:
    assert timetravel.cutoff(date(2026, 3, 1)) == datetime(2026, 3, 2).astimezone()
