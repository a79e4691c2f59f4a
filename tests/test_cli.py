"""The command line: every command works on a real workspace; user errors print one message and exit 1."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from peil.build import build
from peil.cli import app
from peil.output import csv_cell, write_csv


def peil(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "peil", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_init_creates_a_workspace_that_builds_at_once(tmp_path: Path) -> None:
    root = tmp_path / "gemeente"
    created = peil("init", str(root), "--municipality", "34022")
    assert created.returncode == 0, created.stderr
    assert 'municipality: "34022"' in (root / "peil.yaml").read_text(encoding="utf-8")
    built = peil("build", "-w", str(root))
    assert built.returncode == 0, built.stderr
    assert "2 sources read, 2 snapshots made" in built.stdout
    out = peil(
        "sql",
        "-w",
        str(root),
        "--format",
        "csv",
        "SELECT value FROM meta.indicator_values WHERE entity = '34022' AND period = '2015' AND indicator = 'inwoners'",
    )
    assert list(csv.reader(io.StringIO(out.stdout))) == [
        ["value"],
        ["75219.0"],
    ]  # Kortrijk on 1 January 2015, Statbel


def test_an_owner_left_as_todo_is_warned_about_at_build_and_shown_as_none(tmp_path: Path) -> None:
    root = tmp_path / "gemeente"
    assert peil("init", str(root)).returncode == 0
    declaration = root / "sources" / "gemeenten.yaml"
    declaration.write_text(
        declaration.read_text(encoding="utf-8").replace("owner: Strategische cel", "owner: TODO"), encoding="utf-8"
    )
    built = peil("build", "-w", str(root))
    assert built.returncode == 0, built.stderr
    expected = "warning gemeenten: owner is still the placeholder 'TODO'; name the department that answers for"
    assert expected in " ".join(built.stdout.split())
    listed = peil("sources", "-w", str(root))
    assert "none (TODO)" in listed.stdout and "Strategische cel" in listed.stdout
    page = (root / "site" / "bronnen.html").read_text(encoding="utf-8")
    assert '<dt>Eigenaar</dt><dd><em class="missing">nog niet benoemd</em></dd>' in page
    assert "<dt>Eigenaar</dt><dd>Strategische cel</dd>" in page


def test_build_says_alike_warnings_once(tmp_path: Path) -> None:
    """Five formulas without a stored result: one line, as `peil infer` says them (found by a new user: a line per
    cell)."""
    root = tmp_path / "gemeente"
    assert peil("init", str(root)).returncode == 0
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data 2024"
    sheet.append(["code", "aantal"])
    for row in range(2, 7):
        sheet.append([f"A{row}", f"=1+{row}"])  # openpyxl stores no result
    book.save(root / "data" / "tellingen.xlsx")
    (root / "sources" / "tellingen.yaml").write_text(
        "path: data/tellingen.xlsx\nowner: Dienst Burgerzaken\nschema:\n  fields:\n"
        "    - {name: code, type: string}\n    - {name: aantal, type: integer}\n",
        encoding="utf-8",
    )
    built = peil("build", "-w", str(root))
    assert built.returncode == 0, built.stderr
    lines = [" ".join(line.split()) for line in built.stdout.split("warning ")[1:]]
    formulas = [line for line in lines if "formula without a stored result" in line]
    assert len(formulas) == 1
    assert formulas[0].startswith("tellingen: data/tellingen.xlsx, sheet 'Data 2024', row 2: cell B2 holds a formula")
    assert "(and 4 more like it)" in formulas[0]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("keep me")
    result = peil("init", str(tmp_path))
    assert result.returncode == 1
    assert "exists and is not empty" in result.stderr
    assert (tmp_path / "x.txt").read_text() == "keep me"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ws"
    assert peil("init", str(root)).returncode == 0
    assert peil("build", "-w", str(root)).returncode == 0
    return root


def test_sql_prints_json(built: Path) -> None:
    result = peil(
        "sql",
        "-w",
        str(built),
        "-f",
        "json",
        "SELECT CD_MUNTY_REFNIS AS code, \"2015\" AS n FROM bevolking WHERE CD_MUNTY_REFNIS = '36015'",
    )
    assert json.loads(result.stdout) == [{"code": "36015", "n": 60386}]


def test_sql_refuses_writes_with_one_message(built: Path) -> None:
    result = peil("sql", "-w", str(built), "DROP TABLE meta.snapshots")
    assert result.returncode == 1
    assert "only queries are allowed, not DROP" in result.stderr
    assert "Traceback" not in result.stderr


def test_history_and_sources_list_the_snapshots(built: Path) -> None:
    history = peil("history", "bevolking", "-w", str(built))
    assert history.returncode == 0
    assert "data/bevolking_2009_2015.csv" in history.stdout
    sources = peil("sources", "-w", str(built))
    assert "bevolking" in sources.stdout and "gemeenten" in sources.stdout and "public" in sources.stdout
    loaded = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T", sources.stdout)  # Belgian time, as history
    assert len(loaded) == 2 and loaded[0] in history.stdout


def test_history_of_an_unknown_dataset_lists_the_known_ones(built: Path) -> None:
    result = peil("history", "bevolkng", "-w", str(built))
    assert result.returncode == 1
    assert result.stderr.startswith("error no snapshots of 'bevolkng'\n")  # no 'field': a dataset is no field
    assert "bevolking, gemeenten" in result.stderr


def test_an_error_keeps_the_square_brackets_of_a_name(built: Path) -> None:
    """Rich would take '[oud]' in a message for markup and drop it (found by a new user)."""
    result = peil("history", "subsidies [oud]", "-w", str(built))
    assert "error no snapshots of 'subsidies [oud]'" in result.stderr


def _history(root: Path, dataset: str) -> list[list[str]]:
    """The cells of `peil history DATASET`'s table, a list per snapshot, the header first."""
    result = CliRunner().invoke(app, ["history", dataset, "-w", str(root)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(("┃", "│"))]
    return [[cell.strip() for cell in re.split("[┃│]", line)[1:-1]] for line in lines]


def test_history_hashes_the_rows_each_snapshot_loaded_and_names_its_sheet_even_an_empty_one(starter: Path) -> None:
    """Found in a user trial: snapshots of two sheets of one workbook showed one content hash, that of the file's
    bytes, and a sheet that gave no rows was not named. Sheet 'kopie' holds the rows of '2024' in another order."""
    book = openpyxl.Workbook()
    book.active.title = "2024"
    for name in ("kopie", "2025", "leeg"):
        book.create_sheet(name)
    for name, rows in (("2024", [["a", 1], ["b", 2]]), ("kopie", [["b", 2], ["a", 1]]), ("2025", [["a", 3]])):
        for row in [["code", "aantal"], *rows]:
            book[name].append(row)
    book["leeg"].append(["code", "aantal"])
    book.save(starter / "data" / "tellingen.xlsx")
    for sheet in ("2024", "kopie", "2025", "leeg"):
        (starter / "sources" / "tellingen.yaml").write_text(
            f"path: data/tellingen.xlsx\nformat: excel\noptions: {{sheet: '{sheet}'}}\nowner: Burgerzaken\n"
            "schema:\n  fields:\n    - {name: code, type: string}\n    - {name: aantal, type: integer}\n",
            encoding="utf-8",
        )
        assert build(starter).ingested["tellingen"].created
    header, *snapshots = _history(starter, "tellingen")
    assert header == ["version", "snapshot", "loaded", "rows", "rows hash", "files"]
    assert [(s[0], s[3], s[5]) for s in snapshots] == [
        ("1", "2", "data/tellingen.xlsx [2024]"),
        ("2", "2", "data/tellingen.xlsx [kopie]"),
        ("3", "1", "data/tellingen.xlsx [2025]"),
        ("4", "0", "data/tellingen.xlsx [leeg]"),
    ]
    hashes = [s[4] for s in snapshots]
    assert hashes[0] == hashes[1] and len(set(hashes)) == 3  # the same rows, in any order, hash alike
    no_rows = json.dumps([[["code", "VARCHAR"], ["aantal", "BIGINT"]], 0, 0])  # columns, rows, sum of row hashes
    assert hashes[3] == hashlib.sha256(no_rows.encode()).hexdigest()[:12]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "bevolking", "--limit", "-1"], "Invalid value for '--limit'"),
        (["sql", "SELECT 1", "--limit", "0"], "Invalid value for '--limit'"),
        (["scan", "{ws}", "--limit", "-1"], "Invalid value for '--limit'"),
        (["scan", "{ws}", "--html", "no/such/folder/scan.html"], "the folder no/such/folder does not exist"),
    ],
)
def test_a_limit_below_one_and_a_page_in_no_folder_are_refused_before_anything_runs(
    built: Path, args: list[str], message: str
) -> None:
    given = [arg.format(ws=built) for arg in args]
    result = CliRunner().invoke(app, [*given, *(["-w", str(built)] if args[0] != "scan" else [])])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_build_without_workspace_explains(tmp_path: Path) -> None:
    result = peil("build", "-w", str(tmp_path))
    assert result.returncode == 1
    assert "no peil.yaml" in result.stderr and "peil init" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        "init",
        "infer",
        "build",
        "sources",
        "history",
        "sql",
        "diff",
        "check",
        "quarantine",
        "suggest-checks",
        "scan",
        "adopt",
        "serve",
        "demo",
    ],
)
def test_every_command_has_help(command: str) -> None:
    result = peil(command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout


FORMULA = '=HYPERLINK("http://evil","x")'
LINKS = """\
path: data/links.csv
owner: Dienst Communicatie
schema:
  fields:
    - {name: id, type: string}
    - {name: label, type: string}
    - {name: saldo, type: integer}
  primaryKey: id
"""


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose dataset links holds a formula as text and negative numbers, built twice: row b's label
    became the formula and row a's saldo went from -5 to -6."""
    root = tmp_path_factory.mktemp("links") / "ws"
    assert peil("init", str(root)).returncode == 0
    (root / "sources" / "links.yaml").write_text(LINKS, encoding="utf-8")
    data = root / "data" / "links.csv"
    formula = FORMULA.replace('"', '""')
    data.write_text(f'id,label,saldo\na,"{formula}",-5\nb,gewoon,7\n', encoding="utf-8")
    assert peil("build", "-w", str(root)).returncode == 0
    data.write_text(f'id,label,saldo\na,"{formula}",-6\nb,"{formula}",7\n', encoding="utf-8")
    assert peil("build", "-w", str(root)).returncode == 0
    return root


def test_sql_csv_escapes_formulas_and_keeps_negative_numbers(links: Path) -> None:
    result = peil("sql", "-w", str(links), "-f", "csv", "SELECT id, label, saldo, -2.5 AS f FROM links ORDER BY id")
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["id", "label", "saldo", "f"],
        ["a", "'" + FORMULA, "-6", "-2.5"],
        ["b", "'" + FORMULA, "7", "-2.5"],
    ]
    assert result.stdout.splitlines()[1] == """a,"'=HYPERLINK(""http://evil"",""x"")",-6,-2.5"""


