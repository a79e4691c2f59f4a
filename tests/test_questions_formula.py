"""Formulas: Excel precedence (MC-07), functions, the printer, positioned errors, units; fuzzed with hypothesis."""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peil.errors import QuestionError
from peil.questions import units
from peil.questions.formula import (
    COMPARISONS,
    FUNCTIONS,
    MAX_DEPTH,
    Binary,
    Call,
    Name,
    Negation,
    Node,
    Number,
    evaluate,
    parse,
    to_text,
)


def value(text: str, **values: float | np.ndarray) -> float | np.ndarray:
    return evaluate(parse(text).node, values)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("-2^2", 4.0),
        ("0-2^2", -4.0),
        ("-(2^2)", -4.0),
        ("2^-2", 0.25),
        ("-2^2^3", 64.0),
    ],
)
def test_mc07_excel_precedence(formula: str, expected: float) -> None:
    assert value(formula) == expected


def test_mc07_peil_pins_excel_negation_binds_tighter_than_power_which_groups_from_the_left() -> None:
    assert parse("-2^2").node == Binary("^", Negation(Number(2)), Number(2))
    assert parse("2^3^2").node == Binary("^", Binary("^", Number(2), Number(3)), Number(2))
    assert value("2^3^2") == 64.0  # Excel; mathematical convention would give 512


def test_mc07_the_same_rule_holds_on_distributions() -> None:
    x = np.random.default_rng(5).lognormal(0.3466, 0.2107, 10_000)  # the samples of "1 to 2"
    result = value("-x^2", x=x)
    assert isinstance(result, np.ndarray)
    assert (result > 0).all()
    np.testing.assert_array_equal(result, x**2)
    np.testing.assert_array_equal(value("-(x^2)", x=x), -(x**2))


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("12 / 3 / 2", 2.0),
        ("2 * -3", -6.0),
        ("+5", 5.0),
        ("--2", 2.0),
        ("min(3, 1, 2)", 1.0),
        ("MAX(3, 1, 2)", 3.0),
        ("abs(-4)", 4.0),
        ("log(exp(2))", 2.0),
        ("log10(1000)", 3.0),
        ("sqrt(16)", 4.0),
        ("round(2.5)", 3.0),
        ("round(-2.5)", -3.0),
        ("round(0.5)", 1.0),
        ("round(1234.5678, 2)", 1234.57),
        ("round(1234.5678, -2)", 1200.0),
        ("if(1 < 2, 10, 20)", 10.0),
        ("if(0, 10, 20)", 20.0),
        ("3 = 3", 1.0),
        ("3 == 3", 1.0),
        ("3 <> 3", 0.0),
        ("3 != 4", 1.0),
        ("2 <= 2", 1.0),
        ("2 >= 3", 0.0),
        ("2 > 1", 1.0),
        ("1 + 2 < 4", 1.0),
        ("1.5e3 + .5", 1500.5),
    ],
)
def test_operators_and_functions(formula: str, expected: float) -> None:
    assert value(formula) == pytest.approx(expected, abs=1e-12)


def test_a_formula_works_on_arrays_of_samples_element_by_element() -> None:
    a, b = np.array([1.0, 5.0, 3.0]), np.array([4.0, 2.0, 3.0])
    np.testing.assert_array_equal(value("max(a, b) - min(a, b)", a=a, b=b), [3.0, 3.0, 0.0])
    np.testing.assert_array_equal(value("if(a > b, a, 0)", a=a, b=b), [0.0, 5.0, 0.0])
    np.testing.assert_array_equal(value("a * 2 + 1", a=a), [3.0, 11.0, 7.0])


def test_division_by_zero_gives_inf_without_an_exception() -> None:
    assert value("1 / x", x=0.0) == math.inf
    assert math.isnan(value("sqrt(x)", x=-1.0))


def test_names_are_the_referenced_factors_in_written_order() -> None:
    assert parse("b * (a + b) / max(c, a)").names() == ["b", "a", "c"]


