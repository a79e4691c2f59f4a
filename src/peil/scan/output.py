"""A scan as JSON and as a terminal summary (Rich). The HTML page is peil.reports.scan.

JSON shape (`to_json`)::

    {"folder": str, "files": int, "seconds": float,
     "groups": [{"id": "g1", "key": str | null, "key_columns": [str], "columns": [str], "keys": int,
                 "recommended": path, "reasons": [reason], "warnings": [warning], "weights": {criterion: weight},
                 "files": [{"path", "sheet", "modified" (ISO, UTC), "size", "sha256", "rows", "keys",
                            "duplicate_keys", "columns": {group column: file column | null}, "criteria": {...},
                            "score", "extract_of": [path], "same_as": path | null,
                            "zeros_lost": [{"column", "kept", "lost"}], "flags": [str]}],  # oldest first
                 "keys_not_everywhere": [{"key", "key_values", "in": [path], "missing_from": [path]}],
                 "keys_not_everywhere_total", "keys_only_absent_from_extracts",
                 "conflicts": [{"key", "key_values", "column", "values": [{"path", "value"}]}], "conflicts_total"}],
     "singles": [{"path", "sheet", "modified", "rows", "columns": [str], "flags": [str]}],
     "skipped": [{"path", "sheet", "reason"}]}

Criteria are `keys`, `agreement`, `completeness` and `recency` (peil.scan.compare); a reason is one of them, or
`extracts` when files are extracts of the recommended one (their `extract_of` names it), `unique` when files
holding a key twice (`duplicate_keys`) were passed over, or `zeros` when files that lost the leading zeros of a
code (`zeros_lost`: '00005' kept, 5 lost, peil.scan.zeros) were; when none of these, what else decided: `alike`
(all files hold the same rows and values), `score` (the highest total), `newer`, `rows` or `first` (modified
last, more rows, first by name: no criterion sets the files apart). A warning is `hidden` when the recommended
table is on a sheet hidden in its workbook. A key is shown as its values joined by ' | ' ("36015 | 2024" for the
compound key nis_code | jaar, "000123" for one column); `key_columns` and `key_values` give its parts.
`keys_not_everywhere` lists first the keys that a file which is no extract lacks, then those only extracts lack,
which `keys_only_absent_from_extracts` counts; `same_as` names the oldest file with the same rows and values.
"""

from __future__ import annotations

from typing import Any

from babel.lists import format_list
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

from peil.messages import ENGLISH
from peil.reports.i18n import terminal_time
from peil.scan.compare import WEIGHTS
from peil.scan.model import Conflict, Group, Member, Scan, Table
from peil.texts import counted

REASONS = {
    "keys": "holds the most keys",
    "agreement": "agrees most with the majority where the copies differ",
    "completeness": "has the most filled cells (a column a copy lacks counts as empty)",
    "recency": "is the most recent",
    "extracts": "holds every row of {files}",
    "unique": "holds each key once, where {files} hold some twice",
    "zeros": "keeps the leading zeros that {files} lost",
    "alike": "is the newest of copies alike in every row and value",
    "score": "scores highest on the criteria together, though best on none of them alone",
    "newer": "was modified last; no criterion sets the copies apart",
    "rows": "has the most rows; no criterion sets the copies apart",
    "first": "comes first by name; no criterion sets the copies apart",
}
WARNINGS = {"hidden": "it is on a sheet hidden in its workbook, which often holds old data"}
SHOWN = 10


def to_json(result: Scan) -> dict[str, Any]:
    """The scan as JSON-ready values (see the module docstring)."""
    return {
        "folder": str(result.folder),
        "files": result.files,
        "seconds": round(result.seconds, 3),
        "groups": [_group(g) for g in result.groups],
        "singles": [_single(t) for t in result.singles],
        "skipped": [{"path": s.path, "sheet": s.sheet, "reason": s.reason} for s in result.skipped],
    }


