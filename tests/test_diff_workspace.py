"""Snapshot diffs end to end: a workspace built twice with changed files, `peil diff` and the changes page."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from peil import query
from peil.build import build
from peil.diff import Cell, Column, Diff, Row, SnapshotDiff, Unfit, diff_snapshots, summary
from peil.store import Warehouse
from peil.workspace import Source

STARTER = Path(__file__).parents[1] / "src" / "peil" / "starter"
POPULATION = "data/bevolking_2009_2015.csv"
REPORTS = """\
path: data/meldingen.csv
owner: Dienst Wegen
schema:
  fields:
    - {name: straat, type: string}
    - {name: aantal, type: integer}
"""


def peil(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}  # Rich wraps tables at 80 columns when not on a terminal
    return subprocess.run(
        [sys.executable, "-m", "peil", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter workspace plus a key-less source, built; then files changed and built again.

    bevolking (key CD_MUNTY_REFNIS): Roeselare's 2009 figure 56893 -> 56894 and its 2015 figure 60386 -> 60400,
    Aartselaar (11001) removed, 99999 added. meldingen (no key): one row repeated once more, one row gone.
    gemeenten is unchanged: it keeps its one snapshot.
    """
    root = tmp_path_factory.mktemp("diff") / "ws"
    shutil.copytree(STARTER, root)
    edit(root / "peil.yaml", "{name}", "Test")
    edit(root / "peil.yaml", "{municipality}", "36015")
    (root / "sources" / "meldingen.yaml").write_text(REPORTS, encoding="utf-8")
    (root / "data" / "meldingen.csv").write_text("straat,aantal\nMarkt,2\nMarkt,2\nOoststraat,5\n", encoding="utf-8")
    build(root)
    population = root / POPULATION
    edit(population, "36015,56893,", "36015,56894,")
    edit(population, ",59714,60386\n", ",59714,60400\n")
    edit(population, "11001,14265,14290,14310,14281,14226,14207,14157\n", "")
    population.write_text(population.read_text(encoding="utf-8") + "99999,1,2,3,4,5,6,7\n", encoding="utf-8")
    (root / "data" / "meldingen.csv").write_text("straat,aantal\nMarkt,2\nMarkt,2\nMarkt,2\n", encoding="utf-8")
    summary = build(root)
    assert summary.snapshots_made == 2
    return root


def test_a_rebuilt_source_diffs_by_its_primary_key(built: Path) -> None:
    with query.read_only(built / ".peil" / "warehouse.duckdb") as con:
        result = diff_snapshots(con, "bevolking")
    diff = result.diff
    assert (result.old_version, result.new_version) == (1, 2)
    assert diff.mode == "key" and diff.key == ("CD_MUNTY_REFNIS",)
    assert diff.cells == (Cell("36015", "2009", 56893, 56894), Cell("36015", "2015", 60386, 60400))
    assert diff.added_keys == ("99999",) and diff.removed_keys == ("11001",)
    assert (diff.old_rows, diff.new_rows, diff.changed, diff.unchanged) == (589, 589, 1, 587)
    assert diff.schema == () and "_row" not in diff.columns  # the lineage columns are no part of the data


def test_ingest_records_whether_the_primary_key_was_filled_and_unique(built: Path, tmp_path: Path) -> None:
    with query.read_only(built / ".peil" / "warehouse.duckdb") as con:
        flags = con.execute("SELECT dataset, version, key_unique FROM meta.snapshots ORDER BY ALL").fetchall()
    assert flags == [
        ("bevolking", 1, True),
        ("bevolking", 2, True),
        ("gemeenten", 1, True),
        ("meldingen", 1, None),
        ("meldingen", 2, None),
    ]
    (tmp_path / "data.csv").write_text("id,naam\n1,a\n2,b\n2,c\n,d\n", encoding="utf-8")
    fields = [{"name": "id", "type": "integer"}, {"name": "naam"}]
    keys = {"op_naam": ["naam"], "op_id": ["id"], "zonder": []}
    with Warehouse.open(tmp_path / "warehouse.duckdb") as warehouse:
        build_id = warehouse.start_build()
        for name, key in keys.items():
            schema = {"fields": fields, "primaryKey": key}
            source = Source.model_validate({"name": name, "path": "data.csv", "owner": "tests", "schema": schema})
            warehouse.ingest(source, tmp_path, build_id)
        flags = warehouse.con.execute("SELECT dataset, key_unique FROM meta.snapshots ORDER BY ALL").fetchall()
    assert flags == [("op_id", False), ("op_naam", True), ("zonder", None)]


