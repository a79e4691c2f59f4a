"""A build: snapshot every changed source, run the models, compute the indicators, answer the questions, render
the report.

The one function here is what `peil build`, `peil demo` and the Python API call. Each source's snapshot is its
own transaction; models, indicators and lineage are one more. A failure stops the build, marks it failed and
leaves every earlier snapshot and the previous models in place. The questions (questions/*.yaml) are checked
before anything else and run after the indicators, with a fixed seed so that the report does not change while
their inputs do not; a run is added to their history (meta.question_runs) only when the question or the data it
reads changed.

A source whose owner is still a placeholder (`owner: TODO`, as `peil infer` writes it) or empty is built, with a
warning in the summary (and in the build's record) asking for the department that answers for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from peil import indicators, models, query, reports, workspace
from peil.errors import PeilError, SourceError
from peil.quality.declarations import ordered
from peil.questions import Question, Run, load_all, record_if_changed, resolver
from peil.questions import run as run_question
from peil.store import IngestResult, Warehouse

REPORT_SAMPLES = 100_000
REPORT_SEED = 20_250_101


@dataclass(frozen=True)
class Step:
    """Progress of a build: phase ('source', 'models', 'indicators', 'questions', 'report'), item name, items done
    of total."""

    phase: str
    name: str
    done: int
    total: int


@dataclass
class BuildSummary:
    """What a build did: its id, the snapshot per source (and whether it is new), rows, indicators, the run of
    each question (and how many were new to the history), seconds, and warnings about the workspace itself."""

    build_id: int
    warnings: list[str] = field(default_factory=list)
    ingested: dict[str, IngestResult] = field(default_factory=dict)
    models: int = 0
    indicator_rows: dict[str, int] = field(default_factory=dict)
    question_runs: dict[str, Run] = field(default_factory=dict)
    runs_recorded: int = 0
    pages: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def snapshots_made(self) -> int:
        return sum(result.created for result in self.ingested.values())

    @property
    def rows(self) -> int:
        return sum(result.snapshot.row_count for result in self.ingested.values())


def build(root: Path | str, on_step: Callable[[Step], None] | None = None) -> BuildSummary:
    """Build the workspace in `root` and render its site; return what was done.

    Raises WorkspaceError, SourceError, ModelError, IndicatorError, QuestionError or ReportError (all PeilError)
    naming the file and place; the warehouse then holds everything up to the last completed snapshot.
    """
    started = time.perf_counter()
    ws = workspace.load(root)
    asked = load_all(ws.root)
    notify = on_step or (lambda step: None)
    with Warehouse.open(ws.warehouse_path) as warehouse:
        summary = BuildSummary(build_id=warehouse.start_build(), warnings=_owner_warnings(ws))
        try:
            _ingest(warehouse, ws, summary, notify)
            _derive(warehouse, ws, summary, notify)
        except (PeilError, KeyboardInterrupt) as exc:
            warehouse.finish_build(summary.build_id, "failed", {"error": str(exc)})
            raise
        summary.seconds = time.perf_counter() - started
        warehouse.finish_build(summary.build_id, "ok", _summary_json(summary))
    if asked:
        _answer(ws, asked, summary, notify)
    notify(Step("report", "site", 0, 1))
    with query.read_only(ws.warehouse_path) as con:
        summary.pages = reports.render_site(ws, con, ws.site_path, summary.build_id, summary.question_runs)
    notify(Step("report", "site", 1, 1))
    summary.seconds = time.perf_counter() - started
    return summary


def _ingest(
    warehouse: Warehouse, ws: workspace.Workspace, summary: BuildSummary, notify: Callable[[Step], None]
) -> None:
    total = len(ws.sources)
    for done, source in enumerate(ordered(ws.sources)):
        notify(Step("source", source.name, done, total))
        try:
            summary.ingested[source.name] = warehouse.ingest(source, ws.root, summary.build_id)
        except SourceError as exc:
            declared = f"It is the file of the dataset '{source.name}', declared in sources/{source.name}.yaml."
            exc.hint = " ".join(filter(None, [exc.hint, declared]))
            raise
    notify(Step("source", "", total, total))


def _derive(
    warehouse: Warehouse, ws: workspace.Workspace, summary: BuildSummary, notify: Callable[[Step], None]
) -> None:
    con = warehouse.con
    con.execute("BEGIN TRANSACTION")
    try:
        notify(Step("models", "", 0, len(ws.models)))
        model_inputs = models.run(con, ws)
        summary.models = len(model_inputs)
        notify(Step("indicators", "", 0, len(ws.indicators)))
        summary.indicator_rows = indicators.compute(con, ws, summary.build_id)
        indicator_inputs = {i.id: indicators.upstream(i) for i in ws.indicators.values()}
        lineage = [
            (summary.build_id, node, kind, parent)
            for kind, inputs in (("model", model_inputs), ("indicator", indicator_inputs))
            for node, parents in inputs.items()
            for parent in sorted(parents)
        ]
        if lineage:
            con.executemany("INSERT INTO meta.lineage VALUES (?, ?, ?, ?)", lineage)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    notify(Step("indicators", "", len(ws.indicators), len(ws.indicators)))


def _answer(
    ws: workspace.Workspace, asked: dict[str, Question], summary: BuildSummary, notify: Callable[[Step], None]
) -> None:
    """Run every question on the new build's data, read-only (their SQL cannot write or reach files), then record
    the runs whose inputs changed."""
    total = len(asked)
    with query.read_only(ws.warehouse_path) as con:
        summary.question_runs = answers(
            con, asked, lambda done, question_id: notify(Step("questions", question_id, done, total))
        )
    with Warehouse.open(ws.warehouse_path) as warehouse:
        recorded = [record_if_changed(warehouse.con, result) for result in summary.question_runs.values()]
    summary.runs_recorded = sum(run_id is not None for run_id in recorded)
    notify(Step("questions", "", total, total))


def answers(
    con: duckdb.DuckDBPyConnection, asked: dict[str, Question], before_each: Callable[[int, str], None] | None = None
) -> dict[str, Run]:
    """Each question of `asked` run on the data on `con` as the report shows it (REPORT_SAMPLES samples, seed
    REPORT_SEED, so a rerun on the same data gives the same answer), by id; `before_each(done, question_id)` is
    called before each. Raises QuestionError as peil.questions.run does."""
    resolve = resolver(con)
    runs: dict[str, Run] = {}
    for done, (question_id, question) in enumerate(asked.items()):
        if before_each:
            before_each(done, question_id)
        runs[question_id] = run_question(question, resolve, samples=REPORT_SAMPLES, seed=REPORT_SEED)
    return runs


def _owner_warnings(ws: workspace.Workspace) -> list[str]:
    """A warning for each source whose owner names no one (a placeholder such as TODO, or empty)."""
    return [warning for source in ws.sources.values() if (warning := source.owner_warning())]


def _summary_json(summary: BuildSummary) -> dict[str, object]:
    return {
        "snapshots_made": summary.snapshots_made,
        "sources": len(summary.ingested),
        "rows": summary.rows,
        "models": summary.models,
        "indicator_rows": summary.indicator_rows,
        "seconds": round(summary.seconds, 3),
        "warnings": summary.warnings,
    }
