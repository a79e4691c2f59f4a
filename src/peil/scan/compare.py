"""How the copies in a group differ, and which one to trust.

The group's columns are built member by member, widest table first: a member's column joins a group column it
matches (by name, else by values: peil.scan.group.align), or starts a new one. A member's integer column holding the
numbers of a code that other members keep padded with zeros (00005 as 5) joins the code's group column, its values
compared padded back (peil.scan.zeros). A column is named as most members name it. The key is the group column, or
the set of group columns (a compound key), that is a key (Table.keys) in most members (ties: the fewest columns,
then the leftmost); rows are matched by its values, the first row of a key that occurs twice in a file counting.
Without a key, no cells are compared.

- **Keys not everywhere**: keys that some members hold and others (having the key columns) do not; first those
  that a member which is no extract lacks (a key removed or added between versions), then, counted apart, those
  that only extracts lack (the rows a filtered export left out).
- **Conflicts**: cells (key, column) whose canonical values differ between the members holding the row and the
  column; an empty cell against a filled one is a conflict too.

Recommending the authoritative version (`WEIGHTS`): each member scores, from 0 to 1,

- keys: the share of all keys in the group that it holds (1: a superset of every other copy);
- agreement: of the conflicting cells it holds that have a majority value (one value held by more members than
  any other, copies with the same rows and values counting once), the share where it holds that value (1 when it is
  in no such conflict): three untouched copies of an old list do not outvote the one that was edited;
- completeness: its filled cells over its rows times the group's columns (a missing column counts as empty);
- recency: its modification time between the oldest (0) and the newest (1) member's; 1 for all when they lie
  less than SAME_TIME apart (a copy that does not keep the times gives every file the time of copying). Copies
  with the same rows and values take the time of the oldest of them: a copy made later (a plain `cp`, the list
  saved again) is no newer version of its content;

and the score is 0.3 keys + 0.3 agreement + 0.2 completeness + 0.2 recency.

**Extracts** (`_extracts`): a member is an extract of another when every one of its rows is in the other with the
same values and the other holds more keys: its keys a strict subset of the other's, its columns among the
other's, no conflicting cell between the two, and each of its rows a key of its own (a row without one, or with
one an earlier row has, is not compared). It is a filtered export, not a newer version: it holds nothing the
other lacks, so its own modification time says nothing of its data, and it is never recommended over the copy
that contains it, however it scores (a partial copy made in June of a list kept since January would win on
recency). The relation is transitive and strict, so some members are no extract of any other.

**Keys twice**: a member that holds a key on more than one row (Member.duplicates: two rows for one staff
member) is not recommended while a member holds each key once: which of its rows counts cannot be told, and
its cells are compared by the first only.

**Zeros lost**: a member that lost the leading zeros of a code (Member.zeros) is not recommended while a member
keeps them: a spreadsheet that stored 00005 as the number 5 turns it into another code.

The highest score among the members that are no extract, hold each key once where one does, and keep the leading
zeros of a code where one does, wins; a tie goes to the newer content (its time as for recency), then the newer
file, then the one with more rows, then the first path. The reasons are the criteria on which the recommended member
is best and the members differ, `extracts` when other members are extracts of it, `unique` when members that hold a
key twice were passed over, and `zeros` when members that lost a code's leading zeros were; when there is none of
these, what else decided (`_decider`): `alike` when all members have the same rows and values, else `score` (the
highest total, though best on no criterion alone), `newer`, `rows` or `first` (the tie-break that set it apart).
"""

from __future__ import annotations

import collections
from collections.abc import Sequence

import duckdb

from peil.scan import zeros
from peil.scan.group import align
from peil.scan.model import Column, Conflict, Group, Member, Presence, Table

WEIGHTS = {"keys": 0.3, "agreement": 0.3, "completeness": 0.2, "recency": 0.2}
NATURAL = "list_transform(k, lambda x: {'number': TRY_CAST(x AS DOUBLE), 'text': x})"  # numbers first, as numbers
SAME_TIME = 60.0  # seconds
TIES = ("score", "newer", "newer", "rows", "first")  # the parts of a candidate's rank (see `_score`), in turn


