"""What python-calamine does not tell about an .xlsx or .xlsm sheet, read from the sheet's XML.

- A formula whose result was never stored (a workbook written by a library such as openpyxl, which does not
  calculate) reads as an empty cell in calamine. peil names such cells instead of passing off a silent NULL
  (peer case XLS-03).
- calamine turns both the serials 59 and 60 of a date cell into 1900-02-28; 60 is Excel's fictitious 29 February
  1900 (peer case XLS-01). The stored serial tells them apart.
- calamine does not say which rows are hidden, nor which cells hold a formula whose stored result it read.
- A code typed as a number and shown with its leading zeros by a number format of zeros only ("00000": a postal
  or NIS code 08500 stored as 8500) reads in calamine as the bare number. peil gives such a cell's width, so a
  text field reads it as the sheet shows it; the formats are in xl/styles.xml.

The XML is parsed only when its bytes contain a formula, a value 60 or a hidden row, or the workbook has a
format of zeros, so most sheets cost one decompression.
Other workbook formats (xls, xlsb, ods) always store formula results, and ods stores dates as dates.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

CELL = re.compile(r"([A-Z]+)([0-9]+)")
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class SheetQuirks:
    """Cells of one sheet, by 0-based (row, column): formulas without a stored result, formulas with one,
    serials of 60.x, and whole numbers shown zero-padded with the number of digits shown; and the 0-based rows
    hidden in the sheet."""

    uncached: list[tuple[int, int]] = field(default_factory=list)
    cached: list[tuple[int, int]] = field(default_factory=list)
    serial_60: set[tuple[int, int]] = field(default_factory=set)
    padded: dict[tuple[int, int], int] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)


def sheet_quirks(path: Path, sheet: str, dates: bool = True) -> SheetQuirks:
    """The quirks of sheet `sheet` of an OOXML workbook; empty for any other file. Without `dates` (no field is a
    date), a value 60 does not make the sheet worth parsing: only a formula or a hidden row does."""
    quirks = SheetQuirks()
    if not zipfile.is_zipfile(path):
        return quirks
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        widths = _zero_padded_styles(archive)
        if part is None or not (widths or _worth_parsing(archive, part, dates)):
            return quirks
        with archive.open(part) as xml:
            for _, element in ElementTree.iterparse(xml):
                tag = _local(element.tag)
                if tag == "c":
                    _inspect(element, quirks, widths)
                elif tag == "row":
                    if element.get("hidden") in ("1", "true") and element.get("r", "").isdigit():
                        quirks.hidden_rows.add(int(element.get("r", "")) - 1)
                    element.clear()
    return quirks


def cell_name(row: int, column: int) -> str:
    """The A1-style name of the 0-based cell (row, column): (0, 2) -> C1."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


def _zero_padded_styles(archive: zipfile.ZipFile) -> dict[str, int]:
    """The cell styles (the `s` index of a cell, as text) whose number format is zeros only, such as "00000", with
    the number of zeros: the digits the sheet shows. A format's first section counts ("00000;-00000")."""
    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return {}
    zeros = {
        element.get("numFmtId"): len(code)
        for element in styles.iter()
        if _local(element.tag) == "numFmt"
        and re.fullmatch(r"0{2,}", code := element.get("formatCode", "").split(";")[0].replace('"', ""))
    }
    formats = next((e for e in styles if _local(e.tag) == "cellXfs"), None)
    if not zeros or formats is None:
        return {}
    styled = [xf.get("numFmtId") for xf in formats if _local(xf.tag) == "xf"]
    return {str(index): zeros[number] for index, number in enumerate(styled) if number in zeros}


def _inspect(cell: ElementTree.Element, quirks: SheetQuirks, widths: dict[str, int]) -> None:
    children = {_local(child.tag): child for child in cell}
    match = CELL.fullmatch(cell.get("r", ""))
    if match is None:
        return
    letters, digits = match.groups()
    position = (int(digits) - 1, _column_index(letters))
    value = children.get("v")
    text = (value.text or "").strip() if value is not None else ""
    if "f" in children:
        (quirks.cached if text else quirks.uncached).append(position)
    elif text.startswith("60") and cell.get("t", "n") == "n" and 60 <= float(text) < 61:
        quirks.serial_60.add(position)
    if cell.get("s") in widths and cell.get("t", "n") == "n" and text.isdigit():
        quirks.padded[position] = widths[cell.get("s", "")]


def _worth_parsing(archive: zipfile.ZipFile, part: str, dates: bool) -> bool:
    with archive.open(part) as xml:
        previous = b""
        while chunk := xml.read(1 << 20):
            window = previous + chunk
            if b"<f" in window or b'hidden="' in window or (dates and (b"<v>60<" in window or b"<v>60." in window)):
                return True
            previous = chunk[-8:]
    return False


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The archive member holding sheet `sheet`, from xl/workbook.xml and its relationships."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    ids = [s.get(RELATIONSHIP_ID) for s in workbook.iter() if _local(s.tag) == "sheet" and s.get("name") == sheet]
    targets = {r.get("Id"): r.get("Target", "") for r in relations.iter() if _local(r.tag) == "Relationship"}
    target = targets.get(ids[0]) if ids else None
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
