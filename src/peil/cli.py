"""The `peil` command: parse arguments, call the core, print. No logic of its own lives here.

Every user error (a PeilError) prints as one message naming the file and place, with what to do, and exits 1.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable
from datetime import date, datetime, timezone
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from peil import __version__, demo, query, questions, sources, timetravel, workspace
from peil.build import BuildSummary, Step, build
from peil.diff import Unfit, change_rows, diff_snapshots, summary, to_json
from peil.errors import PeilError, QuestionError, WorkspaceError
from peil.output import OutputFormat, print_rows, rows_table, text_value, write_csv, write_json
from peil.quality import quarantine as quarantined
from peil.quality import suggest
from peil.quality.run import Evaluation
from peil.questions import distributions, formula, units
from peil.questions.engine import DEFAULT_SAMPLES, HISTOGRAM_BINS
from peil.questions.model import QUESTIONS_FOLDER
from peil.reports import i18n
from peil.reports.serve import make_server
from peil.store import Warehouse
from peil.texts import condensed, counted
from peil.workspace import NAME_PATTERN

app = typer.Typer(
    name="peil",
    help="Data-driven policy for local government: versioned data, indicators and reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # a docstring's lines make one paragraph, wrapped to the terminal
    add_completion=False,
)
# Piped output is read by programs and people's pagers: no wrapping or truncating at 80 columns there.
console = Console(width=None if sys.stdout.isatty() else 240)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 240)

WorkspaceOption = Annotated[
    Path,
    typer.Option("--workspace", "-w", help="The workspace folder (holds peil.yaml).", show_default=False),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="A date (YYYY-MM-DD: as at the end of that day) or a time (YYYY-MM-DDTHH:MM), in Belgian time "
        "(Europe/Brussels); a time with an offset (2026-03-01T10:00+00:00) is that instant.",
    ),
]
STARTER = Path(__file__).parent / "starter"


def main() -> None:
    """Entry point of the `peil` command."""
    try:
        app()
    except PeilError as exc:
        errors.print(f"[bold red]error[/] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True)
        sys.exit(1)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        console.print(f"peil {__version__}")
        raise typer.Exit()


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="The folder to create; it must not exist or be empty.")],
    municipality: Annotated[str, typer.Option(help="NIS code of your municipality.")] = "36015",
    name: Annotated[str | None, typer.Option(help="The workspace's name; default: the folder name.")] = None,
) -> None:
    """Create a workspace (peil.yaml, sources/, models/, indicators/, reports/) that builds at once."""
    if directory.exists() and any(directory.iterdir()):
        raise WorkspaceError(f"{directory} exists and is not empty", hint="Choose a new folder.")
    shutil.copytree(STARTER, directory, dirs_exist_ok=True)
    config = directory / workspace.WORKSPACE_FILE
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("{name}", name or directory.resolve().name).replace("{municipality}", municipality),
        encoding="utf-8",
    )
    workspace.load(directory)
    shown = escape(str(directory))
    console.print(f"Created a workspace in [bold]{shown}[/]. Next: [bold]peil build -w {shown}[/]")


@app.command()
def infer(
    file: Annotated[Path, typer.Argument(help="A CSV, Excel, ODS, Parquet or JSON file.", exists=True)],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the YAML here, e.g. sources/NAME.yaml.")
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="A workbook's sheet, by name; default: the first visible table.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file when it exists.")] = False,
) -> None:
    """Propose a source file for FILE, its schema inferred: check it, then save it under sources/.

    The dataset is named after the YAML file; FILE's path is written relative to the workspace (the folder
    above sources/ when the output is there, else the current folder), so the workspace can be moved. What was
    chosen for each sheet (the sheet, the header row, rows left out, types) is printed too: on standard error
    when the YAML goes to standard output.
    """
    if output:
        _refuse_overwrite(output, force)
    target = (output or Path("sources") / "x.yaml").resolve()
    root = target.parent.parent if target.parent.name == "sources" else Path.cwd()
    proposal = sources.examine(file, root, sheet)
    _print_choices(proposal.sheets, file, console if output else errors)
    if output:
        output.write_text(proposal.yaml, encoding="utf-8")
        console.print(f"Wrote {escape(str(output))}")
    else:
        sys.stdout.write(proposal.yaml)


def _print_choices(sheets: list[sources.SheetChoices], file: Path, out: Console) -> None:
    """Per sheet, whether it is proposed and why, and the choices made in reading it."""
    for sheet in sheets:
        name = escape(f"sheet '{sheet.sheet}'" if sheet.sheet is not None else file.name)
        style = "bold" if sheet.proposed else "dim"
        out.print(f"[{style}]{name}[/]: {escape(sheet.headline)}", highlight=False)
        for note in sheet.notes:
            out.print(f"  - {escape(note)}", highlight=False)


class ScanFormat(StrEnum):
    table = "table"
    json = "json"


class PageLanguage(StrEnum):
    nl = "nl"
    en = "en"


@app.command("scan")
def scan_command(
    folder: Annotated[Path, typer.Argument(help="The folder to scan, with its subfolders.")],
    output_format: Annotated[ScanFormat, typer.Option("--format", "-f", help="Output format.")] = ScanFormat.table,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a standalone HTML page here.")] = None,
    language: Annotated[PageLanguage, typer.Option(help="The language of the HTML page.")] = PageLanguage.nl,
    limit: Annotated[int, typer.Option(min=1, help="At most this many keys and conflicts listed per group.")] = 1000,
) -> None:
    """Find stray copies: group the spreadsheets and CSV files under FOLDER that hold the same table, show the keys
    and cells they disagree on, and recommend the version to trust (see peil.scan)."""
    from peil.scan import scan  # datasketch takes a second to import; only this command needs it
    from peil.scan.output import print_scan
    from peil.scan.output import to_json as scan_json

    if html and not html.parent.is_dir():
        raise typer.BadParameter(f"the folder {html.parent} does not exist; make it first", param_hint="--html")
    with errors.status("Scanning") as status:
        result = scan(folder, limit, lambda path: status.update(f"Scanning {escape(path.name)}"))
    if output_format is ScanFormat.json:
        sys.stdout.write(json.dumps(scan_json(result), ensure_ascii=False, indent=1) + "\n")
    else:
        print_scan(console, result)
    if html:
        from peil.reports.scan import render_page

        html.write_text(render_page(result, "en" if language is PageLanguage.en else "nl"), encoding="utf-8")
        errors.print(f"Wrote {escape(str(html))}")


@app.command("adopt")
def adopt_command(
    group: Annotated[str, typer.Argument(help="The group's id in the scan's output, e.g. g1.")],
    folder: Annotated[Path, typer.Argument(help="The folder that was scanned.")],
    file: Annotated[
        str | None, typer.Option("--file", help="The authoritative file, its path in FOLDER; default: the recommended.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="The dataset's name; default: from the file's name.")] = None,
    reference: Annotated[
        bool, typer.Option("--reference", help="Read the file where it is instead of copying it into data/.")
    ] = False,
    ws: WorkspaceOption = Path("."),
) -> None:
    """Make a group of copies a source: the chosen file becomes sources/NAME.yaml, the other copies its earlier
    snapshots, oldest first, so `peil history NAME` keeps them."""
    from peil.scan.adopt import adopt

    adopted = adopt(folder, group, ws, file, name, reference)
    console.print(f"Wrote [bold]{escape(str(adopted.source))}[/], reading {escape(str(adopted.data))}")
    table = Table("version", "file", title=f"snapshots of {adopted.name}")
    for version, path in adopted.snapshots:
        table.add_row(str(version), Text(path))
    console.print(table)
    for path, reason in adopted.failed:
        console.print(Text(f"not loaded: {path}: {reason}", style="yellow"))
    for path, reason in adopted.left_out:
        console.print(Text(f"not loaded: {path}: {reason}"))
    for clash in adopted.clashes:
        console.print(Text(f"warning: {clash.warning}", style="yellow"))
    console.print(f"Fill in owner and licence in the source file, then run [bold]peil build -w {escape(str(ws))}[/]")


@app.command("build")
def build_command(
    ws: WorkspaceOption = Path("."),
    as_of: AsOfOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="With --as-of: where the site goes; default site-as-of-DATE, or for a time the UTC "
            "instant: site-as-of-2026-03-01T0900Z."
        ),
    ] = None,
) -> None:
    """Snapshot changed sources, run models, compute indicators and render the site.

    With --as-of, nothing is loaded: models, indicators and the report are recomputed from the snapshots that
    were current then, into a separate site, so an earlier report is reproduced beside the current one.
    """
    if as_of is None:
        _print_summary(_build_with_progress(ws))
        return
    loaded = workspace.load(ws)
    moment = _moment(as_of)
    target = out or loaded.root / timetravel.folder(moment)
    if target.resolve() == loaded.site_path.resolve():
        raise typer.BadParameter(
            f"{target} holds the current report; an earlier one goes beside it", param_hint="--out"
        )
    build_id, pages = timetravel.build_as_of(loaded, moment, target)
    shown = escape(str(target))
    console.print(
        f"Rebuilt the report as of {escape(as_of)} (build {build_id}): {len(pages)} pages in [bold]{shown}[/]",
    )


@app.command("sources")
def sources_command(ws: WorkspaceOption = Path(".")) -> None:
    """List the declared sources with their owner, classification and current snapshot."""
    loaded = workspace.load(ws)
    current = _current_snapshots(loaded)
    table = Table("dataset", "title", "format", "owner", "classification", "version", "rows", "loaded")
    for source in loaded.sources.values():
        snap = current.get(source.name)
        title = (
            source.title
            if isinstance(source.title, str) or source.title is None
            else source.title.get(loaded.project.language)
        )
        table.add_row(
            source.name,
            Text(title or ""),
            source.format or "",
            Text(f"none ({source.owner.strip() or 'empty'})", style="yellow")
            if source.owner_missing
            else Text(source.owner),
            source.classification,
            str(snap.version) if snap else "-",
            f"{snap.row_count:,}" if snap else "-",
            i18n.terminal_time(snap.created_at) if snap else "not built",
        )
    console.print(table)


@app.command()
def history(dataset: Annotated[str, typer.Argument(help="A dataset name.")], ws: WorkspaceOption = Path(".")) -> None:
    """List every snapshot of DATASET, oldest first: version, time (Belgian time, with CET or CEST), rows, a hash
    of the rows loaded (equal for snapshots holding the same rows) and files, each workbook with the sheet read
    from it (personeel.xlsx [oud])."""
    from peil.scan.model import located  # as `peil adopt` shows the files it loaded

    loaded = workspace.load(ws)
    with Warehouse.open(loaded.warehouse_path, read_only=True) as warehouse:
        snapshots = [(s, warehouse.sheets(s), warehouse.rows_hash(s)) for s in warehouse.snapshots(dataset)]
    table = Table("version", "snapshot", "loaded", "rows", "rows hash", "files", title=f"history of {dataset}")
    for snap, sheets, rows_hash in snapshots:
        files = [located(f["path"], *sheets.get(f["path"], [])) for f in snap.files]
        table.add_row(
            str(snap.version),
            str(snap.snapshot_id),
            i18n.terminal_time(snap.created_at),
            f"{snap.row_count:,}",
            rows_hash[:12],
            Text(", ".join(files)),  # as it is: a name may hold [brackets]
        )
    console.print(table)


@app.command("check")
def check_command(
    datasets: Annotated[list[str] | None, typer.Argument(help="Datasets to check; default: all.")] = None,
    ws: WorkspaceOption = Path("."),
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
) -> None:
    """Run the checks of the sources on their current snapshots, without loading or writing anything.

    Exits 0 when every error check passes (warnings allowed) and 1 when an error check fails above its
    threshold, so a pipeline can stop on it. docs/quality.md describes the checks.
    """
    loaded = workspace.load(ws)
    unknown = [name for name in datasets or [] if name not in loaded.sources]
    if unknown:
        raise WorkspaceError(f"'{unknown[0]}' is not a declared dataset", hint=f"Known: {', '.join(loaded.sources)}.")
    chosen = [loaded.sources[name] for name in datasets] if datasets else list(loaded.sources.values())
    with Warehouse.open(loaded.warehouse_path, read_only=True) as warehouse:
        evaluations = [warehouse.check(s) for s in chosen if warehouse.current_snapshot(s.name)]
    header = ["dataset", "check", "severity", "rows", "failing", "% valid", "verdict", "message"]
    rows = [
        [
            e.dataset,
            r.check.check_name,
            r.check.severity,
            r.rows_checked,
            r.rows_failing,
            round(r.percent_valid, 2),
            "pass" if r.passed else ("FAIL" if r.blocking else "warn"),
            r.message or "",
        ]
        for e in evaluations
        for r in e.results
    ]
    print_rows(console, header, rows, output_format, "checks")
    failed = [r for e in evaluations for r in e.results if r.blocking]
    errors.print(_check_summary(evaluations, len(failed)), markup=False, highlight=False)
    if failed:
        raise typer.Exit(1)


def _check_summary(evaluations: list[Evaluation], failed: int) -> str:
    checks = sum(len(e.results) for e in evaluations)
    return (
        f"{counted(checks, 'check')} on {counted(len(evaluations), 'dataset')}, {failed} failing with severity error."
    )


@app.command("quarantine")
def quarantine_command(
    dataset: Annotated[str, typer.Argument(help="A dataset name.")],
    ws: WorkspaceOption = Path("."),
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    flagged: Annotated[bool, typer.Option(help="Also list the rows only warn checks flagged.")] = False,
    export: Annotated[
        Path | None, typer.Option(help="Write the rows to this .xlsx workbook for the steward to fix.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --export file when it exists.")] = False,
    language: Annotated[
        PageLanguage | None,
        typer.Option(help="The language of the --export workbook's header and reasons; default: the workspace's."),
    ] = None,
) -> None:
    """List the rows of DATASET's current snapshot that its checks kept out: where each is in the file, its key,
    the checks it failed with the offending values, and all its values (a value that did not fit its type as the
    text the file held). The --export workbook is in the workspace's language (peil.yaml), Dutch by default."""
    loaded = workspace.load(ws)
    if export is not None:
        _check_export(export, force)
    with Warehouse.open(loaded.warehouse_path, read_only=True) as warehouse:
        current = warehouse.snapshots(dataset)[-1]
        found = quarantined.listing(
            warehouse.con, dataset, current.version, current.table_name, current.snapshot_id, flagged
        )
    if export is not None:
        gettext = i18n.translations(language.value if language else loaded.project.language).gettext
        quarantined.export_xlsx(found, export, gettext)
        shown = escape(str(export))
        console.print(f"Wrote {len(found.rows)} rows of {dataset} version {found.version} to [bold]{shown}[/]")
        return
    print_rows(console, *found.table(), output_format, f"quarantine of {dataset}")


