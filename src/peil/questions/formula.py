"""Formulas of factors: the grammar, the syntax tree, a printer and a vectorised evaluator.

A formula combines other factors by name with ``+ - * / ^``, parentheses, comparisons (``= <> < <= > >=``;
``==`` and ``!=`` are read as ``=`` and ``<>``) and the functions ``min``, ``max``, ``abs``, ``log``
(natural), ``log10``, ``exp``, ``sqrt``, ``round`` and ``if(condition, then, else)``. Function names are read
case-insensitively (``MAX`` is ``max``); factor names are lower case.

Precedence follows Excel, because that is what municipal users know (from loosest to tightest)::

    comparison  = <> < <= > >=   (one per level: 1 < x < 3 is an error, write it with if or parentheses)
    additive    + -              left-associative
    multiplying * /              left-associative
    power       ^                left-associative, as in Excel: 2^3^2 = (2^3)^2 = 64
    negation    -                binds tighter than ^, as in Excel: -2^2 = (-2)^2 = 4, 2^-2 = 0.25

So ``0-2^2 = -4``, ``-(2^2) = -4`` and ``-2^2^3 = 64``; on distributions ``-x^2`` is ``(-x)^2``, never
negative. Comparisons give 1 (true) or 0 (false); ``if`` takes its first argument as true where it is not 0.
``round(x)`` and ``round(x, digits)`` round half away from zero, as Excel does (``round(2.5) = 3``).

Numbers are written with a decimal point (``0.5``, ``1e6``); there is no thousands separator.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
from lark import Token, Transformer
from numpy.typing import NDArray

from peil.errors import QuestionError
from peil.questions import syntax

Value: TypeAlias = float | NDArray[np.float64]
"""A factor's value: a number, or an array of samples of shape (n,), all in the factor's unit."""

MAX_DEPTH = 200


@dataclass(frozen=True)
class Number:
    """A number as written; never negative (``-2`` is a negation of 2)."""

    value: float
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Name:
    """A reference to another factor."""

    name: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Negation:
    """``-operand``."""

    operand: Node
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    """``left op right`` with op one of ``+ - * / ^ = <> < <= > >=``; position is the operator's."""

    op: str
    left: Node
    right: Node
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    """``function(args...)``; function is the lower-case name of one of :data:`FUNCTIONS`."""

    function: str
    args: tuple[Node, ...]
    position: int = field(default=0, compare=False)


Node: TypeAlias = Number | Name | Negation | Binary | Call


@dataclass(frozen=True)
class Function:
    """A formula function: how many arguments it takes (max_args None: any number) and what it computes."""

    min_args: int
    max_args: int | None
    apply: Callable[..., Value]

    def arity(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args} arguments"
        if self.min_args == self.max_args:
            return f"{self.min_args} argument" + ("s" if self.min_args > 1 else "")
        return f"{self.min_args} to {self.max_args} arguments"


def _round(x: Value, digits: Value = 0.0) -> Value:
    scale = np.power(10.0, digits)
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale


def _if(condition: Value, then: Value, otherwise: Value) -> Value:
    return np.where(np.not_equal(condition, 0.0), then, otherwise)


FUNCTIONS: dict[str, Function] = {
    "min": Function(2, None, lambda *xs: functools.reduce(np.minimum, xs)),
    "max": Function(2, None, lambda *xs: functools.reduce(np.maximum, xs)),
    "abs": Function(1, 1, np.abs),
    "log": Function(1, 1, np.log),
    "log10": Function(1, 1, np.log10),
    "exp": Function(1, 1, np.exp),
    "sqrt": Function(1, 1, np.sqrt),
    "round": Function(1, 2, _round),
    "if": Function(3, 3, _if),
}

_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
    "=": lambda a, b: np.equal(a, b).astype(np.float64),
    "<>": lambda a, b: np.not_equal(a, b).astype(np.float64),
    "<": lambda a, b: np.less(a, b).astype(np.float64),
    "<=": lambda a, b: np.less_equal(a, b).astype(np.float64),
    ">": lambda a, b: np.greater(a, b).astype(np.float64),
    ">=": lambda a, b: np.greater_equal(a, b).astype(np.float64),
}
COMPARISONS = ("=", "<>", "<", "<=", ">", ">=")
_CANONICAL = {"==": "=", "!=": "<>"}

# Binding strength for the printer: a child binding looser than its place needs parentheses.
_COMPARE, _ADD, _MULTIPLY, _POWER, _NEGATE, _ATOM = range(6)
_LEVEL = {"+": _ADD, "-": _ADD, "*": _MULTIPLY, "/": _MULTIPLY, "^": _POWER} | dict.fromkeys(COMPARISONS, _COMPARE)

_GRAMMAR = r"""
formula: expr
?expr: sum COMPARE sum -> binary
     | sum
?sum: sum PLUS product -> binary
    | sum MINUS product -> binary
    | product
?product: product STAR power -> binary
        | product SLASH power -> binary
        | power
?power: power CARET unary -> binary
      | unary
?unary: MINUS unary -> negation
      | PLUS unary -> plus
      | atom
?atom: NUMBER -> number
     | NAME "(" [expr ("," expr)*] ")" -> call
     | NAME -> name
     | "(" expr ")"
COMPARE: "<=" | ">=" | "<>" | "!=" | "==" | "=" | "<" | ">"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
CARET: "^"
"""


