"""The quarantine on a built workspace: raw = current + quarantine row for row, a fixed file releases its rows,
the steward's workbook keeps text as text, and `peil check` exits by the verdict."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from peil.build import build
from peil.cli import app
from peil.reports import i18n
from peil.reports.quality import _threshold

POPULATION = "data/bevolking_2009_2015.csv"
SMALL = "  - {type: range, column: '2009', min: 1000}\n"  # Herstappe and a few others are smaller


def value(root: Path, sql: str, params: list[object] | None = None) -> object:
    con = duckdb.connect(str(root / ".peil" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def add_checks(root: Path, dataset: str, checks: str) -> None:
    path = root / "sources" / f"{dataset}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "checks:\n" + checks, encoding="utf-8")


def codes(root: Path, sql: str) -> set[str]:
    return {str(r[0]) for r in value(root, sql)}  # type: ignore[union-attr]


def test_raw_snapshot_is_the_current_view_plus_the_quarantine_row_for_row(starter: Path) -> None:
    add_checks(starter, "bevolking", SMALL)
    build(starter)
    raw = codes(starter, 'SELECT CD_MUNTY_REFNIS FROM raw."bevolking__v1"')
    current = codes(starter, "SELECT CD_MUNTY_REFNIS FROM bevolking")
    quarantined = codes(
        starter,
        'SELECT t.CD_MUNTY_REFNIS FROM meta.quarantine q JOIN raw."bevolking__v1" t ON t.rowid = q.row_id '
        "WHERE q.dataset = 'bevolking' AND q.held",
    )
    assert "73028" in quarantined  # Herstappe
    assert current.isdisjoint(quarantined)
    assert raw == current | quarantined
    assert value(starter, 'SELECT count(*) FROM raw."bevolking__v1"') == [(589,)]
    assert len(current) + len(quarantined) == 589
    key, row, failures = value(starter, "SELECT key, _row, failures FROM meta.quarantine WHERE key LIKE '%73028%'")[0]  # type: ignore[index]
    assert key == '{"CD_MUNTY_REFNIS":"73028"}'
    assert row > 1
    assert failures[0]["check"] == "range_2009" and failures[0]["reason"] == "below minimum"


def test_a_fixed_source_releases_its_rows_on_the_next_build(starter: Path) -> None:
    add_checks(starter, "bevolking", SMALL)
    build(starter)
    assert codes(starter, "SELECT CD_MUNTY_REFNIS FROM bevolking WHERE CD_MUNTY_REFNIS = '73028'") == set()
    path = starter / POPULATION
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fixed = [line if not line.startswith("73028,") else "73028," + ",".join(["1000"] * 7) + "\n" for line in lines]
    path.write_text("".join(fixed), encoding="utf-8")
    summary = build(starter)
    assert summary.ingested["bevolking"].created
    assert codes(starter, "SELECT CD_MUNTY_REFNIS FROM bevolking WHERE CD_MUNTY_REFNIS = '73028'") == {"73028"}
    assert value(
        starter, "SELECT count(*) FROM meta.quarantine WHERE dataset = 'bevolking' AND key LIKE '%73028%'"
    ) == [(1,)]


def test_peil_check_exits_by_the_verdict(starter: Path) -> None:
    runner = CliRunner()
    build(starter)
    assert runner.invoke(app, ["check", "-w", str(starter)]).exit_code == 0
    add_checks(starter, "bevolking", SMALL.replace("}", ", severity: warn}"))
    assert runner.invoke(app, ["check", "-w", str(starter)]).exit_code == 0  # warnings do not fail
    path = starter / "sources" / "bevolking.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(", severity: warn", ""), encoding="utf-8")
    failed = runner.invoke(app, ["check", "-w", str(starter), "--format", "csv"])
    assert failed.exit_code == 1
    assert "range_2009" in failed.output and "FAIL" in failed.output


def test_the_steward_workbook_keeps_formula_like_text_literal(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "sources").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "peil.yaml").write_text('name: t\nmunicipality: "36015"\n', encoding="utf-8")
    (root / "data" / "l.csv").write_text(
        'id;link\n1;"=HYPERLINK(""http://x"")"\n2;https://ok.example\n3;@SUM(A1)\n', encoding="utf-8"
    )
    (root / "sources" / "links.yaml").write_text(
        "path: data/l.csv\nowner: t\nschema:\n  fields:\n"
        "    - {name: id, type: integer}\n    - {name: link, type: string}\n"
        "checks:\n  - {type: pattern, column: link, regex: 'https://.*'}\n",
        encoding="utf-8",
    )
    build(root)
    out = tmp_path / "quarantaine.xlsx"
    result = CliRunner().invoke(app, ["quarantine", "links", "-w", str(root), "--export", str(out)])
    assert result.exit_code == 0, result.output
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header, *body = sheet
    links = [row[header.index("link")] for row in body]
    assert links == ['=HYPERLINK("http://x")', "@SUM(A1)"]
    with zipfile.ZipFile(out) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    listed = CliRunner().invoke(app, ["quarantine", "links", "-w", str(root), "--format", "json"])
    assert '"=HYPERLINK(\\"http://x\\")"' in listed.output
    again = CliRunner().invoke(app, ["quarantine", "links", "-w", str(root), "--export", str(out)])
    assert again.exit_code == 1 and "exists" in str(again.exception) and "--force" in str(again.exception)
    source = root / "data" / "l.csv"
    for wrong, said in ((source, "not an .xlsx"), (tmp_path / "nowhere" / "q.xlsx", "does not exist")):
        refused = CliRunner().invoke(app, ["quarantine", "links", "-w", str(root), "--export", str(wrong)])
        assert refused.exit_code == 1 and said in str(refused.exception)
    assert source.read_text(encoding="utf-8").startswith("id;link\n")  # the steward's file is untouched
    replaced = CliRunner().invoke(app, ["quarantine", "links", "-w", str(root), "--export", str(out), "--force"])
    assert replaced.exit_code == 0, replaced.output


def fte_workspace(root: Path, language: str = "nl", checks: str = "  - {type: range, column: fte, min: 0}\n") -> Path:
    """A workspace whose staff file has an fte that is no number ('0,8x') and one below the minimum."""
    (root / "sources").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "peil.yaml").write_text(f'name: t\nmunicipality: "36015"\nlanguage: {language}\n', encoding="utf-8")
    (root / "data" / "p.csv").write_text("nr;fte\n1;0,8\n2;0,8x\n3;-0,5\n4;1\n", encoding="utf-8")
    (root / "sources" / "staff.yaml").write_text(
        "path: data/p.csv\nowner: t\noptions: {delimiter: ';', decimal: ','}\nschema:\n  fields:\n"
        "    - {name: nr, type: integer}\n    - {name: fte, type: number}\n  primaryKey: [nr]\n"
        "checks:\n" + checks,
        encoding="utf-8",
    )
    build(root)
    return root


def exported(root: Path, out: Path, *options: str) -> list[list[object]]:
    result = CliRunner().invoke(app, ["quarantine", "staff", "-w", str(root), "--export", str(out), *options])
    assert result.exit_code == 0, result.output
    rows: list[list[object]] = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    return rows


def test_the_export_is_in_the_workspace_language_and_shows_the_text_that_did_not_fit(tmp_path: Path) -> None:
    root = fte_workspace(tmp_path / "ws")
    header, *body = exported(root, tmp_path / "nl.xlsx")
    assert header == ["bestand", "blad", "rij", "sleutel", "tegengehouden", "controles", "redenen", "nr", "fte"]
    by_nr = {row[header.index("nr")]: row for row in body}
    assert sorted(by_nr) == [2, 3]
    assert by_nr[2][header.index("fte")] == "0,8x"  # the text of the file, where the steward fixes it
    assert by_nr[2][header.index("redenen")] == "type (fte): geen getal [0,8x]"
    assert by_nr[3][header.index("fte")] == -0.5  # a number that fits stays a number
    assert by_nr[3][header.index("redenen")] == "range_fte (fte): onder het minimum [-0.5]"
    header, *body = exported(root, tmp_path / "en.xlsx", "--language", "en")
    assert header == ["file", "sheet", "row", "key", "held", "checks", "reasons", "nr", "fte"]
    assert [row[header.index("reasons")] for row in body] == [
        "type (fte): not a number [0,8x]",
        "range_fte (fte): below the minimum [-0.5]",
    ]
    listed = CliRunner().invoke(app, ["quarantine", "staff", "-w", str(root), "--format", "json"])
    assert '"fte": "0,8x"' in listed.output and '"reasons": "type (fte): not a number [0,8x]"' in listed.output


def test_an_english_workspace_exports_in_english(tmp_path: Path) -> None:
    root = fte_workspace(tmp_path / "ws", language="en")
    assert exported(root, tmp_path / "q.xlsx")[0][:7] == ["file", "sheet", "row", "key", "held", "checks", "reasons"]
    assert exported(root, tmp_path / "nl.xlsx", "--language", "nl")[0][6] == "redenen"


def test_the_quality_page_shows_a_failing_number_in_its_language(tmp_path: Path) -> None:
    dutch = (fte_workspace(tmp_path / "nl") / "site" / "kwaliteit.html").read_text(encoding="utf-8")
    english = (fte_workspace(tmp_path / "en", language="en") / "site" / "kwaliteit.html").read_text(encoding="utf-8")
    assert "<code>-0,5</code> (onder het minimum)" in dutch and "<code>0,8x</code> (geen getal)" in dutch
    assert "<code>-0.5</code> (below the minimum)" in english and "<code>0,8x</code> (not a number)" in english


def test_the_quality_page_shows_thresholds_in_its_language(tmp_path: Path) -> None:
    checks = (
        "  - {type: range, column: fte, min: 0, threshold: {rows: 5}}\n"
        "  - {type: range, column: fte, max: 0.9, threshold: {percent: 2.5}, name: range_fte_max}\n"
    )
    dutch = (fte_workspace(tmp_path / "nl", checks=checks) / "site" / "kwaliteit.html").read_text(encoding="utf-8")
    english = fte_workspace(tmp_path / "en", "en", checks) / "site" / "kwaliteit.html"
    assert "(aanvaardt 5 rijen)" in dutch and "(aanvaardt 2,5%)" in dutch
    assert "(tolerates 5 rows)" in english.read_text(encoding="utf-8")


def test_a_threshold_is_recorded_as_numbers_and_one_recorded_as_text_is_shown_as_it_is() -> None:
    dutch = i18n.translations("nl").gettext
    assert _threshold('{"rows": 1}', dutch, "nl") == "1 rij"
    assert _threshold('{"rows": 12000}', dutch, "nl") == "12.000 rijen"
    assert _threshold('{"percent": 0.25}', dutch, "nl") == "0,25%"
    assert _threshold("5 rows", dutch, "nl") == "5 rows"  # as a peil before 2026-12 recorded it
