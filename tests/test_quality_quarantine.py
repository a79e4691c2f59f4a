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
