"""Monte Carlo runs of a question: sample every estimate and data spread, evaluate the formulas, summarise.

All sampling is vectorised NumPy. Each uncertain leaf factor is drawn as a float64 array of shape (n,) from
its own numpy.random.Generator (PCG64), seeded from the run's seed and the factor's name
(``SeedSequence(seed, spawn_key=(0, crc32(name)))``): a run with the same question, data, sample count, seed
and chunk size gives the same numbers, and an uncorrelated factor's samples do not change when other
factors are added, removed or given data, so two runs of a question differ only where the question did.
The factors are drawn in parallel threads (NumPy releases the GIL while it samples), one per core unless
`threads` says otherwise; the result does not depend on the number of threads. Formulas are evaluated on
whole arrays; rank correlations between estimates are induced with Iman-Conover
(:mod:`peil.questions.correlation`).

Memory: a run keeps the answer's n samples (8n bytes). The leaves and formulas are evaluated in chunks sized
so that one chunk's arrays come to about :data:`CHUNK_BYTES` (512 MiB): a 30-factor question at 10 million
samples peaks at about 1 GB (measured: 0.98 GB). The first :data:`KEPT` samples of every factor stay in
:attr:`Run.values` for the sensitivity analysis and the report.
"""

from __future__ import annotations

import os
import secrets
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from peil.errors import PeilError, QuestionError
from peil.questions import correlation
from peil.questions.distributions import Distribution, Empirical, Point, Samples
from peil.questions.formula import Value, depth, evaluate
from peil.questions.model import Data, Question

DEFAULT_SAMPLES = 10_000
MAX_SAMPLES = 10_000_000
CHUNK_BYTES = 1 << 29
KEPT = 100_000
HISTOGRAM_BINS = 40
PERCENTILES = (5, 25, 50, 75, 95)

Resolver = Callable[[Data], float | NDArray[np.float64]]
"""Gives the value of a data factor: a number, or a 1-D array of numbers whose spread is the uncertainty."""


@dataclass(frozen=True)
class Input:
    """A leaf factor as a run uses it: an estimate or data, and the distribution it was drawn from."""

    name: str
    kind: str
    distribution: Distribution
    text: str

    @property
    def uncertain(self) -> bool:
        return not isinstance(self.distribution, Point)


@dataclass(frozen=True)
class Histogram:
    """Counts of answer samples in equal bins from the 0.5th to the 99.5th percentile; the rest are counted
    in `below` and `above`, so a long tail does not squeeze the chart."""

    edges: list[float]
    counts: list[int]
    below: int
    above: int


@dataclass(frozen=True)
class Summary:
    """The answer's distribution in the question's unit; percentiles are NumPy's linear interpolation.

    `samples` is how many finite samples the statistics use; `excluded` how many gave inf or NaN (division by
    zero, the logarithm of a negative number) and are left out.
    """

    mean: float
    median: float
    p5: float
    p25: float
    p75: float
    p95: float
    threshold: float | None
    p_exceed: float | None
    histogram: Histogram
    samples: int
    excluded: int

    @property
    def width90(self) -> float:
        """The width of the 90% interval, p95 - p5."""
        return self.p95 - self.p5


@dataclass
class Run:
    """The outcome of one run of a question."""

    question: Question
    samples: int
    seed: int
    chunk_size: int
    ran_at: datetime
    inputs: dict[str, Input]
    answer: Samples
    values: dict[str, Samples]
    summary: Summary
    warnings: list[str] = field(default_factory=list)

    def evaluate(self, leaves: Mapping[str, Value]) -> Value:
        """The answer for given leaf values (numbers or arrays of one shape), formulas evaluated in order."""
        return _evaluate(self.question, leaves)[self.question.answer.name]


