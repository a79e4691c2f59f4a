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
        ("SELECT 1; DROP TABLE t", "expected one statement, found 2"),
        ("ATTACH 'other.duckdb'", "only queries are allowed"),
        ("COPY t TO '/tmp/x.csv'", "only queries are allowed"),
        ("SELECT * FROM t WHERE code = ''; DROP TABLE t; --'", "expected one statement, found"),
    ],
)
def test_statements_other_than_one_query_are_refused(warehouse: Path, sql: str, message: str) -> None:
    with query.read_only(warehouse) as con, pytest.raises(QueryError, match=message):
        query.run(con, sql)
    with query.read_only(warehouse) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(2,)]


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
