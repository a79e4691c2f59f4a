"""Workbooks through python-calamine: Excel serial dates (XLS-01), formulas without a result (XLS-03), sheets,
broken files, typing of cells, a late value (TYP-02), and the cross table of the Flemish investment figures."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from test_sources_support import SHARED_LONG, declare, fields, load, shared_data

from peil.errors import SourceError
from peil.messages import in_words
from peil.reports import i18n
from peil.sources.infer import examine
from peil.sources.ooxml import cell_name, sheet_quirks
from peil.workspace import Source

SERIALS = [1, 5, 59, 60, 61, 45291]
EXPECTED_DATES = ["1900-01-01", "1900-01-05", "1900-02-28", None, "1900-03-01", "2023-12-31"]
CROSSTAB = {"index": ["bestuur"], "headers": ["boekjaar", "rekening"], "value": "investeringsuitgave_eur_per_inwoner"}
CROSSTAB_FIELDS = fields("bestuur", "boekjaar", "rekening", "investeringsuitgave_eur_per_inwoner",
                         boekjaar="year", investeringsuitgave_eur_per_inwoner="number")  # fmt: skip


def workbook(
    path: Path, sheets: dict[str, list[list[Any]]], date_columns: tuple[int, ...] = (), merged: tuple[str, ...] = ()
) -> Path:
    """Write an .xlsx with openpyxl (which stores no formula results); `date_columns` get a date format, and the
    ranges `merged` (such as "C1:D1") are merged in every sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in merged:
            sheet.merge_cells(cells)
        for column in date_columns:
            for cells in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cells[0].number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def test_excel_serial_dates_and_the_day_that_does_not_exist(tmp_path: Path) -> None:
    workbook(tmp_path / "x.xlsx", {"Sheet1": [["id", "datum"], *[[i, s] for i, s in enumerate(SERIALS)]]}, (2,))
    loaded = load(tmp_path, declare("x.xlsx", fields("id", "datum", id="integer", datum="date")))
    assert [d.isoformat() if d else None for d in loaded.column("datum")] == EXPECTED_DATES
    assert len(loaded.result.warnings) == 1
    assert "B5" in loaded.result.warnings[0] and "serial 60" in loaded.result.warnings[0]
    assert loaded.column("_sheet") == ["Sheet1"] * 6 and loaded.column("_row") == [2, 3, 4, 5, 6, 7]


def test_plain_numbers_in_a_date_field_are_read_as_serials(tmp_path: Path) -> None:
    workbook(tmp_path / "x.xlsx", {"Sheet1": [["datum"], *[[s] for s in SERIALS]]})
    loaded = load(tmp_path, declare("x.xlsx", fields(datum="date")))
    assert [d.isoformat() if d else None for d in loaded.column("datum")] == EXPECTED_DATES
    assert len(loaded.result.warnings) == 1 and "A5" in loaded.result.warnings[0]


