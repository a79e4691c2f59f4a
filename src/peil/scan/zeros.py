"""Codes whose leading zeros a copy lost: staff number 00005 kept as text in one copy and as the number 5 in
another, which a spreadsheet does when the column is not formatted as text.

A **zero-padded code** is a text column of digits, all of one width, some led by a zero ('00005', '01234'). A
copy lost its zeros when, instead of the code's group column, it holds an integer column (in that group column,
or in one of its own that no copy holding the code has: a renamed column, `Stamnummer`) whose values are the
code's numbers: their Jaccard similarity as numbers is at least VALUE_MATCH (peil.scan.group). The copy's column
then joins the code's group column (`restore`), and its values are compared padded back to the code's width
(`padded`), so its rows match the other copies' by the code and its cells do not all differ. The copy is named
(Member.zeros), and not recommended over a copy that keeps the zeros (peil.scan.compare).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from peil.scan.group import VALUE_MATCH
from peil.scan.model import LostZeros, Table

Mapping = list[list[int | None]]  # per table, the index of its column in each group column (None: lacks it)


def restore(
    con: duckdb.DuckDBPyConnection, tables: Sequence[Table], mapping: Mapping
) -> tuple[Mapping, dict[int, list[LostZeros]]]:
    """The group columns with each column that holds a code's numbers moved into the code's group column (group
    columns left empty are dropped, so indexes after one shift), and per table the codes whose zeros it lost
    (LostZeros.column indexes the returned group columns). `mapping` is changed in place too."""
    lost: dict[tuple[int, int], LostZeros] = {}
    for g in range(len(mapping[0]) if mapping else 0):
        candidates = {t: b for t in range(len(tables)) for b in _numbers(tables, mapping, t, g)}
        code = _code(con, tables, mapping, g) if candidates else None
        if code is None:
            continue
        first, width = code
        for t, b in candidates.items():
            example = _example(con, tables[first], mapping[first][g], tables[t], mapping[t][b])
            if example is None:
                continue
            if b != g:
                mapping[t][g], mapping[t][b] = mapping[t][b], None
            lost[(t, g)] = LostZeros(g, width, *example)
    kept = [g for g in range(len(mapping[0]) if mapping else 0) if any(row[g] is not None for row in mapping)]
    index = {g: i for i, g in enumerate(kept)}
    found: dict[int, list[LostZeros]] = {}
    for (t, g), zeros in sorted(lost.items()):
        found.setdefault(t, []).append(LostZeros(index[g], zeros.width, zeros.kept, zeros.lost))
    return [[row[g] for g in kept] for row in mapping], found


def _numbers(tables: Sequence[Table], mapping: Mapping, t: int, g: int) -> list[int]:
    """The group columns of table `t` that may hold the numbers of a code in group column `g`: `g` itself, when
    `t`'s column there is an integer; else, when `t` lacks `g`, its integer columns in group columns that no table
    holding `g` has. At most one: the first."""
    row = mapping[t]
    integer = [b for b, c in enumerate(row) if c is not None and tables[t].columns[c].type == "integer"]
    if row[g] is not None:
        return [g] if g in integer else []
    others = [b for b in integer if all(r[b] is None for r in mapping if r[g] is not None)]
    return others[:1]


def _code(con: duckdb.DuckDBPyConnection, tables: Sequence[Table], mapping: Mapping, g: int) -> tuple[int, int] | None:
    """The first table holding group column `g` as text, and the width of its values, when they are a
    zero-padded code (see the module docstring); else None."""
    first = next(
        (t for t, row in enumerate(mapping) if (c := row[g]) is not None and tables[t].columns[c].type == "string"),
        None,
    )
    if first is None:
        return None
    column, relation = f"c{mapping[first][g]}", tables[first].relation
    digits, led, shortest, longest = con.execute(
        f"SELECT bool_and(regexp_full_match({column}, '[0-9]+')), bool_or({column} LIKE '0_%'), "  # noqa: S608
        f"min(length({column})), max(length({column})) FROM {relation} WHERE {column} IS NOT NULL"
    ).fetchall()[0]
    return (first, int(longest)) if digits and led and shortest == longest else None


def _example(
    con: duckdb.DuckDBPyConnection, code: Table, c: int | None, numbers: Table, n: int | None
) -> tuple[str, str] | None:
    """A value of the code (column `c` of table `code`) led by a zero and the same number in column `n` of table
    `numbers` ('00005', '5'), the first in order, when the two columns' values are alike as numbers (see the
    module docstring); else None."""
    side = "SELECT DISTINCT c{0} AS v, TRY_CAST(c{0} AS HUGEINT) AS x FROM {1} WHERE c{0} IS NOT NULL"
    led = "FROM common WHERE kept LIKE '0%'"
    found = con.execute(
        f"WITH a AS ({side.format(c, code.relation)}), b AS ({side.format(n, numbers.relation)}), "  # noqa: S608
        "common AS (SELECT a.v AS kept, b.v AS lost FROM a JOIN b USING (x)) "
        "SELECT (SELECT count(*) FROM common), (SELECT count(*) FROM a), (SELECT count(*) FROM b), "
        f"(SELECT min(kept) {led}), (SELECT arg_min(lost, kept) {led})"
    ).fetchall()[0]
    common, left, right, kept, lost = found
    union = left + right - common
    if not union or common / union < VALUE_MATCH or kept is None:
        return None
    return str(kept), str(lost)
