"""Belgian identifiers: national register and BIS numbers, enterprise numbers, IBANs, postcodes, NIS codes, phones.

Each has a Python test (python-stdnum or python-phonenumbers, the reference) and, for the checksummed numbers, the
same rule as DuckDB SQL so that a check runs over millions of rows in the warehouse. The SQL follows stdnum step
by step: its `compact` (separators removed, surrounding whitespace stripped), then format, length and check
digits. tests/test_quality_identifiers.py proves with generated valid and invalid numbers that both agree.

Differences, by design: stdnum also maps Unicode dashes, dots and spaces to their ASCII forms before removing
them; the SQL removes the ASCII ones only, so a value with e.g. an en dash fails here. An IBAN of a country for
which stdnum has a module of its own besides Belgium (Spain, Montenegro, Norway: domestic check digits) is left
to stdnum itself, as a Python function called from the SQL (`register`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from functools import cache

import duckdb
import phonenumbers
import pyarrow as pa
from duckdb.func import ARROW
from stdnum import iban as stdnum_iban
from stdnum import numdb
from stdnum.be import bis, nn, vat
from stdnum.util import get_cc_module

from peil.sources.sql import literal, literal_list

POSTCODE = "[1-9][0-9]{3}"
NIS_CODE = "[0-9]{5}"
# What Python's str.strip() strips within ASCII (besides the space, always a separator here).
_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_SEPARATORS = {"national_register_number": " -.", "enterprise_number": " -./", "iban": " -."}
_STRUCTURE = re.compile(r"([1-9][0-9]*)!([nac])")
_CLASSES = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Za-z0-9]"}
PHONE_FUNCTION = "peil_phone_valid"
IBAN_FUNCTION = "peil_iban_valid"


def is_national_register_number(value: str) -> bool:
    """A valid national register number (rijksregisternummer) or BIS number, as python-stdnum decides."""
    return bool(nn.is_valid(value) or bis.is_valid(value))


def is_enterprise_number(value: str) -> bool:
    """A valid KBO/BCE enterprise number (9 or 10 digits, mod 97), as python-stdnum decides."""
    return bool(vat.is_valid(value))


def is_iban(value: str) -> bool:
    """A valid IBAN including its country's own rules (for Belgium: national check digits, known bank code)."""
    return bool(stdnum_iban.is_valid(value))


def is_postcode(value: str) -> bool:
    """Four digits from 1000 to 9999, the whole text."""
    return re.fullmatch(POSTCODE, value) is not None


def is_nis_code(value: str) -> bool:
    """Five digits, the whole text (membership of a code list is the check's reference)."""
    return re.fullmatch(NIS_CODE, value) is not None


def is_phone(value: str, region: str = "BE") -> bool:
    """A valid phone number; without a country code it is read as one of `region`."""
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(value, region)))
    except phonenumbers.NumberParseException:
        return False


CHECKSUMMED = ("national_register_number", "enterprise_number", "iban")


def valid_sql(kind: str, value: str) -> str:
    """SQL: true when the VARCHAR `value` is a valid identifier of `kind` (one of CHECKSUMMED), false when not;
    NULL in gives false. The rule reads `value` in the form prepared_sql gives; a query over many rows computes
    that once per row (peil.quality.compile) and hands it to checksum_sql."""
    return checksum_sql(kind, prepared_sql(kind, value))


def prepared_sql(kind: str, value: str) -> str:
    """SQL: the form of the VARCHAR `value` that checksum_sql reads: for a national register number the number
    as BIGINT (national_register_number_int_sql), for the others stdnum's compact text (compact_sql)."""
    if kind == "national_register_number":
        return national_register_number_int_sql(value)
    return compact_sql(kind, value)


def checksum_sql(kind: str, prepared: str) -> str:
    """SQL: true when `prepared` (prepared_sql of a value) is a valid identifier of `kind`."""
    rules = {
        "national_register_number": national_register_number_sql,
        "enterprise_number": enterprise_number_sql,
        "iban": iban_sql,
    }
    return rules[kind](prepared)


