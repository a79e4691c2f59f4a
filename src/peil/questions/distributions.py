"""Estimates: the text a person writes for an uncertain quantity, and the distributions it stands for.

The forms (numbers may be negative where the distribution allows it)::

    5 to 10                 a 90% credible interval: lognormal when both bounds are positive, else a normal
                            (with a warning in the result, because the two families differ a lot in the tail)
    lognormal(5 to 10)      lognormal with 5th percentile 5 and 95th percentile 10 (needs 0 < low < high)
    normal(5 to 10)         normal with 5th percentile 5 and 95th percentile 10 normal(100, 15)         normal
    with mean 100 and standard deviation 15 uniform(2, 8)           every value between 2 and 8 equally likely
    triangular(1, 3, 10)    minimum, most likely, maximum pert(1, 3, 10)          minimum, most likely,
    maximum; a beta-PERT with shape 4 (smoother than triangular) beta(2, 5)              a beta distribution
    on 0..1 12 of 40                a proportion from counts: beta(k + 1, n - k + 1), the posterior from a
    uniform prior poisson(4)              counts with mean 4 binomial(20, 0.3)       successes in 20 trials of
    probability 0.3 42                      a point value (no uncertainty) mixture(1 to 2, normal(10, 1),
    weights=[0.3, 0.7])
                            a weighted mixture of any of these (equal weights when left out)

and, in YAML, a list of numbers (``[3, 5, 4, 8]``): samples drawn from with replacement.

An interval's z is the standard normal's 95th percentile, scipy.special.ndtri(0.95) = 1.6448536269514722
(the value scipy.stats.norm.ppf gives), never rounded: ``a to b`` is lognormal
with mu = (ln a + ln b) / 2 and sigma = (ln b - ln a) / (2 z) (MC-01), or normal with mean (a + b) / 2 and
standard deviation (b - a) / (2 z). Each distribution samples with numpy.random.Generator into float64 arrays
of shape (n,), and says what it is in :meth:`Distribution.describe`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from lark import Token, Transformer
from numpy.typing import NDArray
from scipy.special import ndtri

from peil.errors import QuestionError
from peil.questions import syntax
from peil.questions.formula import number_text

Z90 = float(ndtri(0.95))
"""The standard normal's 95th percentile: a 90% central interval spans mean ± Z90 standard deviations."""

Samples = NDArray[np.float64]


class Distribution(Protocol):
    """A distribution peil can sample."""

    @property
    def family(self) -> str:
        """Its kind: normal, lognormal, uniform, triangular, pert, beta, poisson, binomial, point, ..."""
        ...

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        """`n` independent draws, shape (n,), float64."""
        ...

    def describe(self) -> str:
        """What it is, with its parameters: "lognormal(mu=1.956, sigma=0.2107)"."""
        ...


def _g(value: float) -> str:
    return f"{value:.4g}"


@dataclass(frozen=True)
class Normal:
    mean: float
    sd: float
    family: str = field(default="normal", init=False)

    @classmethod
    def from_interval(cls, low: float, high: float) -> Normal:
        """The normal with 5th percentile `low` and 95th percentile `high`."""
        return cls((low + high) / 2, (high - low) / (2 * Z90))

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return rng.normal(self.mean, self.sd, n)

    def describe(self) -> str:
        return f"normal(mean={_g(self.mean)}, sd={_g(self.sd)})"