def _check_export(path: Path, force: bool) -> None:
    """Refuse an export path that is no .xlsx, whose folder is missing, or that exists (without `force`): a
    steward's source workbook must never be overwritten by accident."""
    if path.suffix.lower() != ".xlsx":
        raise WorkspaceError(f"{path} is not an .xlsx file name", hint="The export is a workbook: name it NAME.xlsx.")
    if not path.parent.is_dir():
        raise WorkspaceError(f"the folder {path.parent} does not exist", hint="Create it, or choose another folder.")
    _refuse_overwrite(path, force)


def _refuse_overwrite(path: Path, force: bool) -> None:
    """Raise WorkspaceError when `path` exists and `force` is not given: nothing of the user's is replaced."""
    if path.exists() and not force:
        raise WorkspaceError(f"{path} exists", hint="Choose another file name, or pass --force to replace it.")


@app.command("suggest-checks")
def suggest_checks_command(
    dataset: Annotated[str, typer.Argument(help="A dataset name.")],
    ws: WorkspaceOption = Path("."),
) -> None:
    """Profile DATASET's current snapshot and print checks as YAML, to paste under `checks:` in its source file."""
    loaded = workspace.load(ws)
    if dataset not in loaded.sources:
        raise WorkspaceError(f"'{dataset}' is not a declared dataset", hint=f"Known: {', '.join(loaded.sources)}.")
    with Warehouse.open(loaded.warehouse_path, read_only=True) as warehouse:
        current = warehouse.snapshots(dataset)[-1]
        sys.stdout.write(suggest.propose(warehouse.con, loaded.sources[dataset], current.table_name))


