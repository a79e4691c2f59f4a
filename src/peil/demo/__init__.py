"""The bundled example workspace: Roeselare (NIS 36015) against its peers and Flanders, from real open data.

The workspace ships inside the package (``workspace/``): sources, models, indicators and reports, and the
open data files it reads, each with its provenance and licence (``workspace/data/PROVENANCE.md``). `peil demo`
copies it to a folder of the user's and builds it there, so the packaged copy is never written to.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Callable
from pathlib import Path

__all__ = ["copy_workspace", "workspace_path"]

#: Generated folders of a built workspace, never copied: the warehouse and the rendered site.
GENERATED = (".peil", "site")
#: The folder of stray copies of the staff register, for `peil scan` (peil.demo.stray).
STRAY = "stray"


def workspace_path() -> Path:
    """The folder of the packaged example workspace (read it, don't build in it: use `copy_workspace`)."""
    return Path(__file__).resolve().parent / "workspace"


def copy_workspace(dest: Path | str) -> Path:
    """Copy the example workspace to `dest`, without generated folders, and return `dest`.

    `dest` may be missing or an empty folder; its parents are created. Raises FileExistsError naming `dest`
    when it is a file or a folder that is not empty, so that nothing of the user's is overwritten.
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise FileExistsError(
            f"{dest} already exists and is not an empty folder; choose a new folder for the example workspace"
        )
    source = workspace_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, dest, ignore=_generated(source), copy_function=shutil.copyfile, dirs_exist_ok=True)
    # An installed package may be read-only; the copy is the user's to edit.
    for path in (dest, *dest.rglob("*")):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    # Imported here: `python -m peil.demo.stray` must not find the module imported by its own package already.
    from peil.demo.stray import restore_demo_times

    restore_demo_times(dest / STRAY)
    return dest


def _generated(root: Path) -> Callable[[str, list[str]], set[str]]:
    """An ignore function for copytree: the generated folders at the top of `root`, and byte-code caches."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n == "__pycache__"}
        if Path(folder).resolve() == root:
            skipped |= {n for n in names if n in GENERATED}
        return skipped

    return ignore
