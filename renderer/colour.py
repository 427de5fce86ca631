"""Colour arithmetic on `#rrggbb` strings: WCAG luminance and contrast.

Used to pick readable text on score-stepped fills and (in themes) to check
that every role's text meets WCAG AA against its fill.
"""

from __future__ import annotations

from collections.abc import Iterable


def _channel(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    """Relative luminance per WCAG 2.x, 0 (black) to 1 (white)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def most_readable(background: str, candidates: Iterable[str]) -> str:
    """The candidate with the highest contrast on `background` (first wins ties)."""
    best, best_ratio = "", -1.0
    for c in candidates:
        r = contrast(background, c)
        if r > best_ratio + 1e-9:
            best, best_ratio = c, r
    return best
