"""Row checks as SQL: every row check of a dataset in one SELECT over its snapshot table.

A row check becomes a `Rule`: SQL giving, per row, NULL when the row passes and a short reason when it fails
('null', 'nan', 'duplicate', 'invalid', ...), and the offending value as text. `failures_sql` puts every rule of
a dataset in one SELECT that gives each failing row the list of its failures,
``[{check, severity, column, reason, value}, ...]``; rows that pass every check are left out. Values go into the
SQL only as quoted literals and names only as quoted identifiers.

Which rows a check fails, by type (docs/quality.md has the user's view):

- not_null: NULL, or NaN in a number column; unique: a non-NULL value on more than one row (NULLs are
  distinct); primary_key: an empty key field, or a key on more than one row; foreign_key: a fully filled key
  not found in the referenced relation.
- accepted_values, range, pattern (regexp_full_match: the whole text), length, date: the value broken the rule;
  NULL passes.
- identifiers: see peil.quality.identifiers; membership of a reference list through EXISTS.
- sql: the rows whose `_row` (and `_file`, `_sheet` when returned) the custom SELECT returns.
- type: a value the reader could not convert, kept as text in the snapshot's `_invalid` map.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import singledispatch

from peil.quality import identifiers
from peil.quality.declarations import (
    AcceptedValues,
    Bound,
    CheckBase,
    ColumnReference,
    DateCheck,
    EnterpriseNumber,
    ForeignKey,
    Iban,
    Length,
    NationalRegisterNumber,
    NisCode,
    NotNull,
    Pattern,
    Phone,
    Postcode,
    PrimaryKey,
    Range,
    SqlCheck,
    TypeConformance,
    Unique,
)
from peil.sources.sql import identifier, literal, literal_list
from peil.sources.table import INVALID

INVALID_COLUMN = INVALID  # per row, the texts that did not fit their field's type (a MAP), when any
TYPE_REASONS = {
    "integer": "not a whole number",
    "number": "not a number",
    "year": "not a year",
    "boolean": "not true or false",
    "date": "not a date",
    "datetime": "not a date and time",
}


@dataclass(frozen=True)
class Target:
    """What the rules are compiled against: the dataset's name, its snapshot table (qualified and quoted), its
    columns' declared types, how to name another dataset in SQL, and the moment "now" (aware) for date rules."""

    dataset: str
    table: str
    types: dict[str, str]
    relation: Callable[[str], str]
    now: dt.datetime
    custom_columns: dict[str, list[str]] = field(default_factory=dict)

    def source_of(self, dataset: str) -> str:
        """The relation to read `dataset` from: the snapshot itself for the dataset being checked."""
        return self.table if dataset == self.dataset else self.relation(dataset)


@dataclass(frozen=True)
class Rule:
    """One row check as SQL over the rows of `src`: `reason` is NULL for a passing row; `value` the offending value
    as text. `prepare` are (alias, SQL) computed once per row before the rules (e.g. a compacted identifier),
    `derive` (alias, SQL) computed once per row after them, able to read their aliases (e.g. that identifier as a
    number); `ctes` are (name, SELECT) the rule reads (a custom check's result, the repeated values of a key)."""

    check: CheckBase
    column: str | None
    reason: str
    value: str
    prepare: tuple[tuple[str, str], ...] = ()
    ctes: tuple[tuple[str, str], ...] = ()
    derive: tuple[tuple[str, str], ...] = ()


def rules(check: CheckBase, target: Target, index: int) -> list[Rule]:
    """The rules of one row check (one per column for `type`); `index` makes its helper names unique."""
    return _rules(check, target, index)


@singledispatch
def _rules(check: CheckBase, target: Target, index: int) -> list[Rule]:
    raise TypeError(f"{type(check).__name__} is not a row check")


def _text(column: str) -> str:
    return f"CAST({identifier(column)} AS VARCHAR)"


def _when(check: CheckBase, column: str, condition: str, reason: str) -> Rule:
    """A rule failing non-NULL values of `column` for which `condition` holds, with a fixed reason."""
    name = identifier(column)
    return Rule(
        check, column, f"CASE WHEN {name} IS NOT NULL AND ({condition}) THEN {literal(reason)} END", _text(column)
    )


@_rules.register
def _(check: NotNull, target: Target, index: int) -> list[Rule]:
    name = identifier(check.column)
    nan = f" WHEN isnan({name}) THEN 'nan'" if target.types.get(check.column) == "number" else ""
    return [Rule(check, check.column, f"CASE WHEN {name} IS NULL THEN 'null'{nan} END", _text(check.column))]


