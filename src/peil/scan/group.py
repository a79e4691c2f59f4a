"""Which scanned tables are copies or versions of one another.

Two tables are copies when

- their columns match (`align`): first by name (lower case, without accents, spaces and punctuation); then the
  columns left over on either side, in turn by their values (Jaccard at least VALUE_MATCH, between
  columns of three or more distinct values), by a similar name (difflib ratio at least NAME_MATCH) and type, and
  by position and type: a renamed column. The matched columns are at least SCHEMA_SHARE of the wider table's; and
- their rows match: through a pair of keys (Table.keys) whose columns all match (one column each, or the
  columns of a compound key such as (NIS code, year)), at least ROW_SHARE of the key values of the table with
  fewer are among the other's (containment, so a copy with rows added or removed still matches; a compound
  key's values are compared as one combined hash per row), and so are, on average over the matched columns
  outside the key, ROW_SHARE of their values (two small tables numbered 1, 2, 3, ... share keys, not names); or,
  when they have no such pair, at least WHOLE_SCHEMA of the columns match and their values agree (mean Jaccard
  at least ROW_SHARE).

Files with the same bytes are always copies. The groups are the connected components of this relation, so a
copy of a copy joins the group. Only candidate pairs are compared: pairs whose column names or key values fall in
a common bucket of MinHash LSH (datasketch), which keeps the work near linear in the number of tables; the
decisions above use the columns' exact sets of value hashes, as a MinHash cannot tell how much of a set of 20
values lies in one of 30,000.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

import numpy as np
from datasketch import MinHashLSH  # type: ignore[import-untyped]

from peil.scan.model import Column, Hashed, Key, Table
from peil.scan.read import PERMUTATIONS, sketch

VALUE_MATCH = 0.6
NAME_MATCH = 0.8
SCHEMA_SHARE = 0.5
ROW_SHARE = 0.5
WHOLE_SCHEMA = 0.8
LSH_THRESHOLD = 0.3


def components(tables: Sequence[Table]) -> list[list[int]]:
    """The groups of copies among `tables`, as lists of indexes (sorted), in order of their first index; tables
    without a copy are groups of one."""
    parent = list(range(len(tables)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in sorted(_candidates(tables)):
        if root(i) != root(j) and copies(tables[i], tables[j]):
            parent[max(root(i), root(j))] = min(root(i), root(j))
    found: dict[int, list[int]] = {}
    for i in range(len(tables)):
        found.setdefault(root(i), []).append(i)
    return sorted(found.values())


def copies(a: Table, b: Table) -> bool:
    """Whether `a` and `b` are copies of one table (see the module docstring)."""
    if a.sha256 == b.sha256 and a.sheet == b.sheet:
        return True
    pairs = align(a.columns, b.columns)
    wider = max(len(a.columns), len(b.columns))
    if len(pairs) < SCHEMA_SHARE * wider:
        return False
    matched = dict(pairs)
    keyed = [(x, y) for x in a.keys for y in b.keys if _aligned(x, y, matched)]
    if keyed:
        shared, key = max(((containment(x, y), x) for x, y in keyed), key=lambda found: found[0])
        others = [containment(a.columns[k], b.columns[m]) for k, m in pairs if k not in key.columns]
        return shared >= ROW_SHARE and (not others or sum(others) / len(others) >= ROW_SHARE)
    if len(pairs) < WHOLE_SCHEMA * wider:
        return False
    agreement = [similarity(a.columns[i], b.columns[j]) for i, j in pairs]
    return sum(agreement) / len(agreement) >= ROW_SHARE


def _aligned(x: Key, y: Key, matched: dict[int, int]) -> bool:
    """Whether the columns of key `x` are matched (column in x's table: column in y's) with exactly y's columns."""
    return sorted(matched.get(i, -1) for i in x.columns) == list(y.columns)


def align(left: Sequence[Column], right: Sequence[Column]) -> list[tuple[int, int]]:
    """Matched columns (index in `left`, index in `right`), sorted (see the module docstring for the order)."""
    pairs: dict[int, int] = {}

    def match(scores: list[tuple[float, int, int]], threshold: float) -> None:
        for score, i, j in sorted(scores, reverse=True):
            if score >= threshold and i not in pairs and j not in pairs.values():
                pairs[i] = j

    def free(condition: Callable[[Column, Column], bool]) -> list[tuple[int, int]]:
        return [
            (i, j)
            for i, a in enumerate(left)
            for j, b in enumerate(right)
            if i not in pairs and j not in pairs.values() and condition(a, b)
        ]

    match([(1.0, i, j) for i, j in free(lambda a, b: normal(a.name) == normal(b.name))], 1.0)
    valued = free(lambda a, b: min(a.distinct, b.distinct) >= 3)
    match([(similarity(left[i], right[j]), i, j) for i, j in valued], VALUE_MATCH)
    typed = free(lambda a, b: a.type == b.type)
    match(
        [(SequenceMatcher(None, normal(left[i].name), normal(right[j].name)).ratio(), i, j) for i, j in typed],
        NAME_MATCH,
    )
    match([(1.0, i, j) for i, j in free(lambda a, b: a.type == b.type) if i == j], 1.0)
    return sorted(pairs.items())


def containment(a: Hashed, b: Hashed) -> float:
    """The share of the smaller set's distinct values (of two columns or keys, by hash) that the other holds too;
    0 when one is empty."""
    smaller = min(a.hashes.size, b.hashes.size)
    return _common(a, b) / smaller if smaller else 0.0


def similarity(a: Hashed, b: Hashed) -> float:
    """The Jaccard similarity of two columns' distinct values (by hash); 0 when both are empty."""
    common = _common(a, b)
    union = a.hashes.size + b.hashes.size - common
    return common / union if union else 0.0


def _common(a: Hashed, b: Hashed) -> int:
    return int(np.intersect1d(a.hashes, b.hashes, assume_unique=True).size)


def normal(name: str) -> str:
    """A column name as compared: lower-case ASCII letters and digits ('Tewerkstelling (FTE)': 'tewerkstellingfte')."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", ascii_name)


def _candidates(tables: Sequence[Table]) -> set[tuple[int, int]]:
    """Pairs (i < j) worth comparing: the same bytes, or a common LSH bucket of column names or key values."""
    pairs: set[tuple[int, int]] = set()
    by_digest: dict[tuple[str, str | None], list[int]] = {}
    for i, table in enumerate(tables):
        by_digest.setdefault((table.sha256, table.sheet), []).append(i)
    for same in by_digest.values():
        pairs.update(itertools.combinations(same, 2))
    names = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=PERMUTATIONS)
    values = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=PERMUTATIONS)
    for i, table in enumerate(tables):
        header = sketch([zlib.crc32(normal(c.name).encode()) for c in table.columns])
        for j in names.query(header):
            pairs.add((int(j), i))
        names.insert(i, header)
        for k, key in enumerate(table.keys):
            for j, _ in values.query(key.sketch):
                if j != i:
                    pairs.add((min(i, j), max(i, j)))
            values.insert((i, k), key.sketch)
    return pairs
