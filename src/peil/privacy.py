"""Telling personal data apart: which columns hold or suggest data about a person.

Two uses: masking failing values before they are shown (peil.quality.mask) and proposing a source's data
classification (peil.sources.infer), so that a file with national register numbers is not proposed as merely
`internal`. The evidence is the column's name (PERSON_WORDS: naam, rijksregisternummer, geboortedatum, adres,
telefoon, iban, klant, ...) or its values: Belgian national register or BIS numbers by their check digits
(python-stdnum be.nn and be.bis).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from stdnum.be import bis, nn

PERSON_WORDS = re.compile(
    r"naam|name|rijksregister|insz|niss|nrn|bis|geboort|birth|adres|address|straat|street|woonplaats|mail|"
    r"telefoon|phone|gsm|mobiel|iban|rekening|account|persoon|person|klant|client|cliënt|patient|patiënt",
    re.IGNORECASE,
)
PERSONAL_NAME = re.compile(  # a column that by its name alone holds personal data; not naam or name (of what?)
    r"^((voor|achter|familie|roep)naam|(first|last|full|family|given)_?name|rijksregister\w*|insz|niss|"
    r"geboortedatum|birth_?date|date_of_birth|e-?mail\w*|gsm|mobiel|telefoon\w*|huisnummer|house_?number|"
    r"personeelsnummer|personnel_?number|employee_?(id|number))$",
    re.IGNORECASE,
)
NATIONAL_NUMBER_NAME = re.compile(r"rijksregister|insz|niss", re.IGNORECASE)
NATIONAL_NUMBER_SHARE = 0.9  # of a column's filled values valid as national register or BIS numbers


def suggests_person(column: str) -> bool:
    """Whether a column's name suggests data about a person (broad: gemeentenaam matches too; for masking)."""
    return PERSON_WORDS.search(column) is not None


def national_number_name(column: str) -> bool:
    """Whether a column's name says it holds national register numbers: rijksregisternummer, insz, niss, ..."""
    return NATIONAL_NUMBER_NAME.search(column) is not None


def personal_name(column: str) -> bool:
    """Whether a column's name alone says it holds personal data: voornaam, rijksregisternummer, geboortedatum,
    huisnummer (an address), personeelsnummer, ... A bare naam or name is not enough: of a person or a place?"""
    return PERSONAL_NAME.match(column.strip()) is not None


def national_register_numbers(values: Iterable[str]) -> bool:
    """Whether at least NATIONAL_NUMBER_SHARE of the filled `values` are valid Belgian national register or BIS
    numbers (any formatting python-stdnum accepts: 85073003328, 85.07.30-033.28); False without filled values."""
    filled = [v for v in values if v and v.strip()]
    valid = sum(1 for v in filled if nn.is_valid(v) or bis.is_valid(v))
    return bool(filled) and valid >= NATIONAL_NUMBER_SHARE * len(filled)


def personal_columns(columns: dict[str, list[str]]) -> list[str]:
    """The columns (name -> a sample of its values as text) that hold personal data, by name or by their values."""
    return [name for name, values in columns.items() if personal_name(name) or national_register_numbers(values)]