def run(
    question: Question,
    resolve: Resolver | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = None,
    threshold: float | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
) -> Run:
    """Run `question` with `samples` Monte Carlo samples (default 10,000, at most 10 million).

    `resolve` gives the values of data factors (:func:`peil.questions.data.resolver`); `seed` (a whole
    number from 0 to 2^63 - 1) makes the run repeatable (a random one is drawn and recorded when None); `threshold`
    overrides the question's; `threads` caps the sampling threads (default: one per core). Returns the
    :class:`Run` with the answer's samples (n,), a summary and the warnings to show with the result.

    Raises QuestionError when the sample count is out of range, a data factor has no resolver or its data is
    unusable, or every sample of the answer is inf or NaN.
    """
    if not 2 <= samples <= MAX_SAMPLES:
        raise QuestionError(f"the sample count must be between 2 and {MAX_SAMPLES:,}, not {samples:,}")
    if seed is not None and not 0 <= seed < 2**63:
        raise QuestionError(f"the seed must be a whole number from 0 to 2^63 - 1, not {seed}")
    seed = secrets.randbits(63) if seed is None else seed
    inputs = {name: _input(question, name, resolve) for name in question.order if _is_leaf(question, name)}
    chunk = chunk_size or _chunk_size(question, len(inputs))
    uncertain = [item for item in inputs.values() if item.uncertain]
    streams = {item.name: np.random.default_rng(_stream(seed, item.name)) for item in uncertain}
    reorder = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    groups = _correlated(question)
    answer = np.empty(samples)
    values: dict[str, Samples] = {}
    workers = threads or os.cpu_count() or 1
    # One worker samples in the calling thread: a lone worker thread only adds its own overhead.
    with ThreadPoolExecutor(max_workers=workers) if workers > 1 else nullcontext() as pool:
        draw = pool.map if pool is not None else map
        for start in range(0, samples, chunk):
            n = min(chunk, samples - start)
            drawn = draw(_sample, uncertain, [streams[i.name] for i in uncertain], [n] * len(uncertain))
            leaves: dict[str, Value] = {name: _value(i) for name, i in inputs.items() if not i.uncertain}
            leaves |= dict(zip((item.name for item in uncertain), drawn, strict=True))
            for names, wanted in groups:
                induced = correlation.induce(np.column_stack([leaves[k] for k in names]), wanted, reorder)
                leaves |= {name: induced[:, j] for j, name in enumerate(names)}
            evaluated = _evaluate(question, leaves)
            answer[start : start + n] = evaluated[question.answer.name]
            if start == 0:
                kept = min(n, KEPT)
                values = {name: np.broadcast_to(v, (n,))[:kept].copy() for name, v in evaluated.items()}
    warnings = [w for i in inputs.values() for w in _estimate_warnings(question, i.name)]
    warnings += [f"the factor '{name}' is not used by the answer's formulas" for name in question.unused]
    summary = summarise(answer, question.threshold if threshold is None else threshold)
    if summary.excluded:
        share = summary.excluded / samples
        warnings.append(
            f"{summary.excluded:,} of {samples:,} samples ({share:.2%}) of the answer are not a number "
            "(a division by zero, or a logarithm or root of a negative value); the statistics leave them out"
        )
    return Run(
        question=question,
        samples=samples,
        seed=seed,
        chunk_size=chunk,
        ran_at=datetime.now(UTC),
        inputs=inputs,
        answer=answer,
        values=values,
        summary=summary,
        warnings=warnings,
    )


