"""Ingest of a generated CSV with a declared schema: peil against DuckDB's own read_csv, in the same run.

Usage: .venv/bin/python benchmarks/ingest.py [--rows 10000000] [--repeat 3]

Prints the best-of-N wall time of each and the ratios peil / DuckDB (the goal: at most 1.3). peil's time is the
whole snapshot: hashing the file, reading it with the declared types, the lineage columns, the checks implied by
the schema, the metadata and the commit. DuckDB's is `CREATE TABLE t AS SELECT * FROM read_csv(file)` into a fresh
database file, once with the types it sniffs and once with the declared ones (the like-for-like figure: the
codes have leading zeros, so they are text, which DuckDB would otherwise read as numbers).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from peil import workspace
from peil.store import Warehouse

SOURCE = """\
path: data/rows.csv
owner: benchmark
schema:
  fields:
    - {name: nis_code, type: string}
    - {name: year, type: year}
    - {name: sex, type: string}
    - {name: age, type: integer}
    - {name: amount, type: number}
    - {name: registered, type: date}
"""


def generate(path: Path, rows: int) -> None:
    """Write `rows` rows of (nis_code with leading zeros kept as text, year, sex, age, amount, date)."""
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
            SELECT lpad(CAST(i % 100000 AS VARCHAR), 5, '0') AS nis_code,
                   2009 + i % 7 AS year,
                   CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS sex,
                   i % 101 AS age,
                   round((i % 100000) / 7.0, 2) AS amount,
                   DATE '2009-01-01' + CAST(i % 3000 AS INTEGER) AS registered
            FROM range({rows}) t(i)
        ) TO '{path}' (HEADER)
        """
    )
    con.close()


DECLARED = (
    "{'nis_code': 'VARCHAR', 'year': 'INTEGER', 'sex': 'VARCHAR', 'age': 'BIGINT', 'amount': 'DOUBLE', "
    "'registered': 'DATE'}"
)


def time_duckdb(csv: Path, scratch: Path, declared: bool) -> float:
    """DuckDB's read_csv into a table of a fresh database file: types sniffed, or the declared ones given."""
    database = scratch / "raw.duckdb"
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    options = f", header = true, columns = {DECLARED}" if declared else ""
    started = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}'{options})")
    con.execute("CHECKPOINT")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def time_peil(root: Path) -> float:
    database = root / ".peil" / "warehouse.duckdb"
    database.unlink(missing_ok=True)
    source = workspace.load(root).sources["rows"]
    with Warehouse.open(database) as warehouse:
        build_id = warehouse.start_build()
        started = time.perf_counter()
        result = warehouse.ingest(source, root, build_id)
        warehouse.con.execute("CHECKPOINT")
        elapsed = time.perf_counter() - started
    assert result.created
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        (root / "data").mkdir(parents=True)
        (root / "sources").mkdir()
        (root / "peil.yaml").write_text('name: bench\nmunicipality: "36015"\n', encoding="utf-8")
        (root / "sources" / "rows.yaml").write_text(SOURCE, encoding="utf-8")
        csv = root / "data" / "rows.csv"
        generate(csv, args.rows)
        size = csv.stat().st_size / 2**20
        sniffed = min(time_duckdb(csv, Path(tmp), declared=False) for _ in range(args.repeat))
        declared = min(time_duckdb(csv, Path(tmp), declared=True) for _ in range(args.repeat))
        ours = min(time_peil(root) for _ in range(args.repeat))
    print(f"rows: {args.rows:,}  file: {size:,.0f} MiB  best of {args.repeat}")
    print(f"duckdb read_csv, types sniffed:  {sniffed:.2f} s")
    print(f"duckdb read_csv, types declared: {declared:.2f} s")
    print(f"peil ingest (snapshot):          {ours:.2f} s")
    print(f"ratio peil / duckdb sniffed:  {ours / sniffed:.2f}")
    print(f"ratio peil / duckdb declared: {ours / declared:.2f}  (goal <= 1.30)")


if __name__ == "__main__":
    main()
