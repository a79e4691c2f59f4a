"""Question files and runs: loading with located errors, sampling, correlation, chunks, data from the warehouse."""

from __future__ import annotations

import math
import re
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
import yaml
from scipy import stats
from scipy.stats import spearmanr

from peil.errors import QueryError, QuestionError
from peil.questions import Question, load, load_all, resolver, run, template
from peil.questions.distributions import Empirical, LogNormal, Point
from peil.questions.engine import MAX_SAMPLES
from peil.questions.model import Data

PIANO_TUNERS = """\
question: How many piano tuners can Gent keep busy?
why:
  summary: The music academy needs its pianos tuned.
  services: [Muziekacademie]
decision: Whether to contract a tuner or hire one.
owner: Dienst Cultuur
unit: tuners
threshold: 6
answer:
  formula: pianos * tunings_per_piano / tunings_per_tuner
  factors:
    - name: pianos
      description: Pianos in Gent
      unit: pianos
      formula: households * pianos_per_household
      factors:
        - name: households
          description: Households in Gent
          unit: households
          estimate: 120000 to 130000
          source: {own_data: Statbel 2024}
        - name: pianos_per_household
          description: Share of households with a piano
          unit: pianos/household
          estimate: 0.02 to 0.05
          source: {expert: 'An Peeters, dienst Cultuur'}
    - name: tunings_per_piano
      description: Tunings per piano per year
      unit: tunings/piano/year
      estimate: pert(0.5, 1, 2)
      source: {literature: Piano Technicians Guild 2019}
    - name: tunings_per_tuner
      description: Tunings one tuner does in a year
      unit: tunings/tuner/year
      estimate: 800 to 1200
      source: {expert: A tuner}
"""


def write(root: Path, text: str, name: str = "piano_tuners") -> Path:
    path = root / "questions" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def build(formula: str, factors: dict[str, dict[str, Any]], **fields: Any) -> Question:
    """A question answering `formula` of `factors` (name -> fields; an estimate gets a source)."""
    listed = [
        {"name": name, "description": name, **({"source": {"expert": "test"}} if "estimate" in f else {}), **f}
        for name, f in factors.items()
    ]
    return Question.model_validate(
        {
            "id": "q",
            "question": "q",
            "why": "tests",
            "decision": "none",
            "owner": "tests",
            "unit": "things",
            "answer": {"formula": formula, "unit": None, "factors": listed},
            **fields,
        }
    )


def test_a_question_file_loads_with_its_tree_and_runs(tmp_path: Path) -> None:
    question = load(write(tmp_path, PIANO_TUNERS), tmp_path)
    assert question.id == "piano_tuners"
    assert question.why.services == ["Muziekacademie"]
    assert question.answer.name == "piano_tuners"
    assert question.order == [
        "households",
        "pianos_per_household",
        "pianos",
        "tunings_per_piano",
        "tunings_per_tuner",
        "piano_tuners",
    ]
    assert str(question.unit_of("pianos")) == "piano"
    assert question.factors["pianos_per_household"].source.kind == "expert"  # type: ignore[union-attr]
    result = run(question, samples=20_000, seed=1)
    assert result.inputs["tunings_per_piano"].distribution.family == "pert"
    assert 3.5 < result.summary.median < 5.0
    assert result.summary.p5 < result.summary.p25 < result.summary.median < result.summary.p75 < result.summary.p95
    assert result.summary.threshold == 6
    assert result.summary.p_exceed == pytest.approx(np.mean(result.answer > 6))
    assert result.warnings == []


def test_load_all_reads_every_question_of_the_workspace(tmp_path: Path) -> None:
    write(tmp_path, PIANO_TUNERS)
    write(tmp_path, PIANO_TUNERS, "second")
    assert list(load_all(tmp_path)) == ["piano_tuners", "second"]


def test_the_template_for_a_new_question_loads_and_runs(tmp_path: Path) -> None:
    path = tmp_path / "questions" / "new_one.yaml"
    path.parent.mkdir()
    path.write_text(template("How many families need a nursery place?", "families"), encoding="utf-8")
    question = load(path, tmp_path)
    assert question.unit == "families"
    assert run(question, samples=1000, seed=1).summary.median > 0


