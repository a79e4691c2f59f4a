"""Stray copies of tables as they pile up on a shared drive, generated from a seed, with the truth about them.

Two uses:

- `write_demo(out)` writes the example workspace's folder ``stray/``: copies of the synthetic staff register
  (`peil.demo.synthetic`) as colleagues make them: the original export, a "definitive" second version, an
  Explorer copy with a title above the table and a total row below it, a CSV export for payroll (``;``, decimal
  commas, dd/mm/yyyy, cp1252), a copy with a renamed column, two copies edited by two people who disagree about
  the same staff member's FTE (three figures in all), an unrelated file, and an Office lock file.
- `write_folder(out, plan)` writes any number of tables, each with copies that carry random edits, plus
  unrelated files, and returns the `Truth`: which files are copies of which table, which keys each holds and
  every edited cell with its old and new value. The tests and ``benchmarks/scan.py`` check the scanner with it.
  Most kinds of table have a key column; ``indicatoren`` (yearly figures of municipalities) has a compound key,
  (nis_code, jaar), and `weighings` is a small table keyed by three columns. A compound key's rows are keyed by
  their values joined as ``36015 | 2024``. `plan_folder` plans only tables with a key column.

A copy is written as .xlsx (openpyxl), .ods (a minimal OpenDocument file written here), or CSV in a Belgian
Excel's dialect. Each file's modification time is set from the plan, oldest first; a git checkout or a copy
without metadata resets it, so `restore_demo_times` sets it again when `peil demo` copies the workspace.

Usage: ``python -m peil.demo.stray --out DIR`` (the demo folder) or ``--files N`` for a folder of N files.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import random
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from faker import Faker

from peil.demo import synthetic

__all__ = ["Copy", "Plan", "Style", "Table", "Truth", "plan_folder", "restore_demo_times", "write_demo", "write_folder"]

Cell = str | int | float | date | None
Row = dict[str, Cell]
DEMO_SEED = 2026
EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # the first file's modification time; later files are newer
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
DEPARTMENTS = list(synthetic.DEPARTMENTS)
KEY_SEPARATOR = " | "  # between the values of a compound key, as peil.scan shows them
YEARS = range(2015, 2025)


@dataclass
class Table:
    """A table: its name, its columns (the first `width` are the key) and its rows by key, in order; a compound
    key's values are joined by KEY_SEPARATOR ('36015 | 2024'), as the scanner shows them."""

    name: str
    columns: list[str]
    rows: dict[str, Row]
    width: int = 1

    @property
    def key(self) -> list[str]:
        return self.columns[: self.width]

    def key_of(self, row: Row) -> str:
        return KEY_SEPARATOR.join(str(row[c]) for c in self.key)

    def copy(self) -> Table:
        return Table(self.name, list(self.columns), {k: dict(r) for k, r in self.rows.items()}, self.width)


@dataclass(frozen=True)
class Style:
    """How a file is written: its format, and for CSV the dialect; a title above and a total row below."""

    format: Literal["xlsx", "ods", "csv"] = "xlsx"
    delimiter: str = ";"
    decimal: str = ","
    date_format: str = "%d/%m/%Y"
    encoding: str = "cp1252"
    title: str | None = None
    total: str | None = None  # the numeric column summed in a "Totaal" row


@dataclass(frozen=True)
class Edit:
    """A cell a copy changed: the row's key, the column (its name in the original), the old and the new value."""

    key: str
    column: str
    old: Cell
    new: Cell


@dataclass
class Copy:
    """One file written: its path (relative to the folder), the table it holds (after its edits, columns under
    their original names), the group it belongs to (None for an unrelated file), its edits and renames."""

    path: str
    table: Table
    group: str | None
    style: Style = Style()
    edits: list[Edit] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    modified: datetime = EPOCH


