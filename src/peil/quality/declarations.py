"""The checks a source declares under `checks:` in sources/NAME.yaml, as Pydantic models (docs/quality.md).

Each check type is one small model that adds its own fields to the common ones (type, name, severity, threshold,
description) and says in Dutch and English what it checks. `Check` is their union, told apart by `type`.
`implied` adds the checks the schema declares itself (types, primaryKey, field constraints); `problems` finds
what Pydantic cannot see in one file: columns that are not in the schema, references to datasets that are not
declared, names used twice. Nothing here touches the warehouse; peil.quality.compile turns checks into SQL.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from graphlib import CycleError, TopologicalSorter
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from peil.errors import Location, QueryError, WorkspaceError
from peil.query import validate
from peil.texts import Language, Translated

if TYPE_CHECKING:
    from peil.workspace import SchemaField, Source

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
Severity = Literal["error", "warn"]
Bound = float | int | date | datetime
Loc = tuple[int | str, ...]
AGE_UNITS: dict[str, timedelta] = {
    "minute": timedelta(minutes=1),
    "minuut": timedelta(minutes=1),
    "minuten": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "uur": timedelta(hours=1),
    "uren": timedelta(hours=1),
    "day": timedelta(days=1),
    "dag": timedelta(days=1),
    "dagen": timedelta(days=1),
    "week": timedelta(weeks=1),
    "weken": timedelta(weeks=1),
    "month": timedelta(days=30),
    "maand": timedelta(days=30),
    "maanden": timedelta(days=30),
    "year": timedelta(days=365),
    "jaar": timedelta(days=365),
    "jaren": timedelta(days=365),
}
FREQUENCIES: dict[str, timedelta] = {
    "daily": timedelta(days=1),
    "dagelijks": timedelta(days=1),
    "weekly": timedelta(days=7),
    "wekelijks": timedelta(days=7),
    "monthly": timedelta(days=31),
    "maandelijks": timedelta(days=31),
    "quarterly": timedelta(days=92),
    "driemaandelijks": timedelta(days=92),
    "yearly": timedelta(days=366),
    "annually": timedelta(days=366),
    "jaarlijks": timedelta(days=366),
}
ISO_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)


def parse_age(text: str) -> timedelta:
    """A maximum age: an ISO 8601 duration (P7D, PT1H, P1M; a month is 30 days, a year 365) or
    'N minutes/hours/days/weeks/months/years' (English or Dutch). Raises ValueError saying what is accepted."""
    cleaned = text.strip()
    match = ISO_DURATION.fullmatch(cleaned.upper())
    if match and cleaned.upper() not in ("P", "PT") and not cleaned.upper().endswith("T"):
        parts = {k: int(v) for k, v in match.groupdict().items() if v}
        days = parts.pop("years", 0) * 365 + parts.pop("months", 0) * 30 + parts.pop("days", 0)
        return timedelta(days=days, **parts)
    words = cleaned.lower().split()
    if len(words) == 2 and words[0].isdigit():
        unit = AGE_UNITS.get(words[1]) or AGE_UNITS.get(words[1].rstrip("s"))
        if unit is not None:
            return int(words[0]) * unit
    raise ValueError(f"'{text}' is not an age; write an ISO 8601 duration such as P7D or PT1H, or e.g. '30 days'")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Threshold(_Strict):
    """How many failing rows a check tolerates before it fails: a number of rows or a percentage of the rows."""

    rows: int | None = Field(None, ge=0)
    percent: float | None = Field(None, ge=0, le=100)

    @model_validator(mode="after")
    def _one_of(self) -> Threshold:
        if (self.rows is None) == (self.percent is None):
            raise ValueError("give either rows or percent, e.g. {rows: 5} or {percent: 1.5}")
        return self

    def tolerates(self, failing: int, checked: int) -> bool:
        """Whether `failing` of `checked` rows is within the threshold (not above it)."""
        if self.rows is not None:
            return failing <= self.rows
        return checked > 0 and 100 * failing / checked <= (self.percent or 0)


class ColumnReference(_Strict):
    """A column of another dataset whose values a code must be among; with year_column, only that year's rows."""

    dataset: str = Field(pattern=NAME_PATTERN)
    column: str
    year_column: str | None = None


