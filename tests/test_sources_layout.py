"""Spreadsheets as people really make them (issue 4, item 3): a title, a subtitle and a blank row above the header,
a merged title cell, a "Totaal" row and a "Bron: ..." note under the table, a hidden sheet with old data, a hidden
row, text codes with leading zeros, Excel serial dates, formulas with their stored results; and the CSV exported
from such a sheet. The readers (`peil build`) and `peil infer` read them alike; infer says what it chose.

The workbooks are written by openpyxl, which stores no formula results; `store_results` adds them as Excel does
when it saves a workbook."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from test_sources_support import declare, fields, load, write_and_load

from peil import workspace
from peil.build import build
from peil.sources import examine
from peil.sources.choices import merged_notes
from peil.sources.layout import (
    SecondTable,
    fitting_header,
    footer_start,
    header_index,
    inner_totals,
    second_table,
    titles_above,
)

STAFF = [  # personeelsnummer, naam, rijksregisternummer, nis, dienst, fte, geboortedatum, startdatum (serial)
    ("000101", "Mariën, Josephus", "64061413753", "36015", "Cultuur", 0.9, dt.date(1964, 6, 14), 32016),
    ("000103", "Herman, Joëlle", "00020367653", "36015", "Sport", 1.0, dt.date(2000, 2, 3), 45292),
    ("000109", "Verhelst, Cecilia", "75080481418", "36011", "Sport", 0.5, dt.date(1975, 8, 4), 34590),
    ("000111", "Verbeke, Andreas", "01081942680", "36015", "Burgerzaken", 0.8, dt.date(2001, 8, 19), 45536),
    ("000115", "Van den Bosch, Kris", "72090623395", "36019", "Sport", 1.0, dt.date(1972, 9, 6), 35331),
]
SALARY = 41234.5  # jaarloon = fte * SALARY, a formula
HEADER = ["personeelsnummer", "naam", "rijksregisternummer", "nis", "dienst", "fte", "geboortedatum", "startdatum",
          "jaarloon"]  # fmt: skip
STAFF_FIELDS = fields(*HEADER, fte="number", geboortedatum="date", startdatum="date", jaarloon="number")
NOTE = "Bron: personeelsdienst, export uit de HR-software, 1/9/2025"


def store_results(path: Path, part: str, results: dict[str, float]) -> None:
    """Rewrite sheet `part` of an openpyxl workbook as Excel saves it: each formula cell keeps its result."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts[part].decode("utf-8")
    for cell, value in results.items():
        xml, found = re.subn(
            rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)', rf"\g<1>\g<2><v>{value}</v>", xml
        )
        assert found == 1, cell
    parts[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def steward_workbook(path: Path) -> Path:
    """A staff register as a personnel department keeps it (see the module docstring).

    Sheets: 'Toelichting' (a note, no table), 'Personeel' (the table: title in A1 merged over A1:I1, subtitle,
    blank row, header in row 4, staff in rows 5-9 with row 7 hidden, 'Totaal' with sums in row 10, a blank row, the
    source note in row 12), '2024' (hidden, last year's register) and 'Grafiek' (a chart sheet).
    """
    book = openpyxl.Workbook()
    about = book.active
    about.title = "Toelichting"
    about.append(["Personeelsregister van stad en OCMW"])
    about.append(["Bijgehouden door de personeelsdienst; vragen aan personeel@gemeente.be"])
    sheet = book.create_sheet("Personeel")
    sheet.append(["Personeelsregister stad en OCMW"])
    sheet.append(["Toestand op 1 september 2025"])
    sheet.append([])
    sheet.append(HEADER)
    for row, person in enumerate(STAFF, start=5):
        sheet.append([*person, f"=F{row}*{SALARY}"])
        sheet.cell(row, 7).number_format = "dd/mm/yyyy"
    sheet.append(["Totaal", None, None, None, None, "=SUM(F5:F9)", None, None, "=SUM(I5:I9)"])
    sheet.append([])
    sheet.append([NOTE])
    sheet.merge_cells("A1:I1")
    sheet.row_dimensions[7].hidden = True
    old = book.create_sheet("2024")
    old.append(["personeelsnummer", "naam"])
    old.append(["000101", "Mariën, Josephus"])
    old.sheet_state = "hidden"
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=6, min_row=4, max_row=9), titles_from_data=True)
    book.create_chartsheet("Grafiek").add_chart(chart)
    book.save(path)
    results = {f"I{row}": person[5] * SALARY for row, person in enumerate(STAFF, start=5)}
    store_results(path, "xl/worksheets/sheet2.xml", results | {"F10": 4.2, "I10": 4.2 * SALARY})
    return path


