"""Masking failing values before they are shown: in check results and on the report, never in the quarantine.

For a source classified personal, special_category or confidential, a value is masked when its column is checked
as an identifier or its name suggests a person. A national register number keeps its birth date
(85.07.30-***.**), another identifier its first four characters (BE54************), any other value the first
character of each word (J** P******).
"""

from __future__ import annotations

import re

from stdnum.be import nn

from peil.privacy import national_number_name, suggests_person

SENSITIVE = frozenset({"personal", "special_category", "confidential"})
KEEP_IDENTIFIER = 4


def needs_masking(classification: str, column: str | None, identifier: bool) -> bool:
    """Whether values of `column` (None: several or no column) are masked in a source of `classification`."""
    if classification not in SENSITIVE:
        return False
    return identifier or column is None or suggests_person(column)


def mask(value: str | None, check_type: str, identifier: bool) -> str | None:
    """`value` masked: see the module's rules. None stays None."""
    if value is None:
        return None
    if check_type == "national_register_number":
        digits = re.sub(r"\D", "", value)
        if len(digits) == 11:
            return nn.format(digits)[:8] + "-***.**"
    if identifier:
        kept = 0
        masked = []
        for char in value:
            if char.isalnum():
                kept += 1
                masked.append(char if kept <= KEEP_IDENTIFIER else "*")
            else:
                masked.append(char)
        return "".join(masked)
    return re.sub(r"(?<=\w)\w", "*", value)


def mask_shown(classification: str, column: str, value: object, key: bool = False) -> object:
    """A value of `column` as a published page may show it: masked (as text) when the source's classification
    is sensitive and the column is a key (masked as an identifier) or suggests a person; else unchanged. A column
    named after the national register number keeps the birth date only."""
    if value is None or not needs_masking(classification, column, key):
        return value
    check_type = "national_register_number" if national_number_name(column) else ""
    return mask(str(value), check_type, key)
