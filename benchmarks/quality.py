"""Six data-quality checks over one generated table: peil against Soda Core, Great Expectations, pandera and a
hand-written DuckDB query (the limit), same data, same checks, in one run.

Usage:
    bash benchmarks/setup_peers.sh                 # once: the peers' virtual environments
    .venv/bin/python benchmarks/quality.py [--rows 10000000] [--repeat 3] [--tools peil,duckdb,soda,gx,pandera]

The table (Parquet, written once to a temporary folder, or to --data) has 10 million rows of (id, naam, status,
bedrag, postcode, rijksregisternummer) with faults at known rates; the checks are not_null(naam), unique(id),
accepted_values(status), range(bedrag 0-1000), pattern(postcode [1-9][0-9]{3}, the whole text) and
national_register_number(rijksregisternummer). Each tool runs as a subprocess (the peers in their own
environment under benchmarks/.venvs/), loads the data into its own engine (timed apart: DuckDB tables for peil,
the query and Soda, pandas DataFrames for Great Expectations and pandera), validates `--repeat` times and
reports its failing counts and times as JSON (benchmarks/peers/rules.py). This script checks that every tool
found exactly the injected faults and prints the best time of each and its ratio to peil's.

Goals: peil faster than Soda Core, at least 10x faster than Great Expectations, and within 1.2x of the
hand-written query. How each tool expresses the national register checksum, which none has built in, is in
benchmarks/peers/rules.py; where a tool counts differently, the expected count is its own (Soda's duplicate
count is rows minus distinct values: one per duplicated id here, where peil counts both rows).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers"
VENVS = HERE / ".venvs"
STATUSES = ["gevolgd", "geannuleerd", "afwezig", "ingeschreven"]
CHECKS = {
    "not_null": {"column": "naam"},
    "unique": {"column": "id"},
    "accepted_values": {"column": "status", "values": STATUSES},
    "range": {"column": "bedrag", "min": 0, "max": 1000},
    "pattern": {"column": "postcode", "regex": "[1-9][0-9]{3}"},
    "national_register_number": {"column": "rijksregisternummer"},
}
# tool -> (interpreter, script); the peers' interpreters are made by setup_peers.sh.
TOOLS = {
    "peil": (Path(sys.executable), PEERS / "peil_checks.py"),
    "duckdb": (Path(sys.executable), PEERS / "duckdb_query.py"),
    "soda": (VENVS / "soda" / "bin" / "python", PEERS / "soda_contract.py"),
    "gx": (VENVS / "gx" / "bin" / "python", PEERS / "gx_suite.py"),
    "pandera": (VENVS / "pandera" / "bin" / "python", PEERS / "pandera_schema.py"),
}
GOALS = {"soda": 1.0, "gx": 10.0, "duckdb": 1 / 1.2}  # the other's time / peil's at least this

# Rows get their values from hashes of the row number, so the table is the same on every run; the flags say
# which rows carry a fault, so the expected counts come from the generator, not from any of the checkers.
# National register numbers: births 1940-2004 (the 2000s with the '2' prefix), 2 % BIS numbers (month + 40),
# 1 % wrong check digits, only for births before 2000 (whose two-digit year cannot be read as 20YY).
_ROWS = """
WITH r AS (
    SELECT range AS i, hash(range, 1) AS h1, hash(range, 2) AS h2, hash(range, 3) AS h3, hash(range, 4) AS h4,
           hash(range, 5) AS h5, hash(range, 6) AS h6
    FROM range($rows)
), born AS (
    SELECT *, DATE '1940-01-01' + CAST((h5 >> 8) % 23741 AS INTEGER) AS birth,
           1 + (h5 >> 40) % 997 AS serial, h6 % 100 = 0 AS bad_check, h6 % 50 = 1 AS bis
    FROM r
), numbered AS (
    SELECT *, year(birth) < 2000 AND bad_check AS flag_nrn,
           strftime(birth, '%y') || lpad(CAST(month(birth) + CASE WHEN bis THEN 40 ELSE 0 END AS VARCHAR), 2, '0')
               || strftime(birth, '%d') || lpad(CAST(serial AS VARCHAR), 3, '0') AS base
    FROM born
), checked AS (
    SELECT *, 97 - CAST(CASE WHEN year(birth) >= 2000 THEN '2' ELSE '' END || base AS BIGINT) % 97 AS good
    FROM numbered
)
SELECT
    CASE WHEN i % 1000 = 999 THEN i - 1 ELSE i END AS id,
    CASE WHEN h1 % 200 = 0 THEN NULL ELSE 'persoon ' || (h1 >> 16) % 1000000 END AS naam,
    CASE WHEN h2 % 1000 < 3 THEN 'voltooid' ELSE $statuses[1 + CAST((h2 >> 16) % 4 AS INTEGER)] END AS status,
    CASE WHEN h3 % 1000 < 2 THEN -0.01 - ((h3 >> 16) % 100000) / 100.0 ELSE ((h3 >> 16) % 100001) / 100.0 END
        AS bedrag,
    CASE WHEN h4 % 1000 = 0 THEN ['880', '8800X', 'B-9000', '08800'][1 + CAST((h4 >> 16) % 4 AS INTEGER)]
         ELSE CAST(1000 + (h4 >> 16) % 9000 AS VARCHAR) END AS postcode,
    base || lpad(CAST(CASE WHEN flag_nrn THEN good % 97 + 1 ELSE good END AS VARCHAR), 2, '0')
        AS rijksregisternummer,
    i % 1000 = 999 AS flag_unique, h1 % 200 = 0 AS flag_not_null, h2 % 1000 < 3 AS flag_accepted_values,
    h3 % 1000 < 2 AS flag_range, h4 % 1000 = 0 AS flag_pattern, flag_nrn AS flag_national_register_number
