"""Tell a text file's encoding and rewrite it as UTF-8, the only encoding peil hands to DuckDB.

Detection, in order (peer case CSV-08):

1. A byte-order mark decides: UTF-8 or UTF-16. A UTF-8 mark is dropped at byte 0 only (CSV-01), whatever the
   encoding; a U+FEFF further on is data.
2. Bytes that decode as strict UTF-8 are UTF-8: a clean decode always beats a statistical guess.
3. Otherwise charset-normalizer chooses among the encodings Flemish files come in (cp1252, latin-1 and UTF-16
   without a mark; an older one such as cp850 must be declared). latin-1 becomes cp1252 when cp1252 decodes the
   bytes: the two agree on every letter, but cp1252 has € and ’ where latin-1 has invisible control characters.

Detection looks at the first MiB and the last 256 KiB of the file; DuckDB checks the UTF-8 of the whole file
while it reads, and a file that is not UTF-8 after all fails with the line and byte offset of the first bad byte.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from io import BufferedIOBase
from pathlib import Path

import charset_normalizer

from peil.errors import Location, SourceError
from peil.sources.files import is_gzip, open_binary

HEAD = 1 << 20
TAIL = 1 << 18
CHUNK = 1 << 20
CANDIDATES = ["utf_8", "utf_16", "cp1252", "latin_1"]
KNOWN = "utf-8, cp1252 (Windows), latin-1, utf-16 or cp850 (DOS)"


def sample(path: Path) -> tuple[bytes, bytes]:
    """The first MiB of the file (decompressed for .gz) and, for a longer plain file, its last 256 KiB."""
    with open_binary(path) as stream:
        head = stream.read(HEAD)
    tail = b""
    if not is_gzip(path) and path.stat().st_size > HEAD + TAIL:
        with path.open("rb") as stream:
            stream.seek(-TAIL, 2)
            tail = stream.read()
    return head, tail


def detect(head: bytes, tail: bytes = b"") -> str:
    """The Python codec name for bytes sampled from a file (see the module docstring for the rules)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(head, tail):
        return "utf-8"
    best = charset_normalizer.from_bytes(head + tail, cp_isolation=CANDIDATES).best()
    guess = codecs.lookup(best.encoding).name if best is not None else "cp1252"
    if guess in ("latin-1", "iso8859-1", "cp1252"):
        return "cp1252" if _decodes(head, "cp1252") and _decodes(tail, "cp1252") else "latin-1"
    return guess


def codec_name(encoding: str, file: str) -> str:
    """The canonical codec name for a declared encoding; raises SourceError for an unknown one."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise SourceError(
            f"'{encoding}' is not a known encoding",
            Location(file=file, field="options.encoding"),
            hint=f"Use one of {KNOWN}, or leave options.encoding out to detect it.",
        ) from None


def is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def decode_head(head: bytes, encoding: str, file: str, declared: bool) -> str:
    """The text of a file's first bytes, which may end inside a character; raises SourceError as `decoded`."""
    return "".join(_decoded([head], encoding, file, declared, final=False))


def transcode(path: Path, encoding: str, dest: Path, file: str, declared: bool) -> None:
    """Write the file (decompressed for .gz) to `dest` as UTF-8 without a byte-order mark, streaming in chunks.

    Raises SourceError with the line and byte offset of the first byte that `encoding` cannot decode.
    """
    with open_binary(path) as stream, dest.open("w", encoding="utf-8", newline="") as out:
        for text in _decoded(_chunks(stream), encoding, file, declared):
            out.write(text)


def check_decodes(path: Path, encoding: str, file: str, declared: bool) -> None:
    """Raise SourceError at the first byte of the file that `encoding` cannot decode; return if all decode."""
    with open_binary(path) as stream:
        for _ in _decoded(_chunks(stream), encoding, file, declared):
            pass


def _chunks(stream: BufferedIOBase) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _decoded(
    chunks: Iterator[bytes] | list[bytes], encoding: str, file: str, declared: bool, final: bool = True
) -> Iterator[str]:
    """Decode byte chunks strictly, dropping a UTF-8 byte-order mark at byte 0 only.

    Raises SourceError naming the line (1-based) and byte offset (0-based, in the decompressed file) of the
    first byte that cannot be decoded.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, line, first = 0, 1, True
    for chunk in chunks:
        data = chunk
        if first and data.startswith(codecs.BOM_UTF8) and not encoding.startswith("utf-16"):
            data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
        first = False
        try:
            yield decoder.decode(data)
        except UnicodeDecodeError as exc:
            start = max(exc.start - (len(exc.object) - len(data)), 0)
            raise _decode_error(
                data[start : start + 1], offset + start, line + data.count(b"\n", 0, start), encoding, file, declared
            ) from None
        offset, line = offset + len(data), line + data.count(b"\n")
    if final:
        try:
            yield decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _decode_error(b"", offset, line, encoding, file, declared) from None


def _decode_error(bad: bytes, offset: int, line: int, encoding: str, file: str, declared: bool) -> SourceError:
    what = f"byte 0x{bad[0]:02X}" if bad else "the last character, which is cut off,"
    how = "options.encoding says" if declared else "detection chose"
    return SourceError(
        f"cannot read the file as {encoding} ({how} {encoding}): {what} at line {line}, byte offset {offset}, "
        "is not valid there",
        Location(file=file, line=line),
        hint=f"Set options.encoding to the file's real encoding ({KNOWN}), or save the file as UTF-8.",
    )


def _is_utf8(head: bytes, tail: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        tail.lstrip(bytes(range(0x80, 0xC0))).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