@pytest.mark.parametrize(
    ("formula", "message", "column"),
    [
        ("pianos * * tuners", "unexpected '*'; expected '(', '+', '-', a name or a number", 10),
        ("pianos *", "the formula ends here; expected '(', '+', '-', a name or a number", 9),
        ("(a + b", "the formula ends here; expected ')'", 7),
        ("a + b)", "unexpected ')'", 6),
        ("a $ b", "unexpected character '$'", 3),
        ("1 < 2 < 3", "unexpected '<'", 7),
        ("maxx(a, b)", "'maxx' is not a function", 1),
        ("sqrt(a, b)", "sqrt takes 1 argument, not 2", 1),
        ("min(a)", "min takes at least 2 arguments, not 1", 1),
        ("round(a, 1, 2)", "round takes 1 to 2 arguments, not 3", 1),
        ("if(a, b)", "if takes 3 arguments, not 2", 1),
        ("2 * 1e400", "the number 1e400 is too large", 5),
        ("a +\n  * b", "unexpected '*'", 3),
        ("", "the formula ends here", 1),
    ],
)
def test_a_formula_error_names_line_and_column_with_a_caret(formula: str, message: str, column: int) -> None:
    with pytest.raises(QuestionError) as raised:
        parse(formula)
    error = str(raised.value)
    assert message in error
    assert f"column {column}:" in error
    caret = error.split("\n")[2]
    assert caret == " " * 4 + " " * (column - 1) + "^"


def test_an_error_on_a_later_line_shows_that_line() -> None:
    with pytest.raises(QuestionError) as raised:
        parse("a +\n  * b")
    assert "at line 2, column 3" in str(raised.value)
    assert str(raised.value).split("\n")[1:3] == ["      * b", "      ^"]


def test_an_unknown_function_suggests_the_known_ones() -> None:
    with pytest.raises(QuestionError) as raised:
        parse("average(a, b)")
    assert raised.value.hint == f"The functions are: {', '.join(sorted(FUNCTIONS))}."


def test_too_deep_nesting_is_refused_with_a_clear_error() -> None:
    with pytest.raises(QuestionError, match="nested more than"):
        parse("-" * MAX_DEPTH + "1")
    assert parse("-" * (MAX_DEPTH - 1) + "1").node is not None
    assert parse("(" * 500 + "1" + ")" * 500).node == Number(1)
    with pytest.raises(QuestionError, match="at most 10000"):
        parse("1" + " + 1" * 3000)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("a+b*c", "a + b * c"),
        ("(a+b)*c", "(a + b) * c"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("a/(b*c)", "a / (b * c)"),
        ("-2^2", "-2^2"),
        ("-(2^2)", "-(2^2)"),
        ("(-2)^2", "-2^2"),
        ("2^-2", "2^-2"),
        ("2^(3^2)", "2^(3^2)"),
        ("(2^3)^2", "2^3^2"),
        ("-(a+b)", "-(a + b)"),
        ("a - -b", "a - -b"),
        ("(a < b) + 1", "(a < b) + 1"),
        ("a == b", "a = b"),
        ("a != b", "a <> b"),
        ("(a < b) = (c < d)", "(a < b) = (c < d)"),
        ("MAX( a ,b )", "max(a, b)"),
        ("IF(a>b, a, b)", "if(a > b, a, b)"),
        ("+a", "a"),
        ("1.50", "1.5"),
        ("1e20", "1e+20"),
        ("123456789012345", "123456789012345"),
        ("1e-7", "1e-07"),
    ],
)
def test_the_printer_writes_canonical_text_with_only_the_needed_parentheses(written: str, canonical: str) -> None:
    assert to_text(parse(written).node) == canonical


