"""The report site: directives, formatting in the workspace language, escaping, sources, offline charts."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from peil import query
from peil import workspace as ws
from peil.errors import ReportError
from peil.reports import render_site
from peil.reports.data import Cohort, Series, load_cohort
from peil.reports.serve import make_server

HOME, REGION = "36015", "02000"
PEERS = ["36007", "36019", "36008"]
COMPARE = ["37002"]
NAMES = {
    HOME: "Roeselare",
    "36007": "Ieper",
    "36019": "Izegem",
    "36008": "Kortrijk",
    "37002": "Tielt",
    REGION: "Vlaams Gewest",
    "11002": "Antwerpen",
}
# (entity, period, value) of the one indicator in build 2; build 1 holds older, different values.
VALUES = [
    (HOME, "2021", 14.0),
    (HOME, "2022", 14.6),
    (HOME, "2023", 15.25),
    ("36007", "2022", 9.0),
    ("36007", "2023", 10.0),
    ("36019", "2022", 13.0),
    ("36019", "2023", 12.0),
    ("36008", "2023", 20.0),
    ("37002", "2023", 11.0),
    (REGION, "2022", 9.0),
    (REGION, "2023", 9.5),
    ("11002", "2023", 30.0),  # not in the cohort: never shown
]
SHA = "ab12cd34ef56" + "0" * 52
SQL = "SELECT nis AS entity, jaar AS period, 100.0 * zoekend / actief AS value FROM werk WHERE actief > 0"
INDEX = """\
# Werk in Roeselare

Tekst met <script>alert('x')</script> erin.

```value
unemployment_rate
```

```indicator
unemployment_rate
```

```table
SELECT naam, nis FROM municipalities ORDER BY nis LIMIT 3
```

