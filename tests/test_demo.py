"""The bundled demo workspace, built by the real pipeline: its figures against published figures and files.

Expected values come from outside peil: Statbel's and Statistiek Vlaanderen's published figures, or a
computation straight from the shipped CSV files with the csv module. One build serves the whole module.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from peil.demo import workspace_path
from peil.workspace import load

pytestmark = pytest.mark.slow

DATA = workspace_path() / "data"
CHAINS = DATA / "municipality_codes_mergers" / "flanders_brussels_municipalities_2018_2024_2025_classifications.csv"
ROESELARE, REGION = "36015", "02000"
CENTRE_CITIES = {
    "41002": "Aalst",
    "11002": "Antwerpen",
    "31005": "Brugge",
    "71016": "Genk",
    "44021": "Gent",
    "71072": "Hasselt",
    "34022": "Kortrijk",
    "24062": "Leuven",
    "12025": "Mechelen",
    "35013": "Oostende",
    "36015": "Roeselare",
    "46021": "Sint-Niklaas",
    "13040": "Turnhout",
}
# Gaps documented in data/PROVENANCE.md: (indicator, entity) without a value in the latest period.
KNOWN_GAPS = {("household_growth_projected", "73028")}  # Herstappe: no household projection after 2023


def values(con: duckdb.DuckDBPyConnection, indicator: str) -> dict[tuple[str, str], float]:
    """An indicator's values of the latest build, by (entity, period)."""
    rows = con.execute(
        "SELECT entity, period, value FROM meta.indicator_values "
        "WHERE indicator = ? AND build_id = (SELECT max(build_id) FROM meta.indicator_values)",
        [indicator],
    ).fetchall()
    assert rows, f"no values for {indicator}"
    return {(entity, period): value for entity, period, value in rows}


def statbel_population(year: int) -> dict[str, dict[int, int]]:
    """Straight from the Statbel file with the csv module: inhabitants per 2009-2018 code and age."""
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    with (DATA / "pop_age_sex_2009_2015" / f"pop_munty_sex_age_{year}.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            counts[row["CD_MUNTY_REFNIS"]][int(row["CD_AGE"])] += int(row["MS_POPULATION"])
    return counts


def flemish_codes_2018() -> set[str]:
    """The 308 Flemish municipalities before the 2019 mergers: the classification file without its dummies."""
    with CHAINS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {r["gemeente2018"] for r in rows if r["gewest"] == "2000" and not r["gemeente2018"].startswith("9999")}


# -- published figures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "total"), [(2009, 10_753_080), (2015, 11_209_044)])
def test_belgian_population_read_in_full(con: duckdb.DuckDBPyConnection, year: int, total: int) -> None:
    """Statbel: Belgium had 10,753,080 inhabitants on 1 January 2009 and 11,209,044 on 1 January 2015."""
    found = con.execute("SELECT sum(MS_POPULATION) FROM population_age_sex WHERE CD_YEAR = ?", [year]).fetchone()
    assert found == (total,)


@pytest.mark.parametrize(("year", "inhabitants"), [("2009", 56_893), ("2015", 60_386)])
def test_roeselare_population(con: duckdb.DuckDBPyConnection, year: str, inhabitants: int) -> None:
    assert values(con, "population")[(ROESELARE, year)] == inhabitants


def test_roeselare_households(con: duckdb.DuckDBPyConnection) -> None:
    """Statistiek Vlaanderen: 24,342 private households in 2010, 28,825 in 2023, 32,832 projected for 2040."""
    households = values(con, "households")
    assert households[(ROESELARE, "2010")] == 24_342
    assert households[(ROESELARE, "2023")] == 28_825
    assert (ROESELARE, "2024") not in households, "projections belong to household_growth_projected"
    projected = con.execute("SELECT households FROM households_2025 WHERE code = ? AND year = 2040", [ROESELARE])
    assert projected.fetchone() == (32_832,)
    growth = values(con, "household_growth_projected")[(ROESELARE, "2040")]
    assert growth == pytest.approx(100 * (32_832 / 28_825 - 1))


def test_region_households_equal_the_published_regional_series(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT h.year, h.households, r.n FROM households_2025 AS h "
        "JOIN households_region AS r ON r.y = h.year WHERE h.code = ?",
        [REGION],
    ).fetchall()
    assert len(rows) == 31
    assert [(y, n) for y, n, published in rows if n != published] == []


def test_income_residents_are_the_population_of_the_next_year(con: duckdb.DuckDBPyConnection) -> None:
    """PROVENANCE: residents for income year Y = population on 1 January of Y+1 (2008 -> 56,893 in 2009)."""
    found = con.execute("SELECT residents FROM income_2025 WHERE code = ? AND income_year = 2008", [ROESELARE])
    assert found.fetchone() == (56_893,)


# -- computed from the files --------------------------------------------------------------------------------


def test_share_65_plus_of_roeselare_equals_the_statbel_file(con: duckdb.DuckDBPyConnection) -> None:
    ages = statbel_population(2015)[ROESELARE]
    expected = 100 * sum(n for age, n in ages.items() if age >= 65) / sum(ages.values())
    assert values(con, "share_65_plus")[(ROESELARE, "2015")] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("code_2025", "parts"),
    [
        ("37022", ["37015", "37007"]),  # Tielt = Tielt + Meulebeke (2025)
        ("46030", ["46003", "46013", "11056"]),  # Beveren-Kruibeke-Zwijndrecht, across two provinces (2025)
        ("44083", ["44011", "44049"]),  # Deinze = Deinze + Nevele (2019)
        ("11002", ["11002", "11007"]),  # Antwerpen absorbed Borsbeek (2025)
    ],
)
def test_merged_municipality_is_the_sum_of_its_parts(
    con: duckdb.DuckDBPyConnection, code_2025: str, parts: list[str]
) -> None:
    population = statbel_population(2015)
    parts_total = sum(sum(population[code].values()) for code in parts)
    parts_65 = sum(n for code in parts for age, n in population[code].items() if age >= 65)
    assert values(con, "population")[(code_2025, "2015")] == parts_total
    assert values(con, "share_65_plus")[(code_2025, "2015")] == pytest.approx(100 * parts_65 / parts_total)


