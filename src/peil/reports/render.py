"""Render the site: reports/*.md through markdown-it (with the peil directives) and Jinja2 templates to HTML.

One page per report (reports/index.md -> index.html), plus ``indicatoren.html`` (every indicator, grouped by
theme) and ``bronnen.html`` (every dataset with its snapshots, licence and who answers for it). When there is
no reports/index.md, index.html is a generated overview. A workspace with questions also gets ``vragen.html``
and a page per question (:mod:`peil.reports.questions`). The placement syntax is described in
:mod:`peil.reports`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import json
import math
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup, escape

from peil import query
from peil.diff import Cell, Key, Row, SnapshotDiff, diff_snapshots
from peil.errors import Location, QueryError, ReportError, StoreError
from peil.messages import Problem, in_words
from peil.quality.mask import mask_shown
from peil.questions import Run
from peil.reports import charts, i18n, quality, questions, scan
from peil.reports.data import (
    Band,
    Bar,
    Build,
    Cohort,
    Point,
    Series,
    Snapshot,
    load_build,
    load_cohort,
    load_series,
    load_snapshots,
)
from peil.workspace import Indicator, Language, Report, Source, Translated, Workspace

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
MARKER = ".peil-site"
INDICATORS_PAGE = "indicatoren"
SOURCES_PAGE = "bronnen"
CHANGES_PAGE = "wijzigingen"
CHANGES_SAMPLE = 20  # changed cells, added and removed keys shown per dataset on the changes page
DIRECTIVES = ("indicator", "chart", "table", "value", "scan")
MAX_TABLE_ROWS = 500
MarkdownEnv = MutableMapping[str, Any]


@dataclass(frozen=True)
class SourceView:
    """A dataset an indicator is computed from: its declaration (None when no source declares it) and its
    current snapshot (None when it was never loaded)."""

    name: str
    source: Source | None
    snapshot: Snapshot | None


@dataclass(frozen=True)
class IndicatorView:
    """Everything an indicator block shows, unformatted; the templates format it in the page language."""

    indicator: Indicator
    home_name: str
    region_name: str | None
    latest: Point | None
    latest_period: str | None
    trend: list[Point]
    band: list[Band]
    region: list[Point]
    bars: list[Bar]
    trend_spec: charts.Spec | None
    comparison_spec: charts.Spec | None
    sources: list[SourceView]

    def trend_rows(self) -> list[tuple[str, float | None, float | None, float | None]]:
        """(period, home value, peer median, region value) per period, oldest first, for the chart's table."""
        home = {p.period: p.value for p in self.trend}
        median = {b.period: b.median for b in self.band}
        region = {p.period: p.value for p in self.region}
        periods = sorted(home.keys() | median.keys() | region.keys())
        return [(p, home.get(p), median.get(p), region.get(p)) for p in periods]


@dataclass(frozen=True)
class NavItem:
    href: str
    title: str


@dataclass
class Page:
    """A page to write: its file name in the site and its HTML."""

    filename: str
    title: str
    html: str = ""


@dataclass
class Site:
    """The data every page of one build's site draws on, read once from the warehouse."""

    workspace: Workspace
    con: duckdb.DuckDBPyConnection
    build_id: int
    cohort: Cohort
    build: Build | None
    snapshots: dict[str, list[Snapshot]]
    views: dict[str, IndicatorView] = field(default_factory=dict)
    question_runs: dict[str, Run] = field(default_factory=dict)

    @property
    def language(self) -> Language:
        return self.workspace.project.language


def render_site(
    workspace: Workspace,
    con: duckdb.DuckDBPyConnection,
    out: Path,
    build_id: int,
    question_runs: Mapping[str, Run] | None = None,
) -> list[Path]:
    """Write the site for build `build_id` into the folder `out` and return the pages written (HTML files).

    The site is rendered in full first, written to a new folder beside `out`, and then put in its place, so
    a failed render leaves the previous site as it was. `out` is replaced only when it is missing, empty, or
    a site peil wrote before. `con` is a read-only connection to the warehouse.

    Raises ReportError naming the report file and line for a directive that places an unknown indicator, a
    failing or non-SELECT query, or malformed content; and when `out` holds files peil did not write.
    """
    site = load_site(workspace, con, build_id)
    site.question_runs = dict(question_runs or {})
    renderer = Renderer(site)
    pages = renderer.render_pages()
    return write_site(out, pages, build_id)


