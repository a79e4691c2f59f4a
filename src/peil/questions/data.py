"""Data factors from the warehouse: indicator values and read-only SQL.

The engine takes any callable ``resolve(data) -> float | numpy array``
(:data:`peil.questions.engine.Resolver`); :func:`resolver` gives the one backed by a DuckDB connection to the
warehouse (open it with :func:`peil.query.read_only`):

- ``indicator``, ``entity``, ``period``: the value in ``meta.indicator_values`` from the latest build that has
  that indicator; one number.
- ``sql``: one read-only query, through :func:`peil.query.run` (one SELECT, nothing written). One row gives a
  number; more rows give their values as an empirical distribution, shape (rows,). The query returns exactly
  one column of numbers without NULLs.
"""

from __future__ import annotations

import math
from decimal import Decimal
from numbers import Real

import duckdb
import numpy as np
from numpy.typing import NDArray

from peil import query
from peil.errors import QuestionError
from peil.questions.engine import Resolver
from peil.questions.model import Data

_INDICATOR = """
SELECT value FROM meta.indicator_values
WHERE indicator = $indicator AND entity = $entity AND period = $period
  AND build_id = (SELECT max(build_id) FROM meta.indicator_values WHERE indicator = $indicator)
"""


def resolver(con: duckdb.DuckDBPyConnection) -> Resolver:
    """A resolver reading data factors through `con` (a read-only warehouse connection is enough).

    The resolver raises QuestionError when the indicator has no value for the entity and period, or the query
    fails, returns no rows, more than one column, NULLs or values that are not numbers.
    """

    def resolve(data: Data) -> float | NDArray[np.float64]:
        if data.sql is not None:
            return _sql(con, data.sql)
        return _indicator(con, data)

    return resolve


def _indicator(con: duckdb.DuckDBPyConnection, data: Data) -> float:
    params = {"indicator": data.indicator, "entity": data.entity, "period": data.period}
    try:
        rows = con.execute(_INDICATOR, params).fetchall()
    except duckdb.Error as exc:
        raise QuestionError(
            f"cannot read indicator values: {str(exc).strip()}", hint="Run `peil build` first."
        ) from None
    if not rows:
        raise QuestionError(
            f"the indicator '{data.indicator}' has no value for entity '{data.entity}', period '{data.period}'",
            hint="Check the indicator id, entity code and period, and that `peil build` computed it.",
        )
    value = rows[0][0]
    if value is None or not math.isfinite(value):
        raise QuestionError(
            f"the indicator '{data.indicator}' is empty for entity '{data.entity}' in period '{data.period}'"
        )
    return float(value)


def _sql(con: duckdb.DuckDBPyConnection, sql: str) -> float | NDArray[np.float64]:
    result = query.run(con, sql)
    if len(result.columns) != 1:
        raise QuestionError(
            f"the query returns {len(result.columns)} columns ({', '.join(result.columns)}); a data factor needs one",
            hint="Select one column of numbers.",
        )
    values = [row[0] for row in result.rows]
    if not values:
        raise QuestionError("the query returns no rows", hint="Check its WHERE clause.")
    if any(v is None for v in values):
        raise QuestionError(
            f"the query returns {sum(v is None for v in values)} NULL values",
            hint=f"Leave them out: WHERE {result.columns[0]} IS NOT NULL.",
        )
    text = next((v for v in values if isinstance(v, bool) or not isinstance(v, Real | Decimal)), None)
    if text is not None:
        raise QuestionError(
            f"the query's column '{result.columns[0]}' holds values that are not numbers, such as {text!r}",
            hint="Cast the column to a number in the query if it holds numbers as text.",
        )
    array = np.asarray(values, dtype=np.float64)
    if not np.isfinite(array).all():
        raise QuestionError(f"the query's column '{result.columns[0]}' holds NaN or infinite values")
    return float(array[0]) if array.size == 1 else array
