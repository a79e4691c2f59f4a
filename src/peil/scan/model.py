"""What a scan finds: the tables it read, the files it skipped, and the groups of copies with their differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from peil.messages import Problem, in_words
from peil.sources.excel import HIDDEN_SHEET, VERY_HIDDEN_SHEET

if TYPE_CHECKING:
    from datasketch import MinHash  # type: ignore[import-untyped]

Hashes = np.ndarray[Any, np.dtype[np.uint32]]
SEPARATOR = " | "  # between the values (or column names) of a compound key as shown


def joined(parts: Sequence[str]) -> str:
    """A key's values or column names as shown: '36015 | 2024' (one value: itself)."""
    return SEPARATOR.join(parts)


def located(path: str, *sheets: str | None) -> str:
    """A file as shown with the sheets named (None: none): 'personeel.xlsx [Personeel]', 'personeel.xlsx [oud,
    Data]'; with no sheet (a CSV file), its path alone: 'personeel.csv'. Which sheets to name is the caller's:
    `Table.label` names one only where the workbook has others, `peil.scan.adopt.shown` the one read."""
    named = [sheet for sheet in sheets if sheet]
    return f"{path} [{', '.join(named)}]" if named else path


class Hashed(Protocol):
    """A set of values as 32-bit hashes, sorted and unique: a Column's, or a Key's combined values'."""

    @property
    def hashes(self) -> Hashes: ...


@dataclass(frozen=True)
class Column:
    """One column of a scanned table: its header name, the type infer gives it (and its date format), how many
    cells are filled, how many distinct values they hold, the 32-bit hashes of those values (canonical text),
    sorted and unique (4 bytes a value), and a MinHash of them for finding candidate copies."""

    name: str
    type: str
    format: str | None
    filled: int
    distinct: int
    hashes: Hashes
    sketch: MinHash


@dataclass(frozen=True)
class Key:
    """Columns of a table (by index, ascending) whose values together identify a row: one column, or a compound
    key of two or three. `hashes` are the 32-bit hashes of the key's distinct values (for a compound key, the sum
    of its columns' hashes, so it does not depend on the order of the columns, and a row with two key values
    swapped hashes alike; for one column, the column's own hashes), sorted and unique, and `sketch` their
    MinHash."""

    columns: tuple[int, ...]
    hashes: Hashes
    sketch: MinHash


@dataclass
class Table:
    """A table read from one file (one sheet of a workbook): where it is and what it holds.

    `path` is relative to the scanned folder (posix); `sheet` names the sheet when the workbook holds tables on
    more than one sheet, else it is None (`options` names it anyway); `format` and `options` are how
    peil.sources reads it (options as a source YAML writes them, with the number format); `modified` is the
    file's mtime (UTC); `keys` are its candidate keys (peil.scan.read.candidate_keys): the columns that can
    identify a row on their own (text, integer, year or date; at least 95% filled and distinct), else the pairs
    (else triples) of such columns, always filled, whose values are unique together; `remarks` say what is odd
    about the file though it was read (message ids with values, put in words where they are shown: `flags` in
    English); `relation` is SQL reading its canonical values (_row, then c0, c1, ... for the columns) while the
    scan runs.
    """

    path: str
    sheet: str | None
    format: str
    options: dict[str, Any]
    modified: datetime
    size: int
    sha256: str
    rows: int
    columns: list[Column]
    keys: list[Key]
    remarks: list[Problem]
    relation: str

    @property
    def flags(self) -> list[str]:
        """The remarks in English."""
        return [in_words(remark) for remark in self.remarks]

    @property
    def label(self) -> str:
        """The path, with the sheet when the workbook holds tables on more than one sheet."""
        return located(self.path, self.sheet)

    @property
    def hidden(self) -> bool:
        """Whether the table is on a sheet hidden (or very hidden) in its workbook: as the remarks say, old data."""
        return any(problem.text in (HIDDEN_SHEET, VERY_HIDDEN_SHEET) for problem in self.remarks)


@dataclass(frozen=True)
class Skipped:
    """A file (or one sheet of a workbook) the scan could not read as a table, and why (`problem`, put in words
    where it is shown; `reason` in English)."""

    path: str
    problem: Problem
    sheet: str | None = None

    @property
    def reason(self) -> str:
        return in_words(self.problem)


@dataclass(frozen=True)
class LostZeros:
    """A code a member holds as numbers (5) that other members hold as text padded with zeros to `width` digits
    ('00005'), the leading zeros lost (see peil.scan.zeros): its group column (index), the width, and an example:
    a value with its zeros, and the same as the member holds it."""

    column: int
    width: int
    kept: str
    lost: str


@dataclass
class Member:
    """A table in a group, scored (see peil.scan.compare): its criteria, each from 0 to 1, and the total.

    `columns` maps each of the group's columns to this table's column name (None: it lacks the column);
    `duplicates` counts rows whose key occurs earlier in the table too; `extract_of` holds the indexes of the
    members that hold every row of it, with the same values, and more keys (it is an extract of each, never
    recommended over them); `same_as` is the index of the first (oldest) member with the same rows and values
    (the same bytes, or a copy saved again or exported: peil.scan.compare), None when no earlier member has them;
    `zeros` are the codes whose leading zeros it lost (its values are compared padded back with them).
    """

    table: Table
    columns: list[str | None]
    keys: int = 0
    duplicates: int = 0
    extract_of: list[int] = field(default_factory=list)
    same_as: int | None = None
    zeros: list[LostZeros] = field(default_factory=list)
    criteria: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


