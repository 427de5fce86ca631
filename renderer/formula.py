"""Composite formulas: parsed and evaluated by this module, never by Python.

A formula comes from a spec file, which may come from anyone, so it is never
handed to `eval` or the `ast` module: a tokenizer and a recursive-descent
parser that know only numbers, node ids, `+ - * /` and parentheses are the
whole attack surface. Anything else (calls, attributes, brackets, quotes,
`**`) is a syntax error, and length and nesting are bounded so a hostile
formula cannot exhaust the stack.

Grammar::

    expr   := term (('+' | '-') term)*
    term   := factor (('*' | '/') factor)*
    factor := NUMBER | ID | '(' expr ')' | '-' factor

`×` is read as `*`, `÷` as `/` and `−` (U+2212) as `-`, so a formula can be
copied from a slide. Ids follow the spec's id rule `[a-z0-9][a-z0-9-]*`, and a
run of id characters is one token, so `a-b` is the id `a-b`, not a
subtraction; when that id is unknown but its parts are known, the error says
to write `a - b` with spaces.

Error positions: every error is a `SpecErrors` at the offending character.
The caller passes `loc`, where the formula's YAML value starts; on a
one-line formula the character's offset is added to `loc.col` (for a quoted
YAML value the parser passes the column after the quote). In a multi-line
value the offset cannot be mapped to a line, so `loc` is kept as is.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from renderer.errors import Loc, SpecErrors

MAX_LENGTH = 500
"""Longest formula accepted; far beyond any real index, small enough to bound recursion."""

MAX_DEPTH = 50
"""Deepest nesting of parentheses and unary minus accepted."""

ALLOWED = "a formula combines node ids with + - * /, parentheses and numbers"

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_OPERATORS = {"+": "+", "-": "-", "−": "-", "*": "*", "×": "*", "/": "/", "÷": "/"}
_Fail = Callable[[int, str], SpecErrors]
_QUOTES = "'\"`‘’“”"  # curly quotes too: formulas get pasted from documents


# --- AST -------------------------------------------------------------------------
# `col` is the 0-based offset of the node's first character in the formula
# text and `end` the offset just past its last (a parenthesised operation
# includes its parentheses), so errors and audit text can quote exactly what
# the author wrote.


@dataclass(frozen=True)
class Num:
    value: float
    col: int
    end: int


@dataclass(frozen=True)
class Ref:
    id: str
    col: int
    end: int


@dataclass(frozen=True)
class Neg:
    operand: Node
    col: int
    end: int


@dataclass(frozen=True)
class BinOp:
    op: str  # "+" | "-" | "*" | "/", normalised from the written sign
    left: Node
    right: Node
    col: int
    end: int
    op_col: int  # the operator's offset, where a division by zero is reported


Node = Num | Ref | Neg | BinOp


@dataclass(frozen=True)
class Formula:
    """A parsed formula: the text as written and its syntax tree."""

    text: str
    root: Node

    def ids(self) -> tuple[str, ...]:
        """The node ids used, each once, in order of first appearance."""
        return tuple(dict.fromkeys(r.id for r in self.refs()))

    def refs(self) -> tuple[Ref, ...]:
        """Every id reference, in text order (with positions, for error messages)."""
        out: list[Ref] = []
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Ref):
                out.append(node)
            elif isinstance(node, Neg):
                stack.append(node.operand)
            elif isinstance(node, BinOp):
                stack.extend((node.right, node.left))
        return tuple(sorted(out, key=lambda r: r.col))

    def source(self, node: Node) -> str:
        """The text a node was parsed from, whitespace collapsed."""
        return " ".join(self.text[node.col : node.end].split())

    def substitute(self, values: Mapping[str, float], digits: int = 1) -> str:
        """The formula with each id replaced by its value, for an auditable `how` line.

        Negative values are parenthesised so `a - b` never reads as `70.0 - -5.0`.
        """
        parts: list[str] = []
        pos = 0
        for ref in self.refs():
            parts.append(self.text[pos : ref.col])
            if ref.id not in values:
                parts.append(ref.id)
            else:
                shown = f"{values[ref.id]:.{digits}f}"
                parts.append(f"({shown})" if values[ref.id] < 0 else shown)
            pos = ref.end
        parts.append(self.text[pos:])
        return " ".join("".join(parts).split())


def error_loc(loc: Loc, text: str, offset: int) -> Loc:
    """The file position of `text[offset]`, best effort (see the module docstring)."""
    if "\n" in text or "\r" in text:
        return loc
    return Loc(loc.file, loc.line, loc.col + offset)


# --- tokenizer -------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "num" | "id" | "op" | "(" | ")" | "end"
    text: str  # as written
    col: int
    value: str = ""  # normalised operator, or the id

    @property
    def end(self) -> int:
        return self.col + len(self.text)

    def describe(self) -> str:
        return "end of formula" if self.kind == "end" else f"'{self.text}'"


def _is_word_char(c: str) -> bool:
    """Characters that extend a word, so `a.b`, `__x__` and `Foo` are reported whole."""
    return c.isalnum() or c in "_.-"


def _tokenize(text: str, loc: Loc) -> list[_Token]:
    def fail(offset: int, message: str) -> SpecErrors:
        return SpecErrors.one(error_loc(loc, text, offset), f"formula: {message}")

    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in _OPERATORS:
            if c in "*×" and i + 1 < n and text[i + 1] in "*×":
                raise fail(i, f"'{text[i : i + 2]}' is not allowed: {ALLOWED}")
            tokens.append(_Token("op", c, i, _OPERATORS[c]))
            i += 1
        elif c in "()":
            tokens.append(_Token(c, c, i))
            i += 1
        elif _is_word_char(c):
            j = i + 1
            while j < n and _is_word_char(text[j]):
                j += 1
            word = text[i:j]
            token = _word_token(word, i, fail)
            # Refuse a call here, before its arguments (quotes, commas) are read, so
            # `open('x')` is reported as the call it is rather than as a stray quote.
            k = j
            while k < n and text[k].isspace():
                k += 1
            if token.kind == "id" and k < n and text[k] == "(":
                raise fail(i, f"'{word}(' is a call; calls are not allowed: {ALLOWED}")
            tokens.append(token)
            i = j
        elif c in _QUOTES:
            raise fail(i, f"quotes are not allowed: {ALLOWED}")
        elif c.isprintable():
            raise fail(i, f"'{c}' is not allowed: {ALLOWED}")
        else:
            raise fail(i, f"character U+{ord(c):04X} is not allowed: {ALLOWED}")
    tokens.append(_Token("end", "", n))
    return tokens


def _word_token(word: str, col: int, fail: _Fail) -> _Token:
    """Classify a run of word characters: a number, an id, or something refused."""
    if _NUMBER.match(word):
        value = float(word)
        if not math.isfinite(value):
            raise fail(col, f"the number '{word[:20]}…' is too large")
        return _Token("num", word, col, word)
    if _ID.match(word):
        return _Token("id", word, col, word)
    if re.match(r"\.[0-9]+\Z", word):
        raise fail(col, f"'{word}' is not a number; write '0{word}'")
    parts = word.split("-")
    if len(parts) > 1 and all(_NUMBER.match(p) or _ID.match(p) for p in parts):
        joined = " - ".join(parts)
        raise fail(col, f"'{word}' is not a number or id; write '{joined}' with spaces to subtract")
    lower = word.lower()
    if lower != word and _ID.match(lower):
        raise fail(col, f"'{word}' is not an id: ids are lower case, like '{lower}'")
    raise fail(col, f"'{word}' is not allowed: {ALLOWED}")


# --- parser ----------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, loc: Loc, tokens: list[_Token]) -> None:
        self.text = text
        self.loc = loc
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.pos]

    def fail(self, offset: int, message: str) -> SpecErrors:
        return SpecErrors.one(error_loc(self.loc, self.text, offset), f"formula: {message}")

    def at(self, tok: _Token) -> str:
        return "at end of formula" if tok.kind == "end" else f"at column {tok.col + 1}"

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.fail(0, f"the formula is empty: {ALLOWED}, e.g. 'a * b / 100'")
        node = self.expr()
        tok = self.tok
        if tok.kind == "end":
            return node
        if tok.kind in ("num", "id", "("):
            raise self.fail(
                tok.col,
                f"expected an operator (+ - * /) before {tok.describe()} {self.at(tok)}",
            )
        raise self.fail(tok.col, f"unexpected {tok.describe()} {self.at(tok)}")

    def expr(self) -> Node:
        node = self.term()
        while self.tok.kind == "op" and self.tok.value in "+-":
            op = self.tok
            self.pos += 1
            right = self.term()
            node = BinOp(op.value, node, right, node.col, right.end, op.col)
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.tok.kind == "op" and self.tok.value in "*/":
            op = self.tok
            self.pos += 1
            right = self.factor()
            node = BinOp(op.value, node, right, node.col, right.end, op.col)
        return node

    def factor(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.pos += 1
            return Num(float(tok.value), tok.col, tok.end)
        if tok.kind == "id":
            self.pos += 1  # an id followed by '(' was refused as a call by the tokenizer
            return Ref(tok.value, tok.col, tok.end)
        if tok.kind == "(" or (tok.kind == "op" and tok.value == "-"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(
                    tok.col,
                    f"nested more than {MAX_DEPTH} levels deep at column {tok.col + 1};"
                    " simplify the formula",
                )
            self.pos += 1
            if tok.kind == "op":
                operand = self.factor()
                self.depth -= 1
                return Neg(operand, tok.col, operand.end)
            inner = self.expr()
            close = self.tok
            if close.kind != ")":
                if close.kind == "end":
                    raise self.fail(
                        close.col, f"missing ')' to close the '(' at column {tok.col + 1}"
                    )
                raise self.fail(
                    close.col,
                    f"expected ')' or an operator {self.at(close)}, found {close.describe()}",
                )
            self.pos += 1
            self.depth -= 1
            return _spanning(inner, tok.col, close.end)
        if tok.kind == "end":
            raise self.fail(tok.col, "expected a number, id or '(' at end of formula")
        raise self.fail(
            tok.col, f"expected a number, id or '(' {self.at(tok)}, found {tok.describe()}"
        )


def _spanning(node: Node, start: int, end: int) -> Node:
    """A parenthesised operation keeps its parentheses in its span, so quoting it reads
    well; an id or number keeps its own span, where its errors and values belong."""
    if isinstance(node, BinOp | Neg):
        return replace(node, col=start, end=end)
    return node


def parse_formula(text: str, loc: Loc) -> Formula:
    """Parse a composite formula; raise `SpecErrors` at the offending character."""
    if len(text) > MAX_LENGTH:
        raise SpecErrors.one(
            loc,
            f"formula: the formula is {len(text)} characters long; the limit is {MAX_LENGTH}",
        )
    tokens = _tokenize(text, loc)
    return Formula(text, _Parser(text, loc, tokens).parse())


# --- evaluation ------------------------------------------------------------------


def evaluate(formula: Formula, values: Mapping[str, float | None], loc: Loc) -> float:
    """The formula's value with ids bound to `values`; raise `SpecErrors` on any problem.

    An id missing from `values` is unknown (with a suggestion); an id mapped to
    None exists but has no score. The result must be finite: an overflow is an
    error rather than an `inf` drawn on a slide.
    """
    text = formula.text

    def fail(offset: int, message: str) -> SpecErrors:
        return SpecErrors.one(error_loc(loc, text, offset), f"formula: {message}")

    for ref in formula.refs():
        if ref.id not in values:
            raise fail(ref.col, f"unknown id '{ref.id}'{_id_hint(ref.id, values)}")
        if values[ref.id] is None:
            raise fail(
                ref.col,
                f"'{ref.id}' has no score (give it a value and benchmark, or a score)",
            )

    def ev(node: Node) -> float:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Ref):
            value = values[node.id]
            assert value is not None  # checked above
            return float(value)
        if isinstance(node, Neg):
            return -ev(node.operand)
        left, right = ev(node.left), ev(node.right)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            raise fail(node.op_col, f"division by zero ('{formula.source(node.right)}' is 0)")
        return left / right

    result = ev(formula.root)
    if not math.isfinite(result):
        raise fail(0, "the result is too large to be a score (a number overflowed)")
    return result


def _id_hint(word: str, values: Mapping[str, object]) -> str:
    """`a-b` unknown but `a` and `b` known: the author meant a subtraction."""
    parts = word.split("-")
    if len(parts) > 1 and all(p and (p in values or _NUMBER.match(p)) for p in parts):
        return f"; write '{' - '.join(parts)}' with spaces to subtract"
    close = difflib.get_close_matches(word, [str(k) for k in values], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
