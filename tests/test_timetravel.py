"""Time travel: data, models, indicators and the report as they stood at an earlier moment."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from typer.testing import CliRunner, Result

from peil import indicators, timetravel, workspace
from peil.build import build
from peil.cli import app
from peil.errors import ModelError, QueryError, StoreError
from peil.reports.i18n import terminal_time

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


def test_build_as_of_now_renders_the_current_site_byte_for_byte(two_builds: tuple[Path, datetime]) -> None:
    """Found by a new user: the changes page of a report as of a moment said 'there is no table
    raw."bevolking__v1"', and the quality and question pages were missing."""
    root, _ = two_builds
    _, pages = timetravel.build_as_of(workspace.load(root), datetime.now(UTC), root / "again")
    current = sorted(path.name for path in (root / "site").glob("*.html"))
    assert sorted(path.name for path in pages) == current
    assert {"wijzigingen.html", "kwaliteit.html"} <= set(current)
    for name in current:
        assert (root / "again" / name).read_bytes() == (root / "site" / name).read_bytes(), name
    assert "<td>36015</td><td>2015</td><td><del>60386</del></td><td><ins>60999</ins></td>" in (
        root / "again" / "wijzigingen.html"
    ).read_text(encoding="utf-8")


def test_a_model_that_fails_on_the_earlier_data_names_the_versions_of_then(two_builds: tuple[Path, datetime]) -> None:
    """Found by a new user: an indicator written for a renamed column failed build --as-of without a word on
    which versions it ran on."""
    root, between = two_builds
    (root / "models" / "stale.sql").write_text('SELECT "2016" FROM bevolking', encoding="utf-8")
    with pytest.raises(ModelError) as failed, timetravel.overlay(workspace.load(root), between):
        pass
    assert failed.value.hint == (
        "As of then: bevolking version 1, gemeenten version 1; the models and indicators are today's files, and "
        "one written for a later version of its data may fail on an earlier one (`peil history DATASET`)."
    )


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
    assert run("--as-of", datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()) == 60999


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
        with pytest.raises(QueryError, match="Permission Error"):
            timetravel.run_query(view, "SELECT * FROM read_csv('/etc/passwd')")
        with pytest.raises(duckdb.InvalidInputException, match="the configuration has been locked"):
            view.con.execute("SET enable_external_access = true")


def test_an_overlay_query_sees_the_versions_of_then_and_never_todays_tables(two_builds: tuple[Path, datetime]) -> None:
    root, between = two_builds
    with timetravel.overlay(workspace.load(root), between) as view:
        run = functools.partial(timetravel.run_query, view)
        assert run('SELECT "2015" FROM raw."bevolking__v1" WHERE CD_MUNTY_REFNIS = \'36015\'').rows == [(60386,)]
        with pytest.raises(QueryError, match=re.escape("Table with name bevolking__v2 does not exist!\n")):
            run('SELECT * FROM raw."bevolking__v2"')  # loaded after the moment
        with pytest.raises(QueryError, match=re.escape("warehouse.bevolking is today's data")) as e:
            run("SELECT * FROM warehouse.bevolking")
        assert e.value.hint and "Leave out --as-of and --snapshot" in e.value.hint
        with pytest.raises(QueryError, match=re.escape('warehouse.raw."bevolking__v2" is today')):
            run('WITH x AS (SELECT * FROM warehouse.raw."bevolking__v2") SELECT * FROM x')
        with pytest.raises(QueryError, match=re.escape("'warehouse.raw.bevolking__v2' is today's data")):
            run("SELECT * FROM pragma_storage_info('warehouse.raw.bevolking__v2')")  # its min and max (a new user)
        for text in ("SELECT * FROM query_table('warehouse.raw.bevolking__v2')", "SELECT * FROM query('SELECT 1')"):
            with pytest.raises(QueryError, match=r"\(\) runs SQL given as text, which peil cannot check"):
                run(text)  # found by a new user: both read today's data as of an earlier moment


