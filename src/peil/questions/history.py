"""The history of a question's runs in the warehouse, so a report can show the answer narrowing as data comes
in.

``meta.question_runs`` holds one row per recorded run::

    run_id       BIGINT       from the sequence meta.question_run_ids
    question_id  VARCHAR      the question's id (its file name)
    ran_at       TIMESTAMPTZ  when the run was made
    question_hash VARCHAR     SHA-256 of the question as validated: a change of model, estimate or data shows
    inputs_hash  VARCHAR      SHA-256 of the question and the values its data factors had: a change of either shows
    unit         VARCHAR      the question's unit
    samples      BIGINT       Monte Carlo sample count
    seed         BIGINT       the generator's seed: the run can be repeated
    estimates    VARCHAR[]    leaf factors given as estimates
    data         VARCHAR[]    leaf factors read from data
    mean, median, p5, p25, p75, p95  DOUBLE  the answer's summary
    threshold, p_exceed      DOUBLE   the threshold and P(answer > threshold), NULL without a threshold
    warnings     VARCHAR[]    the warnings shown with the result

Recording takes a read-write connection (the one writer); reading works on a read-only one.
:func:`record_if_changed` records a run only when its inputs differ from the question's latest recorded run, so
that a build, which runs every question each time, adds to the history only when the question or its data
changed. The sample count and seed are not inputs: a run with more samples answers the same question.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np

from peil.questions.distributions import Distribution, Empirical, Point, Samples
from peil.questions.engine import Run

_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SEQUENCE IF NOT EXISTS meta.question_run_ids START 1;
CREATE TABLE IF NOT EXISTS meta.question_runs (
    run_id BIGINT PRIMARY KEY DEFAULT nextval('meta.question_run_ids'),
    question_id VARCHAR NOT NULL,
    ran_at TIMESTAMPTZ NOT NULL,
    question_hash VARCHAR NOT NULL,
    inputs_hash VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    samples BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    estimates VARCHAR[] NOT NULL,
    data VARCHAR[] NOT NULL,
    mean DOUBLE NOT NULL,
    median DOUBLE NOT NULL,
    p5 DOUBLE NOT NULL,
    p25 DOUBLE NOT NULL,
    p75 DOUBLE NOT NULL,
    p95 DOUBLE NOT NULL,
    threshold DOUBLE,
    p_exceed DOUBLE,
    warnings VARCHAR[] NOT NULL
);
"""

_INSERT = """
INSERT INTO meta.question_runs (question_id, ran_at, question_hash, inputs_hash, unit, samples, seed, estimates,
    data, mean, median, p5, p25, p75, p95, threshold, p_exceed, warnings)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING run_id
"""

_SELECT = """
SELECT run_id, question_id, ran_at, question_hash, inputs_hash, unit, samples, seed, estimates, data,
    mean, median, p5, p25, p75, p95, threshold, p_exceed, warnings
FROM meta.question_runs WHERE question_id = ? ORDER BY ran_at, run_id
"""


@dataclass(frozen=True)
class RunRecord:
    """One recorded run of a question (the columns of meta.question_runs)."""

    run_id: int
    question_id: str
    ran_at: datetime
    question_hash: str
    inputs_hash: str
    unit: str
    samples: int
    seed: int
    estimates: list[str]
    data: list[str]
    mean: float
    median: float
    p5: float
    p25: float
    p75: float
    p95: float
    threshold: float | None
    p_exceed: float | None
    warnings: list[str]

    @property
    def width90(self) -> float:
        """The width of the 90% interval, p95 - p5: how uncertain the answer was."""
        return self.p95 - self.p5


def question_hash(run: Run) -> str:
    """SHA-256 of the question as validated (estimates and formulas as written, data specifications)."""
    return hashlib.sha256(run.question.model_dump_json().encode()).hexdigest()


def inputs_hash(run: Run) -> str:
    """SHA-256 of the question as validated and of the values of its data factors, by name."""
    digest = hashlib.sha256(question_hash(run).encode())
    for name, item in sorted(run.inputs.items()):
        if item.kind == "data":
            digest.update(name.encode() + b"\0" + _values(item.distribution).tobytes())
    return digest.hexdigest()


def _values(distribution: Distribution) -> Samples:
    """A data factor's values: one for a number, (m,) for a column of numbers."""
    if isinstance(distribution, Point):
        return np.array([distribution.value])
    assert isinstance(distribution, Empirical), distribution
    return distribution.values


def record_run(con: duckdb.DuckDBPyConnection, run: Run) -> int:
    """Store `run` in meta.question_runs (created if missing) in one transaction; return its run_id."""
    s = run.summary
    kinds = {name: item.kind for name, item in run.inputs.items()}
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_SCHEMA)
        row = con.execute(
            _INSERT,
            [
                run.question.id,
                run.ran_at,
                question_hash(run),
                inputs_hash(run),
                run.question.unit,
                run.samples,
                run.seed,
                [n for n, k in kinds.items() if k == "estimate"],
                [n for n, k in kinds.items() if k == "data"],
                s.mean,
                s.median,
                s.p5,
                s.p25,
                s.p75,
                s.p95,
                s.threshold,
                s.p_exceed,
                run.warnings,
            ],
        ).fetchone()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    assert row is not None
    return int(row[0])


def record_if_changed(con: duckdb.DuckDBPyConnection, run: Run) -> int | None:
    """Record `run` unless the run of its question recorded last had the same inputs (:func:`inputs_hash`).

    Returns the new run_id, or None when nothing was recorded.
    """
    history = runs(con, run.question.id)
    if history and max(history, key=lambda r: r.run_id).inputs_hash == inputs_hash(run):
        return None
    return record_run(con, run)


def recorded(con: duckdb.DuckDBPyConnection, database: str | None = None) -> bool:
    """Whether `database` (default: the one `con` runs on) has the table meta.question_runs, which the first
    recorded run makes."""
    (found,) = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = coalesce(?, current_database()) "
        "AND table_schema = 'meta' AND table_name = 'question_runs'",
        [database],
    ).fetchall()[0]
    return bool(found)


def runs(con: duckdb.DuckDBPyConnection, question_id: str) -> list[RunRecord]:
    """The recorded runs of `question_id`, oldest first; empty when nothing was recorded yet."""
    if not recorded(con):
        return []
    rows = con.execute(
        _SELECT,
        [question_id],
    ).fetchall()
    return [RunRecord(*row) for row in rows]