@dataclass(frozen=True)
class Formula:
    """A parsed formula: the text as written and its syntax tree."""

    text: str
    node: Node

    def names(self) -> list[str]:
        """The factors the formula refers to."""
        return references(self.node)

    def __str__(self) -> str:
        return self.text


class _Build(Transformer[Token, Node]):
    """Turns the parser's matches into :data:`Node` objects, checking numbers and function calls."""

    def formula(self, children: list[Node]) -> Node:
        return children[0]

    def number(self, children: list[Token]) -> Node:
        value = float(children[0])
        if not np.isfinite(value):
            raise syntax.fail(f"the number {children[0]} is too large", children[0])
        return Number(value, children[0].start_pos or 0)

    def name(self, children: list[Token]) -> Node:
        return Name(str(children[0]), children[0].start_pos or 0)

    def negation(self, children: list[Token | Node]) -> Node:
        sign, operand = children
        assert isinstance(sign, Token) and not isinstance(operand, Token)
        return Negation(operand, sign.start_pos or 0)

    def plus(self, children: list[Token | Node]) -> Node:
        operand = children[1]
        assert not isinstance(operand, Token)
        return operand

    def binary(self, children: list[Token | Node]) -> Node:
        left, op, right = children
        assert isinstance(op, Token) and not isinstance(left, Token) and not isinstance(right, Token)
        return Binary(_CANONICAL.get(str(op), str(op)), left, right, op.start_pos or 0)

    def call(self, children: list[Token | Node]) -> Node:
        name, *args = children
        assert isinstance(name, Token)
        function = str(name).lower()
        if function not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise syntax.fail(f"'{name}' is not a function", name, hint=f"The functions are: {known}.")
        spec = FUNCTIONS[function]
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            raise syntax.fail(f"{function} takes {spec.arity()}, not {len(args)}", name)
        return Call(function, tuple(a for a in args if not isinstance(a, Token)), name.start_pos or 0)


_parse = syntax.parser(_GRAMMAR, "formula", _Build())


def parse(text: str) -> Formula:
    """Parse a formula; raise QuestionError with the line, column and a caret when it cannot be read."""
    node = syntax.parse(_parse, text, "formula")
    if depth(node) > MAX_DEPTH:
        raise QuestionError(
            f"the formula is nested more than {MAX_DEPTH} levels deep",
            hint="Split it into factors, each with its own formula.",
        )
    return Formula(text, node)


def depth(node: Node) -> int:
    """How many levels the tree has (a number alone: 1); computed without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in _children(current))
    return deepest


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Negation):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def name_nodes(node: Node) -> list[Name]:
    """The references to factors in a tree, in the order they are written."""
    names, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Name):
            names.append(current)
        stack.extend(_children(current))
    return sorted(names, key=lambda n: n.position)


def references(node: Node) -> list[str]:
    """The factor names a tree refers to, each once, in the order they are first written."""
    return list(dict.fromkeys(n.name for n in name_nodes(node)))


def to_text(node: Node) -> str:
    """The canonical text of a tree: single spaces around binary operators, parentheses only where needed.

    Parsing the text gives back an equal tree, and printing that tree gives the same text.
    """
    if isinstance(node, Number):
        return number_text(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Negation):
        return "-" + _wrap(node.operand, _level(node.operand) < _NEGATE)
    if isinstance(node, Call):
        return f"{node.function}({', '.join(to_text(a) for a in node.args)})"
    level = _LEVEL[node.op]
    # Left-associative levels group from the left, so only a looser left operand needs parentheses, while a
    # right operand of the same level does too: a - (b - c). Comparisons do not chain, so both sides need
    # them.
    left = _wrap(node.left, _level(node.left) < level or (level == _COMPARE and _level(node.left) == level))
    right = _wrap(node.right, _level(node.right) <= level)
    return f"{left} {node.op} {right}" if node.op != "^" else f"{left}^{right}"


def _level(node: Node) -> int:
    if isinstance(node, Binary):
        return _LEVEL[node.op]
    return _NEGATE if isinstance(node, Negation) else _ATOM


def _wrap(node: Node, parenthesise: bool) -> str:
    return f"({to_text(node)})" if parenthesise else to_text(node)


def number_text(value: float) -> str:
    """A number as peil writes it back: whole numbers without a decimal point, others exactly (repr)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def evaluate(node: Node, values: Mapping[str, Value]) -> Value:
    """The formula's value for each sample: `values` maps each factor name to a number or an (n,) array.

    Returns a number when every value is a number, else an (n,) array. Division by zero and the logarithm or
    square root of a negative number give inf or NaN samples (no exception); the engine reports them.
    """
    with np.errstate(all="ignore"):
        return _evaluate(node, values)


def _evaluate(node: Node, values: Mapping[str, Value]) -> Value:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return values[node.name]
    if isinstance(node, Negation):
        return np.negative(_evaluate(node.operand, values))
    if isinstance(node, Binary):
        return _BINARY[node.op](_evaluate(node.left, values), _evaluate(node.right, values))
    return FUNCTIONS[node.function].apply(*(_evaluate(a, values) for a in node.args))
