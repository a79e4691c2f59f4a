"""Load and validate a workspace: peil.yaml, sources/*.yaml, models/*.sql, indicators/*.yaml, reports/*.md.

A workspace is a folder a municipality keeps under version control (docs/workspace.md describes every file and
field). Loading validates every file with Pydantic; an error names the file, the line and the field, and says
what is expected. A key given twice in one mapping is refused (YAML would keep the last one silently), and a
misspelt field is named as unknown, with the closest known one, rather than reported as the field it misses.
A key left empty (`options:` with nothing after it, which YAML reads as null) counts as left out where the field
has a default: an empty `options:` is no options, an empty `checks:` no checks. A required field left empty is
named as empty, with what to write in it. Nothing here touches the warehouse.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from peil.errors import Location, WorkspaceError
from peil.quality import declarations
from peil.quality.declarations import Check
from peil.texts import Language as Language
from peil.texts import Translated as Translated

WORKSPACE_FILE = "peil.yaml"
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
NIS_PATTERN = r"^[0-9]{5}$"
OWNER_PLACEHOLDERS = frozenset({"", "todo", "tbd", "tbc", "fixme", "xxx", "-", "n/a", "none", "unknown", "onbekend"})

FieldType = Literal["string", "integer", "number", "boolean", "date", "datetime", "year"]
Classification = Literal["public", "internal", "confidential", "personal", "special_category"]
M = TypeVar("M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_as_left_out(cls, data: Any) -> Any:
        """`data` without the keys left empty (null) whose field has a default, so that they take it."""
        if not isinstance(data, dict):
            return data
        optional = {
            key
            for name, info in cls.model_fields.items()
            if not info.is_required()
            for key in (name, info.alias or name)
        }
        return {key: value for key, value in data.items() if value is not None or key not in optional}


class Constraints(_Strict):
    """Frictionless Table Schema field constraints."""

    required: bool = False
    unique: bool = False
    minimum: float | int | str | None = None
    maximum: float | int | str | None = None
    min_length: int | None = Field(None, alias="minLength")
    max_length: int | None = Field(None, alias="maxLength")
    pattern: str | None = None
    enum: list[Any] | None = None


class SchemaField(_Strict):
    """One column: its name as in the file's header, its type and, for dates and numbers, its format."""

    name: str = Field(min_length=1)
    type: FieldType = "string"
    format: str | None = None
    title: str | None = None
    description: str | None = None
    constraints: Constraints = Constraints()


class ForeignKeyReference(_Strict):
    resource: str
    fields: list[str]


class ForeignKey(_Strict):
    fields: list[str]
    reference: ForeignKeyReference


class TableSchema(_Strict):
    """A Frictionless Table Schema: fields, primaryKey, foreignKeys and missingValues."""

    fields: list[SchemaField]
    primary_key: list[str] = Field(default_factory=list, alias="primaryKey")
    foreign_keys: list[ForeignKey] = Field(default_factory=list, alias="foreignKeys")
    missing_values: list[str] = Field(default_factory=lambda: [""], alias="missingValues")

    @field_validator("primary_key", mode="before")
    @classmethod
    def _key_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _key_fields_exist(self) -> TableSchema:
        names = [f.name for f in self.fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"field names must be unique; repeated: {', '.join(duplicates)}")
        for key in self.primary_key:
            if key not in names:
                raise ValueError(f"primaryKey names '{key}', which is not a field; fields: {', '.join(names)}")
        return self


class Crosstab(_Strict):
    """A sheet laid out as a cross table: header rows across, index columns down, one value per cell.

    The reader unpivots it into long rows of (index columns..., header names..., value); empty cells give no row.
    """

    index: list[str]
    headers: list[str]
    value: str


class ReadOptions(_Strict):
    """How to read the file. Every option has a sensible default or is sniffed from the file."""

    delimiter: str | None = None
    encoding: str | None = None
    decimal: Literal[".", ","] = "."
    thousands: Literal[".", ",", " ", "'"] | None = None
    quote: str = '"'
    header_row: int = Field(1, ge=1, description="1-based row of the header, after skip_rows")
    skip_rows: int = Field(0, ge=0)
    sheet: str | int | None = None
    records: str | None = Field(None, description="JSON: dotted path to the array of records")
    crosstab: Crosstab | None = None


