"""`peil adopt` makes a group's chosen file a source, and loads the other copies as its earlier snapshots, oldest
first, each read as its own format and columns say."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import duckdb
import openpyxl
import pytest
from test_scan_extracts import counts_without_key, staff_trial, trial, with_zeros_lost
from typer.testing import CliRunner

from peil import workspace
from peil.cli import app
from peil.demo import stray
from peil.errors import PeilError, WorkspaceError
from peil.scan import adopt as adopt_module
from peil.scan import scan
from peil.scan.adopt import Clash, adopt, with_key
from peil.sources.infer import infer
from peil.store import Warehouse

DEMO = Path(stray.__file__).parent / "workspace" / "stray"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "peil.yaml").write_text('name: test\nmunicipality: "36015"\n', encoding="utf-8")
    return ws


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, stray.Truth]:
    folder = tmp_path_factory.mktemp("stray")
    return folder, stray.write_demo(folder)


ALIKE = ("personeel_export_loonmotor.csv", "Kopie van personeel (3).xlsx", "personeel_hr.xlsx")  # as personeel.xlsx


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, stray.Truth]:
    """The demo's copies, but each of those with the rows and values of personeel.xlsx (ALIKE: the CSV export,
    the titled copy with a total row, the copy with a renamed column) with a dienst of its own, so that every copy
    is a version and is loaded."""
    folder = tmp_path_factory.mktemp("versions")
    made = stray.demo_copies()
    for number, copy in enumerate(c for c in made if c.path in ALIKE):
        key = list(copy.table.rows)[number]
        copy.edits.append(stray.Edit(key, "dienst", copy.table.rows[key]["dienst"], f"Dienst {number}"))
        copy.table.rows[key]["dienst"] = f"Dienst {number}"
    for copy in made:
        stray.write_copy(folder, copy)
    return folder, stray.Truth(made)


def test_adopt_makes_a_source_and_a_snapshot_per_copy_oldest_first(
    root: Path, copies: tuple[Path, stray.Truth]
) -> None:
    """personeel.xlsx, an extract of personeel_v2_def.xlsx made before it (a list that grew), is its earlier
    version; the copies with its rows and values are loaded once, as it (found in a user trial: each was a version
    of its own). Jan's and An's copies, which changed one fte of it each otherwise, are named as such."""
    folder, truth = copies
    run = CliRunner().invoke(app, ["adopt", "g1", str(folder), "-w", str(root)], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    source = workspace.load(root).sources["personeel"]
    assert source.path == "data/personeel/personeel_v2_def.xlsx" and source.table_schema.primary_key == [
        "personeelsnummer"
    ]
    assert (root / "data" / "personeel" / "personeel_v2_def.xlsx").is_file()
    with Warehouse.open(root / ".peil" / "warehouse.duckdb", read_only=True) as warehouse:
        snapshots = warehouse.snapshots("personeel")
    staff = sorted((c for c in truth.copies if c.group and c.path not in ALIKE), key=lambda c: c.modified)
    assert (
        [Path(s.files[0]["path"]).name for s in snapshots]
        == [Path(c.path).name for c in staff]
        == [
            "personeel.xlsx",
            "personeel_jan.xlsx",
            "personeel_an.ods",
            "personeel_v2_def.xlsx",
        ]
    )
    assert [s.version for s in snapshots] == list(range(1, 5))
    assert [s.row_count for s in snapshots] == [len(c.table.rows) for c in staff]
    assert [line for line in run.output.splitlines() if line.startswith("not loaded")] == [
        f"not loaded: {file}: the same as personeel.xlsx [Personeel], not loaded again"
        for file in (
            "personeel_export_loonmotor.csv",
            "Kopie van personeel (3).xlsx [Personeel]",
            "personeel_hr.xlsx [Personeel]",
        )
    ]
    disputed = next(e.key for c in truth.copies for e in c.edits if e.column == "fte")
    said = " ".join(run.output.split())  # Jan's and An's edits of one fte are named, not Jan's of a dienst
    assert (
        said.count("warning:") == 1
        and (
            "warning: personeel_jan.xlsx [Personeel] and personeel_an.ods [Blad1] hold different values for the same "
            f"cells (1 conflict, e.g. {disputed} fte: 1 / 0.5)"
        )
        in said
    )
    built = CliRunner().invoke(app, ["build", "-w", str(root)])
    assert built.exit_code == 0 and "unchanged" in built.stdout  # the adopted file is the current snapshot
    history = CliRunner().invoke(app, ["history", "personeel", "-w", str(root)])
    assert history.exit_code == 0
    places = [history.stdout.index(Path(c.path).name) for c in staff]
    assert places == sorted(places)  # oldest first


def test_every_copy_is_read_with_its_own_format_and_column_names(
    root: Path, versions: tuple[Path, stray.Truth]
) -> None:
    folder, truth = versions
    adopt(folder, "g1", root)
    disputed = next(e.key for c in truth.copies for e in c.edits if e.column == "fte")
    with duckdb.connect(str(root / ".peil" / "warehouse.duckdb"), read_only=True) as con:
        fte = [
            con.execute(f'SELECT fte FROM raw."personeel__v{v}" WHERE personeelsnummer = ?', [disputed]).fetchall()[0][
                0
            ]
            for v in range(1, 8)
        ]
        totals = con.execute("SELECT count(*) FROM raw.\"personeel__v3\" WHERE personeelsnummer = 'Totaal'").fetchall()
        born = con.execute('SELECT typeof(geboortedatum) FROM raw."personeel__v2" LIMIT 1').fetchall()
    # personeel, the CSV export (decimal commas), the titled copy, Jan's, An's, the renamed column, v2_def
    assert fte == [0.8, 0.8, 0.8, 1.0, 0.5, 0.8, 0.8]
    assert totals == [(0,)] and born == [("DATE",)]


def test_every_copys_snapshot_stores_the_hash_of_its_values(root: Path, versions: tuple[Path, stray.Truth]) -> None:
    """Each adopted copy's rows carry the hash of their values in the source's fields (the copy's own column
    names mapped), as a build's snapshot does, so that a diff can use it; the dataset's view leaves it out."""
    adopt(versions[0], "g1", root)
    with duckdb.connect(str(root / ".peil" / "warehouse.duckdb"), read_only=True) as con:
        fields = [r[0] for r in con.execute("DESCRIBE personeel").fetchall()]
        values = ", ".join(f'"{f}"' for f in fields)
        stale = [
            con.execute(
                f'SELECT count(*) FROM raw."personeel__v{v}" WHERE _row_hash IS DISTINCT FROM hash({values})'
            ).fetchall()[0][0]
            for v in range(1, 8)
        ]
    assert "_row_hash" not in fields and "fte" in fields
    assert stale == [0] * 7


def test_the_chosen_file_can_be_named_and_referenced(root: Path, versions: tuple[Path, stray.Truth]) -> None:
    folder, _ = versions
    adopted = adopt(folder, "g1", root, file="personeel_jan.xlsx", name="staff_register", reference=True)
    assert adopted.data == folder / "personeel_jan.xlsx"
    assert adopted.snapshots[-1] == (7, "personeel_jan.xlsx [Personeel]")
    assert workspace.load(root).sources["staff_register"].path == str(folder / "personeel_jan.xlsx")
    with pytest.raises(WorkspaceError, match="already has"):
        adopt(folder, "g1", root, name="staff_register")


def test_adopt_declares_a_compound_key(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "indicatoren"
    truth = stray.write_folder(folder, stray.Plan([("indicatoren", 40, 3)], [], seed=4))
    adopted = adopt(folder, "g1", root)
    assert workspace.load(root).sources[adopted.name].table_schema.primary_key == ["nis_code", "jaar"]
    with Warehouse.open(root / ".peil" / "warehouse.duckdb", read_only=True) as warehouse:
        snapshots = warehouse.snapshots(adopted.name)
    rows = {c.path: len(c.table.rows) for c in truth.copies}
    shown = [file.partition(" [")[0] for _, file in adopted.snapshots]  # 'indicatoren_000.xlsx [Indicatoren]'
    assert [s.row_count for s in snapshots] == [rows[path] for path in shown]  # none quarantined


def test_adopt_declares_the_scans_key_where_infer_proposes_none(root: Path, tmp_path: Path) -> None:
    """infer proposes one column or a pair; the scan finds a key of three columns, which adopt declares."""
    folder = tmp_path / "wegingen"
    folder.mkdir()
    stray.write_copy(folder, stray.Copy("wegingen.xlsx", stray.weighings(), "wegingen"))
    stray.write_copy(folder, stray.Copy("wegingen_jan.xlsx", stray.weighings(edited=True), "wegingen"))
    assert "primaryKey" not in infer(folder / "wegingen.xlsx")
    adopted = adopt(folder, "g1", root)
    text = adopted.source.read_text(encoding="utf-8")
    assert workspace.load(root).sources["wegingen"].table_schema.primary_key == ["container", "datum", "fractie"]
    assert text.startswith("# Proposed by peil") and "owner: TODO  # the department" in text
    assert with_key(text, ["container", "datum", "fractie"]) == text
    built = CliRunner().invoke(app, ["check", "-w", str(root)])
    assert built.exit_code == 0, built.output


def test_an_unknown_group_or_file_is_an_error(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    shutil.copytree(DEMO, folder)
    with pytest.raises(PeilError, match="no group 'g9'"):
        adopt(folder, "g9", root)
    with pytest.raises(PeilError, match=r"has no file 'elders\.xlsx'"):
        adopt(folder, "g1", root, file="elders.xlsx")


def test_a_sheet_hidden_in_a_copy_is_loaded_before_the_copys_visible_sheet(root: Path, tmp_path: Path) -> None:
    """A hidden sheet is a workbook's old data (the scan remarks so): its snapshot comes before the visible sheet
    of the same file, not after it (found by a new user: the history went 200 -> 50 -> 201 rows)."""
    folder = tmp_path / "subsidies"
    folder.mkdir()
    rows = [[f"{i:05d}", f"Vereniging {i}", 10.0 * i] for i in range(1, 201)]
    with_hidden_sheet(folder / "subsidies_kopie.xlsx", "Data", rows, rows[:50])
    with (folder / "subsidies_def.csv").open("w", encoding="utf-8") as stream:
        stream.write("code;naam;bedrag\n" + "".join(f"{c};{n};{b}\n" for c, n, b in [*rows, ["00999", "Nieuw", 1.0]]))
    os.utime(folder / "subsidies_kopie.xlsx", (1_700_000_000, 1_700_000_000))
    adopted = adopt(folder, "g1", root)
    assert adopted.snapshots == [
        (1, "subsidies_kopie.xlsx [oud]"),
        (2, "subsidies_kopie.xlsx [Data]"),
        (3, "subsidies_def.csv"),
    ]
    with Warehouse.open(root / ".peil" / "warehouse.duckdb", read_only=True) as warehouse:
        assert [s.row_count for s in warehouse.snapshots(adopted.name)] == [50, 200, 201]
    history = CliRunner().invoke(app, ["history", adopted.name, "-w", str(root)], env={"COLUMNS": "200"})
    assert files_shown(history.output) == [
        "subsidies_kopie.xlsx [oud]",
        "subsidies_kopie.xlsx [Data]",
        "subsidies_def.csv",
    ]


def with_hidden_sheet(path: Path, visible: str, rows: list[list[object]], hidden: list[list[object]]) -> None:
    """Write a workbook of a visible sheet named `visible` holding `rows` (none: an empty sheet) and a sheet 'oud'
    hidden in it holding `hidden`, each table below the header code, naam, bedrag."""
    book = openpyxl.Workbook()
    book.active.title = visible
    for sheet, kept in ((book.active, rows), (book.create_sheet("oud"), hidden)):
        for row in [["code", "naam", "bedrag"], *kept] if kept else []:
            sheet.append(row)
    book["oud"].sheet_state = "hidden"
    book.save(path)


def files_shown(output: str) -> list[str]:
    """The files a command's table shows, a line each, as 'subsidies_kopie.xlsx [oud]' or 'subsidies_def.csv'."""
    shown = [re.findall(r"\w+\.(?:xlsx \[\w+\]|csv)", line) for line in output.splitlines()]
    return [file for files in shown for file in files]


