"""The questions in the built site: the demo's five questions, each on a page of its own with its charts, factor
tree, sources and history; the history grows only when a question's inputs change."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from markupsafe import escape

from peil.build import REPORT_SAMPLES, REPORT_SEED, build
from peil.demo import workspace_path
from peil.errors import QuestionError
from peil.query import read_only
from peil.questions import Question, analyse, load_all, resolver, run, runs
from peil.reports.questions import COLUMN_GAP, ROW_GAP, tree

pytestmark = pytest.mark.slow

DEMO_QUESTIONS = {
    "caseload_social_service",
    "home_care_roeselare_2035",
    "piano_tuners_antwerp",
    "residual_waste_2030",
    "training_reach_staff",
}
INHABITANTS = (Path(__file__).parent / "fixtures" / "questions" / "pianists.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def asked(built: Path) -> dict[str, Question]:
    return load_all(built)


def page(root: Path, question_id: str) -> str:
    return (root / "site" / f"vraag-{question_id}.html").read_text(encoding="utf-8")


def spec(html: str, chart_id: str) -> Any:
    """The Vega-Lite spec a page embeds for the chart `chart_id`."""
    found = re.search(rf'<script type="application/json" id="{chart_id}">(.*?)</script>', html, re.DOTALL)
    assert found, f"no chart {chart_id}"
    return json.loads(found.group(1))


def layer_values(chart: Any) -> list[list[dict[str, Any]]]:
    return [layer["data"]["values"] for layer in chart["layer"]]


def test_the_demo_ships_five_questions_binding_real_data(asked: dict[str, Question]) -> None:
    assert set(asked) == DEMO_QUESTIONS == set(load_all(workspace_path()))
    piano = asked["piano_tuners_antwerp"]
    data = {name: f.data for name, f in piano.factors.items() if f.data is not None}
    assert {(d.indicator, d.entity) for d in data.values()} == {("households", "11002"), ("population", "11002")}
    home_care = asked["home_care_roeselare_2035"].factors["tachtigplussers_2015"].data
    assert home_care is not None and "population_by_age" in (home_care.sql or "")
    for question_id in ("caseload_social_service", "residual_waste_2030", "training_reach_staff"):
        estimates = [f for f in asked[question_id].factors.values() if f.estimate is not None]
        assert estimates and all(f.source is not None and f.source.reference for f in estimates)


def test_the_factor_tree_puts_each_leaf_on_its_own_row_and_dashes_references_to_factors_written_elsewhere() -> None:
    question = Question.model_validate(
        {
            "id": "cost",
            "question": "What does it cost?",
            "why": "tests",
            "decision": "none",
            "owner": "tests",
            "unit": "euro",
            "answer": {
                "formula": "cases * price + overhead",
                "factors": [
                    {
                        "name": "cases",
                        "description": "cases",
                        "formula": "people * rate",
                        "factors": [
                            {"name": "people", "description": "p", "estimate": "10 to 20", "source": {"expert": "x"}},
                            {"name": "rate", "description": "r", "estimate": "0.1 to 0.2", "source": {"expert": "x"}},
                        ],
                    },
                    {"name": "price", "description": "p", "estimate": "5 to 9", "source": {"expert": "x"}},
                    {"name": "overhead", "description": "o", "formula": "price * 2"},
                ],
            },
        }
    )
    drawn = tree(question)
    rows = {box.factor.name: box.y / (drawn.box_height + ROW_GAP) for box in drawn.boxes}
    columns = {box.factor.name: round(box.x / (drawn.box_width + COLUMN_GAP)) for box in drawn.boxes}
    assert rows == {"people": 0, "rate": 1, "cases": 0.5, "price": 2, "overhead": 3, "cost": 1.75}
    assert columns == {"cost": 0, "cases": 1, "price": 1, "overhead": 1, "people": 2, "rate": 2}
    assert [edge.reference for edge in drawn.edges] == [False] * 5 + [True]  # overhead uses price, written elsewhere
    assert drawn.height == 4 * drawn.box_height + 3 * ROW_GAP


def test_every_question_has_a_page_and_the_questions_page_lists_them(built: Path, asked: dict[str, Question]) -> None:
    listing = (built / "site" / "vragen.html").read_text(encoding="utf-8")
    assert 'href="vragen.html" aria-current="page"' in listing
    for question_id, question in asked.items():
        assert f'href="vraag-{question_id}.html"' in listing
        assert f"<h1>{escape(question.question)}</h1>" in page(built, question_id)


def test_the_histogram_holds_the_recorded_runs_percentiles_and_is_reproducible(
    built: Path, con: duckdb.DuckDBPyConnection, asked: dict[str, Question]
) -> None:
    for question_id, question in asked.items():
        (record,) = runs(con, question_id)  # a first build records each question once
        assert (record.samples, record.seed) == (REPORT_SAMPLES, REPORT_SEED)
        bins, marks = layer_values(spec(page(built, question_id), "question-histogram"))[1:]
        statistics = {mark["key"]: mark["value"] for mark in marks}
        assert {k: statistics[k] for k in ("p5", "median", "p95")} == {
            "p5": record.p5,
            "median": record.median,
            "p95": record.p95,
        }
        assert statistics.get("threshold") == question.threshold
        assert sum(b["count"] for b in bins) <= REPORT_SAMPLES
        again = run(question, resolver(con), samples=REPORT_SAMPLES, seed=REPORT_SEED).summary
        assert (again.p5, again.median, again.p95) == (record.p5, record.median, record.p95)


def test_the_page_draws_the_factor_tree_and_names_the_source_of_every_estimate(
    built: Path, asked: dict[str, Question]
) -> None:
    for question_id, question in asked.items():
        html = page(built, question_id)
        tree = html[html.index('<svg class="factor-tree"') : html.index("</svg>")]
        uses = sum(len(f.formula.names()) for f in question.factors.values() if f.formula is not None)
        assert tree.count('<path class="edge') == uses
        for name, factor in question.factors.items():
            assert f'<a href="#factor-{name}">' in tree and f'<tr id="factor-{name}">' in html
            if factor.source is not None:
                assert str(escape(factor.source.reference)) in html
    piano = page(built, "piano_tuners_antwerp")
    assert '<a href="indicatoren.html#indicator-households"><code>households</code></a>, 11002, 2023' in piano
    assert "247.600" in piano  # Antwerp's households on 1 January 2023, as the data factor's value


def test_the_sensitivity_shows_a_tornado_and_what_to_measure_first(
    built: Path, con: duckdb.DuckDBPyConnection, asked: dict[str, Question]
) -> None:
    question = asked["piano_tuners_antwerp"]
    drivers = analyse(run(question, resolver(con), samples=REPORT_SAMPLES, seed=REPORT_SEED))
    html = page(built, "piano_tuners_antwerp")
    rows = layer_values(spec(html, "question-tornado"))[0]
    assert [row["factor"] for row in rows[::2]] == [f.name for f in drivers.tornado]
    first = drivers.measure_first[0]
    assert first.name == "pianos_per_huishouden"
    listed = html[html.index('<ol class="measure-first">') :]
    assert listed.index(f"#factor-{first.name}") < listed.index(f"#factor-{drivers.measure_first[1].name}")
    assert f"{round(100 * first.narrowing)}%" in listed[: listed.index("</li>")]


def test_the_history_grows_only_when_a_data_factors_value_changes(starter: Path) -> None:
    (starter / "questions").mkdir()
    (starter / "questions" / "pianists.yaml").write_text(INHABITANTS, encoding="utf-8")
    warehouse = starter / ".peil" / "warehouse.duckdb"

    def recorded() -> list[float]:
        with read_only(warehouse) as con:
            return [r.median for r in runs(con, "pianists")]

    assert build(starter).runs_recorded == 1
    assert build(starter).runs_recorded == 0
    assert len(recorded()) == 1
    data = starter / "data" / "bevolking_2009_2015.csv"
    data.write_text(data.read_text(encoding="utf-8").replace(",59714,60386\n", ",59714,66000\n"), encoding="utf-8")
    assert build(starter).runs_recorded == 1
    first, second = recorded()
    assert second == pytest.approx(first * 66000 / 60386)
    html = page(starter, "pianists")
    assert [row["median"] for row in spec(html, "question-history")["data"]["values"]] == [first, second]
    table = html[html.index('<table class="history">') :]
    assert table[: table.index("</table>")].count('<tr><th scope="row">') == 2


def test_question_pages_follow_the_report_language(starter: Path) -> None:
    (starter / "questions").mkdir()
    (starter / "questions" / "pianists.yaml").write_text(INHABITANTS, encoding="utf-8")
    build(starter)
    dutch = page(starter, "pianists")
    assert "Meet dit eerst" in dutch and "Measure this first" not in dutch
    config = starter / "peil.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: nl", "language: en"), encoding="utf-8")
    build(starter)
    english = page(starter, "pianists")
    assert "Measure this first" in english and '<html lang="en">' in english


def test_a_bad_question_file_stops_the_build_before_anything_is_loaded(starter: Path) -> None:
    (starter / "questions").mkdir()
    (starter / "questions" / "bad.yaml").write_text(INHABITANTS.replace("* share", "* shares"), encoding="utf-8")
    with pytest.raises(QuestionError) as raised:
        build(starter)
    assert str(raised.value).startswith("questions/bad.yaml, line 7, field 'answer.formula'")
    assert not (starter / ".peil" / "warehouse.duckdb").exists()


def test_the_question_page_renders_its_charts_in_a_browser_without_network(  # type: ignore[no-untyped-def]
    built: Path, serve: Callable[[Path], str], browser, tmp_path: Path
) -> None:
    url = serve(built)
    tab = browser.new_page()
    outside: list[str] = []
    tab.on("request", lambda request: None if request.url.startswith(url) else outside.append(request.url))
    tab.goto(url + "vraag-piano_tuners_antwerp.html")
    for chart in ("question-histogram", "question-tornado"):
        tab.wait_for_selector(f"[data-vega-spec='{chart}'].rendered svg", timeout=15000)
        assert tab.locator(f"[data-vega-spec='{chart}'] svg .mark-rect path").count() > 0
    assert tab.locator("svg.factor-tree g.node").count() == 9
    assert tab.locator("svg.factor-tree").bounding_box()["width"] > 300  # type: ignore[index]
    tab.screenshot(path=str(tmp_path / "question.png"), full_page=True)
    assert outside == []
    tab.close()