def staff_rows(loaded: Any) -> list[tuple[Any, ...]]:
    return [tuple(row[name] for name in [*HEADER, "_row"]) for row in loaded.rows]


EXPECTED = [
    (*person[:7], dt.date(1899, 12, 30) + dt.timedelta(days=person[7]), person[5] * SALARY, row)
    for row, person in enumerate(STAFF, start=5)
]


def test_the_reader_leaves_out_the_footer_and_reads_codes_serials_and_stored_results(tmp_path: Path) -> None:
    steward_workbook(tmp_path / "personeel.xlsx")
    loaded = load(tmp_path, declare("personeel.xlsx", STAFF_FIELDS, sheet="Personeel", header_row=4))
    assert loaded.result.row_count == 5
    assert staff_rows(loaded) == EXPECTED
    assert [r["startdatum"] for r in loaded.rows][:2] == [dt.date(1987, 8, 27), dt.date(2024, 1, 1)]
    assert [r["rijksregisternummer"] for r in loaded.rows][1] == "00020367653"
    assert loaded.result.warnings == [
        f"personeel.xlsx, sheet 'Personeel', rows 10, 12: left out below the table (a total 'Totaal', a note '{NOTE}')",
        "personeel.xlsx, sheet 'Personeel', row 7: hidden in the sheet; read as data",
    ]


def test_a_declared_hidden_sheet_is_read_with_a_warning(tmp_path: Path) -> None:
    steward_workbook(tmp_path / "personeel.xlsx")
    loaded = load(tmp_path, declare("personeel.xlsx", fields("personeelsnummer", "naam"), sheet="2024"))
    assert [(r["personeelsnummer"], r["naam"], r["_row"]) for r in loaded.rows] == [("000101", "Mariën, Josephus", 2)]
    assert loaded.result.warnings == [
        "personeel.xlsx, sheet '2024': the sheet is hidden in the workbook (old data?); it is read because "
        "options.sheet names it"
    ]


def test_infer_chooses_the_visible_table_and_says_what_it_chose(tmp_path: Path) -> None:
    steward_workbook(tmp_path / "personeel.xlsx")
    proposal = examine(tmp_path / "personeel.xlsx")
    proposed = yaml.safe_load(proposal.yaml)
    assert proposed["options"] == {"sheet": "Personeel", "header_row": 4}
    assert {f["name"]: f["type"] for f in proposed["schema"]["fields"]} == {
        "personeelsnummer": "string", "naam": "string", "rijksregisternummer": "string", "nis": "string",
        "dienst": "string", "fte": "number", "geboortedatum": "date", "startdatum": "date", "jaarloon": "number",
    }  # fmt: skip
    assert proposed["schema"]["primaryKey"] == ["personeelsnummer"]
    assert [(s.sheet, s.headline, s.proposed) for s in proposal.sheets] == [
        ("Toelichting", "not proposed: holds no table (no header of two or more cells with rows below it)", False),
        ("Personeel", "proposed: the first visible sheet that holds a table", True),
        ("2024", "not proposed: hidden in the workbook (old data?); --sheet '2024' proposes it", False),
        ("Grafiek", "not proposed: a chart sheet, no table", False),
    ]
    assert proposal.sheets[1].notes == [
        "header in row 4 (declared as options.header_row); rows 1-3 above it skipped: "
        "'Personeelsregister stad en OCMW', 'Toestand op 1 september 2025' and 1 blank row",
        "merged cells above the header (a title) skipped: A1:I1",
        f"rows 10, 12: left out below the table (a total 'Totaal', a note '{NOTE}')",
        "row 7: hidden in the sheet; read as data",
        "5 formula cells (I5, I6, I7, ...) read as the results stored with them",
        "kept as text, so leading zeros stay: personeelsnummer (e.g. '000101'), rijksregisternummer "
        "(e.g. '00020367653'), nis (its name says it holds a code)",
        "dates: geboortedatum (date cells), startdatum (whole numbers read as Excel serial dates, 45291 being "
        "2023-12-31)",
    ]
    assert all(not s.notes for s in proposal.sheets if not s.proposed)
    assert merged_notes([((3, 1), (3, 2)), ((3, 4), (3, 6))], 3) == [
        "merged cells B4:C4 in the header: B4 names its column; the column beside it has no name and is not read",
        "merged cells E4:G4 in the header: E4 names its column; the 2 columns beside it have no name and are not read",
    ]