@app.command("diff")
def diff_command(
    dataset: Annotated[str, typer.Argument(help="A dataset name.")],
    old: Annotated[int | None, typer.Argument(help="The old version; default: the one before the newest.")] = None,
    new: Annotated[int | None, typer.Argument(help="The new version; default: the newest.")] = None,
    ws: WorkspaceOption = Path("."),
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1, help="At most this many differences of each kind; default: 20 in a table, all in CSV/JSON."
        ),
    ] = None,
) -> None:
    """Compare two snapshots of DATASET: rows added, removed and changed (cell by cell) and schema changes.

    Rows are matched by the primary key; a dataset without one is compared as whole rows. Values are compared
    exactly: 1.0 and 1.0000000001 differ, two empty cells do not. CSV holds one line per difference (the
    summary goes to stderr); JSON holds everything. In the table, an empty cell is shown as (empty) and a value
    that did not fit its column's type when it was loaded as its text marked with *.
    """
    loaded = workspace.load(ws)
    if limit is None and output_format is OutputFormat.table:
        limit = 20
    with query.read_only(loaded.warehouse_path) as con:
        result = diff_snapshots(con, dataset, old, new, limit=limit)
    header, rows = change_rows(result.diff)
    if output_format is OutputFormat.json:
        write_json(to_json(result), default=text_value)
    elif output_format is OutputFormat.csv:
        errors.print("\n".join(summary(result)), markup=False, highlight=False, soft_wrap=True)
        if result.diff.truncated:
            errors.print(f"Only the first {limit} differences of each kind are written.", markup=False)
        write_csv(header, rows)
    else:
        console.print("\n".join(summary(result)), markup=False, highlight=False, soft_wrap=True)
        if rows:
            console.print(rows_table(header, _shown_changes(result.diff.mode, rows)))
        if any(isinstance(value, Unfit) for row in rows for value in row):
            console.print(UNFIT_NOTE, markup=False, highlight=False)
        if result.diff.truncated:
            console.print(
                f"[yellow]Only the first {limit} differences of each kind are shown; use --limit or --format csv.[/]"
            )
        elif result.diff.identical:
            console.print("[green]No differences.[/]")