class Source(_Strict):
    """A dataset declared once: where it comes from, how to read it, what it holds and who answers for it.

    `title`, `description`, `licence`, `attribution` and `update_frequency` are each a text or a Translated
    {nl, en}; the report shows the one in its language (the `text` filter of peil.reports.render)."""

    name: str = Field(pattern=NAME_PATTERN)
    title: str | Translated | None = None
    description: str | Translated | None = None
    path: str
    format: Literal["csv", "excel", "parquet", "json", "ndjson"] | None = None
    options: ReadOptions = ReadOptions()
    table_schema: TableSchema = Field(alias="schema")
    owner: str
    steward: str | None = None
    classification: Classification = "internal"
    licence: str | Translated | None = None
    attribution: str | Translated | None = None
    update_frequency: str | Translated | None = None
    checks: list[Check] = Field(default_factory=list, description="data quality checks, see docs/quality.md")

    @field_validator("owner", mode="before")
    @classmethod
    def _empty_owner(cls, value: Any) -> Any:
        return "" if value is None else value

    @model_validator(mode="after")
    def _format_from_extension(self) -> Source:
        if self.format is None:
            self.format = format_for_path(self.path)
        return self

    @property
    def owner_missing(self) -> bool:
        """Whether `owner` names no one: empty, or a placeholder such as TODO (what `peil infer` writes), TBD or ?."""
        return self.owner.strip().strip("?").strip().lower() in OWNER_PLACEHOLDERS

    def owner_warning(self) -> str | None:
        """The warning for an owner that names no one, or None when the owner is real."""
        if not self.owner_missing:
            return None
        what = f"still the placeholder '{self.owner.strip()}'" if self.owner.strip() else "empty"
        return f"{self.name}: owner is {what}; name the department that answers for this dataset"


class PeerQuery(_Strict):
    """Peers chosen by a query over the workspace's data: it returns one column of entity codes."""

    sql: str


class Entities(_Strict):
    """The dataset or model that names the entities indicators are computed for (municipalities, regions)."""

    relation: str = Field(pattern=NAME_PATTERN)
    code: str
    name: str


class Project(_Strict):
    """peil.yaml: the workspace's own settings."""

    name: str
    title: str | None = None
    municipality: str = Field(pattern=NIS_PATTERN, description="NIS code of the home municipality")
    language: Language = "nl"
    engine: Literal["duckdb"] = "duckdb"
    region: str | None = Field(None, description="entity code of the comparison region, e.g. 02000 Flanders")
    peers: list[str] | PeerQuery = Field(default_factory=list)
    compare: list[str] = Field(default_factory=list, description="further entities shown beside the peers")
    entities: Entities | None = None
    themes: dict[str, Translated] = Field(
        default_factory=dict, description="labels of the indicators' theme keys, e.g. bevolking: {nl: Bevolking, ...}"
    )


class Indicator(_Strict):
    """A policy indicator: SQL returning rows of (entity, period, value) and what the value means."""

    id: str = Field(pattern=NAME_PATTERN)
    name: Translated
    description: Translated
    unit: str
    direction: Literal["higher_is_better", "higher_is_worse", "neutral"] = "neutral"
    theme: str
    objective: str | None = None
    target: float | None = None
    decimals: int = Field(1, ge=0, le=6)
    compare_region: bool = Field(
        True, description="false for counts and totals, where the region's figure dwarfs the municipalities'"
    )
    sources: list[str] = Field(default_factory=list)
    sql: str


class Model(BaseModel):
    """models/<name>.sql: one SELECT over datasets and other models."""

    name: str
    path: Path
    sql: str


class Report(BaseModel):
    """reports/<name>.md: a Markdown page that places indicators, charts and tables."""

    name: str
    path: Path
    text: str