@dataclass
class Truth:
    """Every file written, in order of modification time."""

    copies: list[Copy]

    def groups(self) -> dict[str, list[str]]:
        """Group name -> the paths of its files, sorted."""
        found: dict[str, list[str]] = {}
        for c in self.copies:
            if c.group is not None:
                found.setdefault(c.group, []).append(c.path)
        return {g: sorted(paths) for g, paths in found.items()}

    def conflicts(self, group: str) -> dict[tuple[str, str], dict[str, Cell]]:
        """(key, column) -> {path: value} for every edited cell of the group, over the files holding the row."""
        members = [c for c in self.copies if c.group == group]
        cells = {(e.key, e.column) for c in members for e in c.edits}
        return {
            (key, column): {c.path: c.table.rows[key][column] for c in members if key in c.table.rows}
            for key, column in sorted(cells)
        }

    def keys(self, group: str) -> dict[str, set[str]]:
        """Path -> the keys its table holds, for each file of the group."""
        return {c.path: set(c.table.rows) for c in self.copies if c.group == group}


# -- tables ---------------------------------------------------------------------------------------------------


def staff_table(seed: int, rows: int | None = None, offset: int = 0) -> Table:
    """The synthetic staff register of `peil.demo.synthetic` without its faulty rows, or `rows` of them drawn at
    random; `offset` is added to every personeelsnummer."""
    fake = Faker("nl_BE")
    fake.seed_instance(f"{seed}:staff:faker")
    dataset = synthetic.staff(random.Random(f"{seed}:staff"), fake, set())
    faulty = {f.key for f in dataset.faults}
    clean = [r for r in dataset.rows if dataset.key_of(r) not in faulty]
    chosen = clean if rows is None else random.Random(seed).sample(clean, rows)
    renumbered = [r | {"personeelsnummer": f"{int(str(r['personeelsnummer'])) + offset:06d}"} for r in chosen]
    renumbered.sort(key=lambda r: str(r["personeelsnummer"]))
    return Table("personeel", list(dataset.columns), {str(r["personeelsnummer"]): r for r in renumbered})


Maker = Callable[[random.Random, Faker, int], Row]


def _inventory(rng: random.Random, fake: Faker, number: int) -> Row:
    return {
        "inventarisnummer": f"ICT-{number:06d}",
        "type": rng.choice(["laptop", "scherm", "gsm", "tablet", "printer", "dockingstation"]),
        "merk": rng.choice(["Dell", "HP", "Lenovo", "Samsung", "Apple", "Brother"]),
        "serienummer": fake.bothify("??#######").upper(),
        "aankoopdatum": fake.date_between(date(2018, 1, 1), date(2025, 6, 30)),
        "dienst": rng.choice(DEPARTMENTS),
        "prijs": round(rng.uniform(80, 2400), 2),
    }


def _suppliers(rng: random.Random, fake: Faker, number: int) -> Row:
    return {
        "ondernemingsnummer": f"0{number:09d}",
        "naam": fake.company(),
        "straat": fake.street_address(),
        "postcode": fake.postcode(),
        "gemeente": fake.city(),
        "iban": fake.iban(),
    }


def _budget(rng: random.Random, fake: Faker, number: int) -> Row:
    credit = round(rng.lognormvariate(9, 1.2), 2)
    return {
        "artikel": f"{number // 1000:04d}-{number % 100:02d}/{rng.randint(6000000, 6999999)}",
        "omschrijving": fake.sentence(nb_words=4).rstrip("."),
        "beleidsdomein": rng.choice(DEPARTMENTS),
        "krediet": credit,
        "vastgelegd": round(credit * rng.uniform(0, 1), 2),
    }


def _rooms(rng: random.Random, fake: Faker, number: int) -> Row:
    return {
        "zaalcode": f"Z{number:05d}",
        "naam": f"Zaal {fake.last_name()}",
        "adres": fake.street_address(),
        "capaciteit": rng.choice([12, 20, 30, 50, 80, 120, 250]),
        "huurprijs_per_uur": rng.choice([0.0, 12.5, 25.0, 40.0, 75.0]),
        "rolstoeltoegankelijk": rng.choice(["ja", "nee"]),
    }


