"""Find a source's files and fingerprint them: path, SHA-256, size and modification time."""

from __future__ import annotations

import codecs
import glob
import gzip
import hashlib
import mmap
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BufferedIOBase
from pathlib import Path
from typing import Literal

from peil.errors import Location, SourceError
from peil.workspace import Source, iter_files

ZIP_MAGIC = b"PK\x03\x04"  # xlsx, ods
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # xls, or an xlsx encrypted with a password
HEAD = 4096
Content = Literal["empty", "zip", "ole", "binary", "html", "text"]


@dataclass(frozen=True)
class SourceFile:
    """One file of a source, as found when the source was resolved.

    `path` is relative to the workspace root in posix form, or absolute when the source's path is absolute;
    `sha256` is the hex digest of the file's bytes (compressed bytes for .gz); `size` is in bytes; `modified`
    is the file's mtime in UTC.
    """

    path: str
    sha256: str
    size: int
    modified: datetime


def source_files(source: Source, root: Path) -> list[SourceFile]:
    """Resolve `source.path` (a path or glob, relative to `root` unless absolute) to its files, sorted and hashed.

    Raises SourceError naming the path or pattern when nothing matches, or naming the file when it is empty.
    Raises SourceError too, saying how to escape the brackets, when a file's name is `source.path` as written
    ('data/file [x].csv') but the pattern does not match it (in a pattern, [x] is one character of those in the
    brackets). Such a file is not read in the pattern's place: a pattern must name the same files whatever other
    files come to lie beside them, and 'data/file [x].csv' would match a later 'data/file x.csv'.
    """
    matches = [path for path in iter_files(root, source.path) if path.is_file()]
    literal = root / source.path  # an absolute path stays as it is
    if literal.is_file() and literal not in matches:
        shown = [_display_path(path, root, source.path) for path in matches[:3]]
        found = ", ".join(shown) + (f" and {len(matches) - 3:,} more" if len(matches) > 3 else "") or "no file"
        escaped = glob.escape(source.path).replace("'", "''")  # in YAML's single quotes
        raise SourceError(
            "the path is read as a pattern, in which [...] stands for one character of those in the brackets: it "
            f"matches {found}, not the file of that name",
            Location(file=source.path),
            hint=f"To read that file, escape its brackets in sources/{source.name}.yaml, path: '{escaped}' "
            "([[] stands for [), or give the file a name without brackets.",
        )
    if not matches:
        raise SourceError(
            f"no file matches '{source.path}'",
            Location(file=source.path),
            hint=f"Put the file there, or correct `path` in sources/{source.name}.yaml "
            f"(relative to the workspace folder {root}; wildcards such as data/*.csv are allowed).",
        )
    files = []
    for path in matches:
        name = _display_path(path, root, source.path)
        stat = path.stat()
        if stat.st_size == 0:
            raise empty_file(name)
        digest = _sha256(path)
        modified = datetime.fromtimestamp(stat.st_mtime, UTC)
        files.append(SourceFile(path=name, sha256=digest, size=stat.st_size, modified=modified))
    return files


def empty_file(file: str) -> SourceError:
    """The error for the file `file` (as the user names it) that holds 0 bytes."""
    return SourceError(
        "the file is empty (0 bytes)",
        Location(file=file),
        hint="Export the data again; an empty file usually means the export or download failed.",
    )


def content(path: Path) -> Content:
    """What the file's first 4 KiB show it holds, whatever its name: nothing, a zip archive (xlsx, ods), an OLE2
    compound file (xls, encrypted xlsx), other binary bytes, an HTML page (the "Excel export" of many web
    applications), or text (UTF-16 with its byte-order mark too). Raises OSError when it cannot be read."""
    with path.open("rb") as stream:
        head = stream.read(HEAD)
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary"
    if re.search(rb"<\s*(html|table)\b", head[:1024], re.IGNORECASE):
        return "html"
    return "text"


def local_path(file: SourceFile, root: Path) -> Path:
    """Where `file` is on disk (an absolute `file.path` stays as it is)."""
    return root / file.path


def is_gzip(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


def open_binary(path: Path) -> BufferedIOBase:
    """The file's bytes, decompressed when its name ends in .gz."""
    if is_gzip(path):
        return gzip.open(path, "rb")
    return path.open("rb")


def _sha256(path: Path) -> str:
    """The SHA-256 of a non-empty file, hashed from a memory map (faster than reading it in chunks)."""
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return hashlib.sha256(data).hexdigest()


def _display_path(path: Path, root: Path, pattern: str) -> str:
    if Path(pattern).is_absolute():
        return path.as_posix()
    return Path(os.path.relpath(path, root)).as_posix()
