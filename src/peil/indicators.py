"""Indicators: computed for every entity and period the data has, stored per build.

An indicator's SQL returns rows of (entity, period, value); peil stores them in ``meta.indicator_values`` as
(build_id, indicator, entity: str, period: str, value: float), so every build's figures stay queryable.
"""

from __future__ import annotations

import duckdb

from peil.errors import IndicatorError, Location
from peil.models import body, one_order, references
from peil.workspace import Indicator, Workspace

REQUIRED_COLUMNS = ("entity", "period", "value")


def compute(con: duckdb.DuckDBPyConnection, workspace: Workspace, build_id: int) -> dict[str, int]:
    """Compute every indicator into meta.indicator_values for `build_id`; return the row count per indicator.

    Computed on one thread, so that a rebuild gives the same values to the last bit (peil.models.one_order).
    Raises IndicatorError (file) when an indicator's SQL fails, lacks one of the columns entity, period and
    value, or returns the same (entity, period) twice.
    """
    with one_order(con):
        return {indicator.id: _compute_one(con, indicator, build_id) for indicator in workspace.indicators.values()}


def upstream(indicator: Indicator) -> set[str]:
    """The datasets and models an indicator's SQL reads."""
    return references(indicator.sql, _file(indicator))


def _compute_one(con: duckdb.DuckDBPyConnection, indicator: Indicator, build_id: int) -> int:
    # The indicator's SQL is the workspace author's, checked to be exactly one query before it is embedded.
    file = _file(indicator)
    references(indicator.sql, file)
    sql = body(indicator.sql)
    try:
        described = con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description  # noqa: S608
        columns = [d[0].lower() for d in described or []]
    except duckdb.Error as exc:
        raise IndicatorError(str(exc).strip(), Location(file=file, field="sql")) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise IndicatorError(
            f"the SQL returns columns {', '.join(columns)}; missing {', '.join(missing)}",
            Location(file=file, field="sql"),
            hint="Return exactly: entity (code), period, value — e.g. SELECT nis_code AS entity, year AS period, ...",
        )
    duplicate = con.execute(
        f"SELECT entity, period, count(*) FROM ({sql}) GROUP BY ALL HAVING count(*) > 1 LIMIT 1"  # noqa: S608
    ).fetchone()
    if duplicate:
        raise IndicatorError(
            f"entity {duplicate[0]}, period {duplicate[1]} has {duplicate[2]} values",
            Location(file=file, field="sql"),
            hint="An indicator has one value per entity and period; aggregate or filter the rows.",
        )
    inserted = con.execute(
        "INSERT INTO meta.indicator_values "  # noqa: S608
        "SELECT ?, ?, CAST(entity AS VARCHAR), CAST(period AS VARCHAR), CAST(value AS DOUBLE) "
        f"FROM ({sql}) WHERE entity IS NOT NULL AND period IS NOT NULL",
        [build_id, indicator.id],
    ).fetchone()
    return int(inserted[0]) if inserted else 0


def _file(indicator: Indicator) -> str:
    return f"indicators/{indicator.id}.yaml"