def test_diff_csv_escapes_formulas_and_keeps_negative_numbers(links: Path) -> None:
    result = peil("diff", "links", "-w", str(links), "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["change", "id", "column", "old", "new"],
        ["changed", "a", "saldo", "-5", "-6"],
        ["changed", "b", "label", "gewoon", "'" + FORMULA],
    ]
    assert "changed,a,saldo,-5,-6" in result.stdout.splitlines()
    assert "links, version 1 -> 2" in result.stderr


def test_sql_describes_a_dataset_and_refuses_call_with_peil_message_alone(links: Path) -> None:
    described = peil("sql", "-w", str(links), "-f", "csv", "DESCRIBE links")
    assert described.returncode == 0, described.stderr
    assert [row[:2] for row in csv.reader(io.StringIO(described.stdout))][:4] == [
        ["column_name", "column_type"],
        ["id", "VARCHAR"],
        ["label", "VARCHAR"],
        ["saldo", "BIGINT"],
    ]
    for statement, kind in (("CALL pragma_version()", "CALL"), ("LOAD httpfs", "LOAD")):
        refused = peil("sql", "-w", str(links), statement)
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr.startswith(f"error only queries are allowed, not {kind}")
        assert "unsupported syntax" not in refused.stderr and "Command" not in refused.stderr


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+32 51 26 21 11", "'+32 51 26 21 11"),
        ("-2+3", "'-2+3"),
        ("-5", "'-5"),  # text, not a number: a spreadsheet would compute it
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        (-5, -5),
        (-2.5, -2.5),
        (Decimal("-0.10"), "-0.10"),  # the exact digits, as a number: no apostrophe
        (Decimal("0E-10"), "0.0000000000"),  # DECIMAL(38,10) zero: fixed point, as DuckDB writes it
        (float("nan"), "NaN"),  # as JSON writes it
        (float("-inf"), "-Infinity"),
        (date(2024, 1, 1), "2024-01-01"),
    ],
)
def test_a_csv_cell_a_spreadsheet_would_run_gets_an_apostrophe(value: object, cell: object) -> None:
    assert csv_cell(value) == cell
    out = io.StringIO()
    write_csv(["x"], [[value]], out)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["x"], ["" if cell is None else str(cell)]]