@_rules.register
def _(check: Unique, target: Target, index: int) -> list[Rule]:
    cte, repeated = _repeated([check.column], target, index)
    rule = _when(check, check.column, repeated, "duplicate")
    return [Rule(check, check.column, rule.reason, rule.value, ctes=(cte,))]


def _repeated(columns: list[str], target: Target, index: int) -> tuple[tuple[str, str], str]:
    """The CTE (name, SELECT) of the values of `columns`, all filled, found on more than one row of the snapshot,
    and SQL: whether a row of `src` with all of `columns` filled has such a value (a hash lookup, one GROUP BY
    over the table rather than a window over every row)."""
    cte = f"_repeated{index}"
    names = ", ".join(identifier(c) for c in columns)
    filled = " AND ".join(f"{identifier(c)} IS NOT NULL" for c in columns)
    select = f"SELECT {names} FROM {target.table} WHERE {filled} GROUP BY ALL HAVING count(*) > 1"  # noqa: S608
    matched = " AND ".join(f"{cte}.{identifier(c)} = src.{identifier(c)}" for c in columns)
    return (cte, select), f"EXISTS (SELECT 1 FROM {cte} WHERE {matched})"  # noqa: S608


@_rules.register
def _(check: AcceptedValues, target: Target, index: int) -> list[Rule]:
    accepted = literal_list([_as_text(v) for v in check.values])
    return [_when(check, check.column, f"NOT list_contains({accepted}, {_text(check.column)})", "not accepted")]


@_rules.register
def _(check: Range, target: Target, index: int) -> list[Rule]:
    below, above = ("<", ">") if check.inclusive else ("<=", ">=")
    low = _bound(check.min) if check.min is not None else None
    high = _bound(check.max) if check.max is not None else None
    limits = ((below, low, "below minimum"), (above, high, "above maximum"))
    return [_outside(check, identifier(check.column), limits)]


@_rules.register
def _(check: Pattern, target: Target, index: int) -> list[Rule]:
    condition = f"NOT regexp_full_match({_text(check.column)}, {literal(check.regex)})"
    return [_when(check, check.column, condition, "no match")]


@_rules.register
def _(check: Length, target: Target, index: int) -> list[Rule]:
    low = str(int(check.min)) if check.min is not None else None
    high = str(int(check.max)) if check.max is not None else None
    limits = (("<", low, "too short"), (">", high, "too long"))
    return [_outside(check, f"length({_text(check.column)})", limits)]


def _outside(check: Range | Length, value: str, limits: tuple[tuple[str, str | None, str], ...]) -> Rule:
    """A rule failing when `value` (SQL) lies beyond a limit: (comparison, bound SQL or None, reason) each."""
    parts = [f"WHEN {value} {op} {bound} THEN '{reason}'" for op, bound, reason in limits if bound is not None]
    return Rule(check, check.column, f"CASE {' '.join(parts)} END", _text(check.column))


@_rules.register
def _(check: DateCheck, target: Target, index: int) -> list[Rule]:
    name = identifier(check.column)
    local = target.now.astimezone(dt.timezone(target.now.utcoffset() or dt.timedelta())).replace(tzinfo=None)
    today = _bound(local.date())
    parts = []
    if check.not_future:
        latest = _bound(local) if target.types.get(check.column) == "datetime" else today
        parts.append(f"WHEN {name} > {latest} THEN 'in the future'")
    if check.window is not None and check.window.min is not None:
        parts.append(f"WHEN {name} < {_bound(check.window.min)} THEN 'before {check.window.min}'")
    if check.window is not None and check.window.max is not None:
        parts.append(f"WHEN CAST({name} AS DATE) > {_bound(check.window.max)} THEN 'after {check.window.max}'")
    return [Rule(check, check.column, f"CASE {' '.join(parts)} END", _text(check.column))]


@_rules.register
def _(check: NationalRegisterNumber, target: Target, index: int) -> list[Rule]:
    return [_checksummed(check, "national_register_number", identifiers.national_register_number_sql, index)]


@_rules.register
def _(check: EnterpriseNumber, target: Target, index: int) -> list[Rule]:
    return [_checksummed(check, "enterprise_number", identifiers.enterprise_number_sql, index)]


@_rules.register
def _(check: Iban, target: Target, index: int) -> list[Rule]:
    return [_checksummed(check, "iban", identifiers.iban_sql, index)]