UNFIT_NOTE = "* did not fit the column's type when it was loaded: shown as its text; its row is in quarantine"


def _shown_changes(mode: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of `change_rows` for the terminal: each value compared (a changed cell's old and new value, a
    whole row's values in row hash mode) shown empty as a dim (empty), and that did not fit its type as its text
    marked with * (see UNFIT_NOTE)."""

    def shown(value: Any) -> Any:
        if value is None:
            return Text("(empty)", style="dim")
        return Text.assemble(value, ("*", "bold red")) if isinstance(value, Unfit) else value

    if mode == "row hash":
        return [(*row[:2], *map(shown, row[2:])) for row in rows]
    return [(*row[:-2], *map(shown, row[-2:])) if row[0] == "changed" else row for row in rows]


@app.command()
def sql(
    statement: Annotated[
        str, typer.Argument(help="One SELECT (or DESCRIBE, SUMMARIZE, SHOW TABLES); datasets and models by name.")
    ],
    ws: WorkspaceOption = Path("."),
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows in a table.")] = 1000,
    as_of: AsOfOption = None,
    snapshot: Annotated[
        list[int] | None, typer.Option(help="Use this snapshot (id from `peil history`) for its dataset; repeatable.")
    ] = None,
) -> None:
    """Run one read-only query on the warehouse and print the result as a table, CSV or JSON.

    With --as-of or --snapshot, datasets and models are as they stood then; earlier versions are also
    reachable by name: raw."DATASET__vN".

    CSV and JSON keep every value: a DECIMAL with all its digits (a string in JSON), NaN and infinity as "NaN",
    "Infinity", "-Infinity" (strings in JSON; null is only NULL), TIMESTAMPTZ in ISO 8601 with its offset in
    Belgian time, INTERVAL as DuckDB's text ('1 year 2 months'), BLOB in base64.
    """
    loaded = workspace.load(ws)
    row_limit = limit if output_format is OutputFormat.table else None
    if as_of is None and not snapshot:
        with query.read_only(loaded.warehouse_path) as con:
            result = query.run(con, statement, limit=row_limit)
    else:
        with timetravel.overlay(loaded, _moment(as_of) if as_of is not None else None, snapshot or ()) as view:
            result = timetravel.run_query(view, statement, limit=row_limit)
    print_rows(console, result.columns, result.rows, output_format)
    if output_format is OutputFormat.table and result.truncated:
        console.print(f"[yellow]Only the first {limit} rows are shown; use --limit or --format csv.[/]")


@app.command("serve")
def serve_command(
    ws: WorkspaceOption = Path("."),
    port: Annotated[int, typer.Option(help="The port on 127.0.0.1.")] = 8000,
) -> None:
    """Serve the built site on http://127.0.0.1:PORT until interrupted."""
    loaded = workspace.load(ws)
    _serve(loaded.site_path, port)


@app.command("demo")
def demo_command(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the example workspace is copied (kept between runs).")
    ] = Path("peil-demo"),
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Only build, and print where the site is.")] = False,
    port: Annotated[int, typer.Option(help="The port on 127.0.0.1.")] = 8000,
) -> None:
    """Build the bundled example (Roeselare and its peers, real open data) and serve its site."""
    if not (directory / workspace.WORKSPACE_FILE).exists():
        demo.copy_workspace(directory)
        console.print(f"Copied the example workspace to [bold]{escape(str(directory))}[/]")
    summary = _build_with_progress(directory)
    _print_summary(summary)
    site = workspace.load(directory).site_path
    if no_serve:
        console.print(f"The site is in [bold]{escape(str(site))}[/]; open {escape(str(site / 'index.html'))}")
    else:
        _serve(site, port)


question_app = typer.Typer(
    help="Policy questions: answer one with its uncertainty, or write a new one step by step.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(question_app, name="question")
BLOCKS = " ▁▂▃▄▅▆▇█"
CHOICES = {"kind": ("estimate", "data", "formula"), "source": ("literature", "expert", "own_data")}


@question_app.command("run")
def question_run(
    file: Annotated[Path, typer.Argument(help="The question file, from here or from the workspace folder.")],
    samples: Annotated[int, typer.Option(help="Monte Carlo samples, from 2 to 10 million.")] = DEFAULT_SAMPLES,
    seed: Annotated[int | None, typer.Option(help="Repeat an earlier run; default: a new random seed.")] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Give the probability the answer exceeds this; default: the question's.")
    ] = None,
    ws: WorkspaceOption = Path("."),
) -> None:
    """Answer the question in FILE: its distribution, what drives it and which factor to measure first.

    Data factors are read from the warehouse (after `peil build`); when there is one, the run is added to the
    question's history there.
    """
    loaded = workspace.load(ws)
    path = file if file.is_file() else loaded.root / file
    if not path.is_file():
        raise QuestionError(f"there is no question file {file}", hint=f"Question files are in {QUESTIONS_FOLDER}/.")
    question = questions.load(path.resolve(), loaded.root)
    options: dict[str, Any] = {"samples": samples, "seed": seed, "threshold": threshold}
    built = loaded.warehouse_path.exists()
    if not built:
        result = questions.run(question, **options)
    else:
        with query.read_only(loaded.warehouse_path) as con:
            result = questions.run(question, questions.resolver(con), **options)
    _print_run(result, questions.analyse(result))
    if built:
        with Warehouse.open(loaded.warehouse_path) as warehouse:
            run_id = questions.record_run(warehouse.con, result)
        console.print(f"Recorded as run {run_id} in the history of '{question.id}'.")


@question_app.command("new")
def question_new(ws: WorkspaceOption = Path(".")) -> None:
    """Write questions/<id>.yaml step by step: the question, why it matters, the decision, then each factor.

    The answer is an estimate, data or a formula; each factor a formula names is asked for in turn in the same
    way, so the file is complete when the dialogue ends. Every estimate and formula is checked as it is typed.
    """
    loaded = workspace.load(ws)
    folder = loaded.root / QUESTIONS_FOLDER
    console.print(f"A new question in {folder}. An empty answer takes the [default] shown.", markup=False)
    asked = _ask("The question: what do you want to know?")
    question_id = _ask("Its id (the file name)", default=_slug(asked), check=lambda text: _new_id(text, folder))
    why = {
        "summary": _ask("Why does the answer matter? (one sentence)"),
        "people": _ask_list("Whom does it affect: people or groups"),
        "goals": _ask_list("Which goals of the organisation does it serve"),
        "services": _ask_list("Which services does it concern"),
    }
    content: dict[str, Any] = {
        "question": asked,
        "why": {key: value for key, value in why.items() if value},
        "decision": _ask("Which decision does it inform, and when?"),
        "owner": _ask("Who answers for the question (name, service)"),
        "unit": _ask("The unit of the answer (e.g. households, euro/year)", check=units.parse_unit),
    }
    threshold = _ask("A threshold: give the probability the answer exceeds it (empty for none)", "", _number)
    if threshold:
        value = float(threshold)
        content["threshold"] = int(value) if value.is_integer() else value
    content["answer"] = _ask_factors(question_id, loaded.project.municipality)
    folder.mkdir(exist_ok=True)
    path = folder / f"{question_id}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    console.print(f"Wrote [bold]{escape(str(path))}[/]")
    questions.load(path, loaded.root)
    elsewhere = f" -w {ws}" if ws != Path(".") else ""
    console.print(f"Answer it with: peil question run {path.relative_to(loaded.root)}{elsewhere}", markup=False)


def _print_run(result: questions.Run, sensitivity: questions.Sensitivity) -> None:
    """The answer in the question's unit, a text histogram and the factors by what measuring them would gain."""
    q, s = result.question, result.summary
    decimals = i18n.significant_decimals((s.p5, s.median, s.p95))

    def number(value: float) -> str:
        return i18n.format_number(value, "en", decimals)

    console.print(f"[bold]{escape(q.question)}[/]")
    console.print(
        f"median [bold]{number(s.median)}[/] {escape(q.unit)}, 90% interval {number(s.p5)} to {number(s.p95)} "
        f"(mean {number(s.mean)}; 50% interval {number(s.p25)} to {number(s.p75)})"
    )
    if s.threshold is not None and s.p_exceed is not None:
        console.print(f"P(answer > {s.threshold:g}) = {s.p_exceed:.1%}")
    console.print("\n".join(_text_histogram(s, number, 2 if console.width >= 2 * HISTOGRAM_BINS + 4 else 1)))
    if sensitivity.factors:
        table = Table(
            "factor",
            "kind",
            "narrows the 90% interval by",
            "share of variance",
            "answer at its p5 → p95",
            title="What to measure first",
        )
        for f in sensitivity.measure_first:
            table.add_row(
                f.name,
                f.kind,
                f"{f.narrowing:.0%}",
                f"{f.sobol:.0%}",
                f"{number(f.tornado.answer_low)} → {number(f.tornado.answer_high)}",
            )
        console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/] {escape(warning)}")
    console.print(f"{result.samples:,} samples, seed {result.seed}")