def test_the_proposal_reads_back_the_same_rows(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "sources").mkdir(parents=True)
    (root / "peil.yaml").write_text('name: test\nmunicipality: "36015"\n', encoding="utf-8")
    steward_workbook(root / "personeel.xlsx")
    (root / "sources" / "personeel.yaml").write_text(examine(root / "personeel.xlsx", root).yaml, encoding="utf-8")
    loaded = load(root, workspace.load(root).sources["personeel"])
    assert staff_rows(loaded) == EXPECTED


def test_infer_proposes_a_hidden_sheet_when_asked_and_says_it_is_hidden(tmp_path: Path) -> None:
    steward_workbook(tmp_path / "personeel.xlsx")
    proposal = examine(tmp_path / "personeel.xlsx", sheet="2024")
    assert yaml.safe_load(proposal.yaml)["options"] == {"sheet": "2024"}
    (chosen,) = [s for s in proposal.sheets if s.proposed]
    assert chosen.sheet == "2024" and chosen.headline == "proposed: the sheet asked for"
    assert "the sheet is hidden in the workbook (old data?); it is read because options.sheet names it" in chosen.notes


def test_a_hidden_first_sheet_is_not_proposed_when_a_visible_one_holds_a_table(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Oud"
    for row in [["nr", "naam"], [1, "An"], [2, "Jan"]]:
        book.active.append(row)
    book.active.sheet_state = "hidden"
    new = book.create_sheet("Nieuw")
    for row in [["nr", "naam"], [3, "Piet"]]:
        new.append(row)
    book.save(tmp_path / "b.xlsx")
    proposal = examine(tmp_path / "b.xlsx")
    assert yaml.safe_load(proposal.yaml)["options"] == {"sheet": "Nieuw"}
    assert [s.headline for s in proposal.sheets] == [
        "not proposed: hidden in the workbook (old data?); --sheet 'Oud' proposes it",
        "proposed: the first visible sheet that holds a table",
    ]


def test_a_total_among_the_data_is_data_and_named(tmp_path: Path) -> None:
    rows = [["dienst", "functie", "fte"], ["Sport", "redder", 2.0], ["Sport", "coach", 1.5], ["Subtotaal", None, 3.5],
            ["Cultuur", "bibliothecaris", 4.0], ["Totaal", None, 7.5]]  # fmt: skip
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "t.xlsx")
    loaded = load(tmp_path, declare("t.xlsx", fields("dienst", "functie", fte="number")))
    assert [(r["dienst"], r["fte"], r["_row"]) for r in loaded.rows] == [
        ("Sport", 2.0, 2), ("Sport", 1.5, 3), ("Subtotaal", 3.5, 4), ("Cultuur", 4.0, 5),
    ]  # fmt: skip
    assert loaded.result.warnings == [
        "t.xlsx, sheet 'Sheet', row 6: left out below the table (a total 'Totaal')",
        "t.xlsx, sheet 'Sheet', row 4: looks like a total ('Subtotaal') and is read as data; a sum over the "
        "column counts it twice",
    ]