def test_region_share_65_plus_is_recomputed_from_summed_counts(con: duckdb.DuckDBPyConnection) -> None:
    population = statbel_population(2015)
    flemish = flemish_codes_2018()
    assert len(flemish) == 308
    total = sum(sum(population[code].values()) for code in flemish)
    old = sum(n for code in flemish for age, n in population[code].items() if age >= 65)
    share = values(con, "share_65_plus")
    assert share[(REGION, "2015")] == pytest.approx(100 * old / total, rel=1e-12)
    municipalities = [v for (entity, period), v in share.items() if period == "2015" and entity != REGION]
    assert share[(REGION, "2015")] != pytest.approx(sum(municipalities) / len(municipalities), rel=1e-3)


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_population_totals_in_three_text_formats_are_read_in_full(con: duckdb.DuckDBPyConnection, year: int) -> None:
    """The 2018-2020 files write numbers as "523,248", "525 935" and "529247"; every value is kept."""
    path = DATA / "pop_totals_2018_2020_vandenbroucke" / f"belgian_municipalities_{year}.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    parsed = {r["NIS_code"]: int(re.sub(r"[ ,]", "", r["inhabitants"])) for r in rows}
    published = {2018: 11_376_070, 2019: 11_431_406, 2020: 11_492_641}
    assert sum(parsed.values()) == published[year]
    flemish = {r["NIS_code"] for r in rows if r["region_NL"] == "Vlaams Gewest"}
    expected = sum(parsed[code] for code in flemish)
    assert values(con, "population")[(REGION, str(year))] == expected


# -- coverage and harmonisation -----------------------------------------------------------------------------


