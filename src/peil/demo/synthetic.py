"""Synthetic internal data of a municipality the size of Roeselare, labelled as synthetic, with known faults.

No municipality publishes its staff register, training records, social-service case files or container
weighings, so the example workspace ships generated ones (``workspace/data/synthetic/``). Everything is made
from one seed: the same seed gives the same bytes (a test regenerates the shipped files and compares them).

Four datasets, each written as a steward would export it:

==========================  ====================================  =============================================
dataset (file)              rows (default seed)                   export
==========================  ====================================  =============================================
staff                       ~1,000 staff of city and OCMW         ``personeel.xlsx``, sheet Personeel
training_registrations      ~4,000 registrations in 2025          ``opleidingen_2025.csv``: cp1252, ``;``,
                                                                  decimal comma, dd/mm/yyyy
social_cases                ~900 open + ~560 closed case files    ``dossiers_sociale_dienst.xlsx``, sheet Dossiers
container_weighings         one year (2025) of every container    ``containerwegingen_2025.csv``: utf-8, ``;``,
                            of a 1 % sample of addresses          decimal comma, ISO dates
==========================  ====================================  =============================================

Roeselare weighs about 200,000 container lifts a year; the sample (290 addresses, about 1 % of its
households, with all their containers) keeps the file near 600 KB.

Faults are injected at known rates (`RATES`): for each kind, ``round(rate * clean rows)`` rows are drawn with
the seeded RNG, every faulty row has exactly one fault, and ``manifest.json`` records each by its key. The
kinds: ``invalid_checksum`` (a one-digit typo in a national register number), ``duplicate_key`` (a second row
with the key of another; both rows then share the key), ``missing_value``, ``future_date`` (the year's last
two digits swapped: 2025 -> 2052), ``text_in_number``, ``negative_weight``, ``unknown_postcode`` and
``unknown_value`` (a value outside the list of allowed ones).

Names come from Faker (nl_BE) and are fictitious, as are the street names; national register numbers are
valid numbers (YYMMDD, a serial that is odd for men and even for women, check digits) of people who do not
exist; a few are bis numbers (month + 40), as for cross-border workers. The output depends on the Faker
version's name lists: regenerate the shipped files when Faker is upgraded.

Usage: ``python -m peil.demo.synthetic --seed 2026 --out DIR``
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from faker import Faker

__all__ = [
    "DEFAULT_SEED",
    "REFERENCE_DATE",
    "Dataset",
    "Fault",
    "generate",
    "national_number",
    "write",
]

DEFAULT_SEED = 2026
#: The day of every export: staff and open cases on that day, training and weighings of the calendar year.
REFERENCE_DATE = date(2025, 12, 31)
YEAR = REFERENCE_DATE.year
POSTCODE = "8800"  # Roeselare and its deelgemeenten Beveren, Oekene and Rumbeke share one postcode

Cell = str | int | float | date | None
Row = dict[str, Cell]
FaultKind = Literal[
    "invalid_checksum",
    "duplicate_key",
    "missing_value",
    "future_date",
    "text_in_number",
    "negative_weight",
    "unknown_postcode",
    "unknown_value",
]

#: Per dataset, the share of its clean rows that gets each kind of fault, and the column it hits.
RATES: dict[str, dict[FaultKind, tuple[float, str]]] = {
    "staff": {
        "duplicate_key": (0.005, "personeelsnummer"),
        "invalid_checksum": (0.010, "rijksregisternummer"),
        "missing_value": (0.010, "dienst"),
        "future_date": (0.005, "startdatum"),
        "text_in_number": (0.005, "fte"),
    },
    "training_registrations": {
        "duplicate_key": (0.005, "personeelsnummer"),
        "missing_value": (0.010, "status"),
        "future_date": (0.003, "datum"),
        "text_in_number": (0.003, "uren"),
        "unknown_value": (0.003, "status"),
    },
    "social_cases": {
        "duplicate_key": (0.005, "dossiernummer"),
        "invalid_checksum": (0.010, "client_rijksregisternummer"),
        "missing_value": (0.010, "maatschappelijk_werker"),
        "future_date": (0.005, "startdatum"),
        "unknown_value": (0.005, "steunvorm"),
    },
    "container_weighings": {
        "duplicate_key": (0.001, "container_id"),
        "negative_weight": (0.002, "kg"),
        "text_in_number": (0.001, "kg"),
        "unknown_postcode": (0.002, "postcode"),
        "missing_value": (0.001, "fractie"),
        "future_date": (0.001, "datum"),
    },
}

# -- national register numbers --------------------------------------------------------------------------------


def national_number(birth: date, serial: int, bis: bool = False) -> str:
    """The 11-digit national register number (rijksregisternummer) of a person born on `birth`.

    YYMMDD, the serial SSS (1-997 odd for men, 2-998 even for women) and two check digits:
    97 - (YYMMDDSSS mod 97), with a 2 put before the nine digits for a birth from 2000 on. A bis number, for a
    person not in the national register (a cross-border worker), adds 40 to the month. Raises ValueError for a
    serial outside 1-998.
    """
    if not 1 <= serial <= 998:
        raise ValueError(f"the serial of a national register number is 1-998, not {serial}")
    base = f"{birth.year % 100:02d}{birth.month + (40 if bis else 0):02d}{birth.day:02d}{serial:03d}"
    return base + f"{_check_digits(base, birth.year >= 2000):02d}"


def _check_digits(base: str, born_from_2000: bool) -> int:
    return 97 - int(("2" if born_from_2000 else "") + base) % 97


def _passes_either_century(number: str) -> bool:
    return int(number[9:]) in {_check_digits(number[:9], False), _check_digits(number[:9], True)}


def _typo(number: str, rng: random.Random) -> str:
    """`number` with one digit replaced, such that the check digits fit neither century (mod 97 catches every
    one-digit substitution in one century; the other century is ruled out here)."""
    while True:
        position = rng.randrange(11)
        digit = rng.choice([d for d in "0123456789" if d != number[position]])
        typo = number[:position] + digit + number[position + 1 :]
        if not _passes_either_century(typo):
            return typo


def _person_number(rng: random.Random, birth: date, female: bool, bis: bool, taken: set[str]) -> str:
    """A national register number not in `taken` (which it is added to); even serials for women."""
    while True:
        serial = 2 * rng.randrange(1, 500) - (0 if female else 1)
        number = national_number(birth, serial, bis)
        if number not in taken:
            taken.add(number)
            return number


# -- datasets -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One injected fault: its kind, the key of the row it is in (as written), the column and the value written
    (None: the cell is empty). A duplicate_key fault covers `rows` rows that share the key."""

    kind: FaultKind
    key: tuple[str, ...]
    column: str
    value: str | None
    rows: int = 1