def test_a_code_shown_with_leading_zeros_by_its_number_format_keeps_them_in_a_text_field(tmp_path: Path) -> None:
    """Postal and NIS codes typed as numbers under the format "00000" (08500 stored as 8500), as stewards do."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["postcode", "aantal", "nis"])
    for code, count, nis in [(8500, 7, 1001), (123, 42, 36015), (45, 3, None)]:
        sheet.append([code, count, nis])
    for row in sheet.iter_rows(min_row=2):
        row[0].number_format = row[1].number_format = "00000"
        row[2].number_format = '"0"0000;-00000'  # a zero in quotes and a second section: five digits still
    book.save(tmp_path / "codes.xlsx")
    loaded = load(tmp_path, declare("codes.xlsx", fields("postcode", "aantal", "nis", aantal="integer")))
    assert loaded.column("postcode") == ["08500", "00123", "00045"]
    assert loaded.column("aantal") == [7, 42, 3]  # a number field keeps the number
    assert loaded.column("nis") == ["01001", "36015", None]
    assert loaded.result.warnings == []
    notes = examine(tmp_path / "codes.xlsx").sheets[0].notes  # what `peil infer` says is what loading does
    assert notes[1] == (
        "kept as text, so leading zeros stay: postcode (e.g. '00045'), aantal (e.g. '00003'), nis (e.g. '01001')"
    )


def test_a_formula_without_a_stored_result_is_flagged_with_its_cell(tmp_path: Path) -> None:
    path = workbook(tmp_path / "f.xlsx", {"Sheet1": [[2, 3, "=A1*B1"]]})
    assert [cell_name(*cell) for cell in sheet_quirks(path, "Sheet1").uncached] == ["C1"]
    workbook(path, {"Sheet1": [["a", "b", "c"], [2, 3, "=A2*B2"]]})
    loaded = load(tmp_path, declare("f.xlsx", fields("a", "b", "c", a="integer", b="integer", c="integer")))
    assert loaded.rows[0]["c"] is None
    assert len(loaded.result.warnings) == 1
    assert "sheet 'Sheet1'" in loaded.result.warnings[0] and "cell C2" in loaded.result.warnings[0]


def test_a_formula_with_a_stored_result_reads_the_result(tmp_path: Path) -> None:
    path = workbook(tmp_path / "f.xlsx", {"Sheet1": [["a", "b", "c"], [2, 3, "=A2*B2"]]})
    _store_result(path, "<f>A2*B2</f><v />", "<f>A2*B2</f><v>6</v>")
    loaded = load(tmp_path, declare("f.xlsx", fields("a", "b", "c", a="integer", b="integer", c="integer")))
    assert loaded.rows[0]["c"] == 6
    assert loaded.result.warnings == []


def test_an_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    workbook(tmp_path / "s.xlsx", {"Data": [["a"], [1]], "Toelichting": [["tekst"]]})
    with pytest.raises(SourceError) as caught:
        load(tmp_path, declare("s.xlsx", fields("a"), sheet="Gegevens"))
    assert "no sheet 'Gegevens'" in str(caught.value)
    assert caught.value.hint is not None and "0: 'Data', 1: 'Toelichting'" in caught.value.hint


def test_a_sheet_by_number(tmp_path: Path) -> None:
    workbook(tmp_path / "s.xlsx", {"Data": [["a"], [1]], "Tweede": [["b"], ["x"]]})
    loaded = load(tmp_path, declare("s.xlsx", fields("b"), sheet=1))
    assert loaded.rows[0]["b"] == "x" and loaded.rows[0]["_sheet"] == "Tweede"


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"PK\x03\x04" + b"kapot" * 40, "the workbook is damaged: its zip archive is cut short or broken"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600, "cannot open the workbook: "),
    ],
    ids=["broken zip", "OLE2 without a workbook"],
)
def test_a_broken_or_encrypted_workbook_is_an_error(tmp_path: Path, data: bytes, said: str) -> None:
    (tmp_path / "b.xlsx").write_bytes(data)
    with pytest.raises(SourceError) as caught:
        load(tmp_path, declare("b.xlsx", fields("a")))
    assert caught.value.location is not None and caught.value.location.file == "b.xlsx"
    assert caught.value.message.startswith(said)


def test_a_workbook_cut_short_in_copying_is_named_damaged_in_both_languages(tmp_path: Path) -> None:
    """Found by a new user: a truncated .xlsx said calamine's 'Could not find EOCD', in English on a Dutch page."""
    whole = workbook(tmp_path / "whole.xlsx", {"Blad1": [["a"], [1], [2]]})
    (tmp_path / "b.xlsx").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(SourceError) as caught:
        load(tmp_path, declare("b.xlsx", fields("a")))
    assert caught.value.message == "the workbook is damaged: its zip archive is cut short or broken"
    assert caught.value.hint and "open it in Excel, which offers to repair it" in caught.value.hint
    assert in_words(caught.value.problem, i18n.translations("nl").gettext) == (
        "de werkmap is beschadigd: het zip-archief is afgebroken of kapot"
    )