def _nodes() -> st.SearchStrategy[Node]:
    numbers = st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False).map(
        lambda v: Number(abs(v))
    )
    names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda n: n not in FUNCTIONS).map(Name)
    ops = st.sampled_from(["+", "-", "*", "/", "^", *COMPARISONS])

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        calls = st.sampled_from(sorted(FUNCTIONS)).flatmap(
            lambda f: st.lists(
                children,
                min_size=FUNCTIONS[f].min_args,
                max_size=FUNCTIONS[f].max_args or FUNCTIONS[f].min_args + 2,
            ).map(lambda args: Call(f, tuple(args)))
        )
        return st.one_of(
            children.map(Negation),
            st.tuples(ops, children, children).map(lambda t: Binary(*t)),
            calls,
        )

    return st.recursive(st.one_of(numbers, names), extend, max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(_nodes())
def test_printing_and_reparsing_gives_the_same_tree_and_text(node: Node) -> None:
    text = to_text(node)
    reparsed = parse(text).node
    assert reparsed == node
    assert to_text(reparsed) == text


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_no_text_makes_the_parser_fail_other_than_with_a_question_error(text: str) -> None:
    try:
        formula = parse(text)
    except QuestionError as exc:
        assert "cannot read the formula" in str(exc) or "nested" in str(exc)
    else:
        assert parse(to_text(formula.node)).node == formula.node


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab12.+-*/^()<>=!, eEminaxlogf", max_size=40))
def test_no_formula_like_text_makes_the_parser_fail_other_than_with_a_question_error(text: str) -> None:
    with contextlib.suppress(QuestionError):
        parse(text)


UNITS = {
    "households": units.parse_unit("households"),
    "pianos_per_household": units.parse_unit("pianos/household"),
    "people": units.parse_unit("people"),
    "budget": units.parse_unit("€"),
    "hours": units.parse_unit("hours"),
    "days": units.parse_unit("days"),
    "hours_per_day": units.parse_unit("hour/day"),
    "unknown": None,
}


@pytest.mark.parametrize(
    ("formula", "unit"),
    [
        ("households * pianos_per_household", "pianos"),
        ("max(0, households - 5) * 2", "household"),
        ("households^2 / households", "households"),
        ("hours_per_day * days", "hours"),
        ("if(people > 3, people, 0)", "people"),
        ("sqrt(households^2)", "households"),
        ("budget / people", "euro/people"),
        ("log(households / households)", "dimensionless"),
    ],
)
def test_units_follow_the_formula(formula: str, unit: str) -> None:
    inferred = units.infer("x", parse(formula), UNITS)
    assert inferred is not None and units.same(inferred, units.parse_unit(unit))


def test_a_formula_with_a_factor_of_unknown_unit_is_not_checked() -> None:
    assert units.infer("x", parse("unknown + people"), UNITS) is None


@pytest.mark.parametrize(
    ("formula", "message", "column"),
    [
        ("people + budget", "cannot add people and euro: they are different kinds of quantity", 8),
        ("people - budget", "cannot subtract people and euro", 8),
        ("hours + days", "cannot add hour and day: they differ by a factor 0.0416667", 7),
        ("people < households", "cannot compare people and household", 8),
        ("max(people, budget)", "cannot take the max of people and euro", 1),
        ("if(people > 1, people, budget)", "cannot choose between people and euro", 1),
        ("log(people)", "log needs a value without unit, not people", 1),
        ("households ^ people", "an exponent cannot have a unit; it has people", 12),
        ("households ^ unknown", "household can only be raised to a number written in the formula", 12),
    ],
)
def test_units_that_do_not_fit_name_the_formula_the_units_and_the_place(
    formula: str, message: str, column: int
) -> None:
    with pytest.raises(QuestionError) as raised:
        units.infer("total", parse(formula), UNITS)
    error = str(raised.value)
    assert error.startswith(f"the units do not fit in the formula of 'total' at line 1, column {column}: ")
    assert message in error
    assert error.split("\n")[1].strip() == formula


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("household", "households", True),
        ("pianos/household", "piano/households", True),
        ("€", "euro", True),
        ("hour/day", "hours per day", True),
        ("km", "m", False),
        ("inwoners", "inwoner", True),
        ("units", "unit", True),
    ],
)
def test_unit_words_in_singular_and_plural_are_one_unit(a: str, b: str, alike: bool) -> None:
    assert units.same(units.parse_unit(a), units.parse_unit(b)) is alike


def test_an_unreadable_unit_is_a_question_error() -> None:
    for text in ("pianos/(household", "pianos^", "1000 households"):
        with pytest.raises(QuestionError, match="cannot read the unit"):
            units.parse_unit(text)
