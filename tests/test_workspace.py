"""Workspace files are validated; every error names the file, the line and the field, and what is expected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from peil import workspace
from peil.demo import workspace_path
from peil.errors import WorkspaceError
from peil.quality.declarations import Freshness


def _error(root: Path) -> WorkspaceError:
    with pytest.raises(WorkspaceError) as caught:
        workspace.load(root)
    return caught.value


def test_starter_workspace_loads(starter: Path) -> None:
    ws = workspace.load(starter)
    assert ws.project.municipality == "36015"
    assert sorted(ws.sources) == ["bevolking", "gemeenten"]
    assert ws.sources["bevolking"].format == "csv"
    assert ws.sources["bevolking"].table_schema.primary_key == ["CD_MUNTY_REFNIS"]
    assert sorted(ws.indicators) == ["bevolkingsgroei", "inwoners"]
    assert list(ws.models) == ["bevolking_per_jaar"]


def test_missing_workspace_file_says_how_to_create_one(tmp_path: Path) -> None:
    error = _error(tmp_path)
    assert "no peil.yaml" in error.message
    assert "peil init" in (error.hint or "")


def test_misspelt_field_names_file_line_and_a_guess(starter: Path) -> None:
    (starter / "peil.yaml").write_text('name: x\nmunicipality: "36015"\nlangauge: nl\n', encoding="utf-8")
    error = _error(starter)
    assert str(error.location) == "peil.yaml, line 3, field 'langauge'"
    assert "did you mean 'language'?" in error.message


def test_unknown_field_type_is_named_with_its_line_and_the_allowed_types(starter: Path) -> None:
    path = starter / "sources" / "bevolking.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('{name: "2011", type: integer}', '{name: "2011", type: integr}')
    )
    error = _error(starter)
    assert error.location is not None
    assert error.location.file == "sources/bevolking.yaml"
    assert error.location.line == 11
    assert error.location.field == "schema.fields[3].type"
    assert "did you mean 'integer'?" in error.message
    assert "'string', 'integer', 'number', 'boolean', 'date', 'datetime' or 'year'" in (error.hint or "")


def test_broken_yaml_names_the_line(starter: Path) -> None:
    (starter / "indicators" / "inwoners.yaml").write_text("name: {nl: a, en: b\nunit: x\n", encoding="utf-8")
    error = _error(starter)
    assert error.location is not None
    assert error.location.file == "indicators/inwoners.yaml"
    assert error.location.line == 2
    assert "not valid YAML" in error.message


def test_missing_required_field_is_named(starter: Path) -> None:
    path = starter / "sources" / "gemeenten.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("owner: Strategische cel\n", ""), encoding="utf-8")
    error = _error(starter)
    assert error.message == "the field 'owner' is required"
    assert error.location is not None and error.location.file == "sources/gemeenten.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_misspelt_required_field_is_named_as_unknown_before_it_is_missing(starter: Path) -> None:
    _edit(starter / "sources" / "bevolking.yaml", '{name: "2011", type: integer}', '{nmae: "2011", type: integer}')
    error = _error(starter)
    assert str(error).splitlines()[0] == (
        "sources/bevolking.yaml, line 11, field 'schema.fields[3].nmae': 'nmae' is not a known field; "
        "did you mean 'name'? The required field 'name' is missing"
    )
    assert error.hint == "Allowed here: constraints, description, format, name, title, type."


def test_a_misspelt_top_level_field_is_named_at_its_own_line(starter: Path) -> None:
    _edit(starter / "sources" / "gemeenten.yaml", "owner: Strategische cel", "ownr: Strategische cel")
    error = _error(starter)
    assert str(error.location) == "sources/gemeenten.yaml, line 18, field 'ownr'"
    assert error.message == "'ownr' is not a known field; did you mean 'owner'? The required field 'owner' is missing"


def test_a_misspelt_optional_field_of_a_column_is_named(starter: Path) -> None:
    _edit(starter / "sources" / "bevolking.yaml", '{name: "2011", type: integer}', '{name: "2011", tpye: integer}')
    error = _error(starter)
    assert str(error.location) == "sources/bevolking.yaml, line 11, field 'schema.fields[3].tpye'"
    assert error.message == "'tpye' is not a known field; did you mean 'type'?"


def test_a_key_given_twice_names_the_second_line(starter: Path) -> None:
    _edit(starter / "sources" / "gemeenten.yaml", "owner: Strategische cel\n", "owner: Strategische cel\nowner: X\n")
    error = _error(starter)
    assert str(error) == (
        "sources/gemeenten.yaml, line 19, field 'owner': the key 'owner' is given twice in one mapping "
        "(first on line 18)\n  Keep one of them: YAML would silently use the last and ignore the first."
    )


def test_a_key_given_twice_in_a_column_names_its_path(starter: Path) -> None:
    _edit(
        starter / "sources" / "bevolking.yaml",
        '{name: "2012", type: integer}',
        '{name: "2012", type: integer, type: year}',
    )
    error = _error(starter)
    assert str(error.location) == "sources/bevolking.yaml, line 12, field 'schema.fields[4].type'"
    assert error.message == "the key 'type' is given twice in one mapping (first on line 12)"


def test_a_key_given_twice_in_peil_yaml_is_refused(starter: Path) -> None:
    _edit(starter / "peil.yaml", "municipality:", "language: en\nlanguage: nl\nmunicipality:")
    error = _error(starter)
    assert error.location is not None and error.location.file == "peil.yaml"
    assert "the key 'language' is given twice" in error.message


def test_a_merge_key_may_still_be_overridden(starter: Path) -> None:
    _edit(
        starter / "peil.yaml",
        "  bevolking: {nl: Bevolking, en: Population}",
        "  bevolking: &t {nl: Bevolking, en: Population}\n  groei: {<<: *t, en: Growth}",
    )
    assert workspace.load(starter).project.themes["groei"].en == "Growth"


@pytest.mark.parametrize(
    ("owner", "shown"),
    [
        ("TODO", "still the placeholder 'TODO'"),
        ("TBD", "still the placeholder 'TBD'"),
        ('"?"', "still the placeholder '?'"),
        ('""', "empty"),
        ("", "empty"),
    ],
)
def test_a_placeholder_owner_loads_but_counts_as_missing(starter: Path, owner: str, shown: str) -> None:
    _edit(starter / "sources" / "gemeenten.yaml", "owner: Strategische cel", f"owner: {owner}")
    source = workspace.load(starter).sources["gemeenten"]
    assert source.owner_missing
    assert source.owner_warning() == f"gemeenten: owner is {shown}; name the department that answers for this dataset"


def test_the_bundled_workspaces_name_every_owner(starter: Path) -> None:
    for root in (starter, workspace_path()):
        assert [s.name for s in workspace.load(root).sources.values() if s.owner_missing] == []


GEMEENTEN_TEXTS = {  # each text as the starter's gemeenten.yaml writes it
    "title": "title: Gemeenten 2009-2015 (REFNIS)",
    "description": "description:\n  nl: De gemeenten van België in de indeling van 2009-2015, met arrondissement, "
    "provincie en gewest.\n  en: The municipalities of Belgium in the geography of 2009-2015, with district, province "
    "and region.",
    "licence": "licence:\n  nl: Open-datalicentie van Statbel\n  en: Statbel open data licence",
    "attribution": 'attribution: "Statbel (Algemene Directie Statistiek - Statistics Belgium)"',
    "update_frequency": "update_frequency: {nl: jaarlijks, en: yearly}",
}


def test_source_texts_take_a_text_or_dutch_and_english(starter: Path) -> None:
    path = starter / "sources" / "gemeenten.yaml"
    source = workspace.load(starter).sources["gemeenten"]
    assert source.licence == workspace.Translated(nl="Open-datalicentie van Statbel", en="Statbel open data licence")
    assert source.update_frequency == workspace.Translated(nl="jaarlijks", en="yearly")
    assert source.attribution == "Statbel (Algemene Directie Statistiek - Statistics Belgium)"
    assert isinstance(source.description, workspace.Translated)
    assert source.description.nl.startswith("De gemeenten van België")
    _edit(path, GEMEENTEN_TEXTS["licence"], "licence: CC BY 4.0")
    _edit(path, GEMEENTEN_TEXTS["update_frequency"], "update_frequency: yearly")
    source = workspace.load(starter).sources["gemeenten"]
    assert (source.licence, source.update_frequency) == ("CC BY 4.0", "yearly")
    freshness = Freshness(type="freshness")
    assert freshness.age_limit(source.update_frequency) == dt.timedelta(days=366)
    assert freshness.age_limit(workspace.Translated(nl="jaarlijks", en="every year")) == dt.timedelta(days=366)
    assert freshness.age_limit(workspace.Translated(nl="om de paar jaar", en="every few years")) is None


@pytest.mark.parametrize("field", ["description", "licence", "attribution", "update_frequency"])
@pytest.mark.parametrize("value", ["{nl: Jaarlijks, fr: Annuel}", "{}", "{nl: Jaarlijks}", "{nl: a, en: b, de: c}"])
def test_a_source_text_in_other_languages_is_refused_as_a_title_is(starter: Path, field: str, value: str) -> None:
    path = starter / "sources" / "gemeenten.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(GEMEENTEN_TEXTS["title"], f"title: {value}"), encoding="utf-8")
    as_title = _error(starter)
    path.write_text(text.replace(GEMEENTEN_TEXTS[field], f"{field}: {value}"), encoding="utf-8")
    error = _error(starter)
    assert as_title.location is not None and error.location is not None
    assert as_title.location.field is not None and as_title.location.field.startswith("title")
    assert error.location.field == as_title.location.field.replace("title", field, 1)
    assert error.location.line == text[: text.index(GEMEENTEN_TEXTS[field])].count("\n") + 1
    assert (error.message, error.hint) == (as_title.message, as_title.hint)


def test_primary_key_must_name_a_field(starter: Path) -> None:
    path = starter / "sources" / "gemeenten.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("primaryKey: CD_MUNTY_REFNIS", "primaryKey: nis"))
    error = _error(starter)
    assert "primaryKey names 'nis', which is not a field" in error.message


def test_model_may_not_take_a_source_name(starter: Path) -> None:
    (starter / "models" / "bevolking.sql").write_text("SELECT 1 AS x", encoding="utf-8")
    error = _error(starter)
    assert "model 'bevolking' has the name of a source" in error.message


def test_invalid_file_name_is_refused(starter: Path) -> None:
    (starter / "models" / "Bevolking-2.sql").write_text("SELECT 1 AS x", encoding="utf-8")
    error = _error(starter)
    assert "'Bevolking-2' is not a valid name" in error.message


def test_format_comes_from_the_extension_through_gzip() -> None:
    assert workspace.format_for_path("data/x.csv.gz") == "csv"
    assert workspace.format_for_path("data/x.ODS") == "excel"
    with pytest.raises(ValueError, match="cannot tell the format"):
        workspace.format_for_path("data/x.docx")


@pytest.mark.parametrize(("folder", "name"), [("sources", "semi.yaml"), ("models", "select.sql")])
def test_a_name_that_is_a_word_of_sql_is_refused_with_its_file(starter: Path, folder: str, name: str) -> None:
    """`FROM semi` does not parse in DuckDB (SEMI JOIN): such a dataset could not be queried (found by a new user)."""
    original = starter / "sources" / "gemeenten.yaml"
    (starter / folder / name).write_text(
        original.read_text(encoding="utf-8") if folder == "sources" else "SELECT 1 AS one", encoding="utf-8"
    )
    error = _error(starter)
    stem = name.split(".")[0]
    assert str(error.location) == f"{folder}/{name}"
    assert error.message == f"'{stem}' is a word of SQL, so `FROM {stem}` would not parse"
    assert error.hint == f"Rename the file, e.g. to {stem}_data.{name.split('.')[1]}."
    with pytest.raises(duckdb.ParserException):
        duckdb.execute(f"CREATE VIEW {stem} AS SELECT 1")  # what the name would have met


def test_an_empty_key_with_a_default_counts_as_left_out(starter: Path) -> None:
    """`options:` with nothing after it is null in YAML; it gave Pydantic's 'valid dictionary or instance of
    ReadOptions' (found in a user trial). An empty key means no value: the field's default."""
    path = starter / "sources" / "gemeenten.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "options:\nchecks:\n", encoding="utf-8")
    _edit(path, "  primaryKey: CD_MUNTY_REFNIS", "  primaryKey:\n  missingValues:")
    _edit(path, "classification: public", "classification:")
    source = workspace.load(starter).sources["gemeenten"]
    assert source.options == workspace.ReadOptions()
    assert source.checks == []
    assert (source.table_schema.primary_key, source.table_schema.missing_values) == ([], [""])
    assert source.classification == "internal"


@pytest.mark.parametrize(
    ("start", "end", "new", "where", "message", "hint"),
    [
        (
            "path:",
            "\nschema:",
            "path:",
            "line 5, field 'path'",
            "the field 'path' is empty",
            "Write its value after 'path:'.",
        ),
        (
            "schema:",
            "owner:",
            "schema:\n",
            "line 6, field 'schema'",
            "the field 'schema' is empty",
            "Write its fields after 'schema:', one a line, indented: fields, foreignKeys, missingValues, primaryKey.",
        ),
        (
            "  fields:",
            "  primaryKey:",
            "  fields:\n",
            "line 7, field 'schema.fields'",
            "the field 'schema.fields' is empty",
            "Write its items after 'fields:', one a line, each as '- item'.",
        ),
        (
            "    - {name: CD_MUNTY_REFNIS",
            ", type: string}",
            '    - {name: ""',
            "line 8, field 'schema.fields[0].name'",
            "the field 'schema.fields[0].name' is empty",
            "Write its value after 'name:'.",
        ),  # found by a new user: a traceback from DuckDB's parser ('zero-length delimited identifier')
        (
            "owner:",
            "owner:",
            "checks:\n  - \n",
            "line 19, field 'checks[0]'",
            "the field 'checks[0]' is empty",
            "Write its fields after its '-', one a line, indented, starting with its type: '- type: not_null'.",
        ),  # found in review: it said 'Write its value after its '-'.'
        (
            "owner:",
            "owner:",
            "options: csv\n",
            "line 18, field 'options'",
            "the field 'options' holds 'csv', not fields",
            "Write its fields after 'options:', one a line, indented: crosstab, decimal, delimiter, encoding, "
            "header_row, quote, records, sheet, skip_rows, thousands.",
        ),
    ],
)
def test_a_field_left_empty_or_not_an_object_says_what_to_write(
    starter: Path, start: str, end: str, new: str, where: str, message: str, hint: str
) -> None:
    """A required field with nothing after its key gave Pydantic's text ('Input should be a valid dictionary or
    instance of TableSchema'): it is named as empty, with what to write in it."""
    path = starter / "sources" / "gemeenten.yaml"
    text = path.read_text(encoding="utf-8")
    cut = text.index(start)
    path.write_text(text[:cut] + new + text[text.index(end, cut) :], encoding="utf-8")
    error = _error(starter)
    assert (str(error.location), error.message, error.hint) == (f"sources/gemeenten.yaml, {where}", message, hint)
