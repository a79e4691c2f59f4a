"""The `peil` command: parse arguments, call the core, print. No logic of its own lives here.

Every user error (a PeilError) prints as one message naming the file and place, with what to do, and exits 1.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from peil import __version__, demo, query, sources, workspace
from peil.build import BuildSummary, Step, build
from peil.errors import PeilError, WorkspaceError
from peil.reports.serve import make_server
from peil.store import Warehouse

app = typer.Typer(
    name="peil",
    help="Data-driven policy for local government: versioned data, indicators and reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

WorkspaceOption = Annotated[
    Path,
    typer.Option("--workspace", "-w", help="The workspace folder (holds peil.yaml).", show_default=False),
]
STARTER = Path(__file__).parent / "starter"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def main() -> None:
    """Entry point of the `peil` command."""
    try:
        app()
    except PeilError as exc:
        errors.print(f"[bold red]error[/] {exc}", highlight=False, markup=True, soft_wrap=True)
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
    console.print(f"Created a workspace in [bold]{directory}[/]. Next: [bold]peil build -w {directory}[/]")


@app.command()
def infer(
    file: Annotated[Path, typer.Argument(help="A CSV, Excel, ODS, Parquet or JSON file.", exists=True)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the YAML here.")] = None,
) -> None:
    """Propose a source file for FILE, its schema inferred: check it, then save it under sources/."""
    text = sources.infer(file)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote {output}")
    else:
        sys.stdout.write(text)


@app.command("build")
def build_command(ws: WorkspaceOption = Path(".")) -> None:
    """Snapshot changed sources, run models, compute indicators and render the site."""
    _print_summary(_build_with_progress(ws))


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
            title or "",
            source.format or "",
            source.owner,
            source.classification,
            str(snap.version) if snap else "-",
            f"{snap.row_count:,}" if snap else "-",
            f"{snap.created_at:%Y-%m-%d %H:%M}" if snap else "not built",
        )
    console.print(table)


@app.command()
def history(dataset: Annotated[str, typer.Argument(help="A dataset name.")], ws: WorkspaceOption = Path(".")) -> None:
    """List every snapshot of DATASET, oldest first: version, time, rows, content hash and files."""
    loaded = workspace.load(ws)
    with Warehouse.open(loaded.warehouse_path, read_only=True) as warehouse:
        snapshots = warehouse.snapshots(dataset)
    table = Table("version", "snapshot", "loaded", "rows", "content hash", "files", title=f"history of {dataset}")
    for snap in snapshots:
        table.add_row(
            str(snap.version),
            str(snap.snapshot_id),
            f"{snap.created_at:%Y-%m-%d %H:%M:%S}",
            f"{snap.row_count:,}",
            snap.content_hash[:12],
            ", ".join(f["path"] for f in snap.files),
        )
    console.print(table)


@app.command()
def sql(
    statement: Annotated[str, typer.Argument(help="One SELECT; datasets and models by name.")],
    ws: WorkspaceOption = Path("."),
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    limit: Annotated[int, typer.Option(help="At most this many rows in a table.")] = 1000,
) -> None:
    """Run one read-only query on the warehouse and print the result as a table, CSV or JSON."""
    loaded = workspace.load(ws)
    with query.read_only(loaded.warehouse_path) as con:
        result = query.run(con, statement, limit=limit if output_format is OutputFormat.table else None)
    if output_format is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    elif output_format is OutputFormat.json:
        records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        sys.stdout.write(json.dumps(records, default=_json_value, ensure_ascii=False, indent=1) + "\n")
    else:
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
        if result.truncated:
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
        console.print(f"Copied the example workspace to [bold]{directory}[/]")
    summary = _build_with_progress(directory)
    _print_summary(summary)
    site = workspace.load(directory).site_path
    if no_serve:
        console.print(f"The site is in [bold]{site}[/]; open {site / 'index.html'}")
    else:
        _serve(site, port)


def _serve(site: Path, port: int) -> None:
    with make_server(site, port=port) as server:
        host, bound = server.server_address[:2]
        console.print(f"Serving [bold]{site}[/] on [bold]http://{host!s}:{bound}/[/] (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.print("Stopped.")


def _build_with_progress(ws: Path) -> BuildSummary:
    labels = {"source": "sources", "models": "models", "indicators": "indicators", "report": "report"}
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
    table = Table("dataset", "snapshot", "rows", "version", title=f"build {summary.build_id}")
    for name, result in summary.ingested.items():
        table.add_row(
            name,
            "[green]new[/]" if result.created else "unchanged",
            f"{result.snapshot.row_count:,}",
            str(result.snapshot.version),
        )
    console.print(table)
    console.print(
        f"{len(summary.ingested)} sources read, {summary.snapshots_made} snapshots made, {summary.rows:,} rows, "
        f"{summary.models} models, {len(summary.indicator_rows)} indicators "
        f"({sum(summary.indicator_rows.values()):,} values), {len(summary.pages)} pages, {summary.seconds:.1f} s"
    )


def _current_snapshots(loaded: workspace.Workspace) -> dict[str, Any]:
    if not loaded.warehouse_path.exists():
        return {}
    with Warehouse.open(loaded.warehouse_path, read_only=True) as warehouse:
        return {name: warehouse.current_snapshot(name) for name in loaded.sources}


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)
