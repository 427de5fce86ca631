"""Widths and metrics in px, checked against the font tables directly."""

from __future__ import annotations

import time

import pytest
from fontTools.ttLib import TTFont

from renderer.text.fonts import font_family
from renderer.text.measure import LINE_HEIGHT, font_metrics, text_width, width_of


def advance_sum(text: str, bold: bool) -> int:
    face = font_family().face(bold)
    font = TTFont(face.path)
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return sum(hmtx[cmap.get(ord(ch), ".notdef")][0] for ch in text)


@pytest.mark.parametrize("bold", [False, True])
def test_width_is_the_sum_of_advances(bold: bool) -> None:
    text = "First Contact Resolution (FCR) 87.5 %"
    expected = advance_sum(text, bold) * 20 / 2048
    assert text_width(text, 20, bold) == pytest.approx(expected, abs=1e-9)
    assert width_of(20, bold)(text) == pytest.approx(expected, abs=1e-9)


def test_width_basics() -> None:
    assert text_width("", 20) == 0.0
    assert text_width("ab", 20) == pytest.approx(text_width("a", 20) + text_width("b", 20))
    assert text_width("Score", 40) == pytest.approx(2 * text_width("Score", 20))
    assert text_width("Resolution", 20, bold=True) > text_width("Resolution", 20)
    # No kerning: "AV" is as wide as its parts, as cairosvg draws it.
    assert text_width("AV", 20) == pytest.approx(text_width("A", 20) + text_width("V", 20))


def test_unknown_characters_measure_as_notdef() -> None:
    face = font_family().regular
    assert text_width("\U000f0000", 2048) == face.notdef_advance


def test_known_value() -> None:
    # Inter 4.1 Regular, opsz 14: guards against a silent font change.
    assert text_width("First Contact Resolution", 20) == pytest.approx(225.634765625)


def test_metrics() -> None:
    m = font_metrics(20)
    assert m.size == 20
    assert m.ascent == pytest.approx(1984 / 2048 * 20)
    assert m.descent == pytest.approx(494 / 2048 * 20)
    assert m.line_height == LINE_HEIGHT * 20 == 25
    assert m.line_height >= m.ascent + m.descent
    assert 0 < m.x_height < m.cap_height < m.ascent
    assert font_metrics(20, bold=True).ascent == m.ascent


def test_fast() -> None:
    text = "Average handle time per agent"
    text_width(text, 18)
    n = 20_000
    start = time.perf_counter()
    for _ in range(n):
        text_width(text, 18)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 20e-6, f"{per_call * 1e6:.1f} µs per call"
