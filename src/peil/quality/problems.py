"""The short English reason codes a failing row is recorded with, in words, in the language of whoever reads them.

A failing row's reason (peil.quality.compile: 'null', 'below minimum', 'not in <dataset>', ...) is put in words by
`reason_text`, through the report catalogs: the quality page and the quarantine workbook show it in their language.
What a failing table check found, a reader's remarks and the scanner's flags are Problems (peil.messages).
"""

from __future__ import annotations

from collections.abc import Callable

from peil.messages import N_

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
