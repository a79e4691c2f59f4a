"""The quality page of the site, ``kwaliteit.html``: per dataset its checks in plain words, their result in this
build, the quality score over the builds as a small chart, and the steward to contact.

Everything comes from meta.check_results and meta.quality_scores (peil.quality.run), as recorded by the builds
up to the one rendered. Failing examples are shown as recorded: masked for personal data. Their reasons are
recorded as short English codes (peil.quality.compile: 'null', 'below minimum', 'not in <dataset>', ...) and shown
here in the page language (peil.quality.problems.reason_text); a reason a custom SQL check returns is shown as its
author wrote it. A value of a number field reads in the page's style (-6,0 in Dutch).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb
from babel.numbers import format_decimal
from pydantic import ValidationError

from peil.messages import say
from peil.quality.declarations import Threshold
from peil.quality.problems import reason_text
from peil.reports import i18n
from peil.reports.charts import COLOURS, Gettext, Spec
from peil.workspace import Language, Source, Workspace

PAGE = "kwaliteit"
TREND_HEIGHT = 120


@dataclass(frozen=True)
class CheckView:
    """One check's result in the build: what it checks (in the page language) and what it found."""

    name: str
    severity: str
    description: str
    rows_checked: int
    rows_failing: int | None
    percent_valid: float
    passed: bool
    threshold: str | None
    message: str | None
    examples: list[dict[str, Any]]


@dataclass(frozen=True)
class DatasetView:
    """A dataset's quality in the build: its declaration, score, rows held back, checks and score trend."""

    name: str
    source: Source | None
    score: float | None
    rows: int
    rows_held: int
    checks: list[CheckView]
    trend: list[tuple[int, float]]
    trend_spec: Spec | None


def views(con: duckdb.DuckDBPyConnection, workspace: Workspace, build_id: int, gettext: Gettext) -> list[DatasetView]:
    """Every dataset with check results in build `build_id`, by name; empty for a warehouse without them."""
    language = workspace.project.language
    try:
        scores = con.execute(
            "SELECT dataset, score, rows, rows_held FROM meta.quality_scores WHERE build_id = ? ORDER BY dataset",
            [build_id],
        ).fetchall()
    except duckdb.CatalogException:
        return []
    found = []
    for dataset, score, rows, rows_held in scores:
        trend = _trend(con, dataset, build_id)
        source = workspace.sources.get(dataset)
        numbers = {f.name for f in source.table_schema.fields if f.type == "number"} if source else set()
        found.append(
            DatasetView(
                name=dataset,
                source=source,
                score=score,
                rows=int(rows),
                rows_held=int(rows_held),
                checks=_checks(con, dataset, build_id, language, gettext, numbers),
                trend=trend,
                trend_spec=trend_spec(trend, gettext) if len(trend) > 1 else None,
            )
        )
    return found


def _checks(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    build_id: int,
    language: Language,
    gettext: Gettext,
    numbers: set[str],
) -> list[CheckView]:
    """The checks' results in the build; an example's value in one of the `numbers` fields as a number."""
    description = "description_nl" if language == "nl" else "description_en"
    rows = con.execute(
        f"SELECT check_name, severity, {description}, rows_checked, rows_failing, percent_valid, passed, "  # noqa: S608
        "threshold, message, examples, detail FROM meta.check_results WHERE build_id = ? AND dataset = ? "
        "ORDER BY passed, severity, check_name",
        [build_id, dataset],
    ).fetchall()
    return [
        CheckView(
            name=str(name),
            severity=str(severity),
            description=str(text),
            rows_checked=int(checked),
            rows_failing=failing,
            percent_valid=float(valid),
            passed=bool(passed),
            threshold=_threshold(threshold, gettext, language),
            message=_message(message, json.loads(detail), gettext, language),
            examples=[_example(e, gettext, numbers) for e in json.loads(examples)],
        )
        for name, severity, text, checked, failing, valid, passed, threshold, message, examples, detail in rows
    ]


def _threshold(recorded: str | None, gettext: Gettext, language: Language) -> str | None:
    """A check's threshold, recorded as JSON ({"rows": 5} or {"percent": 2.5}, see Threshold), in the page
    language: '5 rijen', '2,5%' in Dutch. A threshold an older peil recorded as English text is shown as it is."""
    if recorded is None:
        return None
    try:
        threshold = Threshold.model_validate_json(recorded)
    except ValidationError:
        return recorded
    if threshold.rows is None:
        return f"{format_decimal(threshold.percent or 0, locale=i18n.LOCALES[language])}%"
    if threshold.rows == 1:
        return gettext("1 row")
    return gettext("%(count)s rows") % {"count": i18n.format_number(threshold.rows, language)}


def _example(example: dict[str, Any], gettext: Gettext, numbers: set[str]) -> dict[str, Any]:
    """A failing row's example as shown: its reason in words, its value a number when its field holds numbers."""
    value = example.get("value")
    shown = i18n.as_number(value) if example.get("column") in numbers else value
    return {**example, "value": shown, "reason": reason_text(example.get("reason"), gettext)}


def _message(message: str | None, detail: dict[str, Any], gettext: Gettext, language: Language) -> str | None:
    """Why a table check failed, in the page language; as recorded (English) by a build before problems were kept."""
    if "problems" not in detail:
        return message
    return say(detail["problems"], gettext, i18n.LOCALES[language])


def _trend(con: duckdb.DuckDBPyConnection, dataset: str, build_id: int) -> list[tuple[int, float]]:
    rows = con.execute(
        "SELECT build_id, score FROM meta.quality_scores WHERE dataset = ? AND build_id <= ? AND score IS NOT NULL "
        "ORDER BY build_id",
        [dataset, build_id],
    ).fetchall()
    return [(int(b), float(s)) for b, s in rows]


def trend_spec(trend: list[tuple[int, float]], gettext: Gettext) -> Spec:
    """A small line chart of the quality score (0-100) per build. Data rows are {"build", "score"}."""
    return {
        "description": gettext("Quality score per build"),
        "width": "container",
        "height": TREND_HEIGHT,
        "data": {"values": [{"build": b, "score": s} for b, s in trend]},
        "mark": {"type": "line", "point": True, "color": COLOURS["home"]},
        "encoding": {
            "x": {"field": "build", "type": "ordinal", "title": gettext("Build"), "axis": {"labelAngle": 0}},
            "y": {
                "field": "score",
                "type": "quantitative",
                "title": gettext("Score"),
                "scale": {"domain": [0, 100]},
            },
            "tooltip": [
                {"field": "build", "title": gettext("Build")},
                {"field": "score", "title": gettext("Score"), "format": ",.1f"},
            ],
        },
    }
