"""Rank correlation between estimates with the Iman-Conover method.

Iman & Conover (1982), "A distribution-free approach to inducing rank correlation among input variables":
each estimate is sampled on its own; the samples are then reordered so that their ranks follow those of normal
scores given the wanted correlation. Each estimate keeps exactly its own samples (its distribution does not
change); only which samples meet in the same run changes.

Correlations are Spearman rank correlations. For normal scores the Pearson correlation that gives a Spearman
correlation r is 2 sin(pi r / 6); the scores are built with that, so the achieved rank correlations match the
wanted ones to within sampling error (about 1 / sqrt(n)).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from peil.errors import QuestionError


def matrix(names: Sequence[str], pairs: Sequence[tuple[str, str, float]]) -> NDArray[np.float64]:
    """The (k, k) Spearman correlation matrix of `names` from (a, b, r) pairs; unlisted pairs are 0.

    Raises QuestionError when the correlations cannot hold together (the matrix of the matching normal
    correlations is not positive definite), e.g. a-b 0.9, b-c 0.9 and a-c -0.9.
    """
    index = {name: i for i, name in enumerate(names)}
    wanted = np.eye(len(names))
    for a, b, r in pairs:
        wanted[index[a], index[b]] = wanted[index[b], index[a]] = r
    try:
        np.linalg.cholesky(_pearson(wanted))
    except np.linalg.LinAlgError:
        raise QuestionError(
            f"the correlations between {', '.join(names)} are impossible together",
            hint="Weaken some of them: for example a and b, and b and c, strongly positive forces a and c "
            "to be positive too.",
        ) from None
    return wanted


def _pearson(spearman: NDArray[np.float64]) -> NDArray[np.float64]:
    return 2 * np.sin(np.pi * spearman / 6)


def induce(
    samples: NDArray[np.float64], spearman: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.float64]:
    """Reorder each column of `samples` (n, k) so the columns have rank correlations near `spearman` (k, k).

    Returns a new (n, k) array; each column holds the same values as before, in another order.
    """
    n, k = samples.shape
    scores = ndtri(np.arange(1, n + 1) / (n + 1))
    independent = np.column_stack([rng.permutation(scores) for _ in range(k)])
    # Remove the chance correlation of the permuted scores, then impose the wanted one.
    chance = np.linalg.cholesky(np.corrcoef(independent, rowvar=False))
    target = np.linalg.cholesky(_pearson(spearman))
    correlated = independent @ np.linalg.solve(chance.T, target.T)
    out = np.empty_like(samples)
    for j in range(k):
        ranks = np.argsort(np.argsort(correlated[:, j]))
        out[:, j] = np.sort(samples[:, j])[ranks]
    return out