def test_a_total_that_is_a_value_of_the_data_is_never_left_out(tmp_path: Path) -> None:
    # Statbel-like long tables: "Totaal" is a value of `geslacht`; a code or year before it marks it as a value,
    # and a label repeated in its column is one too.
    by_code = "nis;geslacht;aantal\n36015;M;31000\n36015;V;33500\n36015;Totaal;64500\n"
    loaded = write_and_load(tmp_path, "a.csv", by_code, fields("nis", "geslacht", aantal="integer"))
    assert loaded.result.row_count == 3 and loaded.result.warnings == []
    repeated = "geslacht;jaar;aantal\nM;2024;31000\nV;2024;33500\nTotaal;2023;64000\nTotaal;2024;64500\n"
    loaded = write_and_load(tmp_path, "b.csv", repeated, fields("geslacht", jaar="integer", aantal="integer"))
    assert loaded.column("geslacht") == ["M", "V", "Totaal", "Totaal"]
    assert loaded.result.warnings == [
        "b.csv, rows 4-5: look like a total ('Totaal') and are read as data; a sum over the column counts them twice"
    ]
    assert footer_start([["Totaal", 3, 4]]) == 1  # no data row above: nothing is a footer
    assert footer_start([["An", 1, 2], ["Sommelier", 3, 4]]) == 2  # 'som' is a word; 'totaal' also starts one
    assert footer_start([["An", 1], ["Som", 3], []]) == 1 and inner_totals([["An", 1], ["Som", 3]]) == [1]


def test_merged_cells_among_the_data_and_a_total_under_a_cross_table(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["dienst", "naam", "fte"], ["Sport", "An", 1.0], [None, "Jan", 0.5], ["Cultuur", "Piet", 0.8]]:
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    cross = book.create_sheet("Kruis")
    for row in [["Boekjaar", 2023, 2024], ["Gemeente Aalst", 1.5, 2.5], ["Gemeente Zwalm", None, 0.25],
                ["Totaal", 1.5, 2.75]]:  # fmt: skip
        cross.append(row)
    book.save(tmp_path / "m.xlsx")
    loaded = load(tmp_path, declare("m.xlsx", fields("dienst", "naam", fte="number")))
    assert [(r["dienst"], r["naam"]) for r in loaded.rows] == [("Sport", "An"), (None, "Jan"), ("Cultuur", "Piet")]
    assert loaded.result.warnings == [
        "m.xlsx, sheet 'Sheet': cells A2:A3 are merged; the value stands in A2, the other cells read as empty"
    ]
    crosstab = {"index": ["bestuur"], "headers": ["jaar"], "value": "bedrag"}
    schema = fields("bestuur", jaar="year", bedrag="number")
    loaded = load(tmp_path, declare("m.xlsx", schema, sheet="Kruis", crosstab=crosstab))
    assert [(r["bestuur"], r["jaar"], r["bedrag"]) for r in loaded.rows] == [
        ("Gemeente Aalst", 2023, 1.5), ("Gemeente Aalst", 2024, 2.5), ("Gemeente Zwalm", 2024, 0.25),
    ]  # fmt: skip
    assert loaded.result.warnings == ["m.xlsx, sheet 'Kruis', row 4: left out below the table (a total 'Totaal')"]


STEWARD_CSV = (
    "Personeelsregister stad en OCMW;;;\r\n"
    "Toestand op 1 september 2025;;;\r\n"
    ";;;\r\n"
    "personeelsnummer;naam;dienst;fte\r\n"
    "000101;Mariën, Josephus;Cultuur;0,9\r\n"
    "000103;Herman, Joëlle;Sport;1\r\n"
    "000109;Verhelst, Cecilia;Sport;0,5\r\n"
    ";;;\r\n"
    "Totaal;;;2,4\r\n"
    f"{NOTE}\r\n"
)
CSV_FIELDS = fields("personeelsnummer", "naam", "dienst", fte="number")