def load_site(workspace: Workspace, con: duckdb.DuckDBPyConnection, build_id: int) -> Site:
    """Read the cohort, the build, the snapshots and every indicator's values for build `build_id`."""
    gettext = i18n.translations(workspace.project.language).gettext
    cohort = load_cohort(con, workspace.project)
    if cohort.region and cohort.region not in cohort.names:  # entities often list municipalities only
        cohort = replace(cohort, names={**cohort.names, cohort.region: gettext("Region")})
    site = Site(workspace, con, build_id, cohort, load_build(con, build_id), load_snapshots(con, build_id))
    series = load_series(con, build_id, cohort.codes)
    for indicator_id, indicator in workspace.indicators.items():
        found = series.get(indicator_id, Series(indicator_id))
        site.views[indicator_id] = indicator_view(site, indicator, found, gettext)
    return site


def indicator_view(site: Site, indicator: Indicator, series: Series, gettext: charts.Gettext) -> IndicatorView:
    """An indicator's values arranged for its block: trend, peer band, region, latest comparison, sources."""
    cohort = site.cohort if indicator.compare_region else replace(site.cohort, region=None)
    trend = series.trend(cohort.home)
    band = series.band(cohort.peers)
    region = series.trend(cohort.region) if cohort.region else []
    period = series.latest_period(cohort)
    bars = series.bars(cohort, period) if period else []
    latest = next((p for p in reversed(trend) if p.period == period), None)
    unit, decimals = indicator.unit, indicator.decimals
    trend_spec = (
        charts.trend_spec(cohort, trend, band, region, unit, decimals, gettext) if trend or band or region else None
    )
    comparison_spec = charts.comparison_spec(bars, unit, decimals, gettext) if bars else None
    sources = [
        SourceView(name, site.workspace.sources.get(name), next(iter(site.snapshots.get(name, [])), None))
        for name in indicator.sources
    ]
    return IndicatorView(
        indicator=indicator,
        home_name=cohort.name(cohort.home),
        region_name=cohort.name(cohort.region) if cohort.region else None,
        latest=latest,
        latest_period=period,
        trend=trend,
        band=band,
        region=region,
        bars=bars,
        trend_spec=trend_spec,
        comparison_spec=comparison_spec,
        sources=sources,
    )


