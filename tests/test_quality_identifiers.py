"""Belgian identifiers: peil's Python tests against python-stdnum, and the SQL rules against both.

The SQL rules run in the warehouse for speed; property tests generate valid numbers (check digits computed as
the institutions do) and invalid ones (a digit changed, digits swapped, random text) and require the SQL verdict
to equal python-stdnum's on every one.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import numdb
from stdnum.be import bis, nn, vat

from peil.quality import identifiers

SQL_RULES = identifiers.CHECKSUMMED
REFERENCE = {
    "national_register_number": lambda v: nn.is_valid(v) or bis.is_valid(v),
    "enterprise_number": vat.is_valid,
    "iban": stdnum_iban.is_valid,
}
ALPHABET = "0123456789 .-/BE()\t"


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    identifiers.register(connection)
    yield connection
    connection.close()


def sql_verdict(con: duckdb.DuckDBPyConnection, kind: str, value: str) -> bool:
    rule = identifiers.valid_sql(kind, "v")
    return bool(con.execute(f"SELECT {rule} FROM (SELECT CAST(? AS VARCHAR) AS v)", [value]).fetchall()[0][0])


# -- table-driven: the Python tests peil uses against python-stdnum ---------------------------------------------

CASES = [
    # (kind, value, valid): examples from python-stdnum's own documentation and the peer cases
    ("national_register_number", "85.07.30-033.28", True),
    ("national_register_number", "85073003328", True),
    ("national_register_number", "17 07 30 033 84", True),  # born 2017: check digits over 2 + 9 digits
    ("national_register_number", "98.47.28-997.65", True),  # BIS number, sex known (month + 40)
    ("national_register_number", "01 49 07 001 85", True),  # BIS number born 2001
    ("national_register_number", "12345678901", False),
    ("national_register_number", "85073003329", False),
    ("national_register_number", "8507300332", False),
    ("national_register_number", "\t85073003328 ", True),  # not 11 digits as written: compacted first
    ("national_register_number", "+8507300332", False),  # 11 characters that a cast to a number would accept
    ("national_register_number", "8507300332_8", False),
    ("enterprise_number", "0403019261", True),
    ("enterprise_number", "BE 428759497", True),
    ("enterprise_number", "(0)403019261", True),
    ("enterprise_number", "BE431150351", False),
    ("enterprise_number", "2403019261", False),
    ("iban", "BE54631234561697", True),  # ID-02: account divisible by 97, national check digits 97
    ("iban", "BE54631234561600", False),  # ID-02: same IBAN check digits, national check 00 is wrong
    ("iban", "BE32 123-4567890-02", True),
    ("iban", "BE41091811735141", False),
    ("iban", "GR1601101050000010547023795", True),
    ("iban", "NL91ABNA0417164300", True),
    ("iban", "NL91ABNA0417164301", False),
    ("postcode", "9000", True),
    ("postcode", "0900", False),
    ("postcode", "900", False),
    ("phone", "+32 9 210 10 10", True),
    ("phone", "0471 12 34 56", True),
    ("phone", "123", False),
]
PYTHON = {
    "national_register_number": identifiers.is_national_register_number,
    "enterprise_number": identifiers.is_enterprise_number,
    "iban": identifiers.is_iban,
    "postcode": identifiers.is_postcode,
    "phone": identifiers.is_phone,
}


@pytest.mark.parametrize(("kind", "value", "valid"), CASES)
def test_belgian_validators_give_the_expected_verdict(kind: str, value: str, valid: bool) -> None:
    assert PYTHON[kind](value) is valid
    if kind in REFERENCE:
        assert bool(REFERENCE[kind](value)) is valid


@pytest.mark.parametrize(("kind", "value", "valid"), [c for c in CASES if c[0] in SQL_RULES])
def test_sql_rules_give_the_expected_verdict(
    con: duckdb.DuckDBPyConnection, kind: str, value: str, valid: bool
) -> None:
    assert sql_verdict(con, kind, value) is valid


def test_id02_the_national_rule_tells_97_from_00_where_the_iban_check_digits_cannot(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # Both strings pass ISO 7064 mod 97-10 (97 = 0 mod 97); only the Belgian rule separates them.
    assert stdnum_iban.is_valid("BE54631234561697", check_country=False)
    assert stdnum_iban.is_valid("BE54631234561600", check_country=False)
    assert sql_verdict(con, "iban", "BE54631234561697") is True
    assert sql_verdict(con, "iban", "BE54631234561600") is False


# -- generated numbers: the SQL agrees with python-stdnum -------------------------------------------------------


@st.composite
def national_numbers(draw: st.DrawFn) -> str:
    """A valid national register or BIS number, formatted as people write it (or not)."""
    year = draw(st.integers(1900, 2025))
    month = draw(st.integers(0, 12)) + draw(st.sampled_from([0, 0, 20, 40]))
    day = draw(st.integers(0, 31))
    counter = draw(st.integers(1, 998))
    first = f"{year % 100:02d}{month:02d}{day:02d}{counter:03d}"
    base = int(first) + (2_000_000_000 if year >= 2000 else 0)
    number = f"{first}{97 - base % 97:02d}"
    return nn.format(number) if draw(st.booleans()) else number


@st.composite
def enterprise_numbers(draw: st.DrawFn) -> str:
    first = f"{draw(st.integers(0, 1))}{draw(st.integers(0, 9_999_999)):07d}"
    number = f"{first}{97 - int(first) % 97:02d}"
    old_format = [number[1:]] if number.startswith("0") else []  # 9 digits, before the leading 0 was added
    return draw(st.sampled_from([number, f"BE {number}", *old_format, f"{number[:4]}.{number[4:7]}.{number[7:]}"]))


BANKS = numdb.get("be/banks")
KNOWN_BANKS = [f"{n:03d}" for n in range(1000) if BANKS.info(f"{n:03d}")[0][1]]
# Countries with domestic check digits of their own (Spain, ...) are left to stdnum by the SQL; a random BBAN
# would not be valid there, so valid IBANs are generated for the others.
STRUCTURES = {
    line[1]: line[3]["bban"]
    for line in numdb.get("iban").prefixes
    if line[3].get("bban") and line[1] not in identifiers.countries_with_own_rules()
}


@st.composite
def ibans(draw: st.DrawFn) -> str:
    """A valid IBAN: Belgian (bank code from the NBB list, national check digits) or of another registry country."""
    country = draw(st.sampled_from(["BE", "BE", *sorted(STRUCTURES)]))
    if country == "BE":
        account = f"{draw(st.sampled_from(KNOWN_BANKS))}{draw(st.integers(0, 9_999_999)):07d}"
        national = int(account) % 97 or 97
        bban = f"{account}{national:02d}"
    else:
        seed = draw(st.integers(0, 2**32))
        bban = _bban(STRUCTURES[country], random.Random(seed))
    number = f"{country}{stdnum_iban.calc_check_digits(country + '00' + bban)}{bban}"
    return stdnum_iban.format(number) if draw(st.booleans()) else number


def _bban(structure: str, rng: random.Random) -> str:
    pools = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "c": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    return "".join(
        "".join(rng.choice(pools[kind]) for _ in range(int(size)))
        for size, kind in re.findall(r"(\d+)!([nac])", structure)
    )


def mutated(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Invalid (mostly) variants of valid numbers: a character changed, two swapped, one dropped or added."""

    @st.composite
    def change(draw: st.DrawFn) -> str:
        value = draw(valid)
        position = draw(st.integers(0, len(value) - 1))
        how = draw(st.sampled_from(["replace", "swap", "drop", "insert"]))
        character = draw(st.sampled_from(ALPHABET))
        if how == "replace":
            return value[:position] + character + value[position + 1 :]
        if how == "swap" and position + 1 < len(value):
            return value[:position] + value[position + 1] + value[position] + value[position + 2 :]
        if how == "drop":
            return value[:position] + value[position + 1 :]
        return value[:position] + character + value[position:]

    return change()


GENERATED = {
    "national_register_number": national_numbers(),
    "enterprise_number": enterprise_numbers(),
    "iban": ibans(),
}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("kind", sorted(SQL_RULES))
def test_generated_valid_numbers_pass_in_sql_as_in_stdnum(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    @SETTINGS
    @given(GENERATED[kind])
    def agree(value: str) -> None:
        assert REFERENCE[kind](value), value  # the generator makes valid numbers
        assert sql_verdict(con, kind, value) is True, value

    agree()


@pytest.mark.parametrize("kind", sorted(SQL_RULES))
def test_changed_numbers_fail_in_sql_exactly_when_stdnum_says(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    @SETTINGS
    @given(st.one_of(mutated(GENERATED[kind]), st.text(ALPHABET + "NLGR", max_size=20)))
    def agree(value: str) -> None:
        assert sql_verdict(con, kind, value) is bool(REFERENCE[kind](value)), value

    agree()