def _meetings(rng: random.Random, fake: Faker, number: int) -> Row:
    return {
        "vergadering": f"V{number:06d}",
        "datum": fake.date_between(date(2024, 1, 1), date(2025, 12, 31)),
        "orgaan": rng.choice(["gemeenteraad", "college", "raad voor maatschappelijk welzijn", "vast bureau"]),
        "agendapunten": rng.randint(3, 60),
        "voorzitter": fake.name(),
    }


KINDS: dict[str, Maker] = {
    "inventaris": _inventory,
    "leveranciers": _suppliers,
    "budget": _budget,
    "zalen": _rooms,
    "vergaderingen": _meetings,
}


def indicator_table(seed: int, rows: int) -> Table:
    """`rows` rows of yearly figures of municipalities, keyed by (nis_code, jaar): every year of YEARS for a few
    municipalities (the last one's first years when `rows` is no multiple), with their name and three figures.
    No column is a key on its own; (jaar, gemeente) is one too when the drawn names differ."""
    rng = random.Random(f"{seed}:indicatoren")
    fake = Faker("nl_BE")
    fake.seed_instance(f"{seed}:indicatoren:faker")
    codes = sorted(rng.sample(range(10_000, 100_000), -(-rows // len(YEARS))))
    towns = {code: fake.city() for code in codes}
    pairs = itertools.islice(itertools.product(codes, YEARS), rows)
    made: list[Row] = [
        {
            "nis_code": str(code),
            "jaar": year,
            "gemeente": towns[code],
            "bevolkingsdichtheid": round(rng.uniform(40, 3500), 1),
            "werkloosheidsgraad": round(rng.uniform(1.5, 14), 2),
            "uitgaven_per_inwoner": round(rng.uniform(800, 2600), 2),
        }
        for code, year in pairs
    ]
    table = Table("indicatoren", list(made[0]), {}, width=2)
    table.rows = {table.key_of(r): r for r in made}
    return table


def weighings(edited: bool = False) -> Table:
    """Container weighings keyed by (container, datum, fractie), of which no pair is unique: four containers,
    three days, two fractions. `edited`: as a colleague changed it, without the row C1 | 2025-03-17 | rest and
    with C2 | 2025-03-10 | pmd weighing 99.5 kg."""
    made: list[Row] = [
        {"container": f"C{c}", "datum": date(2025, 3, day), "fractie": fraction, "kg": 10.5 + 3.25 * c + day / 2}
        for c, day, fraction in itertools.product(range(1, 5), (3, 10, 17), ("rest", "pmd"))
    ]
    table = Table("wegingen", list(made[0]), {}, width=3)
    table.rows = {table.key_of(r): r for r in made}
    if edited:
        del table.rows["C1 | 2025-03-17 | rest"]
        table.rows["C2 | 2025-03-10 | pmd"]["kg"] = 99.5
    return table


def make_table(kind: str, seed: int, rows: int) -> Table:
    """A table of `rows` rows of `kind` (personeel, indicatoren or one of KINDS); its keys are drawn from a wide
    range, so two tables of the same kind made from different seeds share (almost) no key."""
    if kind == "personeel":
        return staff_table(seed, rows, random.Random(seed).randrange(0, 990) * 1000)
    if kind == "indicatoren":
        return indicator_table(seed, rows)
    rng = random.Random(f"{seed}:{kind}")
    fake = Faker("nl_BE")
    fake.seed_instance(f"{seed}:{kind}:faker")
    made = [KINDS[kind](rng, fake, number) for number in sorted(rng.sample(range(1, 99_999_999), rows))]
    columns = list(made[0])
    return Table(kind, columns, {str(r[columns[0]]): r for r in made})


# -- edits ----------------------------------------------------------------------------------------------------


def edited(table: Table, rng: random.Random, cells: int, taken: dict[tuple[str, str], set[Cell]]) -> list[Edit]:
    """Change `cells` random cells of `table` (in place), each to a new value unlike any other copy's for that
    cell (`taken` holds, per cell, the values copies gave it so far, and is updated). Returns the edits."""
    edits: list[Edit] = []
    keys = list(table.rows)
    while len(edits) < cells:
        key, column = rng.choice(keys), rng.choice(table.columns[table.width :])
        old = table.rows[key][column]
        if old is None:
            continue
        seen = taken.setdefault((key, column), {old})
        new = _other(old, rng, seen)
        seen.add(new)
        table.rows[key][column] = new
        edits.append(Edit(key, column, old, new))
    return edits


def _other(value: Cell, rng: random.Random, seen: set[Cell]) -> Cell:
    """A plausible different value of the same kind, not in `seen`."""
    for attempt in range(1, 100):
        if isinstance(value, float):
            new: Cell = round(value + rng.choice([-1, 1]) * rng.choice([0.1, 0.2, 0.25, 0.5, 1.0, 10.0]) * attempt, 2)
        elif isinstance(value, int):
            new = value + rng.choice([-1, 1]) * rng.randint(1, 5) * attempt
        elif isinstance(value, date):
            new = value + timedelta(days=rng.randint(1, 400) * attempt)
        else:
            new = f"{value} {rng.choice(['(gewijzigd)', 'bis', 'nieuw', 'NV', 'oud'])}{attempt if attempt > 1 else ''}"
        if new not in seen:
            return new
    raise ValueError(f"no new value for {value!r}")


# -- writing --------------------------------------------------------------------------------------------------


def write_copy(folder: Path, copy: Copy) -> Path:
    """Write one copy into `folder` (its parents made) and set its modification time; return the path."""
    path = folder / copy.path
    path.parent.mkdir(parents=True, exist_ok=True)
    header = [copy.renamed.get(c, c) for c in copy.table.columns]
    rows: list[list[Cell]] = [[r[c] for c in copy.table.columns] for r in copy.table.rows.values()]
    style = copy.style
    if style.total is not None:
        position = copy.table.columns.index(style.total)
        total = round(sum(v for r in rows if isinstance(v := r[position], int | float)), 2)
        rows.append(["Totaal", *[total if i == position else None for i in range(1, len(header))]])
    above: list[list[Cell]] = [[style.title], []] if style.title else []
    grid: list[list[Cell]] = [*above, [*header], *rows]
    if style.format == "csv":
        path.write_bytes(_csv_bytes(grid, style))
    elif style.format == "ods":
        path.write_bytes(_ods_bytes(grid))
    else:
        path.write_bytes(_xlsx_bytes(grid, copy.table.name.capitalize()[:31]))
    _stamp(path, copy.modified)
    return path


def restore_demo_times(folder: Path, seed: int = DEMO_SEED) -> None:
    """Give the demo copies in `folder` (a copy of the demo's ``stray/``) their planned modification times again:
    a git checkout or a copy without metadata gives every file the time of the copy. Files not there are passed
    over."""
    for copy in demo_copies(seed):
        if (folder / copy.path).is_file():
            _stamp(folder / copy.path, copy.modified)


def _stamp(path: Path, modified: datetime) -> None:
    stamp = modified.timestamp()
    os.utime(path, (stamp, stamp))


def _csv_bytes(grid: list[list[Cell]], style: Style) -> bytes:
    def text(value: Cell) -> str:
        if isinstance(value, date):
            return value.strftime(style.date_format)
        if isinstance(value, float):
            return (str(int(value)) if value.is_integer() else repr(value)).replace(".", style.decimal)
        return "" if value is None else str(value)

    width = max(len(row) for row in grid)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator="\r\n")
    writer.writerows([text(v) for v in row] + [""] * (width - len(row)) for row in grid)  # Excel pads the rows
    return buffer.getvalue().encode(style.encoding)


def _xlsx_bytes(grid: list[list[Cell]], sheet: str) -> bytes:
    """A workbook of one sheet written by openpyxl, with fixed timestamps so the same grid gives the same bytes."""
    import openpyxl  # a development dependency: only the generator needs it

    book = openpyxl.Workbook(write_only=True)
    book.properties.created = datetime(2025, 1, 1)
    worksheet = book.create_sheet(sheet)
    for row in grid:
        worksheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue())


def _fixed_times(archive: bytes) -> bytes:
    """The zip archive with every entry's timestamp set to ZIP_TIME, and the document's own modification time
    (which openpyxl sets to the time of saving) to its creation time."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods_bytes(grid: list[list[Cell]]) -> bytes:
    """A minimal OpenDocument spreadsheet of one sheet: numbers as floats, dates as dates, the rest as text."""

    def cell(value: Cell) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, date):
            return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"/>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    rows = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in grid)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Blad1">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", ZIP_TIME), "application/vnd.oasis.opendocument.spreadsheet")
        for name, text in (("META-INF/manifest.xml", manifest), ("content.xml", content)):
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), text, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# -- a folder of many tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What `write_folder` writes: per table its kind and rows, its number of files (the original and copies),
    and the number of unrelated files (one table each) with their rows."""

    tables: list[tuple[str, int, int]]
    unrelated: list[tuple[str, int]]
    seed: int = 1


COPY_STYLES = [
    ("Kopie van {name}.xlsx", Style(), {}),
    ("{name}_export.csv", Style("csv"), {}),
    ("{name} (hernoemd).xlsx", Style(), {"rename": True}),
    ("{name}_v2_def.xlsx", Style(title="-"), {}),  # a title above, and a total row below when it has numbers
    ("archief/{name}_oud.ods", Style("ods"), {}),
    ("{name}_utf8.csv", Style("csv", delimiter=",", decimal=".", date_format="%Y-%m-%d", encoding="utf-8"), {}),
]


def plan_folder(files: int, seed: int, max_rows: int = 50_000) -> Plan:
    """A plan for about `files` files: mostly small tables (20 to 500 rows), some of thousands of rows and a few
    of up to `max_rows`; each table has 1 to 6 files; one file in ten is unrelated."""
    rng = random.Random(seed)
    kinds = ["personeel", *KINDS]
    tables: list[tuple[str, int, int]] = []
    unrelated: list[tuple[str, int]] = []
    written = 0
    while written < files:
        rows = _size(rng, max_rows)
        kind = rng.choice(kinds[1:]) if tables else "personeel"
        if rng.random() < 0.1:
            unrelated.append((kind, rows))
            written += 1
        else:
            count = min(rng.randint(1, 6), files - written)
            tables.append((kind, rows, count))
            written += count
    return Plan(tables, unrelated, seed)


def _size(rng: random.Random, max_rows: int) -> int:
    draw = rng.random()
    if draw < 0.8:
        return rng.randint(20, 500)
    if draw < 0.97:
        return rng.randint(500, min(5000, max_rows))
    return rng.randint(min(5000, max_rows), max_rows)


def write_folder(out: Path, plan: Plan) -> Truth:
    """Write the plan's tables with their copies and its unrelated files into `out`; return the truth.

    The first file of a table is its original (`<name>.xlsx`); copy i is written in COPY_STYLES[i - 1]'s way
    and drops 1 to 3 rows, adds 1 to 3, and changes 1 to 4 cells; the second and later copies' edits may fall
    on a cell an earlier copy changed, always to a third value. Modification times rise in writing order.
    """
    copies: list[Copy] = []
    for index, (kind, rows, count) in enumerate(plan.tables):
        rng = random.Random(f"{plan.seed}:{index}")
        base = make_table(kind, plan.seed * 1000 + index, rows)
        name = f"{kind}_{index:03d}"
        group = [Copy(f"{name}.xlsx", base, name)]
        taken: dict[tuple[str, str], set[Cell]] = {}
        spare = make_table(kind, plan.seed * 1000 + index + 500_000, 3 * count)
        for number in range(1, count):
            group.append(_random_copy(base, name, number, rng, taken, spare))
        copies += group
    for index, (kind, rows) in enumerate(plan.unrelated):
        table = make_table(kind, plan.seed * 1000 + len(plan.tables) + index, rows)
        style = Style("csv") if index % 3 == 2 else Style()
        copies.append(Copy(f"los/{kind}_los_{index:03d}.{style.format}", table, None, style))
    for number, copy in enumerate(copies):
        copy.modified = EPOCH + timedelta(hours=number)
        write_copy(out, copy)
    return Truth(copies)


def _random_copy(
    base: Table, name: str, number: int, rng: random.Random, taken: dict[tuple[str, str], set[Cell]], spare: Table
) -> Copy:
    pattern, style, extra = COPY_STYLES[(number - 1) % len(COPY_STYLES)]
    table = base.copy()
    for key in rng.sample(list(table.rows), min(rng.randint(1, 3), len(table.rows) - 2)):
        del table.rows[key]
    edits = edited(table, rng, rng.randint(1, 4), taken)
    for key in list(spare.rows)[3 * (number - 1) : 3 * (number - 1) + rng.randint(1, 3)]:
        table.rows[key] = dict(spare.rows[key])
    renamed = {table.columns[-1]: f"{table.columns[-1]}_nieuw"} if extra.get("rename") else {}
    path = pattern.format(name=name).replace(" (hernoemd)", f" ({number})")
    if style.title:
        numeric = [c for c in table.columns[table.width :] if isinstance(next(iter(table.rows.values()))[c], float)]
        style = replace(style, title=f"Overzicht {name}", total=numeric[0] if numeric else None)
    return Copy(path, table, name, style, edits, renamed)


# -- the demo folder ------------------------------------------------------------------------------------------


def demo_copies(seed: int = DEMO_SEED) -> list[Copy]:
    """The demo's files, oldest first (see the module docstring and `write_demo`)."""
    staff = staff_table(seed)
    keys = list(staff.rows)
    newcomers = staff_table(seed + 1, 3, offset=int(keys[-1]))  # numbers rise with the starting date
    disputed = next(k for k in keys[40:] if staff.rows[k]["fte"] == 0.8)
    original = staff.copy()
    jan, an = original.copy(), original.copy()
    jan_edits = [Edit(disputed, "fte", 0.8, 1.0), _set(jan, keys[7], "dienst", "Burgerzaken")]
    jan.rows[disputed]["fte"] = 1.0
    an_edits = [Edit(disputed, "fte", 0.8, 0.5)]
    an.rows[disputed]["fte"] = 0.5
    definitive = original.copy()
    definitive.rows.update({k: dict(r) for k, r in newcomers.rows.items()})
    training = make_table("vergaderingen", seed, 25)
    payroll = Style("csv")
    titled = Style(title="Personeelsregister stad en OCMW - toestand 1 september 2025", total="fte")
    made = [
        Copy("personeel.xlsx", original, "personeel"),
        Copy("personeel_export_loonmotor.csv", original.copy(), "personeel", payroll),
        Copy("Kopie van personeel (3).xlsx", original.copy(), "personeel", titled),
        Copy("personeel_jan.xlsx", jan, "personeel", edits=jan_edits),
        Copy("personeel_an.ods", an, "personeel", Style("ods"), an_edits),
        Copy("personeel_hr.xlsx", original.copy(), "personeel", renamed={"fte": "tewerkstellingsbreuk"}),
        Copy("personeel_v2_def.xlsx", definitive, "personeel"),
        Copy("vergaderingen_2025.xlsx", training, None),
    ]
    for number, copy in enumerate(made):
        copy.modified = datetime(2025, 9, 1, 9, tzinfo=UTC) + timedelta(days=14 * number)
    return made


def _set(table: Table, key: str, column: str, value: Cell) -> Edit:
    old = table.rows[key][column]
    table.rows[key][column] = value
    return Edit(key, column, old, value)


LOCK_FILE = "~$personeel.xlsx"


def write_demo(out: Path, seed: int = DEMO_SEED) -> Truth:
    """Write the demo folder: the files of `demo_copies`, an Office lock file and README.md; return the truth."""
    out.mkdir(parents=True, exist_ok=True)
    copies = demo_copies(seed)
    for copy in copies:
        write_copy(out, copy)
    (out / LOCK_FILE).write_bytes(b"\x0bJan Peeters" + b" " * 43 + b"\x0b\x00J\x00a\x00n" + b"\x00" * 100)
    (out / "README.md").write_text(_readme(copies), encoding="utf-8")
    return Truth(copies)


def _readme(copies: Sequence[Copy]) -> str:
    listed = "\n".join(
        f"| `{c.path}` | {c.modified:%Y-%m-%d} | {_describe(c)} |" for c in sorted(copies, key=lambda c: c.modified)
    )
    return f"""# Stray copies of the staff register (synthetic)

**Synthetic data: no person in these files exists.** The staff register of `../data/synthetic/` (made by
`peil.demo.synthetic`) as it ends up on a shared drive after a few months: copies, exports and edits side by
side, and nobody sure which one is right. `peil scan stray` finds them; the report page *Kopieën* shows what it
finds, and `peil adopt` makes the right one a source, with the others kept as its earlier snapshots.

Written by `python -m peil.demo.stray --out src/peil/demo/workspace/stray` (seed {DEMO_SEED}). These files are
outside `data/`, so no source reads them.

| file | saved | what it is |
|---|---|---|
{listed}
| `{LOCK_FILE}` | | the lock file Excel leaves while someone has `personeel.xlsx` open; the scan skips it |

The dates are the files' modification times as the generator sets them; a git checkout or a copy that does not
keep them gives every file the time of the copy, so `peil demo` sets them again in its copy of the workspace. The
recommendation does not depend on them: `personeel_v2_def.xlsx` holds every staff member of every other file and
agrees with the majority of the copies on every cell where they differ.
"""


def _describe(copy: Copy) -> str:
    if copy.group is None:
        return "an unrelated table (meetings), which the scan does not group with the register"
    parts = {
        "personeel.xlsx": "the export from the HR software of 1 September",
        "personeel_export_loonmotor.csv": "a CSV export for payroll: `;`, decimal commas, dd/mm/yyyy, cp1252",
        "Kopie van personeel (3).xlsx": "an Explorer copy with a title above the table and a total row below",
        "personeel_hr.xlsx": "a copy whose column `fte` was renamed `tewerkstellingsbreuk`",
        "personeel_v2_def.xlsx": "the 'definitive' version: the register with three new staff members",
    }
    if copy.path in parts:
        return parts[copy.path]
    changes = "; ".join(f"{e.column} of {e.key}: {e.old} -> {e.new}" for e in copy.edits)
    return f"a copy someone edited ({changes})"


def main(argv: Sequence[str] | None = None) -> None:
    """The command line: ``python -m peil.demo.stray --out DIR [--files N --seed S]``."""
    parser = argparse.ArgumentParser(prog="python -m peil.demo.stray", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the folder to write the files to")
    parser.add_argument("--files", type=int, help="write a folder of about N generated files instead of the demo")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help=f"the seed (default {DEMO_SEED})")
    args = parser.parse_args(argv)
    if args.files:
        truth = write_folder(args.out, plan_folder(args.files, args.seed))
    else:
        truth = write_demo(args.out, args.seed)
    for copy in truth.copies:
        print(args.out / copy.path)


if __name__ == "__main__":
    main()
