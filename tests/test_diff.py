"""Snapshot diffs on tables made here with DuckDB: every added, removed and changed cell found, nothing else."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peil import diff as diff_module
from peil.diff import (
    SIDES,
    Cell,
    Column,
    Diff,
    Row,
    SchemaChange,
    Side,
    SnapshotDiff,
    change_rows,
    diff_snapshots,
    diff_tables,
    summary,
    to_json,
)
from peil.errors import StoreError


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], rows: Sequence[Sequence[Any]]) -> None:
    """Create the table `name` with `columns` (name: DuckDB type) holding `rows`."""
    definition = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TABLE {name} ({definition})")
    if rows:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns)})", [list(r) for r in rows])


def cells(diff: Diff) -> dict[tuple[Any, str], tuple[Any, Any]]:
    return {(c.key, c.column): (c.old, c.new) for c in diff.cells}


def add_row_hashes(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Give each row of `tables` its `_row_hash` of all its columns, as a snapshot loaded by peil has."""
    for name in tables:
        columns = ", ".join(f'"{r[0]}"' for r in con.execute(f"DESCRIBE {name}").fetchall())
        con.execute(f"ALTER TABLE {name} ADD COLUMN _row_hash UBIGINT")
        con.execute(f"UPDATE {name} SET _row_hash = hash({columns})")


def summary_lines(diff: Diff) -> list[str]:
    return summary(SnapshotDiff("t", 1, 2, diff.key, diff))


# -- generated snapshots with known answers ----------------------------------------------------------------------

VALUE_COLUMNS = {"n": "INTEGER", "x": "DOUBLE", "s": "VARCHAR", "d": "DATE"}


def random_value(rng: random.Random, column: str) -> Any:
    if rng.random() < 0.1:
        return None
    if column == "n":
        return rng.randint(-1000, 1000)
    if column == "x":
        return rng.uniform(-1e6, 1e6)
    if column == "s":
        return "".join(rng.choices("0123456789", k=34))  # long digit strings stay text
    return dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 9000))


def changed_value(rng: random.Random, column: str, old: Any) -> Any:
    """A value that differs from `old`: the smallest possible step where there is one, else a new value."""
    if old is not None and rng.random() < 0.2:
        return None
    if column == "x" and old is not None:
        return math.nextafter(old, math.inf)  # exact comparison: one ulp is a change
    if column == "s" and old is not None:
        return old[:-1] + str((int(old[-1]) + 1) % 10)  # only the last of 34 digits differs
    value = random_value(rng, column)
    while value is None or value == old:
        value = random_value(rng, column)
    return value


def generated_keys(rng: random.Random, compound: bool, count: int) -> list[Any]:
    if not compound:
        return rng.sample(range(1, 10 * count), count)
    pairs = {(f"{rng.randint(11000, 93000):05d}", rng.randint(2000, 2030)) for _ in range(2 * count)}
    return rng.sample(sorted(pairs), count)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("compound", [False, True], ids=["key id", "key nis+jaar"])
