"""Propose checks for a dataset from a profile of its current snapshot, as YAML a steward pastes under `checks:`.

The profile is one query over the snapshot table: per column its filled and distinct counts, smallest and largest
value, and for text columns how many values pass each Belgian identifier rule, with the same SQL the checks run
(peil.quality.identifiers). A rule is proposed only when every value in the snapshot passes it:

- not_null: no empty value; unique: no value twice (at least two values);
- accepted_values: text with at most MAX_VALUES different values, each on several rows;
- range: numbers and dates, from the smallest to the largest value seen;
- an identifier type (national_register_number, enterprise_number, iban, nis_code, postcode, phone): every
  filled value passes it; the first that fits, in that order.

What the data happens to satisfy is not always a rule: the YAML says so, and the steward keeps what holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb
import yaml

from peil.quality import identifiers
from peil.sources.sql import identifier

if TYPE_CHECKING:
    from peil.workspace import SchemaField, Source

MAX_VALUES = 12
IDENTIFIER_RULES = ("national_register_number", "enterprise_number", "iban", "nis_code", "postcode", "phone")


def propose(con: duckdb.DuckDBPyConnection, source: Source, table: str) -> str:
    """YAML: a comment and a list of checks for `source`, profiled on `table` (its snapshot, qualified and quoted)."""
    identifiers.register(con)
    rows = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608
    checks: list[dict[str, Any]] = []
    for schema_field in source.table_schema.fields:
        checks += _column_checks(con, table, schema_field, rows)
    header = (
        f"# Checks proposed for {source.name} from its current snapshot ({rows} rows): every one holds for all of\n"
        "# its rows. Keep those that hold by rule, not by chance, and paste them under `checks:`.\n"
    )
    return header + (yaml.safe_dump(checks, sort_keys=False, allow_unicode=True, width=110) if checks else "[]\n")


def _column_checks(
    con: duckdb.DuckDBPyConnection, table: str, schema_field: SchemaField, rows: int
) -> list[dict[str, Any]]:
    profile = _profile(con, table, schema_field)
    column = schema_field.name
    found: list[dict[str, Any]] = []
    filled, distinct = profile["filled"], profile["distinct"]
    if rows and filled == rows:
        found.append({"type": "not_null", "column": column})
    if filled > 1 and distinct == filled and schema_field.type in ("string", "integer"):
        found.append({"type": "unique", "column": column})
    kind = next((k for k in IDENTIFIER_RULES if filled and profile.get(k) == filled), None)
    if kind is not None:
        found.append({"type": kind, "column": column})
    elif schema_field.type == "string" and 0 < distinct <= MAX_VALUES and filled >= 2 * distinct:
        found.append({"type": "accepted_values", "column": column, "values": sorted(profile["values"])})
    elif schema_field.type in ("integer", "number", "year", "date", "datetime") and filled:
        found.append({"type": "range", "column": column, "min": profile["low"], "max": profile["high"]})
    return found


def _profile(con: duckdb.DuckDBPyConnection, table: str, schema_field: SchemaField) -> dict[str, Any]:
    """Counts and extremes of one column, and for text the number of values passing each identifier rule."""
    name = identifier(schema_field.name)
    parts = {
        "filled": f"count({name})",
        "distinct": f"count(DISTINCT {name})",
        "low": f"min({name})",
        "high": f"max({name})",
        "values": f"list(DISTINCT CAST({name} AS VARCHAR))[1:{MAX_VALUES + 1}]",
    }
    if schema_field.type == "string":
        parts |= {kind: f"count_if({_valid(kind, name)})" for kind in IDENTIFIER_RULES}
    select = ", ".join(f"{sql} AS {identifier(key)}" for key, sql in parts.items())
    cursor = con.execute(f"SELECT {select} FROM {table}")  # noqa: S608
    values = cursor.fetchall()[0]
    return dict(zip(parts, values, strict=True))


def _valid(kind: str, name: str) -> str:
    """SQL: whether the text column `name` passes identifier rule `kind` (NULL for an empty value)."""
    if kind in identifiers.CHECKSUMMED:
        return f"CASE WHEN {name} IS NOT NULL THEN {identifiers.valid_sql(kind, name)} END"
    if kind == "phone":
        return identifiers.phone_sql(name, "BE")
    return identifiers.nis_code_sql(name) if kind == "nis_code" else identifiers.postcode_sql(name)
