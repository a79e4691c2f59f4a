"""peil against Squiggle, the reference implementation, and against closed forms.

tests/fixtures/squiggle/models.json holds each model twice: as peil estimates and a formula, and as Squiggle code.
results.json holds Squiggle 0.10's answers at 1 million samples (regenerate with
`node tests/fixtures/squiggle/generate.mjs` after `npm ci --prefix benchmarks/squiggle`). peil runs each model at
1 million samples too; two independent Monte Carlo runs then agree within their sampling error, which these tests
allow at 5 standard errors:

- means: |mean_peil - mean_squiggle| <= 5 sd sqrt(2 / n);
- percentiles, free of any distribution assumption: the share of peil's samples below Squiggle's q-th percentile
  is q within 5 sqrt(2 q (1 - q) / n) (for discrete answers: q lies between the shares below and at-or-below).
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from peil.questions import Question, run
from peil.questions.distributions import LogNormal, parse

FIXTURES = Path(__file__).parent / "fixtures" / "squiggle"
MODELS = json.loads((FIXTURES / "models.json").read_text(encoding="utf-8"))["models"]
SQUIGGLE = json.loads((FIXTURES / "results.json").read_text(encoding="utf-8"))
N = 1_000_000
SIGMAS = 5.0


def build(name: str, estimates: dict[str, Any], formula: str) -> Question:
    """A question whose answer is `formula` of the given estimates (no units)."""
    return Question.model_validate(
        {
            "id": name,
            "question": name,
            "why": "a comparison with Squiggle",
            "decision": "none",
            "owner": "tests",
            "unit": "things",
            "answer": {
                "formula": formula,
                "unit": None,
                "factors": [
                    {"name": k, "description": k, "estimate": v, "source": {"literature": "test"}}
                    for k, v in estimates.items()
                ],
            },
        }
    )


def assert_agrees(samples: np.ndarray, mean: float, percentiles: dict[float, float]) -> None:
    """`samples` (n,) agree with a distribution of this mean and these percentiles, within Monte Carlo error."""
    n = samples.size
    mean_tolerance = SIGMAS * samples.std() * math.sqrt(2 / n)
    assert abs(samples.mean() - mean) <= mean_tolerance, (samples.mean(), mean, mean_tolerance)
    ordered = np.sort(samples)
    for q, value in percentiles.items():
        below = np.searchsorted(ordered, value, side="left") / n
        at_or_below = np.searchsorted(ordered, value, side="right") / n
        tolerance = SIGMAS * math.sqrt(2 * q * (1 - q) / n)
        assert below - tolerance <= q <= at_or_below + tolerance, (q, value, below, at_or_below)


def test_the_fixtures_come_from_squiggle_0_10_at_a_million_samples() -> None:
    assert SQUIGGLE["squiggle_version"].startswith("0.10.")
    assert SQUIGGLE["sample_count"] == N
    assert {m["name"] for m in MODELS} == set(SQUIGGLE["results"])
    assert len(MODELS) >= 20


@pytest.mark.parametrize("model", MODELS, ids=[m["name"] for m in MODELS])
def test_peil_agrees_with_squiggle(model: dict[str, Any]) -> None:
    expected = SQUIGGLE["results"][model["name"]]
    result = run(build(model["name"], model["estimates"], model["formula"]), samples=N, seed=20240601)
    percentiles = {0.05: expected["p5"], 0.5: expected["p50"], 0.95: expected["p95"]}
    assert_agrees(result.answer, expected["mean"], percentiles)


@pytest.mark.parametrize(
    "model", [m for m in MODELS if "params" in m], ids=[m["name"] for m in MODELS if "params" in m]
)
def test_peil_reads_an_estimate_with_squiggles_parameters(model: dict[str, Any]) -> None:
    expected = SQUIGGLE["results"][model["name"]]
    (text,) = model["estimates"].values()
    distribution = parse(text).distribution
    params = [getattr(distribution, f.name) for f in fields(distribution) if f.init]  # type: ignore[arg-type]
    assert expected["params_text"].lower().startswith(distribution.family)
    assert params == pytest.approx(expected["params"], rel=1e-12, abs=1e-12)


def test_pert_matches_its_beta_closed_form() -> None:
    low, mode, high = 1.0, 3.0, 10.0
    samples = run(build("pert", {"a": "pert(1, 3, 10)"}, "a"), samples=N, seed=7).answer
    a, b = 1 + 4 * (mode - low) / (high - low), 1 + 4 * (high - mode) / (high - low)
    closed = stats.beta(a, b, loc=low, scale=high - low)
    assert closed.mean() == pytest.approx((low + 4 * mode + high) / 6)
    assert_agrees(samples, closed.mean(), {q: closed.ppf(q) for q in (0.05, 0.5, 0.95)})


def test_poisson_matches_its_closed_form() -> None:
    samples = run(build("poisson", {"a": "poisson(4)"}, "a"), samples=N, seed=7).answer
    closed = stats.poisson(4)
    assert_agrees(samples, 4.0, {q: closed.ppf(q) for q in (0.05, 0.5, 0.95)})


def test_a_product_of_independent_lognormals_is_the_closed_form_lognormal() -> None:
    estimates = {"a": "5 to 10", "b": "0.02 to 0.05", "c": "100 to 400"}
    parts = [parse(text).distribution for text in estimates.values()]
    assert all(isinstance(p, LogNormal) for p in parts)
    mu = sum(p.mu for p in parts)  # type: ignore[attr-defined]
    sigma = math.sqrt(sum(p.sigma**2 for p in parts))  # type: ignore[attr-defined]
    closed = stats.lognorm(s=sigma, scale=math.exp(mu))
    samples = run(build("product", estimates, "a * b * c"), samples=N, seed=11).answer
    assert_agrees(samples, closed.mean(), {q: closed.ppf(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)})
