"""A 30-factor question at 1 million samples: peil against Squiggle, squigglepy and hand-written NumPy.

Usage:
    npm ci --prefix benchmarks/squiggle        # once: Squiggle 0.10 for node
    .venv/bin/python benchmarks/questions.py [--samples 1000000] [--repeat 3]

The model is a municipal yearly cost: ten services, each with a number of cases (a 90% interval: lognormal), a
take-up share (k of n: a beta) and a cost per case (normal, triangular or uniform), summed over the services:
30 uncertain factors. All four implementations are generated from the one specification below, so they run the
same model, and each computes the same result: the mean and the 5th, 25th, 50th, 75th and 95th percentiles
(plus, for peil and NumPy, P(answer > threshold) and a 40-bin histogram).

Each is timed best-of-`repeat`, warm, inside its own process: peil's `run` on a loaded question (the loading
and checking of the file, a few milliseconds, is timed separately), Squiggle's `run` inside node after the
module has loaded, squigglepy's `sample`, and the NumPy function. peil is timed with its default threads (one
per core) and with one thread. The goals: peil at least 10x faster than Squiggle and squigglepy, and within
1.3x of the hand-written NumPy.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import squigglepy as sq
from scipy.stats import norm

from peil.questions import Question, run

SQUIGGLE = Path(__file__).parent / "squiggle"
THRESHOLD = 2_000_000.0

# (service, cases 90% interval, share as k of n, cost per case as (kind, parameters))
SERVICES: list[tuple[str, tuple[float, float], tuple[int, int], tuple[str, tuple[float, ...]]]] = [
    ("home_care", (800, 1400), (30, 100), ("normal", (2400, 300))),
    ("meals", (2000, 3500), (45, 100), ("triangular", (900, 1100, 1600))),
    ("transport", (300, 900), (12, 40), ("uniform", (150, 400))),
    ("childcare", (500, 700), (70, 100), ("normal", (5200, 600))),
    ("youth", (1000, 4000), (8, 50), ("triangular", (120, 200, 450))),
    ("library", (9000, 14000), (20, 100), ("uniform", (8, 20))),
    ("sport", (3000, 6000), (15, 60), ("normal", (90, 15))),
    ("housing", (150, 400), (60, 80), ("triangular", (2500, 4000, 7000))),
    ("debt_advice", (200, 600), (25, 30), ("uniform", (700, 1500))),
    ("integration", (100, 350), (35, 50), ("normal", (3100, 500))),
]


def peil_question() -> Question:
    factors = []
    for name, (low, high), (k, n), (kind, params) in SERVICES:
        cost = f"{kind}({', '.join(f'{p:g}' for p in params)})"
        for suffix, estimate in (("cases", f"{low:g} to {high:g}"), ("share", f"{k} of {n}"), ("cost", cost)):
            factors.append(
                {
                    "name": f"{name}_{suffix}",
                    "description": f"{name} {suffix}",
                    "estimate": estimate,
                    "source": {"expert": "benchmark"},
                }
            )
    formula = " + ".join(f"{name}_cases * {name}_share * {name}_cost" for name, *_ in SERVICES)
    return Question.model_validate(
        {
            "id": "yearly_cost",
            "question": "What will the ten services cost next year?",
            "why": "Budget planning",
            "decision": "The multi-year budget",
            "owner": "Financial department",
            "unit": "euro",
            "threshold": THRESHOLD,
            "answer": {"formula": formula, "unit": None, "factors": factors},
        }
    )


def squiggle_code() -> str:
    lines, terms = [], []
    for name, (low, high), (k, n), (kind, params) in SERVICES:
        lines.append(f"{name}_cases = {low:g} to {high:g}")
        lines.append(f"{name}_share = beta({k + 1}, {n - k + 1})")
        lines.append(f"{name}_cost = {kind}({', '.join(f'{p:g}' for p in params)})")
        terms.append(f"{name}_cases * {name}_share * {name}_cost")
    return "\n".join([*lines, "out = " + " + ".join(terms)])


def squigglepy_model() -> Any:
    costs = {"normal": lambda m, s: sq.norm(mean=m, sd=s), "triangular": sq.triangular, "uniform": sq.uniform}
    total = None
    for _, (low, high), (k, n), (kind, params) in SERVICES:
        term = sq.lognorm(low, high) * sq.beta(k + 1, n - k + 1) * costs[kind](*params)
        total = term if total is None else total + term
    return total


def numpy_script(samples: int, seed: int) -> dict[str, float]:
    """The hand-written model: what an analyst writes in plain NumPy."""
    rng = np.random.default_rng(seed)
    z = norm.ppf(0.95)
    total = np.zeros(samples)
    for _, (low, high), (k, n), (kind, params) in SERVICES:
        mu, sigma = (math.log(low) + math.log(high)) / 2, (math.log(high) - math.log(low)) / (2 * z)
        cases = rng.lognormal(mu, sigma, samples)
        share = rng.beta(k + 1, n - k + 1, samples)
        if kind == "normal":
            cost = rng.normal(params[0], params[1], samples)
        elif kind == "triangular":
            cost = rng.triangular(params[0], params[1], params[2], samples)
        else:
            cost = rng.uniform(params[0], params[1], samples)
        total += cases * share * cost
    return _summary(total, histogram=True)


def _summary(samples: np.ndarray, histogram: bool) -> dict[str, float]:
    low, p5, p25, p50, p75, p95, high = np.percentile(samples, (0.5, 5, 25, 50, 75, 95, 99.5))
    if histogram:
        np.histogram(samples, bins=40, range=(low, high))
        float(np.count_nonzero(samples > THRESHOLD) / samples.size)
    return {"mean": float(samples.mean()), "p5": p5, "p25": p25, "p50": p50, "p75": p75, "p95": p95}


def best(functions: dict[str, Callable[[], dict[str, float]]], repeat: int) -> dict[str, tuple[float, Any]]:
    """Best time and last result of each function; the repeats take turns, so a busy machine slows all alike."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    results: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            results[name] = function()
            times[name].append(time.perf_counter() - started)
    return {name: (min(times[name]), results[name]) for name in functions}