def test_adopt_shows_each_snapshots_file_and_sheet_as_history_does(root: Path, tmp_path: Path) -> None:
    """The chosen workbook's one sheet, and a copy's hidden sheet that is its workbook's only sheet with cells:
    adopt's table of snapshots names them 'file.xlsx [sheet]', as peil history does (found in a user trial: adopt
    left the sheets out)."""
    folder = tmp_path / "subsidies"
    folder.mkdir()
    rows = [[f"{i:05d}", f"Vereniging {i}", 10.0 * i] for i in range(1, 61)]
    with_hidden_sheet(folder / "subsidies_kopie.xlsx", "Blad1", [], rows[:50])
    os.utime(folder / "subsidies_kopie.xlsx", (1_700_000_000, 1_700_000_000))
    book = openpyxl.Workbook()
    book.active.title = "Data"
    for row in [["code", "naam", "bedrag"], *rows]:
        book.active.append(row)
    book.save(folder / "subsidies.xlsx")
    run = CliRunner().invoke(app, ["adopt", "g1", str(folder), "-w", str(root)], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    history = CliRunner().invoke(app, ["history", "subsidies", "-w", str(root)], env={"COLUMNS": "200"})
    assert (
        files_shown(run.output)
        == files_shown(history.output)
        == ["subsidies_kopie.xlsx [oud]", "subsidies.xlsx [Data]"]
    )


def test_a_name_that_is_a_word_of_sql_is_refused_before_anything_is_written(root: Path, tmp_path: Path) -> None:
    """Found by a new user: adopt wrote sources/select.yaml, then every command failed on it."""
    folder = tmp_path / "kopieen"
    folder.mkdir()
    for name in ("Select.csv", "select_kopie.csv"):
        (folder / name).write_text("code;naam\n" + "".join(f"{i:05d};n{i}\n" for i in range(50)), encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"'semi' is a word of SQL"):
        adopt(folder, "g1", root, name="semi")
    assert not (root / "sources" / "semi.yaml").exists() and not (root / "data" / "semi").exists()
    adopted = adopt(folder, "g1", root)  # the name from 'Select.csv'
    assert adopted.name == "select_data" and workspace.load(root).sources["select_data"]


def test_a_file_whose_name_holds_square_brackets_is_adopted(root: Path, tmp_path: Path) -> None:
    """A source's path is a glob, in which [v2] would be a class of characters: infer escapes the file's name."""
    folder = tmp_path / "map [oud]"
    folder.mkdir()
    for name, rows in (("personeel [v2].csv", 51), ("personeel.csv", 50)):
        (folder / name).write_text("code;naam\n" + "".join(f"{i:05d};n{i}\n" for i in range(rows)), encoding="utf-8")
    os.utime(folder / "personeel.csv", (1_700_000_000, 1_700_000_000))
    adopted = adopt(folder, "g1", root, file="personeel [v2].csv", reference=True)
    assert [file for _, file in adopted.snapshots] == ["personeel.csv", "personeel [v2].csv"]
    assert workspace.load(root).sources[adopted.name].path == str(folder / "personeel [[]v2].csv").replace(
        "[oud]", "[[]oud]"
    )
    history = CliRunner().invoke(app, ["history", adopted.name, "-w", str(root)], env={"COLUMNS": "300"})
    assert "map [oud]/personeel [v2].csv" in history.output  # not taken for Rich markup


def test_an_extract_and_a_byte_identical_copy_are_not_loaded_as_versions(root: Path, tmp_path: Path) -> None:
    """Found in a user trial: the export of the 43 OCMW staff became a version (the diff said 157 removed, the
    next version added them back) and the identical copy in sub/ another. Left out, with the reason, the history
    is January's list and June's version, which removed one member of staff and added one."""
    folder = tmp_path / "gedeeld"
    staff_trial(folder)
    run = CliRunner().invoke(app, ["adopt", "g1", str(folder), "-w", str(root)], env={"COLUMNS": "300"})
    assert run.exit_code == 0, run.output
    assert [line for line in run.output.splitlines() if line.startswith("not loaded")] == [
        "not loaded: sub/Kopie van personeel_jan.csv: the same as personeel_jan.csv, not loaded again",
        "not loaded: ocmw_only.csv: an extract of personeel_jan.csv (its rows are all in that file, with the same "
        "values): a filtered export, not a version",
    ]
    with Warehouse.open(root / ".peil" / "warehouse.duckdb", read_only=True) as warehouse:
        snapshots = warehouse.snapshots("personeel_jun")
    assert [(s.version, s.files[0]["path"].rpartition("/")[2], s.row_count) for s in snapshots] == [
        (1, "personeel_jan.csv", 200),
        (2, "personeel_jun_v2.csv", 200),
    ]
    diff = CliRunner().invoke(app, ["diff", "personeel_jun", "-w", str(root)])
    assert "1 added, 1 removed, 0 changed" in diff.output


def test_copies_alike_with_the_chosen_file_and_its_extracts_are_left_out(root: Path, tmp_path: Path) -> None:
    """b_vol.csv, recommended, is byte-identical to the older a_vol.csv: the chosen file is loaded, a_vol.csv not
    again; the partial copies of March and June hold only rows of both, so they are extracts of the chosen file."""
    folder = tmp_path / "lijsten"
    folder.mkdir()
    trial(folder)
    adopted = adopt(folder, "g1", root)
    assert adopted.snapshots == [(1, "b_vol.csv")]
    extract = (
        "an extract of b_vol.csv (its rows are all in that file, with the same values): a filtered export, not a "
        "version"
    )
    assert adopted.left_out == [
        ("a_vol.csv", "the same as b_vol.csv, not loaded again"),
        ("d_klein.csv", extract),
        ("c_deel.csv", extract),
    ]


def test_an_extract_chosen_as_the_authoritative_file_is_refused(root: Path, tmp_path: Path) -> None:
    """The full lists would become the earlier versions of the OCMW export, so adopt says what the file is and
    what to do instead, and writes nothing."""
    folder = tmp_path / "gedeeld"
    staff_trial(folder)
    with pytest.raises(PeilError) as refused:
        adopt(folder, "g1", root, file="ocmw_only.csv")
    assert refused.value.message == (
        "ocmw_only.csv is an extract of personeel_jan.csv: its 43 rows are all in that file (of 200), with the same "
        "values; a filtered export is no version of the dataset"
    )
    assert refused.value.hint == (
        "Adopt personeel_jun_v2.csv, the recommended file (leave out --file), or make the extract a dataset of its "
        f"own: peil infer '{folder.resolve() / 'ocmw_only.csv'}' -o sources/NAME.yaml"
    )
    assert not (root / "sources").exists() and not (root / "data").exists()


def test_without_a_key_copies_of_as_many_rows_are_each_a_version(root: Path, tmp_path: Path) -> None:
    """Counts per service without a key column: March's list has other counts than January's, so it is loaded
    too; only January's byte-identical copy is left out (each was, as 'the same rows and values')."""
    counts_without_key(tmp_path / "tellingen")
    adopted = adopt(tmp_path / "tellingen", "g1", root, name="tellingen")
    assert [file for _, file in adopted.snapshots] == ["tellingen.csv", "tellingen_maart.csv"]
    assert adopted.left_out == [("tellingen_kopie.csv", "the same as tellingen.csv, not loaded again")]


def test_a_copy_that_lost_the_leading_zeros_of_the_key_is_not_loaded(root: Path, tmp_path: Path) -> None:
    """Loaded, its staff numbers 1, 2, ... would match none of 00001, 00002, ...: the diff would say every member
    of staff was removed and another 200 added."""
    with_zeros_lost(tmp_path / "gedeeld", "Stamnummer")
    adopted = adopt(tmp_path / "gedeeld", "g1", root)
    assert adopted.snapshots == [(1, "personeel_jan.csv"), (2, "personeel_jun_v2.csv")]
    assert adopted.left_out[-1] == (
        "personeel_aug.csv",
        "leading zeros lost (personeelsnummer: 00001 -> 1): its rows would not match the other versions' by the key",
    )


def test_a_copy_that_lost_the_leading_zeros_of_the_key_is_refused_as_the_authoritative_file(
    root: Path, tmp_path: Path
) -> None:
    """Found by a new user: --file naming it was taken silently, with the key typed integer."""
    with_zeros_lost(tmp_path / "gedeeld", "Stamnummer")
    with pytest.raises(PeilError) as refused:
        adopt(tmp_path / "gedeeld", "g1", root, file="personeel_aug.csv")
    assert refused.value.message == (
        "personeel_aug.csv lost the leading zeros of its key (personeelsnummer: 00001 -> 1): the copies that keep "
        "them would match none of its rows"
    )
    assert refused.value.hint is not None and refused.value.hint.startswith("Adopt personeel_jun_v2.csv")
    assert not (root / "sources").exists()


def june_edited_apart(folder: Path) -> None:
    """The user trial's folder: June's list of 50 staff (personeelsnummer, naam, loon) and, a week apart each,
    copies of it edited apart: Marc's (00005 loon 9999, 00007 naam Marc), Els's (00005 loon 1111, 00012 loon
    3000) and HR's (00005 loon 2550), the authoritative one."""
    june = stray.Table(
        "personeel",
        ["personeelsnummer", "naam", "loon"],
        {f"{i:05d}": {"personeelsnummer": f"{i:05d}", "naam": f"Naam {i}", "loon": 2000 + i} for i in range(1, 51)},
    )
    edits: dict[str, dict[tuple[str, str], object]] = {
        "personeel_jun.xlsx": {},
        "personeel_jun_marc.xlsx": {("00005", "loon"): 9999, ("00007", "naam"): "Marc"},
        "personeel_jun_els.xlsx": {("00005", "loon"): 1111, ("00012", "loon"): 3000},
        "personeel_hr.xlsx": {("00005", "loon"): 2550},
    }
    for week, (path, changes) in enumerate(edits.items()):
        table = june.copy()
        for (key, column), value in changes.items():
            table.rows[key][column] = value
        modified = datetime(2025, 6, 2, tzinfo=UTC) + timedelta(weeks=week)
        stray.write_copy(folder, stray.Copy(path, table, "personeel", modified=modified))


def test_copies_that_changed_the_same_cell_apart_are_named(root: Path, tmp_path: Path) -> None:
    """Found in a user trial: Marc's and Els's copies, both edited from June's list, were loaded as versions 2 and
    3 without a word, so the diff showed 00005 going 9999 -> 1111 -> 2550 as if Els's edit replaced Marc's. adopt
    names the pair; the cells only one of them changed (00007, 00012) and HR's chosen file are no clash."""
    folder = tmp_path / "gedeeld"
    june_edited_apart(folder)
    run = CliRunner().invoke(app, ["adopt", "g1", str(folder), "-w", str(root)], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    said = " ".join(run.output.split())  # the warning's lines joined
    assert (
        said.count("warning:") == 1
        and (
            "warning: personeel_jun_marc.xlsx [Personeel] and personeel_jun_els.xlsx [Personeel] hold different values "
            "for the same cells (1 conflict, e.g. 00005 loon: 9999 / 1111): they are loaded one after the other by "
            "time, so a diff between them shows one edit replacing the other; check which is right before relying on "
            "their history."
        )
        in said
    )
    history = CliRunner().invoke(app, ["history", "personeel_hr", "-w", str(root)], env={"COLUMNS": "200"})
    assert files_shown(history.output) == [
        "personeel_jun.xlsx [Personeel]",
        "personeel_jun_marc.xlsx [Personeel]",
        "personeel_jun_els.xlsx [Personeel]",
        "personeel_hr.xlsx [Personeel]",
    ]


def test_a_clash_beyond_the_conflicts_the_scan_lists_is_counted_as_at_least(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan lists the first LIMIT conflicts of a group and counts them all: with 1 listed of 4, the clash
    counts the cells it knows of as at least that many."""
    folder = tmp_path / "gedeeld"
    june_edited_apart(folder)
    monkeypatch.setattr(adopt_module, "scan", partial(scan, limit=1))
    adopted = adopt(folder, "g1", root)
    assert adopted.clashes == [
        Clash(
            "personeel_jun_marc.xlsx [Personeel]",
            "personeel_jun_els.xlsx [Personeel]",
            1,
            False,
            "00005",
            "loon",
            ("9999", "1111"),
        )
    ]
    assert "(at least 1 conflict, e.g. 00005 loon: 9999 / 1111)" in adopted.clashes[0].warning
