"""What the formula and estimate grammars share: number and name tokens, and errors that point at the
position.

Both grammars are LALR grammars for lark with an inline transformer: the parser builds peil's own objects
while it reads, with no intermediate tree, so even deeply nested input takes no recursion. A syntax error, and
any error a transformer raises through :func:`fail`, becomes a :class:`~peil.errors.QuestionError` whose
message names the line and column and shows the line with a caret under the place, as a compiler does::

    cannot read the formula at line 1, column 10: expected a number, a name, '(' or '-'
      pianos * * tuners
               ^
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from peil.errors import QuestionError

T = TypeVar("T")

TOKENS = r"""
NUMBER: /(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
%ignore /[ \t\r\n]+/
"""

MAX_LENGTH = 10_000

_FRIENDLY = {
    "NUMBER": "a number",
    "NAME": "a name",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "EQUAL": "'='",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "CARET": "'^'",
    "COMPARE": "a comparison",
    "TO": "'to'",
    "OF": "'of'",
    "WEIGHTS": "'weights'",
    "$END": "nothing more",
}


class Positioned(Exception):
    """Raised by a transformer: a problem at `position` (0-based offset); :func:`parse` locates it."""

    def __init__(self, message: str, position: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = hint


def fail(message: str, token: Token, hint: str | None = None) -> Positioned:
    """The error to raise from a transformer for a problem at `token`."""
    return Positioned(message, token.start_pos or 0, hint)


def parser(grammar: str, start: str, transformer: Transformer[Token, T]) -> Callable[[str], T]:
    """A function that parses a text with `grammar` from rule `start` into the transformer's result."""
    lark = Lark(grammar + TOKENS, parser="lalr", start=start, transformer=transformer, maybe_placeholders=False)
    return lark.parse  # type: ignore[return-value]


def parse(parse_text: Callable[[str], T], text: str, what: str) -> T:
    """Parse `text` (a `what`, e.g. "formula"); raise QuestionError naming line and column, with a caret."""
    if len(text) > MAX_LENGTH:
        raise QuestionError(f"the {what} is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    heading = f"cannot read the {what}"
    try:
        return parse_text(text)
    except Positioned as exc:
        raise located(heading, text, exc.position, exc.message, exc.hint) from None
    except UnexpectedCharacters as exc:
        position = exc.pos_in_stream or 0
        word = re.match(r"\w+", text[position:])
        found = repr(word.group()) if word else f"character {text[position : position + 1]!r}"
        raise located(heading, text, position, f"unexpected {found}") from None
    except UnexpectedToken as exc:
        at_end = exc.token.type == "$END"
        position = len(text.rstrip()) if at_end else exc.token.start_pos or 0
        found = f"the {what} ends here" if at_end else f"unexpected {str(exc.token)!r}"
        expected = _expected(exc.accepts or exc.expected)
        raise located(heading, text, position, f"{found}; expected {expected}") from None
    except UnexpectedInput as exc:  # the remaining kind, UnexpectedEOF, is not raised by LALR but kept safe
        raise located(heading, text, len(text), str(exc).strip() or "unexpected end") from None


def _expected(names: set[str]) -> str:
    words = sorted({_FRIENDLY.get(name, repr(name.lower())) for name in names if not name.startswith("__")})
    if not words:
        return "nothing more"
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def located(heading: str, text: str, position: int, detail: str, hint: str | None = None) -> QuestionError:
    """A QuestionError about `text` at `position` (a 0-based offset): line, column, the line and a caret."""
    position = max(0, min(position, len(text)))
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line_text = text[line_start : line_end if line_end >= 0 else len(text)]
    line = text.count("\n", 0, position) + 1
    column = position - line_start + 1
    caret = " " * (column - 1) + "^"
    printable = "".join(c if c.isprintable() else " " for c in line_text)
    return QuestionError(
        f"{heading} at line {line}, column {column}: {detail}\n    {printable}\n    {caret}",
        hint=hint,
    )