def time_squiggle(samples: int, repeat: int) -> tuple[float, dict[str, float]]:
    completed = subprocess.run(
        ["node", str(SQUIGGLE / "run.mjs"), str(samples), str(repeat)],
        input=squiggle_code(),
        capture_output=True,
        text=True,
        check=True,
        cwd=SQUIGGLE,
    )
    output = json.loads(completed.stdout)
    return min(output.pop("seconds")), output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, repeat = args.samples, args.repeat

    started = time.perf_counter()
    question = peil_question()
    loading = time.perf_counter() - started

    def peil(threads: int | None) -> Callable[[], dict[str, float]]:
        def go() -> dict[str, float]:
            s = run(question, samples=n, seed=1, threads=threads).summary
            return {"mean": s.mean, "p5": s.p5, "p25": s.p25, "p50": s.median, "p75": s.p75, "p95": s.p95}

        return go

    def squigglepy() -> dict[str, float]:
        sq.set_seed(1)
        return _summary(np.asarray(sq.sample(model, n=n), dtype=np.float64), histogram=False)

    model = squigglepy_model()
    functions = {
        "peil": peil(None),
        "peil (1 thread)": peil(1),
        "NumPy by hand": lambda: numpy_script(n, 1),
        "squigglepy": squigglepy,
    }
    timings = best(functions, repeat) | {"Squiggle 0.10": time_squiggle(n, repeat)}
    reference = timings["peil"][0]
    print(f"30-factor model, {n:,} samples, best of {repeat}; peil loaded and checked it in {loading:.3f} s")
    print(f"{'':18} {'seconds':>8} {'vs peil':>8} {'mean':>12} {'p5':>12} {'p50':>12} {'p95':>12}")
    for name, (seconds, result) in timings.items():
        print(
            f"{name:18} {seconds:8.3f} {seconds / reference:7.2f}x "
            f"{result['mean']:12,.0f} {result['p5']:12,.0f} {result['p50']:12,.0f} {result['p95']:12,.0f}"
        )
    seconds = {name: t for name, (t, _) in timings.items()}
    for other in ("Squiggle 0.10", "squigglepy"):
        ratio = seconds[other] / seconds["peil"]
        print(f"goal peil >= 10x faster than {other}: {ratio:.1f}x, {'met' if ratio >= 10 else 'not met'}")
    for variant in ("peil", "peil (1 thread)"):
        ratio = seconds[variant] / seconds["NumPy by hand"]
        print(f"goal {variant} <= 1.3x the hand-written NumPy: {ratio:.2f}x, {'met' if ratio <= 1.3 else 'not met'}")


if __name__ == "__main__":
    main()