def test_generated_added_removed_and_changed_cells_are_found_exactly(
    con: duckdb.DuckDBPyConnection, seed: int, compound: bool
) -> None:
    rng = random.Random(seed)
    keys = generated_keys(rng, compound, 600)
    old_keys, fresh = keys[:500], keys[500:]
    old = {k: {c: random_value(rng, c) for c in VALUE_COLUMNS} for k in old_keys}
    removed = set(rng.sample(old_keys, rng.randint(0, 30)))
    added = set(fresh[: rng.randint(0, 30)])
    kept = [k for k in old_keys if k not in removed]
    expected: dict[tuple[Any, str], tuple[Any, Any]] = {}
    for _ in range(rng.randint(1, 80)):
        k, column = rng.choice(kept), rng.choice(list(VALUE_COLUMNS))
        before = old[k][column]
        expected[(k, column)] = (before, changed_value(rng, column, before))
    new = {k: dict(old[k]) for k in kept} | {k: {c: random_value(rng, c) for c in VALUE_COLUMNS} for k in added}
    for (k, column), (_, after) in expected.items():
        new[k][column] = after
    key_columns = {"nis": "VARCHAR", "jaar": "INTEGER"} if compound else {"id": "BIGINT"}

    def rows(data: dict[Any, dict[str, Any]]) -> list[tuple[Any, ...]]:
        found = [(*(k if compound else (k,)), *values.values()) for k, values in data.items()]
        rng.shuffle(found)  # row order means nothing
        return found

    table(con, "old", key_columns | VALUE_COLUMNS, rows(old))
    table(con, "new", key_columns | VALUE_COLUMNS, rows(new))
    diff = diff_tables(con, "old", "new", list(key_columns), None)
    add_row_hashes(con, "old", "new")
    assert diff_tables(con, "old", "new", list(key_columns), None, known_unique=SIDES, row_hash="_row_hash") == diff
    changed_keys = {k for k, _ in expected}
    assert diff.mode == "key"
    assert set(diff.added_keys) == added and len(diff.added_keys) == diff.added == len(added)
    assert set(diff.removed_keys) == removed and len(diff.removed_keys) == diff.removed == len(removed)
    assert cells(diff) == expected
    assert len(diff.cells) == diff.cell_count == len(expected)
    assert diff.changed == len(changed_keys)
    assert diff.unchanged == len(kept) - len(changed_keys)
    assert diff.changed_cells == dict(Counter(column for _, column in expected))
    assert diff.schema == () and diff.duplicates == {} and not diff.truncated
    assert list(diff.cells) == sorted(diff.cells, key=lambda c: (c.key, list(VALUE_COLUMNS).index(c.column)))


# -- the peer-tool cases -----------------------------------------------------------------------------------------