@pytest.mark.parametrize(
    ("data", "message", "hint"),
    [
        (
            b"",
            "b.xlsx: the file is empty (0 bytes)",
            "Export the data again; an empty file usually means the export or download failed.",
        ),
        (
            "code;naam\n00123;Café\n".encode("cp1252"),
            "b.xlsx: named .xlsx but holds text, not a workbook",
            "Rename it to .csv (then `peil infer` reads it), or declare `format: csv` in its source.",
        ),
        (  # as Excel's "Unicode text" export writes it: the scanner reads it as CSV, so it is text here too
            "code\tnaam\n00123\tCafé\n".encode("utf-16"),
            "b.xlsx: named .xlsx but holds text, not a workbook",
            "Rename it to .csv (then `peil infer` reads it), or declare `format: csv` in its source.",
        ),
        (
            b"<html><body><table><tr><td>code</td></tr></table></body></html>",
            "b.xlsx: named .xlsx but holds an HTML page, not a workbook",
            "Open it in Excel or LibreOffice and save it as .xlsx, then load that.",
        ),
    ],
)
def test_an_empty_file_or_text_named_xlsx_is_said_to_be_no_workbook(
    tmp_path: Path, data: bytes, message: str, hint: str
) -> None:
    """As `peil scan` says of such files, not "broken or encrypted" (found by a new user)."""
    (tmp_path / "b.xlsx").write_bytes(data)
    with pytest.raises(SourceError) as caught:
        load(tmp_path, declare("b.xlsx", fields("code")))
    assert (str(caught.value).splitlines()[0], caught.value.hint) == (message, hint)


def test_text_cells_follow_the_number_options_and_number_cells_stay_exact(tmp_path: Path) -> None:
    workbook(tmp_path / "n.xlsx", {"Sheet1": [["bedrag"], ["1.234,56"], [0.5], [-12000]]})
    loaded = load(tmp_path, declare("n.xlsx", fields(bedrag="number"), decimal=",", thousands="."))
    assert loaded.column("bedrag") == [1234.56, 0.5, -12000.0]


def test_a_cell_that_does_not_fit_names_sheet_row_column_and_value(tmp_path: Path) -> None:
    workbook(tmp_path / "n.xlsx", {"Blad1": [["id", "bedrag"], [1, 2.5], [2, dt.datetime(2024, 1, 5)]]})
    with pytest.raises(SourceError) as caught:
        load(tmp_path, declare("n.xlsx", fields("id", "bedrag", id="integer", bedrag="number")))
    assert str(caught.value).startswith("n.xlsx, sheet 'Blad1', row 3, column 'bedrag': '2024-01-05' is not a number")


def test_a_fraction_in_an_integer_column_is_an_error(tmp_path: Path) -> None:
    workbook(tmp_path / "n.xlsx", {"Blad1": [["n"], [1], [2.5]]})
    with pytest.raises(SourceError, match=r"row 3, column 'n': '2\.5' is not a whole number"):
        load(tmp_path, declare("n.xlsx", fields(n="integer")))


def test_a_value_after_many_empty_cells_is_kept(tmp_path: Path) -> None:
    rows = [["id", "opmerking", "bedrag"], *[[i, None, None] for i in range(1, 1500)], [1500, "herberekend", 12.5]]
    workbook(tmp_path / "late.xlsx", {"Sheet1": rows})
    loaded = load(tmp_path, declare("late.xlsx", fields("id", "opmerking", "bedrag", id="integer", bedrag="number")))
    assert loaded.result.row_count == 1500
    assert [v for v in loaded.column("opmerking") if v is not None] == ["herberekend"]
    assert [v for v in loaded.column("bedrag") if v is not None] == [12.5]
    assert loaded.rows[-1]["_row"] == 1501


def test_header_row_and_skip_rows_count_sheet_rows(tmp_path: Path) -> None:
    rows = [["Bevolking per gemeente"], [], ["nis", "inwoners"], ["44021", 265000], [], ["11002", 530000]]
    workbook(tmp_path / "h.xlsx", {"Sheet1": rows})
    loaded = load(tmp_path, declare("h.xlsx", fields("nis", inwoners="integer"), skip_rows=1, header_row=2))
    assert [(r["nis"], r["inwoners"], r["_row"]) for r in loaded.rows] == [("44021", 265000, 4), ("11002", 530000, 6)]