```python
print("a code block stays a code block")
```
"""


def make_workspace(root: Path, language: str = "nl", index: str = INDEX, peers: object = PEERS) -> ws.Workspace:
    """A workspace with one source, one indicator and reports/index.md, loaded as peil loads it."""
    project = {
        "name": "roeselare",
        "title": "Roeselare in cijfers",
        "municipality": HOME,
        "language": language,
        "region": REGION,
        "peers": peers,
        "compare": COMPARE,
        "entities": {"relation": "municipalities", "code": "nis", "name": "naam"},
    }
    (root / "peil.yaml").write_text(json.dumps(project), encoding="utf-8")
    for folder in ("sources", "indicators", "reports"):
        (root / folder).mkdir()
    source = {
        "title": {"nl": "Werkloosheid per gemeente", "en": "Unemployment per municipality"},
        "path": "data/werk.csv",
        "schema": {"fields": [{"name": "nis"}, {"name": "jaar"}]},
        "owner": "Dienst Economie",
        "steward": "An Peeters",
        "classification": "public",
        "licence": "CC BY 4.0",
        "attribution": "Bron: Steunpunt Werk & VDAB",
    }
    (root / "sources" / "werk.yaml").write_text(json.dumps(source), encoding="utf-8")
    indicator = {
        "name": {"nl": "Werkloosheidsgraad", "en": "Unemployment rate"},
        "description": {
            "nl": "Aandeel werkzoekenden in de beroepsbevolking.",
            "en": "Job seekers in the labour force.",
        },
        "unit": "%",
        "direction": "higher_is_worse",
        "theme": "werk",
        "target": 12.0,
        "decimals": 1,
        "sources": ["werk"],
        "sql": SQL,
    }
    (root / "indicators" / "unemployment_rate.yaml").write_text(json.dumps(indicator), encoding="utf-8")
    (root / "reports" / "index.md").write_text(index, encoding="utf-8")
    return ws.load(root)


def make_warehouse(path: Path, names: dict[str, str] = NAMES) -> None:
    """A warehouse with the meta tables as the store and the build write them, and the entities relation."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA meta")
    con.execute(
        """CREATE TABLE meta.snapshots(snapshot_id BIGINT, dataset VARCHAR, version INTEGER,
        content_hash VARCHAR, created_at TIMESTAMPTZ, row_count BIGINT, table_name VARCHAR,
        schema_json VARCHAR, files_json VARCHAR, build_id BIGINT)"""
    )
    con.execute(
        "CREATE TABLE meta.builds(build_id BIGINT, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, status VARCHAR)"
    )
    con.execute(
        "CREATE TABLE meta.indicator_values(build_id BIGINT, indicator VARCHAR, entity VARCHAR, "
        "period VARCHAR, value DOUBLE)"
    )
    con.execute("CREATE TABLE municipalities(nis VARCHAR, naam VARCHAR)")
    con.executemany("INSERT INTO municipalities VALUES (?, ?)", list(names.items()))
    con.executemany(
        "INSERT INTO meta.builds VALUES (?, ?, ?, 'ok')",
        [
            (1, dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.UTC), dt.datetime(2024, 1, 10, 9, 1, tzinfo=dt.UTC)),
            (
                2,
                dt.datetime(2024, 3, 15, 10, 5, tzinfo=dt.UTC),
                dt.datetime(2024, 3, 15, 10, 6, tzinfo=dt.UTC),
            ),
            (3, dt.datetime(2024, 4, 1, 8, 0, tzinfo=dt.UTC), None),
        ],
    )
    files_v1 = json.dumps([{"path": "data/werk.csv", "sha256": "99" * 32, "size": 100, "modified": "2024-01-09"}])
    files_v2 = json.dumps([{"path": "data/werk.csv", "sha256": SHA, "size": 120, "modified": "2024-03-14"}])
    con.executemany(
        "INSERT INTO meta.snapshots VALUES (?, 'werk', ?, ?, ?, ?, 'raw.werk', '{}', ?, ?)",
        [
            (1, 1, "c1" * 32, dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.UTC), 1200, files_v1, 1),
            (2, 2, "c2" * 32, dt.datetime(2024, 3, 15, 10, 5, tzinfo=dt.UTC), 1234, files_v2, 2),
            (3, 3, "c3" * 32, dt.datetime(2024, 4, 1, 8, 0, tzinfo=dt.UTC), 1300, files_v2, 3),
        ],
    )
    rows: list[tuple[int, str, str, str, float | None]] = [(2, "unemployment_rate", *row) for row in VALUES]
    rows += [(1, "unemployment_rate", HOME, "2021", 99.0), (2, "unemployment_rate", HOME, "2020", None)]
    con.executemany("INSERT INTO meta.indicator_values VALUES (?, ?, ?, ?, ?)", rows)
    con.close()


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path / "warehouse.duckdb"
    make_warehouse(path)
    with query.read_only(path) as con:  # as `peil build` hands it over: read-only, no file access
        yield con


def build_site(tmp_path: Path, con: duckdb.DuckDBPyConnection, **options: object) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    workspace = make_workspace(root, **options)  # type: ignore[arg-type]
    render_site(workspace, con, workspace.site_path, build_id=2)
    return workspace.site_path


def chart_spec(html: str, chart_id: str) -> dict[str, object]:
    match = re.search(rf'<script type="application/json" id="{chart_id}">(.*?)</script>', html, re.S)
    assert match, f"no chart {chart_id}"
    spec: dict[str, object] = json.loads(match.group(1))
    return spec


def layer_values(spec: dict[str, object], index: int) -> list[dict[str, object]]:
    layers = spec["layer"]
    assert isinstance(layers, list)
    values: list[dict[str, object]] = layers[index]["data"]["values"]
    return values