class KeyReference(_Strict):
    """The key columns of the dataset a foreign key points to."""

    dataset: str = Field(pattern=NAME_PATTERN)
    columns: list[str] = Field(min_length=1)

    @field_validator("columns", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Window(_Strict):
    """The dates a value must lie between (both included)."""

    min: date | None = None
    max: date | None = None


class CheckBase(_Strict):
    """What every check has. Subclasses add their fields, `columns` and the wording of their description."""

    type: str
    name: str | None = Field(default=None, pattern=NAME_PATTERN)
    severity: Severity = "error"
    threshold: Threshold | None = None
    description: Translated | None = None

    row_level: ClassVar[bool] = True
    identifier: ClassVar[bool] = False

    @property
    def columns(self) -> list[str]:
        """The dataset's columns the check reads."""
        return []

    @property
    def check_name(self) -> str:
        """The declared name, or `<type>_<columns joined by _>` (`<type>` for a check of the whole table)."""
        return self.name or "_".join([self.type, *self.columns])

    def describe(self, language: Language) -> str:
        """The description in `language`: the declared one, or one written from the type and fields."""
        if self.description is not None:
            return self.description.get(language)
        nl, en = self.wording()
        return nl if language == "nl" else en

    def wording(self) -> tuple[str, str]:
        """The default description, (Dutch, English)."""
        raise NotImplementedError

    def references(self) -> Iterator[tuple[str, list[str], Loc]]:
        """(dataset, its columns, field path) for every other dataset the check reads."""
        return iter(())

    def passes(self, failing: int, checked: int) -> bool:
        """The verdict: no failing rows, or no more than the threshold tolerates."""
        return failing == 0 or (self.threshold is not None and self.threshold.tolerates(failing, checked))


class ColumnCheck(CheckBase):
    column: str

    @property
    def columns(self) -> list[str]:
        return [self.column]


class NotNull(ColumnCheck):
    type: Literal["not_null"]

    def wording(self) -> tuple[str, str]:
        return f"{self.column} is altijd ingevuld.", f"{self.column} is always filled in."


class Unique(ColumnCheck):
    type: Literal["unique"]

    def wording(self) -> tuple[str, str]:
        return (
            f"Geen twee rijen hebben dezelfde {self.column} (lege waarden tellen niet).",
            f"No two rows have the same {self.column} (empty values do not count).",
        )


class AcceptedValues(ColumnCheck):
    type: Literal["accepted_values"]
    values: list[str | int | float | bool] = Field(min_length=1)

    def wording(self) -> tuple[str, str]:
        listed = ", ".join(str(v) for v in self.values)
        return f"{self.column} is een van: {listed}.", f"{self.column} is one of: {listed}."


class Range(ColumnCheck):
    type: Literal["range"]
    min: Bound | None = None
    max: Bound | None = None
    inclusive: bool = True

    @model_validator(mode="after")
    def _a_bound(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self

    def wording(self) -> tuple[str, str]:
        strict = "" if self.inclusive else " (grenzen niet inbegrepen)"
        strict_en = "" if self.inclusive else " (bounds excluded)"
        if self.min is not None and self.max is not None:
            return (
                f"{self.column} ligt tussen {self.min} en {self.max}{strict}.",
                f"{self.column} lies between {self.min} and {self.max}{strict_en}.",
            )
        if self.min is not None:
            return f"{self.column} is minstens {self.min}{strict}.", f"{self.column} is at least {self.min}{strict_en}."
        return f"{self.column} is hoogstens {self.max}{strict}.", f"{self.column} is at most {self.max}{strict_en}."


class Pattern(ColumnCheck):
    type: Literal["pattern"]
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str) -> str:
        """The pattern must compile for Python's re and DuckDB's RE2 alike, so both give the same verdict."""
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"the regular expression does not compile: {exc}") from None
        with duckdb.connect() as con:
            try:
                con.execute("SELECT regexp_full_match('', ?)", [regex]).fetchall()
            except duckdb.Error as exc:
                raise ValueError(f"DuckDB (RE2) cannot use this regular expression: {exc}") from None
        return regex

    def wording(self) -> tuple[str, str]:
        return (
            f"{self.column} heeft in zijn geheel de vorm {self.regex}.",
            f"{self.column} as a whole has the form {self.regex}.",
        )


