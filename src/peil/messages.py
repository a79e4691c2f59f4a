"""Messages in words, in the language of whoever reads them: an English message id with named values.

A `Problem` is what a failing table check found, what a reader remarks on a file (peil.errors.Remark), why a
file cannot be read (PeilError.problem), or what the stray-copy scanner flags. `say` and `in_words` put it in
words: in English for the terminal and the stored messages, in the report's language on its pages (the message
ids are in the report catalogs: `make catalogs` extracts `N_` from the files the Makefile's MESSAGES lists). A
value is shown by its name's ending: `_minutes` a duration (3 days), `_change` a signed percentage (+12.5), a list
its items joined; any other number with the locale's grouping (1.204 in Dutch).

This module imports nothing of peil, so that every layer (errors, sources, quality, scan, reports) can use it.
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
    """One thing found: `text`, an English message id with %(name)s placeholders, and the values."""

    text: str
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def literal(cls, text: str) -> Problem:
        """A text that is no message id (a reader's warning peil has no words for): shown as it is everywhere."""
        return cls(text.replace("%", "%%"))

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "values": self.values}


def say(
    problems: Iterable[Problem | dict[str, Any]], gettext: Callable[[str], str] = N_, locale: str = ENGLISH
) -> str | None:
    """The problems in words, joined by '; ' (None for none): each text through `gettext`, its values shown in
    `locale` (a Babel locale such as 'nl_BE'). Takes Problems or their JSON form (detail["problems"])."""
    said = [
        in_words(
            problem if isinstance(problem, Problem) else Problem(problem["text"], problem["values"]), gettext, locale
        )
        for problem in problems
    ]
    return "; ".join(said) or None


def in_words(problem: Problem, gettext: Callable[[str], str] = N_, locale: str = ENGLISH) -> str:
    """One problem in words: its text through `gettext`, its values shown in `locale`."""
    return gettext(problem.text) % {name: _shown(name, value, locale) for name, value in problem.values.items()}


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