def test_every_flemish_municipality_has_every_indicator_in_its_latest_period(
    con: duckdb.DuckDBPyConnection,
) -> None:
    entities = {code for (code,) in con.execute("SELECT code FROM entities").fetchall()}
    assert len(entities) == 286 and REGION in entities, "285 municipalities of 2025 and the Flemish Region"
    indicators = [i for (i,) in con.execute("SELECT DISTINCT indicator FROM meta.indicator_values").fetchall()]
    assert len(indicators) >= 12
    for indicator in indicators:
        found = values(con, indicator)
        latest = max(period for _, period in found)
        missing = {e for e in entities if (e, latest) not in found} - {e for i, e in KNOWN_GAPS if i == indicator}
        assert not missing, f"{indicator} {latest}: no value for {sorted(missing)[:10]}"
        assert {e for e, _ in found} <= entities, f"{indicator} has values for unknown entities"


def test_every_bestuur_maps_to_a_2025_code(con: duckdb.DuckDBPyConnection) -> None:
    unmapped = con.execute("SELECT DISTINCT bestuur FROM investment_accounts WHERE code IS NULL").fetchall()
    assert unmapped == []
    mapped = con.execute("SELECT count(DISTINCT bestuur), count(DISTINCT code) FROM investment_accounts")
    assert mapped.fetchone() == (285, 285)


def test_every_investment_account_has_a_group(con: duckdb.DuckDBPyConnection) -> None:
    ungrouped = con.execute("SELECT DISTINCT rekening FROM investment_accounts WHERE account_group IS NULL")
    assert ungrouped.fetchall() == []


def test_code_map_gives_each_old_code_one_2025_code(con: duckdb.DuckDBPyConnection) -> None:
    counts = con.execute("SELECT count(*), count(DISTINCT code_old), count(DISTINCT code) FROM code_map").fetchone()
    assert counts == (327, 327, 285)  # 308 codes of 2018 + 7 new in 2019 + 12 new in 2025 -> 285


def test_merger_list_agrees_with_the_code_chains(con: duckdb.DuckDBPyConnection) -> None:
    disagree = con.execute(
        "SELECT p.code_old, p.code, m.code FROM merger_parts AS p LEFT JOIN code_map AS m USING (code_old) "
        "WHERE m.code IS DISTINCT FROM p.code"
    ).fetchall()
    assert disagree == []
    assert con.execute("SELECT count(DISTINCT code) FROM merger_parts").fetchone() == (13,)


def test_region_investment_weights_are_robust(con: duckdb.DuckDBPyConnection) -> None:
    """The population year used as weight barely matters: 2015 instead of 2020 moves Flanders < 0.5 %."""
    rows = con.execute(
        """
        SELECT
            g.year,
            sum(g.total * a.inhabitants) / sum(a.inhabitants),
            sum(g.total * b.inhabitants) / sum(b.inhabitants)
        FROM investments_per_inhabitant AS g
        JOIN population_totals AS a ON a.code = g.code AND a.year = 2015
        JOIN population_totals AS b ON b.code = g.code AND b.year = 2020
        WHERE g.code <> '02000'
        GROUP BY g.year
        """
    ).fetchall()
    assert len(rows) == 11
    assert all(abs(w2015 / w2020 - 1) < 0.005 for _, w2015, w2020 in rows)


def test_peers_are_the_other_centre_cities(built: Path, con: duckdb.DuckDBPyConnection) -> None:
    project = load(built).project
    assert not isinstance(project.peers, list)
    peers = {code for (code,) in con.execute(project.peers.sql).fetchall()}
    assert peers == set(CENTRE_CITIES) - {ROESELARE}
    names = dict(con.execute("SELECT code, name FROM municipalities WHERE centrumstad").fetchall())
    assert names == CENTRE_CITIES


def test_site_explains_the_harmonisation(built: Path) -> None:
    site = built / "site"
    for page in ("index", "bevolking", "huishoudens", "inkomen", "financien", "methode"):
        assert (site / f"{page}.html").is_file(), page
    method = (site / "methode.html").read_text(encoding="utf-8")
    assert "grenzen van 2025" in method
    assert "nooit gemiddeld" in method
