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

Three kinds of copy are no version of their own, and are left out with the reason (`Adopted.left_out`):

- an **extract** (Member.extract_of) of a copy that is not newer than it: every row of it is in that copy with
  the same values, so it is a filtered export of it (43 of 200 staff, say), and loading it would make the diff
  say that the other rows were removed, and the next version that they came back. An extract of newer copies
  only is loaded: it is an earlier version of a list that grew. "Not newer" is by the time of its content (that
  of the oldest copy with the same rows and values), a minute either way counting as the same time (a folder
  copied without its times), a visible sheet being newer than a hidden sheet of its workbook. Choosing such an
  extract as the authoritative file is refused (`_chosen`): the full copies would become its earlier versions;
- a copy that lost the **leading zeros** of a code in the key (Member.zeros: 00005 kept as the number 5): its
  rows would not match the other versions' by the key, so the diff would say that every row was removed;
- a copy with the **same rows and values** as an older one (Member.same_as: the same bytes, or saved again or
  exported) or as the chosen file: the oldest of them is loaded, or the chosen file, the others not again.

Two loaded copies that each changed a cell of the list they came from, each otherwise (the value the first copy
loaded with the cell holds, as far as the folder tells), are likely edits made apart, side by side: loaded one
after the other, the diff between them would show one edit replacing the other. adopt loads them all the same,
and names each such pair with the cells they differ on (`Adopted.clashes`, `Clash`). The chosen file is in no
pair: it is the one trusted, its differences the history's last edits.

`peil history <name>` then lists the copies oldest first, the chosen file last.
"""

from __future__ import annotations

import glob
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from pathlib import Path

import yaml

from peil import workspace
from peil.errors import PeilError, WorkspaceError
from peil.scan import scan
from peil.scan.compare import SAME_TIME
from peil.scan.model import Conflict, Group, Member, Scan, Table, located
from peil.sources.infer import infer, slug
from peil.store import Warehouse
from peil.texts import counted
from peil.workspace import NAME_PATTERN, SchemaField, Source

VERSION_NOISE = re.compile(
    r"^(kopie_van|copy_of)_|_(kopie|copy|v\d+|def|definitief|final|finaal|nieuw|new|oud|old|export|\d{1,2})(?=_|$)"
)
SUFFIXES = {"csv": ".csv", "excel": ".xlsx"}
Cell = tuple[Conflict, str | None, str | None]  # a conflicting cell, with the values two copies hold in it


@dataclass(frozen=True)
class Clash:
    """Two copies loaded as earlier versions that each changed the same cells otherwise (see the module docstring):
    the files as `shown`, older first; how many such cells (`complete` False when the scan listed only the first
    LIMIT conflicts of the group, so there may be more); and the first: its key as shown, its column, and each
    copy's value (None: empty). Clash('personeel_jun_marc.xlsx [Personeel]', 'personeel_jun_els.xlsx [Personeel]',
    1, True, '00005', 'loon', ('9999', '1111'))."""

    first: str
    second: str
    cells: int
    complete: bool
    key: str
    column: str
    values: tuple[str | None, str | None]

    @property
    def warning(self) -> str:
        """The clash in words, for the terminal: 'A and B hold different values for the same cells (1 conflict, e.g.
        00005 loon: 9999 / 1111): they are loaded one after the other ...'."""
        count = counted(self.cells, "conflict") if self.complete else f"at least {counted(self.cells, 'conflict')}"
        values = " / ".join("(empty)" if value is None else value for value in self.values)
        return (
            f"{self.first} and {self.second} hold different values for the same cells ({count}, e.g. {self.key} "
            f"{self.column}: {values}): they are loaded one after the other by time, so a diff between them shows "
            "one edit replacing the other; check which is right before relying on their history."
        )


