"""Run a dataset's checks on one snapshot, in the warehouse, and record what they found.

`evaluate` compiles every row check into one SELECT of the failing rows (peil.quality.compile) and sums it up in
one more: each check's failing rows, reasons and first examples. `peil check` runs the two as one query, which
reads the snapshot once and writes nothing; a new snapshot's ingest keeps the failing rows in a temporary table
first, for the quarantine. Table checks (row_count, freshness, schema_drift, a custom SELECT without `_row`) are
one small query each. `record` writes the results of a build into meta.check_results and meta.quality_scores;
peil.quality.quarantine keeps the failing rows.

Results: `rows_checked` is the snapshot's row count; `rows_failing` the rows that fail the check (None for a
table check); `percent_valid` 100 * (checked - failing) / checked, for a table check 100 when it passes and 0
when it fails; `passed` the verdict after the threshold. The quality score of a dataset is the mean
percent_valid of its error checks (docs/quality.md).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import duckdb

from peil.errors import Location, WorkspaceError
from peil.messages import N_, Problem, say
from peil.quality import compile, identifiers
from peil.quality.declarations import (
    CheckBase,
    Freshness,
    RowCount,
    SchemaDrift,
    SqlCheck,
    TypeConformance,
    effective,
)
from peil.quality.mask import mask, needs_masking
from peil.sources.sql import identifier
from peil.sources.table import HIDDEN
from peil.texts import Translated

if TYPE_CHECKING:
    from peil.store import Snapshot
    from peil.workspace import Source

EXAMPLES = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta.quarantine (
    snapshot_id BIGINT NOT NULL,
    dataset VARCHAR NOT NULL,
    row_id BIGINT NOT NULL,
    _file VARCHAR,
    _sheet VARCHAR,
    _row BIGINT,
    key VARCHAR,
    held BOOLEAN NOT NULL,
    failures STRUCT("check" VARCHAR, severity VARCHAR, "column" VARCHAR, reason VARCHAR, value VARCHAR)[] NOT NULL
);
CREATE TABLE IF NOT EXISTS meta.check_results (
    build_id BIGINT NOT NULL,
    snapshot_id BIGINT NOT NULL,
    dataset VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    check_type VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    rows_checked BIGINT NOT NULL,
    rows_failing BIGINT,
    percent_valid DOUBLE NOT NULL,
    passed BOOLEAN NOT NULL,
    threshold VARCHAR,
    description_nl VARCHAR NOT NULL,
    description_en VARCHAR NOT NULL,
    examples VARCHAR NOT NULL,
    detail VARCHAR NOT NULL,
    message VARCHAR
);
CREATE TABLE IF NOT EXISTS meta.quality_scores (
    build_id BIGINT NOT NULL,
    snapshot_id BIGINT NOT NULL,
    dataset VARCHAR NOT NULL,
    score DOUBLE,
    checks INTEGER NOT NULL,
    checks_failed INTEGER NOT NULL,
    rows BIGINT NOT NULL,
    rows_held BIGINT NOT NULL
);
"""


@dataclass(frozen=True)
class Result:
    """One check's result on one snapshot (see the module docstring for the numbers)."""

    check: CheckBase
    rows_checked: int
    rows_failing: int | None
    passed: bool
    examples: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def message(self) -> str | None:
        """Why the check failed, in English (None when nothing is wrong); the report says it in its language."""
        return say(self.problems)

    @property
    def percent_valid(self) -> float:
        if self.rows_failing is None or self.rows_checked == 0:
            return 100.0 if self.passed else 0.0
        return 100.0 * (self.rows_checked - self.rows_failing) / self.rows_checked

    @property
    def blocking(self) -> bool:
        """An error-severity check that failed: `peil check` exits non-zero."""
        return not self.passed and self.check.severity == "error"


@dataclass
class Evaluation:
    """Every check's result on one snapshot, and the temporary table of its failing rows when they were kept
    (`evaluate(..., keep_failures=True)` with row checks; None otherwise): _rid (rowid in the snapshot table),
    _file, _sheet, _row, key (JSON), each rule's reason and value, and failures."""

    dataset: str
    snapshot_id: int
    rows: int
    results: list[Result]
    failures: str | None
    rows_held: int = 0

    @property
    def score(self) -> float | None:
        """The mean percent_valid of the error checks; None without error checks."""
        valid = [r.percent_valid for r in self.results if r.check.severity == "error"]
        return statistics.fmean(valid) if valid else None


