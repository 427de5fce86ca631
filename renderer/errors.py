"""Errors a user can act on.

Every problem with user input (a spec, a theme, a command-line value) is a
`SpecError` carrying file, line and column, so the CLI can print one line per
problem and never a traceback. Stages collect several errors and raise them
together as `SpecErrors`, so an author fixes a file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        return f"{self.loc}: {self.message}"


class SpecErrors(Exception):
    """One or more `SpecError`s, sorted by position."""

    def __init__(self, errors: list[SpecError] | tuple[SpecError, ...]) -> None:
        self.errors: tuple[SpecError, ...] = tuple(sorted(errors, key=lambda e: e.loc))
        super().__init__("\n".join(str(e) for e in self.errors))

    @classmethod
    def one(cls, loc: Loc, message: str) -> SpecErrors:
        return cls([SpecError(loc, message)])