@dataclass
class Workspace:
    """A loaded, validated workspace. Paths in sources are relative to `root`."""

    root: Path
    project: Project
    sources: dict[str, Source] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)

    @property
    def warehouse_path(self) -> Path:
        return self.root / ".peil" / "warehouse.duckdb"

    @property
    def site_path(self) -> Path:
        return self.root / "site"

    def relation_names(self) -> set[str]:
        return set(self.sources) | set(self.models)


FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".xlsb": "excel",
    ".ods": "excel",
    ".parquet": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


def format_for_path(path: str) -> Literal["csv", "excel", "parquet", "json", "ndjson"]:
    """The reader for a file name, from its extension (a trailing .gz is looked through).

    Raises ValueError naming the known extensions when the extension is unknown.
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"cannot tell the format of '{path}' from its extension; known: {known}; or set format")
    return FORMATS[suffix]  # type: ignore[return-value]


def load(root: Path | str) -> Workspace:
    """Load and validate the workspace in `root`.

    Raises WorkspaceError naming the file, line and field when peil.yaml is missing, a file is not valid YAML,
    a field is unknown or of the wrong type, or two files declare the same name.
    """
    root = Path(root).resolve()
    project_file = root / WORKSPACE_FILE
    if not project_file.is_file():
        raise WorkspaceError(
            f"no {WORKSPACE_FILE} in {root}",
            hint="Run `peil init DIR` to create a workspace, or pass the workspace folder with --workspace.",
        )
    workspace = Workspace(root=root, project=load_yaml(project_file, Project, root))
    source_paths: dict[str, Path] = {}
    for path in sorted((root / "sources").glob("*.y*ml")):
        source = load_yaml(path, Source, root, defaults={"name": path.stem})
        _named_after_file(source.name, path, root)
        workspace.sources[source.name] = source
        source_paths[source.name] = path
    _check_declarations(workspace, source_paths)
    for path in sorted((root / "indicators").glob("*.y*ml")):
        indicator = load_yaml(path, Indicator, root, defaults={"id": path.stem})
        _named_after_file(indicator.id, path, root)
        workspace.indicators[indicator.id] = indicator
    for path in sorted((root / "models").glob("*.sql")):
        _check_name(path, root)
        if path.stem in workspace.sources:
            raise WorkspaceError(
                f"model '{path.stem}' has the name of a source",
                Location(file=_relative(path, root)),
                hint="Rename the model file; a name refers to one dataset or model only.",
            )
        workspace.models[path.stem] = Model(name=path.stem, path=path, sql=path.read_text(encoding="utf-8"))
    for path in sorted((root / "reports").glob("*.md")):
        workspace.reports[path.stem] = Report(name=path.stem, path=path, text=path.read_text(encoding="utf-8"))
    return workspace


def _named_after_file(name: str, path: Path, root: Path) -> None:
    if name != path.stem:
        raise WorkspaceError(
            f"the name '{name}' differs from the file name '{path.stem}'",
            Location(file=_relative(path, root)),
            hint=f"A dataset or indicator is named after its file: remove the name, or rename the file to {name}.yaml.",
        )


def _check_name(path: Path, root: Path) -> None:
    if not re.match(NAME_PATTERN, path.stem):
        raise WorkspaceError(
            f"'{path.stem}' is not a valid name",
            Location(file=_relative(path, root)),
            hint="Use lower-case letters, digits and underscores, starting with a letter (e.g. population_age).",
        )
    if path.stem in sql_words():
        raise WorkspaceError(
            f"'{path.stem}' is a word of SQL, so `FROM {path.stem}` would not parse",
            Location(file=_relative(path, root)),
            hint=f"Rename the file, e.g. to {path.stem}_data{path.suffix}.",
        )


@functools.cache
def sql_words() -> frozenset[str]:
    """The words DuckDB does not take as a table's name unquoted (SELECT, SEMI, ASOF, ...), in lower case."""
    found = duckdb.execute(
        "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category IN ('reserved', 'type_function')"
    ).fetchall()
    return frozenset(word.lower() for (word,) in found)


