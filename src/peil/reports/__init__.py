"""Reports: reports/*.md placing indicators, charts and tables, rendered as a static site that works offline.

``peil build`` calls :func:`render_site`, which writes ``site/``: one page per report (``reports/index.md`` ->
``index.html``, ``reports/wonen.md`` -> ``wonen.html``), ``indicatoren.html`` with every indicator grouped by
theme, ``bronnen.html`` with every dataset, its snapshots, licence, attribution, owner, steward and
classification, ``vragen.html`` with the workspace's questions and ``vraag-<id>.html`` for each (its answer's
distribution, factor tree, sensitivity, sources and history), and ``static/`` with the style sheet and the
chart library (Vega, Vega-Lite, vega-embed).
Pages are Dutch, or English when peil.yaml says ``language: en``. ``peil serve`` uses
:func:`peil.reports.serve.make_server`.

Placement syntax
----------------
A report is CommonMark (with tables and strikethrough; raw HTML is shown as text). A fenced block whose info
string is one of four directive words places generated content; any other fenced block stays a code block::

    ```indicator
    unemployment_rate
    ```

    The full block for one indicator: its latest value (with unit and decimals), the definition, a trend
    chart (the municipality over all periods, the peers' median with their range as a band, the region), a
    bar chart of the latest period (the municipality highlighted among its peers, the compare-municipalities
    and the region), the figures behind both charts, its SQL, and its sources with their current snapshot
    (files, sha256 shortened, date loaded, rows) and licence attribution.

    ```chart
    unemployment_rate
    ```

    Only the trend chart of one indicator.

    ```value
    unemployment_rate
    ```

    Only the latest value of the home municipality, with the indicator's name and period.

    ```table
    SELECT name, inhabitants FROM municipalities ORDER BY inhabitants DESC
    ```

    An HTML table of one SELECT over the warehouse (datasets and models), run read-only; at most 500 rows,
    and the page says when the result was cut.

    ```scan
    stray
    ```

    The stray-copy scan of a folder of the workspace (peil.scan, peil.reports.scan): its groups of copies with
    the recommended version, the keys not in every copy, the conflicting cells, and the files skipped.

The block's content is one indicator id (``indicator``, ``chart``, ``value``), one SELECT (``table``) or one
folder (``scan``); the info string holds the directive word only. An unknown id, a failing or non-SELECT query,
a folder that is missing or outside the workspace, or anything else
after the word raises :class:`peil.errors.ReportError` naming the report file and the block's first line,
with the closest indicator id when there is one.
"""

from peil.reports.render import render_site

__all__ = ["render_site"]
