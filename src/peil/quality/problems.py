"""What a failing table check found, in words, in the language of whoever reads it.

A table check (row_count, freshness, schema_drift) that fails says why as `Problem`s: an English message id with
named values. `say` puts them in words: in English for the terminal and the stored `message`, in the report's
language on the quality page (the message ids are in the report catalogs: `make catalogs` extracts `N_`). A value
is shown by its name's ending: `_minutes` a duration (3 days), `_change` a signed percentage (+12.5), a list its
items joined; any other number with the locale's grouping (1.204 in Dutch).

The scanner's remarks on the files it reads (peil.scan.read) are Problems too, and so are, through `reason_text`,
the short English reason codes a failing row is recorded with (peil.quality.compile: 'null', 'below minimum',
'not in <dataset>', ...): the quality page and the quarantine workbook show them in their language.
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


REASONS = {
    "null": N_("empty"),
    "nan": N_("not a number (NaN)"),
    "duplicate": N_("occurs more than once"),
    "duplicate key": N_("key occurs more than once"),
    "empty key": N_("key not filled in"),
    "not accepted": N_("not an accepted value"),
    "below minimum": N_("below the minimum"),
    "above maximum": N_("above the maximum"),
    "no match": N_("does not have the expected form"),
    "too short": N_("too short"),
    "too long": N_("too long"),
    "in the future": N_("in the future"),
    "invalid": N_("not valid (check digits or form)"),
    "not a postcode": N_("not a Belgian postcode"),
    "not a NIS code": N_("not a NIS code"),
    "not in the list": N_("not in the reference list"),
    "custom": N_("found by the custom check"),
    "not a whole number": N_("not a whole number"),
    "not a number": N_("not a number"),
    "not a year": N_("not a year"),
    "not true or false": N_("not true or false"),
    "not a date": N_("not a date"),
    "not a date and time": N_("not a date and time"),
    "does not fit its type": N_("does not fit its type"),
}
NAMED_REASONS = (
    ("not in ", N_("not in %(name)s")),
    ("before ", N_("before %(name)s")),
    ("after ", N_("after %(name)s")),
)


def reason_text(reason: str | None, gettext: Callable[[str], str] = N_) -> str | None:
    """A failing row's recorded reason (a code of peil.quality.compile) in words, through `gettext`: 'below
    minimum' -> 'below the minimum' in English, 'onder het minimum' in Dutch. A reason peil does not know (one a
    custom check returns) comes back as it is."""
    if reason is None:
        return None
    if reason in REASONS:
        return gettext(REASONS[reason])
    for prefix, text in NAMED_REASONS:
        if reason.startswith(prefix):
            return gettext(text) % {"name": reason.removeprefix(prefix)}
    return reason


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
