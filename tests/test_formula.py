"""Composite formulas: arithmetic is right, errors point at the character, and
nothing an author writes is ever executed."""

from __future__ import annotations

import builtins
import contextlib
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.errors import Loc, SpecErrors
from renderer.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    BinOp,
    Formula,
    Neg,
    Num,
    Ref,
    evaluate,
    parse_formula,
)

LOC = Loc("t.yaml", 5, 12)
VALUES: dict[str, float | None] = {
    "a": 3.0,
    "b": 4.0,
    "zero": 0.0,
    "effectiveness": 81.5,
    "efficiency": 35.1,
    "case-volume": None,
    "x1": 2.0,
}


def calc(text: str, values: dict[str, float | None] = VALUES) -> float:
    return evaluate(parse_formula(text, LOC), values, LOC)


def error(text: str, values: dict[str, float | None] = VALUES) -> tuple[int, str]:
    """The (file column, message) of the one error a formula gives."""
    with pytest.raises(SpecErrors) as info:
        calc(text, values)
    (err,) = info.value.errors
    assert (err.loc.file, err.loc.line) == ("t.yaml", 5)
    return err.loc.col, err.message


# --- arithmetic ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),  # left-associative
        ("100 / 10 / 5", 2),  # left-associative
        ("2 * 3 + 4 * 5", 26),
        ("-2 * 3", -6),
        ("2 * -3", -6),
        ("- -2", 2),
        ("-(1 + 2)", -3),
        ("1 - -1", 2),
        ("0.5 * 3.25", 1.625),
        ("007", 7),
        ("((((1))))", 1),
        ("a * b / 100", 0.12),
        ("(effectiveness + efficiency) / 2", (81.5 + 35.1) / 2),
        ("effectiveness * efficiency / 100", 81.5 * 35.1 / 100),
        ("a × b ÷ 4 − 1", 2),  # as copied from a slide
        ("a*b - x1", 10),  # '*' and '/' need no spaces around ids...
        ("a -x1", 1),  # ...a '-' only joins an id when nothing separates them
        ("x1", 2),
        ("42", 42),
        ("  a\n  + b\n", 7),  # a folded YAML block keeps its newlines
    ],
)
def test_arithmetic(text: str, expected: float) -> None:
    assert calc(text) == pytest.approx(expected, abs=1e-9)


def test_tree_shape_and_positions() -> None:
    f = parse_formula("a + 2 * (b - 1)", LOC)
    # The parenthesised operation spans its parentheses (col 8 to 15);
    # the BinOp's op_col is its operator.
    inner = BinOp("-", Ref("b", 9, 10), Num(1.0, 13, 14), 8, 15, 11)
    assert f == Formula(
        "a + 2 * (b - 1)",
        BinOp("+", Ref("a", 0, 1), BinOp("*", Num(2.0, 4, 5), inner, 4, 15, 6), 0, 15, 2),
    )
    assert parse_formula("-a", LOC).root == Neg(Ref("a", 1, 2), 0, 2)
    assert parse_formula("a−b", LOC).root == BinOp("-", Ref("a", 0, 1), Ref("b", 2, 3), 0, 3, 1)


def test_formula_is_immutable() -> None:
    f = parse_formula("a + b", LOC)
    with pytest.raises(AttributeError):
        f.text = "c"  # type: ignore[misc]
    assert hash(f) == hash(parse_formula("a + b", LOC))


def test_ids_unique_in_order_of_appearance() -> None:
    f = parse_formula("efficiency * (a + efficiency) / a + 3 - b", LOC)
    assert f.ids() == ("efficiency", "a", "b")
    assert parse_formula("1 + 2", LOC).ids() == ()


def test_substitute_shows_the_values_in_the_written_formula() -> None:
    f = parse_formula("(effectiveness + efficiency) / 2", LOC)
    assert f.substitute({"effectiveness": 81.46, "efficiency": 35.14}) == "(81.5 + 35.1) / 2"
    f = parse_formula("a -  b\n", LOC)
    assert f.substitute({"a": 70, "b": -5}) == "70.0 - (-5.0)"


def test_id_with_dash_is_one_token() -> None:
    f = parse_formula("case-volume - a", LOC)
    assert f.ids() == ("case-volume", "a")


