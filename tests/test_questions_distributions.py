"""Estimates: every written form, the distribution it stands for, and the errors that point at the place."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from peil.errors import QuestionError
from peil.questions.distributions import (
    Z90,
    Beta,
    Binomial,
    Empirical,
    LogNormal,
    Mixture,
    Normal,
    Pert,
    Point,
    Poisson,
    Triangular,
    Uniform,
    parse,
)


def test_z_is_the_unrounded_95th_percentile_of_the_standard_normal() -> None:
    assert norm.ppf(0.95) == Z90
    assert Z90 == 1.6448536269514722


def test_mc01_5_to_10_is_the_lognormal_with_those_5th_and_95th_percentiles() -> None:
    estimate = parse("5 to 10")
    d = estimate.distribution
    assert isinstance(d, LogNormal)
    assert estimate.warnings == ()
    assert d.mu == pytest.approx(1.9560115027, abs=1e-9)
    assert d.sigma == pytest.approx(0.2107017820, abs=1e-9)
    assert d.mu == (math.log(5) + math.log(10)) / 2
    assert d.sigma == pytest.approx(math.log(2) / (2 * norm.ppf(0.95)), rel=1e-15)
    assert d.median == pytest.approx(math.sqrt(50), abs=1e-9)
    assert d.mean == pytest.approx(7.2297837, abs=1e-7)
    assert math.exp(d.mu - Z90 * d.sigma) == pytest.approx(5, abs=1e-12)
    assert math.exp(d.mu + Z90 * d.sigma) == pytest.approx(10, abs=1e-12)


def test_mc01_sampled_percentiles_and_mean_of_5_to_10() -> None:
    samples = parse("5 to 10").distribution.sample(np.random.default_rng(20240601), 200_000)
    p5, p95 = np.percentile(samples, (5, 95))
    assert abs(p5 - 5) <= 0.03
    assert abs(p95 - 10) <= 0.06
    assert abs(samples.mean() - 7.23) <= 0.02


@pytest.mark.parametrize(
    ("text", "mean", "sd"),
    [
        ("0 to 100", 50.0, 100 / (2 * Z90)),
        ("-5 to 10", 2.5, 15 / (2 * Z90)),
        ("-10 to -5", -7.5, 5 / (2 * Z90)),
    ],
)
def test_mc02_a_bound_at_or_below_zero_gives_a_normal_and_always_a_warning(text: str, mean: float, sd: float) -> None:
    estimate = parse(text)
    assert estimate.distribution == Normal(mean, sd)
    (warning,) = estimate.warnings
    assert "normal distribution" in warning and "not a lognormal" in warning
    assert f"normal({text})" in warning


def test_mc02_normal_written_out_gives_no_warning() -> None:
    estimate = parse("normal(0 to 100)")
    assert estimate.distribution == Normal(50.0, 100 / (2 * Z90))
    assert estimate.warnings == ()


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("10 to 5", "the interval '10 to 5' needs its lower bound below its upper bound", 1),
        ("5 to 5", "the interval '5 to 5' needs its lower bound below its upper bound", 1),
        ("lognormal(0 to 5)", "lognormal(0 to 5) needs 0 < low < high", 11),
        ("lognormal(-1 to 5)", "lognormal(-1 to 5) needs 0 < low < high", 11),
        ("normal(5, 0)", "normal(5, 0): the standard deviation must be above 0", 1),
        ("uniform(3, 1)", "uniform(3, 1): needs low < high", 1),
        ("triangular(1, 5, 3)", "triangular(1, 5, 3): needs min <= mode <= max, min < max", 1),
        ("pert(2, 2, 2)", "pert(2, 2, 2): needs min <= mode <= max, min < max", 1),
        ("beta(0, 1)", "beta(0, 1): both shape parameters must be above 0", 1),
        ("poisson(-1)", "poisson(-1): the mean must be above 0", 1),
        ("binomial(2.5, 0.3)", "needs a whole number of trials of at least 1 and 0 <= p <= 1", 1),
        ("binomial(10, 1.5)", "needs a whole number of trials of at least 1 and 0 <= p <= 1", 1),
        ("3 of 2", "'3 of 2' needs whole numbers with 0 <= k <= n and n > 0", 1),
        ("1.5 of 4", "'1.5 of 4' needs whole numbers", 1),
        ("gamma(1, 2)", "'gamma' is not a distribution", 1),
        ("uniform(1 to 2)", "uniform takes numbers, not distributions", 1),
        ("normal(1)", "normal does not take 1 number", 1),
        ("lognormal(1, 2)", "lognormal does not take 2 numbers", 1),
        ("normal(5, 1, weights=[1])", "only a mixture takes weights, not normal", 1),
        ("mixture(1 to 2)", "a mixture needs at least two distributions", 1),
        ("mixture(1, 2, weights=[1])", "the mixture has 2 distributions but 1 weights", 1),
        ("mixture(1, 2, weights=[-1, 2])", "mixture weights must be 0 or more and not all 0", 24),
        ("5 to", "the estimate ends here; expected '-' or a number", 5),
        ("5 to 10 to 20", "unexpected 'to'; expected nothing more", 9),
        ("5 tot 10", "unexpected 'tot'", 3),
        ("5 € 10", "unexpected character '€'", 3),
        ("1e999", "the number 1e999 is too large", 1),
        ("", "the estimate ends here", 1),
    ],
)
def test_an_invalid_estimate_names_what_is_wrong_and_where(text: str, message: str, column: int) -> None:
    with pytest.raises(QuestionError) as raised:
        parse(text)
    error = str(raised.value)
    assert message in error
    assert f"line 1, column {column}:" in error
    excerpt, caret = error.split("\n")[1:3]
    assert excerpt.strip() == text.strip()
    assert caret == " " * 4 + " " * (column - 1) + "^"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("5 to 10", LogNormal.from_interval(5, 10)),
        ("lognormal(5 to 10)", LogNormal.from_interval(5, 10)),
        ("normal(5 to 10)", Normal(7.5, 5 / (2 * Z90))),
        ("NORMAL(100, 15)", Normal(100, 15)),
        ("uniform(2, 8)", Uniform(2, 8)),
        ("triangular(1, 3, 10)", Triangular(1, 3, 10)),
        ("pert(1, 3, 10)", Pert(1, 3, 10)),
        ("beta(2, 5)", Beta(2, 5)),
        ("12 of 40", Beta(13, 29)),
        ("0 of 10", Beta(1, 11)),
        ("poisson(4)", Poisson(4)),
        ("binomial(20, 0.3)", Binomial(20, 0.3)),
        ("42", Point(42)),
        ("-3.5", Point(-3.5)),
        (42, Point(42)),
        (0.25, Point(0.25)),
        ("1.5e3", Point(1500)),
        (
            "mixture(1 to 2, normal(10, 1), weights=[0.3, 0.7])",
            Mixture((LogNormal.from_interval(1, 2), Normal(10, 1)), (0.3, 0.7)),
        ),
        ("mixture(5 to 10, 3)", Mixture((LogNormal.from_interval(5, 10), Point(3)), (0.5, 0.5))),
    ],
)
def test_each_written_form_gives_its_distribution(written: str | float, expected: object) -> None:
    assert parse(written).distribution == expected


def test_a_pert_has_the_beta_shape_of_weight_4_on_the_mode() -> None:
    assert Pert(1, 3, 10).shape == (1 + 4 * 2 / 9, 1 + 4 * 7 / 9)


def test_a_list_of_numbers_is_drawn_from_with_replacement() -> None:
    estimate = parse([3, 5, 4, 8])
    assert isinstance(estimate.distribution, Empirical)
    samples = estimate.distribution.sample(np.random.default_rng(1), 10_000)
    assert set(np.unique(samples)) == {3.0, 4.0, 5.0, 8.0}
    assert samples.mean() == pytest.approx(5.0, abs=0.05)
    assert estimate.distribution.describe() == "4 values from 3 to 8 (median 4.5)"


@pytest.mark.parametrize("value", [[1], [], [1, float("nan")], True, float("inf")])
def test_an_estimate_that_is_not_a_usable_number_or_list_is_refused(value: object) -> None:
    with pytest.raises(QuestionError):
        parse(value)  # type: ignore[arg-type]


def test_mixture_weights_that_do_not_sum_to_one_are_normalised_with_a_warning() -> None:
    estimate = parse("mixture(1, 2, weights=[1, 3])")
    assert estimate.distribution == Mixture((Point(1), Point(2)), (0.25, 0.75))
    assert estimate.warnings == ("the mixture weights sum to 4; peil divides them by that sum",)


def test_a_warning_inside_a_mixture_reaches_the_estimate() -> None:
    assert "not a lognormal" in parse("mixture(-1 to 2, 5)").warnings[0]


def test_a_mixture_samples_each_component_in_its_share() -> None:
    samples = parse("mixture(0, 1, weights=[0.3, 0.7])").distribution.sample(np.random.default_rng(3), 100_000)
    assert samples.mean() == pytest.approx(0.7, abs=0.01)


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("5 to 10", "lognormal(mu=1.956, sigma=0.2107)"),
        ("0 to 100", "normal(mean=50, sd=30.4)"),
        ("12 of 40", "beta(13, 29)"),
        ("binomial(20, 0.3)", "binomial(20, 0.3)"),
        ("mixture(1, 2)", "mixture(1, 2, weights=[0.5, 0.5])"),
    ],
)
def test_the_description_says_which_distribution_it_is(text: str, description: str) -> None:
    assert parse(text).distribution.describe() == description


@pytest.mark.parametrize(
    "text", ["5 to 10", "normal(0, 1)", "uniform(0, 1)", "beta(2, 2)", "poisson(3)", "binomial(5, 0.5)"]
)
def test_samples_are_float64_arrays_of_the_asked_length(text: str) -> None:
    samples = parse(text).distribution.sample(np.random.default_rng(0), 1234)
    assert samples.shape == (1234,) and samples.dtype == np.float64


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.text(alphabet="0123456789.-e to of(),[]=normalweightsmixture", max_size=50)))
def test_no_text_makes_the_estimate_parser_fail_other_than_with_a_question_error(text: str) -> None:
    try:
        estimate = parse(text)
    except QuestionError as exc:
        assert str(exc).startswith(("cannot read the estimate", "the estimate is"))
    else:
        assert estimate.distribution.sample(np.random.default_rng(0), 3).shape == (3,)
