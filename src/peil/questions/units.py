"""Units of factors, checked through formulas with pint.

A unit is written as pint reads it: ``households``, ``pianos/household``, ``euro/year``, ``hour/day``,
``m**2``. ``€`` is read as ``euro`` and `` per `` as ``/``. A word pint knows as a unit (hour, day, year, km,
liter) keeps pint's meaning, so ``hour/day * day`` is ``hour``; every other word is a count of things of its
own kind, and a word and the same word with an ``s`` are one unit (``household`` and ``households``).

The rules, from the formula's tree:

- ``a + b``, ``a - b``, comparisons, ``min``, ``max`` and the two branches of ``if`` need the same unit. Units
  of the same kind that differ by a factor (hours and days) are refused too, naming the factor: peil never
  converts silently, the formula says ``* 24``.
- ``*`` and ``/`` combine units; ``^`` raises the unit to a number written in the formula (a constant).
- ``log``, ``log10`` and ``exp`` need a value without unit; ``sqrt`` takes the unit's square root.
- A number written in the formula has no unit in ``*``, ``/`` and ``^``, and the unit of the other side in
  ``+``, ``-`` and comparisons (so ``max(0, demand - capacity)`` works).
- A factor without a declared unit has an unknown unit, and nothing involving it is checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache

import pint
from pint.facets.plain import PlainUnit

from peil.errors import QuestionError
from peil.questions import syntax
from peil.questions.formula import (
    COMPARISONS,
    Binary,
    Call,
    Formula,
    Name,
    Negation,
    Node,
    Number,
    evaluate,
    references,
)

Unit = PlainUnit


class _Literal:
    """The unit of a number written in a formula: none, or the other side's in a sum or comparison."""


_LITERAL = _Literal()
_Inferred = Unit | _Literal | None


@cache
def _registry() -> pint.UnitRegistry[float]:
    return pint.UnitRegistry()


def parse_unit(text: str) -> Unit:
    """The pint unit for `text`, defining a new kind of count for each word pint does not know.

    Raises QuestionError when pint cannot read the expression (e.g. ``pianos//household``).
    """
    registry = _registry()
    expression = text.replace("€", " euro ").replace(" per ", "/").strip()
    for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression):
        if not _known(registry, word):
            singular = word[:-1] if word.endswith("s") and len(word) > 3 else word
            registry.define(f"{singular} = [{singular}]")
    try:
        return registry.parse_units(expression)
    # pint raises many kinds of exception on text it cannot read (tokenizer, syntax, definition errors).
    except Exception as exc:
        raise QuestionError(
            f"cannot read the unit '{text}'" + (f": {exc}" if str(exc) else ""),
            hint="Write units as words with * / and ** (for example pianos/household or euro/year).",
        ) from None


def _known(registry: pint.UnitRegistry[float], word: str) -> bool:
    """Whether pint reads `word` as a unit by its own name, or as a short prefixed symbol (km, kWh)."""
    candidates = registry.parse_unit_name(word)
    return bool(candidates) and (candidates[0][0] == "" or len(word) <= 4)


def show(unit: Unit | None) -> str:
    """A unit as the messages and reports show it."""
    if unit is None:
        return "an unknown unit"
    return "no unit" if unit.dimensionless else str(unit)


def same(a: Unit, b: Unit) -> bool:
    """Whether values in `a` and `b` can be added as they are: the same kind and no conversion factor."""
    return a.dimensionality == b.dimensionality and math.isclose(_factor(a, b), 1.0, rel_tol=1e-9)


def mismatch(a: Unit, b: Unit) -> str:
    """Why `a` and `b` cannot be added: different kinds of quantity, or the factor between them."""
    if a.dimensionality != b.dimensionality:
        return "they are different kinds of quantity"
    return f"they differ by a factor {_factor(a, b):.6g}; convert with * or / in the formula"


def _factor(a: Unit, b: Unit) -> float:
    return float(_registry().Quantity(1.0, a).to(b).magnitude)


def infer(name: str, formula: Formula, units: Mapping[str, Unit | None]) -> Unit | None:
    """The unit of factor `name`'s formula given the units of the factors it uses (None where unknown).

    Raises QuestionError naming the factor and the units, with the formula and a caret under the operator or
    function where they do not fit.
    """
    inferred = _Infer(name, formula, units).unit(formula.node)
    if isinstance(inferred, _Literal):
        return _registry().dimensionless
    return inferred


class _Infer:
    def __init__(self, name: str, formula: Formula, units: Mapping[str, Unit | None]) -> None:
        self.name, self.formula, self.units = name, formula, units

    def fail(self, node: Node, detail: str) -> QuestionError:
        heading = f"the units do not fit in the formula of '{self.name}'"
        return syntax.located(heading, self.formula.text, node.position, detail)

    def unit(self, node: Node) -> _Inferred:
        if isinstance(node, Number):
            return _LITERAL
        if isinstance(node, Name):
            return self.units.get(node.name)
        if isinstance(node, Negation):
            return self.unit(node.operand)
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def binary(self, node: Binary) -> _Inferred:
        left, right = self.unit(node.left), self.unit(node.right)
        if node.op in ("+", "-") or node.op in COMPARISONS:
            verb = {"+": "add", "-": "subtract"}.get(node.op, "compare")
            joined = self.alike(node, [left, right], verb)
            return _LITERAL if node.op in COMPARISONS else joined
        if node.op == "^":
            return self.power(node, left, right)
        if left is None or right is None:
            return None
        if isinstance(left, _Literal) and isinstance(right, _Literal):
            return _LITERAL
        a, b = self.plain(left), self.plain(right)
        combined: Unit = a * b if node.op == "*" else a / b
        return combined

    def power(self, node: Binary, base: _Inferred, exponent: _Inferred) -> _Inferred:
        if isinstance(exponent, Unit) and not exponent.dimensionless:
            raise self.fail(node, f"an exponent cannot have a unit; it has {show(exponent)}")
        if base is None or isinstance(base, _Literal) or base.dimensionless:
            return base
        exponent_value = float(evaluate(node.right, {})) if not references(node.right) else math.nan
        if not math.isfinite(exponent_value):
            raise self.fail(node, f"{show(base)} can only be raised to a number written in the formula")
        return base**exponent_value

    def call(self, node: Call) -> _Inferred:
        args = [self.unit(a) for a in node.args]
        if node.function in ("min", "max"):
            return self.alike(node, args, f"take the {node.function} of")
        if node.function == "if":
            return self.alike(node, args[1:], "choose between")
        if node.function in ("abs", "round"):
            return args[0]
        if node.function == "sqrt":
            return args[0] ** 0.5 if isinstance(args[0], Unit) else args[0]
        if isinstance(args[0], Unit) and not args[0].dimensionless:
            raise self.fail(node, f"{node.function} needs a value without unit, not {show(args[0])}")
        return args[0]

    def alike(self, node: Node, units: list[_Inferred], verb: str) -> _Inferred:
        """The common unit of `units`, which must match; None when one is unknown."""
        if any(u is None for u in units):
            return None
        known = [u for u in units if isinstance(u, Unit)]
        for other in known[1:]:
            if not same(known[0], other):
                raise self.fail(node, f"cannot {verb} {show(known[0])} and {show(other)}: {mismatch(known[0], other)}")
        return known[0] if known else _LITERAL

    def plain(self, unit: _Inferred) -> Unit:
        return _registry().dimensionless if isinstance(unit, _Literal) or unit is None else unit
