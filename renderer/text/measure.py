"""Text widths and vertical metrics in px, as cairo will draw them.

cairosvg places glyph after glyph by advance width (no kerning, no
ligatures), so the drawn width of a string is exactly the sum of its advances
in the static font that cairo uses. Layout calls this thousands of times, so
the per-(family, weight) advance table is fetched once and the hot path is a
dict lookup per character.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat

from renderer.text.fonts import DEFAULT_FAMILY, font_family

# Line pitch as a multiple of the font size. Inter's own ascent + descent is
# 1.21 em, which sets multi-line labels too tight for slides read from a
# distance; 1.25 is a touch more open and gives round numbers at common sizes
# (16 px -> 20 px, 20 px -> 25 px).
LINE_HEIGHT = 1.25


@dataclass(frozen=True)
class Metrics:
    """Vertical metrics of a font at one size, in px, all positive."""

    size: float
    ascent: float
    descent: float
    line_height: float
    cap_height: float
    x_height: float


@functools.cache
def _table(family: str, bold: bool) -> tuple[dict[str, int], int, int]:
    face = font_family(family).face(bold)
    return dict(face.advances), face.notdef_advance, face.units_per_em


def text_width(text: str, size: float, bold: bool = False, family: str = DEFAULT_FAMILY) -> float:
    """Advance width of `text` at font size `size` px, in px.

    Characters the font lacks count as .notdef, which is what cairo draws;
    check `Face.missing` first to report them instead.
    """
    advances, notdef, upm = _table(family, bold)
    return sum(map(advances.get, text, repeat(notdef))) * size / upm


def width_of(
    size: float, bold: bool = False, family: str = DEFAULT_FAMILY
) -> Callable[[str], float]:
    """A one-argument width function for `wrap`, bound to one font and size."""
    advances, notdef, upm = _table(family, bold)
    get = advances.get
    scale = size / upm

    def width(text: str) -> float:
        return sum(map(get, text, repeat(notdef))) * scale

    return width


@functools.cache
def font_metrics(size: float, bold: bool = False, family: str = DEFAULT_FAMILY) -> Metrics:
    """Vertical metrics at `size` px, from the hhea/OS2 tables of the face.

    Baselines are computed from these rather than left to SVG
    `dominant-baseline`, which cairosvg only approximates.
    """
    face = font_family(family).face(bold)
    scale = size / face.units_per_em
    return Metrics(
        size=size,
        ascent=face.ascent * scale,
        descent=face.descent * scale,
        line_height=LINE_HEIGHT * size,
        cap_height=face.cap_height * scale,
        x_height=face.x_height * scale,
    )
