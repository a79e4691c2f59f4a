"""The errors peil raises on bad input, each carrying where the problem is and what to do.

Every error a user can cause is a :class:`PeilError`. The command line prints it as one clear message and exits
with status 1; it never shows a traceback for these. Errors name the place as precisely as the input allows:
file, sheet, row and column for data; file, line and field for workspace files. An error whose reason peil has
words for in the reports' languages carries it as a Problem (peil.messages), and so does every `Remark` a file
reader makes about a file it reads.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from peil.messages import Problem, in_words


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


@dataclass(frozen=True)
class Remark:
    """What a file reader (peil.sources) says about a file it reads: where (`location`: the file, and the sheet,
    row and column when it names them) and what (`problem`: a message id with values, which the stray-copy scanner
    shows in the page's language).

    `str(remark)` is the warning in English as the terminal and the snapshot's record show it: the location, then
    the message; a message that opens with the rows it is about (a `rows` value: 'rows 5, 7-9: left out below the
    table') continues the location after a comma. `text` is that message when it says more than `problem` does
    (why a hidden sheet is read, what kind of row each left-out row is, every run of rows); None when it is
    `problem` in English.
    """

    location: Location
    problem: Problem
    text: str | None = None

    @classmethod
    def saying(cls, location: Location, problem: Problem, english: str) -> Remark:
        """A remark whose message reads `english` in the terminal, kept as `text` only when it says more than
        `problem` in English does."""
        return cls(location, problem, None if english == in_words(problem) else english)

    def __str__(self) -> str:
        return self._placed(str(self.location))

    def local(self) -> str:
        """The warning in English without the file and sheet in front (a page or a list that names them)."""
        return self._placed(str(dataclasses.replace(self.location, file=None, sheet=None)))

    def _placed(self, where: str) -> str:
        message = self.text if self.text is not None else in_words(self.problem)
        if not where:
            return message
        return f"{where}{', ' if 'rows' in self.problem.values else ': '}{message}"


class PeilError(Exception):
    """A problem with the user's input or workspace: what went wrong, where, and what to do next.

    `message` is English text, or a Problem (a message id with values) when peil says the reason in the reports'
    languages too; `problem` is then that Problem, else the text as it is (Problem.literal).
    """

    def __init__(self, message: str | Problem, location: Location | None = None, hint: str | None = None) -> None:
        self.problem = message if isinstance(message, Problem) else Problem.literal(message)
        self.message = in_words(message) if isinstance(message, Problem) else message
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
