"""Column names from a file's header, and where each declared field is among them."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence

from peil.errors import Location, Remark, SourceError
from peil.messages import N_, Problem
from peil.workspace import SchemaField


def header_names(cells: Sequence[str], width: int, where: Location) -> tuple[list[str | None], list[Remark]]:
    """Names for `width` columns from the header cells, and a remark per renamed column.

    Names are stripped of surrounding spaces. An empty cell gives no name (None): such a column cannot be
    declared and is not loaded. A repeated name becomes name_2, name_3, ..., skipping any name the header already
    has, so `a;a;a_2` reads as a, a_3, a_2 and no column overwrites another (peer case CSV-06).
    """
    stripped = [cell.strip() for cell in cells[:width]] + [""] * max(0, width - len(cells))
    taken = set(stripped)
    seen: set[str] = set()
    names: list[str | None] = []
    remarks = []
    for number, name in enumerate(stripped, start=1):
        if name and name in seen:
            suffix = 2
            while f"{name}_{suffix}" in taken:
                suffix += 1
            renamed = f"{name}_{suffix}"
            taken.add(renamed)
            column = dataclasses.replace(where, column=name)
            problem = Problem(
                N_("column %(number)s repeats the name %(name)s and is read as %(renamed)s"),
                {"number": str(number), "name": f"'{name}'", "renamed": f"'{renamed}'"},
            )
            remarks.append(Remark(column, problem))
            name = renamed
        seen.add(name)
        names.append(name or None)
    return names, remarks


def field_positions(
    fields: Sequence[SchemaField], names: Sequence[str | None], where: Location
) -> tuple[list[int], list[Remark]]:
    """The 0-based column of each declared field, and a remark naming the columns that are not declared.

    Raises SourceError naming the first declared field the header lacks, the header found and a close match.
    """
    index = {name: i for i, name in enumerate(names) if name is not None}
    found = [name for name in names if name is not None]
    missing = [f.name for f in fields if f.name not in index]
    if missing:
        raise SourceError(
            f"the header has no column '{missing[0]}', which the schema declares{_guess(missing[0], found)}",
            where,
            hint=f"The header has: {', '.join(found) or '(nothing)'}. "
            + (f"Also missing: {', '.join(missing[1:])}. " if len(missing) > 1 else "")
            + "Rename the field in the schema or the column in the file, or check options.header_row "
            + "(and options.delimiter for a text file).",
        )
    declared = {f.name for f in fields}
    extra = [name for name in found if name not in declared]
    unloaded = Problem.literal(f"columns not in the schema are not loaded: {', '.join(extra)}")
    return [index[f.name] for f in fields], [Remark(where, unloaded)] if extra else []


def _guess(name: str, found: list[str]) -> str:
    lowered = {candidate.lower(): candidate for candidate in found}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""
