"""Adopt a group of stray copies: make the authoritative file a source of a workspace, and keep the other copies
as its earlier snapshots, so their history is not lost.

`adopt` scans the folder again (so the group is as it is now), then

1. copies the chosen file to ``data/<name>/`` in the workspace (with the extension its content calls for), or
   with `reference` points the source at the file where it is;
2. writes ``sources/<name>.yaml`` as `peil infer` proposes it (owner and licence left to fill in), with the
   group's key as its primaryKey (one column or compound, e.g. [nis_code, jaar]) when the chosen file holds it
   filled and once on every row;
3. loads every other copy as a snapshot of the dataset, oldest first by modification time (of a workbook's
   sheets, the hidden ones first: a sheet hidden in a workbook is its old data, as the scan remarks), each read as its
   own format and options say, its columns mapped onto the source's by the scan's alignment (a renamed column
   is read under its own name, a missing one stays empty, a total row below the table is left out), then the
   chosen file as the current snapshot. Each snapshot is its own transaction; a copy that cannot be read is
   reported and the others are loaded.

`peil history <name>` then lists the copies oldest first, the chosen file last.
"""

from __future__ import annotations

import glob
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from peil import workspace
from peil.errors import PeilError, WorkspaceError
from peil.scan import scan
from peil.scan.model import Group, Member, Scan, Table
from peil.sources.infer import infer, slug
from peil.store import Warehouse
from peil.workspace import NAME_PATTERN, SchemaField, Source

VERSION_NOISE = re.compile(
    r"^(kopie_van|copy_of)_|_(kopie|copy|v\d+|def|definitief|final|finaal|nieuw|new|oud|old|export|\d{1,2})(?=_|$)"
)
SUFFIXES = {"csv": ".csv", "excel": ".xlsx"}


@dataclass
class Adopted:
    """What `adopt` did: the dataset's name, the source file written, the data file it reads, the snapshots made
    (version, file as `shown`) oldest first, and the copies that could not be loaded with the reason."""

    name: str
    source: Path
    data: Path
    snapshots: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def adopt(
    folder: Path,
    group_id: str,
    root: Path,
    file: str | None = None,
    name: str | None = None,
    reference: bool = False,
) -> Adopted:
    """Adopt group `group_id` of the scan of `folder` into the workspace at `root` (see the module docstring).

    `file` picks the authoritative copy by its path relative to `folder` (default: the recommended one); `name`
    names the dataset (default: the chosen file's name without version words such as kopie_van, v2 or def).
    Raises PeilError when the group or file is unknown, and WorkspaceError when the name is taken or invalid.
    """
    ws = workspace.load(root)
    result = scan(folder)
    group = _group(result, group_id)
    chosen = _chosen(group, file)
    dataset = name or dataset_name(chosen.table.path)
    _check_name(ws, dataset)
    data = _place(result.folder / chosen.table.path, chosen, ws.root / "data" / dataset, reference)
    text = with_key(infer(data, ws.root, chosen.table.options.get("sheet")), _key(group, chosen))
    source_path = ws.root / "sources" / f"{dataset}.yaml"
    source_path.parent.mkdir(exist_ok=True)
    source_path.write_text(text, encoding="utf-8")  # the file's name names the dataset
    source = workspace.load(ws.root).sources[dataset]
    adopted = Adopted(dataset, source_path, data)
    with Warehouse.open(ws.warehouse_path) as warehouse:
        build_id = warehouse.start_build()
        for member in sorted(group.members, key=_age):
            if member is not chosen:
                _load_copy(warehouse, source, group, member, chosen, result.folder, build_id, adopted)
        snapshot = warehouse.ingest(source, ws.root, build_id).snapshot
        adopted.snapshots.append((snapshot.version, shown(chosen.table)))
        warehouse.finish_build(build_id, "ok", {"adopted": dataset, "snapshots": len(adopted.snapshots)})
    return adopted


def _age(member: Member) -> tuple[datetime, bool]:
    """A copy's place in the history: its file's modification time; a hidden sheet before the file's others."""
    return member.table.modified, not member.table.hidden


def shown(table: Table) -> str:
    """A copy as `peil history` shows a snapshot's file: its path, and a workbook's sheet read, even the only one
    ('personeel.xlsx [oud]'); a CSV file's path alone."""
    sheet = table.options.get("sheet")
    return f"{table.path} [{sheet}]" if sheet else table.path