def _check_declarations(workspace: Workspace, paths: dict[str, Path]) -> None:
    """Raise WorkspaceError at the file and line of the first check that names a column or dataset that does
    not exist, or a name used twice (peil.quality.declarations.problems)."""
    columns = {name: [f.name for f in s.table_schema.fields] for name, s in workspace.sources.items()}
    for name, source in workspace.sources.items():
        for problem in declarations.problems(name, source.checks, columns):
            node = yaml.compose(paths[name].read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
            where = Location(
                file=_relative(paths[name], workspace.root), line=line_of(node, problem.loc), field=dotted(problem.loc)
            )
            raise WorkspaceError(problem.message, where, hint=problem.hint)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


class DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping gives the same key twice; `line` is the 1-based line of the second, `first` of the first."""

    def __init__(self, key: Hashable, first: yaml.Node, second: yaml.Node) -> None:
        super().__init__(problem=f"found duplicate key '{key}'", problem_mark=second.start_mark)
        self.key = key
        self.first = first.start_mark.line + 1
        self.line = second.start_mark.line + 1
        self.index = second.start_mark.index


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader that raises DuplicateKey where a mapping repeats a key, instead of keeping the last.

    Keys a merge (`<<: *anchor`) brings in may still be overridden.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Hashable, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # SafeLoader refuses it with its own message
            if key in seen:
                raise DuplicateKey(key, seen[key], key_node)
            seen[key] = key_node
        return super().construct_mapping(node, deep)


def load_yaml(path: Path, model: type[M], root: Path, defaults: dict[str, Any] | None = None) -> M:
    """The file at `path` validated as `model`, with `defaults` for the fields it leaves out.

    Raises WorkspaceError naming the file, line and field when the file is not valid YAML, repeats a key in a
    mapping, is not a mapping, or does not validate (an unknown field is named before a missing one).
    """
    if defaults:
        _check_name(path, root)
    name = _relative(path, root)
    node, data = _parse(path.read_text(encoding="utf-8"), name)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise WorkspaceError("expected a mapping of field: value at the top level", Location(file=name, line=1))
    data = {**(defaults or {}), **data}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, model, node, name) from None


def _parse(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    """The YAML `text` as a node tree (for lines) and as data. Raises WorkspaceError at the line of a syntax
    error or of a key repeated in a mapping."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        return node, yaml.load(text, Loader=UniqueKeyLoader)
    except DuplicateKey as exc:
        raise WorkspaceError(
            f"the key '{exc.key}' is given twice in one mapping (first on line {exc.first})",
            Location(file=file, line=exc.line, field=dotted(_path_at(node, exc.index)) or str(exc.key)),
            hint="Keep one of them: YAML would silently use the last and ignore the first.",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise WorkspaceError(
            f"not valid YAML: {exc.problem}",
            Location(file=file, line=mark.line + 1 if mark else None),
            hint="Check the indentation and quoting around this line.",
        ) from None


def _explain(exc: ValidationError, model: type[BaseModel], node: yaml.Node | None, file: str) -> WorkspaceError:
    error, missing = _cause(exc.errors())
    path = declarations.untagged(error["loc"])  # a check's type is not part of the file's structure
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        path = (*path, "type")
    loc = [str(p) for p in path]
    field = dotted(path)
    line = line_of(node, path)
    message = error["msg"]
    hint = None
    if error["type"] == "extra_forbidden":
        allowed = _allowed_at(model, error["loc"][:-1])
        guess = difflib.get_close_matches(loc[-1], allowed, n=1)
        message = f"'{loc[-1]}' is not a known field" + (f"; did you mean '{guess[0]}'?" if guess else "")
        if missing:
            message += (" The" if guess else "; the") + f" required field '{missing}' is missing"
        hint = f"Allowed here: {', '.join(allowed)}."
    elif error["type"] in ("literal_error", "union_tag_invalid"):
        context = error.get("ctx", {})
        expected = context.get("expected") or context.get("expected_tags", "")
        given = context.get("tag", error.get("input"))
        guess = difflib.get_close_matches(str(given), re.findall(r"'([^']+)'", expected), n=1)
        message = f"'{given}' is not allowed" + (f"; did you mean '{guess[0]}'?" if guess else "")
        hint = f"Allowed: {expected}."
    elif error["type"] in ("missing", "union_tag_not_found"):
        message = f"the field '{loc[-1]}' is required"
    elif error["type"] == "model_type" or error.get("input", "") is None or error["type"] == "string_too_short":
        given = "is empty" if error.get("input") in (None, "") else f"holds {error.get('input')!r}, not fields"
        message = f"the field '{field}' {given}"
        hint = _what_to_write(error, model)
    return WorkspaceError(message, Location(file=file, line=line, field=field), hint=hint)


def _what_to_write(error: ErrorDetails, model: type[BaseModel]) -> str:
    """How to fill the field of `error`, which is empty or not of its shape: the fields of an object, the items of
    a list, or a value after the colon."""
    key = error["loc"][-1]
    where = f"'{key}:'" if isinstance(key, str) else "its '-'"
    if error["type"] == "model_attributes_type":  # a list item of a tagged union: a check
        return f"Write its fields after {where}, one a line, indented, starting with its type: '- type: not_null'."
    if error["type"] == "model_type":
        return f"Write its fields after {where}, one a line, indented: {', '.join(_allowed_at(model, error['loc']))}."
    if error["type"] == "list_type":
        return f"Write its items after {where}, one a line, each as '- item'."
    return f"Write its value after {where}."


def _cause(errors: list[ErrorDetails]) -> tuple[ErrorDetails, str | None]:
    """The error to report, and the required field it stands in for when it is an unknown one.

    That is the first error, unless it is a required field missing from an object that also has an unknown
    field: a misspelt name gives both, and the unknown field (the one closest to the missing name) is the cause.
    """
    first = errors[0]
    if first["type"] == "missing":
        missing, parent = str(first["loc"][-1]), first["loc"][:-1]
        unknown = [e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == parent]
    elif first["type"] == "union_tag_not_found":
        missing, unknown = "type", _unknown_in_check(first)
    else:
        return first, None
    if not unknown:
        return first, None
    return max(unknown, key=lambda e: difflib.SequenceMatcher(None, missing, str(e["loc"][-1])).ratio()), missing


def _unknown_in_check(error: ErrorDetails) -> list[ErrorDetails]:
    """An unknown-field error for each field of a check without `type` that no check has (Pydantic does not look
    at a check's fields before it knows its type)."""
    given = error["input"] if isinstance(error["input"], dict) else {}
    return [
        ErrorDetails(
            type="extra_forbidden", loc=(*error["loc"], str(key)), msg="Extra inputs are not permitted", input=value
        )
        for key, value in given.items()
        if key not in declarations.CHECK_FIELDS
    ]


def _allowed_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names allowed in the object at `loc` in `model`; in a check without a type, those of any check."""
    tagged = declarations.tagged(loc)
    if tagged:
        return _allowed_fields(*tagged)
    if declarations.is_check(loc):
        return declarations.CHECK_FIELDS
    return _allowed_fields(model, loc)


def dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the deepest YAML node on the path `loc` that exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child[0]
    return line if not isinstance(node, tuple) else node[0]


def _path_at(node: yaml.Node | None, index: int) -> tuple[int | str, ...]:
    """The path under `node` of the mapping key that starts at character `index` of the text."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.start_mark.index == index:
                return (key.value,)
            if value.start_mark.index <= index < value.end_mark.index:
                return (key.value, *_path_at(value, index))
    if isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            if item.start_mark.index <= index < item.end_mark.index:
                return (number, *_path_at(item, index))
    return ()


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, tuple):
        node = node[1]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return (key.start_mark.line + 1, value)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return (item.start_mark.line + 1, item)
    return None


def _allowed_fields(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part)) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        inner = _model_in(info.annotation) if info else None
        if inner is None:
            break
        model = inner
    return sorted(f.alias or n for n, f in model.model_fields.items())


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def iter_files(root: Path, pattern: str) -> Iterator[Path]:
    """The files a source's path or glob names, sorted; relative patterns are relative to `root`."""
    base = Path(pattern)
    if base.is_absolute():
        yield from sorted(Path(base.anchor).glob(str(base.relative_to(base.anchor))))
    else:
        yield from sorted(root.glob(pattern))