@dataclass(frozen=True)
class LogNormal:
    """exp of a normal with mean `mu` and standard deviation `sigma` (both of the logarithm)."""

    mu: float
    sigma: float
    family: str = field(default="lognormal", init=False)

    @classmethod
    def from_interval(cls, low: float, high: float) -> LogNormal:
        """The lognormal with 5th percentile `low` and 95th percentile `high` (0 < low < high)."""
        return cls((math.log(low) + math.log(high)) / 2, (math.log(high) - math.log(low)) / (2 * Z90))

    @property
    def median(self) -> float:
        return math.exp(self.mu)

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return rng.lognormal(self.mu, self.sigma, n)

    def describe(self) -> str:
        return f"lognormal(mu={_g(self.mu)}, sigma={_g(self.sigma)})"


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float
    family: str = field(default="uniform", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return rng.uniform(self.low, self.high, n)

    def describe(self) -> str:
        return f"uniform({_g(self.low)}, {_g(self.high)})"


@dataclass(frozen=True)
class Triangular:
    low: float
    mode: float
    high: float
    family: str = field(default="triangular", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return rng.triangular(self.low, self.mode, self.high, n)

    def describe(self) -> str:
        return f"triangular({_g(self.low)}, {_g(self.mode)}, {_g(self.high)})"


@dataclass(frozen=True)
class Pert:
    """Beta-PERT: low + (high - low) * Beta(1 + 4 (mode - low) / (high - low), 1 + 4 (high - mode) / (high -
    low))."""

    low: float
    mode: float
    high: float
    family: str = field(default="pert", init=False)

    @property
    def shape(self) -> tuple[float, float]:
        span = self.high - self.low
        return 1 + 4 * (self.mode - self.low) / span, 1 + 4 * (self.high - self.mode) / span

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        a, b = self.shape
        return self.low + (self.high - self.low) * rng.beta(a, b, n)

    def describe(self) -> str:
        return f"pert({_g(self.low)}, {_g(self.mode)}, {_g(self.high)})"


@dataclass(frozen=True)
class Beta:
    a: float
    b: float
    family: str = field(default="beta", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return rng.beta(self.a, self.b, n)

    def describe(self) -> str:
        return f"beta({_g(self.a)}, {_g(self.b)})"


@dataclass(frozen=True)
class Poisson:
    lam: float
    family: str = field(default="poisson", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return rng.poisson(self.lam, n).astype(np.float64)

    def describe(self) -> str:
        return f"poisson({_g(self.lam)})"


@dataclass(frozen=True)
class Binomial:
    trials: int
    p: float
    family: str = field(default="binomial", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return rng.binomial(self.trials, self.p, n).astype(np.float64)

    def describe(self) -> str:
        return f"binomial({self.trials}, {_g(self.p)})"


@dataclass(frozen=True)
class Point:
    """A known value: every sample is `value`."""

    value: float
    family: str = field(default="point", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return np.full(n, self.value)

    def describe(self) -> str:
        return _g(self.value)


@dataclass(frozen=True, eq=False)
class Empirical:
    """Observed values, (m,) float64; sampling draws from them with replacement (a bootstrap)."""

    values: Samples
    family: str = field(default="empirical", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        return self.values[rng.integers(0, len(self.values), n)]

    def describe(self) -> str:
        v = self.values
        low, median, high = (_g(float(q)) for q in np.percentile(v, (0, 50, 100)))
        return f"{len(v)} values from {low} to {high} (median {median})"


@dataclass(frozen=True)
class Mixture:
    """Each sample comes from component i with probability weights[i] (the weights sum to 1)."""

    components: tuple[Distribution, ...]
    weights: tuple[float, ...]
    family: str = field(default="mixture", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> Samples:
        which = rng.choice(len(self.components), size=n, p=self.weights)
        out = np.empty(n)
        for i, component in enumerate(self.components):
            chosen = which == i
            out[chosen] = component.sample(rng, int(chosen.sum()))
        return out

    def describe(self) -> str:
        parts = ", ".join(c.describe() for c in self.components)
        return f"mixture({parts}, weights=[{', '.join(_g(w) for w in self.weights)}])"


@dataclass(frozen=True)
class Estimate:
    """An estimate as written, the distribution it stands for, and warnings for the result."""

    text: str
    distribution: Distribution
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Parsed:
    """A distribution while parsing: where it starts, its warnings, and its bounds when it is an interval."""

    distribution: Distribution
    token: Token
    warnings: tuple[str, ...] = ()
    interval: tuple[float, float] | None = None


_GRAMMAR = r"""
estimate: dist
?dist: signed TO signed -> interval
     | NUMBER OF NUMBER -> k_of_n
     | NAME "(" dist ("," dist)* ["," WEIGHTS "=" "[" signed ("," signed)* "]"] ")" -> call
     | signed
signed: MINUS? NUMBER
TO.2: /to\b/
OF.2: /of\b/
WEIGHTS.2: /weights\b/
MINUS: "-"
"""

_ARGUMENTS = {
    "normal": "normal(mean, sd) or normal(low to high)",
    "lognormal": "lognormal(low to high)",
    "uniform": "uniform(low, high)",
    "triangular": "triangular(min, mode, max)",
    "pert": "pert(min, mode, max)",
    "beta": "beta(a, b)",
    "poisson": "poisson(mean)",
    "binomial": "binomial(trials, p)",
    "mixture": "mixture(a, b, ..., weights=[wa, wb, ...])",
}


class _Build(Transformer[Token, _Parsed]):
    """Turns the parser's matches into distributions, checking every parameter where it is written."""

    def estimate(self, children: list[_Parsed]) -> _Parsed:
        return children[0]

    def signed(self, children: list[Token]) -> _Parsed:
        value = float(children[-1]) * (-1 if len(children) == 2 else 1)
        if not math.isfinite(value):
            raise syntax.fail(f"the number {children[-1]} is too large", children[-1])
        return _Parsed(Point(value), children[0])

    def interval(self, children: list[_Parsed | Token]) -> _Parsed:
        first, _, second = children
        assert isinstance(first, _Parsed) and isinstance(second, _Parsed)
        low, high = _value(first), _value(second)
        written = _interval_text(low, high)
        if not low < high:
            raise syntax.fail(
                f"the interval '{written}' needs its lower bound below its upper bound",
                first.token,
                hint="Write the smaller number first; for a known value write the number alone.",
            )
        if low > 0:
            return _Parsed(LogNormal.from_interval(low, high), first.token, interval=(low, high))
        normal = Normal.from_interval(low, high)
        below = "below 0" if low < 0 else "of 0"
        warning = (
            f"'{written}' has a lower bound {below}, so it is read as a normal distribution "
            f"({normal.describe()}), not a lognormal; write normal({written}) to say so, "
            "or give positive bounds for a lognormal"
        )
        return _Parsed(normal, first.token, (warning,), (low, high))

    def k_of_n(self, children: list[Token]) -> _Parsed:
        k_text, _, n_text = children
        k, n = float(k_text), float(n_text)
        if not (k.is_integer() and n.is_integer() and 0 <= k <= n and n > 0):
            raise syntax.fail(f"'{k_text} of {n_text}' needs whole numbers with 0 <= k <= n and n > 0", k_text)
        return _Parsed(Beta(k + 1, n - k + 1), k_text)

    def call(self, children: list[_Parsed | Token]) -> _Parsed:
        name, *rest = children
        assert isinstance(name, Token)
        function = str(name).lower()
        if function not in _ARGUMENTS:
            known = ", ".join(sorted(_ARGUMENTS))
            raise syntax.fail(f"'{name}' is not a distribution", name, hint=f"Known: {known}.")
        split = next((i for i, c in enumerate(rest) if isinstance(c, Token)), len(rest))
        args = [c for c in rest[:split] if isinstance(c, _Parsed)]
        weights = [c for c in rest[split + 1 :] if isinstance(c, _Parsed)]
        if function == "mixture":
            return _mixture(name, args, weights)
        if split < len(rest):
            raise syntax.fail(f"only a mixture takes weights, not {function}", name, hint=_usage(function))
        if len(args) == 1 and args[0].interval and function in ("normal", "lognormal"):
            return _Parsed(_from_interval(function, *args[0].interval, args[0].token), name)
        if not all(isinstance(a.distribution, Point) for a in args):
            raise syntax.fail(f"{function} takes numbers, not distributions", name, hint=_usage(function))
        return _Parsed(_make(function, [_value(a) for a in args], name), name)


def _value(parsed: _Parsed) -> float:
    assert isinstance(parsed.distribution, Point)
    return parsed.distribution.value


def _from_interval(function: str, low: float, high: float, token: Token) -> Distribution:
    if function == "normal":
        return Normal.from_interval(low, high)
    if low <= 0:
        written = _interval_text(low, high)
        raise syntax.fail(
            f"lognormal({written}) needs 0 < low < high",
            token,
            hint=f"Use normal({written}) for a range that includes 0 or negative values.",
        )
    return LogNormal.from_interval(low, high)


def _interval_text(low: float, high: float) -> str:
    return f"{number_text(low)} to {number_text(high)}"


def _usage(function: str) -> str:
    return f"Write {_ARGUMENTS[function]}."


_FORMS: dict[str, tuple[int, Callable[..., bool], str, Callable[..., Distribution]]] = {
    # name: (how many numbers, whether they are valid, what valid means, the distribution)
    "normal": (2, lambda mean, sd: sd > 0, "the standard deviation must be above 0", Normal),
    "uniform": (2, lambda low, high: low < high, "needs low < high", Uniform),
    "triangular": (
        3,
        lambda a, m, b: a <= m <= b and a < b,
        "needs min <= mode <= max, min < max",
        Triangular,
    ),
    "pert": (3, lambda a, m, b: a <= m <= b and a < b, "needs min <= mode <= max, min < max", Pert),
    "beta": (2, lambda a, b: a > 0 and b > 0, "both shape parameters must be above 0", Beta),
    "poisson": (1, lambda mean: mean > 0, "the mean must be above 0", Poisson),
    "binomial": (
        2,
        lambda trials, p: trials >= 1 and float(trials).is_integer() and 0 <= p <= 1,
        "needs a whole number of trials of at least 1 and 0 <= p <= 1",
        lambda trials, p: Binomial(int(trials), p),
    ),
}


def _make(function: str, p: list[float], name: Token) -> Distribution:
    """The distribution `function(*p)`, or a positioned error saying which parameter is wrong."""
    if function not in _FORMS or len(p) != _FORMS[function][0]:
        raise syntax.fail(
            f"{function} does not take {len(p)} number" + ("" if len(p) == 1 else "s"),
            name,
            hint=_usage(function),
        )
    _, valid, requirement, make = _FORMS[function]
    if not valid(*p):
        raise syntax.fail(f"{function}({', '.join(number_text(v) for v in p)}): {requirement}", name)
    return make(*p)


def _mixture(name: Token, args: list[_Parsed], weights: list[_Parsed]) -> _Parsed:
    if len(args) < 2:
        raise syntax.fail("a mixture needs at least two distributions", name, hint=_usage("mixture"))
    values = [_value(w) for w in weights] or [1.0] * len(args)
    if len(values) != len(args):
        raise syntax.fail(f"the mixture has {len(args)} distributions but {len(values)} weights", name)
    if min(values) < 0 or sum(values) <= 0:
        raise syntax.fail("mixture weights must be 0 or more and not all 0", weights[0].token)
    total = sum(values)
    warnings = tuple(w for a in args for w in a.warnings)
    if weights and not math.isclose(total, 1.0, rel_tol=1e-9):
        warnings += (f"the mixture weights sum to {_g(total)}; peil divides them by that sum",)
    mixture = Mixture(tuple(a.distribution for a in args), tuple(v / total for v in values))
    return _Parsed(mixture, name, warnings)


_parse = syntax.parser(_GRAMMAR, "estimate", _Build())


def parse(text: str | float | Sequence[float]) -> Estimate:
    """Read an estimate: its text, a number (a point value) or a list of numbers (samples, at least 2).

    Raises QuestionError naming the line and column, with a caret, when the text cannot be read or a parameter
    is invalid (e.g. ``10 to 5``, ``beta(0, 1)``, ``lognormal(0 to 5)``).
    """
    if isinstance(text, bool):
        raise QuestionError(f"an estimate cannot be {text}", hint="Write a number, an interval such as 5 to 10.")
    if isinstance(text, int | float):
        if not math.isfinite(text):
            raise QuestionError(f"the estimate {text} is not a finite number")
        return Estimate(str(text), Point(float(text)))
    if not isinstance(text, str):
        values = np.asarray(text, dtype=np.float64)
        if values.ndim != 1 or len(values) < 2 or not np.isfinite(values).all():
            raise QuestionError("a list of samples needs at least two finite numbers")
        return Estimate(f"[{', '.join(number_text(float(v)) for v in values)}]", Empirical(values))
    parsed = syntax.parse(_parse, text, "estimate")
    return Estimate(text, parsed.distribution, parsed.warnings)
