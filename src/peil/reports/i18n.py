"""Translations and number and date formatting for the report language (Dutch by default, English on request).

Texts come from the Babel catalogs in ``src/peil/locale/{nl,en}/LC_MESSAGES/messages.po``; their message ids
are English. Numbers and dates follow CLDR for Belgian Dutch (nl_BE) or British English (en_GB):
``€ 1.234,56`` and ``15,3%`` in Dutch, ``€1,234.56`` and ``15.3%`` in English. Moments are shown in Belgian time
(Europe/Brussels, CET or CEST), on the pages and in the terminal alike (`terminal_time`).

After changing a text in a template or in ``peil/reports/*.py``, run ``make catalogs`` (extract, update,
compile), translate the new entries in both messages.po files, and run it again to compile them.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency, parse_pattern
from babel.support import Translations

from peil.workspace import Language

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
LOCALES: dict[Language, str] = {"nl": "nl_BE", "en": "en_GB"}
DISPLAY_TIMEZONE = "Europe/Brussels"
BELGIAN_TIME = ZoneInfo(DISPLAY_TIMEZONE)  # the tzdata package provides it where the system has no zone files
PERCENT_UNITS = frozenset({"%", "percent", "procent"})
EURO_UNIT = re.compile(r"^(?:€|euro|eur)(?=$|[\s/])", re.IGNORECASE)


def translations(language: Language) -> Translations:
    """The compiled catalog (``locale/<language>/LC_MESSAGES/messages.mo``) for `language`.

    Raises FileNotFoundError when the catalog is missing, which means a broken install.
    """
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


def locale(language: Language) -> Locale:
    """The Babel locale whose conventions numbers and dates follow in `language`."""
    return Locale.parse(LOCALES[language])


def _rounded(value: float | Decimal, decimals: int) -> Decimal:
    """`value` rounded half away from zero, as people round by hand (2.25 -> 2.3), not half to even."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: float | Decimal, language: Language, decimals: int = 0) -> str:
    """`value` with exactly `decimals` fraction digits and grouped thousands: 1234.5 -> '1.234,50' (nl, 2)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(parse_pattern(pattern).apply(_rounded(value, decimals), locale(language)))


def as_number(text: str | None) -> Decimal | str | None:
    """A number's text as data holds it (-6.0, 0.8) as a Decimal, for a table cell to show it in the page's style
    (-6,0 and 0,8 in Dutch); any other text (12,5 kg), NaN, infinity and None as they are."""
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return number if number.is_finite() else text


def significant_decimals(values: Iterable[float], digits: int = 3) -> int:
    """The fraction digits (0 to 6) that show the largest of `values` by size with `digits` significant digits:
    4 for 0.0234, 1 for 12.3, 0 for 1234. Values that are 0, inf or NaN are ignored."""
    largest = max((abs(v) for v in values if math.isfinite(v) and v), default=0.0)
    if not largest:
        return 0
    return min(6, max(0, digits - 1 - math.floor(math.log10(largest))))


def format_percent(value: float, language: Language, decimals: int = 1) -> str:
    """`value` in percent points (15.3 means 15.3 per cent) in the locale's percent style: '15,3%' (nl)."""
    loc = locale(language)
    pattern = copy.copy(parse_pattern(loc.percent_formats[None]))
    pattern.frac_prec = (decimals, decimals)
    return str(pattern.apply(_rounded(value, decimals) / 100, loc))


def format_euro(value: float, language: Language, decimals: int = 2) -> str:
    """`value` in euro in the locale's currency style: 1234.56 -> '€ 1.234,56' (nl), '€1,234.56' (en)."""
    loc = locale(language)
    pattern = copy.copy(parse_pattern(loc.currency_formats["standard"]))
    pattern.frac_prec = (decimals, decimals)
    return format_currency(_rounded(value, decimals), "EUR", format=pattern, locale=loc, currency_digits=False)


def format_value(value: float, unit: str, language: Language, decimals: int) -> str:
    """An indicator value with its unit: '15,3%' for unit '%', '€ 1.234,56 per inwoner' for unit
    'euro per inwoner', '1.234,6 inwoners' for unit 'inwoners'. `decimals` is the indicator's."""
    stripped = unit.strip()
    if stripped.lower() in PERCENT_UNITS:
        return format_percent(value, language, decimals)
    euro = EURO_UNIT.match(stripped)
    if euro:
        rest = stripped[euro.end() :].strip()
        amount = format_euro(value, language, decimals)
        return f"{amount}{'' if rest.startswith('/') else ' '}{rest}" if rest else amount
    number = format_number(value, language, decimals)
    return f"{number} {stripped}" if stripped else number


def belgian_time(value: dt.datetime) -> dt.datetime:
    """A moment in Belgian time; a naive value is taken as UTC (DuckDB's TIMESTAMP, now() stored without zone).
    Through UTC, so that a Belgian time the clocks skipped (2025-03-30 02:30) is shown as the moment it stands for
    (03:30 CEST); astimezone alone keeps a value already in BELGIAN_TIME as it is."""
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).astimezone(BELGIAN_TIME)


def terminal_time(value: dt.datetime) -> str:
    """A moment as the terminal shows it: Belgian time with its zone, '2026-03-29 03:30:00 CEST'."""
    return f"{belgian_time(value):%Y-%m-%d %H:%M:%S %Z}"


def format_date(value: dt.date | dt.datetime, language: Language) -> str:
    """A date in the long style: '15 maart 2024' (nl), '15 March 2024' (en); a moment in Belgian time."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = belgian_time(value)
    return babel_format_date(value, format="long", locale=locale(language))


def format_datetime(value: dt.datetime, language: Language, zone: bool = False) -> str:
    """A moment in Belgian time, medium style: '15 mrt 2024, 11:05' (nl), with `zone` '15 mrt 2024, 11:05 CET'.
    A naive value is taken as UTC."""
    pattern = "d MMM y, HH:mm z" if zone else "d MMM y, HH:mm"
    return babel_format_datetime(belgian_time(value), format=pattern, locale=locale(language))


def vega_format_locale(language: Language) -> dict[str, object]:
    """The d3-format locale that makes chart axes and tooltips write numbers as the report text does."""
    symbols = locale(language).number_symbols["latn"]
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": ["€\u00a0", ""] if language == "nl" else ["€", ""],
        "percent": "%",
    }