def test_a_stored_row_hash_is_read_only_when_both_tables_have_the_same_columns(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Stored hashes pick the rows to compare: a hash that differs on equal values makes no change up, and one
    left equal on changed values hides the change, which shows they are read; with a column of another type
    the hashes are not of the same values, so peil hashes the values itself and finds the change."""
    columns = {"nis": "VARCHAR", "n": "INTEGER", "_row_hash": "UBIGINT"}
    table(con, "old", columns, [("36015", 1, 1), ("36007", 2, 2)])
    table(con, "new", columns, [("36015", 1, 10), ("36007", 3, 2)])  # 36015 hashed anew, 36007 changed, not
    assert cells(diff_tables(con, "old", "new", ["nis"], None, row_hash="_row_hash")) == {}
    assert cells(diff_tables(con, "old", "new", ["nis"], None, ignore=["_row_hash"])) == {("36007", "n"): (2, 3)}
    table(con, "new", {**columns, "n": "BIGINT"}, [("36015", 1, 10), ("36007", 3, 2)])
    assert cells(diff_tables(con, "old", "new", ["nis"], None, row_hash="_row_hash")) == {("36007", "n"): ("2", "3")}


def test_long_digit_strings_are_compared_as_text_not_floats(con: duckdb.DuckDBPyConnection) -> None:
    # DIFF-01 (capitalone/datacompy#121): as floats the two references are equal.
    table(con, "v1", {"id": "INTEGER", "ref": "VARCHAR"}, [(1, "1234567890123456789012345678901231")])
    table(con, "v2", {"id": "INTEGER", "ref": "VARCHAR"}, [(1, "1234567890123456789012345678901232")])
    diff = diff_tables(con, "v1", "v2", ["id"], None)
    assert [(c.key, c.column) for c in diff.cells] == [(1, "ref")]
    assert diff.cells[0] == Cell(1, "ref", "1234567890123456789012345678901231", "1234567890123456789012345678901232")


def test_duplicate_keys_are_reported_and_never_paired(con: duckdb.DuckDBPyConnection) -> None:
    # DIFF-03 (databrickslabs/dqx#1487): a 2x2 join of key 1 would report A/B and B/A as changes.
    rows = [(1, "A"), (1, "B"), (2, "C")]
    table(con, "v1", {"id": "INTEGER", "naam": "VARCHAR"}, rows)
    table(con, "v2", {"id": "INTEGER", "naam": "VARCHAR"}, rows)
    diff = diff_tables(con, "v1", "v2", ["id"], None)
    assert diff.duplicates == {1: (2, 2)}
    assert diff.duplicate_keys == 1
    assert diff.cells == () and diff.changed == 0 and diff.added == 0 and diff.removed == 0
    assert diff.unchanged == 1  # key 2
    assert diff.added + diff.removed + diff.changed + diff.unchanged <= len(rows)
    assert ("duplicate key", 1, None, 2, 2) in change_rows(diff)[1]
    assert summary_lines(diff)[-1] == "1 key is on more than one row; their rows are not compared"


def test_a_key_duplicated_on_one_side_only_is_set_aside(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"id": "INTEGER", "naam": "VARCHAR"}, [(1, "A"), (1, "B"), (2, "C"), (None, "x"), (None, "y")])
    table(con, "v2", {"id": "INTEGER", "naam": "VARCHAR"}, [(1, "A"), (2, "D"), (None, "x")])
    diff = diff_tables(con, "v1", "v2", ["id"], None)
    assert diff.duplicates == {1: (2, 1), None: (2, 1)}
    assert change_rows(diff)[1][-2:] == [("duplicate key", 1, None, 2, 1), ("empty key, repeated", None, None, 2, 1)]
    assert cells(diff) == {(2, "naam"): ("C", "D")}
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == (0, 0, 1, 0)


def test_null_against_null_and_nan_against_nan_are_no_change_but_one_ulp_is(con: duckdb.DuckDBPyConnection) -> None:
    columns = {"id": "INTEGER", "x": "DOUBLE", "s": "VARCHAR"}
    table(con, "v1", columns, [(1, None, None), (2, float("nan"), "a"), (3, 1.0, "b"), (4, 0.0, "c"), (5, 2.0, "")])
    table(
        con,
        "v2",
        columns,
        [(1, None, None), (2, float("nan"), "a"), (3, 1.0000000001, "b"), (4, -0.0, "c"), (5, 2.0, None)],
    )
    diff = diff_tables(con, "v1", "v2", ["id"], None)
    # -0.0 equals 0.0 (IEEE 754); an empty string is a value, not NULL
    assert cells(diff) == {(3, "x"): (1.0, 1.0000000001), (5, "s"): ("", None)}
    assert diff.unchanged == 3


def test_a_null_key_matches_a_null_key(con: duckdb.DuckDBPyConnection) -> None:
    columns = {"nis": "VARCHAR", "jaar": "INTEGER", "v": "INTEGER"}
    table(con, "v1", columns, [("11001", None, 1), ("11002", 2024, 2)])
    table(con, "v2", columns, [("11001", None, 5), ("11002", 2024, 2)])
    diff = diff_tables(con, "v1", "v2", ["nis", "jaar"], None)
    assert cells(diff) == {(("11001", None), "v"): (1, 5)}
    assert diff.added == diff.removed == 0


# -- schema changes ----------------------------------------------------------------------------------------------


def test_a_renamed_column_is_reported_as_renamed_and_compared_under_its_new_name(
    con: duckdb.DuckDBPyConnection,
) -> None:
    names = [f"gemeente {i}" for i in range(100)]
    table(
        con, "v1", {"nis": "INTEGER", "naam": "VARCHAR", "inwoners": "INTEGER"}, [(i, names[i], i) for i in range(100)]
    )
    names[7] = "Roeselare"
    table(
        con, "v2", {"nis": "INTEGER", "inwoners": "INTEGER", "name": "VARCHAR"}, [(i, i, names[i]) for i in range(100)]
    )
    diff = diff_tables(con, "v1", "v2", ["nis"], None)
    assert diff.schema == (SchemaChange("renamed", Column("naam", "VARCHAR"), Column("name", "VARCHAR"), 0.99),)
    assert cells(diff) == {(7, "name"): ("gemeente 7", "Roeselare")}
    assert diff.columns == ("inwoners", "name")
    assert "schema: renamed 'naam' -> 'name' (99% of the values equal)" in summary_lines(diff)


def test_columns_that_share_too_few_values_are_removed_and_added_not_renamed(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"id": "INTEGER", "a": "INTEGER"}, [(i, i) for i in range(20)])
    table(con, "v2", {"id": "INTEGER", "b": "INTEGER"}, [(i, i if i < 18 else -1) for i in range(20)])  # 90% equal
    diff = diff_tables(con, "v1", "v2", ["id"], None)
    assert diff.schema == (
        SchemaChange("removed", Column("a", "INTEGER"), None),
        SchemaChange("added", None, Column("b", "INTEGER")),
    )
    assert diff.cells == () and diff.changed == 0 and diff.unchanged == 20


def test_two_empty_columns_are_not_a_rename(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"id": "INTEGER", "a": "VARCHAR"}, [(1, None), (2, None)])
    table(con, "v2", {"id": "INTEGER", "b": "VARCHAR"}, [(1, None), (2, None)])
    diff = diff_tables(con, "v1", "v2", ["id"], None)
    assert [c.kind for c in diff.schema] == ["removed", "added"]


def test_a_type_change_is_reported_and_values_are_compared_as_text(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"id": "INTEGER", "code": "INTEGER", "x": "INTEGER"}, [(1, 412, 5), (2, 7, 6)])
    table(con, "v2", {"id": "VARCHAR", "code": "VARCHAR", "x": "DOUBLE"}, [("1", "0412", 5.0), ("2", "7", 6.0)])
    diff = diff_tables(con, "v1", "v2", ["id"], None)
    assert [(c.kind, c.new.name if c.new else None) for c in diff.schema] == [
        ("type changed", "id"),
        ("type changed", "code"),
        ("type changed", "x"),
    ]
    assert cells(diff) == {
        ("1", "code"): ("412", "0412"),  # the leading zero is the change
        ("1", "x"): ("5", "5.0"),
        ("2", "x"): ("6", "6.0"),
    }
    assert diff.schema[2].describe() == "column 'x' changed type INTEGER -> DOUBLE; compared as text"


def test_added_and_removed_columns_take_no_part_in_the_row_comparison(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"id": "INTEGER", "a": "INTEGER", "gone": "VARCHAR"}, [(1, 1, "x"), (2, 2, "y")])
    table(con, "v2", {"id": "INTEGER", "a": "INTEGER", "fresh": "DATE"}, [(1, 1, None), (2, 3, dt.date(2024, 1, 1))])
    diff = diff_tables(con, "v1", "v2", ["id"], None)
    assert [c.describe() for c in diff.schema] == ["column 'gone' removed (VARCHAR)", "column 'fresh' added (DATE)"]
    assert cells(diff) == {(2, "a"): (2, 3)}


# -- row hash (no key) -------------------------------------------------------------------------------------------


def test_without_a_key_rows_are_compared_as_a_multiset(con: duckdb.DuckDBPyConnection) -> None:
    columns = {"naam": "VARCHAR", "n": "INTEGER"}
    table(con, "v1", columns, [("a", 1), ("a", 1), ("a", 1), ("b", 2), ("c", None)])
    table(con, "v2", columns, [("a", 1), ("b", 2), ("b", 2), ("d", 4), ("c", None)])
    diff = diff_tables(con, "v1", "v2", [], None)
    assert diff.mode == "row hash" and diff.key == () and diff.columns == ("naam", "n")
    assert diff.added_rows == (Row(("b", 2), 1), Row(("d", 4), 1))
    assert diff.removed_rows == (Row(("a", 1), 2),)
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == (2, 2, 0, 3)
    assert summary_lines(diff)[0].endswith("no primary key, so whole rows are compared as a multiset (row hash)")


def test_without_a_key_identical_duplicate_rows_are_no_change(con: duckdb.DuckDBPyConnection) -> None:
    columns = {"naam": "VARCHAR", "x": "DOUBLE"}
    rows = [("a", 1.0), ("a", 1.0), ("b", float("nan")), ("c", None)]
    table(con, "v1", columns, rows)
    table(con, "v2", columns, list(reversed(rows)))
    diff = diff_tables(con, "v1", "v2", [], None)
    assert diff.identical and diff.unchanged == 4


def test_without_a_key_added_columns_are_left_out_of_the_rows(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"a": "INTEGER"}, [(1,), (2,)])
    table(con, "v2", {"a": "INTEGER", "b": "INTEGER"}, [(1, 9), (3, 9)])
    diff = diff_tables(con, "v1", "v2", [], None)
    assert diff.added_rows == (Row((3,), 1),) and diff.removed_rows == (Row((2,), 1),)
    assert [c.kind for c in diff.schema] == ["added"]


# -- properties against a plain Python oracle --------------------------------------------------------------------

small_row = st.tuples(st.one_of(st.none(), st.integers(0, 6)), st.one_of(st.none(), st.integers(0, 3)))
small_rows = st.lists(small_row, max_size=25)


@settings(max_examples=150, deadline=None)
@given(old=small_rows, new=small_rows)
def test_key_diff_agrees_with_a_python_oracle(old: list[tuple[Any, Any]], new: list[tuple[Any, Any]]) -> None:
    with duckdb.connect() as con:
        table(con, "v1", {"id": "INTEGER", "v": "INTEGER"}, old)
        table(con, "v2", {"id": "INTEGER", "v": "INTEGER"}, new)
        diff = diff_tables(con, "v1", "v2", ["id"], None)
    old_count, new_count = Counter(k for k, _ in old), Counter(k for k, _ in new)
    duplicated = {k for k in old_count | new_count if old_count[k] > 1 or new_count[k] > 1}
    before = {k: v for k, v in old if k not in duplicated}
    after = {k: v for k, v in new if k not in duplicated}
    assert diff.duplicates == {k: (old_count[k], new_count[k]) for k in duplicated}
    assert set(diff.added_keys) == after.keys() - before.keys()
    assert set(diff.removed_keys) == before.keys() - after.keys()
    assert cells(diff) == {
        (k, "v"): (before[k], after[k]) for k in before.keys() & after.keys() if before[k] != after[k]
    }
    assert diff.added + diff.changed + diff.unchanged + sum(n for _, n in diff.duplicates.values()) == len(new)
    assert diff.removed + diff.changed + diff.unchanged + sum(o for o, _ in diff.duplicates.values()) == len(old)


unique_rows = st.lists(small_row, max_size=25, unique_by=lambda row: row[0])


@settings(max_examples=150, deadline=None)
@given(unique=unique_rows, other=small_rows, new=st.booleans())
def test_a_key_known_unique_in_one_table_gives_the_same_diff(
    unique: list[tuple[Any, Any]], other: list[tuple[Any, Any]], new: bool
) -> None:
    # Without the count of matched pairs the duplicates in the other table are still found, and set aside.
    with duckdb.connect() as con:
        table(con, "v1", {"id": "INTEGER", "v": "INTEGER"}, other if new else unique)
        table(con, "v2", {"id": "INTEGER", "v": "INTEGER"}, unique if new else other)
        add_row_hashes(con, "v1", "v2")
        checked = diff_tables(con, "v1", "v2", ["id"], None, ignore=["_row_hash"])
        claim: list[Side] = ["new"] if new else ["old"]
        assert diff_tables(con, "v1", "v2", ["id"], None, known_unique=claim, row_hash="_row_hash") == checked


@settings(max_examples=150, deadline=None)
@given(old=unique_rows, new=unique_rows)
def test_rows_matched_by_stored_hash_give_the_same_diff_as_by_key(
    old: list[tuple[Any, Any]], new: list[tuple[Any, Any]]
) -> None:
    with duckdb.connect() as con:
        table(con, "v1", {"id": "INTEGER", "v": "INTEGER"}, old)
        table(con, "v2", {"id": "INTEGER", "v": "INTEGER"}, new)
        add_row_hashes(con, "v1", "v2")
        checked = diff_tables(con, "v1", "v2", ["id"], None, ignore=["_row_hash"])
        assert diff_tables(con, "v1", "v2", ["id"], None, known_unique=SIDES, row_hash="_row_hash") == checked


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ([(1, "a", 1), (2, "b", 1), (3, "c", 3)], [(1, "a", 1), (2, "x", 2), (3, "y", 1)]),
        ([(1, "a", 1), (2, "b", 1)], [(1, "a", 1), (3, "c", 1)]),
        ([(1, "a", 1), (2, "b", 1), (3, "c", 1)], [(1, "a", 1), (2, "b", 1), (4, "d", 1)]),
        ([(1, "a", 1), (2, "b", 1)], [(1, "a", 1), (2, "c", 3)]),
    ],
    ids=["two alike on each side", "one removed, one added", "three alike on each side", "two alike, one changed"],
)
def test_rows_that_hash_alike_in_a_table_are_matched_by_key_instead(
    con: duckdb.DuckDBPyConnection, old: list[tuple[Any, ...]], new: list[tuple[Any, ...]]
) -> None:
    """Stored hashes made to collide within a table (as (id, v, _row_hash)). Matched by hash, the rows alike
    would pair every old one with every new one, and even where as many old rows as new ones found a hash
    (found by a helper trying to break the diff) keys would pass for added or removed, or changes be missed;
    the pairs outnumber the rows that found a hash, so the rows are joined on the key, as without stored hashes."""
    columns = {"id": "BIGINT", "v": "VARCHAR", "_row_hash": "UBIGINT"}
    table(con, "old", columns, old)
    table(con, "new", columns, new)
    expected = diff_tables(con, "old", "new", ["id"], None, ignore=["_row_hash"])
    assert diff_tables(con, "old", "new", ["id"], None, known_unique=SIDES, row_hash="_row_hash") == expected
    before, after = {k: v for k, v, _ in old}, {k: v for k, v, _ in new}
    assert set(expected.added_keys) == after.keys() - before.keys()
    assert cells(expected) == {
        (k, "v"): (before[k], after[k]) for k in before.keys() & after.keys() if before[k] != after[k]
    }


@settings(max_examples=150, deadline=None)
@given(old=small_rows, new=small_rows)
def test_row_hash_diff_agrees_with_a_python_multiset(old: list[tuple[Any, Any]], new: list[tuple[Any, Any]]) -> None:
    with duckdb.connect() as con:
        table(con, "v1", {"a": "INTEGER", "b": "INTEGER"}, old)
        table(con, "v2", {"a": "INTEGER", "b": "INTEGER"}, new)
        diff = diff_tables(con, "v1", "v2", [], None)
    assert {r.values: r.copies for r in diff.added_rows} == dict(Counter(new) - Counter(old))
    assert {r.values: r.copies for r in diff.removed_rows} == dict(Counter(old) - Counter(new))
    assert diff.unchanged == (Counter(old) & Counter(new)).total()


# -- samples, errors, connections --------------------------------------------------------------------------------


def test_limit_cuts_the_samples_but_not_the_counts(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"id": "INTEGER", "a": "INTEGER", "b": "INTEGER"}, [(i, 0, 0) for i in range(10)])
    table(con, "v2", {"id": "INTEGER", "a": "INTEGER", "b": "INTEGER"}, [(i, 1, 1) for i in range(5, 20)])
    diff = diff_tables(con, "v1", "v2", ["id"], 3)
    assert [(c.key, c.column) for c in diff.cells] == [(5, "a"), (5, "b"), (6, "a")]
    assert diff.added_keys == (10, 11, 12) and diff.removed_keys == (0, 1, 2)
    assert (diff.added, diff.removed, diff.changed, diff.cell_count) == (10, 5, 5, 10)
    assert diff.truncated
    assert not diff_tables(con, "v1", "v2", ["id"], 20).truncated


def test_the_changed_cells_read_as_a_sequence_of_cells(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"a": "INTEGER", "b": "INTEGER", "x": "VARCHAR"}, [(1, 1, "p"), (1, 2, "q"), (2, 1, "r")])
    table(con, "v2", {"a": "INTEGER", "b": "INTEGER", "x": "VARCHAR"}, [(1, 1, "P"), (1, 2, "q"), (2, 1, None)])
    found = diff_tables(con, "v1", "v2", ["a", "b"], None).cells
    expected = (Cell((1, 1), "x", "p", "P"), Cell((2, 1), "x", "r", None))
    assert len(found) == 2 and found[1] == expected[1] and found[-2:] == expected and list(found) == list(expected)
    assert found[:1] == expected[:1] and found != expected[:1] and found != [*expected[:1], expected[0]]


def test_a_missing_table_or_key_column_is_a_store_error(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "v1", {"id": "INTEGER"}, [(1,)])
    with pytest.raises(StoreError, match="there is no table nope"):
        diff_tables(con, "v1", "nope", ["id"], None)
    table(con, "v2", {"nr": "INTEGER"}, [(1,)])
    with pytest.raises(StoreError, match=r"the key column 'id' is not in v2\n  Its columns: nr\."):
        diff_tables(con, "v1", "v2", ["id"], None)
    con.execute("CREATE VIEW v3 AS SELECT * FROM v1")
    with pytest.raises(StoreError, match="v3 is a view: a diff by key compares tables"):
        diff_tables(con, "v1", "v3", ["id"], None)
    assert diff_tables(con, "v1", "v3", [], None).identical


def test_quoted_names_work_and_no_temporary_table_stays_behind(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute('CREATE SCHEMA raw; CREATE TABLE raw."a b__v1" ("x""y" INTEGER, "select" VARCHAR)')
        con.execute("INSERT INTO raw.\"a b__v1\" VALUES (1, 'p'), (2, 'q')")
        con.execute('CREATE TABLE raw."a b__v2" AS SELECT "x""y", upper("select") AS "select" FROM raw."a b__v1"')
    with duckdb.connect(str(path), read_only=True) as con:  # as the report and `peil diff` open it
        diff = diff_tables(con, 'raw."a b__v1"', 'raw."a b__v2"', ['x"y'], None)
        assert cells(diff) == {(1, "select"): ("p", "P"), (2, "select"): ("q", "Q")}
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone() == (0,)


# -- snapshots in a warehouse ------------------------------------------------------------------------------------


def warehouse(
    con: duckdb.DuckDBPyConnection, versions: dict[int, tuple[dict[str, str], list[tuple[Any, ...]]]]
) -> None:
    """Snapshots of the dataset 'werk' as the store writes them: raw tables with lineage columns, meta rows."""
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA meta")
    con.execute(
        "CREATE TABLE meta.snapshots (dataset VARCHAR, version INTEGER, table_name VARCHAR, schema_json VARCHAR)"
    )
    for version, (columns, rows) in versions.items():
        name = f'raw."werk__v{version}"'
        lineage = {"_file": "VARCHAR", "_sheet": "VARCHAR", "_row": "BIGINT"}
        table(con, name, columns | lineage, [(*r, f"data/werk{version}.csv", None, i) for i, r in enumerate(rows)])
        schema = {"fields": [{"name": c} for c in columns], "primaryKey": ["nis"] if "nis" in columns else []}
        con.execute("INSERT INTO meta.snapshots VALUES ('werk', ?, ?, ?)", [version, name, json.dumps(schema)])


def test_diff_snapshots_compares_the_last_two_versions_by_key_without_lineage(con: duckdb.DuckDBPyConnection) -> None:
    columns = {"nis": "VARCHAR", "zoekend": "INTEGER"}
    warehouse(
        con,
        {
            1: (columns, [("36015", 10), ("36007", 20)]),
            2: (columns, [("36007", 20), ("36015", 11)]),  # other rows, files and row numbers
            3: (columns, [("36007", 21), ("36015", 11), ("37002", 5)]),
        },
    )
    result = diff_snapshots(con, "werk")
    assert (result.old_version, result.new_version) == (2, 3)
    assert result.diff.key == ("nis",) and result.diff.columns == ("zoekend",)
    assert cells(result.diff) == {("36007", "zoekend"): (20, 21)} and result.diff.added_keys == ("37002",)
    assert cells(diff_snapshots(con, "werk", 1).diff) == {
        ("36007", "zoekend"): (20, 21),
        ("36015", "zoekend"): (10, 11),
    }
    assert cells(diff_snapshots(con, "werk", 1, 2).diff) == {("36015", "zoekend"): (10, 11)}


def test_diff_snapshots_without_a_key_in_both_versions_compares_whole_rows(con: duckdb.DuckDBPyConnection) -> None:
    warehouse(
        con,
        {1: ({"code": "VARCHAR", "n": "INTEGER"}, [("a", 1)]), 2: ({"nis": "VARCHAR", "n": "INTEGER"}, [("a", 1)])},
    )
    result = diff_snapshots(con, "werk")
    assert result.diff.mode == "row hash" and result.diff.columns == ("n",) and result.diff.unchanged == 1
    assert summary(result)[0] == (
        "werk, version 1 -> 2: the key nis is not in both, so whole rows are compared as a multiset (row hash)"
    )


def test_diff_snapshots_trusts_a_key_found_unique_at_ingest_in_each_version(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    columns = {"nis": "VARCHAR", "v": "INTEGER"}
    warehouse(con, {1: (columns, [("1", 1)]), 2: (columns, [("1", 2)])})  # meta.snapshots without key_unique
    claims: list[list[Side]] = []

    def spy(*args: Any, known_unique: list[Side], **kwargs: Any) -> Diff:
        claims.append(known_unique)
        return diff_tables(*args, known_unique=known_unique, **kwargs)

    monkeypatch.setattr(diff_module, "diff_tables", spy)
    diff_snapshots(con, "werk")
    con.execute("ALTER TABLE meta.snapshots ADD COLUMN key_unique BOOLEAN")
    for unique in ("NULL", "FALSE", "version = 1", "version = 2", "TRUE"):
        con.execute(f"UPDATE meta.snapshots SET key_unique = {unique}")
        diff_snapshots(con, "werk")
    con.execute("""UPDATE meta.snapshots SET schema_json = '{"primaryKey": ["v"]}' WHERE version = 1""")
    diff_snapshots(con, "werk")  # version 1 was found unique by another key
    assert claims == [[], [], [], ["old"], ["new"], ["old", "new"], ["new"]]


@pytest.mark.parametrize(
    ("versions", "old", "new", "message"),
    [
        ((1, 2), None, None, "no snapshots of 'bouw'\n  Known datasets: werk."),
        ((1, 2), 1, 7, "'werk' has no version 7\n  Its versions: 1, 2 (`peil history werk` lists them)."),
        ((1,), None, None, "'werk' has one snapshot (version 1): there is nothing to compare it with yet"),
    ],
)
def test_diff_snapshots_says_what_is_missing(
    con: duckdb.DuckDBPyConnection, versions: tuple[int, ...], old: int | None, new: int | None, message: str
) -> None:
    warehouse(con, {v: ({"nis": "VARCHAR"}, [("1",)]) for v in versions})
    with pytest.raises(StoreError) as raised:
        diff_snapshots(con, "bouw" if "bouw" in message else "werk", old, new)
    assert str(raised.value).startswith(message)


# -- output shapes -----------------------------------------------------------------------------------------------


def test_change_rows_and_json_name_every_difference_by_key(con: duckdb.DuckDBPyConnection) -> None:
    columns = {"nis": "VARCHAR", "jaar": "INTEGER", "v": "INTEGER"}
    warehouse(con, {1: (columns, [("1", 2020, 1), ("2", 2020, 2)]), 2: (columns, [("1", 2020, 5), ("3", 2020, 3)])})
    con.execute("""UPDATE meta.snapshots SET schema_json = '{"primaryKey": ["nis", "jaar"]}'""")
    result = diff_snapshots(con, "werk")
    assert change_rows(result.diff) == (
        ["change", "nis", "jaar", "column", "old", "new"],
        [
            ("changed", "1", 2020, "v", 1, 5),
            ("added", "3", 2020, None, None, None),
            ("removed", "2", 2020, None, None, None),
        ],
    )
    data = to_json(result)
    assert data["cells"] == [{"key": {"nis": "1", "jaar": 2020}, "column": "v", "old": 1, "new": 5, "unfit": []}]
    assert data["added_keys"] == [{"nis": "3", "jaar": 2020}] and data["removed_keys"] == [{"nis": "2", "jaar": 2020}]
    assert (data["mode"], data["added"], data["removed"], data["changed"], data["unchanged"]) == ("key", 1, 1, 1, 0)
    assert summary(result)[:2] == [
        "werk, version 1 -> 2: rows matched by the key nis, jaar",
        "2 -> 2 rows: 1 added, 1 removed, 1 changed (1 cell), 0 unchanged",
    ]
