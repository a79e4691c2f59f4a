"""Helpers for the tests of peil.sources (no tests here): write a file, declare it, load it, look at the rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from peil.sources import LoadResult, load_into, source_files
from peil.sources.sql import identifier
from peil.sources.table import ROW_HASH
from peil.workspace import Source

SHARED_LONG = "investeringsuitgaven_per_rekening_per_inwoner_2014_2024_long.csv.gz"


@dataclass
class Loaded:
    """A loaded table: its rows as dicts (in _file, _sheet, _row order), column names and DuckDB types."""

    rows: list[dict[str, Any]]
    columns: list[str]
    types: dict[str, str]
    result: LoadResult

    def column(self, name: str) -> list[Any]:
        return [row[name] for row in self.rows]


def declare(path: str, fields: list[dict[str, Any]], **options: Any) -> Source:
    """A source for `path` with the given schema fields (dicts as in YAML) and read options."""
    schema = {"fields": fields}
    for key in ("primaryKey", "missingValues"):
        if key in options:
            schema[key] = options.pop(key)
    return Source.model_validate({"name": "test", "path": path, "owner": "tests", "options": options, "schema": schema})


def load(root: Path, source: Source) -> Loaded:
    """Load `source` (relative to `root`) into a fresh in-memory DuckDB, as the store does; checks that each
    row's `_row_hash` is the hash of its values as stored, and leaves that column out of the Loaded."""
    con = duckdb.connect()
    result = load_into(con, source, root, source_files(source, root), '"t"')
    fields = ", ".join(identifier(f.name) for f in source.table_schema.fields)
    unhashed = con.execute(f'SELECT count(*) FROM "t" WHERE {ROW_HASH} IS DISTINCT FROM hash({fields})').fetchall()
    assert unhashed == [(0,)], "a row's _row_hash is not the hash of its stored values"
    relation = con.execute(f'SELECT * EXCLUDE ({ROW_HASH}) FROM "t" ORDER BY _file, _sheet, _row')
    columns = [d[0] for d in relation.description]
    rows = [dict(zip(columns, values, strict=True)) for values in relation.fetchall()]
    described = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 't'")
    types = dict(described.fetchall())
    return Loaded(rows, columns, types, result)


def write_and_load(root: Path, name: str, data: bytes | str, fields: list[dict[str, Any]], **options: Any) -> Loaded:
    """Write `data` to root/name (text as UTF-8) and load it with the given fields and options."""
    (root / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return load(root, declare(name, fields, **options))


def fields(*names: str, **types: str) -> list[dict[str, Any]]:
    """Schema fields: `names` in order, then the names of `types` not among them; a string unless `types` says."""
    ordered = [*names, *(name for name in types if name not in names)]
    return [{"name": name, "type": types.get(name, "string")} for name in ordered]


def shared_data(*parts: str) -> Path | None:
    """A file of the shared data sets: from the demo package if it ships a copy, else from the tests' copies
    (tests/fixtures/shared), else from shared/ beside the clone; None when none has it."""
    repo = Path(__file__).resolve().parents[1]
    demo = sorted((repo / "src" / "peil" / "demo").glob(f"**/{parts[-1]}"))
    if demo:
        return demo[0]
    candidates = [repo / "tests" / "fixtures" / "shared" / Path(*parts), repo.parent.joinpath("shared", "data", *parts)]
    return next((c for c in candidates if c.exists()), None)


def titled_export(padded: bool) -> str:
    """A staff register as Excel exports a sheet with a title and a blank row above the table (padded with `;;;`,
    or as a text editor leaves it, bare)."""
    pad = ";;;" if padded else ""
    return (
        f"Personeelsregister gemeente Zottegem{pad}\r\n"
        f"{pad}\r\n"
        "personeelsnummer;naam;dienst;fte\r\n"
        "P001;Jansen;Financiën;0,8\r\n"
        "P002;Peeters;Burgerzaken;1\r\n"
        "P003;De Smet, Ann;Technische dienst;0,5\r\n"
        "P004;Vermeulen;Financiën;1\r\n"
    )