def test_a_cross_table_becomes_long_rows(tmp_path: Path) -> None:
    rows = [
        ["Boekjaar", 2014, None, 2015],
        ["Alg. rekening", "REK210", "REK214", "REK210"],
        ["Gemeente en OCMW Aalst", 1.5, None, 2.5],
        ["Gemeente en OCMW Zwalm", None, 0.25, None],
        [],
        ["Toegepaste filters: [Type rapport] is Jaarrekening"],
    ]
    workbook(tmp_path / "c.xlsx", {"Export": rows})
    loaded = load(tmp_path, declare("c.xlsx", CROSSTAB_FIELDS, crosstab=CROSSTAB))
    assert [(r["bestuur"], r["boekjaar"], r["rekening"], r["investeringsuitgave_eur_per_inwoner"], r["_row"])
            for r in loaded.rows] == [
        ("Gemeente en OCMW Aalst", 2014, "REK210", 1.5, 3),
        ("Gemeente en OCMW Aalst", 2015, "REK210", 2.5, 3),
        ("Gemeente en OCMW Zwalm", 2014, "REK214", 0.25, 4),
    ]  # fmt: skip


def test_a_cross_table_must_name_each_schema_field(tmp_path: Path) -> None:
    workbook(tmp_path / "c.xlsx", {"Export": [["Boekjaar", 2014], ["x", 1.0]]})
    with pytest.raises(SourceError, match=r"options\.crosstab must name each schema field once"):
        load(tmp_path, declare("c.xlsx", fields("bestuur", "jaar", "waarde"), crosstab=CROSSTAB))


def test_the_investment_cross_table_matches_the_published_long_table(tmp_path: Path) -> None:
    folder = "finance_investments_flemish_munis_2014_2024"
    book, long = shared_data(folder, "detail-alle-jaren.xlsx"), shared_data(folder, SHARED_LONG)
    if book is None or long is None:
        missing = " and ".join(name for name, path in (("the workbook", book), ("its long table", long)) if not path)
        pytest.skip(f"{missing} of {folder} not found in the demo, tests/fixtures/shared or ../shared/data")
    shutil.copy(book, tmp_path / "detail.xlsx")
    loaded = load(tmp_path, declare("detail.xlsx", CROSSTAB_FIELDS, crosstab=CROSSTAB))
    ours = sorted(
        (r["boekjaar"], r["bestuur"], r["rekening"], r["investeringsuitgave_eur_per_inwoner"]) for r in loaded.rows
    )
    published = sorted(_long_rows(long))
    assert len(ours) == len(published) == 55742
    assert ours == published
    assert not any(r["bestuur"].startswith("Toegepaste filters") for r in loaded.rows)
    (note,) = loaded.result.warnings  # the export's filter note under the table
    assert note.startswith("detail.xlsx, sheet 'Export', row 289: left out below the table (a note 'Toegepaste")


AMOUNTS = [["code", "naam", "bedrag"], *[[f"A{i}", f"naam {i}", 10.5 * i] for i in range(1, 6)]]
SECOND = "a second table ({}) is left out; declare it as its own source with options.header_row: {} if you need it"