def _group(group: Group) -> dict[str, Any]:
    paths = [m.table.label for m in group.members]
    return {
        "id": group.id,
        "key": group.key_label or None,
        "key_columns": group.key_names,
        "columns": group.columns,
        "keys": group.keys_total,
        "recommended": paths[group.recommended],
        "reasons": group.reasons,
        "warnings": group.warnings,
        "weights": WEIGHTS,
        "files": [_member(m, group.columns, paths) for m in group.members],
        "keys_not_everywhere": [
            {
                "key": p.label,
                "key_values": list(p.key),
                "in": [paths[m] for m in p.members],
                "missing_from": [paths[m] for m in group.lacking(p)],
            }
            for p in group.presence
        ],
        "keys_not_everywhere_total": group.presence_total,
        "keys_only_absent_from_extracts": group.absent_from_extracts,
        "conflicts": [
            {
                "key": c.label,
                "key_values": list(c.key),
                "column": c.column,
                "values": [{"path": paths[m], "value": v} for m, v in c.values],
            }
            for c in group.conflicts
        ],
        "conflicts_total": group.conflicts_total,
    }


def _member(member: Member, columns: list[str], paths: list[str]) -> dict[str, Any]:
    table = member.table
    return {
        "path": table.path,
        "sheet": table.sheet,
        "modified": table.modified.isoformat(),
        "size": table.size,
        "sha256": table.sha256,
        "rows": table.rows,
        "keys": member.keys,
        "duplicate_keys": member.duplicates,
        "columns": dict(zip(columns, member.columns, strict=True)),
        "criteria": {name: round(value, 4) for name, value in member.criteria.items()},
        "score": round(member.score, 4),
        "extract_of": [paths[m] for m in member.extract_of],
        "same_as": None if member.same_as is None else paths[member.same_as],
        "zeros_lost": [{"column": columns[z.column], "kept": z.kept, "lost": z.lost} for z in member.zeros],
        "flags": table.flags,
    }


def _single(table: Table) -> dict[str, Any]:
    return {
        "path": table.path,
        "sheet": table.sheet,
        "modified": table.modified.isoformat(),
        "rows": table.rows,
        "columns": [c.name for c in table.columns],
        "flags": table.flags,
    }


def print_scan(console: Console, result: Scan) -> None:
    """A summary for the terminal: per group its files, keys not everywhere and conflicts (the first SHOWN of
    each), then the files skipped and flagged. Every text from a file is escaped, never taken for markup."""
    console.print(
        f"Scanned [bold]{escape(str(result.folder))}[/]: {counted(result.files, 'file')}, "
        f"{counted(len(result.groups), 'group')} of copies, {counted(len(result.singles), 'table')} without copies, "
        f"{len(result.skipped)} skipped "
        f"({result.seconds:.1f} s)"
    )
    for group in result.groups:
        _print_group(console, group)
    if result.singles:
        names = ", ".join(t.label for t in result.singles[:SHOWN])
        more = f" and {len(result.singles) - SHOWN} more" if len(result.singles) > SHOWN else ""
        console.print(Text(f"Tables without a copy: {names}{more}"))
    if result.skipped:
        table = RichTable("file", "reason", title="Skipped")
        for s in result.skipped:
            table.add_row(Text(s.path + (f" [{s.sheet}]" if s.sheet else "")), Text(s.reason))
        console.print(table)
    if result.flagged:
        table = RichTable("file", "flag", title="Read, with flags")
        for t in result.flagged:
            for flag in t.flags:
                table.add_row(Text(t.label), Text(flag))
        console.print(table)
    if result.groups:
        first = result.groups[0].id
        console.print(
            f"Make a group's file a source: [bold]peil adopt {first} FOLDER -w WORKSPACE[/] (--file to choose)"
        )


