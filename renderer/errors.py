"""Errors a user can act on.

Every problem with user input (a spec, a theme, a command-line value) is a
`SpecError` carrying file, line and column, so the CLI can print one line per
problem and never a traceback. Stages collect several errors and raise them
together as `SpecErrors`, so an author fixes a file in one pass.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_ESCAPED = frozenset(("Cc", "Cs", "Zl", "Zp"))  # controls, surrogates, line breaks
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(text: str) -> str:
    """`text` safe to print as one line of a terminal or log.

    Messages quote user text (keys, labels, file names). Control characters,
    line and paragraph separators and bidi overrides in it are written as
    escapes, so a hostile spec can neither break the one-line format nor send
    escape sequences to the terminal.
    """
    if text.isprintable():
        return text
    return "".join(
        repr(c)[1:-1] if c in _BIDI or unicodedata.category(c) in _ESCAPED else c for c in text
    )


@dataclass(frozen=True, order=True)
class Loc:
    """A 1-based position in a source file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class SpecError:
    """One problem with user input, at a place in a file."""

    loc: Loc
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.loc}: {self.message}")


class SpecErrors(Exception):
    """One or more `SpecError`s, sorted by position."""

    def __init__(self, errors: list[SpecError] | tuple[SpecError, ...]) -> None:
        self.errors: tuple[SpecError, ...] = tuple(sorted(errors, key=lambda e: e.loc))
        super().__init__("\n".join(str(e) for e in self.errors))

    @classmethod
    def one(cls, loc: Loc, message: str) -> SpecErrors:
        return cls([SpecError(loc, message)])