def test_the_summary_matches_the_closed_form_of_a_normal() -> None:
    result = run(build("a", {"a": {"estimate": "normal(100, 15)"}}, threshold=130), samples=400_000, seed=3)
    s, closed = result.summary, stats.norm(100, 15)
    se = 15 / math.sqrt(400_000)
    assert s.mean == pytest.approx(100, abs=5 * se)
    for got, q in ((s.p5, 0.05), (s.p25, 0.25), (s.median, 0.5), (s.p75, 0.75), (s.p95, 0.95)):
        assert got == pytest.approx(closed.ppf(q), abs=8 * se)
    assert s.p_exceed == pytest.approx(closed.sf(130), abs=0.001)
    assert s.width90 == pytest.approx(2 * 1.6448536 * 15, rel=0.01)
    hist = s.histogram
    assert len(hist.edges) == len(hist.counts) + 1 == 41
    assert sum(hist.counts) + hist.below + hist.above == 400_000
    assert hist.below == pytest.approx(2000, abs=1) and hist.above == pytest.approx(2000, abs=1)
    assert s.samples == 400_000 and s.excluded == 0


def test_the_same_seed_gives_the_same_run_and_a_missing_seed_is_drawn_and_recorded() -> None:
    question = build("a * b", {"a": {"estimate": "5 to 10"}, "b": {"estimate": "beta(2, 3)"}})
    first, again = run(question, samples=5000, seed=42), run(question, samples=5000, seed=42)
    np.testing.assert_array_equal(first.answer, again.answer)
    assert not np.array_equal(first.answer, run(question, samples=5000, seed=43).answer)
    drawn = run(question, samples=5000)
    np.testing.assert_array_equal(drawn.answer, run(question, samples=5000, seed=drawn.seed).answer)


def test_the_number_of_threads_does_not_change_the_result() -> None:
    question = build(
        "a * b + c", {"a": {"estimate": "5 to 10"}, "b": {"estimate": "beta(2, 3)"}, "c": {"estimate": "poisson(3)"}}
    )
    one, two = run(question, samples=50_000, seed=8, threads=1), run(question, samples=50_000, seed=8, threads=2)
    np.testing.assert_array_equal(one.answer, two.answer)


def test_a_factor_keeps_its_samples_when_other_factors_change() -> None:
    before = run(build("a * b", {"a": {"estimate": "5 to 10"}, "b": {"estimate": "2 to 3"}}), samples=1000, seed=3)
    after = run(
        build("a * b + c", {"a": {"estimate": "5 to 10"}, "b": {"data": {"sql": "x"}}, "c": {"estimate": "1 to 2"}}),
        lambda data: 2.5,
        samples=1000,
        seed=3,
    )
    np.testing.assert_array_equal(before.values["a"], after.values["a"])


@pytest.mark.parametrize("seed", [-1, 2**63])
def test_a_seed_outside_what_the_history_can_store_is_refused(seed: int) -> None:
    with pytest.raises(QuestionError, match=f"the seed must be a whole number from 0 to 2\\^63 - 1, not {seed}"):
        run(build("a", {"a": {"estimate": "1 to 2"}}), seed=seed)


def test_the_default_is_ten_thousand_samples() -> None:
    result = run(build("a", {"a": {"estimate": "1 to 2"}}), seed=1)
    assert result.samples == result.answer.size == 10_000


@pytest.mark.parametrize("samples", [1, MAX_SAMPLES + 1])
def test_a_sample_count_out_of_range_is_refused(samples: int) -> None:
    with pytest.raises(QuestionError, match="sample count must be between 2 and 10,000,000"):
        run(build("a", {"a": {"estimate": "1 to 2"}}), samples=samples)