def dataset_name(path: str) -> str:
    """A dataset name from a copy's file name: 'Kopie van personeel (3).xlsx' and 'personeel_v2_def.xlsx' give
    'personeel'; one that is a word of SQL gets '_data' ('Select.xlsx': 'select_data')."""
    name = slug(Path(path))
    while (shorter := VERSION_NOISE.sub("", name)) != name and shorter:
        name = shorter
    return f"{name}_data" if name in workspace.sql_words() else name  # `FROM select` would not parse


def _group(result: Scan, group_id: str) -> Group:
    group = result.group(group_id)
    if group is None:
        known = ", ".join(g.id for g in result.groups) or "none"
        raise PeilError(f"the scan of {result.folder} has no group '{group_id}'", hint=f"Its groups: {known}.")
    return group


def _chosen(group: Group, file: str | None) -> Member:
    if file is None:
        return group.members[group.recommended]
    wanted = Path(file).as_posix()
    for member in group.members:
        if wanted in (member.table.path, member.table.label):
            return member
    listed = ", ".join(m.table.label for m in group.members)
    raise PeilError(f"group {group.id} has no file '{file}'", hint=f"Its files: {listed}.")


def _key(group: Group, chosen: Member) -> list[str]:
    """The group's key as the chosen file names its columns, if the file holds it on every row, each value once;
    else none."""
    names = [name for g in group.key if (name := chosen.columns[g]) is not None]
    filled = {c.name: c.filled for c in chosen.table.columns}
    whole = len(names) == len(group.key) and all(filled[n] == chosen.table.rows for n in names)
    return names if names and whole and not chosen.duplicates else []


def with_key(text: str, key: list[str]) -> str:
    """A source's YAML as `peil infer` writes it, declaring `key` as the primaryKey of its schema (unchanged when
    `key` is empty or declared already); the rest of the text, comments included, is kept."""
    schema = yaml.safe_load(text)["schema"]
    if not key or schema.get("primaryKey") == key:
        return text
    schema["primaryKey"] = key
    block = yaml.safe_dump({"schema": schema}, sort_keys=False, allow_unicode=True)
    return re.sub(r"^schema:\n(?: .*\n)*", lambda _: block, text, count=1, flags=re.MULTILINE)


def _check_name(ws: workspace.Workspace, name: str) -> None:
    if not re.match(NAME_PATTERN, name):
        raise WorkspaceError(
            f"'{name}' is not a valid dataset name", hint="Use --name with lower-case letters, digits and _."
        )
    if name in workspace.sql_words():
        raise WorkspaceError(
            f"'{name}' is a word of SQL, so `FROM {name}` would not parse", hint=f"Use --name, e.g. {name}_data."
        )
    if name in ws.relation_names() or (ws.root / "sources" / f"{name}.yaml").exists():
        raise WorkspaceError(
            f"the workspace already has a dataset or model '{name}'", hint="Choose another with --name."
        )


def _place(original: Path, chosen: Member, folder: Path, reference: bool) -> Path:
    """The file the source reads: the original itself, or a copy in `folder` named for its content's format."""
    if reference:
        return original
    folder.mkdir(parents=True, exist_ok=True)
    suffix = original.suffix if chosen.table.format == workspace.format_for_path(original.name) else ""
    target = folder / (original.name if suffix else original.stem + SUFFIXES[chosen.table.format])
    if target.exists():
        raise WorkspaceError(f"{target} exists already", hint="Remove it, or choose another name with --name.")
    shutil.copy2(original, target)
    return target


def _load_copy(
    warehouse: Warehouse,
    source: Source,
    group: Group,
    member: Member,
    chosen: Member,
    folder: Path,
    build_id: int,
    adopted: Adopted,
) -> None:
    """Load one copy as a snapshot of `source`; on failure, note why in `adopted`."""
    table = member.table
    by_chosen = dict(zip(chosen.columns, member.columns, strict=True))
    columns = {f.name: by_chosen.get(f.name) for f in source.table_schema.fields}
    own = {c.name: c for c in table.columns}
    fields = [
        SchemaField(name=name, type=f.type, format=own[name].format if own[name].type == f.type else f.format)
        for f in source.table_schema.fields
        if (name := columns[f.name]) is not None
    ]
    reader = Source.model_validate(
        {
            "name": source.name,
            "path": glob.escape(str(folder / table.path)),
            "format": table.format,
            "options": table.options,
            "schema": {"fields": [f.model_dump(exclude_defaults=True) for f in fields]},
            "owner": source.owner,
        }
    )
    try:
        snapshot = warehouse.ingest_version(source, reader, columns, folder, build_id)
    except PeilError as exc:
        adopted.failed.append((shown(table), exc.message))
        return
    adopted.snapshots.append((snapshot.version, shown(table)))