def analyse(con: duckdb.DuckDBPyConnection, tables: Sequence[Table], group_id: str, limit: int) -> Group:
    """The group of `tables` (copies of one table, their relations in `con`): columns, key, keys not everywhere,
    conflicts (the first `limit` of each) and the recommended member."""
    ordered = sorted(tables, key=lambda t: (t.modified, t.path, t.sheet or ""))
    mapping, lost = zeros.restore(con, ordered, _columns(ordered))
    members = [
        Member(t, [t.columns[i].name if i is not None else None for i in m], zeros=lost.get(n, []))
        for n, (t, m) in enumerate(zip(ordered, mapping, strict=True))
    ]
    names = _names(ordered, mapping)
    group = Group(group_id, members, names, _key(ordered, mapping))
    held: list[set[int]] = []
    differing: set[frozenset[int]] = set()
    if group.key:
        _compare(con, group, mapping, limit)
        held, differing = _differences(con)
    same = _same(group, mapping, held, differing)
    for m, first in enumerate(same):
        group.members[m].same_as = first if first != m else None
    agreement = _agreement(con, group, same)
    if group.key:
        _extracts(group, mapping, held, differing)
        _list_presence(con, group, limit)
    _score(group, mapping, agreement, same)
    return group


def _columns(tables: Sequence[Table]) -> list[list[int | None]]:
    """The group's columns: per table the index of its column in each group column (None: lacks it)."""
    order = _widest_first(tables)
    representatives: list[Column] = []
    members: list[list[tuple[int, int]]] = []  # per group column: (table, column)
    for t in order:
        matched = dict(align(representatives, tables[t].columns))
        taken = set(matched.values())
        for g, c in matched.items():
            members[g].append((t, c))
        for c, column in enumerate(tables[t].columns):
            if c not in taken:
                representatives.append(column)
                members.append([(t, c)])
    mapping: list[list[int | None]] = [[None] * len(members) for _ in tables]
    for g, held in enumerate(members):
        for t, c in held:
            mapping[t][g] = c
    return mapping


def _names(tables: Sequence[Table], mapping: list[list[int | None]]) -> list[str]:
    """Each group column's name: the one most tables give it (ties: the widest table's, see `_widest_first`)."""
    order = _widest_first(tables)
    names = []
    for g in range(len(mapping[0]) if mapping else 0):
        given = collections.Counter(tables[t].columns[c].name for t in order if (c := mapping[t][g]) is not None)
        names.append(given.most_common(1)[0][0])
    return names


def _widest_first(tables: Sequence[Table]) -> list[int]:
    """The tables' indexes, the most columns first, then the most rows, then in order."""
    return sorted(range(len(tables)), key=lambda i: (-len(tables[i].columns), -tables[i].rows, i))


def _key(tables: Sequence[Table], mapping: list[list[int | None]]) -> tuple[int, ...]:
    """The group columns that are a key together in most tables (ties: the fewest columns, then the leftmost);
    empty when no table has a key."""
    votes: collections.Counter[tuple[int, ...]] = collections.Counter()
    for table, row in zip(tables, mapping, strict=True):
        group_column = {c: g for g, c in enumerate(row) if c is not None}
        votes.update(tuple(sorted(group_column[c] for c in key.columns)) for key in table.keys)
    if not votes:
        return ()
    best = max(votes.values())
    return min((key for key, n in votes.items() if n == best), key=lambda key: (len(key), key))


