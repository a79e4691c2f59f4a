"""The question pages of the site: ``vragen.html`` lists the questions, ``vraag-<id>.html`` shows one.

A question's page holds its answer as a histogram with the 90% interval marked, the factor tree as an inline
SVG laid out here (no script needed to see it), what drives the uncertainty (a tornado chart, and the factors
to measure first with the expected narrowing of the 90% interval), every factor with its estimate and source or
its data, and the recorded runs: how the answer narrowed as data came in. The run shown is the build's, made
with a fixed seed, so the page stays the same while the question and its data do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from peil.questions import Question, Run, RunRecord, Sensitivity, analyse, runs
from peil.questions.model import Factor
from peil.questions.sensitivity import FactorSensitivity
from peil.reports import i18n
from peil.reports.charts import COLOURS, HEIGHT, MEDIAN_COLOUR, Gettext, Spec, axis_format, number_format
from peil.workspace import Language

INDEX_PAGE = "vragen"
PAGE_PREFIX = "vraag-"
TORNADO_FACTORS = 12
MEASURE_FIRST = 5
NOTABLE_NARROWING = 0.005  # measuring a factor that narrows the 90% interval by less is not advised
INTERVAL_COLOUR = "#f4d9c6"
LOW_COLOUR, HIGH_COLOUR = COLOURS["compare"], COLOURS["home"]
# The histogram's rules: colour and dash pattern of each statistic it marks.
RULES = {
    "p5": (COLOURS["home"], [4, 3]),
    "median": (COLOURS["home"], [1, 0]),
    "p95": (COLOURS["home"], [4, 3]),
    "threshold": (COLOURS["compare"], [2, 2]),
}

# The factor tree's geometry in SVG user units (about pixels): boxes in columns by depth, one row per leaf.
BOX_HEIGHT = 44
COLUMN_GAP = 48
ROW_GAP = 12
CHAR_WIDTH = 8  # the width of a character of the box text (13px monospace), to size the boxes
MIN_BOX_WIDTH, MAX_BOX_WIDTH = 150, 240


@dataclass(frozen=True)
class TreeBox:
    """A factor's box in the tree: top-left corner (x, y); `used` is False when the answer does not use it."""

    factor: Factor
    x: float
    y: float
    answer: bool
    used: bool


@dataclass(frozen=True)
class TreeEdge:
    """A line from a formula to a factor it uses: SVG path data; `reference` when the factor is written elsewhere
    in the tree rather than under the formula."""

    path: str
    reference: bool


@dataclass(frozen=True)
class Tree:
    """The factor tree laid out left to right, the answer on the left: size, boxes and edges."""

    width: float
    height: float
    box_width: float
    box_height: float
    boxes: list[TreeBox]
    edges: list[TreeEdge]

    @property
    def label_chars(self) -> int:
        """How many characters of text fit on a line of a box."""
        return int((self.box_width - 20) / CHAR_WIDTH)


@dataclass(frozen=True)
class QuestionView:
    """Everything a question's page shows, unformatted; the template formats it in the page language.

    `decimals` is how many fraction digits the answer's values are shown with; `history` holds the recorded runs
    oldest first; the specs are Vega-Lite (the tornado chart is None without uncertain factors, the history chart
    with fewer than two runs).
    """

    question: Question
    run: Run
    sensitivity: Sensitivity
    history: list[RunRecord]
    decimals: int
    tree: Tree
    histogram_spec: Spec
    tornado_spec: Spec | None
    history_spec: Spec | None

    @property
    def filename(self) -> str:
        return f"{PAGE_PREFIX}{self.question.id}.html"

    @property
    def measure_first(self) -> list[FactorSensitivity]:
        """The factors whose measurement would narrow the 90% interval most, at most MEASURE_FIRST of them."""
        return [f for f in self.sensitivity.measure_first if f.narrowing >= NOTABLE_NARROWING][:MEASURE_FIRST]