# --- errors at the right place ------------------------------------------------------
# LOC.col is 12: an error at formula offset k is reported at column 12 + k.


@pytest.mark.parametrize(
    ("text", "col", "message"),
    [
        ("(a + b))", 19, "formula: unexpected ')' at column 8"),
        ("a +", 15, "formula: expected a number, id or '(' at end of formula"),
        ("a + * b", 16, "formula: expected a number, id or '(' at column 5, found '*'"),
        ("a b", 14, "formula: expected an operator (+ - * /) before 'b' at column 3"),
        ("2 (a)", 14, "formula: expected an operator (+ - * /) before '(' at column 3"),
        ("(a + b", 18, "formula: missing ')' to close the '(' at column 1"),
        ("()", 13, "formula: expected a number, id or '(' at column 2, found ')'"),
        (")", 12, "formula: expected a number, id or '(' at column 1, found ')'"),
        ("", 12, "formula: the formula is empty: a formula combines node ids with"
         " + - * /, parentheses and numbers, e.g. 'a * b / 100'"),
        ("a ^ 2", 14, "formula: '^' is not allowed: a formula combines node ids with"
         " + - * /, parentheses and numbers"),
        ("a % 2", 14, "formula: '%' is not allowed: a formula combines node ids with"
         " + - * /, parentheses and numbers"),
        ("a\tb\x00", 15, "formula: character U+0000 is not allowed: a formula combines"
         " node ids with + - * /, parentheses and numbers"),
        ("Effectiveness", 12, "formula: 'Effectiveness' is not an id: ids are lower case,"
         " like 'effectiveness'"),
        (".5 * a", 12, "formula: '.5' is not a number; write '0.5'"),
        ("1.5-a", 12, "formula: '1.5-a' is not a number or id; write '1.5 - a' with spaces"
         " to subtract"),
        ("1" * 400, 12, "formula: the number '11111111111111111111…' is too large"),
    ],
)  # fmt: skip
def test_syntax_errors(text: str, col: int, message: str) -> None:
    assert error(text) == (col, message)


def test_unknown_id_suggests_the_closest() -> None:
    assert error("effectivness + efficiency") == (
        12,
        "formula: unknown id 'effectivness' (did you mean 'effectiveness'?)",
    )
    assert error("a + qqq") == (16, "formula: unknown id 'qqq'")


def test_unknown_dashed_id_hints_at_subtraction() -> None:
    assert error("effectiveness-efficiency") == (
        12,
        "formula: unknown id 'effectiveness-efficiency'; write 'effectiveness - efficiency'"
        " with spaces to subtract",
    )
    assert (
        error("(100-a)")[1]
        == "formula: unknown id '100-a'; write '100 - a' with spaces to subtract"
    )


def test_division_by_zero_names_the_divisor() -> None:
    assert error("a / zero") == (14, "formula: division by zero ('zero' is 0)")
    assert error("a / (b - b) + 1") == (14, "formula: division by zero ('(b - b)' is 0)")
    assert error("a / 0") == (14, "formula: division by zero ('0' is 0)")
    assert error("a / -zero")[1] == "formula: division by zero ('-zero' is 0)"


def test_id_without_score() -> None:
    assert error("a + case-volume") == (
        16,
        "formula: 'case-volume' has no score (give it a value and benchmark, or a score)",
    )


def test_overflow_is_an_error_not_inf() -> None:
    big: dict[str, float | None] = {"a": 1e308}
    assert error("a * a", big) == (
        12,
        "formula: the result is too large to be a score (a number overflowed)",
    )
    assert error("a * a - a * a", big)[0] == 12  # inf - inf = nan: also refused


def test_multiline_formula_keeps_the_value_position() -> None:
    with pytest.raises(SpecErrors) as info:
        parse_formula("a +\n  )", LOC)
    assert info.value.errors[0].loc == LOC
    assert "at column 7" in info.value.errors[0].message


# --- nothing is ever executed ------------------------------------------------------