def _compare(con: duckdb.DuckDBPyConnection, group: Group, mapping: list[list[int | None]], limit: int) -> None:
    """Fill in the members' key counts and duplicates, the keys not everywhere (table `partial`) and the conflicts
    (table `conflicts`: k, j, m, v). A row's key `k` is the list of its key values."""
    holders = group.holders
    con.execute(f"CREATE OR REPLACE TEMP TABLE g AS {' UNION ALL '.join(_rows(con, group, mapping, holders))}")
    for m, count in con.execute("SELECT m, count(*) FROM g GROUP BY m").fetchall():
        group.members[int(m)].keys = int(count)
    group.keys_total = int(con.execute("SELECT count(DISTINCT k) FROM g").fetchall()[0][0])
    _presence(con, group, len(holders))
    compared = [
        (g, [m for m in holders if mapping[m][g] is not None]) for g in range(len(group.columns)) if g not in group.key
    ]
    cells = " UNION ALL ".join(
        f"SELECT k, {g} AS j, m, v{g} AS v FROM g WHERE m IN ({', '.join(map(str, members))})"  # noqa: S608
        for g, members in compared
        if len(members) > 1
    )
    differing = (
        f"WITH cells AS ({cells}) SELECT * FROM cells SEMI JOIN (SELECT k, j FROM cells GROUP BY k, j "  # noqa: S608
        "HAVING count(DISTINCT v) + CAST(count(*) > count(v) AS INTEGER) > 1) USING (k, j)"
    )
    nothing = "SELECT NULL::VARCHAR[] AS k, NULL::INTEGER AS j, NULL::INTEGER AS m, NULL::VARCHAR AS v LIMIT 0"
    con.execute(f"CREATE OR REPLACE TEMP TABLE conflicts AS {differing if cells else nothing}")
    group.conflicts_total = int(con.execute("SELECT count(DISTINCT (k, j)) FROM conflicts").fetchall()[0][0])
    found = con.execute(
        f"SELECT k, j, list((m, v) ORDER BY m) FROM conflicts GROUP BY k, j ORDER BY {NATURAL}, j LIMIT {limit}"  # noqa: S608
    ).fetchall()
    group.conflicts = [
        Conflict(tuple(k), group.columns[int(j)], [(int(m), v) for m, v in values]) for k, j, values in found
    ]


def _rows(
    con: duckdb.DuckDBPyConnection, group: Group, mapping: list[list[int | None]], holders: list[int]
) -> list[str]:
    """SQL per member holding the key columns: (m, k, v0, v1, ...) for the first row of each key whose values
    are all filled (see `_compare`), and each member's count of rows whose key occurs earlier too."""
    selects = []
    for m in holders:
        relation = group.members[m].table.relation
        row = _values(group.members[m], mapping[m])
        k = f"[{', '.join(str(row[g]) for g in group.key)}]"
        filled = " AND ".join(f"{row[g]} IS NOT NULL" for g in group.key)
        values = ", ".join(f"{value or 'NULL::VARCHAR'} AS v{g}" for g, value in enumerate(row))
        selects.append(
            f"SELECT {m} AS m, {k} AS k, {values} FROM {relation} WHERE {filled} "  # noqa: S608
            f"QUALIFY row_number() OVER (PARTITION BY k ORDER BY _row) = 1"
        )
        counted = con.execute(f"SELECT count(*) - count(DISTINCT {k}) FROM {relation} WHERE {filled}").fetchall()  # noqa: S608
        group.members[m].duplicates = int(counted[0][0])
    return selects


def _values(member: Member, row: list[int | None]) -> list[str | None]:
    """SQL per group column: the member's value in it (None: it lacks the column), a code whose leading zeros it
    lost padded back with them to the code's width (Member.zeros), a longer value left as it is."""
    width = {zeros.column: zeros.width for zeros in member.zeros}
    values: list[str | None] = []
    for g, c in enumerate(row):
        if c is None:
            values.append(None)
        elif g in width:
            values.append(f"lpad(c{c}, CAST(greatest(length(c{c}), {width[g]}) AS INTEGER), '0')")
        else:
            values.append(f"c{c}")
    return values


