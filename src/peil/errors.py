"""The errors peil raises on bad input, each carrying where the problem is and what to do.

Every error a user can cause is a :class:`PeilError`. The command line prints it as one clear message and exits
with status 1; it never shows a traceback for these. Errors name the place as precisely as the input allows:
file, sheet, row and column for data; file, line and field for workspace files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where in the input a problem is. Rows and lines are 1-based as a spreadsheet or editor shows them."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file] if self.file else []
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)


class PeilError(Exception):
    """A problem with the user's input or workspace: what went wrong, where, and what to do next."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location) if self.location else ""
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}\n  {self.hint}" if self.hint else text


class WorkspaceError(PeilError):
    """A workspace file (peil.yaml, sources/, models/, indicators/, reports/) is missing or malformed."""


class SourceError(PeilError):
    """A source file cannot be read as declared: missing, empty, wrong encoding, broken workbook, bad value."""


class TypeMismatch(SourceError):
    """A value does not fit its field's declared type (when loading strictly: the store then loads leniently)."""


class StoreError(PeilError):
    """The warehouse cannot be opened or a requested dataset, snapshot or version does not exist."""


class ModelError(PeilError):
    """A model's SQL fails to parse or run, or the models depend on each other in a cycle."""


class IndicatorError(PeilError):
    """An indicator's SQL fails or does not return (entity, period, value)."""


class QueryError(PeilError):
    """A query given to `peil sql` is not a single read-only statement, or fails."""


class ReportError(PeilError):
    """A report page places something that does not exist or cannot be rendered."""


class QuestionError(PeilError):
    """A question file, estimate or formula is malformed, or the question cannot be computed (units, data)."""