def views(
    question_runs: Mapping[str, Run], con: duckdb.DuckDBPyConnection, language: Language, gettext: Gettext
) -> list[QuestionView]:
    """A view per run, in the order of the question ids; the history is read through `con` (read-only)."""
    return [
        question_view(run, runs(con, question_id), language, gettext)
        for question_id, run in sorted(question_runs.items())
    ]


def question_view(run: Run, history: list[RunRecord], language: Language, gettext: Gettext) -> QuestionView:
    """The page content of one question's run, with its recorded `history` (oldest first)."""
    s = run.summary
    decimals = i18n.significant_decimals((s.p5, s.median, s.p95))
    sensitivity = analyse(run)
    unit = run.question.unit
    return QuestionView(
        question=run.question,
        run=run,
        sensitivity=sensitivity,
        history=history,
        decimals=decimals,
        tree=tree(run.question),
        histogram_spec=histogram_spec(run, decimals, gettext),
        tornado_spec=tornado_spec(sensitivity, unit, decimals, language, gettext) if sensitivity.factors else None,
        history_spec=history_spec(history, unit, decimals, language, gettext) if len(history) > 1 else None,
    )


def histogram_spec(run: Run, decimals: int, gettext: Gettext) -> Spec:
    """The answer's distribution: bars of the histogram's bins ({"low", "high", "count"}), the 90% interval as a
    band, and rules at the 5th percentile, the median and the 95th percentile ({"key", "label", "value"}; key
    p5, median, p95), and at the threshold when there is one."""
    s = run.summary
    h = s.histogram
    bins = [{"low": lo, "high": hi, "count": c} for lo, hi, c in zip(h.edges[:-1], h.edges[1:], h.counts, strict=True)]
    marks = [
        {"key": "p5", "label": gettext("5th percentile"), "value": s.p5},
        {"key": "median", "label": gettext("Median"), "value": s.median},
        {"key": "p95", "label": gettext("95th percentile"), "value": s.p95},
    ]
    if s.threshold is not None:
        marks.append({"key": "threshold", "label": gettext("Threshold"), "value": s.threshold})
    unit = run.question.unit
    x_axis = {"format": axis_format(decimals)}
    value_tooltip = {"field": "value", "title": unit, "format": number_format(decimals)}
    return {
        "description": gettext("Distribution of the answer"),
        "width": "container",
        "height": HEIGHT,
        "layer": [
            {
                "data": {"values": [{"p5": s.p5, "p95": s.p95}]},
                "mark": {"type": "rect", "color": INTERVAL_COLOUR, "opacity": 0.8},
                "encoding": {"x": {"field": "p5", "type": "quantitative"}, "x2": {"field": "p95"}},
            },
            {
                "data": {"values": bins},
                "mark": {"type": "rect", "color": MEDIAN_COLOUR, "opacity": 0.85, "stroke": "#fff", "strokeWidth": 0.5},
                "encoding": {
                    "x": {"field": "low", "type": "quantitative", "title": unit, "axis": x_axis},
                    "x2": {"field": "high"},
                    "y": {"field": "count", "type": "quantitative", "title": gettext("Samples")},
                    "y2": {"datum": 0},
                    "tooltip": [
                        {"field": "low", "title": gettext("From"), "format": number_format(decimals)},
                        {"field": "high", "title": gettext("To"), "format": number_format(decimals)},
                        {"field": "count", "title": gettext("Samples"), "format": ",d"},
                    ],
                },
            },
            {
                "data": {"values": marks},
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "color": {
                        "field": "key",
                        "type": "nominal",
                        "scale": {"domain": list(RULES), "range": [colour for colour, _ in RULES.values()]},
                        "legend": None,
                    },
                    "strokeDash": {
                        "field": "key",
                        "type": "nominal",
                        "scale": {"domain": list(RULES), "range": [dash for _, dash in RULES.values()]},
                        "legend": None,
                    },
                    "tooltip": [{"field": "label", "title": " "}, value_tooltip],
                },
            },
        ],
    }


