"""The report texts' Babel catalogs, and number and date formatting in Dutch (nl_BE) and English (en_GB)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from peil.reports import i18n

LOCALE = Path(i18n.__file__).resolve().parent.parent / "locale"
REPORTS = Path(i18n.__file__).resolve().parent
ROOT = REPORTS.parents[2]
LANGUAGES = ("nl", "en")


def message_files() -> list[Path]:
    """The Python files outside peil.reports whose N_ texts `make catalogs` extracts (its MESSAGES)."""
    line = next(
        line for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines() if line.startswith("MESSAGES")
    )
    return [ROOT / name for name in line.split(":=")[1].split()]


def catalog(language: str, kind: str) -> Catalog:
    path = LOCALE / language / "LC_MESSAGES" / f"messages.{kind}"
    with path.open("rb") as handle:
        return read_po(handle) if kind == "po" else read_mo(handle)


def messages(found: Catalog) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in found if m.id}


def used_message_ids() -> set[str]:
    """Every text the templates and the reports code translate, and the quality problems marked N_, extracted as
    `make catalogs` does."""
    with (LOCALE / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    reports = {str(message[2]) for message in extract_from_dir(REPORTS, method_map, options_map, keywords)}
    marked = {str(m[1]) for path in message_files() for m in extract_from_file("python", str(path), keywords)}
    return reports | marked


def test_the_catalogs_take_the_scanner_and_quarantine_texts() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in message_files()}
    assert {"src/peil/scan/read.py", "src/peil/quality/quarantine.py", "src/peil/quality/problems.py"} <= names
    assert i18n.translations("nl").gettext("the sheet is hidden in the workbook (old data?)") == (
        "het blad is verborgen in de werkmap (oude gegevens?)"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_po_file(language: str) -> None:
    po = catalog(language, "po")
    assert not po.fuzzy and not [m.id for m in po if m.id and m.fuzzy]
    assert messages(catalog(language, "mo")) == messages(po), "run: pybabel compile -d src/peil/locale -D messages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_used_text_is_translated_and_none_is_stale(language: str) -> None:
    translated = {key: value for key, value in messages(catalog(language, "po")).items() if value}
    used = used_message_ids()
    assert len(used) > 50
    assert sorted(used - translated.keys()) == [], "untranslated; see peil.reports.i18n for the commands"
    assert sorted(translated.keys() - used) == [], "stale entries; run pybabel update"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    po = catalog(language, "po")
    assert [(m.id, errors) for m, errors in po.check()] == []


def test_dutch_is_dutch_and_english_is_english() -> None:
    assert i18n.translations("nl").gettext("Sources") == "Bronnen"
    assert i18n.translations("en").gettext("Sources") == "Sources"
    assert i18n.translations("nl").gettext("Median of peers") == "Mediaan van vergelijkbare gemeenten"


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "dutch", "english"),
    [
        (15.25, "%", 1, "15,3%", "15.3%"),
        (-3.25, "%", 1, "-3,3%", "-3.3%"),
        (1234.56, "euro", 2, "€\u00a01.234,56", "€1,234.56"),
        (1234.56, "EUR", 0, "€\u00a01.235", "€1,235"),
        (812.4, "euro per inwoner", 2, "€\u00a0812,40 per inwoner", "€812.40 per inwoner"),
        (812.4, "€/inwoner", 0, "€\u00a0812/inwoner", "€812/inwoner"),
        (98765.4321, "inwoners", 0, "98.765 inwoners", "98,765 inwoners"),
        (2.25, "kinderen per gezin", 1, "2,3 kinderen per gezin", "2.3 kinderen per gezin"),
        (7.0, "", 2, "7,00", "7.00"),
        (12.5, "eurozone-index", 1, "12,5 eurozone-index", "12.5 eurozone-index"),
    ],
)
def test_values_with_units(value: float, unit: str, decimals: int, dutch: str, english: str) -> None:
    assert i18n.format_value(value, unit, "nl", decimals) == dutch
    assert i18n.format_value(value, unit, "en", decimals) == english


def test_numbers_percent_and_euro() -> None:
    assert i18n.format_number(1234567.891, "nl", 2) == "1.234.567,89"
    assert i18n.format_number(Decimal("748.5"), "en", 1) == "748.5"
    assert i18n.format_percent(15.3, "nl") == "15,3%"
    assert i18n.format_euro(1234.56, "nl") == "€\u00a01.234,56"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 4))
def test_formatted_numbers_read_back_as_the_rounded_value(value: float, decimals: int) -> None:
    for language, locale in (("nl", "nl_BE"), ("en", "en_GB")):
        text = i18n.format_number(value, language, decimals)  # type: ignore[arg-type]
        expected = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")
        assert parse_decimal(text, locale) == expected


def test_dates_in_belgian_time() -> None:
    late_evening = dt.datetime(2024, 3, 15, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 16th in Brussels
    assert i18n.format_date(late_evening, "nl") == "16 maart 2024"
    assert i18n.format_date(dt.date(2024, 3, 15), "en") == "15 March 2024"
    assert i18n.format_datetime(dt.datetime(2024, 7, 1, 8, 0, tzinfo=dt.UTC), "nl") == "1 jul 2024, 10:00"
    assert i18n.format_datetime(dt.datetime(2024, 1, 1, 8, 0), "en") == "1 Jan 2024, 09:00"


def test_chart_number_locale_follows_the_language() -> None:
    assert i18n.vega_format_locale("nl") | {} == {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["€\u00a0", ""],
        "percent": "%",
    }
    assert i18n.vega_format_locale("en")["decimal"] == "."


@pytest.mark.parametrize(
    ("values", "decimals"),
    [((0.0234,), 4), ((12.3, 4.1), 1), ((1234.0, 5.0), 0), ((-0.5, 0.2), 3), ((0.0, float("nan")), 0), ((1e-9,), 6)],
)
def test_significant_decimals_show_the_largest_value_to_three_digits(values: tuple[float, ...], decimals: int) -> None:
    assert i18n.significant_decimals(values) == decimals


def test_number_texts_become_numbers_and_other_texts_stay_as_they_are() -> None:
    assert i18n.as_number("-6.0") == Decimal("-6.0") and i18n.as_number("1e+20") == Decimal("1e20")
    assert [i18n.as_number(t) for t in ("12,5 kg", "NaN", "inf", "", None)] == ["12,5 kg", "NaN", "inf", "", None]


def test_the_terminal_shows_belgian_time_with_its_zone_across_the_change_to_summer_time() -> None:
    assert i18n.terminal_time(dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)) == "2026-03-29 01:30:00 CET"
    assert i18n.terminal_time(dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)) == "2026-03-29 03:30:00 CEST"
    assert i18n.terminal_time(dt.datetime(2026, 10, 25, 0, 30)) == "2026-10-25 02:30:00 CEST"  # naive: UTC
    assert i18n.terminal_time(dt.datetime(2026, 10, 25, 1, 30)) == "2026-10-25 02:30:00 CET"  # the hour again
    assert i18n.format_datetime(dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC), "nl", zone=True) == (
        "29 mrt 2026, 03:30 CEST"
    )