def _presence(con: duckdb.DuckDBPyConnection, group: Group, holders: int) -> None:
    """The keys not in every member holding the key columns, into table `partial` (k, ms: the members holding
    it), one pass over g, and their number into `group.presence_total`."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE partial AS SELECT k, list(m ORDER BY m) AS ms FROM g GROUP BY k "
        "HAVING count(*) < ?",
        [holders],
    )
    group.presence_total = int(con.execute("SELECT count(*) FROM partial").fetchall()[0][0])


def _list_presence(con: duckdb.DuckDBPyConnection, group: Group, limit: int) -> None:
    """The first `limit` keys of table `partial` into `group.presence`: first those a member that is no extract
    lacks (a key removed or added in a version), then those only extracts lack (every member holding the key
    columns that is no extract holds them: missing from a filtered export), each in natural order; and the number
    of the latter into `group.absent_from_extracts`. Needs the members' `extract_of` (see `_extracts`)."""
    versions = [m for m in group.holders if not group.members[m].extract_of]  # a key they all hold: extracts lack it
    only_extracts = "list_has_all(ms, ?::INTEGER[])"
    group.absent_from_extracts = int(
        con.execute(f"SELECT count(*) FROM partial WHERE {only_extracts}", [versions]).fetchall()[0][0]  # noqa: S608
    )
    found = con.execute(
        f"SELECT k, ms FROM partial ORDER BY {only_extracts}, {NATURAL} LIMIT {limit}",  # noqa: S608
        [versions],
    ).fetchall()
    group.presence = [Presence(tuple(k), [int(m) for m in ms]) for k, ms in found]


def _differences(con: duckdb.DuckDBPyConnection) -> tuple[list[set[int]], set[frozenset[int]]]:
    """The distinct sets of members holding a key not everywhere (few, however many keys; a key everywhere is held
    by every member with the key columns), and the pairs of members holding different values in a cell."""
    held = [set(ms) for (ms,) in con.execute("SELECT DISTINCT ms FROM partial").fetchall()]
    differing = {
        frozenset(pair)
        for pair in con.execute(
            "SELECT DISTINCT a.m, b.m FROM conflicts AS a JOIN conflicts AS b USING (k, j) "
            "WHERE a.m < b.m AND a.v IS DISTINCT FROM b.v"
        ).fetchall()
    }
    return held, differing


def _same(
    group: Group, mapping: list[list[int | None]], held: list[set[int]], differing: set[frozenset[int]]
) -> list[int]:
    """Per member, the index of the first (so the oldest) member with the same rows and values: itself when no
    earlier one has them. Two members have them when their files hold the same bytes (and sheet), or when both hold
    the key columns, as many rows, the same keys (`held`: see `_differences`) and the same group columns, and no
    cell differs between them (`differing`): a copy, the list saved again in Excel, or exported to CSV. Without a
    key no rows are compared, so only the same bytes are the same rows and values."""
    holders = set(group.holders) if group.key else set()

    def alike(a: int, b: int) -> bool:
        first, second = group.members[a].table, group.members[b].table
        if (first.sha256, first.sheet) == (second.sha256, second.sheet):
            return True
        return (
            {a, b} <= holders
            and first.rows == second.rows
            and all((a in members) == (b in members) for members in held)
            and [c is None for c in mapping[a]] == [c is None for c in mapping[b]]
            and frozenset((a, b)) not in differing
        )

    return [next(a for a in range(m + 1) if alike(a, m)) for m in range(len(group.members))]


def _agreement(con: duckdb.DuckDBPyConnection, group: Group, same: list[int]) -> dict[int, float]:
    """Per member in a conflict with a majority value: the share of those conflicts where it holds that value.
    Members with the same rows and values (`same`: see `_same`) are one vote. Without conflicts, nothing is read."""
    if not group.conflicts_total:
        return {}
    found = con.execute(
        """
        WITH counts AS (SELECT k, j, v, count(DISTINCT $copy[m + 1]) AS n FROM conflicts GROUP BY ALL),
        ranked AS (
            SELECT k, j, v, rank() OVER (PARTITION BY k, j ORDER BY n DESC) AS r,
                   count(*) OVER (PARTITION BY k, j, n) AS ties
            FROM counts
        ),
        majority AS (SELECT k, j, v FROM ranked WHERE r = 1 AND ties = 1)
        SELECT c.m, avg(CAST(c.v IS NOT DISTINCT FROM mj.v AS INTEGER))
        FROM conflicts AS c JOIN majority AS mj USING (k, j) GROUP BY c.m
        """,
        {"copy": same},
    ).fetchall()
    return {int(m): float(share) for m, share in found}


