"""Read Parquet, JSON and NDJSON files into the target table, with the same typing and errors as text files.

- Parquet: DuckDB's read_parquet; a column whose type is already the declared one is taken as it is, any other
  is written as text and conformed (so a DOUBLE column declared integer must hold whole numbers). `_row` is the
  row's position in the file, from 1.
- JSON: an array of records, at the top or at the dotted path options.records (`data.items`), parsed with Python's
  json module, which names the line and column of a syntax error. `_row` is the record's position, from 1.
- NDJSON: one record per line, read by DuckDB's read_ndjson with the declared fields as text. `_row` is the
  record's number (blank lines do not count).

JSON values reach the types as their JSON text (2.0, true, "0123"), so JSON and NDJSON files agree. Numbers in
these formats always use '.', whatever options.decimal says.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from peil.errors import Location, SourceError
from peil.sources import conform
from peil.sources.columns import field_positions
from peil.sources.encoding import codec_name, is_utf8, transcode
from peil.sources.files import SourceFile, open_binary
from peil.sources.sql import identifier, literal
from peil.sources.table import Column, Loaded, Rows, Target, insert, unreadable
from peil.workspace import Source

KEY_SAMPLE = 1000


def load_parquet(target: Target, source: Source, file: SourceFile, path: Path, scratch: Path) -> Loaded:
    """Load one Parquet file. Raises SourceError for an unreadable file, a missing column or a value."""
    relation = f"read_parquet({literal(str(path))}, file_row_number=true)"
    try:
        with contextlib.closing(duckdb.connect()) as con:
            described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()  # noqa: S608
    except duckdb.Error as exc:
        raise unreadable(exc, file.path) from None
    names = [str(name) for name, *_ in described if name != "file_row_number"]
    kinds = {str(name): str(kind) for name, kind, *_ in described}
    positions, remarks = field_positions(target.schema.fields, names, Location(file=file.path))
    columns, missing = [], target.schema.missing_values
    for schema_field, position in zip(target.schema.fields, positions, strict=True):
        name, kind = identifier(names[position]), kinds[names[position]]
        if kind == conform.DUCKDB_TYPES[schema_field.type] and kind != "VARCHAR":
            columns.append(Column(name, None))
        else:
            text = f"CAST({name} AS VARCHAR)" if kind != "VARCHAR" else conform.missing(name, missing)
            columns.append(Column(conform.strict(schema_field, text, conform.PLAIN), text))
    rows = Rows(relation, columns, "file_row_number + 1")
    return Loaded(insert(target, rows, file.path), remarks)


def load_json(target: Target, source: Source, file: SourceFile, path: Path, scratch: Path) -> Loaded:
    """Load the records of one JSON document. Raises SourceError for bad JSON, a bad path, or a value."""
    encoding = codec_name(source.options.encoding, file.path) if source.options.encoding else "utf-8-sig"
    try:
        with open_binary(path) as stream:
            document = json.loads(stream.read().decode(encoding))
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"cannot read the file as {encoding}: byte offset {exc.start} cannot be decoded",
            Location(file=file.path),
            hint="JSON files are UTF-8; set options.encoding if this one is not.",
        ) from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            Location(file=file.path, line=exc.lineno),
            hint="Check the file in a JSON validator or text editor at that place.",
        ) from None
    records = records_at(document, source.options.records, file.path)
    keys = list(dict.fromkeys(key for record in records for key in record))
    fields = target.schema.fields
    positions, remarks = field_positions(fields, keys, Location(file=file.path))
    missing = set(target.schema.missing_values)
    arrays = {
        f"t{i}": pa.array([_json_text(r.get(keys[p]), missing) for r in records], pa.string())
        for i, p in enumerate(positions)
    }
    arrays["_row"] = pa.array(range(1, len(records) + 1), pa.int64())
    name = f"peil_json_{uuid.uuid4().hex}"
    columns = [Column(conform.strict(f, f"t{i}", conform.PLAIN), f"t{i}") for i, f in enumerate(fields)]
    rows = Rows(name, columns, "_row", arrow={name: pa.table(arrays)})
    return Loaded(insert(target, rows, file.path), remarks)


def load_ndjson(target: Target, source: Source, file: SourceFile, path: Path, scratch: Path) -> Loaded:
    """Load one NDJSON file. Raises SourceError naming the line of a malformed record, a missing field, a value."""
    encoding = codec_name(source.options.encoding, file.path) if source.options.encoding else "utf-8"
    if not is_utf8(encoding):
        copy = scratch / f"{uuid.uuid4().hex}.ndjson"
        transcode(path, encoding, copy, file.path, declared=True)
        path = copy
    keys: dict[str, None] = {}
    for _, record in itertools.islice(ndjson_records(path, file.path), KEY_SAMPLE):
        keys.update(dict.fromkeys(record))
    fields = target.schema.fields
    _, remarks = field_positions(fields, list(keys), Location(file=file.path))
    spec = "{" + ", ".join(f"{literal(f.name)}: 'VARCHAR'" for f in fields) + "}"
    relation = f"read_ndjson({literal(str(path))}, columns={spec})"
    texts = [conform.missing(identifier(f.name), target.schema.missing_values) for f in fields]
    columns = [Column(conform.strict(f, text, conform.PLAIN), text) for f, text in zip(fields, texts, strict=True)]
    rows = Rows(relation, columns, 0)

    def explain(exc: duckdb.Error) -> SourceError:
        for _ in ndjson_records(path, file.path):
            pass
        return unreadable(exc, file.path)

    return Loaded(insert(target, rows, file.path, explain), remarks)


def records_at(document: Any, dotted: str | None, file: str) -> list[dict[str, Any]]:
    """The list of records at the dotted path (or the top); raises SourceError naming what is there instead."""
    node = document
    for step in dotted.split(".") if dotted else []:
        if not isinstance(node, dict) or step not in node:
            there = ", ".join(node) if isinstance(node, dict) else type(node).__name__
            raise SourceError(
                f"options.records '{dotted}': there is no key '{step}'; there is: {there}",
                Location(file=file, field="options.records"),
            )
        node = node[step]
    if not isinstance(node, list):
        lists = [key for key, value in node.items() if isinstance(value, list)] if isinstance(node, dict) else []
        raise SourceError(
            f"expected an array of records{f' at {dotted}' if dotted else ''}, found {type(node).__name__}",
            Location(file=file, field="options.records"),
            hint=f"Set options.records to the dotted path of the array{f', e.g. {lists[0]}' if lists else ''}.",
        )
    for number, item in enumerate(node, start=1):
        if not isinstance(item, dict):
            raise SourceError(
                f"record {number} is {type(item).__name__}, not an object with named values",
                Location(file=file, row=number),
            )
    return node


def ndjson_records(path: Path, file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) per non-blank line; raises SourceError at a line that is not a JSON object."""
    with open_binary(path) as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise SourceError(
                    f"line {number} is not valid JSON: {exc}",
                    Location(file=file, line=number),
                    hint="Each line of an NDJSON file must be one complete JSON object.",
                ) from None
            if not isinstance(record, dict):
                raise SourceError(f"line {number} is not a JSON object", Location(file=file, line=number))
            yield number, record


def _json_text(value: Any, missing: set[str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return None if value in missing else value
    return json.dumps(value, ensure_ascii=False)
