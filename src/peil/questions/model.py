"""Question files: questions/<id>.yaml in a workspace, validated with Pydantic.

A question says what is asked, why it matters (the people, organisational goals or services it touches), the
decision it informs, who owns it, and the unit of the answer. The answer is a tree of factors: each factor has
a name, a description, an optional unit and exactly one of

- ``estimate``: an uncertain quantity written as :mod:`peil.questions.distributions` reads it, with its
  ``source`` (``literature``, ``expert`` or ``own_data``);
- ``data``: an indicator's value (``indicator``, ``entity``, ``period``) or a SQL query returning one number
  or one column of numbers;
- ``formula``: other factors combined as :mod:`peil.questions.formula` reads it, with those factors listed
  under ``factors`` (a formula may also use a factor listed elsewhere in the tree).

Loading checks everything that can be known before a run, each error naming the file, the line and the field:
the syntax of estimates and formulas (with line, column and a caret), names that do not exist, formulas that
refer to each other in a circle, units (:mod:`peil.questions.units`) and correlations that cannot hold
together.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from peil.errors import Location, QuestionError, WorkspaceError
from peil.questions import correlation, distributions, formula, syntax, units
from peil.questions.distributions import Estimate
from peil.questions.formula import Formula
from peil.workspace import NAME_PATTERN, dotted, line_of, load_yaml

QUESTIONS_FOLDER = "questions"
RESERVED = frozenset(formula.FUNCTIONS) | {"to", "of", "weights"}
Kind = Literal["estimate", "data", "formula"]


def _as_pydantic_error(exc: QuestionError) -> PydanticCustomError:
    # Pydantic reports this error with the file, line and field of the value; the message keeps the caret.
    return PydanticCustomError("question_syntax", "{text}", {"text": str(exc)})


def _estimate(value: Any) -> Estimate:
    if isinstance(value, Estimate):
        return value
    try:
        return distributions.parse(value)
    except QuestionError as exc:
        raise _as_pydantic_error(exc) from None


def _formula(value: Any) -> Formula:
    if isinstance(value, Formula):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("question_syntax", "a formula is text, such as: households * pianos_per_household")
    try:
        return formula.parse(value)
    except QuestionError as exc:
        raise _as_pydantic_error(exc) from None


EstimateField = Annotated[Estimate, PlainValidator(_estimate), PlainSerializer(str)]
FormulaField = Annotated[Formula, PlainValidator(_formula), PlainSerializer(str)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """Where an estimate comes from: exactly one of a literature reference, an expert, or own data."""

    literature: str | None = None
    expert: str | None = Field(None, description="the expert's name and role")
    own_data: str | None = Field(None, description="which data, and how the figure was derived")
    date: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _date_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("date"), dt.date):
            return {**data, "date": data["date"].isoformat()}
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        given = [k for k in ("literature", "expert", "own_data") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of literature, expert or own_data")
        return self

    @property
    def kind(self) -> Literal["literature", "expert", "own_data"]:
        return "literature" if self.literature else "expert" if self.expert else "own_data"

    @property
    def reference(self) -> str:
        return self.literature or self.expert or self.own_data or ""


class Data(_Strict):
    """Data from the workspace: an indicator's value for an entity and period, or a SQL query.

    The query returns one number (a known value) or one column of numbers (their spread is the uncertainty).
    Entity codes are text: quote them in YAML ('02000'), or leading zeros are lost.
    """

    indicator: str | None = None
    entity: str | None = None
    period: str | None = None
    sql: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _period_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("period"), int):
            return {**data, "period": str(data["period"])}
        return data

    @model_validator(mode="after")
    def _one_form(self) -> Data:
        indicator = (self.indicator, self.entity, self.period)
        if self.sql is not None and any(v is not None for v in indicator):
            raise ValueError("give either sql, or indicator, entity and period; not both")
        if self.sql is None and any(v is None for v in indicator):
            raise ValueError("give sql, or all of indicator, entity and period")
        return self

    def describe(self) -> str:
        if self.sql is not None:
            return f"SQL: {' '.join(self.sql.split())}"
        return f"indicator {self.indicator} for {self.entity}, {self.period}"


class Factor(_Strict):
    """One quantity in the answer's tree: an estimate, data or a formula of other factors."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str
    unit: str | None = None
    estimate: EstimateField | None = None
    source: Source | None = None
    data: Data | None = None
    formula: FormulaField | None = None
    factors: list[Factor] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> Factor:
        given = [k for k in ("estimate", "data", "formula") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"factor '{self.name}' needs exactly one of estimate, data or formula")
        if self.name in RESERVED:
            raise ValueError(f"'{self.name}' is reserved; choose another factor name")
        if self.estimate is not None and self.source is None:
            raise ValueError(
                f"the estimate of '{self.name}' needs a source: literature, expert or own_data, "
                "e.g. source: {expert: 'An Peeters, dienst Cultuur'}"
            )
        if self.estimate is None and self.source is not None:
            raise ValueError(f"only an estimate takes a source; '{self.name}' is {given[0]}")
        if self.formula is None and self.factors:
            raise ValueError(f"only a formula has factors under it; '{self.name}' is {given[0]}")
        return self

    @property
    def kind(self) -> Kind:
        return "estimate" if self.estimate is not None else "data" if self.data is not None else "formula"