def test_json_holds_no_bare_nan_or_infinity(built: Path) -> None:
    """RFC 8259 has no NaN: Python's json writes a bare NaN that strict parsers refuse (found by a helper trying
    to break `peil diff --format json` after a value became NaN). The text reads back with float()."""
    result = peil("sql", "-w", str(built), "-f", "json", "SELECT 'nan'::DOUBLE AS a, 'inf'::DOUBLE AS b, -1e999 AS c")

    def refuse(constant: str) -> None:
        raise ValueError(constant)

    assert json.loads(result.stdout, parse_constant=refuse) == [{"a": "NaN", "b": "Infinity", "c": "-Infinity"}]


def test_json_keeps_every_column_when_names_repeat(built: Path) -> None:
    """A JSON record holds a name once: the second `a` overwrote the first (found by a new user, on SELECT * over
    a join). Repeats are renamed as DuckDB renames them in CREATE TABLE ... AS."""
    result = peil("sql", "-w", str(built), "-f", "json", "SELECT 1 AS a, 2 AS a, 3 AS a_1, 4 AS b")
    assert json.loads(result.stdout) == [{"a": 1, "a_1": 2, "a_1_1": 3, "b": 4}]


EXACT_SQL = (
    "SELECT 12345678901234567890.1234567891::DECIMAL(38,10) AS d, 0::DECIMAL(38,10) AS zero, "
    "INTERVAL '1 year 2 months 3 days 04:05:06.5' AS i, '\\xAA\\x00ab'::BLOB AS b, "
    "TIMESTAMPTZ '2024-03-01 11:00:00+00' AS winter, TIMESTAMPTZ '2024-07-01 10:00:00+00' AS summer, "
    "'nan'::DOUBLE AS n, 'NaN' AS text, NULL::DOUBLE AS missing"
)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_sql_csv_and_json_keep_every_value_and_agree(built: Path, zone: str) -> None:
    """Found in a user trial: a DECIMAL(38,10) went through a float (12345678901234567000.0), an INTERVAL and a
    BLOB came as Python's text ('423 days, 4:05:06.500000', "b'\\xaa\\x00ab'") and a TIMESTAMPTZ in the
    machine's zone. Whatever that zone, a moment is in Belgian time with its offset."""
    env = {**os.environ, "TZ": zone}
    run = [sys.executable, "-m", "peil", "sql", "-w", str(built), EXACT_SQL, "-f"]
    as_json = subprocess.run([*run, "json"], capture_output=True, text=True, env=env, timeout=300, check=True)
    as_csv = subprocess.run([*run, "csv"], capture_output=True, text=True, env=env, timeout=300, check=True)
    texts = {
        "d": "12345678901234567890.1234567891",
        "zero": "0.0000000000",
        "i": "1 year 2 months 3 days 04:05:06.5",
        "b": "qgBhYg==",
        "winter": "2024-03-01T12:00:00+01:00",
        "summer": "2024-07-01T12:00:00+02:00",
        "n": "NaN",
        "text": "NaN",
        "missing": None,
    }
    assert json.loads(as_json.stdout) == [texts]
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        list(texts),
        [(value or "").replace("T12", " 12") for value in texts.values()],  # a space for the T; NULL empty
    ]
    assert base64.b64decode(texts["b"]) == b"\xaa\x00ab"
    as_table = subprocess.run(run[:-1], capture_output=True, text=True, env=env | {"COLUMNS": "400"}, timeout=300)
    (row,) = [line for line in as_table.stdout.splitlines() if line.startswith("│")]
    assert [cell.strip() for cell in row.split("│")[1:-1]] == [
        (value or "").replace("T12", " 12") for value in texts.values()
    ]  # the table as CSV (found by a new user: UTC, b'\xaa\x00ab' and 0E-10 there)


def test_sql_conversion_error_hints_try_cast(built: Path) -> None:
    result = peil("sql", "-w", str(built), "SELECT CAST('abc' AS INTEGER)")
    assert result.returncode == 1
    assert "Could not convert string 'abc'" in result.stderr
    assert "TRY_CAST('abc' AS INT)" in result.stderr and "peil sources" not in result.stderr