def _print_group(console: Console, group: Group) -> None:
    best = group.members[group.recommended]
    key = f"key [bold]{escape(group.key_label)}[/]" if group.key else "no common key: cells not compared"
    title = f"{group.id}: {len(group.members)} copies of one table ({key}, {group.keys_total:,} keys)"
    files = RichTable("", "file", "modified", "rows", "keys", "keys twice", "score", title=title, title_justify="left")
    for m, member in enumerate(group.members):
        files.add_row(
            "★" if m == group.recommended else "",
            Text(member.table.label),
            terminal_time(member.table.modified),
            f"{member.table.rows:,}",
            f"{member.keys:,}",
            f"[yellow]{member.duplicates:,}[/]" if member.duplicates else "0",
            f"{member.score:.2f}",
        )
    console.print(files)
    labels = [m.table.label for m in group.members]
    named = {"extracts": group.extracts, "unique": group.doubled, "zeros": group.zeros_lost}  # the files named
    why = format_list(
        [
            REASONS[r].format(files=format_list([labels[m] for m in named.get(r, [])], locale=ENGLISH))
            for r in group.reasons
        ],
        locale=ENGLISH,
    )
    recommended = Text(f"Recommended: {best.table.label}: {why}.")
    for warning in group.warnings:
        recommended.append(f" Warning: {WARNINGS[warning]}.", style="yellow")
    console.print(recommended)
    _print_renamed(console, group, labels)
    if group.presence_total:
        _print_presence(console, group, labels)
    if group.conflicts_total:
        title = counted(group.conflicts_total, "conflicting cell")
        conflicts = RichTable(escape(group.key_label), "column", "values, and the copies holding them", title=title)
        for c in group.conflicts[:SHOWN]:
            conflicts.add_row(Text(c.label), Text(c.column), Text(_values(c, labels)))
        console.print(conflicts)
        _more(console, group.conflicts_total)


def _print_renamed(console: Console, group: Group, labels: list[str]) -> None:
    """A line per column that copies name otherwise, as the page says it: 'The column loon is called brutoloon
    in personeel_jun_v2.xlsx.', and per code whose leading zeros a copy lost: 'Leading zeros lost in
    personeel_aug.xlsx (personeelsnummer: 00001 -> 1).'"""
    for column, name, members in group.renamed:
        files = format_list([labels[m] for m in members], locale=ENGLISH)
        console.print(Text(f"The column {column} is called {name} in {files}."))
    for member, label in zip(group.members, labels, strict=True):
        for zeros in member.zeros:
            console.print(Text(f"Leading zeros lost in {label} ({group.lost(zeros)}).", style="yellow"))


def _print_presence(console: Console, group: Group, labels: list[str]) -> None:
    """The keys not in every copy, the first SHOWN of them with the copies lacking each (first those a copy that
    is no extract lacks), then how many only extracts lack: '157 of these keys are only absent from the extract
    ocmw_only.xlsx'."""
    console.print(f"{counted(group.presence_total, 'key is', 'keys are')} not in every copy:")
    for p in group.presence[:SHOWN]:
        console.print(Text(f"  {p.label}: not in {', '.join(labels[m] for m in group.lacking(p))}"))
    _more(console, group.presence_total)
    if group.absent_from_extracts:
        extracts = [labels[m] for m in group.all_extracts]
        kind = "the extract" if len(extracts) == 1 else "the extracts"
        these = counted(group.absent_from_extracts, "of these keys is", "of these keys are")
        console.print(Text(f"  {these} only absent from {kind} {format_list(extracts, locale=ENGLISH)}"))


def _more(console: Console, total: int) -> None:
    """Say how many of `total` were not listed (the first SHOWN are)."""
    if total > SHOWN:
        console.print(f"  … and {total - SHOWN:,} more; [bold]--format json[/] or --html lists them all")


def _values(conflict: Conflict, labels: list[str]) -> str:
    """Each value of a conflicting cell with the copies holding it, the most common first: '0.8 (5 copies);
    1 (personeel_jan.xlsx)'."""
    holders: dict[str | None, list[str]] = {}
    for m, value in conflict.values:
        holders.setdefault(value, []).append(labels[m])
    parts = []
    for value, files in sorted(holders.items(), key=lambda item: -len(item[1])):
        where = ", ".join(files) if len(files) < 3 else f"{len(files)} copies"
        parts.append(f"{'(empty)' if value is None else value} ({where})")
    return "; ".join(parts)