@pytest.mark.parametrize("name", ["export.csv", "export.csv.gz"])
def test_a_csv_exported_from_the_sheet_leaves_out_its_footer(tmp_path: Path, name: str) -> None:
    data = STEWARD_CSV.encode("cp1252")
    written = gzip.compress(data) if name.endswith(".gz") else data
    options = {"delimiter": ";", "decimal": ",", "encoding": "cp1252", "header_row": 4}
    loaded = write_and_load(tmp_path, name, written, CSV_FIELDS, **options)
    assert [(r["personeelsnummer"], r["naam"], r["fte"], r["_row"]) for r in loaded.rows] == [
        ("000101", "Mariën, Josephus", 0.9, 5), ("000103", "Herman, Joëlle", 1.0, 6),
        ("000109", "Verhelst, Cecilia", 0.5, 7),
    ]  # fmt: skip
    assert loaded.result.warnings == [
        f"{name}, rows 9-10: left out below the table (a total 'Totaal', a note '{NOTE}')"
    ]
    assert (tmp_path / name).read_bytes() == written  # the plain UTF-8 copy was cut, not the file


def test_a_long_csv_leaves_out_its_footer_with_the_right_row_numbers(tmp_path: Path) -> None:
    body = "".join(f"{i:06d};persoon {i};Sport;1\n" for i in range(1, 5001))
    data = f"personeelsnummer;naam;dienst;fte\n{body}Totaal;;;5000\n\n{NOTE}\n"
    loaded = write_and_load(tmp_path, "lang.csv", data, CSV_FIELDS, delimiter=";")
    assert loaded.result.row_count == 5000 and loaded.rows[-1]["_row"] == 5001
    assert loaded.rows[0]["personeelsnummer"] == "000001" and loaded.rows[-1]["personeelsnummer"] == "005000"
    assert loaded.result.warnings == [
        f"lang.csv, rows 5002-5003: left out below the table (a total 'Totaal', a note '{NOTE}')"
    ]
    assert (tmp_path / "lang.csv").read_text(encoding="utf-8") == data  # DuckDB read a cut copy


