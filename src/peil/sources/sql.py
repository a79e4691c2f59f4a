"""SQL text for values and names that peil builds into queries: quoted so that no input can change the query."""

from __future__ import annotations

from collections.abc import Sequence


def identifier(name: str) -> str:
    """A double-quoted SQL identifier; a double quote inside the name is doubled."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A single-quoted SQL string literal; a single quote inside the value is doubled."""
    return "'" + value.replace("'", "''") + "'"


def literal_list(values: Sequence[str]) -> str:
    """A SQL list of string literals: ['', 'NA'] -> `['', 'NA']`."""
    return "[" + ", ".join(literal(v) for v in values) + "]"