def test_a_warehouse_from_before_key_unique_gets_the_column_when_opened_to_build(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with Warehouse.open(path):
        pass
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE meta.snapshots DROP COLUMN key_unique")
    with Warehouse.open(path) as warehouse:
        columns = [r[0] for r in warehouse.con.execute("DESCRIBE meta.snapshots").fetchall()]
    assert columns[-2:] == ["build_id", "key_unique"]


def test_a_source_without_key_diffs_by_whole_rows(built: Path) -> None:
    with query.read_only(built / ".peil" / "warehouse.duckdb") as con:
        diff = diff_snapshots(con, "meldingen").diff
    assert diff.mode == "row hash"
    assert diff.added_rows == (Row(("Markt", 2), 1),) and diff.removed_rows == (Row(("Ooststraat", 5), 1),)


def test_peil_diff_prints_a_table(built: Path) -> None:
    result = peil("diff", "bevolking", "-w", str(built))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "bevolking, version 1 -> 2: rows matched by the key CD_MUNTY_REFNIS",
        "589 -> 589 rows: 1 added, 1 removed, 1 changed (2 cells), 587 unchanged",
    ]
    assert table_rows(result.stdout) == [
        ["changed", "36015", "2009", "56893", "56894"],
        ["changed", "36015", "2015", "60386", "60400"],
        ["added", "99999", "", "", ""],
        ["removed", "11001", "", "", ""],
    ]


def table_rows(stdout: str) -> list[list[str]]:
    """The cells of the rows of the Rich table in `stdout`."""
    return [[c.strip() for c in line.split("│")[1:-1]] for line in stdout.splitlines() if line.startswith("│")]


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_peil_diff_limits_csv_and_json_only_when_asked(built: Path, output_format: str) -> None:
    limited = peil("diff", "bevolking", "-w", str(built), "-f", output_format, "--limit", "1")
    whole = peil("diff", "bevolking", "-w", str(built), "-f", output_format)
    if output_format == "csv":
        assert [row[:3] for row in csv.reader(io.StringIO(limited.stdout))] == [
            ["change", "CD_MUNTY_REFNIS", "column"],
            ["changed", "36015", "2009"],
            ["added", "99999", ""],
            ["removed", "11001", ""],
        ]
        assert "Only the first 1 differences of each kind are written." in limited.stderr
        assert len(list(csv.reader(io.StringIO(whole.stdout)))) == 5 and "Only the first" not in whole.stderr
    else:
        data, all_data = json.loads(limited.stdout), json.loads(whole.stdout)
        assert (len(data["cells"]), data["limit"], data["truncated"]) == (1, 1, True)
        assert (len(all_data["cells"]), all_data["limit"], all_data["truncated"]) == (2, None, False)


def test_a_changed_empty_cell_is_shown_as_empty_in_the_terminal(tmp_path: Path) -> None:
    root, diff = fte_rebuilt(tmp_path, FTE + "  primaryKey: nr\n", "nr,fte\nP1,\nP2,1\n", "nr,fte\nP1,0.5\nP2,\n")
    assert diff.cells == (Cell("P1", "fte", None, 0.5), Cell("P2", "fte", 1.0, None))
    table = peil("diff", "fte", "-w", str(root))
    assert table_rows(table.stdout) == [
        ["changed", "P1", "fte", "(empty)", "0.5"],
        ["changed", "P2", "fte", "1.0", "(empty)"],
    ]
    assert "did not fit" not in table.stdout


def test_peil_diff_without_key_says_so(built: Path) -> None:
    result = peil("diff", "meldingen", "-w", str(built))
    assert result.returncode == 0, result.stderr
    assert "no primary key, so whole rows are compared as a multiset (row hash)" in result.stdout
    assert "3 -> 3 rows: 1 added, 1 removed, 2 unchanged" in result.stdout


