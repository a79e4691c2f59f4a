"""Soda Core 4 (soda-duckdb): the six checks as a data contract, verified with verify_contract_locally.

Runs in benchmarks/.venvs/soda. The data is loaded once into an in-memory DuckDB table that the contract's data
source reads through the existing connection. Checks: `missing` (not_null), `duplicate` (unique; Soda counts
rows minus distinct values), `invalid` with valid_values, valid_min/valid_max and valid_format (Soda's DuckDB
dialect searches with REGEXP_MATCHES, so the regex is anchored), and a `failed_rows` check whose expression is
the national register rule in DuckDB SQL (rules.national_register_sql). Counts are the checks' diagnostic
metrics: missing_count, duplicate_count, invalid_count, failed_rows_count.
"""

from __future__ import annotations

import json
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb
from rules import anchored, national_register_sql, run
from soda_core.contracts.api.verify_api import verify_contract_locally
from soda_duckdb.common.data_sources.duckdb_data_source import DuckDBDataSourceImpl

METRICS = {
    "not_null": "missing_count",
    "unique": "duplicate_count",
    "accepted_values": "invalid_count",
    "range": "invalid_count",
    "pattern": "invalid_count",
    "national_register_number": "failed_rows_count",
}


def contract(spec: dict[str, Any]) -> dict[str, Any]:
    checks = spec["checks"]
    rng = checks["range"]
    column_checks = {
        "not_null": {"missing": {"name": "not_null"}},
        "unique": {"duplicate": {"name": "unique"}},
        "accepted_values": {
            "invalid": {"name": "accepted_values", "valid_values": checks["accepted_values"]["values"]}
        },
        "range": {"invalid": {"name": "range", "valid_min": rng["min"], "valid_max": rng["max"]}},
        "pattern": {
            "invalid": {
                "name": "pattern",
                "valid_format": {"name": "postcode", "regex": anchored(checks["pattern"]["regex"])},
            }
        },
    }
    nrn = f'"{checks["national_register_number"]["column"]}"'
    return {
        "dataset": f"bench/main/{spec['table']}",
        "columns": [{"name": checks[name]["column"], "checks": [check]} for name, check in column_checks.items()],
        "checks": [
            {"failed_rows": {"name": "national_register_number", "expression": f"NOT {national_register_sql(nrn)}"}}
        ],
    }


def load(spec: dict[str, Any]) -> tuple[Any, str, tempfile.TemporaryDirectory[str]]:
    """The data source on an in-memory table, and the contract file in a folder removed at exit."""
    con = duckdb.connect()
    con.execute(f'CREATE TABLE "{spec["table"]}" AS SELECT * FROM read_parquet(?)', [spec["parquet"]])
    source = DuckDBDataSourceImpl.from_existing_cursor(con, name="bench")
    folder = tempfile.TemporaryDirectory(prefix="soda-")
    path = Path(folder.name) / "contract.yml"
    path.write_text(json.dumps(contract(spec), indent=2), encoding="utf-8")  # JSON is YAML
    return source, str(path), folder


def validate(loaded: tuple[Any, str, tempfile.TemporaryDirectory[str]]) -> dict[str, int]:
    source, path, _ = loaded
    result = verify_contract_locally(data_sources=[source], contract_file_path=path)
    counts = {}
    for verification in result.contract_verification_results:
        for check in verification.check_results:
            name = check.check.name
            counts[name] = int(check.diagnostic_metric_values[METRICS[name]])
    return counts


if __name__ == "__main__":
    run("soda-core", version("soda-core"), load, validate, {"unique": "duplicate_count = rows - distinct values"})