def default_relation(dataset: str) -> str:
    """A dataset's current rows: the view main.<dataset>."""
    return f"main.{identifier(dataset)}"


@contextmanager
def evaluate(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    snapshot: Snapshot,
    previous: Snapshot | None,
    now: dt.datetime,
    relation: Callable[[str], str] = default_relation,
    *,
    keep_failures: bool = False,
) -> Iterator[Evaluation]:
    """Run `source`'s checks on `snapshot` (`previous` is the snapshot before it, for row_count and schema_drift;
    `now` an aware moment). With `keep_failures`, the failing rows are kept in a temporary table
    (`evaluation.failures`, dropped on exit) for the quarantine; without, nothing is written and the row checks
    are counted in the same pass that finds their failing rows.

    Raises WorkspaceError naming the source file when a check's SQL fails (a custom SELECT, a reference to a
    dataset with no snapshot yet).
    """
    identifiers.register(con)
    columns = _columns(con, snapshot.table_name)
    target = compile.Target(
        dataset=source.name,
        table=snapshot.table_name,
        types={f.name: f.type for f in source.table_schema.fields},
        relation=relation,
        now=now,
        unfit_values=compile.INVALID_COLUMN in columns and _unfit_values(con, snapshot.table_name),
    )
    checks = [
        c for c in effective(source) if not (isinstance(c, TypeConformance) and compile.INVALID_COLUMN not in columns)
    ]
    row_checks, table_checks = _split(con, checks, target, source)
    evaluation = Evaluation(source.name, snapshot.snapshot_id, snapshot.row_count, [], None)
    try:
        if row_checks:
            rules = [rule for index, check in enumerate(row_checks) for rule in compile.rules(check, target, index)]
            failures = compile.failures_sql(rules, target, _key(source, checks))
            if keep_failures:
                evaluation.failures = f"peil_failures_{uuid.uuid4().hex}"
                _run(con, source, f"CREATE TEMP TABLE {evaluation.failures} AS {failures}")
            failing = evaluation.failures or f"({failures})"
            evaluation.results += _row_results(con, source, row_checks, rules, failing, evaluation)
        for check in table_checks:
            evaluation.results.append(_table_result(con, source, check, snapshot, previous, target, now))
        yield evaluation
    finally:
        if evaluation.failures:
            con.execute(f"DROP TABLE IF EXISTS {evaluation.failures}")
            evaluation.failures = None


def record(con: duckdb.DuckDBPyConnection, build_id: int, evaluation: Evaluation) -> None:
    """Append the evaluation's results to meta.check_results and its score to meta.quality_scores."""
    rows = [
        (
            build_id,
            evaluation.snapshot_id,
            evaluation.dataset,
            r.check.check_name,
            r.check.type,
            r.check.severity,
            r.rows_checked,
            r.rows_failing,
            r.percent_valid,
            r.passed,
            r.check.threshold.model_dump_json(exclude_none=True) if r.check.threshold else None,
            r.check.describe("nl"),
            r.check.describe("en"),
            json.dumps(r.examples, default=str, ensure_ascii=False),
            json.dumps(
                r.detail | ({"problems": [p.as_json() for p in r.problems]} if r.problems else {}),
                default=str,
                ensure_ascii=False,
            ),
            r.message,
        )
        for r in evaluation.results
    ]
    if rows:
        con.executemany(f"INSERT INTO meta.check_results VALUES ({', '.join('?' * 16)})", rows)  # noqa: S608
    failed = sum(not r.passed for r in evaluation.results)
    con.execute(
        "INSERT INTO meta.quality_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            build_id,
            evaluation.snapshot_id,
            evaluation.dataset,
            evaluation.score,
            len(evaluation.results),
            failed,
            evaluation.rows,
            evaluation.rows_held,
        ],
    )


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [str(row[0]) for row in con.execute(f"DESCRIBE {table}").fetchall()]


