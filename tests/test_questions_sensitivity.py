"""Sensitivity: Sobol indices and narrowing against their analytic values, tornado data, the ranking."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from peil.questions import Question, analyse, run
from peil.questions.distributions import Z90
from peil.questions.sensitivity import first_order


def build(formula: str, estimates: dict[str, Any], **fields: Any) -> Question:
    return Question.model_validate(
        {
            "id": "q",
            "question": "q",
            "why": "tests",
            "decision": "none",
            "owner": "tests",
            "unit": "things",
            "answer": {
                "formula": formula,
                "unit": None,
                "factors": [
                    {"name": k, "description": k, "estimate": v, "source": {"expert": "test"}}
                    for k, v in estimates.items()
                ],
            },
            **fields,
        }
    )


def test_first_order_indices_of_the_ishigami_function_match_the_analytic_values() -> None:
    # Ishigami & Homma (1990), a = 7, b = 0.1, inputs uniform on (-pi, pi): S1 = 0.3139, S2 = 0.4424, S3 = 0.
    rng = np.random.default_rng(2)
    x = rng.uniform(-math.pi, math.pi, (100_000, 3))
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    assert first_order(x[:, 0], y) == pytest.approx(0.3139, abs=0.015)
    assert first_order(x[:, 1], y) == pytest.approx(0.4424, abs=0.015)
    assert first_order(x[:, 2], y) == pytest.approx(0.0, abs=0.015)


def test_a_constant_answer_has_no_sensitivity() -> None:
    assert first_order(np.arange(100.0), np.ones(100)) == 0.0


def test_a_linear_model_gives_its_analytic_shares_narrowing_and_tornado() -> None:
    # answer = a + 2 b with a, b ~ normal(0, 1): Var = 5, S_a = 1/5, S_b = 4/5. Knowing b leaves sd 1 of the
    # answer's sqrt(5): the 90% interval narrows by 1 - 1/sqrt(5); knowing a by 1 - 2/sqrt(5).
    result = run(build("a + 2 * b", {"a": "normal(0, 1)", "b": "normal(0, 1)"}), samples=100_000, seed=4)
    sensitivity = analyse(result)
    by_name = {f.name: f for f in sensitivity.factors}
    assert by_name["a"].sobol == pytest.approx(0.2, abs=0.02)
    assert by_name["b"].sobol == pytest.approx(0.8, abs=0.02)
    assert by_name["a"].spearman == pytest.approx(6 / math.pi * math.asin(1 / math.sqrt(5) / 2), abs=0.01)
    assert by_name["b"].spearman == pytest.approx(6 / math.pi * math.asin(2 / math.sqrt(5) / 2), abs=0.01)
    assert by_name["b"].narrowing == pytest.approx(1 - 1 / math.sqrt(5), abs=0.02)
    assert by_name["a"].narrowing == pytest.approx(1 - 2 / math.sqrt(5), abs=0.02)
    assert sensitivity.width90 == pytest.approx(2 * Z90 * math.sqrt(5), rel=0.02)
    assert [f.name for f in sensitivity.measure_first] == ["b", "a"]
    assert [f.name for f in sensitivity.tornado] == ["b", "a"]
    tornado = by_name["b"].tornado
    median_a = float(np.median(result.values["a"]))
    assert tornado.factor_low == pytest.approx(-Z90, abs=0.02)
    assert tornado.factor_high == pytest.approx(Z90, abs=0.02)
    assert tornado.answer_low == pytest.approx(median_a + 2 * tornado.factor_low, abs=1e-12)
    assert tornado.answer_high == pytest.approx(median_a + 2 * tornado.factor_high, abs=1e-12)
    assert sensitivity.base == pytest.approx(median_a + 2 * float(np.median(result.values["b"])), abs=1e-12)


def test_the_tornado_of_a_product_puts_the_widest_factor_first() -> None:
    estimates = {"households": "120000 to 130000", "share": "0.02 to 0.05", "per_piano": "pert(0.5, 1, 2)"}
    sensitivity = analyse(run(build("households * share * per_piano", estimates), samples=50_000, seed=1))
    assert [f.name for f in sensitivity.measure_first] == ["share", "per_piano", "households"]
    share = next(f for f in sensitivity.factors if f.name == "share")
    assert share.tornado.answer_high / share.tornado.answer_low == pytest.approx(0.05 / 0.02, rel=0.02)
    assert all(0 <= f.sobol <= 1 and 0 <= f.narrowing <= 1 for f in sensitivity.factors)
    assert sum(f.sobol for f in sensitivity.factors) <= 1.02


def test_known_values_are_not_in_the_sensitivity() -> None:
    sensitivity = analyse(run(build("a * b", {"a": "5 to 10", "b": "3"}), samples=10_000, seed=1))
    assert [f.name for f in sensitivity.factors] == ["a"]
    assert sensitivity.factors[0].sobol == pytest.approx(1.0, abs=0.02)
    assert sensitivity.factors[0].narrowing == pytest.approx(1.0, abs=0.01)


def test_correlated_estimates_each_explain_their_shared_part() -> None:
    question = build(
        "a + b", {"a": "normal(0, 1)", "b": "normal(0, 1)"}, correlations=[{"between": ["a", "b"], "rank": 0.8}]
    )
    sensitivity = analyse(run(question, samples=100_000, seed=8))
    # With correlation r (Pearson ~ 0.813 for Spearman 0.8), Var(E[a + b | a]) / Var(a + b) = (1 + r) / 2.
    r = 2 * math.sin(math.pi * 0.8 / 6)
    for factor in sensitivity.factors:
        assert factor.sobol == pytest.approx((1 + r) / 2, abs=0.02)