def test_a_date_stands_for_the_end_of_that_day_in_brussels() -> None:
    assert timetravel.cutoff(date(2026, 3, 1)) == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # CET, UTC+1
    assert timetravel.cutoff(date(2026, 7, 1)) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)  # CEST, UTC+2
    assert timetravel.cutoff(date(2026, 3, 28)) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # the night of the change
    assert timetravel.cutoff(date(2026, 3, 29)) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_a_time_is_brussels_time_unless_it_names_its_offset() -> None:
    assert timetravel.cutoff(datetime(2026, 3, 1, 10, 0)) == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert timetravel.cutoff(datetime.fromisoformat("2026-03-01T10:00+00:00")) == datetime(2026, 3, 1, 10, tzinfo=UTC)
    tokyo = timezone(timedelta(hours=9))
    assert timetravel.cutoff(datetime(2026, 3, 1, 10, 0, tzinfo=tokyo)) == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def test_a_time_the_clocks_skipped_is_shown_as_the_moment_it_stands_for() -> None:
    """2025-03-30 02:30 does not exist in Brussels (02:00 CET became 03:00 CEST): read as CET, it is 01:30 UTC,
    which the clocks there showed as 03:30 CEST (found by a new user: it was shown as '02:30:00 CET')."""
    moment = timetravel.cutoff(datetime(2025, 3, 30, 2, 30))
    assert moment == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert terminal_time(moment) == "2025-03-30 03:30:00 CEST"


def said(result: Result) -> str:
    """The words of a command's output, as one line: Typer's error panel wraps them in a box."""
    return " ".join(result.output.replace("│", " ").split())


def moved(root: Path, build_id: int, moment: datetime) -> None:
    """Say that build `build_id` and the snapshots it made happened at `moment`."""
    con = duckdb.connect(str(root / ".peil" / "warehouse.duckdb"))
    try:
        con.execute(
            "UPDATE meta.builds SET started_at = $m, finished_at = $m WHERE build_id = $b", {"m": moment, "b": build_id}
        )
        con.execute("UPDATE meta.snapshots SET created_at = $m WHERE build_id = $b", {"m": moment, "b": build_id})
    finally:
        con.close()