@dataclass(frozen=True)
class Conflict:
    """A cell that differs between copies: the key of its row (its value in each key column), the column, and the
    value in each member that holds the row and the column (member index, canonical text or None for an empty
    cell), oldest member first."""

    key: tuple[str, ...]
    column: str
    values: list[tuple[int, str | None]]

    @property
    def label(self) -> str:
        return joined(self.key)


@dataclass(frozen=True)
class Presence:
    """A key (its value in each key column) held by some members of a group but not by all: the member indexes
    that hold it."""

    key: tuple[str, ...]
    members: list[int]

    @property
    def label(self) -> str:
        return joined(self.key)


@dataclass
class Group:
    """Tables that are copies or versions of one table, oldest first, and how they differ.

    `columns` names the group's columns (the name most members give each); `key` holds the columns (indexes in
    `columns`, ascending) rows are matched by, one or a compound key (empty: no shared key, so no cells are
    compared) and `keys_total` the number of its values in all members;
    `presence` and `conflicts` are the first LIMIT of their
    kind, `presence_total` and `conflicts_total` count them all; `presence` lists first the keys that a member
    which is no extract lacks, then those that only extracts lack (peil.scan.compare._list_presence), which
    `absent_from_extracts` counts (they are in `presence_total` too); `recommended` is the member index of the
    authoritative version and `reasons` why (peil.scan.compare): the criteria on which it is best, `extracts`,
    `unique` and `zeros`, or, when none of these, what else decided (`alike`, `score`, `newer`, `rows` or `first`).
    """

    id: str
    members: list[Member]
    columns: list[str]
    key: tuple[int, ...]
    keys_total: int = 0
    presence: list[Presence] = field(default_factory=list)
    presence_total: int = 0
    absent_from_extracts: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    conflicts_total: int = 0
    recommended: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def key_names(self) -> list[str]:
        return [self.columns[g] for g in self.key]

    @property
    def key_label(self) -> str:
        """The key's column names as shown: 'nis_code | jaar'."""
        return joined(self.key_names)

    @property
    def extracts(self) -> list[int]:
        """The members that are extracts of the recommended one (see Member.extract_of)."""
        return [m for m, member in enumerate(self.members) if self.recommended in member.extract_of]

    @property
    def all_extracts(self) -> list[int]:
        """The members that are an extract of any other member (see Member.extract_of)."""
        return [m for m, member in enumerate(self.members) if member.extract_of]

    @property
    def renamed(self) -> list[tuple[str, str, list[int]]]:
        """The group's columns that members name otherwise: (group column, the other name, the members naming it
        so), in the order of the columns: [('loon', 'brutoloon', [3])]."""
        found: dict[tuple[str, str], list[int]] = {}
        for m, member in enumerate(self.members):
            for column, name in zip(self.columns, member.columns, strict=True):
                if name is not None and name != column:
                    found.setdefault((column, name), []).append(m)
        order = {column: g for g, column in enumerate(self.columns)}
        return sorted(((c, n, ms) for (c, n), ms in found.items()), key=lambda item: (order[item[0]], item[2]))

    def lost(self, zeros: LostZeros) -> str:
        """A code whose leading zeros a member lost, by its group column and example: 'personeelsnummer: 00001 ->
        1'."""
        return f"{self.columns[zeros.column]}: {zeros.kept} -> {zeros.lost}"

    @property
    def zeros_lost(self) -> list[int]:
        """The members that lost the leading zeros of a code (see Member.zeros), when the recommended one did not."""
        return self._passed_over(lambda member: bool(member.zeros))

    @property
    def warnings(self) -> list[str]:
        """What to beware of in the recommended member: `hidden` when it is on a sheet hidden in its workbook."""
        return ["hidden"] if self.members[self.recommended].table.hidden else []

    @property
    def doubled(self) -> list[int]:
        """The members holding a key twice, when the recommended one holds each key once (see Member.duplicates)."""
        return self._passed_over(lambda member: bool(member.duplicates))

    def _passed_over(self, flawed: Callable[[Member], bool]) -> list[int]:
        """The members that are `flawed`, when the recommended one is not (see `zeros_lost` and `doubled`)."""
        if flawed(self.members[self.recommended]):
            return []
        return [m for m, member in enumerate(self.members) if flawed(member)]

    @property
    def holders(self) -> list[int]:
        """The members that have every column of the key, so their rows can be matched."""
        return [m for m, member in enumerate(self.members) if all(member.columns[g] is not None for g in self.key)]

    def lacking(self, presence: Presence) -> list[int]:
        """The members that lack a key not everywhere: those that have the key columns, but not this key."""
        return [m for m in self.holders if m not in presence.members]


@dataclass
class Scan:
    """The result of scanning a folder: groups of copies, tables without copies, files skipped, and how long."""

    folder: Path
    groups: list[Group]
    singles: list[Table]
    skipped: list[Skipped]
    files: int
    seconds: float

    @property
    def flagged(self) -> list[Table]:
        """Every table read with flags, grouped or not, in path order."""
        tables = [m.table for g in self.groups for m in g.members] + self.singles
        return sorted((t for t in tables if t.remarks), key=lambda t: (t.path, t.sheet or ""))

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)