def _checksummed(
    check: NationalRegisterNumber | EnterpriseNumber | Iban, kind: str, valid: Callable[[str], str], index: int
) -> Rule:
    """A rule on the compact form of an identifier, computed once per row as `_c<index>`."""
    alias = f"_c{index}"
    derive: tuple[tuple[str, str], ...] = ()
    if kind == "national_register_number":  # the compact number as BIGINT once per row, not once per use
        number = f"_n{index}"
        derive = ((number, identifiers.national_register_number_int_sql(identifier(alias))),)
        valid_sql = identifiers.national_register_number_sql(identifier(alias), identifier(number))
    else:
        valid_sql = valid(identifier(alias))
    rule = _when(check, check.column, f"NOT {valid_sql}", "invalid")
    return Rule(
        check,
        check.column,
        rule.reason,
        rule.value,
        prepare=((alias, identifiers.compact_sql(kind, _text(check.column))),),
        derive=derive,
    )


@_rules.register
def _(check: Postcode, target: Target, index: int) -> list[Rule]:
    return [_listed(check, target, identifiers.postcode_sql(_text(check.column)), "not a postcode", None)]


@_rules.register
def _(check: NisCode, target: Target, index: int) -> list[Rule]:
    return [_listed(check, target, identifiers.nis_code_sql(_text(check.column)), "not a NIS code", check.year)]


def _listed(check: Postcode | NisCode, target: Target, valid: str, reason: str, year: int | None) -> Rule:
    """A rule for a code that must have its form and, with a reference, be in the reference's column."""
    parts = f"WHEN NOT {valid} THEN {literal(reason)}"
    if check.reference is not None:
        parts += f" WHEN NOT {_listed_in(check.reference, _text(check.column), target, year)} THEN 'not in the list'"
    return Rule(
        check, check.column, f"CASE WHEN {identifier(check.column)} IS NULL THEN NULL {parts} END", _text(check.column)
    )


def _listed_in(reference: ColumnReference, value: str, target: Target, year: int | None) -> str:
    """SQL: whether the text `value` occurs in the reference's column (of `year`, with a year column)."""
    listed = f"CAST(r.{identifier(reference.column)} AS VARCHAR) = {value}"
    if reference.year_column and year is not None:
        listed += f" AND CAST(r.{identifier(reference.year_column)} AS VARCHAR) = {literal(str(year))}"
    return f"EXISTS (SELECT 1 FROM {target.source_of(reference.dataset)} r WHERE {listed})"  # noqa: S608


@_rules.register
def _(check: Phone, target: Target, index: int) -> list[Rule]:
    return [_when(check, check.column, f"NOT {identifiers.phone_sql(_text(check.column), check.region)}", "invalid")]


@_rules.register
def _(check: PrimaryKey, target: Target, index: int) -> list[Rule]:
    empty = " OR ".join(f"{identifier(c)} IS NULL" for c in check.key)
    cte, repeated = _repeated(check.key, target, index)
    reason = f"CASE WHEN {empty} THEN 'empty key' WHEN {repeated} THEN 'duplicate key' END"
    return [Rule(check, ", ".join(check.key), reason, _joined(check.key), ctes=(cte,))]


@_rules.register
def _(check: ForeignKey, target: Target, index: int) -> list[Rule]:
    filled = " AND ".join(f"{identifier(c)} IS NOT NULL" for c in check.key)
    matched = " AND ".join(
        f"r.{identifier(theirs)} = src.{identifier(ours)}"
        for ours, theirs in zip(check.key, check.reference.columns, strict=True)
    )
    found = f"EXISTS (SELECT 1 FROM {target.source_of(check.reference.dataset)} r WHERE {matched})"  # noqa: S608
    reason = f"CASE WHEN {filled} AND NOT {found} THEN {literal('not in ' + check.reference.dataset)} END"
    return [Rule(check, ", ".join(check.key), reason, _joined(check.key))]


@_rules.register
def _(check: SqlCheck, target: Target, index: int) -> list[Rule]:
    cte = f"_custom{index}"
    returned = target.custom_columns.get(check.check_name, [])
    matched = " AND ".join(
        f"{cte}.{identifier(c)} IS NOT DISTINCT FROM src.{identifier(c)}"
        for c in ("_file", "_sheet", "_row")
        if c in returned
    )
    reason = f"first(CAST({cte}.reason AS VARCHAR))" if "reason" in returned else "'custom'"
    found = f"(SELECT coalesce({reason}, 'custom') FROM {cte} WHERE {matched} HAVING count(*) > 0)"  # noqa: S608
    return [Rule(check, None, found, "NULL", ctes=((cte, custom_sql(check, target)),))]


