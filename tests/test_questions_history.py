"""The run history in meta.question_runs: recorded with a read-write connection, read back oldest first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from peil.questions import Question, record_if_changed, record_run, run, runs
from peil.questions.history import inputs_hash, question_hash


def build(households: dict[str, Any], threshold: float | None = 3000) -> Question:
    return Question.model_validate(
        {
            "id": "pianos",
            "question": "How many pianos are there?",
            "why": "tests",
            "decision": "none",
            "owner": "tests",
            "unit": "pianos",
            "threshold": threshold,
            "answer": {
                "formula": "households * share",
                "factors": [
                    {"name": "households", "description": "households", "unit": "households", **households},
                    {
                        "name": "share",
                        "description": "pianos per household",
                        "unit": "pianos/household",
                        "estimate": "0.02 to 0.05",
                        "source": {"expert": "test"},
                    },
                ],
            },
        }
    )


def test_runs_are_recorded_and_show_the_answer_narrowing_as_data_comes_in(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    guessed = run(build({"estimate": "50000 to 200000", "source": {"expert": "a guess"}}), samples=20_000, seed=1)
    measured = run(build({"data": {"sql": "SELECT 125000"}}), lambda data: 125000.0, samples=20_000, seed=2)
    with duckdb.connect(str(path)) as con:
        assert record_run(con, guessed) == 1
        assert record_run(con, measured) == 2
    with duckdb.connect(str(path), read_only=True) as con:
        history = runs(con, "pianos")
        assert runs(con, "other") == []
    first, second = history
    assert (first.run_id, first.question_id, first.samples, first.seed) == (1, "pianos", 20_000, 1)
    assert (first.estimates, first.data) == (["households", "share"], [])
    assert (second.estimates, second.data) == (["share"], ["households"])
    assert second.width90 < 0.7 * first.width90
    assert first.mean == guessed.summary.mean and first.p95 == guessed.summary.p95
    assert first.threshold == 3000 and first.p_exceed == guessed.summary.p_exceed
    assert first.ran_at == guessed.ran_at
    assert first.unit == "pianos"
    assert first.question_hash == question_hash(guessed) != second.question_hash
    assert first.warnings == []


def test_reading_a_warehouse_without_recorded_runs_gives_none(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        assert runs(con, "pianos") == []


def test_a_run_without_threshold_records_nulls_and_its_warnings(tmp_path: Path) -> None:
    result = run(build({"estimate": "0 to 200000", "source": {"expert": "x"}}, threshold=None), samples=100, seed=1)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        record_run(con, result)
        (record,) = runs(con, "pianos")
    assert record.threshold is None and record.p_exceed is None
    assert record.warnings == result.warnings and "not a lognormal" in record.warnings[0]


def test_a_failed_record_leaves_no_partial_row(tmp_path: Path) -> None:
    result = run(build({"estimate": "1 to 2", "source": {"expert": "x"}}), samples=100, seed=1)
    broken = run(build({"estimate": "1 to 2", "source": {"expert": "x"}}), samples=100, seed=1)
    broken.samples = np.iinfo(np.int64).max + 1  # too large for BIGINT: the insert fails
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        record_run(con, result)
        with pytest.raises(duckdb.Error):
            record_run(con, broken)
        assert [r.run_id for r in runs(con, "pianos")] == [1]


def test_a_run_is_recorded_again_only_when_the_question_or_its_data_changed(tmp_path: Path) -> None:
    data = {"data": {"sql": "SELECT households FROM t"}}
    first = run(build(data), lambda _: 125000.0, samples=100, seed=1)
    more_samples = run(build(data), lambda _: 125000.0, samples=1000, seed=2)
    new_data = run(build(data), lambda _: 126000.0, samples=100, seed=1)
    new_threshold = run(build(data, threshold=4000), lambda _: 126000.0, samples=100, seed=1)
    spread = run(build(data), lambda _: np.array([1.0, 2.0]), samples=100, seed=1)
    assert inputs_hash(first) == inputs_hash(more_samples) != inputs_hash(new_data) != inputs_hash(spread)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert record_if_changed(con, first) == 1
        assert record_if_changed(con, more_samples) is None
        assert record_if_changed(con, new_data) == 2
        assert record_if_changed(con, new_data) is None
        assert record_if_changed(con, new_threshold) == 3
        assert record_if_changed(con, first) == 4  # back to the earlier data: a change from the last run recorded
        assert {r.run_id: r.inputs_hash for r in runs(con, "pianos")}[4] == inputs_hash(first)
