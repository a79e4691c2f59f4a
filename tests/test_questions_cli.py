"""`peil question run` and `peil question new` as a user calls them: in a subprocess, on real workspaces."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from peil.build import build
from peil.demo import workspace_path
from peil.questions import load, run
from peil.reports.i18n import format_number, significant_decimals

DEMO_QUESTIONS = workspace_path() / "questions"

INHABITANTS = (Path(__file__).parent / "fixtures" / "questions" / "pianists.yaml").read_text(encoding="utf-8")


def peil(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "peil", *args], capture_output=True, text=True, input=stdin, timeout=300
    )


def figures(path: Path, root: Path, samples: int, seed: int) -> tuple[str, str, str]:
    """The median and 90% interval of a run, as the command prints them (English, 3 significant digits)."""
    s = run(load(path, root), samples=samples, seed=seed).summary
    decimals = significant_decimals((s.p5, s.median, s.p95))
    median, p5, p95 = (format_number(v, "en", decimals) for v in (s.median, s.p5, s.p95))
    return median, p5, p95


def test_a_demo_question_runs_and_prints_its_answer_and_what_to_measure_first(starter: Path) -> None:
    path = shutil.copy(DEMO_QUESTIONS / "training_reach_staff.yaml", starter / "questions.yaml")
    result = peil("question", "run", str(path), "-w", str(starter), "--samples", "20000", "--seed", "7")
    assert result.returncode == 0, result.stderr
    median, p5, p95 = figures(Path(path), starter, 20_000, 7)
    assert f"median {median} personeelsleden, 90% interval {p5} to {p95}" in result.stdout
    assert "P(answer > 600) = " in result.stdout
    assert "├" in result.stdout and "┼" in result.stdout and "█" in result.stdout  # the text histogram
    assert "What to measure first" in result.stdout and "eerste_deelnames" in result.stdout
    assert "20,000 samples, seed 7" in result.stdout
    assert "Recorded" not in result.stdout  # nothing is built yet: no warehouse to record in


def test_a_run_reads_data_from_the_warehouse_and_is_recorded_in_the_history(starter: Path) -> None:
    build(starter)
    path = starter / "questions" / "pianists.yaml"
    path.parent.mkdir()
    path.write_text(INHABITANTS, encoding="utf-8")
    for expected_run in (1, 2):
        result = peil("question", "run", "questions/pianists.yaml", "-w", str(starter), "--threshold", "500")
        assert result.returncode == 0, result.stderr
        assert f"Recorded as run {expected_run} in the history of 'pianists'." in result.stdout
    assert "P(answer > 500) = " in result.stdout
    with duckdb.connect(str(starter / ".peil" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT data, estimates, samples, threshold FROM meta.question_runs").fetchall()
    assert rows == [(["inhabitants"], ["share"], 10_000, 500.0)] * 2


@pytest.mark.parametrize(
    ("written", "mistake", "where", "what"),
    [
        ("* share", "* shares", "line 7, field 'answer.formula'", "'shares' is not a factor; did you mean 'share'?"),
        ("0.005 to 0.02", "0.005 to", "line 16, field 'answer.factors[1].estimate'", "cannot read the estimate"),
        ("unit: pianists", "unit: [pianists", "line 6", "YAML"),
    ],
)
def test_a_bad_question_file_gives_one_clear_error_with_file_and_line(
    starter: Path, written: str, mistake: str, where: str, what: str
) -> None:
    path = starter / "questions" / "bad.yaml"
    path.parent.mkdir()
    path.write_text(INHABITANTS.replace(written, mistake, 1), encoding="utf-8")
    result = peil("question", "run", "questions/bad.yaml", "-w", str(starter))
    assert result.returncode == 1
    assert result.stderr.startswith("error questions/bad.yaml"), result.stderr
    assert where in result.stderr and what in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_out_of_range_samples_are_refused_without_a_traceback(starter: Path) -> None:
    path = shutil.copy(DEMO_QUESTIONS / "residual_waste_2030.yaml", starter / "q.yaml")
    result = peil("question", "run", str(path), "-w", str(starter), "--samples", "20000000")
    assert result.returncode == 1
    assert "the sample count must be between 2 and 10,000,000" in result.stderr
    assert "Traceback" not in result.stderr


def test_question_new_asks_step_by_step_and_writes_a_question_that_loads_and_runs(starter: Path) -> None:
    answers = [
        "How many pianos are there in Roeselare?",
        "",  # the proposed id
        "The music academy plans its tuning budget.",
        "pupils, teachers",
        "",  # no goals
        "Muziekacademie",
        "Whether to buy a tuning contract.",
        "Dienst Cultuur",
        "pianos",
        "3000",
        "formula",
        "households * share",
        "Households in Roeselare",  # households: description, unit, kind, ...
        "households",
        "data",
        "",  # no indicator: a query instead
        "SELECT 26000",
        "Share of households with a piano",  # share
        "pianos/household",
        "estimate",
        "0.02 to",  # refused, asked again
        "0.02 to 0.05",
        "a book",  # not a kind of source: asked again
        "literature",
        "A survey of piano ownership",
    ]
    result = peil("question", "new", "-w", str(starter), stdin="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cannot read the estimate" in result.stdout and "answer one of literature, expert, own_data" in result.stdout
    path = starter / "questions" / "how_many_pianos_are_there_in_roeselare.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert content["why"] == {
        "summary": "The music academy plans its tuning budget.",
        "people": ["pupils", "teachers"],
        "services": ["Muziekacademie"],
    }
    assert content["threshold"] == 3000
    assert content["answer"]["factors"] == [
        {
            "name": "households",
            "description": "Households in Roeselare",
            "unit": "households",
            "data": {"sql": "SELECT 26000"},
        },
        {
            "name": "share",
            "description": "Share of households with a piano",
            "unit": "pianos/household",
            "estimate": "0.02 to 0.05",
            "source": {"literature": "A survey of piano ownership"},
        },
    ]
    question = load(path, starter)
    assert question.order == ["households", "share", "how_many_pianos_are_there_in_roeselare"]
    build(starter)
    answered = peil("question", "run", str(path), "-w", str(starter), "--seed", "1")
    assert answered.returncode == 0, answered.stderr
    assert "median " in answered.stdout and "pianos, 90% interval " in answered.stdout


def test_question_new_keeps_formula_factors_nested_and_asks_each_name_once(starter: Path) -> None:
    answers = [
        "What does the service cost?", "cost", "Budget.", "", "", "", "The budget.", "Finance", "euro",
        "",  # no threshold
        "formula", "cases * cost_per_case + cases * overhead",
        "Cases", "cases", "formula", "population * rate",
        "Cost per case", "euro/cases", "estimate", "100 to 200", "", "Jan, finance",
        "Overhead per case", "euro/cases", "estimate", "10 to 20", "own_data", "Accounts 2024",
        "Population", "", "data", "inwoners", "", "2015",
        "Cases per inhabitant", "", "estimate", "1 of 100", "expert", "An",
    ]  # fmt: skip
    result = peil("question", "new", "-w", str(starter), stdin="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    content = yaml.safe_load((starter / "questions" / "cost.yaml").read_text(encoding="utf-8"))
    factors = content["answer"]["factors"]
    assert [f["name"] for f in factors] == ["cases", "cost_per_case", "overhead"]
    assert [f["name"] for f in factors[0]["factors"]] == ["population", "rate"]
    assert factors[0]["factors"][0]["data"] == {"indicator": "inwoners", "entity": "36015", "period": "2015"}
    assert factors[1]["source"] == {"expert": "Jan, finance"}
    assert load(starter / "questions" / "cost.yaml", starter).unused == []


def test_question_new_refuses_an_id_in_use_and_stops_cleanly_at_the_end_of_input(starter: Path) -> None:
    (starter / "questions").mkdir()
    (starter / "questions" / "taken.yaml").write_text("question: x\n", encoding="utf-8")
    result = peil("question", "new", "-w", str(starter), stdin="Anything?\ntaken\n")
    assert "questions/taken.yaml exists; choose another id" in result.stdout
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