def test_peil_diff_writes_json(built: Path) -> None:
    result = peil("diff", "bevolking", "1", "2", "-w", str(built), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["cells"] == [
        {"key": {"CD_MUNTY_REFNIS": "36015"}, "column": "2009", "old": 56893, "new": 56894, "unfit": []},
        {"key": {"CD_MUNTY_REFNIS": "36015"}, "column": "2015", "old": 60386, "new": 60400, "unfit": []},
    ]
    assert data["added_keys"] == [{"CD_MUNTY_REFNIS": "99999"}]
    assert data["removed_keys"] == [{"CD_MUNTY_REFNIS": "11001"}]
    assert (data["mode"], data["added"], data["removed"], data["changed"]) == ("key", 1, 1, 1)
    assert data["changed_cells"] == {"2009": 1, "2015": 1}


def test_peil_diff_writes_csv_with_the_summary_on_stderr(built: Path) -> None:
    result = peil("diff", "bevolking", "-w", str(built), "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["change", "CD_MUNTY_REFNIS", "column", "old", "new"],
        ["changed", "36015", "2009", "56893", "56894"],
        ["changed", "36015", "2015", "60386", "60400"],
        ["added", "99999", "", "", ""],
        ["removed", "11001", "", "", ""],
    ]
    assert "rows matched by the key CD_MUNTY_REFNIS" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "no snapshots of 'nope'\n  Known datasets: bevolking, gemeenten, meldingen."),
        (["bevolking", "1", "9"], "'bevolking' has no version 9"),
        (["gemeenten"], "'gemeenten' has one snapshot (version 1): there is nothing to compare it with yet"),
    ],
    ids=["unknown dataset", "unknown version", "one snapshot"],
)
def test_peil_diff_errors_are_one_message(built: Path, args: list[str], message: str) -> None:
    result = peil("diff", *args, "-w", str(built))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_site_has_a_changes_page_with_the_changed_cells(built: Path) -> None:
    html = (built / "site" / "wijzigingen.html").read_text(encoding="utf-8")
    assert '<a href="wijzigingen.html" aria-current="page">Wijzigingen</a>' in html
    assert "Versie 1 vergeleken met versie 2." in html
    assert "Rijen worden gekoppeld op hun sleutel: CD_MUNTY_REFNIS." in html
    assert "<td>36015</td><td>2009</td><td><del>56893</del></td><td><ins>56894</ins></td>" in html
    assert "<td>36015</td><td>2015</td><td><del>60386</del></td><td><ins>60400</ins></td>" in html
    assert "<caption>Toegevoegde rijen</caption>" in html and "<tr><td>99999</td></tr>" in html
    assert "<caption>Verwijderde rijen</caption>" in html and "<tr><td>11001</td></tr>" in html
    assert "Deze dataset heeft geen primaire sleutel" in html  # meldingen
    assert 'id="wijziging-gemeenten"' not in html  # one snapshot: nothing to compare
    assert '<a href="wijzigingen.html">Wijzigingen</a>' in (built / "site" / "index.html").read_text(encoding="utf-8")


def workspace_with(tmp_path: Path, name: str, declaration: str) -> Path:
    """A copy of the starter workspace with one more source, `name`, declared as `declaration` (YAML)."""
    root = tmp_path / "ws"
    shutil.copytree(STARTER, root)
    edit(root / "peil.yaml", "{name}", "Test")
    edit(root / "peil.yaml", "{municipality}", "36015")
    (root / "sources" / f"{name}.yaml").write_text(declaration, encoding="utf-8")
    return root


FTE = (
    "path: data/fte.csv\nowner: Dienst Personeel\nschema:\n  fields:\n    - {name: nr, type: string}\n"
    "    - {name: fte, type: number}\n"
)


def fte_rebuilt(tmp_path: Path, declaration: str, before: str, after: str) -> tuple[Path, Diff]:
    """A workspace with the source fte (`declaration`) built from data/fte.csv holding `before`, then from `after`;
    and the diff of its two snapshots."""
    root = workspace_with(tmp_path, "fte", declaration)
    for text in (before, after):
        (root / "data" / "fte.csv").write_text(text, encoding="utf-8")
        build(root)
    with query.read_only(root / ".peil" / "warehouse.duckdb") as con:
        return root, diff_snapshots(con, "fte").diff


def test_the_changes_page_masks_the_keys_and_personal_values_of_a_personal_source(tmp_path: Path) -> None:
    """A published page shows no name or national register number of a personal source (found by a new user)."""
    root = workspace_with(
        tmp_path,
        "klanten",
        "path: data/klanten.csv\nowner: Sociale dienst\nclassification: personal\nschema:\n  fields:\n"
        "    - {name: klant, type: string}\n    - {name: voornaam, type: string}\n"
        "    - {name: rijksregisternummer, type: string}\n    - {name: dienst, type: string}\n"
        "  primaryKey: [klant]\n",
    )
    clients = root / "data" / "klanten.csv"
    clients.write_text("klant;voornaam;rijksregisternummer;dienst\nK1001;Jan;68.10.28-822.30;OCMW\n", encoding="utf-8")
    build(root)
    clients.write_text(
        "klant;voornaam;rijksregisternummer;dienst\nK1001;Pieter;66.08.01-915.12;Thuiszorg\n", encoding="utf-8"
    )
    build(root)
    html = (root / "site" / "wijzigingen.html").read_text(encoding="utf-8")
    assert "<td>K100*</td><td>voornaam</td><td><del>J**</del></td><td><ins>P*****</ins></td>" in html
    assert "<td><del>68.10.28-***.**</del></td><td><ins>66.08.01-***.**</ins></td>" in html
    assert "<td><del>OCMW</del></td><td><ins>Thuiszorg</ins></td>" in html  # not about a person: shown
    for personal in ("K1001", "Jan", "Pieter", "822.30", "915.12"):
        assert personal not in html