class Length(ColumnCheck):
    type: Literal["length"]
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _a_bound(self) -> Length:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self

    def wording(self) -> tuple[str, str]:
        low, high = self.min if self.min is not None else 0, self.max
        if high is None:
            return f"{self.column} telt minstens {low} tekens.", f"{self.column} has at least {low} characters."
        return (
            f"{self.column} telt {low} tot {high} tekens.",
            f"{self.column} has {low} to {high} characters.",
        )


class DateCheck(ColumnCheck):
    type: Literal["date"]
    not_future: bool = False
    window: Window | None = None

    @model_validator(mode="after")
    def _a_rule(self) -> DateCheck:
        if not self.not_future and self.window is None:
            raise ValueError("give not_future: true, a window: {min, max}, or both")
        return self

    def wording(self) -> tuple[str, str]:
        nl: list[str] = []
        en: list[str] = []
        if self.not_future:
            nl.append("ligt niet in de toekomst")
            en.append("is not in the future")
        if self.window is not None and self.window.min is not None:
            nl.append(f"ligt niet voor {self.window.min}")
            en.append(f"is not before {self.window.min}")
        if self.window is not None and self.window.max is not None:
            nl.append(f"ligt niet na {self.window.max}")
            en.append(f"is not after {self.window.max}")
        return f"{self.column} {' en '.join(nl)}.", f"{self.column} {' and '.join(en)}."


class NationalRegisterNumber(ColumnCheck):
    type: Literal["national_register_number"]
    identifier: ClassVar[bool] = True

    def wording(self) -> tuple[str, str]:
        return (
            f"{self.column} is een geldig rijksregisternummer of bisnummer (controlegetal klopt).",
            f"{self.column} is a valid Belgian national register or BIS number (check digits match).",
        )


class EnterpriseNumber(ColumnCheck):
    type: Literal["enterprise_number"]
    identifier: ClassVar[bool] = True

    def wording(self) -> tuple[str, str]:
        return (
            f"{self.column} is een geldig ondernemingsnummer (KBO, controlegetal klopt).",
            f"{self.column} is a valid Belgian enterprise number (KBO/BCE, check digits match).",
        )


class Iban(ColumnCheck):
    type: Literal["iban"]
    identifier: ClassVar[bool] = True

    def wording(self) -> tuple[str, str]:
        return (
            f"{self.column} is een geldig IBAN-rekeningnummer (controlegetallen kloppen).",
            f"{self.column} is a valid IBAN bank account number (check digits match).",
        )


class Postcode(ColumnCheck):
    type: Literal["postcode"]
    reference: ColumnReference | None = None
    identifier: ClassVar[bool] = True

    def references(self) -> Iterator[tuple[str, list[str], Loc]]:
        if self.reference is not None:
            yield _column_reference(self.reference)

    def wording(self) -> tuple[str, str]:
        listed = f" uit {self.reference.dataset}" if self.reference else ""
        listed_en = f" listed in {self.reference.dataset}" if self.reference else ""
        return (
            f"{self.column} is een Belgische postcode (1000-9999){listed}.",
            f"{self.column} is a Belgian postcode (1000-9999){listed_en}.",
        )


class NisCode(ColumnCheck):
    type: Literal["nis_code"]
    year: int | None = Field(None, ge=1900, le=2100)
    reference: ColumnReference | None = None
    identifier: ClassVar[bool] = True

    def references(self) -> Iterator[tuple[str, list[str], Loc]]:
        if self.reference is not None:
            yield _column_reference(self.reference)

    def wording(self) -> tuple[str, str]:
        year = f" van {self.year}" if self.year else ""
        year_en = f" of {self.year}" if self.year else ""
        listed = f" (volgens {self.reference.dataset})" if self.reference else ""
        listed_en = f" (as listed in {self.reference.dataset})" if self.reference else ""
        return (
            f"{self.column} is een NIS-code van een gemeente{year}{listed}.",
            f"{self.column} is the NIS code of a municipality{year_en}{listed_en}.",
        )


