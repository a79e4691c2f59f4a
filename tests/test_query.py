"""`peil sql` and everything generated run read-only: one query, no writes, no files, no network."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from peil import query
from peil.errors import QueryError, StoreError


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('11002', 3), ('36015', 5)) v(code, n)")
    con.close()
    return path


def test_select_returns_columns_and_rows(warehouse: Path) -> None:
    with query.read_only(warehouse) as con:
        result = query.run(con, "SELECT code, n * 2 AS twice FROM t ORDER BY code")
    assert result.columns == ["code", "twice"]
    assert result.rows == [("11002", 6), ("36015", 10)]
    assert not result.truncated


def test_limit_cuts_and_says_so(warehouse: Path) -> None:
    with query.read_only(warehouse) as con:
        result = query.run(con, "SELECT * FROM range(10)", limit=3)
    assert len(result.rows) == 3 and result.truncated


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DROP TABLE t", "only queries are allowed, not DROP"),
        ("INSERT INTO t VALUES ('x', 1)", "only queries are allowed, not INSERT"),
        ("UPDATE t SET n = 0", "only queries are allowed, not UPDATE"),
        ("CREATE TABLE u (a INTEGER)", "only queries are allowed, not CREATE"),
        ("WITH x AS (SELECT 'x', 1) INSERT INTO t SELECT * FROM x", "only queries are allowed, not INSERT"),
        ("SELECT 1; DROP TABLE t", "expected one statement, found 2"),
        ("DESCRIBE t; DROP TABLE t", "expected one statement, found 2"),
        ("SELECT * FROM t WHERE code = ''; DROP TABLE t; --'", "expected one statement, found"),
        ("ATTACH '{dir}/other.duckdb' AS other", "only queries are allowed, not ATTACH"),
        ("DETACH other", "only queries are allowed, not DETACH"),
        ("COPY t TO '{dir}/x.csv'", "only queries are allowed, not COPY"),
        ("EXPORT DATABASE '{dir}/export'", "only queries are allowed, not EXPORT"),
        ("IMPORT DATABASE '{dir}/export'", "only queries are allowed, not IMPORT"),
        ("INSTALL httpfs", "only queries are allowed, not INSTALL"),
        ("LOAD httpfs", "only queries are allowed, not LOAD"),
        ("CALL pragma_version()", "only queries are allowed, not CALL"),
        ("PRAGMA threads = 1", "only queries are allowed, not PRAGMA"),
        ("PRAGMA enable_profiling", "only queries are allowed, not PRAGMA"),
        ("SET threads = 1", "only queries are allowed, not SET"),
        ("RESET threads", "only queries are allowed, not RESET"),
        ("CHECKPOINT", "only queries are allowed, not CHECKPOINT"),
        ("SHOW DATABASES", "only queries are allowed, not SHOW"),
        ("SELECT * FROM query('DROP TABLE t')", r"query\(\) runs SQL given as text, which peil cannot check"),
        ("SELECT * FROM query_table('t')", r"query_table\(\) runs SQL given as text, which peil cannot check"),
        ("SELEC 1", "'SELEC' starts no SQL statement"),
        ("WTIH a AS (SELECT 1) SELECT * FROM a", "'WTIH' starts no SQL statement"),
    ],
)
def test_statements_other_than_one_query_are_refused(
    warehouse: Path, sql: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused with peil's message alone (no sqlglot warning), before anything runs: no file, no table, no
    setting changes."""
    before = warehouse.read_bytes()
    with query.read_only(warehouse) as con, pytest.raises(QueryError, match=message):
        query.run(con, sql.format(dir=warehouse.parent))
    assert not [r for r in caplog.records if r.name.startswith("sqlglot")]
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["w.duckdb"] and warehouse.read_bytes() == before
    with query.read_only(warehouse) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(2,)]


@pytest.mark.parametrize(
    ("sql", "columns", "first"),
    [
        ("DESCRIBE t", ["column_name", "column_type", "null", "key", "default", "extra"], ("code", "VARCHAR")),
        ("DESC t", ["column_name", "column_type", "null", "key", "default", "extra"], ("code", "VARCHAR")),
        (
            "DESCRIBE SELECT n FROM t",
            ["column_name", "column_type", "null", "key", "default", "extra"],
            ("n", "INTEGER"),
        ),
        ("SUMMARIZE t", ["column_name", "column_type", "min", "max"], ("code", "VARCHAR", "11002", "36015")),
        ("SUMMARIZE SELECT n FROM t", ["column_name", "column_type", "min", "max"], ("n", "INTEGER", "3", "5")),
        ("SHOW TABLES", ["name"], ("t",)),
        ("SHOW ALL TABLES", ["database", "schema", "name"], ("w", "main", "t")),
    ],
)
def test_describe_summarize_and_show_tables_run_read_only(
    warehouse: Path, sql: str, columns: list[str], first: tuple[object, ...], caplog: pytest.LogCaptureFixture
) -> None:
    before = warehouse.read_bytes()
    with query.read_only(warehouse) as con:
        result = query.run(con, sql)
    assert result.columns[: len(columns)] == columns
    assert result.rows[0][: len(first)] == first
    assert not caplog.records and warehouse.read_bytes() == before