def _text_histogram(s: questions.Summary, number: Callable[[float], str], width: int, height: int = 4) -> list[str]:
    """The histogram's bins as columns of block characters (`width` characters per bin, `height` lines), then a
    line marking the 90% interval (├─┤) and the median (┼), and a line with the values at both ends."""
    counts, edges = s.histogram.counts, s.histogram.edges
    levels = [round(8 * height * c / (max(counts) or 1)) for c in counts]
    lines = [
        "".join(BLOCKS[min(8, max(0, level - 8 * row))] * width for level in levels) for row in reversed(range(height))
    ]
    size = len(counts) * width

    def position(value: float) -> int:
        return min(size - 1, max(0, int((value - edges[0]) / ((edges[-1] - edges[0]) or 1.0) * size)))

    low, middle, high = position(s.p5), position(s.median), position(s.p95)
    marks = [" "] * size
    marks[low : high + 1] = "─" * (high + 1 - low)
    marks[low], marks[high], marks[middle] = "├", "┤", "┼"
    lines.append("".join(marks) + "  ├─┤ 90% interval, ┼ median")
    left, right = number(edges[0]), number(edges[-1])
    lines.append(left + right.rjust(size - len(left)))
    return lines


def _ask(text: str, default: str | None = None, check: Callable[[str], object] | None = None) -> str:
    """Ask until the answer (stripped) passes `check`, which refuses it by raising a PeilError."""

    def accept(value: str) -> str:
        value = value.strip()
        try:
            if check is not None:
                check(value)
        except PeilError as exc:
            raise typer.BadParameter(exc.message) from None
        return value

    return str(typer.prompt(text, default=default, value_proc=accept, show_default=bool(default)))