def _extracts(
    group: Group, mapping: list[list[int | None]], held: list[set[int]], differing: set[frozenset[int]]
) -> None:
    """Set each member's `extract_of` (see the module docstring), from the sets of members holding a key not
    everywhere and the pairs of members holding different values in a cell (see `_differences`)."""
    everyone = set(group.holders)
    for a, member in enumerate(group.members):
        if member.keys and member.keys == member.table.rows:
            holding = everyone.intersection(*(members for members in held if a in members))  # every key of a
            member.extract_of = [
                b
                for b in sorted(holding)
                if group.members[b].keys > member.keys
                and all(mapping[b][g] is not None for g, c in enumerate(mapping[a]) if c is not None)
                and frozenset((a, b)) not in differing
            ]


def _score(group: Group, mapping: list[list[int | None]], agreement: dict[int, float], same: list[int]) -> None:
    """Score every member (see the module docstring) and set the recommended one with its reasons. A member's time
    is that of the oldest member with the same rows and values (`same`: see `_same`)."""
    files = [m.table.modified.timestamp() for m in group.members]
    times = [files[same[m]] for m in range(len(group.members))]
    oldest, span = min(times), max(times) - min(times)
    for m, member in enumerate(group.members):
        table, row = member.table, mapping[m]
        filled = sum(table.columns[c].filled for c in row if c is not None)
        member.criteria = {
            "keys": member.keys / group.keys_total if group.keys_total else 1.0,
            "agreement": agreement.get(m, 1.0),
            "completeness": filled / (table.rows * len(group.columns)),
            "recency": (times[m] - oldest) / span if span >= SAME_TIME else 1.0,
        }
        member.score = sum(WEIGHTS[name] * value for name, value in member.criteria.items())
    candidates = [m for m, member in enumerate(group.members) if not member.extract_of]
    for flawed in ("duplicates", "zeros"):  # a member with keys twice, or lost zeros, passed over while one is not
        if any(not getattr(group.members[m], flawed) for m in candidates):
            candidates = [m for m in candidates if not getattr(group.members[m], flawed)]
    ranks: dict[int, tuple[float, ...]] = {
        m: (round(group.members[m].score, 9), times[m], files[m], group.members[m].table.rows, -m) for m in candidates
    }
    best = max(candidates, key=lambda m: ranks[m])
    group.recommended = best
    group.reasons = _reasons(group) or [_decider(ranks, best, len(set(same)) == 1)]


def _reasons(group: Group) -> list[str]:
    """The criteria on which the recommended member is best and the members differ, `extracts` when other members
    are extracts of it, `unique` when members holding a key twice were passed over, and `zeros` when members
    that lost the leading zeros of a code were."""
    best = group.members[group.recommended]
    return (
        [
            name
            for name in WEIGHTS
            if len({round(m.criteria[name], 9) for m in group.members}) > 1
            and round(best.criteria[name], 9) == max(round(m.criteria[name], 9) for m in group.members)
        ]
        + (["extracts"] if group.extracts else [])
        + (["unique"] if group.doubled else [])
        + (["zeros"] if group.zeros_lost else [])
    )


def _decider(ranks: dict[int, tuple[float, ...]], best: int, alike: bool) -> str:
    """What ranks `best` first when it is best on no criterion that sets the members apart: `alike` when all
    members have the same rows and values, else the part of its rank (TIES) that sets it above its closest rival."""
    if alike:
        return "alike"
    parts = [
        next(i for i, (a, b) in enumerate(zip(ranks[best], rank, strict=True)) if a != b)
        for rank in ranks.values()
        if rank != ranks[best]
    ]
    return TIES[max(parts, default=0)]
