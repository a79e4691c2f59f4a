"""pandera on pandas: the six checks as a DataFrameSchema validated lazily, counting the failure cases.

Runs in benchmarks/.venvs/pandera. Columns carry no dtype (the other tools check no types either):
`nullable=False` (not_null), `unique=True` (every row of a repeated value fails), `Check.isin`,
`Check.in_range`, `Check.str_matches` on the anchored regex, and a custom vectorised `Check` with
rules.national_register_valid for the national register number. A column's `nullable=True` lets NULLs pass the
other checks, as in peil. Counts: the rows of the SchemaErrors' failure cases per check.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pandas as pd
import pandera.pandas as pa
from rules import anchored, national_register_valid, run


def load(spec: dict[str, Any]) -> tuple[pd.DataFrame, pa.DataFrameSchema, dict[tuple[str, str], str]]:
    frame = pd.read_parquet(spec["parquet"])
    checks = spec["checks"]
    columns = {
        checks["not_null"]["column"]: pa.Column(nullable=False),
        checks["unique"]["column"]: pa.Column(unique=True, nullable=True),
        checks["accepted_values"]["column"]: pa.Column(
            checks=pa.Check.isin(checks["accepted_values"]["values"]), nullable=True
        ),
        checks["range"]["column"]: pa.Column(
            checks=pa.Check.in_range(checks["range"]["min"], checks["range"]["max"]), nullable=True
        ),
        checks["pattern"]["column"]: pa.Column(
            checks=pa.Check.str_matches(anchored(checks["pattern"]["regex"])), nullable=True
        ),
        checks["national_register_number"]["column"]: pa.Column(
            checks=pa.Check(national_register_valid, name="national_register_number"), nullable=True
        ),
    }
    # (column, pandera's check name in the failure cases) -> the benchmark's check.
    names = {
        (checks["not_null"]["column"], "not_nullable"): "not_null",
        (checks["unique"]["column"], "field_uniqueness"): "unique",
        (checks["accepted_values"]["column"], "isin"): "accepted_values",
        (checks["range"]["column"], "in_range"): "range",
        (checks["pattern"]["column"], "str_matches"): "pattern",
        (checks["national_register_number"]["column"], "national_register_number"): "national_register_number",
    }
    return frame, pa.DataFrameSchema(columns), names


def validate(loaded: tuple[pd.DataFrame, pa.DataFrameSchema, dict[tuple[str, str], str]]) -> dict[str, int]:
    frame, schema, names = loaded
    counts = dict.fromkeys(names.values(), 0)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        for (column, check), n in cases.groupby(["column", cases["check"].str.split("(").str[0]]).size().items():
            counts[names[(column, check)]] += int(n)
    return counts


if __name__ == "__main__":
    run("pandera", version("pandera"), load, validate)