class Renderer:
    """Turns a loaded site into pages: Markdown with directives for the reports, templates for the rest."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.env = environment(site.language, site.workspace.root, site.workspace.project.themes)
        self.blocks = self.env.get_template("blocks.html").module
        self.markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

        def fence(html: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
            return self._fence(html, tokens, idx, options, env)

        # markdown-it binds the rule to its renderer, which comes in as `html`
        self.markdown.add_render_rule("fence", fence)

    def render_pages(self) -> list[Page]:
        """Every page of the site, rendered in memory. Raises ReportError for a bad directive."""
        workspace = self.site.workspace
        gettext = i18n.translations(self.site.language).gettext
        for name in (INDICATORS_PAGE, SOURCES_PAGE, CHANGES_PAGE, questions.INDEX_PAGE, quality.PAGE):
            if name in workspace.reports:
                raise ReportError(
                    f"a report may not be named '{name}': the site has a generated page of that name",
                    Location(file=self._relative(workspace.reports[name].path)),
                    hint="Rename the report file.",
                )
        reports = sorted(workspace.reports.values(), key=lambda r: (r.name != "index", r.name))
        parsed = [(report, self.markdown.parse(report.text, {"report": report})) for report in reports]
        pages = [
            Page(_filename(r.name), _title(tokens) or r.name.replace("_", " ").capitalize()) for r, tokens in parsed
        ]
        if "index" not in workspace.reports:
            pages.insert(0, Page("index.html", gettext("Overview")))
        pages += [
            Page(f"{INDICATORS_PAGE}.html", gettext("All indicators")),
            Page(f"{SOURCES_PAGE}.html", gettext("Sources")),
        ]
        asked = questions.views(self.site.question_runs, self.site.con, self.site.language, gettext)
        if asked:
            pages.append(Page(f"{questions.INDEX_PAGE}.html", gettext("Questions")))
        diffs = self._diffs()
        if diffs:
            pages.append(Page(f"{CHANGES_PAGE}.html", gettext("Changes")))
        checked = quality.views(self.site.con, workspace, self.site.build_id, gettext)
        if checked:
            pages.append(Page(f"{quality.PAGE}.html", gettext("Quality")))
        nav = [NavItem(quote(p.filename), p.title) for p in pages]
        by_name = {p.filename: p for p in pages}
        for report, tokens in parsed:
            page = by_name[_filename(report.name)]
            env = {"report": report, "ids": itertools.count(1)}
            # safe: markdown-it escapes the author's text (html off); directives are autoescaped templates
            body = Markup(self.markdown.renderer.render(tokens, self.markdown.options, env))
            page.html = self._page("report.html", page, nav, body=body)
        themes = self._themes()
        if "index" not in workspace.reports:
            page = by_name["index.html"]
            listed = nav[1 : 1 + len(parsed)]  # the overview comes first, then the reports
            page.html = self._page("overview.html", page, nav, reports=listed, themes=themes)
        page = by_name[f"{INDICATORS_PAGE}.html"]
        page.html = self._page("indicators.html", page, nav, themes=themes)
        page = by_name[f"{SOURCES_PAGE}.html"]
        page.html = self._page("sources.html", page, nav, datasets=self._datasets())
        if diffs:
            page = by_name[f"{CHANGES_PAGE}.html"]
            page.html = self._page("changes.html", page, nav, diffs=diffs)
        if checked:
            page = by_name[f"{quality.PAGE}.html"]
            page.html = self._page("quality.html", page, nav, datasets=checked)
        if asked:
            page = by_name[f"{questions.INDEX_PAGE}.html"]
            page.html = self._page("questions.html", page, nav, questions=asked)
        for view in asked:
            page = Page(view.filename, view.question.question)
            page.html = self._page("question.html", page, nav, view=view)
            pages.append(page)
        return pages

    def _page(self, template: str, page: Page, nav: list[NavItem], **context: Any) -> str:
        site = self.site
        project = site.workspace.project
        return self.env.get_template(template).render(
            language=site.language,
            page=page,
            nav=nav,
            current=quote(page.filename),
            site_title=project.title or project.name,
            home_name=site.cohort.name(site.cohort.home),
            build=site.build,
            build_id=site.build_id,
            format_locale=i18n.vega_format_locale(site.language),
            **context,
        )

    def _themes(self) -> list[tuple[str, list[IndicatorView]]]:
        """The indicators grouped by theme, themes and indicators in alphabetical order of their names."""
        language = self.site.language
        views = sorted(self.site.views.values(), key=lambda v: v.indicator.name.get(language).lower())
        themes = sorted({v.indicator.theme for v in views}, key=str.lower)
        return [(theme, [v for v in views if v.indicator.theme == theme]) for theme in themes]

    def _datasets(self) -> list[tuple[str, Source, list[Snapshot], list[Indicator]]]:
        """Every declared dataset with its snapshots (newest first) and the indicators computed from it."""
        site = self.site
        indicators = site.workspace.indicators.values()
        return [
            (name, source, site.snapshots.get(name, []), [i for i in indicators if name in i.sources])
            for name, source in sorted(site.workspace.sources.items())
        ]

    def _diffs(self) -> list[tuple[str, Source | None, SnapshotDiff | str]]:
        """Per dataset with two or more snapshots up to this build: its current snapshot compared with the one
        before, or why they cannot be compared (a snapshot's table is missing), so the site is still written."""
        site = self.site
        diffs: list[tuple[str, Source | None, SnapshotDiff | str]] = []
        for name, snapshots in sorted(site.snapshots.items()):
            if len(snapshots) < 2:
                continue
            try:
                result: SnapshotDiff | str = diff_snapshots(
                    site.con, name, snapshots[1].version, snapshots[0].version, CHANGES_SAMPLE
                )
            except StoreError as exc:
                result = exc.message
            source = site.workspace.sources.get(name)
            diffs.append((name, source, _masked(result, source) if isinstance(result, SnapshotDiff) else result))
        return diffs

    def _fence(self, html: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: MarkdownEnv) -> str:
        """markdown-it's fence rule: a directive block becomes its HTML, any other fence a code block."""
        token = tokens[idx]
        words = token.info.split()
        if not words or words[0] not in DIRECTIVES:
            return html.fence(tokens, idx, options, env)
        report: Report = env["report"]
        location = Location(file=self._relative(report.path), line=token.map[0] + 1 if token.map else None)
        if len(words) > 1:
            raise ReportError(
                f"unexpected '{' '.join(words[1:])}' after '{words[0]}'",
                location,
                hint=f"Write the {words[0]} block's content on the lines between the fences.",
            )
        if words[0] == "scan":
            return scan.render_block(self.env, self.site.workspace.root, token.content, location)
        macro = getattr(self.blocks, words[0])  # blocks.html has a macro named after each directive
        if words[0] == "table":
            return str(macro(self._query(token.content, location)))
        return str(macro(self._view(token.content, words[0], location), f"chart-{next(env['ids'])}"))

    def _view(self, content: str, directive: str, location: Location) -> IndicatorView:
        ids = content.split()
        views = self.site.views
        if len(ids) != 1:
            raise ReportError(
                f"a '{directive}' block holds one indicator id, found {len(ids)}",
                location,
                hint="Write one indicator id between the fences; use one block per indicator.",
            )
        if ids[0] not in views:
            guess = difflib.get_close_matches(ids[0], views, n=1)
            raise ReportError(
                f"unknown indicator '{ids[0]}'" + (f"; did you mean '{guess[0]}'?" if guess else ""),
                location,
                hint="Indicators: " + (", ".join(sorted(views)) or "none; add one in indicators/") + ".",
            )
        return views[ids[0]]

    def _query(self, sql: str, location: Location) -> query.Result:
        try:
            return query.run(self.site.con, sql, limit=MAX_TABLE_ROWS)
        except QueryError as exc:
            raise ReportError(
                f"the table query fails: {exc.message}",
                location,
                hint="A table block holds one SELECT over datasets and models; try it with `peil sql`.",
            ) from None

    def _relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.site.workspace.root))
        except ValueError:
            return str(path)