def test_without_a_key_a_value_that_did_not_fit_is_part_of_its_row_as_its_text(tmp_path: Path) -> None:
    root, diff = fte_rebuilt(tmp_path, FTE, "nr,fte\nP1,0.8x\nP2,1\n", "nr,fte\nP1,0.9x\nP2,1\n")
    assert diff.mode == "row hash" and (diff.added, diff.removed, diff.unchanged) == (1, 1, 1)
    assert diff.removed_rows == (Row(("P1", "0.8x"), 1),) and diff.added_rows == (Row(("P1", "0.9x"), 1),)
    assert isinstance(diff.added_rows[0].values[1], Unfit) and not isinstance(diff.added_rows[0].values[0], Unfit)
    shown = peil("diff", "fte", "-w", str(root))
    assert table_rows(shown.stdout) == [["added", "1", "P1", "0.9x*"], ["removed", "1", "P1", "0.8x*"]]
    assert "* did not fit the column's type" in shown.stdout
    rows = json.loads(peil("diff", "fte", "-w", str(root), "-f", "json").stdout)
    assert [(r["values"], r["unfit"]) for r in rows["added_rows"]] == [({"nr": "P1", "fte": "0.9x"}, ["fte"])]


def test_without_a_key_an_empty_value_is_shown_as_empty_in_the_terminal(tmp_path: Path) -> None:
    root, _ = fte_rebuilt(tmp_path, FTE, "nr,fte\nP1,\nP2,1\n", "nr,fte\nP1,0.5\nP2,1\n")
    shown = peil("diff", "fte", "-w", str(root))
    assert table_rows(shown.stdout) == [["added", "1", "P1", "0.5"], ["removed", "1", "P1", "(empty)"]]
    assert "did not fit" not in shown.stdout


def test_a_value_that_did_not_fit_its_type_is_shown_as_its_text(tmp_path: Path) -> None:
    declaration, before, after = (
        FTE + "  primaryKey: nr\n",
        "nr,fte\nP1,0.8\nP2,1\nP3,0.5x\n",
        "nr,fte\nP1,0.8x\nP2,1\nP3,0.5\n",
    )
    root, diff = fte_rebuilt(tmp_path, declaration, before, after)
    assert diff.cells == (Cell("P1", "fte", 0.8, "0.8x"), Cell("P3", "fte", "0.5x", 0.5))
    assert isinstance(diff.cells[0].new, Unfit) and isinstance(diff.cells[1].old, Unfit)
    assert not isinstance(diff.cells[0].old, Unfit)
    html = (root / "site" / "wijzigingen.html").read_text(encoding="utf-8")
    assert '<td><del>0,8</del></td><td><ins><span class="unfit" title="Deze waarde paste niet' in html
    assert ">0.8x</span></ins>" in html
    shown = peil("diff", "fte", "-w", str(root), "--format", "json")
    cells = json.loads(shown.stdout)["cells"]
    assert [(c["key"], c["old"], c["new"], c["unfit"]) for c in cells] == [
        ({"nr": "P1"}, 0.8, "0.8x", ["new"]),
        ({"nr": "P3"}, "0.5x", 0.5, ["old"]),
    ]
    table = peil("diff", "fte", "-w", str(root))
    assert table_rows(table.stdout) == [
        ["changed", "P1", "fte", "0.8", "0.8x*"],
        ["changed", "P3", "fte", "0.5x*", "0.5"],
    ]
    assert "* did not fit the column's type when it was loaded: shown as its text" in table.stdout
    (root / "data" / "fte.csv").write_text(
        "nr,fte\nP1,0.9x\nP2,1\nP3,0.5\n", encoding="utf-8"
    )  # one unfit text for another
    build(root)
    with query.read_only(root / ".peil" / "warehouse.duckdb") as con:
        assert diff_snapshots(con, "fte").diff.cells == (Cell("P1", "fte", "0.8x", "0.9x"),)
        assert diff_snapshots(con, "fte", 1, 3).diff.cells == (
            Cell("P1", "fte", 0.8, "0.9x"),
            Cell("P3", "fte", "0.5x", 0.5),
        )