class Phone(ColumnCheck):
    type: Literal["phone"]
    region: str = "BE"
    identifier: ClassVar[bool] = True

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"'{region}' is not a region phonenumbers knows; use a country code such as BE or NL")
        return region

    def wording(self) -> tuple[str, str]:
        return f"{self.column} is een geldig telefoonnummer.", f"{self.column} is a valid phone number."


class PrimaryKey(CheckBase):
    type: Literal["primary_key"]
    key: list[str] = Field(alias="columns", min_length=1)

    @property
    def columns(self) -> list[str]:
        return self.key

    @property
    def check_name(self) -> str:
        return self.name or "primary_key"

    def wording(self) -> tuple[str, str]:
        key = ", ".join(self.key)
        return (
            f"Elke rij heeft een ingevulde en unieke sleutel ({key}).",
            f"Every row has a filled-in, unique key ({key}).",
        )


class ForeignKey(CheckBase):
    type: Literal["foreign_key"]
    key: list[str] = Field(alias="columns", min_length=1)
    reference: KeyReference

    @model_validator(mode="after")
    def _same_width(self) -> ForeignKey:
        if len(self.key) != len(self.reference.columns):
            raise ValueError("columns and reference.columns must name as many columns")
        return self

    @property
    def columns(self) -> list[str]:
        return self.key

    def references(self) -> Iterator[tuple[str, list[str], Loc]]:
        yield self.reference.dataset, self.reference.columns, ("reference",)

    def wording(self) -> tuple[str, str]:
        key = ", ".join(self.key)
        return (
            f"Elke {key} komt voor in {self.reference.dataset}.",
            f"Every {key} occurs in {self.reference.dataset}.",
        )


class RowCount(CheckBase):
    type: Literal["row_count"]
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)
    change_percent: float | None = Field(None, ge=0)
    row_level: ClassVar[bool] = False

    @model_validator(mode="after")
    def _a_rule(self) -> RowCount:
        if self.min is None and self.max is None and self.change_percent is None:
            raise ValueError("give min, max, change_percent or several")
        return self

    def wording(self) -> tuple[str, str]:
        nl: list[str] = []
        en: list[str] = []
        if self.min is not None:
            nl.append(f"minstens {self.min} rijen")
            en.append(f"at least {self.min} rows")
        if self.max is not None:
            nl.append(f"hoogstens {self.max} rijen")
            en.append(f"at most {self.max} rows")
        if self.change_percent is not None:
            nl.append(f"hoogstens {self.change_percent:g}% meer of minder rijen dan de vorige versie")
            en.append(f"at most {self.change_percent:g}% more or fewer rows than the previous version")
        return f"De tabel telt {', '.join(nl)}.", f"The table has {', '.join(en)}."