def test_a_second_table_below_blank_rows_is_left_out_with_a_warning(tmp_path: Path) -> None:
    """Found by a new user: a second table under the first, after two blank rows, was read as 4 more rows."""
    rows = [*AMOUNTS, [], [], ["Tabel 2: per dienst"], ["dienst", "aantal"], ["OCMW", 3], ["ICT", 2]]
    workbook(tmp_path / "t.xlsx", {"Blad1": rows})
    loaded = load(tmp_path, declare("t.xlsx", fields("code", "naam", bedrag="number")))
    assert [(r["code"], r["naam"], r["bedrag"], r["_row"]) for r in loaded.rows] == [
        (f"A{i}", f"naam {i}", 10.5 * i, i + 1) for i in range(1, 6)
    ]
    said = "rows 9-12: " + SECOND.format("title 'Tabel 2: per dienst'", 10)
    assert loaded.result.warnings == [f"t.xlsx, sheet 'Blad1', {said}"]
    assert in_words(loaded.result.remarks[0].problem, i18n.translations("nl").gettext, "nl_BE") == (
        "rijen 9-12: een tweede tabel ('Tabel 2: per dienst') is weggelaten; declareer ze als een eigen bron met "
        "options.header_row: 10 als u ze nodig hebt"
    )
    assert examine(tmp_path / "t.xlsx").sheets[0].notes[:2] == ["header in row 1", said]
    second = load(tmp_path, declare("t.xlsx", fields("dienst", aantal="integer"), header_row=10))
    assert [(r["dienst"], r["aantal"], r["_row"]) for r in second.rows] == [("OCMW", 3, 11), ("ICT", 2, 12)]


def test_a_second_table_without_a_title_is_told_by_its_header_and_the_total_above_it_stays_a_footer(
    tmp_path: Path,
) -> None:
    rows = [*AMOUNTS, ["Totaal", None, 157.5], [], ["dienst", "aantal"], ["OCMW", 3], ["ICT", 2]]
    workbook(tmp_path / "t.xlsx", {"Blad1": rows})
    loaded = load(tmp_path, declare("t.xlsx", fields("code", "naam", bedrag="number")))
    assert loaded.column("_row") == [2, 3, 4, 5, 6]
    assert loaded.result.warnings == [
        "t.xlsx, sheet 'Blad1', row 7: left out below the table (a total 'Totaal')",
        "t.xlsx, sheet 'Blad1', rows 9-11: " + SECOND.format("header 'dienst, aantal'", 9),
    ]


def test_blank_rows_among_ordinary_data_do_not_end_the_table(tmp_path: Path) -> None:
    """More data after a gap, a label of one text over data (a section), a text where a number was expected: all
    data, read as before."""
    rows = [*AMOUNTS, [], ["A6", "naam 6", 63.0], [], [], ["Sectie B"], ["B1", "naam 7", None], [], ["B2", "-", "-"],
            ["B3", "naam 8", 1.5]]  # fmt: skip
    workbook(tmp_path / "t.xlsx", {"Blad1": rows})
    loaded = load(tmp_path, declare("t.xlsx", fields("code", "naam", "bedrag")))
    assert loaded.column("code") == ["A1", "A2", "A3", "A4", "A5", "A6", "Sectie B", "B1", "B2", "B3"]
    assert loaded.column("_row") == [2, 3, 4, 5, 6, 8, 11, 12, 14, 15]
    assert loaded.result.warnings == []


@pytest.mark.parametrize("above", [[], [["Lonen 2025"], []]])
def test_a_header_of_two_rows_under_a_merged_cell_is_read_as_one(tmp_path: Path, above: list[list[Any]]) -> None:
    """Found by a new user: `Loon` merged over C1:D1 above `Maand` and `Jaar`; infer took row 2 as the header and
    lost the columns Dienst and Code without naming them."""
    top = len(above)
    rows = [*above, ["Dienst", "Code", "Loon"], [None, None, "Maand", "Jaar"], ["ICT", "01", 3000, 36000],
            ["OCMW", "02", 2500, 30000]]  # fmt: skip
    workbook(tmp_path / "l.xlsx", {"Lonen": rows}, merged=(f"C{top + 1}:D{top + 1}",))
    proposal = examine(tmp_path / "l.xlsx")
    proposed = yaml.safe_load(proposal.yaml)
    assert proposed["options"] == {"sheet": "Lonen"} | ({"header_row": 3} if above else {})
    assert [(f["name"], f["type"]) for f in proposed["schema"]["fields"]] == [
        ("Dienst", "string"), ("Code", "string"), ("Loon Maand", "integer"), ("Loon Jaar", "integer"),
    ]  # fmt: skip
    header = f"header in rows {top + 1}-{top + 2}" + (
        " (declared as options.header_row); rows 1-2 above it skipped: 'Lonen 2025' and 1 blank row" if above else ""
    )
    assert proposal.sheets[0].notes[:2] == [
        header,
        f"merged cells C{top + 1}:D{top + 1} in the header stand over row {top + 2}, a second header row: their "
        "columns are named 'Loon Maand' and 'Loon Jaar'",
    ]
    loaded = load(tmp_path, Source.model_validate(proposed | {"name": "lonen"}))
    assert [(r["Dienst"], r["Code"], r["Loon Maand"], r["Loon Jaar"], r["_row"]) for r in loaded.rows] == [
        ("ICT", "01", 3000, 36000, top + 3), ("OCMW", "02", 2500, 30000, top + 4),
    ]  # fmt: skip
    assert loaded.result.warnings == []