def test_history_shows_brussels_time_with_its_zone_across_the_change_to_summer_time(
    two_builds: tuple[Path, datetime],
) -> None:
    root, _ = two_builds
    moved(root, 1, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 01:30 CET
    moved(root, 2, datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 03:30 CEST: the clocks went from 02:00 to 03:00
    result = CliRunner().invoke(app, ["history", "bevolking", "-w", str(root)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "2026-03-29" in line]
    assert len(lines) == 2
    assert "2026-03-29 01:30:00 CET" in lines[0] and "2026-03-29 03:30:00 CEST" in lines[1]


def moved_apart(root: Path) -> None:
    """Say that build 1 happened at 2026-03-01 10:00 UTC and build 2 at 23:30 UTC, 2 March 00:30 in Brussels."""
    moved(root, 1, datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
    moved(root, 2, datetime(2026, 3, 1, 23, 30, tzinfo=UTC))


def roeselare_2015(root: Path, moment: str) -> object:
    """Roeselare's population in 2015 from `peil sql --as-of MOMENT`: 60386 in build 1, 60999 in build 2."""
    sql = "SELECT \"2015\" FROM bevolking WHERE CD_MUNTY_REFNIS = '36015'"
    result = CliRunner().invoke(app, ["sql", "-w", str(root), "-f", "json", "--as-of", moment, sql])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]["2015"]


def test_as_of_a_date_leaves_out_what_was_loaded_after_midnight_in_brussels(two_builds: tuple[Path, datetime]) -> None:
    root, _ = two_builds
    moved_apart(root)

    def as_of(moment: str) -> object:
        return roeselare_2015(root, moment)

    assert as_of("2026-03-01") == 60386  # the end of 1 March in Brussels is 23:00 UTC
    assert as_of("2026-03-02") == 60999
    assert as_of("2026-03-02T00:29") == 60386  # Brussels time
    assert as_of("2026-03-02T00:30") == 60999
    assert as_of("2026-03-01T23:30+00:00") == 60999  # an offset is honoured
    assert as_of("2026-03-01T23:29Z") == 60386
    with pytest.raises(StoreError, match=r"nothing had been built by 2026-03-01 00:00:00 CET"):
        timetravel.build_as_of(workspace.load(root), date(2026, 2, 28), root / "early")


@pytest.mark.parametrize("moment", ["20260301", "", "2026-3-1", "01/03/2026", "9999-12-31"])
def test_an_as_of_in_another_form_is_refused_not_guessed(two_builds: tuple[Path, datetime], moment: str) -> None:
    """20260301 could be the start or the end of the day; an empty value is no moment (found by a new user)."""
    root, _ = two_builds
    for command in (["sql", "SELECT 1"], ["build"]):
        result = CliRunner().invoke(app, [*command, "-w", str(root), "--as-of", moment])
        assert result.exit_code == 2 and "is no date or time; use YYYY-MM-DD" in result.output


def test_two_snapshots_of_one_dataset_are_refused(two_builds: tuple[Path, datetime]) -> None:
    root, _ = two_builds
    with (
        pytest.raises(StoreError, match="snapshots 1 and 3 are both of 'bevolking'"),
        timetravel.overlay(workspace.load(root), snapshot_ids=[1, 3]),
    ):
        pass


def test_build_as_of_keeps_the_current_report_and_names_its_folder_without_colons(
    two_builds: tuple[Path, datetime],
) -> None:
    root, _ = two_builds
    current = (root / "site" / "index.html").read_text(encoding="utf-8")
    refused = CliRunner().invoke(app, ["build", "-w", str(root), "--as-of", "2099-01-01", "--out", str(root / "site")])
    assert refused.exit_code == 2 and "holds the current report" in said(refused)  # the path makes it wrap
    assert (root / "site" / "index.html").read_text(encoding="utf-8") == current
    made = CliRunner().invoke(app, ["build", "-w", str(root), "--as-of", "2099-01-01T10:00"])
    assert made.exit_code == 0, made.output
    assert (root / "site-as-of-2099-01-01T0900Z" / "index.html").exists()  # 10:00 CET is 09:00 UTC


def test_build_as_of_one_instant_in_any_form_writes_one_folder_without_spaces(
    two_builds: tuple[Path, datetime],
) -> None:
    """Found in a user trial: --as-of "2026-03-01 02:20Z" made a folder name with a space, and 10:00+01:00 and 09:00Z
    made two folders for one instant. A time's folder is named for its instant in UTC."""
    root, _ = two_builds
    for moment in ("2099-01-01 09:00Z", "2099-01-01T10:00+01:00", "2099-01-01t09:00z", "2099-01-01T10:00"):
        made = CliRunner().invoke(app, ["build", "-w", str(root), "--as-of", moment])
        assert made.exit_code == 0, made.output
    assert [p.name for p in root.glob("site-as-of-*")] == ["site-as-of-2099-01-01T0900Z"]
    assert timetravel.folder(date(2026, 3, 1)) == "site-as-of-2026-03-01"  # a day in Belgian time
    assert timetravel.folder(datetime(2026, 7, 1, 2, 20, 5, 250000)) == "site-as-of-2026-07-01T002005.25Z"  # CEST


def test_a_t_and_a_z_in_lower_case_are_read_as_iso_8601_allows(two_builds: tuple[Path, datetime]) -> None:
    root, _ = two_builds
    moved_apart(root)
    assert roeselare_2015(root, "2026-03-01t23:29z") == 60386
    assert roeselare_2015(root, "2026-03-01t23:30z") == 60999
    assert roeselare_2015(root, "2026-03-02t00:30") == 60999  # Brussels time


def test_a_moment_centuries_before_the_first_build_is_shown_as_given_not_in_local_mean_time(
    two_builds: tuple[Path, datetime],
) -> None:
    """Found in a user trial: --as-of 0001-01-01 said 'nothing had been built by 0001-01-02 00:00:00 LMT', the
    tz database's local mean time of Brussels before 1892."""
    root, _ = two_builds
    moved_apart(root)
    for moment, shown in ((date(1, 1, 1), "0001-01-01"), (datetime(1850, 6, 1, 12, 0), "1850-06-01T12:00:00")):
        with pytest.raises(StoreError) as caught, timetravel.overlay(workspace.load(root), moment):
            pass
        assert caught.value.message == (
            f"nothing had been built by {shown}; the first build was at 2026-03-01 11:00:00 CET"
        )


def test_as_of_a_moment_before_a_source_existed_leaves_out_the_models_that_read_it(
    two_builds: tuple[Path, datetime],
) -> None:
    """Found by a new user: a model over a source added later made every query as of before it fail."""
    root, between = two_builds
    (root / "data" / "meldingen.csv").write_text("straat,aantal\nMarkt,2\nOoststraat,5\n", encoding="utf-8")
    (root / "sources" / "meldingen.yaml").write_text(
        "path: data/meldingen.csv\nowner: Dienst Wegen\nschema:\n  fields:\n    - {name: straat, type: string}\n"
        "    - {name: aantal, type: integer}\n",
        encoding="utf-8",
    )
    (root / "models" / "meldingen_totaal.sql").write_text("SELECT sum(aantal) AS n FROM meldingen", encoding="utf-8")
    build(root)
    with timetravel.overlay(workspace.load(root), between) as view:
        sql = "SELECT \"2015\" FROM bevolking WHERE CD_MUNTY_REFNIS = '36015'"
        assert view.con.execute(sql).fetchall() == [(60386,)]
        tables = {
            name
            for (name,) in view.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
            ).fetchall()
        }
        assert "meldingen_totaal" not in tables and "bevolking_per_jaar" in tables
        with pytest.raises(QueryError) as refused:
            timetravel.run_query(view, "SELECT * FROM meldingen")
        assert "Did you mean" not in refused.value.message and "meldingen does not exist" in refused.value.message
        assert refused.value.hint == "The datasets then: bevolking, gemeenten."
    with timetravel.overlay(workspace.load(root)) as view:
        assert view.con.execute("SELECT n FROM meldingen_totaal").fetchall() == [(7,)]


def test_a_time_that_happens_twice_in_belgium_is_refused_with_both_offsets(two_builds: tuple[Path, datetime]) -> None:
    """On 2025-10-26 the clocks went back from 03:00 CEST to 02:00 CET: 02:30 was 00:30 and 01:30 UTC."""
    root, _ = two_builds
    result = CliRunner().invoke(app, ["sql", "-w", str(root), "--as-of", "2025-10-26T02:30", "SELECT 1"])
    assert result.exit_code == 2
    assert (
        "'2025-10-26T02:30' happens twice in Belgian time, as the clocks go back an hour that night; give its "
        "offset: 2025-10-26T02:30:00+02:00 for the first time, 2025-10-26T02:30:00+01:00 for the second"
    ) in said(result)
    assert timetravel.offsets(datetime(2025, 10, 26, 2, 30)) == (timedelta(hours=2), timedelta(hours=1))
    assert timetravel.offsets(datetime(2025, 10, 26, 3, 0)) is None  # once, CET
    assert timetravel.offsets(datetime(2025, 3, 30, 2, 30)) is None  # skipped in spring: see cutoff
    assert timetravel.offsets(datetime(2025, 10, 26, 2, 30, tzinfo=UTC)) is None