def tornado_spec(sensitivity: Sensitivity, unit: str, decimals: int, language: Language, gettext: Gettext) -> Spec:
    """For the factors with the largest swing (at most TORNADO_FACTORS), a bar from the base answer (every
    factor at its median) to the answer with the factor at its 5th and at its 95th percentile.

    Rows: {"factor", "end" (which percentile), "base", "answer", "factor_value" (formatted text)}.
    """
    low_label, high_label = gettext("Factor at its 5th percentile"), gettext("Factor at its 95th percentile")
    shown = sensitivity.tornado[:TORNADO_FACTORS]
    rows = []
    for f in shown:
        t = f.tornado
        digits = i18n.significant_decimals((t.factor_low, t.factor_high))
        for end, answer, value in ((low_label, t.answer_low, t.factor_low), (high_label, t.answer_high, t.factor_high)):
            rows.append(
                {
                    "factor": f.name,
                    "end": end,
                    "base": sensitivity.base,
                    "answer": answer,
                    "factor_value": i18n.format_number(value, language, digits),
                }
            )
    y = {
        "field": "factor",
        "type": "nominal",
        "title": None,
        "sort": [f.name for f in shown],
        "axis": {"labelLimit": 240, "labelFont": "monospace"},
    }
    return {
        "description": gettext("Tornado chart of the factors"),
        "width": "container",
        "height": {"step": 26},
        "layer": [
            {
                "data": {"values": rows},
                "mark": {"type": "bar", "opacity": 0.9},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "base",
                        "type": "quantitative",
                        "title": unit,
                        "scale": {"zero": False},
                        "axis": {"format": axis_format(decimals)},
                    },
                    "x2": {"field": "answer"},
                    "color": {
                        "field": "end",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": [low_label, high_label], "range": [LOW_COLOUR, HIGH_COLOUR]},
                        "legend": {"orient": "bottom", "direction": "horizontal", "labelLimit": 320},
                    },
                    "tooltip": [
                        {"field": "factor", "title": gettext("Factor")},
                        {"field": "end", "title": " "},
                        {"field": "factor_value", "title": gettext("Value of the factor")},
                        {"field": "answer", "title": gettext("Answer"), "format": number_format(decimals)},
                    ],
                },
            },
            {
                "data": {"values": [{"base": sensitivity.base}]},
                "mark": {"type": "rule", "color": MEDIAN_COLOUR, "strokeWidth": 2},
                "encoding": {"x": {"field": "base", "type": "quantitative"}},
            },
        ],
    }


def history_spec(history: list[RunRecord], unit: str, decimals: int, language: Language, gettext: Gettext) -> Spec:
    """The recorded runs, oldest first: per run its 90% interval (a thin bar), 50% interval (a thick bar) and
    median (a point). Rows: {"run" (1, 2, ...), "date" (formatted text), "p5", "p25", "median", "p75", "p95"}."""
    rows = [
        {
            "run": i,
            "date": i18n.format_datetime(r.ran_at, language),
            "p5": r.p5,
            "p25": r.p25,
            "median": r.median,
            "p75": r.p75,
            "p95": r.p95,
        }
        for i, r in enumerate(history, start=1)
    ]
    x = {"field": "run", "type": "ordinal", "title": gettext("Run"), "axis": {"labelAngle": 0}}
    y_axis = {"format": axis_format(decimals)}
    tooltip = [
        {"field": "run", "title": gettext("Run")},
        {"field": "date", "title": gettext("Date")},
        {"field": "median", "title": gettext("Median"), "format": number_format(decimals)},
        {"field": "p5", "title": gettext("5th percentile"), "format": number_format(decimals)},
        {"field": "p95", "title": gettext("95th percentile"), "format": number_format(decimals)},
    ]
    return {
        "description": gettext("History of the answer"),
        "width": "container",
        "height": HEIGHT,
        "data": {"values": rows},
        "encoding": {"x": x, "tooltip": tooltip},
        "layer": [
            {
                "mark": {"type": "rule", "color": COLOURS["peer"], "strokeWidth": 3},
                "encoding": {
                    "y": {
                        "field": "p5",
                        "type": "quantitative",
                        "title": unit,
                        "scale": {"zero": False},
                        "axis": y_axis,
                    },
                    "y2": {"field": "p95"},
                },
            },
            {
                "mark": {"type": "rule", "color": COLOURS["compare"], "strokeWidth": 9},
                "encoding": {"y": {"field": "p25", "type": "quantitative"}, "y2": {"field": "p75"}},
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70, "color": COLOURS["home"]},
                "encoding": {"y": {"field": "median", "type": "quantitative"}},
            },
        ],
    }