def test_ten_million_samples_run_in_chunks_within_memory() -> None:
    question = build("a * b + c", {"a": {"estimate": "5 to 10"}, "b": {"estimate": "2 to 3"}, "c": {"estimate": "4"}})
    tracemalloc.start()
    try:
        result = run(question, samples=MAX_SAMPLES, seed=9, chunk_size=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.answer.shape == (MAX_SAMPLES,)
    assert result.chunk_size == 1_000_000
    assert peak < 250 * 2**20  # the answer (80 MB) and one chunk's arrays, not 10 million of each factor
    assert len(result.values["a"]) == 100_000
    a, b = LogNormal.from_interval(5, 10), LogNormal.from_interval(2, 3)
    closed = stats.lognorm(s=math.hypot(a.sigma, b.sigma), scale=math.exp(a.mu + b.mu))
    assert result.summary.median == pytest.approx(closed.median() + 4, rel=1e-3)


def test_chunked_and_whole_runs_agree_in_distribution() -> None:
    question = build("a / b", {"a": {"estimate": "5 to 10"}, "b": {"estimate": "uniform(1, 2)"}})
    whole = run(question, samples=200_000, seed=1).answer
    chunked = run(question, samples=200_000, seed=1, chunk_size=7_000).answer
    assert stats.ks_2samp(whole, chunked).pvalue > 0.001


def test_iman_conover_gives_the_rank_correlation_asked_and_keeps_each_estimate(tmp_path: Path) -> None:
    factors = {
        "a": {"estimate": "5 to 10"},
        "b": {"estimate": "normal(0, 1)"},
        "c": {"estimate": "uniform(0, 1)"},
        "d": {"estimate": "beta(2, 2)"},
    }
    correlations = [{"between": ["a", "b"], "rank": 0.7}, {"between": ["b", "c"], "rank": -0.4}]
    correlated = run(build("a + b + c + d", factors, correlations=correlations), samples=50_000, seed=5)
    independent = run(build("a + b + c + d", factors), samples=50_000, seed=5)
    v = correlated.values
    assert spearmanr(v["a"], v["b"]).statistic == pytest.approx(0.7, abs=0.02)
    assert spearmanr(v["b"], v["c"]).statistic == pytest.approx(-0.4, abs=0.02)
    assert spearmanr(v["a"], v["c"]).statistic == pytest.approx(0.0, abs=0.02)  # unlisted pairs are 0
    assert spearmanr(v["a"], v["d"]).statistic == pytest.approx(0.0, abs=0.02)
    for name in factors:
        np.testing.assert_array_equal(np.sort(v[name]), np.sort(independent.values[name]))


def test_correlations_that_cannot_hold_together_are_refused_when_loading(tmp_path: Path) -> None:
    text = PIANO_TUNERS + textwrap.dedent(
        """\
        correlations:
          - {between: [households, pianos_per_household], rank: 0.9}
          - {between: [pianos_per_household, tunings_per_piano], rank: 0.9}
          - {between: [households, tunings_per_piano], rank: -0.9}
        """
    )
    with pytest.raises(QuestionError) as raised:
        load(write(tmp_path, text), tmp_path)
    assert "are impossible together" in str(raised.value)
    assert raised.value.location is not None and raised.value.location.line == 37


def test_only_uncertain_estimates_can_be_correlated() -> None:
    factors = {"a": {"estimate": "5 to 10"}, "b": {"estimate": "3"}}
    with pytest.raises(QuestionError, match="'b' is not an uncertain estimate"):
        build("a + b", factors, correlations=[{"between": ["a", "b"], "rank": 0.5}])


def test_mc02_the_normal_fallback_warns_in_the_result() -> None:
    result = run(build("a", {"a": {"estimate": "0 to 100"}}), samples=1000, seed=1)
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("a: '0 to 100' has a lower bound of 0, so it is read as a normal")


def test_samples_that_are_not_numbers_are_counted_left_out_and_warned_about() -> None:
    result = run(build("1 / b", {"b": {"estimate": "binomial(1, 0.25)"}}), samples=100_000, seed=1)
    assert result.summary.excluded == pytest.approx(75_000, rel=0.02)
    assert result.summary.samples + result.summary.excluded == 100_000
    assert result.summary.median == 1.0
    assert re.search(r"of 100,000 samples \(7[45]\.\d\d%\) of the answer are not a number", result.warnings[0])


def test_an_answer_with_no_finite_sample_is_an_error() -> None:
    with pytest.raises(QuestionError, match="every sample of the answer is inf or NaN"):
        run(build("log(a - a)", {"a": {"estimate": "1 to 2"}}), samples=100, seed=1)


def test_a_factor_the_answer_does_not_use_is_warned_about() -> None:
    result = run(build("a", {"a": {"estimate": "1 to 2"}, "spare": {"estimate": "3"}}), samples=100, seed=1)
    assert result.warnings == ["the factor 'spare' is not used by the answer's formulas"]
    assert "spare" not in result.inputs


def test_mc07_negation_binds_tighter_than_power_on_an_estimate_too() -> None:
    result = run(build("-x^2", {"x": {"estimate": "1 to 2"}}), samples=10_000, seed=1)
    np.testing.assert_array_equal(result.answer, result.values["x"] ** 2)
    assert result.summary.p5 == pytest.approx(1.0, abs=0.02) and result.summary.p95 == pytest.approx(4.0, abs=0.1)
    assert (run(build("-(x^2)", {"x": {"estimate": "1 to 2"}}), samples=1000, seed=1).answer < 0).all()


def test_a_formula_of_one_factor_twice_uses_the_same_samples() -> None:
    result = run(build("a - a", {"a": {"estimate": "5 to 10"}}), samples=1000, seed=1)
    assert (result.answer == 0).all()


def test_data_factors_take_their_values_from_the_resolver() -> None:
    seen: list[Data] = []

    def resolve(data: Data) -> float | np.ndarray:
        seen.append(data)
        return 1000.0 if data.indicator else np.array([0.1, 0.2, 0.3])

    question = build(
        "households * rate",
        {
            "households": {"data": {"indicator": "households", "entity": "44021", "period": 2024}},
            "rate": {"data": {"sql": "SELECT rate FROM rates"}},
        },
    )
    result = run(question, resolve, samples=30_000, seed=1)
    assert seen[0] == Data(indicator="households", entity="44021", period="2024")
    assert result.inputs["households"].distribution == Point(1000.0)
    assert isinstance(result.inputs["rate"].distribution, Empirical)
    assert result.inputs["rate"].kind == "data"
    assert set(np.unique(result.answer)) == {100.0, 200.0, 300.0}


def test_a_data_factor_without_a_resolver_says_what_to_do() -> None:
    question = build("h", {"h": {"data": {"indicator": "households", "entity": "44021", "period": "2024"}}})
    with pytest.raises(QuestionError) as raised:
        run(question, samples=10)
    assert "the factor 'h' takes data (indicator households for 44021, 2024)" in str(raised.value)
    assert raised.value.hint == "Run the question in a workspace (peil question run), after peil build."


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse with two builds of indicator values and a table of observed rates."""
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        """
        CREATE SCHEMA meta;
        CREATE TABLE meta.indicator_values (
            build_id BIGINT, indicator VARCHAR, entity VARCHAR, period VARCHAR, value DOUBLE);
        INSERT INTO meta.indicator_values VALUES
            (1, 'households', '44021', '2024', 120000), (2, 'households', '44021', '2024', 125000),
            (2, 'households', '02000', '2024', 2900000), (2, 'empty', '44021', '2024', NULL);
        CREATE TABLE rates (gemeente VARCHAR, rate DOUBLE, label VARCHAR);
        INSERT INTO rates VALUES ('a', 0.02, 'x'), ('b', 0.03, 'y'), ('c', 0.05, 'z'), ('d', NULL, 'w');
        """
    )
    con.close()
    return path


def test_the_duckdb_resolver_reads_the_latest_build_of_an_indicator_and_sql(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        resolve = resolver(con)
        assert resolve(Data(indicator="households", entity="44021", period="2024")) == 125000.0
        assert resolve(Data(indicator="households", entity="02000", period="2024")) == 2900000.0
        assert resolve(Data(sql="SELECT max(rate) FROM rates")) == 0.05
        np.testing.assert_array_equal(
            resolve(Data(sql="SELECT rate FROM rates WHERE rate IS NOT NULL ORDER BY rate")), [0.02, 0.03, 0.05]
        )
        question = build(
            "households * rate",
            {
                "households": {"data": {"indicator": "households", "entity": "44021", "period": 2024}},
                "rate": {"data": {"sql": "SELECT rate FROM rates WHERE rate IS NOT NULL"}},
            },
        )
        result = run(question, resolve, samples=10_000, seed=1)
    assert set(np.unique(result.answer)) == {2500.0, 3750.0, 6250.0}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (Data(indicator="households", entity="44021", period="2023"), "has no value for entity '44021', period"),
        (Data(indicator="empty", entity="44021", period="2024"), "the indicator 'empty' is empty"),
        (Data(sql="SELECT rate, label FROM rates"), "the query returns 2 columns (rate, label)"),
        (Data(sql="SELECT rate FROM rates WHERE false"), "the query returns no rows"),
        (Data(sql="SELECT rate FROM rates"), "the query returns 1 NULL values"),
        (Data(sql="SELECT label FROM rates"), "holds values that are not numbers, such as 'x'"),
        (Data(sql="SELECT '5'"), "holds values that are not numbers, such as '5'"),
        (Data(sql="SELECT nope FROM rates"), "nope"),
    ],
)
def test_the_duckdb_resolver_refuses_unusable_data(warehouse: Path, data: Data, message: str) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con, pytest.raises((QuestionError, QueryError)) as raised:
        resolver(con)(data)
    assert message in str(raised.value)


def test_the_duckdb_resolver_runs_only_read_only_queries(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        with pytest.raises(QueryError, match="only queries are allowed"):
            resolver(con)(Data(sql="DELETE FROM rates"))
        assert con.execute("SELECT count(*) FROM rates").fetchall() == [(4,)]


def test_a_data_error_in_a_run_names_the_file_the_field_and_the_factor(warehouse: Path, tmp_path: Path) -> None:
    text = PIANO_TUNERS.replace("estimate: 0.02 to 0.05", "data: {sql: SELECT rate FROM rates}").replace(
        "source: {expert: 'An Peeters, dienst Cultuur'}", ""
    )
    question = load(write(tmp_path, text), tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con, pytest.raises(QuestionError) as raised:
        run(question, resolver(con), samples=10)
    assert str(raised.value) == (
        "questions/piano_tuners.yaml, field 'answer.factors[0].factors[1].data': "
        "the data of 'pianos_per_household': the query returns 1 NULL values\n"
        "  Leave them out: WHERE rate IS NOT NULL."
    )


@pytest.mark.parametrize(
    ("change", "message", "line", "field"),
    [
        (
            ("pianos * tunings_per_piano", "pianos * tunings_per_pianno"),
            "in the formula of 'piano_tuners' at line 1, column 10: 'tunings_per_pianno' is not a factor; "
            "did you mean 'tunings_per_piano'?",
            10,
            "answer.formula",
        ),
        (
            ("households * pianos_per_household", "households * * pianos_per_household"),
            "cannot read the formula at line 1, column 14: unexpected '*'",
            15,
            "answer.factors[0].formula",
        ),
        (
            ("estimate: 800 to 1200", "estimate: 1200 to 800"),
            "the interval '1200 to 800' needs its lower bound below its upper bound",
            35,
            "answer.factors[2].estimate",
        ),
        (
            ("formula: households * pianos_per_household", "formula: pianos * 2"),
            "the formulas refer to each other in a circle: pianos → pianos",
            15,
            "answer.factors[0].formula",
        ),
        (
            ("unit: pianos/household", "unit: euro/household"),
            "the formula of 'pianos' gives euro, but its unit is piano: they are different kinds of quantity",
            14,
            "answer.factors[0].unit",
        ),
        (
            ("unit: tunings/tuner/year", "unit: tunings/tuner/day"),
            "the formula of 'piano_tuners' gives day * tuner / year, but its unit is tuner: they differ by a "
            "factor 0.00273785",
            9,
            "answer.unit",
        ),
        (
            ("name: tunings_per_tuner", "name: households"),
            "two factors are named 'households'",
            32,
            "answer.factors[2].name",
        ),
        (
            ("      source: {literature: Piano Technicians Guild 2019}\n", ""),
            "the estimate of 'tunings_per_piano' needs a source",
            27,
            "answer.factors[1]",
        ),
        (
            ("name: tunings_per_piano", "name: max"),
            "'max' is reserved; choose another factor name",
            27,
            "answer.factors[1]",
        ),
    ],
)
def test_a_question_file_error_names_the_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], message: str, line: int, field: str
) -> None:
    old, new = change
    assert old in PIANO_TUNERS
    with pytest.raises(QuestionError) as raised:
        load(write(tmp_path, PIANO_TUNERS.replace(old, new, 1)), tmp_path)
    error = raised.value
    assert message in error.message
    assert error.location is not None
    assert (error.location.file, error.location.line, error.location.field) == (
        "questions/piano_tuners.yaml",
        line,
        field,
    )


def load_with(root: Path, factors: dict[str, dict[str, Any]]) -> Question:
    """Load the piano tuner question with its answer replaced by the sum of `factors`."""
    content = yaml.safe_load(PIANO_TUNERS)
    content["answer"] = {
        "formula": " + ".join(factors),
        "unit": None,
        "factors": [{"name": n, "description": n, **f} for n, f in factors.items()],
    }
    return load(write(root, yaml.safe_dump(content)), root)


def test_a_factor_with_two_kinds_or_none_is_refused(tmp_path: Path) -> None:
    with pytest.raises(QuestionError, match="needs exactly one of estimate, data or formula"):
        load_with(tmp_path, {"a": {"estimate": "1 to 2", "formula": "1"}})
    with pytest.raises(QuestionError, match="needs exactly one of estimate, data or formula"):
        load_with(tmp_path, {"a": {}})


def test_entity_codes_must_be_quoted_so_leading_zeros_survive(tmp_path: Path) -> None:
    with pytest.raises(QuestionError) as raised:
        load_with(tmp_path, {"h": {"data": {"indicator": "households", "entity": 2000, "period": 2024}}})
    assert raised.value.location is not None
    assert raised.value.location.field == "answer.factors[0].data.entity"