def compact_sql(kind: str, value: str) -> str:
    """SQL: stdnum's compact form of the VARCHAR `value` for identifier `kind` (enterprise_number or iban):
    separators removed, whitespace at both ends stripped, upper case; an enterprise number without its BE prefix,
    '(0)' read as 0 and 9 digits given a leading 0. A value that is only digits and capitals is its own compact
    form, and skips the removing (the common case, and the costly part)."""
    compact = f"upper(CASE WHEN regexp_full_match({value}, '[0-9A-Z]*') THEN {value} ELSE {_stripped(kind, value)} END)"
    if kind == "iban":
        return compact
    without_prefix = f"regexp_replace(regexp_replace({compact}, '^BE', ''), '^\\(0\\)', '0')"
    return f"regexp_replace({without_prefix}, '^([0-9]{{9}})$', '0\\1')"


def _stripped(kind: str, value: str) -> str:
    """SQL: the VARCHAR `value` without the separators of identifier `kind` and without whitespace at its ends."""
    removed = value
    for separator in _SEPARATORS[kind]:
        removed = f"replace({removed}, {literal(separator)}, '')"
    return f"trim({removed}, {literal(_WHITESPACE)})"


def national_register_number_int_sql(value: str) -> str:
    """SQL: the national register number in the VARCHAR `value` as BIGINT, NULL unless its compact form (stdnum's
    compact: separators removed, whitespace stripped) is 11 digits. A value of 11 digits is its own compact form:
    one test of the text, without removing anything, for the common case."""
    stripped = _stripped("national_register_number", value)
    return _eleven_digits(value, otherwise=_eleven_digits(stripped))


def _eleven_digits(text: str, otherwise: str = "NULL") -> str:
    """SQL: the VARCHAR `text` as BIGINT when it is 11 digits, else `otherwise` (evaluated only then)."""
    return f"CASE WHEN regexp_full_match({text}, '[0-9]{{11}}') THEN CAST({text} AS BIGINT) ELSE {otherwise} END"


def national_register_number_sql(n: str) -> str:
    """SQL: true when `n`, a national_register_number_int_sql, is a valid national register or BIS number
    (stdnum be.nn / be.bis); false when it is NULL (not 11 digits).

    Not all zero; the month field 0-12 (national number) or 20-32 / 40-52 (BIS); check digits 97 - (first 9
    digits mod 97), for people born from 2000 on over '2' followed by the 9 digits, which is only possible for
    two-digit years up to this year's.
    """
    month = f"({n} // 10000000 % 100)"
    check = f"({n} % 100)"
    born_2000 = f"({n} // 1000000000 + 2000 <= year(current_date) AND 97 - (2000000000 + {n} // 100) % 97 = {check})"
    return (
        f"coalesce({n} > 0 AND ({month} <= 12 OR {month} BETWEEN 20 AND 32 OR {month} BETWEEN 40 AND 52) "
        f"AND (97 - {n} // 100 % 97 = {check} OR {born_2000}), false)"
    )


def enterprise_number_sql(c: str) -> str:
    """SQL: true when the compact text `c` is a valid enterprise number (stdnum be.vat): 10 digits starting
    with 0 or 1, not all zero, and the first 8 plus the last 2 divisible by 97."""
    return (
        f"coalesce(CASE WHEN regexp_full_match({c}, '[01][0-9]{{9}}') THEN CAST({c} AS BIGINT) > 0 "
        f"AND (CAST({c} AS BIGINT) // 100 + CAST({c} AS BIGINT) % 100) % 97 = 0 END, false)"
    )


