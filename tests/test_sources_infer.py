"""`infer` proposes a source YAML that loads back through peil.workspace and reads the file it describes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from stdnum.be import nn
from test_sources_support import load, titled_export

from peil import workspace
from peil.errors import Location, SourceError
from peil.sources import examine, infer


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


@pytest.mark.parametrize(("encoding", "named"), [("cp1252", "cp1252"), ("utf-8-sig", "utf-8")])
@pytest.mark.parametrize("padded", [True, False])
def test_a_csv_with_a_title_above_its_header_is_proposed_and_read_below_it(
    tmp_path: Path, encoding: str, named: str, padded: bool
) -> None:
    path = tmp_path / "personeel.csv"
    path.write_bytes(titled_export(padded).encode(encoding))
    proposal = examine(path, tmp_path)
    proposed = yaml.safe_load(proposal.yaml)
    assert proposed["path"] == "personeel.csv"
    assert proposed["options"] == {"delimiter": ";", "encoding": named, "header_row": 3, "decimal": ","}
    assert types(proposed) == {"personeelsnummer": "string", "naam": "string", "dienst": "string", "fte": "number"}
    assert proposed["schema"]["primaryKey"] == ["personeelsnummer"]
    told = "" if padded else " (told by the table from row 3 on, not by the rows above it)"
    assert proposal.sheets[0].notes == [
        f"delimited text, encoding {named}, delimiter ';'{told}",
        "header in row 3 (declared as options.header_row); rows 1-2 above it skipped: "
        "'Personeelsregister gemeente Zottegem' and 1 blank row",
        "numbers written with decimal ','",
    ]
    loaded = load(tmp_path, workspace.Source.model_validate(proposed | {"name": "personeel"}))
    assert loaded.columns[:4] == ["personeelsnummer", "naam", "dienst", "fte"]
    assert loaded.result.row_count == 4 and loaded.result.warnings == []
    assert loaded.rows[0] == {
        "personeelsnummer": "P001", "naam": "Jansen", "dienst": "Financiën", "fte": 0.8,
        "_file": "personeel.csv", "_sheet": None, "_row": 4, "_invalid": None,
    }  # fmt: skip
    assert loaded.column("fte") == [0.8, 1.0, 0.5, 1.0]
    assert loaded.column("naam") == ["Jansen", "Peeters", "De Smet, Ann", "Vermeulen"]


def test_a_title_above_decimal_commas_does_not_make_the_comma_the_delimiter(tmp_path: Path) -> None:
    """Split at ',' the rows `0,5;1,5` give three cells each under a one-cell 'header' `x;y`, which looks like a
    title too; a header of bare numbers is no header, so `;` wins."""
    proposed = proposal(tmp_path / "b.csv", "Bedragen 2024\nx;y\n0,5;1,5\n2,5;3,5\n-1,25;4,75\n")
    assert proposed["options"] == {"delimiter": ";", "encoding": "utf-8", "header_row": 2, "decimal": ","}
    assert types(proposed) == {"x": "number", "y": "number"}


def test_a_plain_csv_keeps_its_header_in_row_1(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("nis;gemeente;inwoners\n36015;Roeselare;64500\n44021;Gent;265000\n", encoding="utf-8")
    proposal = examine(path)
    assert yaml.safe_load(proposal.yaml)["options"] == {"delimiter": ";", "encoding": "utf-8"}
    assert proposal.sheets[0].notes[:2] == ["delimited text, encoding utf-8, delimiter ';'", "header in row 1"]


@pytest.mark.parametrize("name", ["leeg.csv", "leeg.txt", "leeg.xlsx"])
def test_an_empty_file_is_said_to_be_empty_whatever_its_format(tmp_path: Path, name: str) -> None:
    """Found by a new user: an empty CSV was said to have 0 rows, with a hint on options.skip_rows."""
    (tmp_path / name).write_bytes(b"")
    with pytest.raises(SourceError) as caught:
        infer(tmp_path / name, tmp_path)
    assert (caught.value.message, caught.value.location) == ("the file is empty (0 bytes)", Location(file=name))
    assert caught.value.hint == "Export the data again; an empty file usually means the export or download failed."


def test_a_csv_without_a_header_that_fits_is_an_error_naming_the_row(tmp_path: Path) -> None:
    """Every seventh row has an unquoted ';' in its name: the header would be row 7, passing over data rows 1-6;
    infer says so instead of proposing it."""
    rows = "".join(f"{i};Jansen {i}; verhuisd\n" if i % 7 == 0 else f"{i};Jansen {i}\n" for i in range(1, 101))
    (tmp_path / "r.csv").write_text("nr;naam\n" + rows, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        infer(tmp_path / "r.csv", tmp_path)
    assert caught.value.location == Location(file="r.csv", row=1)
    assert caught.value.message == (
        "no header row found with confidence: split at ';', row 1 ('nr;naam') would be the header, but row 8 below "
        "it has values to the right of its last column"
    )
    assert caught.value.hint is not None and "options.header_row" in caught.value.hint


def test_a_text_column_most_of_whose_values_are_numbers_or_dates_gets_a_note(tmp_path: Path) -> None:
    """Found by a new user: 1250.5 and 2.500,00 in one column, or dates with one '5 maart', were proposed as
    string without a word on why."""
    path = tmp_path / "gemengd.csv"
    path.write_text(
        "nr;bedrag;datum;naam\n1;1250.5;2024-01-05;An\n2;2.500,00;2024-02-01;Jan\n3;12;2024-03-01;Piet\n"
        "4;13;5 maart;Mie\n5;14;2024-04-01;Lies\n",
        encoding="utf-8",
    )
    notes = examine(path).sheets[0].notes
    assert (
        "kept as text, though most values are of another type: bedrag (4 of 5 values are numbers; not '2.500,00'); "
        "datum (4 of 5 values are dates (%Y-%m-%d); not '5 maart')"
    ) in notes
    path.write_text("nr;bedrag\n" + "".join(f"{i};{i},10\n" for i in range(1, 10)) + "10;n.v.t.\n", encoding="utf-8")
    assert (
        "kept as text, though most values are of another type: bedrag (9 of 10 values are numbers written as "
        "1234,56; not 'n.v.t.')"
    ) in examine(path).sheets[0].notes  # found by a new user: Belgian numbers got no note


def test_numbers_whose_point_is_always_followed_by_three_digits_get_a_note_on_thousands(tmp_path: Path) -> None:
    """Found by a new user: 1.234 and 12.345 in a ';' export were read as 1.234 and 12.345 without a word."""
    path = tmp_path / "bedragen.csv"
    path.write_text("nr;bedrag;fte\n1;1.234;0.5\n2;12.345;1.25\n3;500;1\n", encoding="utf-8")
    assert (
        "read with '.' as the decimal point, though every value with a '.' has three digits after it, as thousands "
        "are written: bedrag (e.g. '1.234'); if '.' separates thousands, declare options.thousands: '.'"
    ) in examine(path).sheets[0].notes
