"""Parquet, JSON and NDJSON: the same typing and errors as text files, and rows numbered by position."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest
from test_sources_support import declare, fields, load

from peil.errors import SourceError

RECORDS = [{"nis": "01001", "n": 2.0, "ok": True, "x": 1.5}, {"nis": "02002", "n": 3, "ok": None, "x": None}]


def parquet(path: Path, select: str) -> None:
    with duckdb.connect() as con:
        con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")


def test_parquet_columns_keep_or_take_their_declared_types(tmp_path: Path) -> None:
    parquet(
        tmp_path / "p.parquet",
        "SELECT * FROM (VALUES ('01001', 1.0, 2.5, DATE '2024-01-05', 'NA'), ('02002', 3.0, 'nan'::DOUBLE, NULL, 'x'))"
        " t(nis, n, x, d, s)",
    )
    declared = fields("nis", "n", "x", "d", "s", n="integer", x="number", d="date")
    loaded = load(tmp_path, declare("p.parquet", declared, missingValues=["", "NA"]))
    assert loaded.column("nis") == ["01001", "02002"]
    assert loaded.column("n") == [1, 3] and loaded.types["n"] == "BIGINT"
    assert loaded.rows[0]["x"] == 2.5 and math.isnan(loaded.rows[1]["x"])
    assert loaded.column("s") == [None, "x"]
    assert loaded.column("_row") == [1, 2]


def test_a_parquet_value_that_does_not_fit_is_named(tmp_path: Path) -> None:
    parquet(tmp_path / "p.parquet", "SELECT * FROM (VALUES (1.0), (2.0), (2.5)) t(n)")
    with pytest.raises(SourceError) as caught:
        load(tmp_path, declare("p.parquet", fields(n="integer")))
    assert str(caught.value).startswith("p.parquet, row 3, column 'n': '2.5' is not a whole number")


def test_a_missing_parquet_column_is_named(tmp_path: Path) -> None:
    parquet(tmp_path / "p.parquet", "SELECT 1 AS inwoners")
    with pytest.raises(SourceError, match=r"no column 'inwonrs'.*did you mean 'inwoners'"):
        load(tmp_path, declare("p.parquet", fields(inwonrs="integer")))


def test_a_json_array_of_records(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    loaded = load(tmp_path, declare("r.json", fields("nis", "n", "ok", n="integer", ok="boolean")))
    assert [(r["nis"], r["n"], r["ok"], r["_row"]) for r in loaded.rows] == [
        ("01001", 2, True, 1),
        ("02002", 3, None, 2),
    ]


def test_json_records_at_a_dotted_path(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(json.dumps({"meta": {}, "data": {"items": RECORDS}}), encoding="utf-8")
    loaded = load(tmp_path, declare("r.json", fields("nis", x="number"), records="data.items"))
    assert loaded.column("x") == [1.5, None]


def test_a_wrong_records_path_says_what_is_there(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(json.dumps({"meta": {}, "data": {"items": RECORDS}}), encoding="utf-8")
    with pytest.raises(SourceError, match="there is no key 'rows'; there is: items"):
        load(tmp_path, declare("r.json", fields("nis"), records="data.rows"))
    with pytest.raises(SourceError, match="expected an array of records, found dict"):
        load(tmp_path, declare("r.json", fields("nis")))


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text('[\n {"nis": "01001"},\n {"nis": }\n]', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(tmp_path, declare("r.json", fields("nis")))
    assert caught.value.location is not None and caught.value.location.line == 3
    assert "column 10" in str(caught.value)


def test_ndjson_reads_the_same_values_as_json(tmp_path: Path) -> None:
    (tmp_path / "r.ndjson").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n\n", encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    declared = fields("nis", "n", "ok", "x", n="integer", ok="boolean", x="number")
    from_lines, from_array = load(tmp_path, declare("r.ndjson", declared)), load(tmp_path, declare("r.json", declared))
    assert [{k: v for k, v in r.items() if k != "_file"} for r in from_lines.rows] == [
        {k: v for k, v in r.items() if k != "_file"} for r in from_array.rows
    ]


def test_a_bad_ndjson_line_is_named(tmp_path: Path) -> None:
    (tmp_path / "r.ndjson").write_text('{"nis": "01001"}\n{"nis": \n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(tmp_path, declare("r.ndjson", fields("nis")))
    assert caught.value.location is not None and caught.value.location.line == 2


def test_an_ndjson_value_that_does_not_fit_is_named(tmp_path: Path) -> None:
    (tmp_path / "r.ndjson").write_text('{"n": 1}\n{"n": "twee"}\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"r\.ndjson, row 2, column 'n': 'twee' is not a whole number"):
        load(tmp_path, declare("r.ndjson", fields(n="integer")))