def iban_sql(c: str) -> str:
    """SQL: true when the compact text `c` is a valid IBAN (stdnum iban.is_valid).

    The country's structure from the SWIFT registry stdnum ships; ISO 7064 mod 97-10 over the whole string (the
    first four characters moved to the end, letters as 10-35) equal to 1, computed with HUGEINT arithmetic when all but
    the country code are digits and character by character otherwise; a Belgian IBAN
    also needs its national check digits (the 10-digit account part mod 97, 0 read as 97) and a bank code of
    the NBB list. Countries with their own stdnum module go to IBAN_FUNCTION.
    """
    moved = f"(ord({c}[1]) - 55) * 10000 + (ord({c}[2]) - 55) * 100 + CAST(substr({c}, 3, 2) AS INTEGER)"
    numeric = f"((CAST(substr({c}, 5) AS HUGEINT) % 97) * 1000000 + {moved}) % 97"
    codes = f"list_transform(string_split(substr({c}, 5) || substr({c}, 1, 4), ''), lambda ch: ord(ch))"
    by_character = (
        f"list_reduce({codes}, lambda acc, code: CASE WHEN code < 65 THEN (acc * 10 + code - 48) % 97 "
        "ELSE (acc * 100 + code - 55) % 97 END, 0)"
    )
    national = f"CAST(substr({c}, 5, 10) AS BIGINT) % 97"
    belgian = (
        f"CASE WHEN {national} = 0 THEN 97 ELSE {national} END = CAST(substr({c}, 15, 2) AS INTEGER) "
        f"AND substr({literal(belgian_bank_codes())}, CAST(substr({c}, 5, 3) AS INTEGER) + 1, 1) = '1'"
    )
    return (
        f"coalesce(CASE WHEN list_contains({literal_list(countries_with_own_rules())}, substr({c}, 1, 2)) "
        f"THEN {IBAN_FUNCTION}({c}) "
        f"WHEN NOT regexp_full_match({c}, {literal(iban_structures())}) THEN false "
        f"WHEN NOT regexp_full_match(substr({c}, 3), '[0-9]+') THEN {by_character} = 1 "
        f"WHEN starts_with({c}, 'BE') THEN {numeric} = 1 AND {belgian} ELSE {numeric} = 1 END, false)"
    )


def postcode_sql(value: str) -> str:
    """SQL: true when the VARCHAR `value` is four digits from 1000 to 9999."""
    return f"regexp_full_match({value}, {literal(POSTCODE)})"


def nis_code_sql(value: str) -> str:
    """SQL: true when the VARCHAR `value` is five digits."""
    return f"regexp_full_match({value}, {literal(NIS_CODE)})"


def phone_sql(value: str, region: str) -> str:
    """SQL: true when the VARCHAR `value` is a valid phone number (PHONE_FUNCTION must be registered)."""
    return f"{PHONE_FUNCTION}({value}, {literal(region)})"


@cache
def iban_structures() -> str:
    """One RE2 pattern matching a compact IBAN of any registry country: country code, two check characters, and
    the country's BBAN structure (e.g. Belgium: 3!n7!n2!n -> [0-9]{3}[0-9]{7}[0-9]{2})."""
    alternatives = []
    for line in numdb.get("iban").prefixes:
        country, props = line[1], line[3]
        bban = _STRUCTURE.sub(lambda m: f"{_CLASSES[m.group(2)]}{{{m.group(1)}}}", props.get("bban", ""))
        alternatives.append(f"{country}[A-Z0-9]{{2}}{bban}")
    return "(?:" + "|".join(alternatives) + ")"


@cache
def countries_with_own_rules() -> list[str]:
    """Registry countries other than Belgium for which stdnum checks domestic rules in an IBAN."""
    countries = [line[1] for line in numdb.get("iban").prefixes]
    return [cc for cc in countries if cc != "BE" and get_cc_module(cc.lower(), "iban") is not None]


@cache
def belgian_bank_codes() -> str:
    """The three-digit bank codes of the NBB list that stdnum ships, as 1000 characters: '1' at position n + 1
    when code n is known, '0' otherwise (a lookup by position is much faster in SQL than a list of 800)."""
    banks = numdb.get("be/banks")
    return "".join("1" if banks.info(f"{n:03d}")[0][1] else "0" for n in range(1000))


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Make PHONE_FUNCTION(value, region) and IBAN_FUNCTION(value) callable in SQL on `con` (vectorised Python,
    NULL in gives NULL out). Registering twice is harmless."""

    def phones(values: pa.Array, regions: pa.Array) -> pa.Array:
        return _tested(is_phone, values, regions)

    def ibans(values: pa.Array) -> pa.Array:
        return _tested(is_iban, values)

    with contextlib.suppress(duckdb.NotImplementedException):  # already registered on this connection
        con.create_function(PHONE_FUNCTION, phones, ["VARCHAR", "VARCHAR"], "BOOLEAN", type=ARROW)
        con.create_function(IBAN_FUNCTION, ibans, ["VARCHAR"], "BOOLEAN", type=ARROW)


def _tested(test: Callable[..., bool], *arrays: pa.Array) -> pa.Array:
    """`test` applied row by row to the arrays' values; NULL where any value is NULL."""
    rows = zip(*(a.to_pylist() for a in arrays), strict=True)
    return pa.array([None if None in row else test(*row) for row in rows], pa.bool_())