def _unfit_values(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether a row of `table` has a value that did not fit its type. DuckDB answers from the column's statistics,
    without a scan, when the snapshot was loaded strictly."""
    unfit = f"SELECT count(*) FROM {table} WHERE {compile.INVALID_COLUMN} IS NOT NULL"  # noqa: S608
    return bool(con.execute(unfit).fetchall()[0][0])


def _split(
    con: duckdb.DuckDBPyConnection, checks: list[CheckBase], target: compile.Target, source: Source
) -> tuple[list[CheckBase], list[CheckBase]]:
    """The row checks and the table checks; a custom SELECT is a row check when it returns `_row`."""
    row_checks: list[CheckBase] = []
    table_checks: list[CheckBase] = []
    for check in checks:
        if isinstance(check, SqlCheck):
            returned = [
                str(r[0]) for r in _run(con, source, f"DESCRIBE {compile.custom_sql(check, target)}", check).fetchall()
            ]
            target.custom_columns[check.check_name] = returned
            (row_checks if "_row" in returned else table_checks).append(check)
        else:
            (row_checks if check.row_level else table_checks).append(check)
    return row_checks, table_checks


def _key(source: Source, checks: list[CheckBase]) -> list[str]:
    """The columns that identify a row: schema.primaryKey, or a declared primary_key check's columns."""
    if source.table_schema.primary_key:
        return list(source.table_schema.primary_key)
    return next((c.columns for c in checks if c.type == "primary_key"), [])


def _run(
    con: duckdb.DuckDBPyConnection, source: Source, sql: str, check: CheckBase | None = None
) -> duckdb.DuckDBPyConnection:
    """Execute `sql`; a failure is a WorkspaceError naming the source file (and the check)."""
    try:
        return con.execute(sql)
    except duckdb.Error as exc:
        which = f"the check '{check.check_name}'" if check else "the checks"
        raise WorkspaceError(
            f"{which} of {source.name} cannot run: {str(exc).strip().splitlines()[0]}",
            Location(file=f"sources/{source.name}.yaml", field="checks"),
            hint="Check the columns and datasets the checks name; a custom check is one SELECT (try it with peil sql).",
        ) from None


def _row_results(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    checks: list[CheckBase],
    rules: list[compile.Rule],
    failing: str,
    evaluation: Evaluation,
) -> list[Result]:
    """Each row check's counts, reasons and first examples, from the failing rows `failing` (a table or a
    parenthesised SELECT); sets the evaluation's held rows."""
    *summaries, held = _run(con, source, compile.summary_sql(rules, failing, EXAMPLES)).fetchall()[0]
    evaluation.rows_held = int(held)
    by_check = {summary["check"]: summary for summary in summaries}
    results = []
    for check in checks:
        summary = by_check.get(check.check_name, {"failing": 0, "reasons": [], "examples": []})
        failing_rows = int(summary["failing"])
        reasons: Counter[str] = Counter()
        for histogram in summary["reasons"]:
            reasons.update(histogram or {})
        examples = sorted((e for found in summary["examples"] for e in found or []), key=_file_order)[:EXAMPLES]
        results.append(
            Result(
                check,
                evaluation.rows,
                failing_rows,
                check.passes(failing_rows, evaluation.rows),
                [_masked(source, check, example) for example in examples],
                {"reasons": dict(reasons)} if reasons else {},
            )
        )
    return results


def _file_order(example: dict[str, Any]) -> tuple[tuple[bool, Any], ...]:
    """Sort key of an example: where it is in the files, then its column; empty last, as SQL's ORDER BY."""
    return tuple((example[k] is None, example[k]) for k in ("file", "sheet", "row", "column"))


def _masked(source: Source, check: CheckBase, example: dict[str, Any]) -> dict[str, Any]:
    """An example with its value masked where the source's classification asks for it."""
    if needs_masking(source.classification, example.get("column"), check.identifier):
        return {**example, "value": mask(example.get("value"), check.type, check.identifier)}
    return example


def _table_result(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    check: CheckBase,
    snapshot: Snapshot,
    previous: Snapshot | None,
    target: compile.Target,
    now: dt.datetime,
) -> Result:
    if isinstance(check, RowCount):
        return row_count(check, snapshot.row_count, previous.row_count if previous else None)
    if isinstance(check, Freshness):
        newest = _newest(con, source, check, snapshot)
        return freshness(check, newest, now, source.update_frequency, snapshot.row_count)
    if isinstance(check, SchemaDrift):
        before = _types(con, previous.table_name) if previous else None
        return schema_drift(check, before, _types(con, snapshot.table_name), snapshot.row_count)
    assert isinstance(check, SqlCheck)
    returned = _run(con, source, f"SELECT count(*) FROM ({compile.custom_sql(check, target)})", check).fetchall()  # noqa: S608
    count = int(returned[0][0])
    return Result(check, snapshot.row_count, None, count == 0, detail={"rows_returned": count})


def row_count(check: RowCount, rows: int, previous: int | None) -> Result:
    """The row_count verdict for a snapshot of `rows` rows (`previous`: the snapshot before, if any)."""
    problems = []
    if check.min is not None and rows < check.min:
        problems.append(Problem(N_("row count %(rows)s, fewer than %(min)s"), {"rows": rows, "min": check.min}))
    if check.max is not None and rows > check.max:
        problems.append(Problem(N_("row count %(rows)s, more than %(max)s"), {"rows": rows, "max": check.max}))
    detail: dict[str, Any] = {"rows": rows, "previous_rows": previous}
    if check.change_percent is not None and previous:
        change = 100.0 * (rows - previous) / previous
        detail["change_percent"] = round(change, 2)
        if abs(change) > check.change_percent:
            text = N_("row count %(rows_change)s%% against the previous version, more than %(limit)s%%")
            problems.append(Problem(text, {"rows_change": change, "limit": check.change_percent}))
    return Result(check, rows, None, not problems, detail=detail, problems=problems)


def freshness(
    check: Freshness, newest: dt.datetime | None, now: dt.datetime, update_frequency: str | Translated | None, rows: int
) -> Result:
    """The freshness verdict: the age of `newest` (aware) at `now` (aware) against the check's limit.

    A newest moment after `now` fails with "timestamp in the future; is the time zone right?": a naive
    timestamp read in the wrong time zone looks fresher than it is, and must not pass silently.
    """
    limit = check.age_limit(update_frequency)
    if newest is None:
        return Result(check, rows, None, False, problems=[Problem(N_("no value to measure the age by"))])
    age = now - newest
    detail = {
        "newest": newest.isoformat(),
        "now": now.isoformat(),
        "age_minutes": round(age.total_seconds() / 60, 2),
        "max_age_minutes": limit.total_seconds() / 60 if limit else None,
    }
    if age < dt.timedelta(0):
        text = N_(
            "timestamp in the future (%(ahead_minutes)s after now); is the time zone right? A timestamp without "
            "one is read in %(timezone)s."
        )
        ahead = {"ahead_minutes": round(-age.total_seconds() / 60, 2), "timezone": check.timezone}
        return Result(check, rows, None, False, detail=detail, problems=[Problem(text, ahead)])
    if limit is None:
        text = N_("no max_age, and the update frequency '%(frequency)s' is not one peil knows")
        if isinstance(update_frequency, Translated):  # neither language's text is known: both are shown
            update_frequency = f"{update_frequency.nl} / {update_frequency.en}"
        return Result(
            check, rows, None, False, detail=detail, problems=[Problem(text, {"frequency": update_frequency})]
        )
    stale = age > limit
    old = {"age_minutes": detail["age_minutes"], "limit_minutes": detail["max_age_minutes"]}
    problems = [Problem(N_("%(age_minutes)s old, more than %(limit_minutes)s"), old)] if stale else []
    return Result(check, rows, None, not stale, detail=detail, problems=problems)


def schema_drift(check: SchemaDrift, before: dict[str, str] | None, after: dict[str, str], rows: int) -> Result:
    """The schema_drift verdict: columns added, removed or retyped since the previous snapshot (None: none)."""
    if before is None:
        return Result(check, rows, None, True, detail={"previous": None})
    added = [c for c in after if c not in before]
    removed = [c for c in before if c not in after]
    retyped = {c: [before[c], after[c]] for c in after if c in before and before[c] != after[c]}
    detail = {"added": added, "removed": removed, "retyped": retyped}
    found = (
        (N_("columns added: %(columns)s"), added),
        (N_("columns removed: %(columns)s"), removed),
        (N_("columns retyped: %(columns)s"), [f"{c} ({old} -> {new})" for c, (old, new) in retyped.items()]),
    )
    problems = [Problem(text, {"columns": columns}) for text, columns in found if columns]
    return Result(check, rows, None, not problems, detail=detail, problems=problems)


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in HIDDEN}


def _newest(con: duckdb.DuckDBPyConnection, source: Source, check: Freshness, snapshot: Snapshot) -> dt.datetime | None:
    """The moment the data is as new as: the column's newest value in the check's time zone (a date counts from
    its start), or, without a column, when the snapshot was made."""
    if check.column is None:
        made = snapshot.created_at
        return made if made.tzinfo else made.replace(tzinfo=dt.UTC)
    found = _run(con, source, f"SELECT max({identifier(check.column)}) FROM {snapshot.table_name}", check).fetchall()  # noqa: S608
    return moment(found[0][0], check.timezone)


def moment(value: object, timezone: str) -> dt.datetime | None:
    """A date or timestamp as an aware moment: a naive one is read in `timezone`, a date from its start."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), ZoneInfo(timezone))
    return moment(dt.datetime.fromisoformat(str(value)), timezone)