def test_generated_sql_that_is_embedded_stays_one_query() -> None:
    """validate without `inspection` (a custom check's SQL, placed after a WITH) refuses DESCRIBE and the like."""
    for sql in ("DESCRIBE t", "SUMMARIZE t", "SHOW TABLES"):
        with pytest.raises(QueryError, match=f"only queries are allowed, not {sql.split()[0]}"):
            query.validate(sql)
    assert query.validate("SELECT * FROM t") == "SELECT * FROM t"


def test_a_select_cannot_read_files(warehouse: Path) -> None:
    with (
        query.read_only(warehouse) as con,
        pytest.raises(QueryError, match="file system operations are disabled"),
    ):
        query.run(con, "SELECT * FROM read_csv('/etc/passwd')")


def test_the_configuration_cannot_be_unlocked(warehouse: Path) -> None:
    with query.read_only(warehouse) as con, pytest.raises(duckdb.Error):
        con.execute("SET enable_external_access = true")


def test_a_failing_query_gives_duckdb_reason(warehouse: Path) -> None:
    with query.read_only(warehouse) as con, pytest.raises(QueryError, match="nope"):
        query.run(con, "SELECT nope FROM t")


def test_parse_error_names_line_and_column() -> None:
    with pytest.raises(QueryError, match="at line 2, column"):
        query.validate("SELECT 1\nFROM (")


def test_no_warehouse_says_build_first(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no warehouse"), query.read_only(tmp_path / "none.duckdb"):
        pass


def test_an_interval_comes_as_duckdb_text_with_its_months(warehouse: Path) -> None:
    """Python's timedelta counts a month as 30 days: INTERVAL '1 year 2 months' came out as '420 days, 0:00:00'.
    Inside a list or struct too; the other columns, repeated names too, stay as they are."""
    with query.read_only(warehouse) as con:
        result = query.run(
            con,
            "SELECT INTERVAL '1 year 2 months 3 days 04:05:06.5' AS i, [INTERVAL 1 month] AS l, "
            "{'d': INTERVAL 2 days, 'n': 1} AS s, code, n AS code FROM t ORDER BY code LIMIT 1",
        )
    assert result.columns == ["i", "l", "s", "code", "code"]
    assert result.rows == [("1 year 2 months 3 days 04:05:06.5", ["1 month"], {"d": "2 days", "n": 1}, "11002", 3)]


@pytest.mark.parametrize(
    ("sql", "hint"),
    [
        (
            "SELECT CAST('abc' AS INTEGER)",
            "TRY_CAST gives NULL for a value that does not convert, instead of this error: TRY_CAST('abc' AS INT).",
        ),
        (
            "SELECT code::DATE AS d, n::DOUBLE FROM t",
            "TRY_CAST gives NULL for a value that does not convert, instead of this error: TRY_CAST(code AS DATE), "
            "TRY_CAST(n AS DOUBLE).",
        ),
        (
            "SELECT * FROM (VALUES ('x')) v(a) WHERE a = 5",
            "A value did not convert where it was compared or combined with another type: convert it yourself with "
            "TRY_CAST(column AS type), which gives NULL for a value that does not convert.",
        ),
    ],
)
def test_a_value_that_does_not_convert_gets_try_cast_as_hint(warehouse: Path, sql: str, hint: str) -> None:
    """A conversion error was told that `peil sources` lists the datasets, which does not help."""
    with query.read_only(warehouse) as con, pytest.raises(QueryError) as caught:
        query.run(con, sql)
    assert caught.value.message.startswith("Conversion Error:")
    assert caught.value.hint == hint


def test_only_an_unknown_table_gets_the_datasets_hint(warehouse: Path) -> None:
    with query.read_only(warehouse) as con:
        with pytest.raises(QueryError) as unknown_table:
            query.run(con, "SELECT * FROM nope")
        with pytest.raises(QueryError) as unknown_column:
            query.run(con, "SELECT nope FROM t")
    assert unknown_table.value.hint == "`peil sources` lists the datasets you can query."
    assert "Candidate bindings" in unknown_column.value.message and unknown_column.value.hint is None
