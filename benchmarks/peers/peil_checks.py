"""peil: the six checks declared on a source, run by the checks engine on the table's snapshot in its warehouse.

Runs in the project's .venv. Loading is peil's ingest of the Parquet file into a new warehouse (which runs the
checks once, as every new snapshot gets them, and keeps the failing rows in the quarantine); each timed run is
`Warehouse.check`, what `peil check` does: one query over the snapshot that finds the rows failing any row check
and sums them up per check (failing rows, reasons, first examples), nothing materialised, nothing written. The
national register number is peil's own `national_register_number` check. The schema implies a seventh check,
`type` (values that did not fit their declared type); it runs, in the timed part, but finds nothing in a typed
Parquet file and is left out of the counts.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rules import run

from peil.store import Warehouse
from peil.workspace import Source

TYPES = {"id": "integer", "bedrag": "number"}


def source(spec: dict[str, Any]) -> Source:
    checks = spec["checks"]
    declared = [
        {"type": "not_null", "column": checks["not_null"]["column"]},
        {"type": "unique", "column": checks["unique"]["column"]},
        {"type": "accepted_values", **checks["accepted_values"]},
        {"type": "range", **checks["range"]},
        {"type": "pattern", **checks["pattern"]},
        {"type": "national_register_number", **checks["national_register_number"]},
    ]
    columns = ["id", "naam", "status", "bedrag", "postcode", "rijksregisternummer"]
    return Source.model_validate(
        {
            "name": spec["table"],
            "path": spec["parquet"],
            "format": "parquet",
            "schema": {"fields": [{"name": c, "type": TYPES.get(c, "string")} for c in columns]},
            "owner": "benchmark",
            "checks": declared,
        }
    )


def load(spec: dict[str, Any]) -> tuple[Warehouse, Source, ExitStack]:
    """A new warehouse in a temporary folder with the table as a snapshot; the ExitStack keeps both until the
    process ends."""
    declared = source(spec)
    stack = ExitStack()
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="peil-bench-")))
    warehouse = stack.enter_context(Warehouse.open(folder / "warehouse.duckdb"))
    warehouse.ingest(declared, folder, warehouse.start_build())
    return warehouse, declared, stack


def validate(loaded: tuple[Warehouse, Source, ExitStack]) -> dict[str, int]:
    warehouse, declared, _ = loaded
    evaluation = warehouse.check(declared)
    # The schema's implied `type` check runs too (it finds nothing in a typed Parquet file); it is not counted.
    return {r.check.type: int(r.rows_failing or 0) for r in evaluation.results if r.check.type != "type"}


if __name__ == "__main__":
    run("peil", version("peil"), load, validate)
