"""Diff of two generated snapshots: peil's diff_tables against datacompy, on the same data in the same run.

Usage: .venv/bin/python benchmarks/diff.py [--rows 5000000] [--repeat 1] [--polars] [--threads N]

Two tables of `rows` rows keyed by `id` (text with leading zeros, integers, doubles, dates, NULLs) in a DuckDB
file; in the new one 1% of the rows have one or two cells changed (a double by one cent, a text, a NULL made a
value), 0.02% of the keys are removed and as many added. Each row has its `_row_hash`, as a snapshot that peil
loads has (peil.sources.table.row_hash); computing them is part of loading, and its time is printed, not counted.
peil's time is `diff_tables` on a read-only connection, every changed cell fetched (limit None), with the key
known to be unique in both tables as `peil diff` knows it of snapshots whose primary_key checks passed at ingest,
so that rows are matched by stored hash first; "peil, keys checked" is the same diff when that is not known, so
rows are matched by key and a second join counts the matched pairs to find duplicate keys; "peil, values hashed"
is the first without the stored hashes, as for snapshots of an older peil or of another schema. Two queries
are the engine's reference: "DuckDB, key join alone" counts the FULL JOIN of the two tables on the key, no
values read; "DuckDB, rows that differ" counts the rows of that join that are added, removed or differ in a
column, which reads and compares every value as a diff must, but fetches nothing.
datacompy's (the pandas `PandasCompare`, or with --polars also `PolarsCompare`) starts from DataFrames already
in memory, so their loading from DuckDB is not counted, and ends when the mismatching cells are read from its
result. The results are checked to be the same: the same added and removed keys and the same (key, column)
changed cells. Each of N rounds (--repeat) runs every contender once, in turn, so that a drift in the machine's
speed hits all alike. Prints each one's best wall time with its CPU time (all threads) and the ratios to peil's
(the goal: datacompy / peil >= 20 in wall time).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import datacompy
import duckdb
import pandas as pd

from peil.diff import SIDES, Diff, diff_tables
from peil.sources.table import ROW_HASH, row_hash
from peil.workspace import SchemaField

TYPES = {"id": "string", "nis": "string", "jaar": "integer", "bedrag": "number", "aantal": "integer"}
TYPES |= {"datum": "date", "omschrijving": "string"}
FIELDS = [SchemaField(name=name, type=kind) for name, kind in TYPES.items()]  # as a workspace would declare them
COLUMNS = [f.name for f in FIELDS[1:]]
KEY_JOIN = "SELECT count(*) FROM old FULL JOIN new ON old.id = new.id"
DIFFERING = f"{KEY_JOIN} WHERE old.id IS NULL OR new.id IS NULL OR " + " OR ".join(
    f"old.{c} IS DISTINCT FROM new.{c}" for c in COLUMNS
)
HASHING = f"SELECT bit_xor({row_hash(FIELDS)}) FROM (FROM old UNION ALL FROM new)"
Result = tuple[set[Any], set[Any], set[tuple[Any, str]]]  # added keys, removed keys, changed (key, column)


def generate(path: Path, rows: int) -> None:
    """Write the tables old and new (`rows` rows each, with their row hashes) into the DuckDB file `path`."""
    with duckdb.connect(str(path)) as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"""
            CREATE TEMP TABLE old_values AS
            SELECT lpad(CAST(i AS VARCHAR), 9, '0') AS id,
                   lpad(CAST(10000 + i % 90000 AS VARCHAR), 5, '0') AS nis,
                   2009 + CAST(i % 16 AS INTEGER) AS jaar,
                   round((i % 1000003) / 7.0, 2) AS bedrag,
                   i % 9973 AS aantal,
                   DATE '2009-01-01' + CAST(i % 5000 AS INTEGER) AS datum,
                   CASE WHEN i % 97 = 0 THEN NULL ELSE 'post ' || (i % 4999) END AS omschrijving
            FROM range({rows}) t(i)
            """
        )
        # 1% of the rows change (hash-picked, so spread over the table); the keys i % 5000 = 1 go, as many come.
        con.execute(
            f"""
            CREATE TEMP TABLE new_values AS
            SELECT id, nis, jaar,
                   CASE WHEN changed THEN bedrag + 0.01 ELSE bedrag END AS bedrag,
                   aantal, datum,
                   CASE WHEN changed AND pick % 3 = 0 THEN coalesce(omschrijving || ' (herzien)', 'nieuw')
                        ELSE omschrijving END AS omschrijving
            FROM (SELECT *, hash(id) % 100 AS bucket, hash(id || 'x') AS pick, bucket = 0 AS changed FROM old_values)
            WHERE CAST(id AS BIGINT) % 5000 <> 1
            UNION ALL
            SELECT lpad(CAST({rows} + i AS VARCHAR), 9, '0'), '09000', 2025, 1.5, 1, DATE '2025-01-01', 'nieuw'
            FROM range({rows // 5000}) t(i)
            """
        )
        for name in ("old", "new"):
            con.execute(f"CREATE TABLE {name} AS SELECT *, {row_hash(FIELDS)} AS {ROW_HASH} FROM {name}_values")
        con.execute("CHECKPOINT")


Timing = tuple[float, float]  # wall seconds, CPU seconds of the process (all its threads)


def rounds(repeat: int, contenders: dict[str, Callable[[], Any]]) -> dict[str, tuple[Timing, Any]]:
    """Per contender, the shortest wall time of `repeat` runs with that run's CPU time, and the last run's
    result. Each round runs every contender once, in turn, so that a machine whose speed drifts (a shared one
    does) slows them alike. CPU time shows the work done when other processes stretch the wall time."""
    timings: dict[str, list[Timing]] = {name: [] for name in contenders}
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, run in contenders.items():
            wall, cpu = time.perf_counter(), time.process_time()
            results[name] = run()
            timings[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {name: (min(timings[name]), results[name]) for name in contenders}


def peil_diff(con: duckdb.DuckDBPyConnection, *, known_unique: bool, hashed: bool) -> Diff:
    """peil's diff of old and new by id, every difference fetched; with `known_unique`, the key known to be
    unique in both; with `hashed`, the stored row hashes read."""
    hashes = {"row_hash": ROW_HASH} if hashed else {"ignore": [ROW_HASH]}
    return diff_tables(con, "old", "new", ["id"], None, known_unique=SIDES if known_unique else (), **hashes)


def values(con: duckdb.DuckDBPyConnection, table: str) -> duckdb.DuckDBPyRelation:
    """The table without its row hashes, as datacompy is given it."""
    return con.sql(f"FROM {table} SELECT * EXCLUDE ({ROW_HASH})")


def peil_result(diff: Diff) -> Result:
    return set(diff.added_keys), set(diff.removed_keys), {(c.key, c.column) for c in diff.cells}


def pandas_result(compare: datacompy.PandasCompare) -> Result:
    rows = compare.intersect_rows
    cells = {(key, column) for column in COLUMNS for key in rows.loc[~rows[f"{column}_match"], "id"]}
    return set(compare.df2_unq_rows["id"]), set(compare.df1_unq_rows["id"]), cells


def polars_result(compare: datacompy.PolarsCompare) -> Result:
    rows = compare.intersect_rows
    cells = {(key, column) for column in COLUMNS for key in rows.filter(~rows[f"{column}_match"])["id"]}
    return set(compare.df2_unq_rows["id"]), set(compare.df1_unq_rows["id"]), cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--polars", action="store_true", help="also time datacompy's PolarsCompare")
    parser.add_argument("--threads", type=int, help="DuckDB's threads for peil (default: one per core)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "warehouse.duckdb"
        generate(path, args.rows)
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("SET enable_progress_bar = false")
            if args.threads:
                con.execute("SET threads = ?", [args.threads])
            (threads,) = con.execute("SELECT current_setting('threads')").fetchall()
            started = time.perf_counter()
            frames = values(con, "old").df(), values(con, "new").df()
            load_seconds = time.perf_counter() - started
            contenders: dict[str, Callable[[], Any]] = {
                "peil": lambda: peil_result(peil_diff(con, known_unique=True, hashed=True)),
                "peil, keys checked": lambda: peil_result(peil_diff(con, known_unique=False, hashed=True)),
                "peil, values hashed": lambda: peil_result(peil_diff(con, known_unique=True, hashed=False)),
                "DuckDB, key join alone": lambda: con.execute(KEY_JOIN).fetchall(),
                "DuckDB, rows that differ": lambda: con.execute(DIFFERING).fetchall(),
                "datacompy (pandas)": lambda: pandas_result(datacompy.PandasCompare(*frames, join_columns="id")),
            }
            if args.polars:
                polars_frames = values(con, "old").pl(), values(con, "new").pl()
                contenders["datacompy (polars)"] = lambda: polars_result(
                    datacompy.PolarsCompare(*polars_frames, join_columns="id")
                )
            measured = rounds(args.repeat, contenders)
            (hashing, _) = rounds(args.repeat, {"hashing": lambda: con.execute(HASHING).fetchall()})["hashing"]
    expected = measured["peil"][1]
    for name in ("peil, keys checked", "peil, values hashed", "datacompy (pandas)", "datacompy (polars)"):
        assert name not in measured or measured[name][1] == expected, f"{name} and peil disagree"
    added, removed, cells = expected
    assert measured["DuckDB, rows that differ"][1] == [(len(added) + len(removed) + len({k for k, _ in cells}),)]
    timings = {name: timing for name, (timing, _) in measured.items()}
    peil = timings["peil"]
    print(
        f"{args.rows:,} rows per snapshot: {len(added):,} added, {len(removed):,} removed, "
        f"{len(cells):,} changed cells in {len({k for k, _ in cells}):,} rows; the results are equal"
    )
    versions = f"duckdb {duckdb.__version__}, datacompy {datacompy.__version__}, pandas {pd.__version__}"
    print(f"{versions}; best of {args.repeat}; peil on {threads[0]} DuckDB threads")
    for name, (wall, cpu) in timings.items():
        ratio = (
            "" if name == "peil" else f"  ({wall / peil[0]:.1f}x peil's wall time, {cpu / peil[1]:.1f}x its CPU time)"
        )
        print(f"{name:<24} {wall:8.2f} s wall, {cpu:8.2f} s CPU{ratio}")
    print(
        f"(not counted above: hashing the rows of both tables, as loading them does, took {hashing[0]:.2f} s; "
        f"reading them from DuckDB into pandas took {load_seconds:.2f} s)"
    )


if __name__ == "__main__":
    main()
