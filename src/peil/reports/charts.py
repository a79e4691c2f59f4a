"""Vega-Lite specs (plain dicts, JSON-ready) for an indicator's charts, with their data inline.

The page embeds each spec as JSON and ``static/peil.js`` hands it to vega-embed, which ships in ``static/``:
the charts need no network. Colours mark roles, the same on every chart: the home municipality stands out,
peers are grey, compare-municipalities blue, the region green.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peil.reports.data import Band, Bar, Cohort, Point, Role

Spec = dict[str, Any]
Gettext = Callable[[str], str]

COLOURS: dict[Role, str] = {"home": "#c2410c", "peer": "#8d99ae", "compare": "#2f6fb0", "region": "#1b7a5a"}
MEDIAN_COLOUR = "#4a4a4a"
BAND_COLOUR = "#cfd6e0"
HEIGHT = 220
LEGEND = {"orient": "bottom", "direction": "horizontal", "labelLimit": 320}


def number_format(decimals: int) -> str:
    """The d3-format string for a value with `decimals` fraction digits and grouped thousands: ',.1f'."""
    return f",.{decimals}f"


def axis_format(decimals: int) -> str:
    """The d3-format string for axis ticks: at most `decimals` fraction digits, trailing zeros dropped."""
    return f",.{decimals}~f"


def trend_spec(
    cohort: Cohort,
    home: list[Point],
    band: list[Band],
    region: list[Point],
    unit: str,
    decimals: int,
    gettext: Gettext,
) -> Spec:
    """A line chart over all periods: the home municipality, the peers' median with their range as a band
    behind it, and the region.

    Data rows are {"period", "series", "value"} for the lines (series is a display name) and
    {"period", "series", "low", "high"} for the band.
    """
    home_name = cohort.name(cohort.home)
    median_name = gettext("Median of peers")
    band_name = gettext("Range of peers")
    region_name = cohort.name(cohort.region) if cohort.region else ""
    lines = [{"period": p.period, "series": home_name, "value": p.value} for p in home]
    lines += [{"period": b.period, "series": median_name, "value": b.median} for b in band]
    lines += [{"period": p.period, "series": region_name, "value": p.value} for p in region]
    bands = [{"period": b.period, "series": band_name, "low": b.low, "high": b.high} for b in band if b.count > 1]
    domain = [home_name, *([median_name] if band else []), *([region_name] if region else [])]
    colours = [COLOURS["home"], *([MEDIAN_COLOUR] if band else []), *([COLOURS["region"]] if region else [])]
    periods = sorted({p.period for p in home} | {b.period for b in band} | {p.period for p in region})
    x = {"field": "period", "type": "ordinal", "title": None, "sort": periods, "axis": {"labelAngle": 0}}
    y_axis = {"format": axis_format(decimals)}
    layers: list[Spec] = []
    if bands:
        layers.append(
            {
                "data": {"values": bands},
                "mark": {"type": "area", "color": BAND_COLOUR, "opacity": 0.7},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative", "title": unit, "axis": y_axis},
                    "y2": {"field": "high"},
                    "tooltip": [
                        {"field": "series", "title": " "},
                        {"field": "period", "title": gettext("Period")},
                        {"field": "low", "title": gettext("Lowest"), "format": number_format(decimals)},
                        {"field": "high", "title": gettext("Highest"), "format": number_format(decimals)},
                    ],
                },
            }
        )
    layers.append(
        {
            "data": {"values": lines},
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": unit, "axis": y_axis},
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": domain, "range": colours},
                    "legend": LEGEND,
                },
                "strokeDash": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {
                        "domain": domain,
                        "range": [[1, 0] if n != median_name else [5, 3] for n in domain],
                    },
                    "legend": None,
                },
                "tooltip": [
                    {"field": "series", "title": " "},
                    {"field": "period", "title": gettext("Period")},
                    {"field": "value", "title": gettext("Value"), "format": number_format(decimals)},
                ],
            },
        }
    )
    return {
        "description": gettext("Trend over all periods"),
        "width": "container",
        "height": HEIGHT,
        "layer": layers,
    }


def comparison_spec(bars: list[Bar], unit: str, decimals: int, gettext: Gettext) -> Spec:
    """A horizontal bar chart of one period, highest first: the home municipality highlighted among its peers,
    the compare-municipalities and the region. Data rows are {"name", "role", "group", "value"}."""
    groups: dict[Role, str] = {
        "home": gettext("Our municipality"),
        "peer": gettext("Peers"),
        "compare": gettext("For comparison"),
        "region": gettext("Region"),
    }
    present = [role for role in groups if any(bar.role == role for bar in bars)]
    rows = [{"name": b.name, "role": b.role, "group": groups[b.role], "value": b.value} for b in bars]
    return {
        "description": gettext("Comparison in the latest period"),
        "width": "container",
        "height": {"step": 20},
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "title": None, "sort": [b.name for b in bars]},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": unit,
                "axis": {"format": axis_format(decimals)},
            },
            "color": {
                "field": "group",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [groups[r] for r in present], "range": [COLOURS[r] for r in present]},
                "legend": LEGEND,
            },
            "tooltip": [
                {"field": "name", "title": " "},
                {"field": "value", "title": gettext("Value"), "format": number_format(decimals)},
            ],
        },
    }
