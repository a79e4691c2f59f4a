"""Delimited text: the peer cases CSV-01..10, TYP-01, TYP-04 and TYP-06 with their exact values, and the errors."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from test_sources_support import declare, fields, load, titled_export, write_and_load

from peil.errors import SourceError
from peil.sources import infer, load_into, source_files

CSV02 = b'id;opmerking\n1;"eerste regel\ntweede regel"\n2;"kort"\n3;"a\r\nb"\n'
TYP04_GOOD = "omschrijving;bedrag\nkoffie;1.234,56\nthee;0,5\nzout;-12.000,00\n"


def test_bom_is_dropped_only_at_byte_zero(tmp_path: Path) -> None:
    data = "\ufeffgemeente;inwoners\nGent;265000\n\ufeffAalst;90000\n"
    loaded = write_and_load(tmp_path, "c01.csv", data, fields("gemeente", inwoners="integer"))
    assert loaded.columns[:2] == ["gemeente", "inwoners"]
    assert "\ufeff" not in loaded.columns[0]
    assert loaded.column("gemeente") == ["Gent", "\ufeffAalst"]
    assert loaded.column("inwoners") == [265000, 90000]


def test_bom_is_dropped_on_the_cp1252_path_too(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfgemeente;inwoners\nGent;265000\nAalst;90000\n"
    loaded = write_and_load(tmp_path, "c01.csv", data, fields("gemeente", inwoners="integer"), encoding="cp1252")
    assert loaded.column("gemeente") == ["Gent", "Aalst"]
    assert not any("ï»¿" in str(value) for row in loaded.rows for value in row.values())


def test_quoted_line_breaks_stay_in_one_record(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "c02.csv", CSV02, fields("id", "opmerking", id="integer"))
    assert loaded.result.row_count == 3
    assert loaded.column("opmerking") == ["eerste regel\ntweede regel", "kort", "a\r\nb"]
    assert loaded.column("_row") == [2, 3, 4]
    assert loaded.result.warnings == []


def test_skip_rows_counts_records_not_lines(tmp_path: Path) -> None:
    data = b'"titel over\ntwee regels"\n' + CSV02
    loaded = write_and_load(tmp_path, "c02.csv", data, fields("id", "opmerking", id="integer"), skip_rows=1)
    assert loaded.column("id") == [1, 2, 3]
    assert loaded.column("_row") == [3, 4, 5]


def test_later_records_keep_counting_records(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "c02.csv", CSV02, fields("id", "opmerking", id="integer"))
    assert [r["id"] for r in loaded.rows if r["_row"] > 2] == [2, 3]


@pytest.mark.parametrize(
    "data", [b"id;naam;lat;lon\n1;Aalst;50.94;4.04;\n2;Lier;51.13;4.57;\n", b"id;naam;lat;lon;\n1;Aalst;50.94;4.04\n"]
)
def test_a_trailing_delimiter_adds_no_column(tmp_path: Path, data: bytes) -> None:
    declared = fields("id", "naam", "lat", "lon", id="integer", lat="number", lon="number")
    loaded = write_and_load(tmp_path, "c03.csv", data, declared)
    assert loaded.columns == ["id", "naam", "lat", "lon", "_file", "_sheet", "_row", "_invalid"]
    assert loaded.rows[0]["naam"] == "Aalst"
    assert loaded.rows[0]["lat"] == 50.94
    assert loaded.types["lat"] == "DOUBLE"


def test_a_value_after_the_trailing_delimiter_is_an_error(tmp_path: Path) -> None:
    data = b"id;naam\n1;Aalst;\n2;Lier;x\n"
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "c03.csv", data, fields("id", "naam"))
    assert caught.value.location is not None and caught.value.location.row == 3
    assert "'x'" in str(caught.value)


def test_mixed_line_endings_are_read_with_a_warning(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "c04.csv", b"a;b;c\n1;2;3\n4;5;6\r\n7;8;9\n", fields("a", "b", "c"))
    assert loaded.result.row_count == 3
    values = [row[c] for row in loaded.rows for c in "abc"]
    assert all(not v.endswith("\r") for v in values)
    assert loaded.rows[1]["c"] == "6"
    assert loaded.column("_row") == [2, 3, 4]
    assert len(loaded.result.warnings) == 1
    assert "mixed line endings" in loaded.result.warnings[0]
    assert "c04.csv" in loaded.result.warnings[0]


def test_uniform_crlf_is_not_a_mix(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "crlf.csv", b"a;b\r\n1;2\r\n3;4\r\n", fields("a", "b", a="integer"))
    assert loaded.column("b") == ["2", "4"]
    assert loaded.result.warnings == []


def test_duplicate_header_names_are_renamed_with_a_warning(tmp_path: Path) -> None:
    data = b"postcode;naam;postcode\n9000;Gent;9000\n9050;Gentbrugge;9051\n"
    loaded = write_and_load(tmp_path, "c06.csv", data, fields("postcode", "naam", "postcode_2"))
    assert loaded.rows[1]["postcode"] == "9050"
    assert loaded.rows[1]["postcode_2"] == "9051"
    assert len(loaded.result.warnings) == 1
    assert "'postcode_2'" in loaded.result.warnings[0] and "column 3" in loaded.result.warnings[0]


def test_a_renamed_header_never_takes_an_existing_name(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "c06.csv", b"a;a;a_2\n1;2;3\n", fields("a", "a_3", "a_2", a_2="integer"))
    assert len(set(loaded.columns[:3])) == 3
    assert loaded.rows[0] == {
        "a": "1",
        "a_3": "2",
        "a_2": 3,
        "_file": "c06.csv",
        "_sheet": None,
        "_row": 2,
        "_invalid": None,
    }


def test_clean_utf8_beats_a_guess(tmp_path: Path) -> None:
    data = "naam;opmerking\nJosé;“dringend”\n".encode()
    loaded = write_and_load(tmp_path, "c08.csv", data, fields("naam", "opmerking"))
    assert loaded.column("opmerking") == ["“dringend”"]
    assert loaded.column("naam") == ["José"]


def test_cp1252_is_detected_and_keeps_the_euro_sign(tmp_path: Path) -> None:
    data = "naam;bedrag\nRené;€ 12\n".encode("cp1252")
    loaded = write_and_load(tmp_path, "c08.csv", data, fields("naam", "bedrag"))
    assert loaded.column("bedrag") == ["€ 12"]
    assert loaded.column("naam") == ["René"]


def test_latin1_with_bytes_cp1252_lacks_is_read_as_latin1(tmp_path: Path) -> None:
    data = "naam;code\nLiège;a\x81b\n".encode("latin-1")
    loaded = write_and_load(tmp_path, "latin.csv", data, fields("naam", "code"))
    assert loaded.column("naam") == ["Liège"]
    assert loaded.column("code") == ["a\x81b"]


def test_utf16_with_a_byte_order_mark(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "u16.csv", "naam;n\nZoë;1\n".encode("utf-16"), fields("naam", n="integer"))
    assert loaded.rows[0]["naam"] == "Zoë"


def test_a_wrong_declared_encoding_names_the_line_and_byte_offset(tmp_path: Path) -> None:
    data = "naam;bedrag\nRené;€ 12\n".encode("cp1252")
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "c08.csv", data, fields("naam", "bedrag"), encoding="utf-8")
    message = str(caught.value)
    assert "c08.csv" in message and "line 2" in message and "byte offset 15" in message and "0xE9" in message


def test_a_late_byte_that_is_not_utf8_is_found_with_its_line(tmp_path: Path) -> None:
    lines = ["naam;n"] + [f"gemeente {i};{i}" for i in range(150_000)]
    lines[75_001] = "Liège;1"  # past the first MiB and before the last 256 KiB, which detection samples
    data = "\n".join(lines).encode("utf-8").replace("è".encode(), b"\xe8") + b"\n"
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "late.csv", data, fields("naam", n="integer"))
    assert caught.value.location is not None and caught.value.location.line == 75_002
    assert "0xE8" in str(caught.value)


def test_a_late_delimiter_does_not_turn_the_header_into_a_preamble(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "c10.csv", b"opmerking\nok\nzie bijlage; p.2\n", fields("opmerking"))
    assert loaded.result.row_count == 2
    assert loaded.column("opmerking") == ["ok", "zie bijlage; p.2"]


@pytest.mark.parametrize("text", ["nr;bedrag\n1;1.5\n2;\n;3.0\n4;2.25\n5;\n", "nr;bedrag\n1;1.5\n2;\n;3.0\n4;2.25\n"])
def test_an_empty_last_value_keeps_the_declared_types(tmp_path: Path, text: str) -> None:
    loaded = write_and_load(tmp_path, "typ01.csv", text, fields("nr", "bedrag", nr="integer", bedrag="number"))
    assert (loaded.types["nr"], loaded.types["bedrag"]) == ("BIGINT", "DOUBLE")
    assert sum(v for v in loaded.column("bedrag") if v is not None) == 6.75
    assert loaded.rows[1]["bedrag"] is None and loaded.rows[2]["nr"] is None


def test_belgian_numbers_are_read_exactly(tmp_path: Path) -> None:
    declared = fields("omschrijving", "bedrag", bedrag="number")
    loaded = write_and_load(tmp_path, "typ04.csv", TYP04_GOOD, declared, decimal=",", thousands=".")
    assert [Decimal(str(v)) for v in loaded.column("bedrag")] == [Decimal("1234.56"), Decimal("0.5"), Decimal("-12000")]


@pytest.mark.parametrize("bad", ["1,2,3", "1a.2,3", "12.34,5", "1.2.3,4", "1.5"])
def test_malformed_belgian_numbers_are_not_numbers(tmp_path: Path, bad: str) -> None:
    declared = fields("omschrijving", "bedrag", bedrag="number")
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "typ04.csv", TYP04_GOOD + f"fout;{bad}\n", declared, decimal=",", thousands=".")
    location = caught.value.location
    assert location is not None and (location.file, location.row, location.column) == ("typ04.csv", 5, "bedrag")
    assert f"'{bad}' is not a number" in str(caught.value)


def test_the_first_bad_number_is_named_and_the_others_counted(tmp_path: Path) -> None:
    data = TYP04_GOOD + "fout1;1,2,3\nfout2;1a.2,3\n"
    declared = fields("omschrijving", "bedrag", bedrag="number")
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "typ04.csv", data, declared, decimal=",", thousands=".")
    assert str(caught.value).startswith("typ04.csv, row 5, column 'bedrag': '1,2,3' is not a number such as 1.234,56")
    assert "1 more values in this column" in str(caught.value)


def test_decimal_comma_without_thousands(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "d.csv", "x;y\n1,5;2\n,25;3\n", fields("x", "y", x="number"), decimal=",")
    assert loaded.column("x") == [1.5, 0.25]
    with pytest.raises(SourceError, match=r"'1\.5' is not a number"):
        write_and_load(tmp_path, "d.csv", "x;y\n1,5;2\n1.5;3\n", fields("x", "y", x="number"), decimal=",")


def test_codes_keep_their_leading_zeros(tmp_path: Path) -> None:
    data = "ondernemingsnr;telefoon;huisnr\n0123456789;0471123456;12\n0987654321;092345678;7\n"
    loaded = write_and_load(
        tmp_path, "typ06.csv", data, fields("ondernemingsnr", "telefoon", "huisnr", huisnr="integer")
    )
    assert loaded.rows[0]["telefoon"] == "0471123456"
    assert loaded.column("ondernemingsnr") == ["0123456789", "0987654321"]
    assert loaded.types["huisnr"] == "BIGINT"


@pytest.mark.parametrize(
    ("kind", "value"),
    [("integer", "12.5"), ("integer", "0x10"), ("year", "14"), ("date", "2024-02-30"), ("boolean", "ja")],
)
def test_a_value_that_does_not_fit_names_file_row_column_and_value(tmp_path: Path, kind: str, value: str) -> None:
    data = f"id;v\n1;\n2;\n3;{value}\n"
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "vals.csv", data, fields("id", "v", v=kind))
    message = str(caught.value)
    assert message.startswith(f"vals.csv, row 4, column 'v': '{value}' is not ")
    assert caught.value.hint


def test_whole_numbers_written_with_decimals_are_integers(tmp_path: Path) -> None:
    loaded = write_and_load(
        tmp_path, "i.csv", "n;jaar\n12.0;2014.0\n1e3;2015\n", fields("n", "jaar", n="integer", jaar="year")
    )
    assert loaded.column("n") == [12, 1000]
    assert loaded.column("jaar") == [2014, 2015]
    assert loaded.types["jaar"] == "INTEGER"


def test_a_missing_header_field_is_named_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "h.csv", "gemeente;inwonrs\nGent;1\n", fields("gemeente", inwoners="integer"))
    assert "no column 'inwoners'" in str(caught.value)
    assert "did you mean 'inwonrs'?" in str(caught.value)
    assert caught.value.hint is not None and "gemeente, inwonrs" in caught.value.hint


def test_columns_not_in_the_schema_are_named_in_a_warning(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "x.csv", "a;b;c\n1;2;3\n", fields("a", "c"))
    assert loaded.rows[0]["c"] == "3"
    assert loaded.result.warnings == ["x.csv, row 1: columns not in the schema are not loaded: b"]


def test_a_short_row_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "s.csv", "a;b\n1;2\n3\n4;5\n", fields("a", "b"))
    assert caught.value.location is not None and caught.value.location.row == 3
    assert "has 1 value where the other rows have 2" in str(caught.value)


def test_a_quote_never_closed_is_named_at_the_line_it_opens(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="quoting is broken") as caught:
        write_and_load(tmp_path, "q.csv", 'a;b\n1;"open\n2;3\n4;5\n', fields("a", "b"))
    assert caught.value.location is not None and caught.value.location.line == 2
    assert "starts at line 2 (read up to line 4)" in str(caught.value)


def test_a_quote_never_closed_does_not_change_the_delimiter_infer_finds(tmp_path: Path) -> None:
    """With ';' the open quote swallows the rest of the file, with ',' every line is one clean field: the records
    before the broken one decide, and the reader then names the line."""
    (tmp_path / "q.csv").write_text('nr;naam;bedrag\n1;"Jan;10\n2;Piet;20\n3;Mie;30\n', encoding="utf-8")
    with pytest.raises(SourceError, match="starts at line 2") as caught:
        infer(tmp_path / "q.csv")
    assert caught.value.location is not None and caught.value.location.line == 2


def test_dates_in_several_formats(tmp_path: Path) -> None:
    data = "iso;be;moment\n2024-01-05;05/01/2024;2024-01-05T10:30:00\n;31/12/2023;\n"
    declared = [
        {"name": "iso", "type": "date"},
        {"name": "be", "type": "date", "format": "%d/%m/%Y"},
        {"name": "moment", "type": "datetime"},
    ]
    loaded = write_and_load(tmp_path, "dates.csv", data, declared)
    assert [str(v) for v in loaded.rows[0].values()][:3] == ["2024-01-05", "2024-01-05", "2024-01-05 10:30:00"]
    assert loaded.rows[1]["be"].isoformat() == "2023-12-31" and loaded.rows[1]["iso"] is None


def test_a_date_format_must_be_strptime_codes(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="strptime codes"):
        write_and_load(tmp_path, "f.csv", "d\n05/01/2024\n", [{"name": "d", "type": "date", "format": "dd/mm/yyyy"}])


def test_missing_values_become_null(tmp_path: Path) -> None:
    data = 'a;b\nNA;1\n"";-\nx;2\n'
    loaded = write_and_load(tmp_path, "m.csv", data, fields("a", "b", b="integer"), missingValues=["", "NA", "-"])
    assert loaded.column("a") == [None, None, "x"]
    assert loaded.column("b") == [1, None, 2]


def test_booleans(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "b.csv", "v\ntrue\nFALSE\n1\n0\nyes\n", [{"name": "v", "type": "boolean"}])
    assert loaded.column("v") == [True, False, True, False, True]


@pytest.mark.parametrize("delimiter", ["\t", "|", ","])
def test_other_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    data = delimiter.join(["nis", "naam"]) + "\n" + delimiter.join(["01001", "Aartselaar, dorp"]) + "\n"
    if delimiter == ",":
        data = data.replace("Aartselaar, dorp", '"Aartselaar, dorp"')
    loaded = write_and_load(tmp_path, "d.txt", data, fields("nis", "naam"))
    assert loaded.rows[0]["nis"] == "01001" and loaded.rows[0]["naam"] == "Aartselaar, dorp"


def test_blank_lines_between_records_are_skipped_and_not_counted(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "blank.csv", "a;b\n1;2\n\n3;4\n", fields("a", "b"))
    assert loaded.column("a") == ["1", "3"]
    assert loaded.column("_row") == [2, 3]


def test_header_row_counts_rows_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    data = "Bevolking 2024\n\nnis;inwoners\n44021;265000\n"
    loaded = write_and_load(tmp_path, "t.csv", data, fields("nis", inwoners="integer"), header_row=3)
    assert loaded.rows[0]["nis"] == "44021" and loaded.rows[0]["_row"] == 4


def test_a_gzipped_cp1252_file_is_read(tmp_path: Path) -> None:
    data = gzip.compress("naam;bedrag\nRené;€ 12\n".encode("cp1252"))
    loaded = write_and_load(tmp_path, "g.csv.gz", data, fields("naam", "bedrag"))
    assert loaded.rows[0] == {
        "naam": "René",
        "bedrag": "€ 12",
        "_file": "g.csv.gz",
        "_sheet": None,
        "_row": 2,
        "_invalid": None,
    }


def test_each_file_of_a_glob_keeps_its_own_row_numbers(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "b_2021.csv").write_text("nis;jaar\n11001;2021\n11002;2021\n", encoding="utf-8")
    (tmp_path / "data" / "a_2020.csv").write_text("nis;jaar\n11001;2020\n", encoding="utf-8")
    loaded = load(tmp_path, declare("data/*.csv", fields("nis", jaar="year")))
    assert [(r["_file"], r["_row"], r["jaar"]) for r in loaded.rows] == [
        ("data/a_2020.csv", 2, 2020),
        ("data/b_2021.csv", 2, 2021),
        ("data/b_2021.csv", 3, 2021),
    ]
    assert loaded.result.row_count == 3


def test_keys_are_not_checked_while_reading(tmp_path: Path) -> None:
    """A repeated or empty key is loaded as it is: the primary key is a check, which quarantines those rows."""
    data = "nis;jaar;n\n11001;2020;1\n11002;2020;2\n11001;2020;3\n;2020;4\n"
    loaded = write_and_load(
        tmp_path, "k.csv", data, fields("nis", "jaar", "n", jaar="year"), primaryKey=["nis", "jaar"]
    )
    assert loaded.column("nis") == ["11001", "11002", "11001", None]


def test_a_quoted_lone_carriage_return_survives_in_a_crlf_file(tmp_path: Path) -> None:
    loaded = write_and_load(tmp_path, "cr.csv", b'naam;n\r\n"\r";1\r\n"a\rb";2\r\n', fields("naam", n="integer"))
    assert loaded.column("naam") == ["\r", "a\rb"]
    assert loaded.result.warnings == []


def test_rows_are_numbered_inside_the_callers_transaction(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("n\n" + "".join(f"{i}\n" for i in range(3000)), encoding="utf-8")
    (tmp_path / "b.csv").write_text("n\n7\n", encoding="utf-8")
    source = declare("*.csv", fields(n="integer"))
    con = duckdb.connect()
    con.execute("BEGIN")
    result = load_into(con, source, tmp_path, source_files(source, tmp_path), '"t"')
    con.execute("COMMIT")
    rows = con.execute('SELECT _file, _row, n FROM "t" ORDER BY _file, _row').fetchall()
    assert result.row_count == 3001
    assert rows[:2] == [("a.csv", 2, 0), ("a.csv", 3, 1)] and rows[2999:] == [("a.csv", 3001, 2999), ("b.csv", 2, 7)]
    assert all(row == i + 2 for i, (_, row, _) in enumerate(rows[:3000]))


@pytest.mark.parametrize(
    ("late", "kind", "expected"), [("herberekend", "string", "herberekend"), ("12,5", "number", 12.5)]
)
def test_a_value_after_many_empty_ones_is_kept(tmp_path: Path, late: str, kind: str, expected: object) -> None:
    data = "id;opmerking\n" + "".join(f"{i};\n" for i in range(1, 1500)) + f"1500;{late}\n"
    loaded = write_and_load(tmp_path, "typ02.csv", data, fields("id", opmerking=kind), decimal=",")
    assert [v for v in loaded.column("opmerking") if v is not None] == [expected]
    assert loaded.rows[-1]["_row"] == 1501


def test_a_quote_never_closed_above_a_note_is_an_error_not_a_footer(tmp_path: Path) -> None:
    """The open quote would make the last rows one record ending in 'Bron: x', which looks like a note: the rows
    must not be left out below the table as a footer (found by a new user)."""
    text = 'id;naam;bedrag\n1;a;1,5\n2;b;2,5\n"3;c;3,5\n4;d;4,5\n5;e;5,5\nBron: x\n'
    with pytest.raises(SourceError, match="starts at line 4") as caught:
        write_and_load(tmp_path, "q.csv", text, fields("id", "naam", "bedrag"))
    assert caught.value.location is not None and caught.value.location.line == 4


TITLED_FIELDS = fields("personeelsnummer", "naam", "dienst", fte="number")
TITLED_ROWS = [
    ("P001", "Jansen", "Financiën", 0.8, 4),
    ("P002", "Peeters", "Burgerzaken", 1.0, 5),
    ("P003", "De Smet, Ann", "Technische dienst", 0.5, 6),
    ("P004", "Vermeulen", "Financiën", 1.0, 7),
]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
@pytest.mark.parametrize("padded", [True, False])
def test_a_titled_export_is_read_below_its_declared_header_row(tmp_path: Path, encoding: str, padded: bool) -> None:
    """The delimiter is sniffed on the table from the header on: a bare title has no `;` and must not make it tab."""
    data = titled_export(padded).encode(encoding)
    declared = {"encoding": "cp1252"} if encoding == "cp1252" else {}
    loaded = write_and_load(tmp_path, "personeel.csv", data, TITLED_FIELDS, decimal=",", header_row=3, **declared)
    assert loaded.columns == ["personeelsnummer", "naam", "dienst", "fte", "_file", "_sheet", "_row", "_invalid"]
    assert [(r["personeelsnummer"], r["naam"], r["dienst"], r["fte"], r["_row"]) for r in loaded.rows] == TITLED_ROWS
    assert loaded.result.row_count == 4 and loaded.result.warnings == []


@pytest.mark.parametrize("padded", [True, False])
def test_a_titled_export_read_without_header_row_names_the_header_row(tmp_path: Path, padded: bool) -> None:
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "personeel.csv", titled_export(padded), TITLED_FIELDS, decimal=",")
    assert caught.value.location is not None and caught.value.location.row == 1
    assert caught.value.message == (
        "the header was expected in row 1, which holds none of the declared columns; row 3 holds them, below "
        "'Personeelsregister gemeente Zottegem'"
    )
    assert caught.value.hint == "Declare options.header_row: 3 in the source (peil infer proposes it)."


def test_the_header_row_hint_counts_after_skip_rows(tmp_path: Path) -> None:
    data = "Bevolking 2024\nStand op 1 januari\n\nnis;inwoners\n44021;265000\n11002;530000\n"
    with pytest.raises(SourceError) as caught:
        write_and_load(tmp_path, "t.csv", data, fields("nis", inwoners="integer"), skip_rows=1)
    assert caught.value.location is not None and caught.value.location.row == 2
    assert caught.value.message.endswith("row 4 holds them, below 'Stand op 1 januari'")
    assert caught.value.hint == "Declare options.header_row: 3 in the source (peil infer proposes it)."


def test_a_header_with_some_declared_names_keeps_the_usual_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="the header has no column 'inwoners'") as caught:
        write_and_load(tmp_path, "t.csv", "nis;aantal\n44021;265000\n", fields("nis", inwoners="integer"))
    assert caught.value.location is not None and caught.value.location.row == 1