@dataclass
class Dataset:
    """One generated table: its rows (dicts of column -> cell, in `columns` order) as written to `file`.

    Cells are str, int, float, date or None (empty). `key` names the columns that identify a row; `clean_rows`
    counts the rows before duplicates were added, the base of the fault rates.
    """

    name: str
    file: str
    title: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    rows: list[Row]
    clean_rows: int
    faults: list[Fault] = field(default_factory=list)

    def key_of(self, row: Row) -> tuple[str, ...]:
        return tuple(_text(row[c]) for c in self.key)


def _text(value: Cell) -> str:
    """A key cell as text: dates in ISO form (as peil reads them), numbers without a trailing .0."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _years_before(day: date, years: float) -> date:
    return day - timedelta(days=round(years * 365.25))


def _swapped_year(day: date) -> date | None:
    """`day` with the last two digits of its year swapped (2025 -> 2052), when that lies after 2040; else None."""
    text = str(day.year)
    year = int(text[:2] + text[3] + text[2])
    if year <= 2040:
        return None
    return day.replace(year=year, day=min(day.day, 28))


# Departments of city and OCMW with their share of the staff, share of women and part-time profile.
DEPARTMENTS: dict[str, tuple[float, float, str]] = {
    "Woonzorgcentra": (0.22, 0.86, "care"),
    "Thuiszorg en dienstencentra": (0.06, 0.88, "care"),
    "Kinderopvang": (0.06, 0.95, "care"),
    "Sociale dienst": (0.06, 0.80, "office"),
    "Openbaar domein": (0.14, 0.12, "field"),
    "Facilitair beheer": (0.10, 0.55, "field"),
    "Burgerzaken": (0.04, 0.70, "office"),
    "Financiën": (0.03, 0.60, "office"),
    "Personeel en organisatie": (0.03, 0.75, "office"),
    "ICT": (0.03, 0.25, "office"),
    "Cultuur en bibliotheek": (0.05, 0.65, "office"),
    "Sport": (0.04, 0.45, "field"),
    "Jeugd en onderwijs": (0.04, 0.70, "office"),
    "Omgeving": (0.04, 0.50, "office"),
    "Communicatie": (0.02, 0.65, "office"),
    "Algemene directie en secretariaat": (0.02, 0.60, "office"),
    "Economie en toerisme": (0.02, 0.55, "office"),
}
FTE_PROFILES: dict[str, dict[str, float]] = {
    "care": {"1.0": 0.35, "0.8": 0.30, "0.5": 0.25, "0.75": 0.05, "0.6": 0.05},
    "office": {"1.0": 0.58, "0.8": 0.24, "0.5": 0.10, "0.9": 0.04, "0.6": 0.04},
    "field": {"1.0": 0.78, "0.8": 0.10, "0.5": 0.08, "0.75": 0.04},
}
N_STAFF = 1000
BIS_SHARE_STAFF = 0.02  # cross-border workers from France


def staff(rng: random.Random, fake: Faker, numbers: set[str]) -> Dataset:
    """The staff register on REFERENCE_DATE: N_STAFF people of city and OCMW, sorted by personeelsnummer.

    Columns: personeelsnummer (6 digits, leading zeros, rising with the start date), naam ("Achternaam,
    Voornaam"), rijksregisternummer (11 digits; about 2 % bis numbers), dienst, fte (mostly 1.0, 0.8 and 0.5;
    more part-time in care), geboortedatum (age 19-66, mode 48), startdatum (tenure about exponential with
    mean 11 years, uniform when that would start before age 19). National register numbers are added to `numbers`.
    """
    weights = {name: share for name, (share, _, _) in DEPARTMENTS.items()}
    people: list[Row] = []
    for _ in range(N_STAFF):
        department = _weighted(rng, weights)
        _, women, profile = DEPARTMENTS[department]
        female = rng.random() < women
        age = rng.triangular(19, 66, 48)
        birth = _years_before(REFERENCE_DATE, age)
        tenure = rng.expovariate(1 / 11)
        start = _years_before(REFERENCE_DATE, tenure if tenure < age - 19 else rng.uniform(0, age - 19))
        first = fake.first_name_female() if female else fake.first_name_male()
        people.append(
            {
                "naam": f"{fake.last_name()}, {first}",
                "rijksregisternummer": _person_number(rng, birth, female, rng.random() < BIS_SHARE_STAFF, numbers),
                "dienst": department,
                "fte": float(_weighted(rng, FTE_PROFILES[profile])),
                "geboortedatum": birth,
                "startdatum": start,
            }
        )
    people.sort(key=lambda p: (p["startdatum"], p["naam"]))
    number = 100
    for person in people:
        number += rng.randint(1, 6)  # numbers of those who left are not reused
        person["personeelsnummer"] = f"{number:06d}"
    columns = ("personeelsnummer", "naam", "rijksregisternummer", "dienst", "fte", "geboortedatum", "startdatum")
    rows = [{c: p[c] for c in columns} for p in people]
    dataset = Dataset("staff", "personeel.xlsx", "Personeelsregister", columns, ("personeelsnummer",), rows, len(rows))

    def second_person(row: Row) -> Row:
        """Another person given the same personeelsnummer (a number typed twice), 19-66 and 19 or older at the
        start date of the row."""
        female = rng.random() < 0.6
        earliest, latest = _years_before(REFERENCE_DATE, 66), _years_before(row["startdatum"], 19)  # type: ignore[arg-type]
        birth = earliest + timedelta(days=rng.randrange(max(1, (latest - earliest).days)))
        first = fake.first_name_female() if female else fake.first_name_male()
        return {
            **row,
            "naam": f"{fake.last_name()}, {first}",
            "rijksregisternummer": _person_number(rng, birth, female, False, numbers),
            "geboortedatum": birth,
        }

    _inject(
        dataset,
        rng,
        {
            "invalid_checksum": lambda row: _typo(str(row["rijksregisternummer"]), rng),
            "missing_value": lambda row: None,
            "future_date": lambda row: _swapped_year(row["startdatum"]),  # type: ignore[arg-type]
            "text_in_number": lambda row: rng.choice(["4/5", "halftijds", "voltijds", "80%"]),
        },
        second_person,
    )
    return dataset


# Trainings: name, hours per session, departments it is for (None: everyone), sessions in the year.
TRAININGS: list[tuple[str, float, frozenset[str] | None, int]] = [
    ("Brandpreventie en evacuatie", 2.0, None, 30),
    ("EHBO-bijscholing", 3.0, None, 26),
    ("Informatieveiligheid en GDPR", 1.5, None, 30),
    ("Omgaan met agressie", 6.0, frozenset({"Burgerzaken", "Sociale dienst", "Woonzorgcentra", "Sport"}), 12),
    (
        "Tiltechnieken en ergonomie",
        3.5,
        frozenset({"Woonzorgcentra", "Thuiszorg en dienstencentra", "Kinderopvang", "Facilitair beheer"}),
        20,
    ),
    ("Dementiezorg: basis", 7.0, frozenset({"Woonzorgcentra", "Thuiszorg en dienstencentra"}), 12),
    ("Palliatieve zorg", 6.0, frozenset({"Woonzorgcentra"}), 6),
    ("Hygiëne en infectiepreventie", 2.5, frozenset({"Woonzorgcentra", "Kinderopvang", "Facilitair beheer"}), 16),
    ("Ontwikkeling van baby's en peuters", 6.0, frozenset({"Kinderopvang"}), 6),
    ("Veilig werken langs de weg", 4.0, frozenset({"Openbaar domein"}), 12),
    ("Kettingzaag: basisveiligheid", 7.0, frozenset({"Openbaar domein"}), 6),
    ("Heftruckattest", 7.0, frozenset({"Openbaar domein", "Facilitair beheer"}), 4),
    (
        "Excel voor gevorderden",
        7.0,
        frozenset({"Financiën", "Personeel en organisatie", "ICT", "Omgeving", "Algemene directie en secretariaat"}),
        8,
    ),
    ("Duidelijke taal in brieven en mails", 3.0, None, 10),
    ("Coachend leidinggeven", 14.0, None, 4),
    ("BBC en meerjarenplanning", 3.5, frozenset({"Financiën", "Algemene directie en secretariaat"}), 3),
    ("Sociale kaart en doorverwijzing", 3.0, frozenset({"Sociale dienst", "Thuiszorg en dienstencentra"}), 6),
    ("Schuldhulpverlening – actualisering", 6.0, frozenset({"Sociale dienst"}), 4),
    (
        "Onthaal en klantvriendelijkheid",
        3.0,
        frozenset({"Burgerzaken", "Cultuur en bibliotheek", "Sport", "Economie en toerisme", "Communicatie"}),
        8,
    ),
    ("Toegankelijke digitale documenten", 3.0, frozenset({"Communicatie", "ICT", "Cultuur en bibliotheek"}), 4),
]
N_REGISTRATIONS = 4000
STATUSES = {"gevolgd": 0.86, "geannuleerd": 0.08, "afwezig": 0.06}


def _working_days(year: int) -> list[date]:
    """Monday to Friday of `year`, without July and August (no trainings in the summer holidays)."""
    day, days = date(year, 1, 6), []
    while day.year == year:
        if day.weekday() < 5 and day.month not in (7, 8) and day <= date(year, 12, 19):
            days.append(day)
        day += timedelta(days=1)
    return days


def training_registrations(rng: random.Random, people: Sequence[Row]) -> Dataset:
    """N_REGISTRATIONS registrations for sessions in YEAR of the trainings in TRAININGS, sorted by date.

    Columns: personeelsnummer (of `people`, who had started by the session), training, datum, uren (the
    session's length), status (gevolgd, geannuleerd, afwezig; ingeschreven for half of December's sessions,
    not yet processed at the export). A training's sessions are spread over the working days of the year; its
    weight is its number of sessions. The key is (personeelsnummer, training, datum).
    """
    days = _working_days(YEAR)
    sessions = {name: sorted(rng.sample(days, count)) for name, _, _, count in TRAININGS}
    by_department: dict[str, list[Row]] = {}
    for person in people:
        by_department.setdefault(str(person["dienst"]), []).append(person)
    pools = {
        name: list(people) if audience is None else [p for d in sorted(audience) for p in by_department.get(d, [])]
        for name, _, audience, _ in TRAININGS
    }
    rows: list[Row] = []
    seen: set[tuple[str, str, date]] = set()
    while len(rows) < N_REGISTRATIONS:
        name, hours, _, _ = rng.choices(TRAININGS, weights=[t[3] for t in TRAININGS])[0]
        day = rng.choice(sessions[name])
        person = rng.choice(pools[name])
        number = str(person["personeelsnummer"])
        if person["startdatum"] > day or (number, name, day) in seen:  # type: ignore[operator]
            continue
        seen.add((number, name, day))
        pending = day.month == 12 and rng.random() < 0.5
        status = "ingeschreven" if pending else _weighted(rng, STATUSES)
        rows.append({"personeelsnummer": number, "training": name, "datum": day, "uren": hours, "status": status})
    rows.sort(key=lambda r: (r["datum"], r["training"], r["personeelsnummer"]))
    dataset = Dataset(
        "training_registrations",
        "opleidingen_2025.csv",
        "Inschrijvingen voor opleidingen 2025",
        ("personeelsnummer", "training", "datum", "uren", "status"),
        ("personeelsnummer", "training", "datum"),
        rows,
        len(rows),
    )
    _inject(
        dataset,
        rng,
        {
            "missing_value": lambda row: None,
            "future_date": lambda row: _swapped_year(row["datum"]),  # type: ignore[arg-type]
            "text_in_number": lambda row: rng.choice(["halve dag", "3u30", "1 dag", "?"]),
            "unknown_value": lambda row: rng.choice(["voltooid", "aanwezig", "ok"]),
        },
        dict,  # the same registration exported twice
    )
    return dataset


SUPPORT = {
    "leefloon": 0.38,
    "equivalent leefloon": 0.14,
    "schuldbemiddeling": 0.14,
    "budgetbegeleiding": 0.10,
    "budgetbeheer": 0.10,
    "aanvullende financiële steun": 0.09,
    "huurwaarborg": 0.05,
}
DEBT_SUPPORT = frozenset({"schuldbemiddeling", "budgetbeheer", "budgetbegeleiding"})
N_OPEN, N_CLOSED, N_WORKERS, N_DEBT_WORKERS = 900, 560, 22, 5


def social_cases(rng: random.Random, fake: Faker, numbers: set[str]) -> Dataset:
    """N_OPEN open and N_CLOSED closed case files of the social service (OCMW), sorted by dossiernummer.

    Columns: dossiernummer ("SD-<start year>-<4 digits>", numbered in order of start), client_id (a
    pseudonymous "CL" + 6 digits), client_rijksregisternummer (bis numbers for about 15 % of equivalent
    leefloon clients and 2 % of others), startdatum, einddatum (empty while open; closed cases started from
    2022 and lasted 2-30 months), steunvorm (leefloon 38 %, equivalent leefloon 14 %, debt mediation and budget
    support 34 %, ...), maatschappelijk_werker (one of N_WORKERS social workers; debt cases go to the
    N_DEBT_WORKERS of the debt team). About 15 % of clients have a second case of another kind.
    """
    workers = [fake.name() for _ in range(N_WORKERS)]
    debt_workers, general_workers = workers[:N_DEBT_WORKERS], workers[N_DEBT_WORKERS:]
    client_ids = [f"CL{n}" for n in rng.sample(range(100_000, 1_000_000), N_OPEN + N_CLOSED)]
    cases: list[Row] = []
    client: Row = {}
    previous = ""
    for index in range(N_OPEN + N_CLOSED):
        support = _weighted(rng, SUPPORT)
        if client and rng.random() < 0.15:  # a second case of the previous client, of another kind
            while support == previous:
                support = _weighted(rng, SUPPORT)
        else:
            bis = rng.random() < (0.15 if support == "equivalent leefloon" else 0.02)
            birth = _years_before(REFERENCE_DATE, rng.triangular(18, 85, 32))
            female = rng.random() < 0.55
            client = {
                "client_id": client_ids[index],
                "client_rijksregisternummer": _person_number(rng, birth, female, bis, numbers),
            }
        previous = support
        if index < N_OPEN:
            years = rng.expovariate(1 / 2.5)
            start, end = _years_before(REFERENCE_DATE, years if years < 10 else rng.uniform(0, 10)), None
        else:
            duration = timedelta(days=rng.randrange(60, 900))
            start = date(2022, 1, 1) + timedelta(
                days=rng.randrange((REFERENCE_DATE - duration - date(2022, 1, 1)).days)
            )
            end = start + duration
        worker = rng.choice(debt_workers if support in DEBT_SUPPORT else general_workers)
        cases.append({**client, "startdatum": start, "einddatum": end, "steunvorm": support, "worker": worker})
    cases.sort(key=lambda c: (c["startdatum"], c["client_id"]))
    per_year: dict[int, int] = {}
    rows: list[Row] = []
    for case in cases:
        year = case["startdatum"].year  # type: ignore[union-attr]
        per_year[year] = per_year.get(year, 0) + 1
        rows.append(
            {
                "dossiernummer": f"SD-{year}-{per_year[year]:04d}",
                "client_id": case["client_id"],
                "client_rijksregisternummer": case["client_rijksregisternummer"],
                "startdatum": case["startdatum"],
                "einddatum": case["einddatum"],
                "steunvorm": case["steunvorm"],
                "maatschappelijk_werker": case["worker"],
            }
        )
    dataset = Dataset(
        "social_cases",
        "dossiers_sociale_dienst.xlsx",
        "Dossiers sociale dienst",
        tuple(rows[0]),
        ("dossiernummer",),
        rows,
        len(rows),
    )

    def other_case(row: Row) -> Row:
        """A case of another client given a dossiernummer already in use (numbered by hand)."""
        other = rng.choice(rows)
        return {**other, "dossiernummer": row["dossiernummer"]}

    _inject(
        dataset,
        rng,
        {
            "invalid_checksum": lambda row: _typo(str(row["client_rijksregisternummer"]), rng),
            "missing_value": lambda row: None,
            "future_date": lambda row: _swapped_year(row["startdatum"]),  # type: ignore[arg-type]
            "unknown_value": lambda row: rng.choice(["LL", "leeflon", "budget", "steun"]),
        },
        other_case,
    )
    return dataset


# Deelgemeenten of Roeselare with their share of the households.
DEELGEMEENTEN = {"Roeselare": 0.72, "Rumbeke": 0.18, "Beveren": 0.07, "Oekene": 0.03}
STREETS_PER_DEELGEMEENTE = {"Roeselare": 60, "Rumbeke": 20, "Beveren": 10, "Oekene": 6}
N_ADDRESSES = 290  # about 1 % of Roeselare's ~29,000 households
# Fraction: share of addresses with such a container, weeks between collections, share of collections the
# container is put out, median kg per lift, seasonal amplitude (garden waste peaks in early summer).
FRACTIONS: dict[str, tuple[float, int, float, float, float]] = {
    "restafval": (1.00, 2, 0.72, 14.0, 0.0),
    "gft": (0.60, 2, 0.65, 11.0, 0.6),
    "pmd": (0.30, 2, 0.80, 4.5, 0.0),
    "papier-karton": (0.25, 4, 0.70, 9.0, 0.0),
}
WRONG_POSTCODES = ["8880", "8801", "8000", "8850", "8080"]


def container_weighings(rng: random.Random, fake: Faker) -> Dataset:
    """One year (YEAR) of weighings of every container at N_ADDRESSES addresses in postcode 8800.

    Each address has a restafval container and, with the shares in FRACTIONS, gft, pmd and paper containers.
    A street is collected on one weekday, restafval and pmd in odd or even weeks, gft in the other ones, paper
    every four weeks; a container is put out on a share of the collections and weighs a household median
    (lognormal around the fraction's, sd 0.4 on the log scale) times a lognormal lift factor (sd 0.3) times
    the season, to 0.5 kg (at least 0.5). Columns: container_id ("C" + 7 digits), straat, huisnummer (text:
    "12", "12A"), postcode, deelgemeente, fractie, datum, kg. Sorted by date and container; the key is
    (container_id, datum).
    """
    streets: list[tuple[str, str, int, int]] = []
    for deelgemeente, count in STREETS_PER_DEELGEMEENTE.items():
        names: set[str] = set()
        while len(names) < count:
            names.add(fake.street_name())
        streets += [(deelgemeente, name, rng.randrange(5), rng.randrange(2)) for name in sorted(names)]
    container_ids = iter(f"C{n:07d}" for n in rng.sample(range(10_000, 2_000_000), 4 * N_ADDRESSES))
    rows: list[Row] = []
    for _ in range(N_ADDRESSES):
        deelgemeente = _weighted(rng, DEELGEMEENTEN)
        _, street, weekday, parity = rng.choice([s for s in streets if s[0] == deelgemeente])
        number = str(rng.randint(1, 180)) + ("A" if rng.random() < 0.05 else "")
        address = {"straat": street, "huisnummer": number, "postcode": POSTCODE, "deelgemeente": deelgemeente}
        for fraction, (share, every, put_out, median, season) in FRACTIONS.items():
            if rng.random() >= share:
                continue
            container = next(container_ids)
            household = median * rng.lognormvariate(0, 0.4)
            offset = 0 if fraction in ("restafval", "pmd", "papier-karton") else 1
            for day in _collection_days(weekday, (parity + offset) % 2, every):
                if rng.random() >= put_out:
                    continue
                peak = 1 + season * _season(day)
                kg = max(0.5, round(2 * household * peak * rng.lognormvariate(0, 0.3)) / 2)
                rows.append({"container_id": container, **address, "fractie": fraction, "datum": day, "kg": kg})
    rows.sort(key=lambda r: (r["datum"], r["container_id"]))
    dataset = Dataset(
        "container_weighings",
        "containerwegingen_2025.csv",
        "Wegingen van afvalcontainers 2025 (steekproef van 1 % van de adressen)",
        tuple(rows[0]),
        ("container_id", "datum"),
        rows,
        len(rows),
    )
    _inject(
        dataset,
        rng,
        {
            "negative_weight": lambda row: -float(row["kg"]),  # type: ignore[arg-type]
            "text_in_number": lambda row: rng.choice(["ERR", "n.b.", "12,5 kg", "--"]),
            "unknown_postcode": lambda row: rng.choice(WRONG_POSTCODES),
            "missing_value": lambda row: None,
            "future_date": lambda row: _swapped_year(row["datum"]),  # type: ignore[arg-type]
        },
        lambda row: {**row, "kg": round(float(row["kg"]) * rng.uniform(0.3, 0.9) * 2) / 2},  # type: ignore[arg-type]
    )
    return dataset


def _collection_days(weekday: int, parity: int, every: int) -> Iterable[date]:
    """The days of YEAR on `weekday` (0 = Monday) in ISO weeks w with w % every == parity (mod every)."""
    day = date(YEAR, 1, 1) + timedelta(days=(weekday - date(YEAR, 1, 1).weekday()) % 7)
    while day.year == YEAR:
        if day.isocalendar().week % every == parity % every:
            yield day
        day += timedelta(days=7)


def _season(day: date) -> float:
    """A yearly wave: 1 around early July, -1 around early January; from a triangle on the day of the year."""
    position = (day.timetuple().tm_yday - 1) / 365
    return 1 - 4 * abs(position - 0.5)


# -- faults ---------------------------------------------------------------------------------------------------


def _inject(
    dataset: Dataset,
    rng: random.Random,
    changes: dict[FaultKind, Callable[[Row], Cell]],
    duplicate: Callable[[Row], Row],
) -> None:
    """Inject the faults of RATES[dataset.name] into `dataset.rows` and record them in `dataset.faults`.

    For each kind in the order of RATES, ``round(rate * clean_rows)`` rows not yet faulty are drawn; `changes`
    gives the new value of the kind's column (a change returning None for a kind other than missing_value marks
    the row as not eligible, e.g. a year that swapped does not lie in the future). For duplicate_key,
    `duplicate` makes a second row with the same key, placed right after the first (exports are sorted).
    """
    free = list(range(len(dataset.rows)))
    rng.shuffle(free)
    duplicated: list[tuple[int, Row]] = []
    for kind, (rate, column) in RATES[dataset.name].items():
        wanted = round(rate * dataset.clean_rows)
        chosen = 0
        for index in list(free):
            if chosen == wanted:
                break
            row = dataset.rows[index]
            if kind == "duplicate_key":
                duplicated.append((index, duplicate(row)))
                dataset.faults.append(Fault(kind, dataset.key_of(row), column, _text(row[column]), rows=2))
            else:
                value = changes[kind](row)
                if value is None and kind != "missing_value":
                    continue
                row[column] = value
                dataset.faults.append(Fault(kind, dataset.key_of(row), column, None if value is None else _cell(value)))
            free.remove(index)
            chosen += 1
        if chosen < wanted:
            raise ValueError(f"{dataset.name}: only {chosen} rows can take a {kind} fault, {wanted} wanted")
    for index, copy in sorted(duplicated, key=lambda pair: pair[0], reverse=True):
        dataset.rows.insert(index + 1, copy)
    dataset.faults.sort(key=lambda f: (f.kind, f.key))


def _cell(value: Cell) -> str:
    return value.isoformat() if isinstance(value, date) else _text(value)


# -- files ----------------------------------------------------------------------------------------------------


def generate(seed: int = DEFAULT_SEED) -> list[Dataset]:
    """The four datasets for `seed`: staff, training_registrations, social_cases, container_weighings.

    Each has its own RNG and Faker stream, seeded from `seed` and its name, so one dataset's changes do not
    move another's values. Training registrations draw only on staff rows without faults.
    """
    numbers: set[str] = set()

    def streams(name: str) -> tuple[random.Random, Faker]:
        fake = Faker("nl_BE")
        fake.seed_instance(f"{seed}:{name}:faker")
        return random.Random(f"{seed}:{name}"), fake

    staff_set = staff(*streams("staff"), numbers)
    faulty = {f.key for f in staff_set.faults}
    clean = [r for r in staff_set.rows if staff_set.key_of(r) not in faulty]
    training = training_registrations(streams("training_registrations")[0], clean)
    cases = social_cases(*streams("social_cases"), numbers)
    weighings = container_weighings(*streams("container_weighings"))
    return [staff_set, training, cases, weighings]


@dataclass(frozen=True)
class CsvStyle:
    """How a steward's export writes a CSV: encoding, separator, decimal mark, date format, line ending."""

    encoding: str
    delimiter: str
    decimal: str
    date_format: str
    newline: str


