"""Workspace files are validated; every error names the file, the line and the field, and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from peil import workspace
from peil.errors import WorkspaceError


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
    assert error.location.line == 9
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