def summarise(samples: Samples, threshold: float | None = None) -> Summary:
    """Mean, median, quartiles, 5th and 95th percentiles, P(> threshold) and a histogram of (n,) samples.

    Non-finite samples are left out and counted. Raises QuestionError when none is finite.
    """
    finite = np.isfinite(samples)
    used = samples if finite.all() else samples[finite]
    if used.size == 0:
        raise QuestionError(
            "every sample of the answer is inf or NaN",
            hint="Look for a division by zero, or a logarithm or root of a value that may be negative.",
        )
    low, p5, p25, p50, p75, p95, high = np.percentile(used, (0.5, *PERCENTILES, 99.5))
    counts, edges = np.histogram(used, bins=HISTOGRAM_BINS, range=(low, high))
    return Summary(
        mean=float(used.mean()),
        median=float(p50),
        p5=float(p5),
        p25=float(p25),
        p75=float(p75),
        p95=float(p95),
        threshold=threshold,
        p_exceed=float(np.count_nonzero(used > threshold) / used.size) if threshold is not None else None,
        histogram=Histogram(
            edges=[float(e) for e in edges],
            counts=[int(c) for c in counts],
            below=int(np.count_nonzero(used < edges[0])),
            above=int(np.count_nonzero(used > edges[-1])),
        ),
        samples=int(used.size),
        excluded=int(samples.size - used.size),
    )


def _sample(item: Input, rng: np.random.Generator, n: int) -> Samples:
    return item.distribution.sample(rng, n)


def _stream(seed: int, name: str) -> np.random.SeedSequence:
    """The seed of a factor's own stream of random numbers: from the run's seed and the factor's name."""
    return np.random.SeedSequence(seed, spawn_key=(0, zlib.crc32(name.encode())))


def _is_leaf(question: Question, name: str) -> bool:
    return question.factors[name].formula is None


def _input(question: Question, name: str, resolve: Resolver | None) -> Input:
    factor = question.factors[name]
    if factor.estimate is not None:
        return Input(name, "estimate", factor.estimate.distribution, factor.estimate.text)
    assert factor.data is not None
    where = question.location(name, "data")
    if resolve is None:
        raise QuestionError(
            f"the factor '{name}' takes data ({factor.data.describe()}), and no data was given",
            where,
            hint="Run the question in a workspace (peil question run), after peil build.",
        )
    try:
        value = resolve(factor.data)
    except PeilError as exc:
        raise QuestionError(f"the data of '{name}': {exc.message}", where, exc.hint) from None
    array = np.asarray(value, dtype=np.float64).ravel()
    if array.size == 0 or not np.isfinite(array).all():
        raise QuestionError(f"the data of '{name}' has no values, or values that are not numbers", where)
    distribution: Distribution = Point(float(array[0])) if array.size == 1 else Empirical(array)
    return Input(name, "data", distribution, factor.data.describe())


def _value(item: Input) -> float:
    assert isinstance(item.distribution, Point)
    return item.distribution.value


def _estimate_warnings(question: Question, name: str) -> list[str]:
    estimate = question.factors[name].estimate
    return [f"{name}: {w}" for w in estimate.warnings] if estimate is not None else []


def _correlated(question: Question) -> list[tuple[list[str], NDArray[np.float64]]]:
    """The correlated estimates in groups that share no correlation, each with its rank correlation matrix."""
    pairs = [(c.between[0], c.between[1], c.rank) for c in question.correlations]
    groups: list[set[str]] = []
    for a, b, _ in pairs:
        touching = [g for g in groups if a in g or b in g]
        merged = set().union(*touching, {a, b})
        groups = [g for g in groups if g not in touching] + [merged]
    out = []
    for group in groups:
        names = [n for n in question.order if n in group]
        inside = [p for p in pairs if p[0] in group]
        out.append((names, correlation.matrix(names, inside)))
    return out


def _evaluate(question: Question, leaves: Mapping[str, Value]) -> dict[str, Value]:
    values = dict(leaves)
    for name in question.order:
        factor = question.factors[name]
        if factor.formula is not None:
            values[name] = evaluate(factor.formula.node, values)
    return values


def _chunk_size(question: Question, leaves: int) -> int:
    """Samples per chunk: leaves, formula values and temporaries, 8 bytes each, within CHUNK_BYTES."""
    formulas = [f.formula.node for f in question.factors.values() if f.formula is not None]
    arrays = leaves + len(formulas) + sum(depth(node) for node in formulas) + 2
    return max(10_000, CHUNK_BYTES // (8 * arrays))