CSV_STYLES = {
    # Excel "CSV (puntkomma gescheiden)" on a Belgian Windows PC.
    "training_registrations": CsvStyle("cp1252", ";", ",", "%d/%m/%Y", "\r\n"),
    # The export of the weighing system of the intercommunale.
    "container_weighings": CsvStyle("utf-8", ";", ",", "%Y-%m-%d", "\n"),
}
SHEETS = {"staff": "Personeel", "social_cases": "Dossiers"}


def write(datasets: Sequence[Dataset], out: Path | str, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write each dataset to its file in `out` (created if missing), then manifest.json and README.md.

    Returns the paths written, sorted. The bytes depend only on the datasets and `seed`: workbooks are zip
    archives with fixed timestamps and stored (not deflated) entries, so no zlib version changes them.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for dataset in datasets:
        path = out / dataset.file
        if dataset.name in CSV_STYLES:
            path.write_bytes(_csv_bytes(dataset, CSV_STYLES[dataset.name]))
        else:
            path.write_bytes(_xlsx_bytes(dataset, SHEETS[dataset.name]))
        paths.append(path)
    manifest = _manifest(datasets, seed)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_readme(datasets, seed), encoding="utf-8")
    return sorted([*paths, out / "manifest.json", out / "README.md"])


def _csv_bytes(dataset: Dataset, style: CsvStyle) -> bytes:
    def text(value: Cell) -> str:
        if isinstance(value, date):
            return value.strftime(style.date_format)
        if isinstance(value, float):
            return _number(value).replace(".", style.decimal)
        return "" if value is None else str(value)

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator=style.newline)
    writer.writerow(dataset.columns)
    writer.writerows([text(row[c]) for c in dataset.columns] for row in dataset.rows)
    return buffer.getvalue().encode(style.encoding)


