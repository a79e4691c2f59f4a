"""The stray-copy scan as HTML: a standalone page (`peil scan FOLDER --html FILE`) and the ``scan`` directive of a
report page, which places the scan of a folder of the workspace::

    ```scan
    stray
    ```

Both render the macro in templates/scan_blocks.html, in Dutch or English; the standalone page inlines the report
style sheet and runs no script, so it opens anywhere, also from an e-mail. The reasons files were skipped and the
remarks on files read are put in the page's language (the `say` filter), and so are numbers with a fraction that
differ between copies (0,8 in Dutch) and lists, such as the reasons for the recommendation (the `listed` filter:
'a, b en c' in Dutch, 'a, b and c' in English).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from markupsafe import Markup

from peil.errors import Location, ReportError
from peil.reports import i18n
from peil.workspace import Language

if TYPE_CHECKING:  # peil.scan imports datasketch, which takes a second: only a page that scans loads it
    from peil.scan.model import Conflict, Group, Presence, Scan

SHOWN = 100


@dataclass(frozen=True)
class GroupView:
    """A group as its section shows it: file labels (oldest first), the labels of the extracts of the recommended
    file, of the files that are an extract of any other (Group.all_extracts), and of the files passed over for
    holding a key twice (Group.doubled) or for losing a code's leading zeros (Group.zeros_lost); per conflict each
    distinct value with the files holding it (None: empty; a Decimal in a column of numbers), per key not
    everywhere the files with and without it, and the columns a file names differently from the group (column,
    its name there, file)."""

    group: Group
    labels: list[str]
    extracts: list[str]
    all_extracts: list[str]
    doubled: list[str]
    zeros_lost: list[str]
    conflicts: list[tuple[Conflict, list[tuple[Decimal | str | None, list[str]]]]]
    presence: list[tuple[Presence, list[str], list[str]]]
    renamed: list[tuple[str, str, str]]


def group_view(group: Group) -> GroupView:
    """The view of one group, with at most SHOWN conflicts and keys not everywhere."""
    labels = [m.table.label for m in group.members]
    numbers = _numbers(group)
    conflicts = []
    for conflict in group.conflicts[:SHOWN]:
        values: dict[str | None, list[str]] = {}
        for m, value in conflict.values:
            values.setdefault(value, []).append(labels[m])
        ordered = sorted(values.items(), key=lambda item: -len(item[1]))
        number = conflict.column in numbers
        conflicts.append((conflict, [(i18n.as_number(v) if number else v, files) for v, files in ordered]))
    presence = [
        (p, [labels[m] for m in p.members], [labels[m] for m in group.lacking(p)]) for p in group.presence[:SHOWN]
    ]
    renamed = [(column, name, labels[m]) for column, name, members in group.renamed for m in members]
    extracts, all_extracts = [labels[m] for m in group.extracts], [labels[m] for m in group.all_extracts]
    doubled, zeros_lost = [labels[m] for m in group.doubled], [labels[m] for m in group.zeros_lost]
    return GroupView(group, labels, extracts, all_extracts, doubled, zeros_lost, conflicts, presence, renamed)


def _numbers(group: Group) -> set[str]:
    """The group's columns that hold numbers with a fraction (infer's type 'number') in any copy."""
    return {
        column
        for member in group.members
        for column, name in zip(group.columns, member.columns, strict=True)
        if any(c.name == name and c.type == "number" for c in member.table.columns)
    }


def render_page(result: Scan, language: Language) -> str:
    """The standalone HTML page of a scan, in `language`."""
    from peil.reports.render import STATIC_DIR, environment  # render imports this module for the directive

    env = environment(language, result.folder, {})
    css = Markup((STATIC_DIR / "peil.css").read_text(encoding="utf-8"))  # our own style sheet
    return env.get_template("scan.html").render(language=language, css=css, **_context(result))


def render_block(env: Environment, root: Path, content: str, location: Location) -> str:
    """The HTML of a ``scan`` block: the scan of the folder its content names, relative to the workspace `root`.

    Raises ReportError naming the block when the folder is missing or outside the workspace.
    """
    from peil.scan import scan

    name = content.strip()
    folder = (root / name).resolve()
    if not name or "\n" in name or not folder.is_dir() or not folder.is_relative_to(root.resolve()):
        raise ReportError(
            f"a 'scan' block names a folder of the workspace; '{name}' is none",
            location,
            hint="Write one folder, relative to the workspace, between the fences (e.g. stray).",
        )
    macro = env.get_template("scan_blocks.html").module.scan  # type: ignore[attr-defined]
    return str(macro(**_context(scan(folder))))


def _context(result: Scan) -> dict[str, Any]:
    return {"result": result, "groups": [group_view(g) for g in result.groups], "shown": SHOWN}