class Why(_Strict):
    """Why the question matters: in a sentence, and whom or what it touches."""

    summary: str
    people: list[str] = Field(default_factory=list)
    goals: list[str] = Field(default_factory=list, description="the organisation's goals (e.g. BBC objectives)")
    services: list[str] = Field(default_factory=list)


class Correlation(_Strict):
    """A rank (Spearman) correlation between two estimates."""

    between: tuple[str, str]
    rank: float = Field(ge=-1, le=1)


class Question(_Strict):
    """questions/<id>.yaml: a policy question and the factor tree that answers it."""

    id: str = Field(pattern=NAME_PATTERN)
    question: str
    why: Why
    decision: str
    owner: str
    unit: str
    threshold: float | None = Field(None, description="the result gives the probability the answer exceeds it")
    answer: Factor
    correlations: list[Correlation] = Field(default_factory=list)

    _order: list[str] = PrivateAttr(default_factory=list)
    _factors: dict[str, Factor] = PrivateAttr(default_factory=dict)
    _paths: dict[str, tuple[str | int, ...]] = PrivateAttr(default_factory=dict)
    _units: dict[str, units.Unit | None] = PrivateAttr(default_factory=dict)
    _file: str | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        """`why` may be one sentence; the answer's name, description and unit default to the question's."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("why"), str):
            data["why"] = {"summary": data["why"]}
        if isinstance(data.get("answer"), dict):
            defaults = {"name": data.get("id"), "description": data.get("question"), "unit": data.get("unit")}
            data["answer"] = {**{k: v for k, v in defaults.items() if v is not None}, **data["answer"]}
        return data

    @model_validator(mode="after")
    def _check(self) -> Question:
        collected = _collect(self.answer)
        self._factors = {name: factor for name, (factor, _) in collected.items()}
        self._paths = {name: path for name, (_, path) in collected.items()}
        self._order = _order(collected, self.answer.name)
        self._units = _check_units(self)
        _check_correlations(self)
        return self

    @property
    def factors(self) -> Mapping[str, Factor]:
        """Every factor by name, the answer first, then depth-first in the order written."""
        return self._factors

    @property
    def order(self) -> list[str]:
        """The factors the answer needs, each after the factors its formula uses; the answer last."""
        return list(self._order)

    @property
    def unused(self) -> list[str]:
        """Factors in the tree that the answer does not use."""
        return [name for name in self._factors if name not in self._order]

    def unit_of(self, name: str) -> units.Unit | None:
        """A factor's unit: declared, or inferred from its formula; None when unknown."""
        return self._units.get(name)

    def location(self, name: str, key: str | None = None) -> Location:
        """Where a factor (or one of its keys) is written: the file when loaded from one, and the field."""
        return Location(file=self._file, field=dotted(self._paths[name] + ((key,) if key else ())))


class _Invalid(QuestionError):
    """A QuestionError at a path in the question; :func:`load` adds the file and line."""

    def __init__(self, message: str, path: tuple[str | int, ...], hint: str | None = None) -> None:
        super().__init__(message, Location(field=dotted(path)), hint)
        self.path = path


def _collect(root: Factor) -> dict[str, tuple[Factor, tuple[str | int, ...]]]:
    found: dict[str, tuple[Factor, tuple[str | int, ...]]] = {}
    stack: list[tuple[Factor, tuple[str | int, ...]]] = [(root, ("answer",))]
    while stack:
        factor, path = stack.pop()
        if factor.name in found:
            raise _Invalid(
                f"two factors are named '{factor.name}'",
                (*path, "name"),
                hint=f"The other is at {dotted(found[factor.name][1])}; a name refers to one factor.",
            )
        found[factor.name] = (factor, path)
        stack.extend((child, (*path, "factors", i)) for i, child in reversed(list(enumerate(factor.factors))))
    return found


def _order(factors: dict[str, tuple[Factor, tuple[str | int, ...]]], root: str) -> list[str]:
    """Depth-first from the answer: each factor after those it uses; refuses unknown names and circles."""
    order: list[str] = []

    def visit(name: str, trail: list[str]) -> None:
        factor, path = factors[name]
        for used in factor.formula.names() if factor.formula is not None else []:
            if used not in factors:
                assert factor.formula is not None
                raise _unknown(factor.formula, used, list(factors), (*path, "formula"), name)
            if used in trail:
                circle = [*trail[trail.index(used) :], used]
                raise _Invalid(
                    f"the formulas refer to each other in a circle: {' → '.join(circle)}",
                    (*path, "formula"),
                    hint="A factor cannot depend on itself; make one of them an estimate or data.",
                )
            if used not in order:
                visit(used, [*trail, used])
        order.append(name)

    visit(root, [root])
    return order