def _number(value: float) -> str:
    """A number as Excel's General format writes it: 1, 0.8, 14.5 (no trailing zeros)."""
    return str(int(value)) if value.is_integer() else repr(value)


EXCEL_EPOCH = date(1899, 12, 30)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f"{_HEAD}<styleSheet {_NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _xlsx_bytes(dataset: Dataset, sheet: str) -> bytes:
    """A minimal workbook of one sheet: a bold header row, text as shared strings, dates as serials in a
    dd/mm/yyyy format, numbers as numbers, empty cells left out."""
    strings: dict[str, int] = {}

    def cell(ref: str, value: Cell, style: int = 0) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{_number(float(value))}</v></c>'
        index = strings.setdefault(value, len(strings))
        styled = f' s="{style}"' if style else ""
        return f'<c r="{ref}" t="s"{styled}><v>{index}</v></c>'

    letters = [chr(ord("A") + i) for i in range(len(dataset.columns))]
    lines = [
        f'<row r="1">{"".join(cell(f"{c}1", name, 2) for c, name in zip(letters, dataset.columns, strict=True))}</row>'
    ]
    for number, row in enumerate(dataset.rows, start=2):
        cells = "".join(cell(f"{c}{number}", row[name]) for c, name in zip(letters, dataset.columns, strict=True))
        lines.append(f'<row r="{number}">{cells}</row>')
    worksheet = f"{_HEAD}<worksheet {_NS}><sheetData>{''.join(lines)}</sheetData></worksheet>"
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    parts = {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook {_NS} xmlns:r="{_REL}"><sheets>'
            f'<sheet name={quoteattr(sheet)} sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": worksheet,
        "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": (
            f'{_HEAD}<sst {_NS} count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _manifest(datasets: Sequence[Dataset], seed: int) -> dict[str, object]:
    """What was generated: per dataset its file, key, row counts, the rates and every fault by key."""
    return {
        "generator": "peil.demo.synthetic",
        "seed": seed,
        "reference_date": REFERENCE_DATE.isoformat(),
        "synthetic": True,
        "datasets": {
            d.name: {
                "file": d.file,
                "title": d.title,
                "columns": list(d.columns),
                "key": list(d.key),
                "rows": len(d.rows),
                "clean_rows": d.clean_rows,
                "faulty_rows": sum(f.rows for f in d.faults),
                "rates": {kind: {"rate": rate, "column": column} for kind, (rate, column) in RATES[d.name].items()},
                "fault_counts": {kind: sum(f.kind == kind for f in d.faults) for kind in RATES[d.name]},
                "faults": [
                    {"kind": f.kind, "key": list(f.key), "column": f.column, "value": f.value, "rows": f.rows}
                    for f in d.faults
                ],
            }
            for d in datasets
        },
    }


def _readme(datasets: Sequence[Dataset], seed: int) -> str:
    table = "\n".join(
        f"| `{d.file}` | `{d.name}` | {d.title} | {len(d.rows):,} | "
        + ", ".join(f"{kind} {sum(f.kind == kind for f in d.faults)}" for kind in RATES[d.name])
        + f" ({sum(f.rows for f in d.faults)} rows) |"
        for d in datasets
    )
    return f"""# Synthetic data — not real people, not real records

**Every file in this folder is synthetic.** No person, case file, address or weighing in it exists. They stand
in for internal data that no municipality publishes (staff register, training records, social-service case
files, container weighings) so that the example workspace can show checks and quarantine on personal data.

They were made by `peil.demo.synthetic` with seed {seed} (reference date
{REFERENCE_DATE.isoformat()}):

```
python -m peil.demo.synthetic --seed {seed} --out src/peil/demo/workspace/data/synthetic
```

and are exactly what that command writes (`tests/test_synthetic.py` regenerates them and compares the bytes).

| file | source | what | rows | injected faults (kind count) |
|---|---|---|---|---|
{table}

How they were made (the module's docstrings give every distribution):

- **Names** from Faker (locale nl_BE), fictitious; street names are Faker's too. **National register numbers**
  are valid (birth date, a serial odd for men and even for women, check digits 97 - (number mod 97), with a 2
  in front for births from 2000), about 2 % bis numbers (month + 40), as for cross-border workers; they belong
  to no one. Clients of the social service are known by a pseudonymous `client_id`.
- **Sizes** as in Roeselare (about 65,000 inhabitants): about 1,000 staff of city and OCMW, about 4,000
  training registrations in a year, about 900 open social-service cases. Roeselare weighs about 200,000
  container lifts a year; the weighings here are one year of every container at 290 addresses (about 1 % of
  the households), to keep the package small. Every address has the postcode 8800 (Roeselare, Beveren,
  Oekene and Rumbeke).
- **Exports as stewards make them**: the workbooks as from the HR and social-service software; the training
  list as Excel's "CSV (puntkomma gescheiden)" (cp1252, `;`, decimal comma, dd/mm/yyyy); the weighings as the
  weighing system's export (utf-8, `;`, decimal comma, ISO dates).
- **Faults at known rates**: for each kind, round(rate x clean rows) rows drawn with the seeded RNG, one fault
  per row. `manifest.json` lists every fault with the key of its row, the column and the value written; a
  `duplicate_key` fault is one key on two rows. The checks in `../../sources/` catch exactly these rows.
"""


def main(argv: Sequence[str] | None = None) -> None:
    """The command line: ``python -m peil.demo.synthetic --seed 2026 --out DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m peil.demo.synthetic", description="Write the synthetic internal data of the example workspace."
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"the seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write the files to")
    args = parser.parse_args(argv)
    for path in write(generate(args.seed), args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