def test_dutch_site_shows_latest_value_in_belgian_dutch_format(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    site = build_site(tmp_path, warehouse)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    assert '<span class="value-number">15,3%</span>' in html  # 15.25 rounded half up, CLDR nl_BE percent
    assert "Werkloosheidsgraad (2023)" in html
    assert "<dt>Streefwaarde</dt><dd>12,0%</dd>" in html
    assert "Lager is beter" in html
    assert "<title>Werk in Roeselare · Roeselare in cijfers</title>" in html


def test_english_site_with_language_en(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    site = build_site(tmp_path, warehouse, language="en")
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert '<span class="value-number">15.3%</span>' in html
    assert "Unemployment rate (2023)" in html
    assert "Lower is better" in html
    assert "Median of peers" in html
    assert "Werkloosheidsgraad" not in html
    assert ">All indicators</a>" in html and ">Sources</a>" in html


def test_indicator_sql_is_shown_escaped(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    html = (build_site(tmp_path, warehouse) / "index.html").read_text(encoding="utf-8")
    assert "100.0 * zoekend / actief AS value FROM werk WHERE actief &gt; 0" in html
    assert "actief > 0" not in html


def test_indicator_sources_show_snapshot_hash_and_attribution(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    html = (build_site(tmp_path, warehouse) / "index.html").read_text(encoding="utf-8")
    sources = html[html.index('<div class="sources">') :]
    assert "<code>data/werk.csv</code>" in sources
    assert "sha256 <code>ab12cd34ef56</code>" in sources
    assert "versie 2, geladen op 15 maart 2024, 1.234 rijen" in sources  # build 3's version 3 is not shown
    assert "Licentie: CC BY 4.0." in sources
    assert "Bron: Steunpunt Werk &amp; VDAB" in sources


def test_report_text_and_names_with_script_are_escaped(tmp_path: Path) -> None:
    names = {**NAMES, HOME: "Roese</script><script>alert(1)</script>lare"}
    make_warehouse(tmp_path / "w.duckdb", names)
    root = tmp_path / "ws"
    root.mkdir()
    workspace = make_workspace(root)
    name = ws.Translated(nl="Werk <script>alert(2)</script>", en="x")
    workspace.indicators["unemployment_rate"] = workspace.indicators["unemployment_rate"].model_copy(
        update={"name": name}
    )
    with query.read_only(tmp_path / "w.duckdb") as con:
        render_site(workspace, con, workspace.site_path, build_id=2)
    for page in workspace.site_path.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page.name
    html = (workspace.site_path / "index.html").read_text(encoding="utf-8")
    assert "<p>Tekst met &lt;script&gt;alert('x')&lt;/script&gt; erin.</p>" in html
    assert "Werk &lt;script&gt;alert(2)&lt;/script&gt; (2023)" in html
    lines = layer_values(chart_spec(html, "chart-2-trend"), 1)
    assert lines[0]["series"] == names[HOME]  # the JSON escapes '<' and still parses to the name


def test_pages_load_nothing_from_the_network(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    site = build_site(tmp_path, warehouse)
    pages = sorted(p.name for p in site.glob("*.html"))
    assert pages == ["bronnen.html", "index.html", "indicatoren.html", "wijzigingen.html"]
    for page in site.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html), page.name
        assert re.findall(r'<script[^>]* src="([^"]+)"', html) == [
            "static/vega.min.js",
            "static/vega-lite.min.js",
            "static/vega-embed.min.js",
            "static/peil.js",
        ]
    for name in (
        "vega.min.js",
        "vega-lite.min.js",
        "vega-embed.min.js",
        "peil.js",
        "peil.css",
        "LICENSE-vega.txt",
    ):
        assert (site / "static" / name).stat().st_size > 0, name


def test_trend_chart_holds_home_peer_median_band_and_region(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    html = (build_site(tmp_path, warehouse) / "index.html").read_text(encoding="utf-8")
    spec = chart_spec(html, "chart-2-trend")
    band = layer_values(spec, 0)
    assert band == [
        {"period": "2022", "series": "Spreiding van vergelijkbare gemeenten", "low": 9.0, "high": 13.0},
        {"period": "2023", "series": "Spreiding van vergelijkbare gemeenten", "low": 10.0, "high": 20.0},
    ]
    lines = {(row["series"], row["period"]): row["value"] for row in layer_values(spec, 1)}
    assert lines == {
        ("Roeselare", "2021"): 14.0,
        ("Roeselare", "2022"): 14.6,
        ("Roeselare", "2023"): 15.25,
        ("Mediaan van vergelijkbare gemeenten", "2022"): 11.0,
        ("Mediaan van vergelijkbare gemeenten", "2023"): 12.0,
        ("Vlaams Gewest", "2022"): 9.0,
        ("Vlaams Gewest", "2023"): 9.5,
    }


def test_comparison_chart_highlights_home_among_peers_compare_and_region(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    html = (build_site(tmp_path, warehouse) / "index.html").read_text(encoding="utf-8")
    spec = chart_spec(html, "chart-2-comparison")
    rows = spec["data"]["values"]  # type: ignore[index]
    assert [(r["name"], r["role"], r["value"]) for r in rows] == [
        ("Kortrijk", "peer", 20.0),
        ("Roeselare", "home", 15.25),
        ("Izegem", "peer", 12.0),
        ("Tielt", "compare", 11.0),
        ("Ieper", "peer", 10.0),
        ("Vlaams Gewest", "region", 9.5),
    ]
    colour = spec["encoding"]["color"]["scale"]  # type: ignore[index]
    assert colour["domain"][0] == "Onze gemeente" and colour["range"][0] == "#c2410c"
    assert (
        '<tr class="home"><th scope="row">Roeselare</th><td>Onze gemeente</td><td class="num">15,3%</td></tr>' in html
    )


def test_chart_directive_places_only_the_trend_chart(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    index = "```chart\nunemployment_rate\n```\n"
    html = (build_site(tmp_path, warehouse, index=index) / "index.html").read_text(encoding="utf-8")
    assert chart_spec(html, "chart-1-trend")["description"] == "Evolutie over alle periodes"
    assert "chart-1-comparison" not in html
    assert "language-sql" not in html


def test_indicator_without_values_in_the_build_says_so(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    workspace = make_workspace(root)
    render_site(workspace, warehouse, workspace.site_path, build_id=3)  # build 3 computed no values
    html = (workspace.site_path / "index.html").read_text(encoding="utf-8")
    assert "Werkloosheidsgraad: geen waarde" in html
    assert "Deze indicator heeft geen waarden in deze build." in html
    assert 'type="application/json" id="chart-' not in html
    assert "versie 3, geladen op 1 april 2024, 1.300 rijen" in html


def test_table_directive_renders_query_result(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    html = (build_site(tmp_path, warehouse) / "index.html").read_text(encoding="utf-8")
    assert '<th scope="col">naam</th><th scope="col">nis</th>' in html
    assert "<tr><td>Vlaams Gewest</td><td>02000</td></tr>" in html
    assert '<pre><code class="language-python">print(&quot;a code block stays a code block&quot;)' in html


def test_table_directive_cuts_at_500_rows_and_says_so(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    index = "```table\nSELECT x, x * 1.5 AS y, x / 3 AS z, DATE '2024-03-15' AS d FROM range(1200) t(x)\n```\n"
    html = (build_site(tmp_path, warehouse, index=index) / "index.html").read_text(encoding="utf-8")
    assert html.count("<tr><td") == 500
    assert (
        '<tr><td class="num">499</td><td class="num">748,5</td><td class="num">166,333</td>'
        "<td>15 maart 2024</td></tr>" in html
    )
    assert "Alleen de eerste 500 rijen worden getoond; de query geeft er meer." in html


def test_unknown_indicator_raises_with_file_line_and_suggestion(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    index = "# Titel\n\nTekst.\n\n```chart\nunemployment_rat\n```\n"
    with pytest.raises(ReportError) as raised:
        build_site(tmp_path, warehouse, index=index)
    assert raised.value.location is not None
    assert (raised.value.location.file, raised.value.location.line) == ("reports/index.md", 5)
    assert "unknown indicator 'unemployment_rat'; did you mean 'unemployment_rate'?" in str(raised.value)


def test_failing_table_query_raises_with_file_and_line(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    index = "Intro\n\n```table\nSELECT naam FROM municipalitie\n```\n"
    with pytest.raises(
        ReportError,
        match=r"(?s)reports/index.md, line 3: the table query fails: .*Did you mean \"municipalities\"",
    ):
        build_site(tmp_path, warehouse, index=index)


def test_table_query_must_be_one_select(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    index = "```table\nCOPY (SELECT 1) TO 'leak.csv'\n```\n"
    with pytest.raises(ReportError, match="line 1: the table query fails: only queries are allowed, not COPY"):
        build_site(tmp_path, warehouse, index=index)


def test_directive_with_words_after_it_raises(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ReportError, match=r"line 1: unexpected 'groot' after 'value'"):
        build_site(tmp_path, warehouse, index="```value groot\nunemployment_rate\n```\n")


def test_sources_page_lists_dataset_snapshots_and_stewardship(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    html = (build_site(tmp_path, warehouse) / "bronnen.html").read_text(encoding="utf-8")
    section = html[html.index('id="bron-werk"') :]
    for text in (
        "Werkloosheid per gemeente",
        "<dt>Eigenaar</dt><dd>Dienst Economie</dd>",
        "<dt>Beheerder</dt><dd>An Peeters</dd>",
        "<dt>Classificatie</dt><dd>openbaar</dd>",
        "<dt>Licentie</dt><dd>CC BY 4.0</dd>",
        "<dt>Naamsvermelding</dt><dd>Bron: Steunpunt Werk &amp; VDAB</dd>",
        '<a href="indicatoren.html#indicator-unemployment_rate">Werkloosheidsgraad</a>',
        "<td>15 mrt 2024, 11:05</td>",  # Belgian time
        '<td class="num">1.234</td>',
        f'<code title="{"c2" * 32}">{"c2" * 6}</code>',
    ):
        assert text in section, text
    assert section.index('2 <span class="badge">huidig</span>') < section.index('<th scope="row">1</th>')
    assert "c3c3c3" not in section  # version 3 belongs to a later build


TRANSLATED_SOURCE = {
    "description": {
        "nl": "Werkzoekenden en beroepsbevolking per gemeente.",
        "en": "Job seekers and labour force per municipality.",
    },
    "update_frequency": {"nl": "jaarlijks", "en": "yearly"},
    "licence": {"nl": "Modellicentie Gratis Hergebruik v1.0", "en": "Flemish model licence for free reuse v1.0."},
    "attribution": {
        "nl": "Bron: Steunpunt Werk, verwerkt door VDAB",
        "en": "Source: Steunpunt Werk, processed by VDAB",
    },
}


def build_with_source(tmp_path: Path, con: duckdb.DuckDBPyConnection, language: str, **fields: object) -> Path:
    """The site of make_workspace's workspace in `language`, with `fields` set in its source's YAML."""
    root = tmp_path / "ws"
    root.mkdir(parents=True)
    make_workspace(root, language)
    path = root / "sources" / "werk.yaml"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **fields}), encoding="utf-8")
    workspace = ws.load(root)
    render_site(workspace, con, workspace.site_path, build_id=2)
    return workspace.site_path


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "nl",
            [
                "<p>Werkzoekenden en beroepsbevolking per gemeente.</p>",
                "<dt>Licentie</dt><dd>Modellicentie Gratis Hergebruik v1.0</dd>",
                "<dt>Naamsvermelding</dt><dd>Bron: Steunpunt Werk, verwerkt door VDAB</dd>",
                "<dt>Bijgewerkt</dt><dd>jaarlijks</dd>",
            ],
            ["Job seekers", "free reuse", "processed by", "yearly"],
        ),
        (
            "en",
            [
                "<p>Job seekers and labour force per municipality.</p>",
                "<dt>Licence</dt><dd>Flemish model licence for free reuse v1.0.</dd>",
                "<dt>Attribution</dt><dd>Source: Steunpunt Werk, processed by VDAB</dd>",
                "<dt>Updated</dt><dd>yearly</dd>",
            ],
            ["Werkzoekenden", "Modellicentie", "verwerkt door", "jaarlijks"],
        ),
    ],
)
def test_sources_page_shows_description_licence_attribution_and_frequency_in_the_page_language(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection, language: str, shown: list[str], hidden: list[str]
) -> None:
    site = build_with_source(tmp_path, warehouse, language, **TRANSLATED_SOURCE)
    section = (site / "bronnen.html").read_text(encoding="utf-8")
    section = section[section.index('id="bron-werk"') :]
    for text in shown:
        assert text in section, text
    for page in ("bronnen.html", "index.html"):
        html = (site / page).read_text(encoding="utf-8")
        for text in hidden:
            assert text not in html, (page, text)


def test_chart_sources_give_licence_and_attribution_in_the_page_language(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    for language, licence, attribution in (
        ("nl", "Licentie: Modellicentie Gratis Hergebruik v1.0.", "Bron: Steunpunt Werk, verwerkt door VDAB"),
        ("en", "Licence: Flemish model licence for free reuse v1.0.", "Source: Steunpunt Werk, processed by VDAB"),
    ):
        site = build_with_source(tmp_path / language, warehouse, language, **TRANSLATED_SOURCE)
        html = (site / "index.html").read_text(encoding="utf-8")
        sources = html[html.index('<div class="sources">') :]
        assert licence in sources and "v1.0.." not in sources, language  # a text's own full stop is not doubled
        assert f'<span class="attribution">{attribution}</span>' in sources, language


def test_sources_page_shows_plain_description_and_frequency_in_every_language(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    plain = {"description": "Werkzoekenden (VDAB) & beroepsbevolking.", "update_frequency": "elk kwartaal"}
    for language in ("nl", "en"):
        site = build_with_source(tmp_path / language, warehouse, language, **plain)
        html = (site / "bronnen.html").read_text(encoding="utf-8")
        assert "<p>Werkzoekenden (VDAB) &amp; beroepsbevolking.</p>" in html, language
        assert "<dd>elk kwartaal</dd>" in html, language
        assert "<dd>CC BY 4.0</dd>" in html and "<dd>Bron: Steunpunt Werk &amp; VDAB</dd>" in html, language


def test_indicators_page_groups_by_theme_and_anchors_each_indicator(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    html = (build_site(tmp_path, warehouse) / "indicatoren.html").read_text(encoding="utf-8")
    assert '<h2 id="theme-1">werk</h2>' in html
    assert '<section class="indicator" id="indicator-unemployment_rate"' in html
    assert '<a href="indicatoren.html#indicator-unemployment_rate">Werkloosheidsgraad</a>' in html
    assert '<a href="indicatoren.html" aria-current="page">Alle indicatoren</a>' in html


def test_without_index_report_an_overview_is_the_index(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    workspace = make_workspace(root)
    (root / "reports" / "index.md").rename(root / "reports" / "werk.md")
    workspace = ws.load(root)
    pages = render_site(workspace, warehouse, workspace.site_path, build_id=2)
    assert [p.name for p in pages] == [
        "index.html",
        "werk.html",
        "indicatoren.html",
        "bronnen.html",
        "wijzigingen.html",
    ]
    html = (workspace.site_path / "index.html").read_text(encoding="utf-8")
    assert '<li><a href="werk.html">Werk in Roeselare</a></li>' in html
    assert '<td class="num">15,3%</td>' in html


def test_region_missing_from_the_entities_is_called_region(tmp_path: Path) -> None:
    make_warehouse(tmp_path / "w.duckdb", {code: name for code, name in NAMES.items() if code != REGION})
    root = tmp_path / "ws"
    root.mkdir()
    workspace = make_workspace(root)
    with query.read_only(tmp_path / "w.duckdb") as con:
        render_site(workspace, con, workspace.site_path, build_id=2)
    html = (workspace.site_path / "index.html").read_text(encoding="utf-8")
    rows = chart_spec(html, "chart-2-comparison")["data"]["values"]  # type: ignore[index]
    assert rows[-1] == {"name": "Regio", "role": "region", "group": "Regio", "value": 9.5}


def test_peer_query_is_resolved_without_the_home_municipality(warehouse: duckdb.DuckDBPyConnection) -> None:
    project = ws.Project(
        name="x",
        municipality=HOME,
        region=REGION,
        peers=ws.PeerQuery(sql="SELECT nis FROM municipalities WHERE nis LIKE '36%' ORDER BY nis"),
        compare=["36008", "37002"],
        entities=ws.Entities(relation="municipalities", code="nis", name="naam"),
    )
    cohort = load_cohort(warehouse, project)
    assert cohort.peers == ("36007", "36008", "36019")
    assert cohort.compare == ("37002",)
    assert cohort.codes == (HOME, "36007", "36008", "36019", "37002", REGION)
    assert cohort.name("36019") == "Izegem"


def test_failing_peer_query_names_peil_yaml(warehouse: duckdb.DuckDBPyConnection) -> None:
    peers = ws.PeerQuery(sql="SELECT nope FROM municipalities")
    project = ws.Project(name="x", municipality=HOME, region=None, peers=peers)
    with pytest.raises(ReportError, match=r"peil.yaml, field 'peers.sql': the peer query fails"):
        load_cohort(warehouse, project)


def test_series_band_latest_period_and_bars() -> None:
    series = Series("x", {"a": {"2022": 1.0, "2023": 2.0}, "p": {"2023": 4.0}, "q": {"2023": 8.0, "2024": 3.0}})
    cohort = Cohort("a", peers=("p", "q"), region=None, names={"a": "A"})
    assert [(b.period, b.median, b.low, b.high, b.count) for b in series.band(cohort.peers)] == [
        ("2023", 6.0, 4.0, 8.0, 2),
        ("2024", 3.0, 3.0, 3.0, 1),
    ]
    assert series.latest_period(cohort) == "2023"  # the home municipality's latest, not the peers'
    assert [(b.name, b.role) for b in series.bars(cohort, "2023")] == [
        ("q", "peer"),
        ("p", "peer"),
        ("A", "home"),
    ]
    assert Series("x").latest_period(cohort) is None


def test_rerender_removes_stale_files(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    site = build_site(tmp_path, warehouse)
    (site / "old-report.html").write_text("stale", encoding="utf-8")
    workspace = ws.load(tmp_path / "ws")
    render_site(workspace, warehouse, site, build_id=2)
    assert not (site / "old-report.html").exists()
    assert (site / "index.html").is_file()
    assert sorted(p.name for p in site.parent.iterdir()) == sorted(
        ["peil.yaml", "sources", "indicators", "reports", "site"]
    )


def test_failed_render_leaves_previous_site(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    site = build_site(tmp_path, warehouse)
    before = (site / "index.html").read_text(encoding="utf-8")
    (tmp_path / "ws" / "reports" / "index.md").write_text("```value\nnope\n```\n", encoding="utf-8")
    with pytest.raises(ReportError):
        render_site(ws.load(tmp_path / "ws"), warehouse, site, build_id=2)
    assert (site / "index.html").read_text(encoding="utf-8") == before


def test_refuses_to_replace_a_folder_peil_did_not_write(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    workspace = make_workspace(root)
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(ReportError, match="refusing to replace"):
        render_site(workspace, warehouse, out, build_id=2)
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_report_may_not_take_a_generated_page_name(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    make_workspace(root)
    (root / "reports" / "bronnen.md").write_text("# Mijn bronnen\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"reports/bronnen.md: a report may not be named 'bronnen'"):
        render_site(ws.load(root), warehouse, root / "site", build_id=2)


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """`site` served by make_server on a free loopback port, as its base URL; stopped afterwards."""
    server = make_server(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def status(url: str) -> tuple[int, str]:
    """The status and body of a GET, following redirects; an error status is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_serve_serves_the_site_on_loopback(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    with serving(build_site(tmp_path, warehouse)) as base:
        with urllib.request.urlopen(f"{base}/index.html", timeout=5) as response:
            assert response.status == 200
            assert "15,3%" in response.read().decode("utf-8")
        with urllib.request.urlopen(f"{base}/static/vega.min.js", timeout=5) as response:
            assert response.headers["Content-Type"] == "text/javascript"


def test_serve_answers_a_folder_without_index_html_with_404_not_a_listing(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    site = build_site(tmp_path, warehouse)
    with serving(site) as base:
        root, listing, redirected, asset, missing = (
            status(f"{base}{path}") for path in ("/", "/static/", "/static", "/static/peil.css", "/static/nope.js")
        )
    assert root[0] == 200 and "15,3%" in root[1]
    assert listing[0] == 404 and "vega.min.js" not in listing[1] and "Directory listing" not in listing[1]
    assert redirected[0] == 404 and "vega.min.js" not in redirected[1]
    assert asset[0] == 200 and asset[1] == (site / "static" / "peil.css").read_text(encoding="utf-8")
    assert missing[0] == 404


def test_serve_without_a_built_site_says_run_build(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="Run `peil build` first"):
        make_server(tmp_path / "site", port=0)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(profile: Path, *args: str) -> str:
    """Headless chromium with every network request sent to a closed port; returns what it prints."""
    assert CHROMIUM is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    flags += ["--disable-component-update", "--disable-sync", "--no-first-run", "--proxy-server=127.0.0.1:9"]
    flags += [f"--user-data-dir={profile}", "--virtual-time-budget=10000", "--window-size=1000,2400"]
    result = subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs a chromium browser")
def test_charts_render_offline_in_a_browser(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    """Chromium opens index.html from disk with the network cut off; vega-embed draws both charts as SVG."""
    page = (build_site(tmp_path, warehouse) / "index.html").as_uri()
    dom = run_chromium(tmp_path / "profile", "--dump-dom", page)
    containers = re.findall(r'<div class="(vega [^"]*)" data-vega-spec="(chart-2-\w+)"', dom)
    assert containers == [
        ("vega vega-embed fit-x rendered", "chart-2-trend"),
        ("vega vega-embed fit-x rendered", "chart-2-comparison"),
    ]
    assert dom.count('class="marks"') == 2  # the SVG root vega draws
    assert ">Vlaams Gewest</text>" in dom
    screenshot = tmp_path / "index.png"
    run_chromium(tmp_path / "profile", f"--screenshot={screenshot}", page)
    assert screenshot.read_bytes().startswith(b"\x89PNG")


def test_table_cells_show_fractions_in_the_page_language_and_years_and_codes_as_they_are(
    tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    select = "SELECT 0.8::DOUBLE AS fte, 1234.5 AS bedrag, 0.80::DECIMAL(4, 2) AS d, 2024 AS jaar, 36015 AS nis"
    index = f"```table\n{select}\n```\n"
    shown = {}
    for language in ("nl", "en"):
        (tmp_path / language).mkdir()
        site = build_site(tmp_path / language, warehouse, index=index, language=language)
        shown[language] = (site / "index.html").read_text(encoding="utf-8")
    cells = '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">2024</td>'
    cells += '<td class="num">{}</td></tr>'
    assert cells.format("0,8", "1.234,5", "0,80", "36015") in shown["nl"]
    assert cells.format("0.8", "1,234.5", "0.80", "36015") in shown["en"]


def test_the_footer_says_the_build_time_is_belgian_time(tmp_path: Path, warehouse: duckdb.DuckDBPyConnection) -> None:
    html = (build_site(tmp_path, warehouse) / "index.html").read_text(encoding="utf-8")
    assert "Build 2 van 15 mrt 2024, 11:05 CET." in html  # started 10:05 UTC
    assert "Tijden zijn in Belgische tijd." in html
