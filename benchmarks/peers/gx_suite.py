"""Great Expectations 1.x on pandas: the six checks as an expectation suite validated on a DataFrame batch.

Runs in benchmarks/.venvs/gx, with an ephemeral context. Built-in expectations for five checks (the regex is
anchored: pandas' str.contains searches); the national register number is a custom ColumnMapExpectation whose
map metric is rules.national_register_valid, vectorised pandas and NumPy. Counts are each result's
unexpected_count (for uniqueness: every row of a repeated value, as peil counts).
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import ColumnMapMetricProvider, column_condition_partial
from rules import anchored, national_register_valid, run

logging.getLogger("great_expectations").setLevel(logging.ERROR)


class ColumnValuesNationalRegisterNumber(ColumnMapMetricProvider):  # type: ignore[misc]
    condition_metric_name = "column_values.national_register_number"

    @column_condition_partial(engine=PandasExecutionEngine)  # type: ignore[untyped-decorator]
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return national_register_valid(column)


class ExpectColumnValuesToBeNationalRegisterNumbers(ColumnMapExpectation):  # type: ignore[misc]
    """Expect each value to be a valid Belgian national register or BIS number (check digits)."""

    map_metric = "column_values.national_register_number"


def load(spec: dict[str, Any]) -> tuple[Any, Any]:
    frame = pd.read_parquet(spec["parquet"])
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("bench").add_dataframe_asset(spec["table"])
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    checks = spec["checks"]
    expectations = {
        "not_null": gxe.ExpectColumnValuesToNotBeNull(column=checks["not_null"]["column"]),
        "unique": gxe.ExpectColumnValuesToBeUnique(column=checks["unique"]["column"]),
        "accepted_values": gxe.ExpectColumnValuesToBeInSet(
            column=checks["accepted_values"]["column"], value_set=checks["accepted_values"]["values"]
        ),
        "range": gxe.ExpectColumnValuesToBeBetween(
            column=checks["range"]["column"], min_value=checks["range"]["min"], max_value=checks["range"]["max"]
        ),
        "pattern": gxe.ExpectColumnValuesToMatchRegex(
            column=checks["pattern"]["column"], regex=anchored(checks["pattern"]["regex"])
        ),
        "national_register_number": ExpectColumnValuesToBeNationalRegisterNumbers(
            column=checks["national_register_number"]["column"]
        ),
    }
    suite = context.suites.add(gx.ExpectationSuite(name="bench"))
    for name, expectation in expectations.items():
        expectation.meta = {"check": name}
        suite.add_expectation(expectation)
    return batch, suite


def validate(loaded: tuple[Any, Any]) -> dict[str, int]:
    batch, suite = loaded
    result = batch.validate(suite, result_format="BASIC")
    return {r.expectation_config.meta["check"]: int(r.result["unexpected_count"]) for r in result.results}


if __name__ == "__main__":
    run("great-expectations", version("great-expectations"), load, validate)
