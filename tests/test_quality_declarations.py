"""A check declaration peil cannot use stops with the file, the line and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from peil import workspace
from peil.errors import WorkspaceError

HEAD = """path: data/p.csv
owner: test
schema:
  fields:
    - {name: id, type: integer}
    - {name: rijksregisternummer, type: string}
checks:
  - type: not_null
    column: id
"""


def load_with(tmp_path: Path, checks: str, other: str | None = None) -> WorkspaceError:
    (tmp_path / "sources").mkdir()
    (tmp_path / "peil.yaml").write_text('name: t\nmunicipality: "36015"\n', encoding="utf-8")
    (tmp_path / "sources" / "personeel.yaml").write_text(HEAD + checks, encoding="utf-8")
    if other:
        (tmp_path / "sources" / "diensten.yaml").write_text(other, encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        workspace.load(tmp_path)
    return caught.value


@pytest.mark.parametrize(
    ("checks", "line", "field", "words"),
    [
        ("  - type: not_nul\n    column: id\n", 10, "checks[1].type", ["'not_nul'", "did you mean 'not_null'"]),
        (
            "  - type: national_register_number\n    column: rijksregisternr\n",
            11,
            "checks[1].column",
            ["'rijksregisternr' is not a column", "did you mean 'rijksregisternummer'"],
        ),
        ("  - type: pattern\n    column: id\n    regex: '[0-9'\n", 12, "checks[1].regex", ["does not compile"]),
        (
            "  - type: foreign_key\n    columns: [id]\n    reference: {dataset: dienstne, columns: [code]}\n",
            12,
            "checks[1].reference.dataset",
            ["'dienstne' is not a declared dataset", "did you mean 'diensten'"],
        ),
        ("  - type: not_null\n    column: id\n", 10, "checks[1].name", ["two checks are named 'not_null_id'"]),
        (
            "  - type: range\n    column: id\n    minimum: 0\n",
            12,
            "checks[1].minimum",
            ["'minimum' is not a known field", "'min'"],
        ),
        ("  - column: id\n", 10, "checks[1].type", ["'type' is required"]),
        (
            "  - tpye: not_null\n    column: id\n",
            10,
            "checks[1].tpye",
            ["'tpye' is not a known field; did you mean 'type'? The required field 'type' is missing"],
        ),
        (
            "  - type: range\n    colum: id\n    min: 0\n",
            11,
            "checks[1].colum",
            ["'colum' is not a known field; did you mean 'column'? The required field 'column' is missing"],
        ),
        (
            "  - type: not_null\n    column: id\n    column: rijksregisternummer\n",
            12,
            "checks[1].column",
            ["the key 'column' is given twice in one mapping (first on line 11)", "Keep one of them"],
        ),
    ],
)
def test_a_bad_check_names_file_line_and_field(
    tmp_path: Path, checks: str, line: int, field: str, words: list[str]
) -> None:
    other = "path: data/s.csv\nowner: t\nschema:\n  fields:\n    - {name: code, type: string}\n"
    error = load_with(tmp_path, checks, other)
    assert error.location is not None
    assert error.location.file == "sources/personeel.yaml"
    assert (error.location.line, error.location.field) == (line, field)
    for word in words:
        assert word in str(error)


def test_a_check_on_a_column_of_the_referenced_dataset_that_does_not_exist(tmp_path: Path) -> None:
    other = "path: data/s.csv\nowner: t\nschema:\n  fields:\n    - {name: code, type: string}\n"
    error = load_with(
        tmp_path,
        "  - type: foreign_key\n    columns: [id]\n    reference: {dataset: diensten, columns: [cod]}\n",
        other,
    )
    assert error.location is not None and error.location.line == 12
    assert "'cod' is not a column of diensten; did you mean 'code'?" in str(error)
