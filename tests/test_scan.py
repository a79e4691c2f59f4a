"""The stray-copy scanner finds exactly the copies, missing keys and conflicting cells that were made on purpose,
and lists broken and hostile files with their reason while it goes on."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from peil.cli import app
from peil.demo import copy_workspace, stray
from peil.errors import Location, ReportError
from peil.reports.render import environment
from peil.reports.scan import render_block, render_page
from peil.scan import Scan, read, scan
from peil.scan.adopt import dataset_name
from peil.scan.output import print_scan, to_json
from peil.sources import infer
from peil.sources.dialect import guess_header_row
from peil.sources.layout import footer_start, header_index
from peil.workspace import Language

PLAN = stray.Plan(
    tables=[("personeel", 60, 5), ("inventaris", 40, 5), ("leveranciers", 30, 5), ("budget", 50, 5), ("zalen", 25, 5)],
    unrelated=[("vergaderingen", 20), ("inventaris", 30), ("budget", 15), ("zalen", 12), ("leveranciers", 22)],
    seed=7,
)


COMPOUND = stray.Plan(
    tables=[("indicatoren", 60, 6), ("indicatoren", 45, 4), ("personeel", 30, 3)],
    unrelated=[("indicatoren", 40), ("indicatoren", 30)],
    seed=11,
)  # indicator tables keyed by (nis_code, jaar), unrelated ones holding the same years


@pytest.fixture(scope="module")
def thirty(tmp_path_factory: pytest.TempPathFactory) -> tuple[stray.Truth, Scan]:
    folder = tmp_path_factory.mktemp("stray")
    truth = stray.write_folder(folder, PLAN)
    return truth, scan(folder)


@pytest.fixture(scope="module")
def compound(tmp_path_factory: pytest.TempPathFactory) -> tuple[stray.Truth, Scan]:
    folder = tmp_path_factory.mktemp("compound")
    truth = stray.write_folder(folder, COMPOUND)
    return truth, scan(folder)


BOTH = pytest.mark.parametrize("scanned", ["thirty", "compound"])


def canonical(value: stray.Cell) -> str | None:
    """A generated value as the scanner writes it (peil.scan.read)."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(value, ".15g")
    return str(value).strip()


@BOTH
def test_the_files_are_grouped_into_exactly_the_true_groups(scanned: str, request: pytest.FixtureRequest) -> None:
    truth, result = request.getfixturevalue(scanned)
    assert result.files == len(truth.copies) and not result.skipped
    found = sorted(sorted(m.table.path for m in g.members) for g in result.groups)
    assert found == sorted(truth.groups().values())
    assert sorted(t.path for t in result.singles) == sorted(c.path for c in truth.copies if c.group is None)


@BOTH
def test_conflicts_are_exactly_the_injected_edits(scanned: str, request: pytest.FixtureRequest) -> None:
    truth, result = request.getfixturevalue(scanned)
    for group in result.groups:
        name = next(c.group for c in truth.copies if c.path == group.members[0].table.path)
        assert name is not None
        labels = [m.table.path for m in group.members]
        found = {(c.label, c.column): {labels[m]: v for m, v in c.values} for c in group.conflicts}
        expected = {
            cell: {path: canonical(value) for path, value in values.items()}
            for cell, values in truth.conflicts(name).items()
        }
        assert found == expected, name
        assert group.conflicts_total == len(expected)


@BOTH
def test_keys_not_in_every_copy_are_exactly_the_rows_dropped_and_added(
    scanned: str, request: pytest.FixtureRequest
) -> None:
    truth, result = request.getfixturevalue(scanned)
    for group in result.groups:
        name = next(c.group for c in truth.copies if c.path == group.members[0].table.path)
        assert name is not None
        held = truth.keys(name)
        everywhere = set.intersection(*held.values())
        expected = {
            k: sorted(p for p, keys in held.items() if k in keys) for k in set.union(*held.values()) - everywhere
        }
        labels = [m.table.path for m in group.members]
        assert {p.label: sorted(labels[m] for m in p.members) for p in group.presence} == expected
        assert group.presence_total == len(expected)


def test_a_renamed_column_and_a_titled_copy_with_a_total_row_join_their_group(thirty: tuple[stray.Truth, Scan]) -> None:
    _, result = thirty
    group = next(g for g in result.groups if g.members[0].table.path == "personeel_000.xlsx")
    renamed = next(m for m in group.members if m.table.path == "personeel_000 (3).xlsx")
    assert renamed.columns[-1] == "startdatum_nieuw" and group.columns[-1] == "startdatum"
    titled = next(m for m in group.members if m.table.path == "personeel_000_v2_def.xlsx")
    assert titled.table.options["header_row"] == 3
    assert any("left out" in flag for flag in titled.table.flags)