@dataclass
class Adopted:
    """What `adopt` did: the dataset's name, the source file written, the data file it reads, the snapshots made
    (version, file as `shown`) oldest first, the copies that could not be loaded with the reason, and the copies
    left out as no version of their own (file, why: 'an extract of personeel_jan.xlsx [Personeel] ...', 'leading
    zeros lost ...' or 'the same as ..., not loaded again'), oldest first; and the pairs of loaded copies that
    changed the same cells otherwise, oldest pair first (`Clash`)."""

    name: str
    source: Path
    data: Path
    snapshots: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)


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
    Raises PeilError when the group or file is unknown or the file is an extract (`_chosen`), and WorkspaceError
    when the name is taken or invalid.
    """
    ws = workspace.load(root)
    result = scan(folder)
    group = _group(result, group_id)
    c = _chosen(group, file, result.folder)
    chosen = group.members[c]
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
        loaded = []
        for m in sorted(range(len(group.members)), key=lambda m: _age(group.members[m])):
            if m == c:
                continue
            if reason := _no_version(group, m, c):
                adopted.left_out.append((shown(group.members[m].table), reason))
            elif _load_copy(warehouse, source, group.members[m], chosen, result.folder, build_id, adopted):
                loaded.append(m)
        adopted.clashes = _clashes(group, loaded)
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
    return located(table.path, table.options.get("sheet"))


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


def _chosen(group: Group, file: str | None, folder: Path) -> int:
    """The index of the authoritative member: the recommended one, or the one `file` names (its path, or its
    label with the sheet; `folder` is the one scanned). Raises PeilError when the group has no such file, when
    it is an extract of a copy that is not newer (`_exported_from`): a filtered export cannot have the full lists
    as its earlier versions, or when it lost the leading zeros of its key and the recommended one did not."""
    if file is None:
        return group.recommended
    wanted = Path(file).as_posix()
    labels = [(member.table.path, member.table.label) for member in group.members]
    found = next((m for m, names in enumerate(labels) if wanted in names), None)
    if found is None:
        listed = ", ".join(m.table.label for m in group.members)
        raise PeilError(f"group {group.id} has no file '{file}'", hint=f"Its files: {listed}.")
    full = _exported_from(group, found, group.recommended)
    if full is not None:
        part, whole = group.members[found], group.members[full]
        raise PeilError(
            f"{part.table.label} is an extract of {whole.table.label}: its {part.keys:,} rows are all in that file "
            f"(of {whole.keys:,}), with the same values; a filtered export is no version of the dataset",
            hint=f"Adopt {group.members[group.recommended].table.label}, the recommended file (leave out --file), "
            f"or make the extract a dataset of its own: peil infer '{folder / part.table.path}' -o sources/NAME.yaml",
        )
    lost = _zeros_lost(group, found)
    if lost and not _zeros_lost(group, group.recommended):
        raise PeilError(
            f"{group.members[found].table.label} lost the leading zeros of its key ({lost}): the copies that keep "
            "them would match none of its rows",
            hint=f"Adopt {group.members[group.recommended].table.label}, the recommended file (leave out --file), or "
            "format the key column as text in that file ('00005'), save it and scan again.",
        )
    return found


def _zeros_lost(group: Group, m: int) -> str | None:
    """The first code of the group's key whose leading zeros member `m` lost, as 'personeelsnummer: 00001 -> 1';
    None when it lost none."""
    lost = [z for z in group.members[m].zeros if z.column in group.key]
    return group.lost(lost[0]) if lost else None


def _no_version(group: Group, m: int, chosen: int) -> str | None:
    """Why member `m` is no version of its own (see the module docstring), or None when it is one: 'an extract of
    FILE ...', 'leading zeros lost ...' or 'the same as FILE, not loaded again' (FILE as `shown`)."""
    full = _exported_from(group, m, chosen)
    if full is not None:
        return (
            f"an extract of {shown(group.members[full].table)} (its rows are all in that file, with the same values):"
            " a filtered export, not a version"
        )
    lost = _zeros_lost(group, m)
    if lost:
        return f"leading zeros lost ({lost}): its rows would not match the other versions' by the key"
    first = _content(group, m)
    if first == _content(group, chosen):
        return f"the same as {shown(group.members[chosen].table)}, not loaded again"
    if first != m:
        return f"the same as {shown(group.members[first].table)}, not loaded again"
    return None