def _ask_list(text: str) -> list[str]:
    return [item.strip() for item in _ask(f"{text} (comma-separated, may be empty)", "").split(",") if item.strip()]


def _ask_factors(question_id: str, home: str) -> dict[str, Any]:
    """The answer, then each factor a formula names, breadth first; a factor is nested under the formula that
    names it first."""
    console.print("The answer")
    answer: dict[str, Any] = {}
    pending = _ask_definition(answer, home)
    named = {question_id}
    while pending:
        parent, name = pending.pop(0)
        if name in named:
            continue
        named.add(name)
        console.print(f"Factor [bold]{name}[/]")
        factor = {"name": name, "description": _ask("  What is it? (a description)")}
        unit = _ask("  Its unit (empty for none)", "", lambda text: units.parse_unit(text) if text else None)
        factor |= {"unit": unit} if unit else {}
        parent.setdefault("factors", []).append(factor)
        pending += _ask_definition(factor, home)
    return answer


def _ask_definition(factor: dict[str, Any], home: str) -> list[tuple[dict[str, Any], str]]:
    """Ask how `factor` is known and add it; return (factor, name) for each factor its formula names."""
    kind = _ask("  Estimate, data or formula?", "estimate", lambda text: _choice(text, "kind"))
    if kind == "estimate":
        factor["estimate"] = _ask(
            "  The estimate (e.g. 100 to 200, 12 of 40, pert(1, 3, 10))", check=distributions.parse
        )
        source = _ask("  Its source: literature, expert or own_data", "expert", lambda text: _choice(text, "source"))
        factor["source"] = {source: _ask("  The reference, the expert's name and role, or which data")}
    elif kind == "data":
        indicator = _ask("  The indicator id (empty to write a SQL query instead)", "")
        if indicator:
            factor["data"] = {
                "indicator": indicator,
                "entity": _ask("  Entity (NIS code)", home),
                "period": _ask("  Period"),
            }
        else:
            factor["data"] = {"sql": _ask("  One SELECT that gives one number, or one column of numbers")}
    else:
        factor["formula"] = _ask("  The formula (e.g. households * share)", check=formula.parse)
        return [(factor, name) for name in formula.parse(factor["formula"]).names()]
    return []