INJECTIONS = [
    "__import__('os').system('x')",
    "__import__",
    "open('/etc/passwd')",
    "open ('/etc/passwd')",
    "effectiveness.__class__",
    "effectiveness.__class__.__mro__",
    "a.b",
    "[1]",
    "a[0]",
    "{}",
    "'a'",
    '"a"',
    "1 ** 2",
    "a ×× b",
    "lambda: 1",
    "eval('1')",
    "exec('import os')",
    "globals()",
    "a if b else a",  # parses as ids, then refused: 'if' follows without an operator
    "a, b",
    "a; b",
    "a == b",
    "a @ b",
    "a // b",
    "a = 1",
    "`ls`",
    "$(ls)",
    "${a}",
    "a\\b",
    "print(1)",
    "os.system('x')",
    "().__class__.__bases__[0].__subclasses__()",
    "x1()",
    "a(b)",
    "\u202ea",  # bidi override
    "а",  # Cyrillic a
    "ａ",  # fullwidth a
    "１",  # fullwidth digit
    "٣",  # Arabic-Indic digit
    "1_000",
    "1e5 * a",  # an unknown id '1e5', not scientific notation
    "0x10",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_are_rejected_and_nothing_runs(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"formula code executed something: {args!r}")

    for name in ("eval", "exec", "compile", "open", "globals", "print"):
        monkeypatch.setattr(builtins, name, boom)
    monkeypatch.setattr(os, "system", boom)
    with pytest.raises(SpecErrors) as info:
        calc(text)
    assert all(e.message.startswith("formula: ") for e in info.value.errors)


def test_calls_are_named_as_calls() -> None:
    for text in ("open('/etc/passwd')", "eval('1')", "x1 (2)"):
        col, message = error(text)
        assert col == 12
        assert "is a call; calls are not allowed" in message, message


def test_module_does_not_use_eval_or_ast() -> None:
    source = (Path(__file__).parents[1] / "renderer" / "formula.py").read_text()
    # A bare builtin call (not `evaluate(`, not `re.compile(`) or an `ast` import.
    hits = re.findall(r"(?<![\w.])(?:eval|exec|compile|__import__)\(|import ast|from ast", source)
    assert not hits


# --- bounds ------------------------------------------------------------------------


def test_length_limit() -> None:
    text = "1 + " * 200 + "1"
    assert len(text) > MAX_LENGTH
    assert error(text) == (
        12,
        f"formula: the formula is {len(text)} characters long; the limit is {MAX_LENGTH}",
    )
    assert error("a" * 1_000_000)[1].startswith("formula: the formula is 1000000 characters")


def test_longest_chain_within_the_limit_evaluates() -> None:
    text = "+".join(["1"] * 250)  # 499 characters: a 249-deep left-leaning tree
    assert len(text) <= MAX_LENGTH
    assert calc(text) == 250
    text = "/".join(["1"] * 250)
    assert calc(text) == 1


def test_nesting_limit() -> None:
    ok = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert calc(ok) == 3
    deep = "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)
    assert error(deep) == (
        12 + MAX_DEPTH,
        f"formula: nested more than {MAX_DEPTH} levels deep at column {MAX_DEPTH + 1};"
        " simplify the formula",
    )
    assert calc("-" * MAX_DEPTH + "a") == 3  # an even number of signs
    assert "nested more than" in error("-" * (MAX_DEPTH + 1) + "a")[1]
    assert "nested more than" in error("(" * 499)[1]  # never a RecursionError
    assert "nested more than" in error("(-" * 200)[1]


# --- fuzzing -----------------------------------------------------------------------

TOKENS = [
    "a", "b", "zero", "x1", "case-volume", "effectiveness", "nope", "a-b", "1", "0",
    "2.5", "100", "+", "-", "*", "/", "×", "÷", "−", "(", ")", "**", ".", "_", "'",
    "[", "]", ",", "e", "1e9", "Ab", "__import__", " ", "\n", "0.", ".0", "9" * 30,
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60), st.booleans())
def test_random_token_strings_raise_only_spec_errors(tokens: list[str], spaced: bool) -> None:
    text = (" " if spaced else "").join(tokens)
    try:
        result = calc(text)
    except SpecErrors as e:
        assert e.errors and all(err.message.startswith("formula: ") for err in e.errors)
    else:
        assert isinstance(result, float)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_random_text_raises_only_spec_errors(text: str) -> None:
    with contextlib.suppress(SpecErrors):
        calc(text)