def environment(language: Language, root: Path, themes: dict[str, Translated]) -> Environment:
    """The Jinja2 environment: templates from reports/templates, autoescaped, translated into `language`,
    with filters that format values in the language's conventions."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_filters(language, root, themes))
    return env


def _filters(language: Language, root: Path, themes: dict[str, Translated]) -> dict[str, Callable[..., str]]:
    gettext = i18n.translations(language).gettext

    def text(value: str | Translated | None) -> str:
        return value.get(language) if isinstance(value, Translated) else (value or "")

    def theme(key: str) -> str:
        """A theme's label from peil.yaml `themes`, or its key when it has none."""
        return themes[key].get(language) if key in themes else key

    def indicator_value(value: float, indicator: Indicator) -> str:
        return i18n.format_value(value, indicator.unit, language, indicator.decimals)

    def listed(items: Iterable[str]) -> Markup:
        """Texts as a list in the language: 'a, b en c'; each escaped unless it is Markup already (a translated
        text), so none is escaped twice."""
        return Markup(format_list([str(escape(item)) for item in items], locale=i18n.LOCALES[language]))

    def cell(value: object) -> str:
        """A value in a table: numbers with a fraction (float, Decimal) and dates in the language's style (0,8 in
        Dutch); whole numbers as they are, for they are often years or codes (2024, 36015); anything else as text."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int):
            return str(value)
        if isinstance(value, Decimal):
            exponent = value.as_tuple().exponent
            return i18n.format_number(value, language, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
        if isinstance(value, float):
            return i18n.format_number(value, language, _decimals_shown(value))
        if isinstance(value, dt.datetime):
            return i18n.format_datetime(value, language)
        if isinstance(value, dt.date):
            return i18n.format_date(value, language)
        return str(value)

    def say(problem: Problem) -> str:
        """A problem or remark (peil.quality.problems) in the language's words."""
        return in_words(problem, gettext, i18n.LOCALES[language])

    def site_path(path: str) -> str:
        """A snapshot file's path, relative to the workspace when it lies inside it."""
        try:
            return str(Path(path).relative_to(root))
        except ValueError:
            return path

    return {
        "text": text,
        "theme": theme,
        "indicator_value": indicator_value,
        "number": lambda value, decimals=0: i18n.format_number(value, language, decimals),
        "date": lambda value: i18n.format_date(value, language),
        "datetime": lambda value, zone=False: i18n.format_datetime(value, language, zone),
        "cell": cell,
        "exact": lambda value: cell(_exact(value)),
        "say": say,
        "listed": listed,
        "site_path": site_path,
        "short_hash": lambda digest: digest[:12],
        "significant": lambda value: i18n.format_number(value, language, i18n.significant_decimals((value,))),
    }


