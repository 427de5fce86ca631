"""What a spec says, after validation: plain immutable data.

These classes mirror the spec language (`docs/spec-language.md`) one to one;
nothing here is derived (ids are not slugified yet, roles are not defaulted):
that is the box tree's job. Every object keeps the `Loc` it came from so later
stages (scores, formulas, layout limits) can still point at the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from renderer.errors import Loc

OPERATORS = ("×", "+", "−", "÷", "=", "→")
"""Operator signs as drawn. ASCII spellings are normalised by the parser."""


@dataclass(frozen=True)
class Canvas:
    """The drawing surface: `auto` (tight fit) or a fixed size in px."""

    name: str  # "auto", a preset name, or "custom"
    width: float | None = None
    height: float | None = None

    @property
    def fixed(self) -> bool:
        return self.width is not None and self.height is not None


CANVAS_PRESETS: dict[str, tuple[float, float]] = {
    "slide-16x9": (1920, 1080),
    "slide-4x3": (1600, 1200),
    "a4-landscape": (1123, 794),
    "letter-landscape": (1056, 816),
}


@dataclass(frozen=True)
class NodeSpec:
    """One box as written in the spec (a plain string is `NodeSpec(label=...)`)."""

    loc: Loc
    label: str | None = None
    id: str | None = None
    caption: str | None = None
    question: str | None = None
    metric: str | None = None
    details: tuple[str, ...] = ()
    items: tuple[NodeSpec, ...] = ()
    layout: str | None = None  # "stack" | "row" | "grid"; None = default by context
    grid_columns: int | None = None
    role: str | None = None
    operator: str | None = None  # normalised to one of OPERATORS
    emphasis: bool = False
    value: float | None = None
    unit: str | None = None
    benchmark: float | None = None
    target: float | None = None
    better: str = "higher"  # "higher" | "lower"
    weight: float = 1.0
    score: float | None = None
    formula: str | None = None  # only on `composite`
    formula_loc: Loc | None = None
    # Positions of individual keys' values, for later stages' error messages.
    key_locs: tuple[tuple[str, Loc], ...] = field(default=(), compare=False)

    def loc_of(self, key: str) -> Loc:
        """Where `key`'s value was written, or the node itself."""
        for k, loc in self.key_locs:
            if k == key:
                return loc
        return self.loc


@dataclass(frozen=True)
class ScoreSettings:
    range: tuple[float, float] = (0.0, 100.0)
    show: tuple[str, ...] | None = None  # None = whatever data a box has
    rollup: str = "weighted-mean"  # "weighted-mean" | "min" | "none"
    highlight: str = "weakest"  # "weakest" | "none"


@dataclass(frozen=True)
class MatrixRow:
    loc: Loc
    label: str
    scores: tuple[float, ...]
    id: str | None = None


@dataclass(frozen=True)
class MatrixSpec:
    loc: Loc
    criteria: tuple[str, ...]
    rows: tuple[MatrixRow, ...]
    weights: tuple[float, ...] | None = None
    range: tuple[float, float] = (1.0, 5.0)
    total: str = "weighted-mean"  # "weighted-mean" | "sum" | "none"


@dataclass(frozen=True)
class Spec:
    """A whole validated spec file."""

    path: str
    title: str
    subtitle: str | None = None
    footnote: str | None = None
    version: int = 1
    theme: str = "blue-grey"
    theme_loc: Loc | None = None
    variants: tuple[str, ...] = ()  # empty = (theme,)
    variant_locs: tuple[Loc, ...] = ()  # where each of `variants` was written
    canvas: Canvas = Canvas("auto")
    canvas_loc: Loc | None = None
    direction: str = "right"  # "right" | "down"
    flow: str = "none"  # "none" | "line" | "chevron"
    lanes: tuple[NodeSpec, ...] = ()  # from `columns` or `tiers`
    matrix: MatrixSpec | None = None
    scores: ScoreSettings | None = None
    composite: NodeSpec | None = None

    @property
    def theme_variants(self) -> tuple[str, ...]:
        return self.variants or (self.theme,)