FROM checked
"""
DATA_COLUMNS = "id, naam, status, bedrag, postcode, rijksregisternummer"


def generate(path: Path, rows: int) -> dict[str, int]:
    """Write the table to `path` (Parquet, row groups of 1M) and return the injected faults per check, in failing
    rows: each duplicated id is on exactly two rows, so unique fails 2 x the duplicated ids."""
    con = duckdb.connect()
    sql = _ROWS.replace("$rows", str(rows)).replace("$statuses", _list(STATUSES))
    con.execute(f"COPY (SELECT {DATA_COLUMNS} FROM ({sql})) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)")
    flags = ", ".join(f"count_if(flag_{name}) AS {name}" for name in CHECKS)
    cursor = con.execute(f"SELECT {flags} FROM ({sql})")
    counts = dict(zip([d[0] for d in cursor.description], cursor.fetchall()[0], strict=True))
    con.close()
    return {name: int(n) * (2 if name == "unique" else 1) for name, n in counts.items()}


def _list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def expected_for(tool: str, injected: dict[str, int]) -> dict[str, int]:
    """The counts `tool` should report: the injected faults, in the tool's own unit where it differs."""
    if tool == "soda":
        return {**injected, "unique": injected["unique"] // 2}
    return injected


def run_tool(tool: str, spec_path: Path) -> dict[str, object]:
    python, script = TOOLS[tool]
    done = subprocess.run([str(python), str(script), str(spec_path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, of {', '.join(TOOLS)}")
    parser.add_argument(
        "--data", type=Path, help="a folder to keep the Parquet file in and reuse it from (default: a temp folder)"
    )
    args = parser.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    missing = [t for t in tools if t not in TOOLS or not TOOLS[t][0].exists()]
    if missing:
        sys.exit(f"not available: {', '.join(missing)}; run `bash benchmarks/setup_peers.sh` for the peers")
    with tempfile.TemporaryDirectory(prefix="peil-quality-") as scratch:
        folder = args.data or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        parquet = folder / f"quality_{args.rows}.parquet"
        counted = parquet.with_suffix(".json")
        if parquet.exists() and counted.exists():
            injected = json.loads(counted.read_text(encoding="utf-8"))
            print(f"{args.rows:,} rows from {parquet}; injected: {injected}")
        else:
            started = time.perf_counter()
            injected = generate(parquet, args.rows)
            counted.write_text(json.dumps(injected), encoding="utf-8")
            print(f"{args.rows:,} rows written to {parquet} in {time.perf_counter() - started:.1f} s; {injected}")
        spec_path = Path(scratch) / "spec.json"
        spec = {"parquet": str(parquet), "table": "checked", "repeat": args.repeat, "checks": CHECKS}
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        results = {}
        for tool in tools:
            results[tool] = run_tool(tool, spec_path)
            print(f"  {tool}: {results[tool]['tool']} {results[tool]['version']}", flush=True)
    report(results, injected, args.rows)


def report(results: dict[str, dict[str, object]], injected: dict[str, int], rows: int) -> None:
    """Print per tool its best and first time, load time and ratio to peil; exit 1 when a tool's counts are off."""
    best = {tool: min(r["seconds"]) for tool, r in results.items()}  # type: ignore[call-overload]
    peil = best.get("peil")
    print(f"\n{'tool':<34} {'best s':>8} {'first s':>8} {'load s':>8} {'/ peil':>8}  counts agree")
    wrong = []
    for tool, result in results.items():
        agree = result["counts"] == expected_for(tool, injected)
        if not agree:
            wrong.append(f"{tool}: {result['counts']} != {expected_for(tool, injected)}")
        ratio = f"{best[tool] / peil:8.2f}" if peil else f"{'':>8}"
        seconds: list[float] = result["seconds"]  # type: ignore[assignment]
        name = f"{result['tool']} {result['version']}"
        print(f"{name:<34} {best[tool]:8.3f} {seconds[0]:8.3f} {result['load_seconds']:8.2f} {ratio}  {agree}")
    if peil:
        for tool, goal in GOALS.items():
            if tool in best:
                verdict = "met" if best[tool] / peil >= goal else "NOT met"
                print(f"goal {tool} / peil >= {goal:.2f}: {best[tool] / peil:.2f} ({verdict})")
    print(f"({rows:,} rows; best of {len(next(iter(results.values()))['seconds'])} runs, validation only)")  # type: ignore[arg-type]
    if wrong:
        sys.exit("counts disagree:\n" + "\n".join(wrong))


if __name__ == "__main__":
    main()