def _exact(value: object) -> object:
    """A finite float as the Decimal of its shortest repr, so the `cell` filter shows every digit it has (0.8 as
    0,8 in Dutch, 1.0000000001 not rounded); any other value as it is."""
    return Decimal(repr(value)) if isinstance(value, float) and math.isfinite(value) else value


def _decimals_shown(value: float) -> int:
    """How many fraction digits a float in a table shows: as many as it has, at most 3."""
    text = f"{value:.3f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _filename(report_name: str) -> str:
    return f"{report_name}.html"


def _title(tokens: list[Token]) -> str | None:
    """The text of the report's first level-1 heading, if it has one."""
    for token, following in itertools.pairwise(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return "".join(child.content for child in following.children or [])
    return None


def write_site(out: Path, pages: list[Page], build_id: int) -> list[Path]:
    """Write `pages` and the static files into a new folder beside `out`, then swap it into place.

    Raises ReportError when `out` exists and is not a site peil wrote (no .peil-site marker) nor empty.
    """
    out = out.absolute()
    if out.exists() and not _replaceable(out):
        raise ReportError(
            f"refusing to replace {out}: it holds files peil did not write",
            hint="Choose an empty or new folder for the site, or remove this one.",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a web server must be able to read the site
        shutil.copytree(STATIC_DIR, staging / "static")
        for page in pages:
            (staging / page.filename).write_text(page.html, encoding="utf-8")
        (staging / MARKER).write_text(json.dumps({"build_id": build_id}) + "\n", encoding="utf-8")
        _swap(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return [out / page.filename for page in pages]


def _replaceable(out: Path) -> bool:
    return out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir()))


def _swap(new: Path, out: Path) -> None:
    """Put the folder `new` at `out`; the old `out`, if any, is moved aside first and removed after."""
    if not out.exists():
        new.rename(out)
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    out.rename(old)
    try:
        new.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old)


def _masked(result: SnapshotDiff, source: Source | None) -> SnapshotDiff:
    """The diff as the published changes page may show it: for a source classified personal, special_category or
    confidential (unknown: treated as personal) its keys masked as identifiers, and the values of columns that
    suggest a person masked (peil.quality.mask)."""
    classification = source.classification if source else "personal"
    diff = result.diff

    def key(value: Key) -> Key:
        pairs = zip(diff.key, diff.key_values(value), strict=True)
        masked = tuple(mask_shown(classification, column, v, key=True) for column, v in pairs)
        return masked if len(diff.key) > 1 else masked[0]

    def row(found: Row) -> Row:
        pairs = zip(diff.columns, found.values, strict=True)
        return replace(found, values=tuple(mask_shown(classification, column, v) for column, v in pairs))

    def cell(found: Cell) -> Cell:
        old, new = (mask_shown(classification, found.column, v) for v in (found.old, found.new))
        return found._replace(key=key(found.key), old=old, new=new)

    masked = replace(
        diff,
        cells=tuple(cell(c) for c in diff.cells),
        added_keys=tuple(key(k) for k in diff.added_keys),
        removed_keys=tuple(key(k) for k in diff.removed_keys),
        duplicates={key(k): counts for k, counts in diff.duplicates.items()},
        added_rows=tuple(row(r) for r in diff.added_rows),
        removed_rows=tuple(row(r) for r in diff.removed_rows),
    )
    return replace(result, diff=masked)