def _choice(text: str, kind: str) -> None:
    if text not in CHOICES[kind]:
        raise QuestionError(f"answer one of {', '.join(CHOICES[kind])}")


def _number(text: str) -> None:
    try:
        float(text or 0)
    except ValueError:
        raise QuestionError(f"'{text}' is not a number") from None


def _slug(text: str) -> str:
    """An id from the question's words: lower case, _ between words, at most 40 characters."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "_".join(words)[:40].rstrip("_")
    return slug if re.match(NAME_PATTERN, slug) else f"q_{slug}".rstrip("_")


def _new_id(text: str, folder: Path) -> None:
    if not re.match(NAME_PATTERN, text):
        raise QuestionError("an id is lower-case letters, digits and _, and starts with a letter")
    if any(folder.glob(f"{text}.y*ml")):
        raise QuestionError(f"{QUESTIONS_FOLDER}/{text}.yaml exists; choose another id")


def _serve(site: Path, port: int) -> None:
    with make_server(site, port=port) as server:
        host, bound = server.server_address[:2]
        console.print(f"Serving [bold]{escape(str(site))}[/] on [bold]http://{host!s}:{bound}/[/] (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.print("Stopped.")


def _build_with_progress(ws: Path) -> BuildSummary:
    labels = {
        "source": "sources",
        "models": "models",
        "indicators": "indicators",
        "questions": "questions",
        "report": "report",
    }
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} {task.fields[item]}"),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
    ) as progress:
        tasks: dict[str, Any] = {}

        def on_step(step: Step) -> None:
            if step.phase not in tasks:
                tasks[step.phase] = progress.add_task(labels[step.phase], total=step.total, item="")
            progress.update(tasks[step.phase], completed=step.done, total=step.total, item=step.name)

        return build(ws, on_step=on_step)


def _print_summary(summary: BuildSummary) -> None:
    table = Table("dataset", "snapshot", "rows", "quarantined", "version", title=f"build {summary.build_id}")
    for name, result in summary.ingested.items():
        held = result.quality.rows_held
        table.add_row(
            name,
            "[green]new[/]" if result.created else "unchanged",
            f"{result.snapshot.row_count:,}",
            f"[yellow]{held:,}[/]" if held else "0",
            str(result.snapshot.version),
        )
    console.print(table)
    for name, result in summary.ingested.items():
        for warning in condensed(result.snapshot.warnings) if result.created else []:
            console.print(f"[yellow]warning[/] {escape(name)}: {escape(warning)}", highlight=False)
    for warning in summary.warnings:
        console.print(f"[yellow]warning[/] {escape(warning)}", highlight=False)
    if any(result.quality.rows_held for result in summary.ingested.values()):
        console.print("Quarantined rows are left out of the datasets: `peil quarantine DATASET` lists them.")
    console.print(
        f"{counted(len(summary.ingested), 'source')} read, {counted(summary.snapshots_made, 'snapshot')} made, "
        f"{counted(summary.rows, 'row')}, {counted(summary.models, 'model')}, "
        f"{counted(len(summary.indicator_rows), 'indicator')} "
        f"({counted(sum(summary.indicator_rows.values()), 'value')}), "
        f"{counted(len(summary.question_runs), 'question')} ({counted(summary.runs_recorded, 'run')} new in their "
        f"history), {counted(len(summary.pages), 'page')}, {summary.seconds:.1f} s"
    )


def _current_snapshots(loaded: workspace.Workspace) -> dict[str, Any]:
    if not loaded.warehouse_path.exists():
        return {}
    with Warehouse.open(loaded.warehouse_path, read_only=True) as warehouse:
        return {name: warehouse.current_snapshot(name) for name in loaded.sources}


def _moment(text: str) -> date | datetime:
    """An --as-of value: a date (YYYY-MM-DD), or a time (YYYY-MM-DDTHH:MM, seconds and an offset optional; T or a
    space between, and T and Z in either case, as RFC 3339 allows); timetravel.cutoff says what it stands for.
    Only the extended ISO 8601 forms: 20260301 could be read as the day's start or its end, so it is refused."""
    iso = text.upper()  # 2026-03-01t10:00z: Python reads a T and a Z in capitals only
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
            moment: date | datetime = date.fromisoformat(iso)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", iso):
            moment = datetime.fromisoformat(iso)
        else:
            raise ValueError(text)
        timetravel.cutoff(moment)  # 9999-12-31 ends past the last date Python knows
    except (ValueError, OverflowError):
        raise typer.BadParameter(
            f"'{text}' is no date or time; use YYYY-MM-DD, YYYY-MM-DDTHH:MM (Belgian time) or YYYY-MM-DDTHH:MM+00:00"
        ) from None
    if isinstance(moment, datetime) and (twice := timetravel.offsets(moment)):
        first, second = (moment.replace(tzinfo=timezone(offset)).isoformat() for offset in twice)
        raise typer.BadParameter(
            f"'{text}' happens twice in Belgian time, as the clocks go back an hour that night; "
            f"give its offset: {first} for the first time, {second} for the second"
        )
    return moment