def test_a_merged_header_cell_over_data_is_no_second_header_row(tmp_path: Path) -> None:
    """A merged cell in the header over a row that also fills other columns: the row below is data, as before."""
    rows = [["Dienst", "Loon"], ["ICT", 3000, 36000], ["OCMW", 2500, 30000]]
    workbook(tmp_path / "l.xlsx", {"Lonen": rows}, merged=("B1:C1",))
    loaded = load(tmp_path, declare("l.xlsx", fields("Dienst", Loon="integer")))
    assert [(r["Dienst"], r["Loon"], r["_row"]) for r in loaded.rows] == [("ICT", 3000, 2), ("OCMW", 2500, 3)]


def test_a_title_merged_over_the_whole_header_is_a_title_not_a_header_row(tmp_path: Path) -> None:
    """Found in review: 'Personeel 2024' merged over A1:C1 above naam | dienst | loon was read as the top row of a
    two-row header, and every column was named 'Personeel 2024 ...'."""
    rows = [["Personeel 2024"], ["naam", "dienst", "loon"], ["An", "ICT", 3000], ["Jan", "OCMW", 2500]]
    path = workbook(tmp_path / "p.xlsx", {"Blad1": rows}, merged=("A1:C1",))
    proposal = yaml.safe_load(examine(path).yaml)
    assert [f["name"] for f in proposal["schema"]["fields"]] == ["naam", "dienst", "loon"]
    assert proposal["options"]["header_row"] == 2
    loaded = load(tmp_path, declare("p.xlsx", fields("naam", "dienst", loon="integer"), header_row=2))
    assert [(r["naam"], r["loon"], r["_row"]) for r in loaded.rows] == [("An", 3000, 3), ("Jan", 2500, 4)]


def test_infer_types_whole_formula_results_as_numbers_and_names_possible_serial_dates(tmp_path: Path) -> None:
    rows = [["nr", "maandloon", "jaarloon", "start", "aantal"], [1, 3000, "=B2*12", 45292, 40000]]
    path = workbook(tmp_path / "f.xlsx", {"Sheet1": rows})
    _store_result(path, "<f>B2*12</f><v />", "<f>B2*12</f><v>36000</v>")
    proposal = examine(path)
    types = {f["name"]: f["type"] for f in yaml.safe_load(proposal.yaml)["schema"]["fields"]}
    assert types == {"nr": "integer", "maandloon": "integer", "jaarloon": "number", "start": "integer",
                     "aantal": "integer"}  # fmt: skip
    assert proposal.sheets[0].notes[-2:] == [
        "number, not integer, for formula results that are whole now (a later one need not be): jaarloon",
        "whole numbers that may be Excel serial dates in cells without a date format: start (e.g. 45292, which "
        "would be 2024-01-01); kept as integer, declare `type: date` if they are dates",
    ]


def _long_rows(path: Path) -> list[tuple[int, str, str, float]]:
    import csv

    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        return [(int(r[0]), r[1], r[2], float(r[3])) for r in list(csv.reader(stream))[1:]]


def _store_result(path: Path, formula: str, stored: str) -> None:
    """Rewrite the sheet XML as Excel would after calculating: the formula keeps its result."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert formula.encode() in parts[sheet]
    parts[sheet] = parts[sheet].replace(formula.encode(), stored.encode())
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