def _exported_from(group: Group, m: int, chosen: int) -> int | None:
    """The member that member `m` is an extract of (Member.extract_of) and that is not newer than `m` (see the
    module docstring): the chosen member if it is one, else the newest of them, the oldest of copies alike; None
    when there is none, so `m` is no extract or an earlier version of a list that grew."""
    older = [b for b in group.members[m].extract_of if not _newer(group, b, m)]
    if not older:
        return None
    return max(older, key=lambda b: (b == chosen, _time(group, b), _content(group, b) == b, -b))


def _newer(group: Group, b: int, m: int) -> bool:
    """Whether member `b`'s content is newer than member `m`'s: by at least SAME_TIME, or `b` a visible sheet of
    the workbook on whose hidden sheet `m` is."""
    first, second = group.members[b].table, group.members[m].table
    if first.path == second.path:
        return second.hidden and not first.hidden
    return _time(group, b) - _time(group, m) >= SAME_TIME


def _content(group: Group, m: int) -> int:
    """The oldest member with the same rows and values as member `m` (Member.same_as), or `m` itself."""
    first = group.members[m].same_as
    return m if first is None else first


def _time(group: Group, m: int) -> float:
    """When member `m`'s content was first saved: the modification time of the oldest copy alike (seconds)."""
    return group.members[_content(group, m)].table.modified.timestamp()


def _clashes(group: Group, loaded: list[int]) -> list[Clash]:
    """The pairs of `loaded` members (indexes, in the order loaded) that changed the same cells otherwise (see
    `_changed_apart`), in that order: [Clash('personeel_jun_marc.xlsx [Personeel]', ...)]."""
    cells: dict[tuple[int, int], list[Cell]] = {}
    for conflict in group.conflicts:
        for a, b, first, second in _changed_apart(conflict, loaded):
            cells.setdefault((a, b), []).append((conflict, first, second))
    complete = len(group.conflicts) == group.conflicts_total
    pairs = sorted(cells, key=lambda pair: (loaded.index(pair[0]), loaded.index(pair[1])))
    return [_clash(group, a, b, cells[a, b], complete) for a, b in pairs]


def _changed_apart(conflict: Conflict, loaded: list[int]) -> list[tuple[int, int, str | None, str | None]]:
    """The pairs of `loaded` members (in that order) whose values of the conflict's cell differ from each other and
    from the value of the first of them holding the cell (the list they were edited from, as far as the folder
    tells), with those values: [(2, 3, '9999', '1111')]."""
    value = dict(conflict.values)
    held = [m for m in loaded if m in value]
    edited = [m for m in held[1:] if value[m] != value[held[0]]]
    return [(a, b, value[a], value[b]) for a, b in combinations(edited, 2) if value[a] != value[b]]


def _clash(group: Group, a: int, b: int, cells: list[Cell], complete: bool) -> Clash:
    """Members `a` and `b` as a Clash: their files, and their `cells` (conflict, a's value, b's value) counted,
    the first as the example."""
    conflict, first, second = cells[0]
    files = shown(group.members[a].table), shown(group.members[b].table)
    return Clash(*files, len(cells), complete, conflict.label, conflict.column, (first, second))


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
    member: Member,
    chosen: Member,
    folder: Path,
    build_id: int,
    adopted: Adopted,
) -> bool:
    """Load one copy as a snapshot of `source`, noted in `adopted`, and say whether it was loaded; on failure,
    note why in `adopted`."""
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
        return False
    adopted.snapshots.append((snapshot.version, shown(table)))
    return True
