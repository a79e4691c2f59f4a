"""What a failing table check found, in words, in the language of whoever reads it.

A table check (row_count, freshness, schema_drift) that fails says why as `Problem`s: an English message id with
named values. `say` puts them in words: in English for the terminal and the stored `message`, in the report's
language on the quality page (the message ids are in the report catalogs: `make catalogs` extracts `N_`). A value
is shown by its name's ending: `_minutes` a duration (3 days), `_change` a signed percentage (+12.5), a list its
items joined; any other number with the locale's grouping (1.204 in Dutch).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_timedelta
from babel.numbers import format_decimal

ENGLISH = "en_GB"


def N_(text: str) -> str:
    """Mark `text` as a message id for the catalogs; it is translated where it is shown."""
    return text


@dataclass(frozen=True)
class Problem:
    """One thing a failing check found: `text`, an English message id with %(name)s placeholders, and the values."""

    text: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "values": self.values}


def say(
    problems: Iterable[Problem | dict[str, Any]], gettext: Callable[[str], str] = N_, locale: str = ENGLISH
) -> str | None:
    """The problems in words, joined by '; ' (None for none): each text through `gettext`, its values shown in
    `locale` (a Babel locale such as 'nl_BE'). Takes Problems or their JSON form (detail["problems"])."""
    said = []
    for problem in problems:
        text, values = (
            (problem.text, problem.values) if isinstance(problem, Problem) else (problem["text"], problem["values"])
        )
        said.append(gettext(text) % {name: _shown(name, value, locale) for name, value in values.items()})
    return "; ".join(said) or None


def _shown(name: str, value: Any, locale: str) -> str:
    if name.endswith("_minutes"):
        return str(format_timedelta(dt.timedelta(minutes=value), threshold=3, locale=locale))
    if name.endswith("_change"):
        return str(format_decimal(value, "+#,##0.0;-#,##0.0", locale=locale))
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(format_decimal(value, locale=locale))
    return str(value)