def test_the_recommendation_is_scored_and_explained(thirty: tuple[stray.Truth, Scan]) -> None:
    _, result = thirty
    for group in result.groups:
        best = group.members[group.recommended]
        assert not best.extract_of and best.score == max(m.score for m in group.members if not m.extract_of)
        assert set(best.criteria) == {"keys", "agreement", "completeness", "recency"}
        assert group.reasons and set(group.reasons) <= {*best.criteria, "extracts"}


def test_the_demo_folder_finds_the_staff_member_with_three_fte_figures() -> None:
    result = scan(Path(stray.__file__).parent / "workspace" / "stray")
    (group,) = result.groups
    assert group.members[group.recommended].table.path == "personeel_v2_def.xlsx"
    assert "keys" in group.reasons and "agreement" in group.reasons
    fte = [c for c in group.conflicts if c.column == "fte"]
    assert len(fte) == 1 and sorted({v for _, v in fte[0].values}) == ["0.5", "0.8", "1"]
    assert [t.path for t in result.singles] == ["vergaderingen_2025.xlsx"]
    assert [(s.path, "lock file" in s.reason) for s in result.skipped] == [("~$personeel.xlsx", True)]
    assert "tewerkstellingsbreuk" in next(m.columns for m in group.members if m.table.path == "personeel_hr.xlsx")


def test_a_table_without_a_key_column_is_matched_by_its_leftmost_unique_pair(
    compound: tuple[stray.Truth, Scan],
) -> None:
    _, result = compound
    keys = {g.members[0].table.path: g.key_names for g in result.groups}
    assert keys == {
        "indicatoren_000.xlsx": ["nis_code", "jaar"],
        "indicatoren_001.xlsx": ["nis_code", "jaar"],
        "personeel_002.xlsx": ["personeelsnummer"],
    }
    original = result.groups[0].members[0].table
    assert [k.columns for k in original.keys] == [(0, 1), (1, 2)]  # (nis_code, jaar) and (jaar, gemeente)
    conflict = result.groups[0].conflicts[0]
    assert len(conflict.key) == 2 and conflict.label == f"{conflict.key[0]} | {conflict.key[1]}"


def test_a_compound_key_is_shown_as_its_values_joined(compound: tuple[stray.Truth, Scan]) -> None:
    _, result = compound
    group = result.groups[0]
    found = to_json(result)["groups"][0]
    assert found["key"] == "nis_code | jaar" and found["key_columns"] == ["nis_code", "jaar"]
    assert [(c["key"], c["key_values"]) for c in found["conflicts"]] == [
        (c.label, list(c.key)) for c in group.conflicts
    ]
    missing = found["keys_not_everywhere"][0]
    assert missing["key"] == " | ".join(missing["key_values"]) and len(missing["key_values"]) == 2
    page = render_page(result, "nl")
    assert "Rijen worden gekoppeld op de combinatie van de kolommen nis_code | jaar;" in page
    assert f"<td>{group.conflicts[0].label}</td>" in page and f"<td>{group.presence[0].label}</td>" in page
    assert "Rows are matched by the columns nis_code | jaar together;" in render_page(result, "en")


def test_a_key_of_three_columns_matches_rows_when_no_pair_does(tmp_path: Path) -> None:
    stray.write_copy(tmp_path, stray.Copy("wegingen.xlsx", stray.weighings(), "wegingen"))
    stray.write_copy(tmp_path, stray.Copy("wegingen_jan.xlsx", stray.weighings(edited=True), "wegingen"))
    (group,) = scan(tmp_path).groups
    assert group.key_names == ["container", "datum", "fractie"] and group.keys_total == 24
    assert [(c.label, c.column, c.values) for c in group.conflicts] == [
        ("C2 | 2025-03-10 | pmd", "kg", [(0, "22"), (1, "99.5")])
    ]
    assert [(p.key, p.members) for p in group.presence] == [(("C1", "2025-03-17", "rest"), [0])]