def _unknown(f: Formula, name: str, known: list[str], path: tuple[str | int, ...], owner: str) -> _Invalid:
    node = next(n for n in formula.name_nodes(f.node) if n.name == name)
    guess = difflib.get_close_matches(name, known, n=1)
    detail = f"'{name}' is not a factor" + (f"; did you mean '{guess[0]}'?" if guess else "")
    located = syntax.located(f"in the formula of '{owner}'", f.text, node.position, detail)
    return _Invalid(located.message, path, hint=f"The factors are: {', '.join(sorted(known))}.")


def _check_units(question: Question) -> dict[str, units.Unit | None]:
    """Each needed factor's unit, declared or inferred; refuses formulas whose units do not fit."""
    found: dict[str, units.Unit | None] = {}
    for name in question._order:
        factor, path = question._factors[name], question._paths[name]
        declared = _unit(factor.unit, (*path, "unit")) if factor.unit else None
        inferred = None
        if factor.formula is not None:
            try:
                inferred = units.infer(name, factor.formula, found)
            except QuestionError as exc:
                raise _Invalid(exc.message, (*path, "formula"), exc.hint) from None
        if declared is not None and inferred is not None and not units.same(declared, inferred):
            raise _Invalid(
                f"the formula of '{name}' gives {units.show(inferred)}, but its unit is "
                f"{units.show(declared)}: {units.mismatch(inferred, declared)}",
                (*path, "unit"),
                hint="Correct the formula or the unit.",
            )
        found[name] = declared if declared is not None else inferred
    answer = found[question.answer.name]
    expected = _unit(question.unit, ("unit",))
    if answer is not None and not units.same(answer, expected):
        raise _Invalid(
            f"the answer is in {units.show(answer)}, but the question's unit is {units.show(expected)}: "
            f"{units.mismatch(answer, expected)}",
            ("unit",),
        )
    return found


def _unit(text: str, path: tuple[str | int, ...]) -> units.Unit:
    try:
        return units.parse_unit(text)
    except QuestionError as exc:
        raise _Invalid(exc.message, path, exc.hint) from None


def _check_correlations(question: Question) -> None:
    pairs = []
    for i, item in enumerate(question.correlations):
        for name in item.between:
            factor = question._factors.get(name)
            if factor is None or factor.estimate is None or factor.estimate.distribution.family == "point":
                raise _Invalid(
                    f"'{name}' is not an uncertain estimate, so it cannot be correlated",
                    ("correlations", i, "between"),
                    hint="Correlations are between factors with an estimate other than a single number.",
                )
        if item.between[0] == item.between[1]:
            raise _Invalid("a factor cannot be correlated with itself", ("correlations", i, "between"))
        pairs.append((item.between[0], item.between[1], item.rank))
    if pairs:
        names = sorted({n for a, b, _ in pairs for n in (a, b)})
        try:
            correlation.matrix(names, pairs)
        except QuestionError as exc:
            raise _Invalid(exc.message, ("correlations",), exc.hint) from None


def load(path: Path | str, root: Path | str | None = None) -> Question:
    """Load and check a question file; `root` (the workspace) makes the file names in messages relative.

    Raises QuestionError naming the file, line and field, and for estimates and formulas also the column
    with a caret, when the file is not valid YAML, a field is missing or wrong, or a check above fails.
    """
    path = Path(path)
    base = Path(root) if root is not None else path.parent
    try:
        name = str(path.relative_to(base))
    except ValueError:
        name = str(path)
    try:
        question = load_yaml(path, Question, base, defaults={"id": path.stem})
    except WorkspaceError as exc:
        raise QuestionError(exc.message, exc.location, exc.hint) from None
    except _Invalid as exc:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        location = Location(file=name, line=line_of(node, exc.path), field=dotted(exc.path))
        raise QuestionError(exc.message, location, exc.hint) from None
    question._file = name
    return question


def load_all(root: Path | str) -> dict[str, Question]:
    """Every question in the workspace's questions/ folder, by id, in file name order."""
    folder = Path(root) / QUESTIONS_FOLDER
    return {q.id: q for q in (load(p, root) for p in sorted(folder.glob("*.y*ml")))}


def template(question: str = "How many households ...?", unit: str = "households") -> str:
    """The text of a starting question file, for `peil question new`: it loads and runs as it is."""
    content = {
        "question": question,
        "why": {
            "summary": "Why the answer matters, in one sentence.",
            "people": ["who is affected"],
            "goals": ["the goal of the organisation it serves"],
            "services": ["the service it concerns"],
        },
        "decision": "The decision this answer informs, and when it is taken.",
        "owner": "Who answers for the question",
        "unit": unit,
        "answer": {
            "formula": "quantity * share",
            "factors": [
                {
                    "name": "quantity",
                    "description": "How many there are in all",
                    "unit": unit,
                    "estimate": "1000 to 2000",
                    "source": {"own_data": "where the figure comes from"},
                },
                {
                    "name": "share",
                    "description": "Which share of them counts",
                    "estimate": "12 of 100",
                    "source": {"expert": "name, role"},
                },
            ],
        },
    }
    return yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=110)