class Freshness(CheckBase):
    type: Literal["freshness"]
    column: str | None = None
    max_age: str | None = None
    timezone: str = "Europe/Brussels"
    row_level: ClassVar[bool] = False

    @field_validator("max_age")
    @classmethod
    def _an_age(cls, value: str | None) -> str | None:
        if value is not None:
            parse_age(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _a_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a time zone; write e.g. Europe/Brussels or UTC") from None
        return value

    @property
    def columns(self) -> list[str]:
        return [self.column] if self.column else []

    def age_limit(self, update_frequency: str | Translated | None) -> timedelta | None:
        """max_age, or else the age the source's update_frequency allows (in either language, when it is given
        in both); None when neither says."""
        if self.max_age is not None:
            return parse_age(self.max_age)
        if isinstance(update_frequency, Translated):
            texts = [update_frequency.nl, update_frequency.en]
        else:
            texts = [update_frequency or ""]
        keys = [text.strip().lower() for text in texts]
        return next((FREQUENCIES[key] for key in keys if key in FREQUENCIES), None)

    def wording(self) -> tuple[str, str]:
        what = f"De nieuwste {self.column}" if self.column else "De laatste versie"
        what_en = f"The newest {self.column}" if self.column else "The latest version"
        age = self.max_age or "de bijwerkfrequentie"
        age_en = self.max_age or "the update frequency"
        return f"{what} is niet ouder dan {age}.", f"{what_en} is not older than {age_en}."


class SchemaDrift(CheckBase):
    type: Literal["schema_drift"]
    row_level: ClassVar[bool] = False

    def wording(self) -> tuple[str, str]:
        return (
            "De kolommen en hun types zijn dezelfde als in de vorige versie.",
            "The columns and their types are the same as in the previous version.",
        )


class SqlCheck(CheckBase):
    type: Literal["sql"]
    name: str = Field(pattern=NAME_PATTERN)
    sql: str

    @field_validator("sql")
    @classmethod
    def _one_select(cls, sql: str) -> str:
        try:
            validate(sql)
        except QueryError as exc:
            raise ValueError(exc.message) from None
        return sql

    def wording(self) -> tuple[str, str]:
        return f"Eigen controle {self.name} vindt geen rijen.", f"Custom check {self.name} finds no rows."


class TypeConformance(CheckBase):
    """Implied by the schema: every value fits its field's declared type (the readers mark those that do not)."""

    type: Literal["type"]
    fields: list[str] = Field(default_factory=list)

    @property
    def check_name(self) -> str:
        return self.name or "type"

    @property
    def columns(self) -> list[str]:
        return self.fields

    def wording(self) -> tuple[str, str]:
        return (
            "Elke waarde past bij het type van haar kolom (een getal is een getal, een datum een datum).",
            "Every value fits its column's type (a number is a number, a date a date).",
        )


Check = Annotated[
    NotNull
    | Unique
    | AcceptedValues
    | Range
    | Pattern
    | Length
    | DateCheck
    | NationalRegisterNumber
    | EnterpriseNumber
    | Iban
    | Postcode
    | NisCode
    | Phone
    | PrimaryKey
    | ForeignKey
    | RowCount
    | Freshness
    | SchemaDrift
    | SqlCheck,
    Field(discriminator="type"),
]
CHECK_TYPES: dict[str, type[CheckBase]] = {
    get_args(cls.model_fields["type"].annotation)[0]: cls for cls in get_args(get_args(Check)[0])
}
CHECK_FIELDS: list[str] = sorted(
    {info.alias or name for cls in CHECK_TYPES.values() for name, info in cls.model_fields.items()}
)


def effective(source: Source) -> list[CheckBase]:
    """The checks that run on `source`: those its schema implies (every value fits its type, primaryKey, field
    constraints), then those under `checks:`; a declared check replaces an implied one of the same name."""
    schema = source.table_schema
    implied: list[CheckBase] = [
        TypeConformance(type="type", fields=[f.name for f in schema.fields if f.type != "string"])
    ]
    if schema.primary_key:
        implied.append(PrimaryKey.model_validate({"type": "primary_key", "columns": schema.primary_key}))
    for schema_field in schema.fields:
        implied += _constraint_checks(schema_field)
    declared = {check.check_name for check in source.checks}
    return [c for c in implied if c.check_name not in declared] + list(source.checks)


def _constraint_checks(schema_field: SchemaField) -> list[CheckBase]:
    """The checks a field's Frictionless constraints stand for."""
    rule = schema_field.constraints
    found: list[dict[str, Any]] = []
    if rule.required:
        found.append({"type": "not_null"})
    if rule.unique:
        found.append({"type": "unique"})
    if rule.minimum is not None or rule.maximum is not None:
        found.append({"type": "range", "min": rule.minimum, "max": rule.maximum})
    if rule.min_length is not None or rule.max_length is not None:
        found.append({"type": "length", "min": rule.min_length, "max": rule.max_length})
    if rule.pattern is not None:
        found.append({"type": "pattern", "regex": rule.pattern})
    if rule.enum is not None:
        found.append({"type": "accepted_values", "values": rule.enum})
    return [CHECK_TYPES[spec["type"]].model_validate({**spec, "column": schema_field.name}) for spec in found]


def references(source: Source) -> set[str]:
    """The other datasets `source`'s checks read: they are loaded first, and a new snapshot of one of them has
    this source checked again."""
    return {dataset for check in source.checks for dataset, _, _ in check.references()} - {source.name}


def ordered(sources: Mapping[str, Source]) -> list[Source]:
    """The sources in the order they are loaded: every dataset a check reads before the source whose check reads
    it, otherwise in declaration order. Raises WorkspaceError naming the datasets when their checks read each
    other in a cycle (a check on the dataset itself is fine)."""
    sorter = TopologicalSorter({name: references(source) & set(sources) for name, source in sources.items()})
    position = {name: index for index, name in enumerate(sources)}
    order: list[Source] = []
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise WorkspaceError(
            f"the checks of these datasets read each other in a cycle: {cycle}",
            Location(file=f"sources/{exc.args[1][0]}.yaml", field="checks"),
            hint="Remove one of the foreign keys or references, so that one dataset can be checked first.",
        ) from None
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order += [sources[name] for name in ready]
        sorter.done(*ready)
    return order


def _column_reference(reference: ColumnReference) -> tuple[str, list[str], Loc]:
    columns = [reference.column, *([reference.year_column] if reference.year_column else [])]
    return reference.dataset, columns, ("reference",)


@dataclass(frozen=True)
class Problem:
    """A declaration peil cannot use: where (the field path in the source file), what, and what to do."""

    loc: Loc
    message: str
    hint: str | None = None


def problems(dataset: str, checks: Sequence[CheckBase], columns: Mapping[str, list[str]]) -> Iterator[Problem]:
    """The problems of `dataset`'s checks that need the other files to see: a column that is not in the schema
    (with the closest one), a reference to a dataset that is not declared or to its missing columns, a name used
    twice. `columns` maps every declared dataset to its field names."""
    seen: dict[str, int] = {}
    for index, check in enumerate(checks):
        where: Loc = ("checks", index)
        if check.check_name in seen:
            yield Problem(
                (*where, "name"),
                f"two checks are named '{check.check_name}' (checks[{seen[check.check_name]}] and checks[{index}])",
                "Give one of them a name of its own with `name:`.",
            )
        seen[check.check_name] = index
        field = "columns" if isinstance(check, PrimaryKey | ForeignKey) else "column"
        yield from _unknown_columns(check.columns, columns[dataset], dataset, (*where, field))
        for other, names, loc in check.references():
            if other not in columns:
                guess = difflib.get_close_matches(other, list(columns), n=1)
                yield Problem(
                    (*where, *loc, "dataset"),
                    f"'{other}' is not a declared dataset" + (f"; did you mean '{guess[0]}'?" if guess else ""),
                    f"Declared datasets: {', '.join(sorted(columns))}.",
                )
                continue
            yield from _unknown_columns(names, columns[other], other, (*where, *loc))


def _unknown_columns(names: list[str], fields: list[str], dataset: str, loc: Loc) -> Iterator[Problem]:
    for name in names:
        if name not in fields:
            guess = difflib.get_close_matches(name, fields, n=1)
            yield Problem(
                loc,
                f"'{name}' is not a column of {dataset}" + (f"; did you mean '{guess[0]}'?" if guess else ""),
                f"Columns of {dataset}: {', '.join(fields)}.",
            )
            return


def tagged(loc: Loc) -> tuple[type[CheckBase], Loc] | None:
    """For a Pydantic error inside a check, (its check class, the path inside the check); None elsewhere.

    Pydantic puts the check's type in the error's path: ('checks', 2, 'range', 'foo').
    """
    if len(loc) >= 3 and loc[0] == "checks" and isinstance(loc[1], int) and loc[2] in CHECK_TYPES:
        return CHECK_TYPES[str(loc[2])], loc[3:]
    return None


def is_check(loc: Loc) -> bool:
    """Whether `loc` is the path of a check itself: ('checks', 2)."""
    return len(loc) == 2 and loc[0] == "checks" and isinstance(loc[1], int)


def untagged(loc: Loc) -> Loc:
    """`loc` without the check type Pydantic puts in it: ('checks', 2, 'range', 'min') -> ('checks', 2, 'min')."""
    return (*loc[:2], *loc[3:]) if tagged(loc) else loc
