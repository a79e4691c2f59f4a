"""Which uncertain factors drive the answer, and which to measure first.

For every uncertain leaf factor (an estimate, or data given as a column of values) of a :class:`Run`, computed
on the first samples the run kept (:data:`peil.questions.engine.KEPT`, 100,000 at most):

- **Spearman rank correlation** between the factor's samples and the answer's, from -1 to 1.
- **First-order Sobol index**: the share of the answer's variance that the factor explains on its own,
  Var(E[answer | factor]) / Var(answer). Estimated from the run's own samples ("given data"; Plischke,
  Borgonovo and Smith 2013): sort by the factor, cut into sqrt(n) bins of equal count, take the variance of
  the bin means of the answer and subtract its sampling noise (the mean variance within the bins divided by
  the bin size). No extra runs are needed, and with correlated estimates the index still means "explained by
  this factor", including what it explains through the factors it is correlated with. The indices of
  independent factors sum to at most 1; the rest is interaction.
- **Tornado**: the answer with the factor at its 5th and at its 95th percentile and every other factor at its
  median; `base` is the answer with all at their medians.
- **Expected narrowing** ("measure this first"): if the factor were known exactly, by how much would the
  answer's 90% interval (p95 - p5) shrink on average? The factor is fixed in turn at the midpoints of
  :data:`STRATA` equal-probability strata of its distribution (its 5th, 15th, ..., 95th percentiles with 10
  strata), the answer is re-evaluated on the same samples of every other factor (up to
  :data:`MEASURE_SAMPLES`), and the interval widths are averaged: narrowing = 1 - mean width / current width.
  Fixing one factor leaves the samples of the others as they are, so for correlated estimates the narrowing
  ignores what knowing the factor would teach about its partners.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from peil.questions.engine import Run
from peil.questions.formula import Value

STRATA = 10
MEASURE_SAMPLES = 20_000


@dataclass(frozen=True)
class Tornado:
    """The answer with the factor at its 5th and 95th percentiles, every other factor at its median."""

    factor_low: float
    factor_high: float
    answer_low: float
    answer_high: float

    @property
    def swing(self) -> float:
        return abs(self.answer_high - self.answer_low)


@dataclass(frozen=True)
class FactorSensitivity:
    """How one uncertain factor drives the answer (see the module's description of each number)."""

    name: str
    kind: str
    spearman: float
    sobol: float
    tornado: Tornado
    narrowing: float


@dataclass(frozen=True)
class Sensitivity:
    """The sensitivity of a run's answer to each uncertain factor, in the order the question uses them."""

    base: float
    width90: float
    factors: list[FactorSensitivity]

    @property
    def measure_first(self) -> list[FactorSensitivity]:
        """The factors by expected narrowing of the answer's 90% interval, the largest first."""
        return sorted(self.factors, key=lambda f: (-f.narrowing, f.name))

    @property
    def tornado(self) -> list[FactorSensitivity]:
        """The factors by the answer's swing between their 5th and 95th percentiles, the largest first."""
        return sorted(self.factors, key=lambda f: (-f.tornado.swing, f.name))


def analyse(run: Run) -> Sensitivity:
    """The sensitivity of `run`'s answer to each of its uncertain leaf factors.

    Uses the run's kept samples (n,) of every factor; re-evaluates the formulas 2 + STRATA times per factor.
    """
    answer = run.values[run.question.answer.name]
    uncertain = [i for i in run.inputs.values() if i.uncertain]
    finite = np.isfinite(answer)
    medians: dict[str, Value] = {
        name: float(np.median(run.values[name])) if item.uncertain else float(run.values[name][0])
        for name, item in run.inputs.items()
    }
    base = float(run.evaluate(medians))
    measured = min(len(answer), MEASURE_SAMPLES)
    leaves: dict[str, Value] = {name: run.values[name][:measured] for name in run.inputs}
    width = _width90(answer[:measured])
    factors = []
    for item in uncertain:
        x = run.values[item.name]
        low, high = (float(v) for v in np.percentile(x, (5, 95)))
        tornado = Tornado(
            low,
            high,
            float(run.evaluate({**medians, item.name: low})),
            float(run.evaluate({**medians, item.name: high})),
        )
        strata = np.percentile(x, 100 * (np.arange(STRATA) + 0.5) / STRATA)
        widths = [_width90(np.broadcast_to(run.evaluate({**leaves, item.name: float(v)}), (measured,))) for v in strata]
        factors.append(
            FactorSensitivity(
                name=item.name,
                kind=item.kind,
                spearman=_spearman(x[finite], answer[finite]),
                sobol=first_order(x[finite], answer[finite]),
                tornado=tornado,
                narrowing=max(0.0, 1 - float(np.mean(widths)) / width) if width > 0 else 0.0,
            )
        )
    return Sensitivity(base=base, width90=width, factors=factors)


def first_order(x: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    """The first-order Sobol index of input samples `x` (n,) for output samples `y` (n,), in [0, 1].

    The given-data estimator described in the module: sqrt(n) bins of equal count along x, the variance of the
    bin means of y less its sampling noise, divided by the variance of y. 0 when y does not vary.
    """
    n = len(x)
    bins = max(2, math.isqrt(n))
    size = n // bins
    if size < 2 or float(np.var(y)) == 0.0:
        return 0.0
    grouped = y[np.argsort(x, kind="stable")][: bins * size].reshape(bins, size)
    explained = grouped.mean(axis=1).var(ddof=1) - grouped.var(axis=1, ddof=1).mean() / size
    return float(np.clip(explained / np.var(y), 0.0, 1.0))


def _spearman(x: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    # Imported here: scipy.stats takes longer to import than the whole command line otherwise, and only an
    # analysis needs it.
    from scipy.stats import spearmanr

    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    return float(spearmanr(x, y).statistic)


def _width90(y: NDArray[np.float64]) -> float:
    finite = y[np.isfinite(y)]
    if finite.size == 0:
        return math.nan
    p5, p95 = np.percentile(finite, (5, 95))
    return float(p95 - p5)