def custom_sql(check: SqlCheck, target: Target) -> str:
    """A custom check's SELECT with the dataset's own name standing for the snapshot, lineage columns included."""
    return f"WITH {identifier(target.dataset)} AS (SELECT * FROM {target.table}) {check.sql}"  # noqa: S608


@_rules.register
def _(check: TypeConformance, target: Target, index: int) -> list[Rule]:
    found = []
    for column in check.fields:
        text = f"{identifier(INVALID_COLUMN)}[{literal(column)}]"
        reason = TYPE_REASONS.get(target.types.get(column, ""), "does not fit its type")
        found.append(Rule(check, column, f"CASE WHEN {text} IS NOT NULL THEN {literal(reason)} END", text))
    return found


def failures_sql(compiled: list[Rule], target: Target, key: list[str]) -> str:
    """One SELECT over the snapshot table giving each row that fails any rule: `_rid` (row_position), `_file`,
    `_sheet`, `_row`, `key` (the key columns as JSON text, NULL without a key) and `failures`, a list of
    {check, severity, column, reason, value} structs. Rows without failures are left out.

    One pass: each rule's reason is a plain column (`_reason<i>`), the rows where all are NULL are dropped, and
    only the failing rows get their list of structs."""
    prepared = [p for rule in compiled for p in rule.prepare]
    derived = [d for rule in compiled for d in rule.derive]
    ctes = [c for rule in compiled for c in rule.ctes]
    extra = "".join(f", {sql} AS {identifier(alias)}" for alias, sql in prepared)
    reasons = [f"_reason{i}" for i in range(len(compiled))]
    structs = ", ".join(
        f"{{'check': {literal(r.check.check_name)}, 'severity': {literal(r.check.severity)}, "
        f"'column': {literal(r.column) if r.column else 'NULL'}, 'reason': {reason}, 'value': {r.value}}}"
        for r, reason in zip(compiled, reasons, strict=True)
    )
    key_json = "to_json({" + ", ".join(f"{literal(k)}: {identifier(k)}" for k in key) + "})::VARCHAR" if key else "NULL"
    with_ctes = "".join(f"{identifier(name)} AS ({sql}), " for name, sql in ctes)
    src = f"SELECT {row_position(target.table)} AS _rid, *{extra} FROM {target.table}"  # noqa: S608
    if derived:
        src = f"SELECT *{''.join(f', {sql} AS {identifier(alias)}' for alias, sql in derived)} FROM ({src})"  # noqa: S608
    columns = "".join(f", {r.reason} AS {reason}" for r, reason in zip(compiled, reasons, strict=True))
    failing = f"coalesce({', '.join(reasons)}) IS NOT NULL" if reasons else "false"
    return (
        f"WITH {with_ctes}src AS ({src}), "  # noqa: S608
        f"checked AS (SELECT *{columns} FROM src) "
        f"SELECT _rid, _file, _sheet, _row, {key_json} AS key, "
        f"list_filter([{structs}], lambda f: f.reason IS NOT NULL) AS failures FROM checked WHERE {failing}"
    )


def row_position(table: str) -> str:
    """SQL: a row's 0-based position in the snapshot table `table`, which is its rowid once the snapshot is
    committed. While the transaction that creates the table runs, DuckDB numbers its rows from a large offset,
    in the same order; a snapshot table is filled once and never changed, so the position is stable."""
    return f"rowid - (SELECT min(rowid) FROM {table})"  # noqa: S608


def _joined(columns: list[str]) -> str:
    """SQL: the values of `columns` as one text, 'a, b' (NULL shown as empty)."""
    return " || ', ' || ".join(f"coalesce({_text(c)}, '')" for c in columns)


def _as_text(value: str | int | float | bool) -> str:
    """An accepted value as DuckDB writes it when cast to text (true, 1, 1.5)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _bound(value: Bound) -> str:
    """A range bound as a SQL literal: a number as written, a date as DATE '...', a moment as TIMESTAMP '...'."""
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP {literal(value.isoformat(sep=' '))}"
    if isinstance(value, dt.date):
        return f"DATE {literal(value.isoformat())}"
    return repr(float(value)) if isinstance(value, float) else str(int(value))