def workbook(path: Path, rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_a_subfolder_that_cannot_be_listed_is_skipped_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder without read permission (found by a new user: it was left out without a word). Root, as the tests
    run here, may list any folder, so os.scandir is made to refuse that one as it refuses other users."""
    (tmp_path / "open").mkdir()
    (tmp_path / "geheim").mkdir()
    for folder in ("open", "geheim"):
        (tmp_path / folder / "lijst.csv").write_text("code;naam\n00001;a\n00002;b\n", encoding="utf-8")
    listed = os.scandir

    def scandir(path: str | int = ".") -> object:  # shutil.rmtree lists folders by descriptor
        if isinstance(path, str) and Path(path).name == "geheim":
            raise PermissionError(13, "Permission denied", path)
        return listed(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = scan(tmp_path)
    assert [(s.path, s.reason) for s in result.skipped] == [("geheim", "cannot read the folder: Permission denied")]
    assert [t.path for t in result.singles] == ["open/lijst.csv"]
    page = render_page(result, "nl")
    assert "de map kan niet gelezen worden: Permission denied" in page


def test_broken_and_hostile_files_are_listed_with_their_reason_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_EXPANDED", 1 << 20)  # a zip bomb of 2 MiB, not 1 GiB (few files: read here)
    rows = [["nr", "naam", "bedrag"], *[[i, f"naam {i}", i * 1.5] for i in range(1, 30)]]
    good = workbook(tmp_path / "lijst.xlsx", rows)
    workbook(tmp_path / "lijst kopie.xlsx", rows[:-1])
    (tmp_path / "kapot.xlsx").write_bytes(good[: len(good) // 2])
    (tmp_path / "leeg.csv").write_bytes(b"")
    (tmp_path / "~$lijst.xlsx").write_bytes(b"\x05Jan  ")
    (tmp_path / "pagina.xls").write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    (tmp_path / "foto.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "tekst.xlsx").write_text("code;omschrijving\nA;x\nB;y\nC;z\n", encoding="utf-8")
    (tmp_path / "link.csv").write_text('nr;naam\n1;"=HYPERLINK(""http://example.invalid/x"";""klik"")"\n2;b\n')
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (2 << 20))
    (tmp_path / "bom.xlsx").write_bytes(bomb.getvalue())

    result = scan(tmp_path)
    reasons = {s.path: s.reason for s in result.skipped}
    assert sorted(reasons) == [
        "bom.xlsx",
        "foto.csv",
        "kapot.xlsx",
        "leeg.csv",
        "pagina.xls",
        "~$lijst.xlsx",
    ]
    assert reasons["kapot.xlsx"] == "the workbook is damaged: its zip archive is cut short or broken"
    assert "empty" in reasons["leeg.csv"] and "lock file" in reasons["~$lijst.xlsx"]
    assert "HTML" in reasons["pagina.xls"] and "binary" in reasons["foto.csv"] and "expand" in reasons["bom.xlsx"]
    flags = {t.path: t.flags for t in result.flagged}
    assert flags["tekst.xlsx"] == ["named .xlsx but holds delimited text: read as CSV"]
    assert len(flags["link.csv"]) == 1 and "=HYPERLINK" in flags["link.csv"][0] and "row 2" in flags["link.csv"][0]
    (group,) = result.groups
    assert sorted(m.table.path for m in group.members) == ["lijst kopie.xlsx", "lijst.xlsx"]


def test_a_header_without_rows_is_skipped_as_such_whatever_the_file_is_named(tmp_path: Path) -> None:
    """Found in a user trial: a header alone, in a CSV, a workbook, or text (UTF-16 too) named .xlsx, was skipped
    as 'cannot read the file: int() argument must be a string, ... not 'NoneType'' (DuckDB's list() of no rows is
    NULL). Text named .xlsx or .xls with rows is read as CSV and flagged so; an HTML page named .xls is skipped."""
    (tmp_path / "kop.csv").write_text("a;b\n", encoding="utf-8")
    (tmp_path / "kop.xlsx").write_text("a;b\n", encoding="utf-8")
    (tmp_path / "kop16.xlsx").write_text("a;b\n", encoding="utf-16")  # with its byte-order mark
    workbook(tmp_path / "kopboek.xlsx", [["a", "b"]])
    (tmp_path / "fake.xlsx").write_text("a;b\n1;2\n", encoding="utf-8")
    (tmp_path / "fake16.xlsx").write_text("c;d\n3;4\n5;6\n", encoding="utf-16")
    (tmp_path / "pagina.xls").write_text("<html><body><table><tr><td>a</td></tr></table></body></html>\n")
    result = scan(tmp_path)
    assert {s.path: s.reason for s in result.skipped} == {
        "kop.csv": "no rows below the header",
        "kop.xlsx": "no rows below the header",
        "kop16.xlsx": "no rows below the header",
        "kopboek.xlsx": "no rows below the header",
        "pagina.xls": "an HTML page, not a workbook; open it in Excel and save it as .xlsx to scan it",
    }
    assert {t.path: (t.rows, t.flags) for t in result.flagged} == {
        "fake.xlsx": (1, ["named .xlsx but holds delimited text: read as CSV"]),
        "fake16.xlsx": (2, ["named .xlsx but holds delimited text: read as CSV"]),
    }
    page = render_page(result, "nl")
    assert "<td>kop16.xlsx</td><td>geen rijen onder de kopregel</td>" in page
    assert "<td>fake.xlsx</td><td>heet .xlsx maar bevat tekst met scheidingstekens: gelezen als CSV</td>" in page


def test_header_and_footer_detection() -> None:
    grid: list[list[object]] = [
        ["Personeelsregister", "", ""],
        ["Toestand op 1/1/2025", None, None],
        [],
        ["nr", "naam", "fte"],
        [1, "An", 0.8],
        [2, "Jan", 1.0],
        ["Totaal", None, 1.8],
        ["Bron: dienst Personeel", None, None],
    ]
    assert header_index(grid) == 3
    assert footer_start(grid[4:]) == 2
    assert footer_start([[1, "Totaalvoetbal", 1], [2, "x", 2]]) == 2  # a total word must start the cell
    padded = "Personeelsregister;;\r\n;;\r\nnr;naam;fte\r\n1;An;0,8\r\n2;Jan;1\r\n"  # as Excel exports a sheet
    assert guess_header_row(padded, ";", '"', complete=True) == 3


def test_every_sheet_with_cells_is_a_table(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "2024"
    for row in [["nr", "naam"], *[[i, f"persoon {i}"] for i in range(1, 9)]]:
        book.active.append(row)
    later = book.create_sheet("2025")
    for row in [["nr", "naam"], *[[i, f"persoon {i}"] for i in range(1, 11)]]:
        later.append(row)
    book.create_sheet("Blad3")
    book.save(tmp_path / "jaren.xlsx")
    result = scan(tmp_path)
    (group,) = result.groups
    assert [m.table.label for m in group.members] == ["jaren.xlsx [2024]", "jaren.xlsx [2025]"]
    assert [p.key for p in group.presence] == [("9",), ("10",)] and not result.skipped


def test_a_table_recommended_from_a_hidden_sheet_comes_with_a_warning(tmp_path: Path) -> None:
    """The hidden sheet 'oud' holds every row of the visible one and ten more, so it is recommended: the terminal,
    the JSON and the page warn that it is hidden (found in a user trial: it was recommended without a word)."""
    book = openpyxl.Workbook()
    book.active.title = "Lijst"
    rows = [["nr", "naam"], *[[i, f"naam {i}"] for i in range(1, 31)]]
    for sheet, kept in ((book.active, rows[:21]), (book.create_sheet("oud"), rows)):
        for row in kept:
            sheet.append(row)
    book["oud"].sheet_state = "hidden"
    book.save(tmp_path / "lijst.xlsx")
    result = scan(tmp_path)
    (group,) = result.groups
    assert group.members[group.recommended].table.label == "lijst.xlsx [oud]" and group.warnings == ["hidden"]
    assert to_json(result)["groups"][0]["warnings"] == ["hidden"]
    out = io.StringIO()
    print_scan(Console(file=out, width=300), result)
    assert (
        "Recommended: lijst.xlsx [oud]: holds the most keys and holds every row of lijst.xlsx [Lijst]. "
        "Warning: it is on a sheet hidden in its workbook, which often holds old data.\n"
    ) in out.getvalue()
    assert (
        'bevat. <strong class="warnings">Let op: ze staat op een blad dat verborgen is in de werkmap, en zulke '
        "bladen bevatten vaak oude gegevens.</strong></p>"
    ) in render_page(result, "nl")
    assert (
        'Lijst]. <strong class="warnings">Warning: it is on a sheet hidden in its workbook, which often holds old '
        "data.</strong></p>"
    ) in render_page(result, "en")
    book["oud"].sheet_state = "visible"
    book.save(tmp_path / "lijst.xlsx")
    assert to_json(scan(tmp_path))["groups"][0]["warnings"] == []


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("Kopie van personeel (3).xlsx", "personeel"),
        ("personeel_v2_def.xlsx", "personeel"),
        ("budget_2025.csv", "budget_2025"),
    ],
)
def test_dataset_names_drop_version_words(path: str, name: str) -> None:
    assert dataset_name(path) == name


def test_the_command_prints_json_and_writes_a_dutch_or_english_page(
    tmp_path: Path, thirty: tuple[stray.Truth, Scan]
) -> None:
    folder = tmp_path / "map"
    stray.write_folder(folder, stray.Plan([("zalen", 20, 3)], [("budget", 10)], seed=3))
    (folder / "[bold]rood.csv").write_text("a;b\n1;<script>alert(1)</script>\n2;x\n", encoding="utf-8")
    page = tmp_path / "scan.html"
    run = CliRunner().invoke(app, ["scan", str(folder), "--format", "json", "--html", str(page)])
    assert run.exit_code == 0, run.output
    found = json.loads(run.stdout)
    assert found == json.loads(json.dumps(to_json(scan(folder)) | {"seconds": found["seconds"]}))
    assert [len(g["files"]) for g in found["groups"]] == [3] and found["groups"][0]["weights"]["keys"] == 0.3
    html = page.read_text(encoding="utf-8")
    assert "Aanbevolen" in html and "<script>" not in html and "&lt;script&gt;" not in html  # values not shown
    english = CliRunner().invoke(app, ["scan", str(folder), "--html", str(page), "--language", "en"])
    assert english.exit_code == 0 and "[bold]rood.csv" in english.stdout
    assert "Recommended" in page.read_text(encoding="utf-8")


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    run = CliRunner().invoke(app, ["scan", str(tmp_path / "nergens")])
    assert run.exit_code != 0


def test_modification_times_order_the_copies(tmp_path: Path) -> None:
    truth = stray.write_folder(tmp_path, stray.Plan([("zalen", 20, 3)], [], seed=5))
    newest = truth.copies[0].path
    os.utime(tmp_path / newest, (2_000_000_000, 2_000_000_000))
    (group,) = scan(tmp_path).groups
    assert group.members[-1].table.path == newest and group.members[-1].criteria["recency"] == 1.0


def test_a_report_page_places_the_scan_of_a_workspace_folder(tmp_path: Path) -> None:
    stray.write_folder(tmp_path / "kopieen", stray.Plan([("zalen", 20, 3)], [], seed=3))
    env = environment("nl", tmp_path, {})
    html = render_block(env, tmp_path, "kopieen\n", Location(file="reports/kopieen.md", line=3))
    assert 'id="scan-g1"' in html and "zalen_000.xlsx" in html
    for wrong in ("elders", "..", ""):
        with pytest.raises(ReportError, match="names a folder of the workspace"):
            render_block(env, tmp_path, wrong, Location(file="reports/kopieen.md", line=3))


def test_the_shipped_demo_folder_is_what_the_generator_writes(tmp_path: Path) -> None:
    stray.write_demo(tmp_path)
    shipped = Path(stray.__file__).parent / "workspace" / "stray"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in shipped.iterdir())
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (shipped / path.name).read_bytes(), path.name


def test_the_copied_demo_workspace_gives_the_copies_their_planned_times(tmp_path: Path) -> None:
    """copy_workspace copies without metadata (as a git checkout does): the stray copies get their times back."""
    folder = copy_workspace(tmp_path / "demo") / "stray"
    planned = {c.path: c.modified for c in stray.demo_copies()}
    found = {p.name: datetime.fromtimestamp(p.stat().st_mtime, UTC) for p in folder.iterdir() if p.name in planned}
    assert found == planned
    assert max(found, key=lambda name: found[name]) == "vergaderingen_2025.xlsx"
    assert found["personeel_v2_def.xlsx"] == datetime(2025, 11, 24, 9, 0, tzinfo=UTC)


def test_a_password_protected_workbook_is_skipped_with_its_reason(tmp_path: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto.format.ooxml")  # msoffcrypto-tool encrypts the workbook
    good = workbook(tmp_path / "lijst.xlsx", [["nr", "naam"], [1, "a"], [2, "b"]])
    with (tmp_path / "geheim.xlsx").open("wb") as out:
        msoffcrypto.OOXMLFile(io.BytesIO(good)).encrypt("geheim", out)
    result = scan(tmp_path)
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("geheim.xlsx", "the workbook is protected with a password")
    ]


def test_a_count_column_that_happens_to_be_unique_is_no_key(tmp_path: Path) -> None:
    """(nis_code, jaar) is the key, not the population column to its right whose values all differ (found by a
    new user): infer proposes it and the scan matches the copies by it and finds the edited cell."""
    header = "nis_code;jaar;inwoners\n"
    rows = {
        (nis, year): 10_000 + 97 * i
        for i, (nis, year) in enumerate((n, y) for n in ("36015", "36011", "36008") for y in (2019, 2020, 2021))
    }
    original = header + "".join(f"{n};{y};{v}\n" for (n, y), v in rows.items())
    (tmp_path / "inwoners.csv").write_text(original, encoding="utf-8")
    (tmp_path / "inwoners_def.csv").write_text(original.replace("36015;2019;10000", "36015;2019;99999"), "utf-8")
    assert yaml.safe_load(infer(tmp_path / "inwoners.csv"))["schema"]["primaryKey"] == ["nis_code", "jaar"]
    (group,) = scan(tmp_path).groups
    assert group.key_label == "nis_code | jaar"
    assert [(c.label, c.column, sorted(str(v) for _, v in c.values)) for c in group.conflicts] == [
        ("36015 | 2019", "inwoners", ["10000", "99999"])
    ]


@pytest.mark.parametrize(
    ("changed", "keys", "cells"),
    [
        (1, "1 key is not in every copy:", "1 conflicting cell"),
        (2, "2 keys are not in every copy:", "2 conflicting cells"),
    ],
)
def test_the_summary_counts_keys_and_conflicts_in_singular_and_plural(
    tmp_path: Path, changed: int, keys: str, cells: str
) -> None:
    """The copy lacks the first `changed` keys and has `changed` other cells edited."""
    rows = [f"K{i:03d};naam {i};{i * 3}\n" for i in range(1, 21)]
    edited = [row.replace(";", ";ander ", 1) for row in rows[10 : 10 + changed]]
    (tmp_path / "lijst.csv").write_text("code;naam;aantal\n" + "".join(rows), encoding="utf-8")
    copy = rows[changed:10] + edited + rows[10 + changed :]
    (tmp_path / "lijst_kopie.csv").write_text("code;naam;aantal\n" + "".join(copy), encoding="utf-8")
    out = io.StringIO()
    print_scan(Console(file=out, width=200), scan(tmp_path))
    lines = [line.strip() for line in out.getvalue().splitlines()]  # a table's title is centred
    assert keys in lines and cells in lines


def test_the_summary_names_the_copies_lacking_a_key_as_the_page_and_the_json_do(tmp_path: Path) -> None:
    """Of three copies of a list of 12, one lacks K001 and K002, another K002: the summary says where each key is
    not, as the page's 'Niet in' column and the JSON's missing_from do."""
    rows = [f"K{i:03d};{i}\n" for i in range(1, 13)]
    for name, held in (("lijst.csv", rows), ("lijst_kopie.csv", rows[2:]), ("lijst_oud.csv", rows[:1] + rows[2:])):
        (tmp_path / name).write_text("code;aantal\n" + "".join(held), encoding="utf-8")
    result = scan(tmp_path)
    out = io.StringIO()
    print_scan(Console(file=out, width=200), result)
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert lines[lines.index("2 keys are not in every copy:") + 1 :][:2] == [
        "K001: not in lijst_kopie.csv",
        "K002: not in lijst_kopie.csv, lijst_oud.csv",
    ]
    found = to_json(result)["groups"][0]["keys_not_everywhere"]
    assert [(k["key"], k["in"], k["missing_from"]) for k in found] == [
        ("K001", ["lijst.csv", "lijst_oud.csv"], ["lijst_kopie.csv"]),
        ("K002", ["lijst.csv"], ["lijst_kopie.csv", "lijst_oud.csv"]),
    ]
    page = render_page(result, "nl")
    assert "<tr><td>K001</td><td>lijst.csv, lijst_oud.csv</td><td>lijst_kopie.csv</td></tr>" in page
    assert "<tr><td>K002</td><td>lijst.csv</td><td>lijst_kopie.csv, lijst_oud.csv</td></tr>" in page


@pytest.mark.parametrize(
    ("language", "reasons"),
    [
        (
            "nl",
            "omdat ze de meeste sleutels bevat, ze het vaakst overeenkomt met de meerderheid van de kopieën waar die "
            "verschillen en ze alle rijen van Kopie van personeel (3).xlsx, personeel.xlsx, "
            "personeel_export_loonmotor.csv en personeel_hr.xlsx bevat.</p>",
        ),
        (
            "en",
            "because it holds the most keys, it agrees most often with the majority of the copies where they differ "
            "and it holds every row of Kopie van personeel (3).xlsx, personeel.xlsx, personeel_export_loonmotor.csv "
            "and personeel_hr.xlsx.</p>",
        ),
    ],
)
def test_a_report_page_joins_the_reasons_for_the_recommendation_as_a_list_in_its_language(
    language: Language, reasons: str
) -> None:
    """The demo's register holds every staff member of four other copies, with their values; the report's
    scan block says so in the page's language, the last two reasons joined by 'en' or 'and'."""
    root = Path(stray.__file__).parent / "workspace"
    html = render_block(environment(language, root, {}), root, "stray", Location(file="reports/kopieen.md"))
    assert reasons in html


def test_the_summary_gives_each_copys_modification_time_in_belgian_time(tmp_path: Path) -> None:
    rows = "".join(f"K{i:03d};{i}\n" for i in range(1, 11))
    for name, moment in (("a.csv", 1774747800), ("b.csv", 1774747800 + 3600)):  # 2026-03-29 01:30 and 02:30 UTC
        (tmp_path / name).write_text("code;aantal\n" + rows, encoding="utf-8")
        os.utime(tmp_path / name, (moment, moment))
    out = io.StringIO()
    print_scan(Console(file=out, width=200), scan(tmp_path))
    assert "2026-03-29 03:30:00 CEST" in out.getvalue() and "2026-03-29 04:30:00 CEST" in out.getvalue()


def copies_page(root: Path, language: str) -> str:
    """The built page of a workspace in `language` whose report scans a folder holding a workbook with a hidden
    sheet, a copy of its visible sheet with a total row below and another fte for row 3, and a lock file."""
    (root / "reports").mkdir(parents=True)
    (root / "peil.yaml").write_text(f'name: t\nmunicipality: "36015"\nlanguage: {language}\n', encoding="utf-8")
    (root / "reports" / "kopieen.md").write_text("# Kopieën\n\n```scan\nstray\n```\n", encoding="utf-8")
    folder = root / "stray"
    folder.mkdir()
    rows: list[list[object]] = [
        ["nr", "naam", "fte"],
        *[[i, f"naam {i}", 0.8 if i == 3 else 1.0] for i in range(1, 21)],
    ]
    book = openpyxl.Workbook()
    for title, sheet_rows in (
        ("Lijst", rows),
        ("Oud", [["code", "omschrijving"], *[[f"C{i}", f"oud {i}"] for i in range(6)]]),
    ):
        sheet = book.create_sheet(title)
        for row in sheet_rows:
            sheet.append(row)
    del book["Sheet"]
    book["Oud"].sheet_state = "hidden"
    book.save(folder / "lijst.xlsx")
    copied = [row if row[0] != 3 else [3, "naam 3", 1.5] for row in rows]
    workbook(folder / "lijst_kopie.xlsx", [*copied, ["Totaal", None, 19.5]])
    (folder / "~$lijst.xlsx").write_bytes(b"\x05Jan  ")
    built = CliRunner().invoke(app, ["build", "-w", str(root)])
    assert built.exit_code == 0, built.output
    return (root / "site" / "kopieen.html").read_text(encoding="utf-8")


def test_the_built_copies_page_says_the_remarks_and_numbers_in_its_language(tmp_path: Path) -> None:
    """The Dutch page says the remarks in Dutch, with 0,8; the English page in English, with 0.8; the terminal's
    JSON stays English."""
    dutch, english = copies_page(tmp_path / "nl", "nl"), copies_page(tmp_path / "en", "en")
    for text in (
        "<td>lijst.xlsx [Oud]</td><td>het blad is verborgen in de werkmap (oude gegevens?)</td>",
        "<td>lijst_kopie.xlsx</td><td>rij 22: weggelaten onder de tabel (&#39;Totaal&#39;)</td>",
        "<td>een vergrendelingsbestand van Office, dat er staat zolang iemand de werkmap open heeft</td>",
        "<li>0,8: lijst.xlsx [Lijst]</li>",
        "<li>1,5: lijst_kopie.xlsx</li>",
        "Tijden zijn in Belgische tijd.",
    ):
        assert text in dutch, text
    for text in (
        "<td>lijst.xlsx [Oud]</td><td>the sheet is hidden in the workbook (old data?)</td>",
        "<td>lijst_kopie.xlsx</td><td>row 22: left out below the table (&#39;Totaal&#39;)</td>",
        "<td>an Office lock file, left while someone has the workbook open</td>",
        "<li>0.8: lijst.xlsx [Lijst]</li>",
        "<li>1.5: lijst_kopie.xlsx</li>",
    ):
        assert text in english, text
    found = to_json(scan(tmp_path / "nl" / "stray"))
    assert found["skipped"][0]["reason"] == "an Office lock file, left while someone has the workbook open"
    assert [flag for table in found["singles"] for flag in table["flags"]] == [
        "the sheet is hidden in the workbook (old data?)"
    ]


def test_the_readers_remarks_carry_their_message_ids_and_values() -> None:
    """A reader's remark holds where (file, sheet) and what (message id and values) apart; in English it reads as
    the terminal shows it, its Problem as the scan page shows it in Dutch."""
    from peil.messages import Problem, in_words
    from peil.reports.i18n import translations
    from peil.sources import layout

    dutch = translations("nl").gettext
    where = Location(file="lijst.xlsx", sheet="Lijst")
    below = [["Totaal", 12, 30], ["Bron: Statbel", None, None]]
    left = layout.left_out(where, [30, 31], below)
    assert left.location == where
    assert left.problem == Problem(
        "rows %(rows)s: left out below the table (%(labels)s)", {"rows": "30-31", "labels": "'Totaal', 'Bron: Statbel'"}
    )
    assert str(left) == (
        "lijst.xlsx, sheet 'Lijst', rows 30-31: left out below the table (a total 'Totaal', a note 'Bron: Statbel')"
    )
    assert left.local() == "rows 30-31: left out below the table (a total 'Totaal', a note 'Bron: Statbel')"
    assert in_words(left.problem) == "rows 30-31: left out below the table ('Totaal', 'Bron: Statbel')"
    assert in_words(left.problem, dutch) == "rijen 30-31: weggelaten onder de tabel ('Totaal', 'Bron: Statbel')"
    kept = layout.totals_kept(where, [7], below[:1])
    assert kept.problem == Problem(
        "row %(rows)s: looks like a total (%(labels)s) and is read as data; a sum over the column counts it twice",
        {"rows": "7", "labels": "'Totaal'"},
    )
    assert kept.text is None  # the message id in English says it all
    assert str(kept) == (
        "lijst.xlsx, sheet 'Lijst', row 7: looks like a total ('Totaal') and is read as data; a sum over the column "
        "counts it twice"
    )
    assert in_words(kept.problem, dutch) == (
        "rij 7: lijkt een totaal ('Totaal') en wordt als gegevens gelezen; een som over de kolom telt ze dubbel"
    )
    many = layout.left_out(where, [3, 5, 7, 9, 11, 13, 15], [below[0]] * 7)
    assert many.problem.values["rows"] == "3, 5, 7, 9, 11, …"
    assert str(many).startswith("lijst.xlsx, sheet 'Lijst', rows 3, 5, 7, 9, 11 and 2 more: left out below the table")
    assert in_words(many.problem, dutch).startswith("rijen 3, 5, 7, 9, 11, …: weggelaten")


def test_an_xlsx_footer_and_merged_cells_reach_the_scan_page_as_message_ids(tmp_path: Path) -> None:
    """Read from a real workbook: load_text gives the remarks with their location, message id and values; the scan
    keeps the Problems and its Dutch page says them in Dutch."""
    from peil.messages import Problem
    from peil.sources.infer import load_text

    folder = tmp_path / "map"
    folder.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Personeel"
    for row in [["nr", "naam", "fte"], [1, "An", 1.0], [2, "Bert", 0.5], [3, "Cis", 0.8], ["Totaal", None, 2.3]]:
        sheet.append(row)
    sheet.merge_cells("B2:B3")
    book.save(folder / "personeel.xlsx")
    con = duckdb.connect()
    _, remarks = load_text(con, folder / "personeel.xlsx", "map/personeel.xlsx")
    footer = Problem("row %(rows)s: left out below the table (%(labels)s)", {"rows": "5", "labels": "'Totaal'"})
    merged = Problem(
        "cells %(first)s:%(last)s are merged; the value stands in %(first)s, the other cells read as empty",
        {"first": "B2", "last": "B3"},
    )
    assert [(r.location, r.problem) for r in remarks] == [
        (Location(file="personeel.xlsx", sheet="Personeel"), footer),
        (Location(file="personeel.xlsx", sheet="Personeel"), merged),
    ]
    assert [str(r) for r in remarks] == [
        "personeel.xlsx, sheet 'Personeel', row 5: left out below the table (a total 'Totaal')",
        "personeel.xlsx, sheet 'Personeel': cells B2:B3 are merged; the value stands in B2, the other cells read as "
        "empty",
    ]
    result = scan(folder)
    assert [t.remarks for t in result.flagged] == [[footer, merged]]
    page = render_page(result, "nl")
    assert "rij 5: weggelaten onder de tabel (&#39;Totaal&#39;)" in page
    assert "de cellen B2:B3 zijn samengevoegd; de waarde staat in B2" in page


def test_a_readers_error_carries_its_problem(tmp_path: Path) -> None:
    """A workbook that cannot be opened: the SourceError's Problem is the scan's reason, its error a value."""
    from peil.errors import SourceError
    from peil.messages import in_words
    from peil.reports.i18n import translations
    from peil.sources import excel

    (tmp_path / "kapot.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)  # OLE2, no workbook in it
    with pytest.raises(SourceError) as caught:
        excel.table_sheets(tmp_path / "kapot.xls", "kapot.xls")
    problem = caught.value.problem
    assert problem.text == "cannot open the workbook: %(error)s"
    assert caught.value.message == f"cannot open the workbook: {problem.values['error']}"
    assert in_words(problem, translations("nl").gettext).startswith("de werkmap kan niet geopend worden: ")
    assert [s.problem for s in scan(tmp_path).skipped] == [problem]