def tree(question: Question) -> Tree:
    """The factors as written (each formula's `factors` under it) laid out left to right: the answer in the first
    column, each level one column further; each leaf on a row of its own, and a formula level with the middle of
    the factors under it. Every formula gets an edge to each factor it uses, dashed when written elsewhere."""
    longest = max(len(name) for name in question.factors)
    box_width = min(MAX_BOX_WIDTH, max(MIN_BOX_WIDTH, CHAR_WIDTH * longest + 24))
    rows, depths = _place(question.answer)
    used = set(question.order)

    def corner(name: str) -> tuple[float, float]:
        return depths[name] * (box_width + COLUMN_GAP), rows[name] * (BOX_HEIGHT + ROW_GAP)

    boxes = [
        TreeBox(factor, *corner(name), answer=name == question.answer.name, used=name in used)
        for name, factor in question.factors.items()
    ]
    edges = []
    for name, factor in question.factors.items():
        if factor.formula is None:
            continue
        children = {child.name for child in factor.factors}
        x0, y0 = corner(name)
        for target in factor.formula.names():
            x1, y1 = corner(target)
            edges.append(
                TreeEdge(_curve(x0 + box_width, y0 + BOX_HEIGHT / 2, x1, y1 + BOX_HEIGHT / 2), target not in children)
            )
    columns = max(depths.values()) + 1
    leaves = max(rows.values()) + 1
    return Tree(
        width=columns * box_width + (columns - 1) * COLUMN_GAP,
        height=leaves * BOX_HEIGHT + (leaves - 1) * ROW_GAP,
        box_width=box_width,
        box_height=BOX_HEIGHT,
        boxes=boxes,
        edges=edges,
    )


def _place(root: Factor) -> tuple[dict[str, float], dict[str, int]]:
    """Each factor's row (leaves 0, 1, 2, ... in the order written; a formula the middle of its first and last
    factor) and column (its depth under `root`). Iterative post-order, so a deep tree needs no recursion."""
    rows: dict[str, float] = {}
    depths: dict[str, int] = {}
    leaves = 0
    stack: list[tuple[Factor, int, bool]] = [(root, 0, False)]
    while stack:
        factor, depth, visited = stack.pop()
        depths[factor.name] = depth
        if not factor.factors:
            rows[factor.name] = float(leaves)
            leaves += 1
        elif visited:
            rows[factor.name] = (rows[factor.factors[0].name] + rows[factor.factors[-1].name]) / 2
        else:
            stack.append((factor, depth, True))
            stack.extend((child, depth + 1, False) for child in reversed(factor.factors))
    return rows, depths


def _curve(x0: float, y0: float, x1: float, y1: float) -> str:
    """SVG path data: a horizontal S-curve from (x0, y0) to (x1, y1)."""
    middle = (x0 + x1) / 2
    return f"M{x0:g},{y0:g} C{middle:g},{y0:g} {middle:g},{y1:g} {x1:g},{y1:g}"