def test_a_renamed_key_column_still_matches_the_rows_and_is_reported_renamed(tmp_path: Path) -> None:
    """Found by a new user: renaming the key column (and its declaration) made the diff compare whole rows, so
    every changed row showed as one removed and one added."""
    root = workspace_with(tmp_path, "fte", FTE + "  primaryKey: nr\n")
    (root / "data" / "fte.csv").write_text("nr,fte\nP1,0.8\nP2,1\nP3,0.5\n", encoding="utf-8")
    build(root)
    (root / "sources" / "fte.yaml").write_text(
        FTE.replace("name: nr", "name: nummer") + "  primaryKey: nummer\n", encoding="utf-8"
    )
    (root / "data" / "fte.csv").write_text("nummer,fte\nP1,0.9\nP2,1\nP4,0.5\n", encoding="utf-8")
    build(root)
    with query.read_only(root / ".peil" / "warehouse.duckdb") as con:
        diff = diff_snapshots(con, "fte").diff
    assert (diff.mode, diff.key) == ("key", ("nummer",))
    assert diff.cells == (Cell("P1", "fte", 0.8, 0.9),)
    assert (diff.added_keys, diff.removed_keys, diff.unchanged) == (("P4",), ("P3",), 1)
    (renamed,) = diff.schema
    assert (renamed.kind, renamed.old, renamed.new, renamed.share) == (
        "renamed",
        Column("nr", "VARCHAR"),
        Column("nummer", "VARCHAR"),
        0.5,
    )  # 2 of the 4 keys on either side are on both


STAFF = (
    "path: data/staff.csv\nowner: HR\nschema:\n  fields:\n    - {name: dienst}\n    - {name: nr}\n"
    "    - {name: fte, type: number}\n  primaryKey: [dienst, nr]\n"
)


def staff_renamed(tmp_path: Path, after: str) -> tuple[Path, SnapshotDiff]:
    """The source staff (dienst, nr, fte; key dienst, nr) built, then with dienst renamed afdeling and the file
    holding `after`; and the diff of its two snapshots."""
    root = workspace_with(tmp_path, "staff", STAFF)
    (root / "data" / "staff.csv").write_text("dienst,nr,fte\nICT,1,0.8\nICT,2,1\nHR,1,0.5\nHR,2,1\n", encoding="utf-8")
    build(root)
    (root / "sources" / "staff.yaml").write_text(STAFF.replace("dienst", "afdeling"), encoding="utf-8")
    (root / "data" / "staff.csv").write_text(after, encoding="utf-8")
    build(root)
    with query.read_only(root / ".peil" / "warehouse.duckdb") as con:
        return root, diff_snapshots(con, "staff")


def test_one_column_of_a_compound_key_renamed_still_matches_the_rows(tmp_path: Path) -> None:
    """Found by a new user: [dienst, nr] -> [afdeling, nr] compared whole rows, an edit as a row added and one
    removed."""
    _, result = staff_renamed(tmp_path, "afdeling,nr,fte\nICT,1,0.9\nICT,2,1\nHR,1,0.5\nHR,2,1\n")
    diff = result.diff
    assert (diff.mode, diff.key, diff.cells) == ("key", ("afdeling", "nr"), (Cell(("ICT", "1"), "fte", 0.8, 0.9),))
    assert [(c.kind, c.old and c.old.name, c.new and c.new.name, c.share) for c in diff.schema] == [
        ("renamed", "dienst", "afdeling", 1.0)
    ]


def test_whole_rows_compared_in_fewer_columns_say_so(tmp_path: Path) -> None:
    """Found by a new user: with the key renamed and most keys changed, the diff said '4 unchanged' of rows whose
    keys all differed, as the columns of one version only are not compared."""
    _, result = staff_renamed(tmp_path, "afdeling,nr,fte\nIT,1,0.8\nPZ,2,1\nFIN,1,0.5\nOCMW,2,1\n")
    assert result.diff.mode == "row hash"
    assert summary(result)[1:3] == [
        "4 -> 4 rows: 0 added, 0 removed, 4 unchanged in the 2 columns both have",
        "the columns of one version only are not compared: a change in them does not show",
    ]
