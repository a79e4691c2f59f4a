"""`infer` proposes a source YAML that loads back through peil.workspace and reads the file it describes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from stdnum.be import nn
from test_sources_support import load

from peil import workspace
from peil.errors import SourceError
from peil.sources import infer


def proposal(path: Path, text: str | bytes, root: Path | None = None) -> dict[str, Any]:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return dict(yaml.safe_load(infer(path, root)))


def types(proposed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["type"] for f in proposed["schema"]["fields"]}


def test_the_proposal_loads_back_through_the_workspace_and_reads_the_file(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "data").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "peil.yaml").write_text('name: test\nmunicipality: "36015"\n', encoding="utf-8")
    data = root / "data" / "Bevölkerung 2024.csv"
    data.write_bytes(
        "nis;gemeente;jaar;inwoners\n36015;Roeselare;2024;64500\n55050;Écaussinnes;2024;11000\n".encode("cp1252")
    )
    text = infer(data, root)
    assert "owner: TODO" in text and "classification: internal" in text and "licence: TODO" in text
    (root / "sources" / "bevolkerung_2024.yaml").write_text(text, encoding="utf-8")
    source = workspace.load(root).sources["bevolkerung_2024"]
    assert source.path == "data/Bevölkerung 2024.csv" and source.options.encoding == "cp1252"
    assert [(f.name, f.type) for f in source.table_schema.fields] == [
        ("nis", "string"), ("gemeente", "string"), ("jaar", "year"), ("inwoners", "integer"),
    ]  # fmt: skip
    assert source.table_schema.primary_key == ["nis"]
    loaded = load(root, source)
    assert loaded.column("gemeente") == ["Roeselare", "Écaussinnes"]


def test_codes_with_leading_zeros_are_proposed_as_strings(tmp_path: Path) -> None:
    data = "ondernemingsnr;telefoon;huisnr\n0123456789;0471123456;12\n0987654321;092345678;7\n"
    proposed = proposal(tmp_path / "typ06.csv", data)
    assert types(proposed) == {"ondernemingsnr": "string", "telefoon": "string", "huisnr": "integer"}


@pytest.mark.parametrize("last", ["5;\n", ""])
def test_types_do_not_depend_on_an_empty_last_value(tmp_path: Path, last: str) -> None:
    proposed = proposal(tmp_path / "typ01.csv", "nr;bedrag\n1;1.5\n2;\n;3.0\n4;2.25\n" + last)
    assert types(proposed) == {"nr": "integer", "bedrag": "number"}


def test_belgian_numbers_are_recognised(tmp_path: Path) -> None:
    proposed = proposal(tmp_path / "typ04.csv", "omschrijving;bedrag\nkoffie;1.234,56\nthee;0,5\nzout;-12.000,00\n")
    assert proposed["options"]["decimal"] == "," and proposed["options"]["thousands"] == "."
    assert types(proposed)["bedrag"] == "number"


def test_malformed_numbers_leave_the_column_text(tmp_path: Path) -> None:
    data = "omschrijving;bedrag\nkoffie;1.234,56\nthee;0,5\nfout1;1,2,3\nfout2;1a.2,3\n"
    assert types(proposal(tmp_path / "typ04.csv", data))["bedrag"] == "string"


@pytest.mark.parametrize(("late", "expected"), [("herberekend", "string"), ("12,5", "number")])
def test_a_value_in_the_last_row_decides_the_type(tmp_path: Path, late: str, expected: str) -> None:
    data = "id;opmerking\n" + "".join(f"{i};\n" for i in range(1, 1500)) + f"1500;{late}\n"
    proposed = proposal(tmp_path / "typ02.csv", data)
    assert types(proposed) == {"id": "integer", "opmerking": expected}
    assert proposed["schema"]["primaryKey"] == ["id"]


def test_a_pair_of_columns_can_be_the_key(tmp_path: Path) -> None:
    data = "nis,jaar,inwoners\n11001,2020,100\n11001,2021,101\n11002,2020,100\n"
    proposed = proposal(tmp_path / "k.csv", data)
    assert proposed["schema"]["primaryKey"] == ["nis", "jaar"]
    assert proposed["options"]["delimiter"] == ","


def test_dates_in_belgian_notation_get_their_format(tmp_path: Path) -> None:
    proposed = proposal(tmp_path / "d.csv", "datum;n\n05/01/2024;1\n31/12/2023;2\n")
    assert proposed["schema"]["fields"][0] == {"name": "datum", "type": "date", "format": "%d/%m/%Y"}


def test_a_workbook_with_a_title_above_the_header(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Gegevens"
    for row in [
        ["Bevolking 2024"],
        [],
        ["nis", "gemeente", "inwoners"],
        ["44021", "Gent", 265000],
        ["11002", "Antwerpen", 530000],
    ]:
        sheet.append(row)
    book.save(tmp_path / "b.xlsx")
    proposed = dict(yaml.safe_load(infer(tmp_path / "b.xlsx")))
    assert proposed["options"] == {"sheet": "Gegevens", "header_row": 3}
    assert types(proposed) == {"nis": "string", "gemeente": "string", "inwoners": "integer"}


def test_json_records_are_found_under_their_key(tmp_path: Path) -> None:
    document = {"meta": {"bron": "x"}, "data": {"items": [{"nis": "01001", "n": 1}, {"nis": "01002", "n": 2}]}}
    proposed = proposal(tmp_path / "r.json", json.dumps(document))
    assert proposed["format"] == "json" and proposed["options"] == {"records": "data.items"}
    assert types(proposed) == {"nis": "string", "n": "integer"}


def test_an_unknown_extension_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot tell the format"):
        proposal(tmp_path / "x.dat", "a\n1\n")


def test_a_file_with_national_register_numbers_is_proposed_as_personal(tmp_path: Path) -> None:
    """The values give it away (check digits by python-stdnum), under any column name, dotted or plain."""
    text = "code;dienst;uren\n85.07.30-033.28;Financiën;7,6\n85073003328;Burgerzaken;3\n01020300170;ICT;4\n"
    assert nn.is_valid("01020300170")
    proposed = proposal(tmp_path / "export.csv", text)
    assert proposed["classification"] == "personal"
    assert "personal data in code" in infer(tmp_path / "export.csv")


def test_personal_data_is_told_by_name_but_a_bare_naam_is_not_enough(tmp_path: Path) -> None:
    addresses = "container;straat;huisnummer;kg\nC1;Delphinering;6;4,5\nC2;Ooststraat;12;3\n"
    assert proposal(tmp_path / "wegingen.csv", addresses)["classification"] == "personal"
    places = "nis;naam;straatnaam;inwoners\n36015;Roeselare;Ooststraat;64500\n36011;Hooglede;Markt;10000\n"
    assert proposal(tmp_path / "gemeenten.csv", places)["classification"] == "internal"