def test_infer_on_the_csv_export_says_what_it_chose(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_bytes(STEWARD_CSV.encode("cp1252"))
    proposal = examine(tmp_path / "export.csv")
    proposed = yaml.safe_load(proposal.yaml)
    assert proposed["options"] == {"delimiter": ";", "encoding": "cp1252", "header_row": 4, "decimal": ","}
    (only,) = proposal.sheets
    assert only.sheet is None and only.proposed
    assert only.notes == [
        "delimited text, encoding cp1252, delimiter ';'",
        "header in row 4 (declared as options.header_row); rows 1-3 above it skipped: "
        "'Personeelsregister stad en OCMW', 'Toestand op 1 september 2025' and 1 blank row",
        f"rows 9-10: left out below the table (a total 'Totaal', a note '{NOTE}')",
        "kept as text, so leading zeros stay: personeelsnummer (e.g. '000101')",
        "numbers written with decimal ','",
    ]


def test_the_titled_copy_of_the_staff_register_reads_without_its_total(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[1] / "src" / "peil" / "demo" / "workspace" / "stray"
    proposal = examine(demo / "Kopie van personeel (3).xlsx")
    assert yaml.safe_load(proposal.yaml)["options"] == {"sheet": "Personeel", "header_row": 3}
    assert "row 969: left out below the table (a total 'Totaal')" in proposal.sheets[0].notes
    source = workspace.Source.model_validate(
        yaml.safe_load(proposal.yaml) | {"name": "p", "path": str(demo / "Kopie van personeel (3).xlsx")}
    )
    loaded = load(tmp_path, source)
    assert loaded.result.row_count == 965 and loaded.rows[-1]["_row"] == 968
    assert loaded.rows[-1]["personeelsnummer"] == "003517" and "Totaal" not in loaded.column("personeelsnummer")


def test_peil_infer_prints_the_yaml_and_on_stderr_the_choices(tmp_path: Path) -> None:
    steward_workbook(tmp_path / "personeel.xlsx")
    result = subprocess.run(
        [sys.executable, "-m", "peil", "infer", "personeel.xlsx"], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["options"] == {"sheet": "Personeel", "header_row": 4}
    lines = result.stderr.splitlines()
    assert (
        lines[0]
        == "sheet 'Toelichting': not proposed: holds no table (no header of two or more cells with rows below it)"
    )
    assert lines[1] == "sheet 'Personeel': proposed: the first visible sheet that holds a table"
    assert "  - row 7: hidden in the sheet; read as data" in lines
    assert lines[-2:] == [
        "sheet '2024': not proposed: hidden in the workbook (old data?); --sheet '2024' proposes it",
        "sheet 'Grafiek': not proposed: a chart sheet, no table",
    ]


TITLED_CSV = (
    "Personeelsregister gemeente Zottegem\r\n"  # a title without delimiters: it must not make the delimiter a tab
    "\r\n"
    "personeelsnummer;naam;dienst;fte\r\n"
    "000101;Mariën, Josephus;Financiën;0,8\r\n"
    "000103;Herman, Joëlle;Burgerzaken;1\r\n"
    "000109;Verhelst, Cecilia;Technische dienst;0,5\r\n"
    "Totaal;;;2,3\r\n"
)


def test_peil_infer_then_peil_build_reads_the_rows_below_the_title(starter: Path) -> None:
    (starter / "data" / "personeel.csv").write_bytes(TITLED_CSV.encode("cp1252"))
    result = subprocess.run(
        [sys.executable, "-m", "peil", "infer", "data/personeel.csv", "-o", "sources/personeel.yaml"],
        capture_output=True, text=True, cwd=starter,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "header in row 3 (declared as options.header_row); rows 1-2 above it skipped: " in result.stdout
    proposed = yaml.safe_load((starter / "sources" / "personeel.yaml").read_text(encoding="utf-8"))
    assert proposed["path"] == "data/personeel.csv"
    assert proposed["options"] == {"delimiter": ";", "encoding": "cp1252", "header_row": 3, "decimal": ","}
    summary = build(starter)
    assert summary.snapshots_made == 3
    con = duckdb.connect(str(starter / ".peil" / "warehouse.duckdb"), read_only=True)
    try:
        query = 'SELECT personeelsnummer, naam, dienst, fte, _row FROM raw."personeel__v1" ORDER BY _row'
        rows = con.execute(query).fetchall()
        count = con.execute("SELECT row_count FROM meta.snapshots WHERE dataset = 'personeel'").fetchall()
        current = con.execute("SELECT count(*) FROM personeel").fetchall()
    finally:
        con.close()
    assert rows == [
        ("000101", "Mariën, Josephus", "Financiën", 0.8, 4), ("000103", "Herman, Joëlle", "Burgerzaken", 1.0, 5),
        ("000109", "Verhelst, Cecilia", "Technische dienst", 0.5, 6),
    ]  # fmt: skip
    assert count == [(3,)] and current == [(3,)]


def test_fitting_header_and_titles_above_tell_a_header_from_a_guess() -> None:
    titled = [["Personeelsregister", "", ""], [], ["nr", "naam", "fte"], ["1", "An", "0,8"], ["2", "Jan", "1"]]
    assert fitting_header(titled) == 2 and titles_above(titled, 2) and header_index(titled) == 2
    ragged = [["nr", "naam"], *([str(i), "An"] + ["verhuisd"] * (i % 7 == 0) for i in range(1, 101))]
    assert fitting_header(ragged) == 7 and not titles_above(ragged, 7)  # data rows 2-7 would be passed over
    widening = [[str(i)] * (i + 1) for i in range(1, 300)]  # each row reaches further right than the one above
    assert fitting_header(widening) is None and header_index(widening) == 0
    assert fitting_header([[], [None, ""]]) is None and header_index([[], [None, ""]]) == 0
    assert titles_above([["nr", "naam"], ["1", "An"]], 0)


DATA = [["A1", "An", 1.5], ["A2", "Jan", 2.5]]


@pytest.mark.parametrize(
    ("below", "found"),
    [
        ([[], ["Tabel 2: per dienst"], ["dienst", "aantal"], ["OCMW", 3]], SecondTable(3, 4)),
        ([[], [], ["dienst", "aantal"], ["OCMW", "3"], ["ICT", "2"]], SecondTable(4, 4)),  # text of a CSV file
        ([[], ["Tabel 2"], [], ["dienst", "datum"], ["OCMW", dt.date(2024, 1, 5)]], SecondTable(3, 5)),
        ([[None, None, None], ["dienst", "aantal"], ["OCMW", "1.234,5"]], SecondTable(3, 3)),  # blank: empty cells
        ([[], ["A3", "Piet", 0.5]], None),  # more data after a gap
        ([[], ["Sectie B"], ["B1", "Mie", 4.0]], None),  # a label over data
        ([[], ["A5", "Lies", "n.v.t."], ["A6", "Bo", 1.0]], None),  # a placeholder where a number was expected
        ([[], ["A5", "Lies"], ["A6", "Bo"]], None),  # texts over texts: no column of numbers below
        ([[], ["Bron: personeelsdienst"], [], ["Opmerking: voorlopig"]], None),  # notes, no header
        ([["dienst", "aantal"], ["OCMW", 3]], None),  # no blank row between: read as data
        ([[], ["dienst", "aantal"]], None),  # no row below the header
        ([[], ["Evolutie"], ["dienst", 2023, 2024], ["IT", 3, 3.5]], SecondTable(3, 4)),  # years name the columns
        ([[], ["dienst", 2021, "2022"], ["IT", 3, 3.5], ["HR", 1, 2.0]], SecondTable(3, 3)),  # untitled, too
        ([[], ["A3", "Piet", 2021], ["A4", "Mie", 3.5]], None),  # a number like a year in data of the same shape
        ([[], ["A3", "Piet", "ontslagen"], ["A4", "Mie", 2.0]], None),  # a text among numbers, then more data
        ([[], ["nr", "naam", "fte"], ["A3", "Piet", 2.0]], None),  # the header repeated over more data
    ],
)
def test_a_second_table_opens_with_a_title_or_a_header_over_numbers(below: list[list[Any]], found: Any) -> None:
    assert second_table([*DATA, *below]) == found


NAMES = st.text(alphabet="bcdfghklmpé", min_size=2, max_size=8)  # never a number, date or placeholder
AMOUNT = st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False), st.just("-"))
DATA_ROW = st.lists(st.tuples(NAMES, AMOUNT, st.one_of(st.none(), AMOUNT)).map(list), min_size=1, max_size=12)
GAPS = st.lists(st.integers(0, 2), min_size=12, max_size=12)  # blank rows after each data row


COUNTS = st.lists(st.tuples(NAMES, st.integers(0, 999), NAMES).map(list), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(data=DATA_ROW, gaps=GAPS, title=st.booleans(), header=st.tuples(NAMES, NAMES, NAMES), counts=COUNTS,
       blank=st.integers(1, 3))  # fmt: skip
def test_blank_rows_end_the_data_only_before_a_second_table(
    data: list[list[Any]],
    gaps: list[int],
    title: bool,
    header: tuple[str, str, str],
    counts: list[list[Any]],
    blank: int,
) -> None:
    """Data rows of a text and one or two amounts (numbers or '-'), with blank rows anywhere among them, hold no
    second table; one of another shape (a text where the data hold amounts) appended after blank rows, with or
    without a title, is found where it starts. (A data row of a text alone just above a second table would be
    taken for its title.)"""
    rows: list[list[Any]] = []
    for row, gap in zip(data, gaps, strict=False):
        rows += [row, *[[] for _ in range(gap)]]
    assert second_table(rows) is None
    rows += [[]] * blank
    table = [*([["Tabel 2"]] if title else []), list(header), *counts]
    start = len(rows)
    assert second_table(rows + table) == SecondTable(start, start + title)
