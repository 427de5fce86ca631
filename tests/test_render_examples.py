"""Every spec in specs/ renders with all layout guarantees intact."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from renderer.render import Rendered, render_spec, resolve_theme
from renderer.spec.parse import load_spec

from conftest import SPECS
from invariants import (
    children_inside_parents,
    outside_canvas,
    overlaps,
    svg_colours,
    text_outside_boxes,
    unequal_font_sizes,
    unequal_tier_widths,
)

IDS = [p.stem for p in SPECS]


@cache
def rendered(path: Path) -> Rendered:
    spec = load_spec(path)
    return render_spec(spec, resolve_theme(spec))


def test_there_are_specs() -> None:
    assert len(SPECS) >= 3


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_no_overlapping_boxes(path: Path) -> None:
    assert overlaps(rendered(path).scene) == []


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_children_inside_parents(path: Path) -> None:
    assert children_inside_parents(rendered(path).scene) == []


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_text_inside_its_box(path: Path) -> None:
    assert text_outside_boxes(rendered(path).scene) == []


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_inside_canvas(path: Path) -> None:
    assert outside_canvas(rendered(path).scene) == []


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_equal_widths_per_tier(path: Path) -> None:
    assert unequal_tier_widths(rendered(path).scene) == []


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_equal_font_sizes_per_tier_and_role(path: Path) -> None:
    assert unequal_font_sizes(rendered(path).scene) == []


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_palette_only(path: Path) -> None:
    r = rendered(path)
    assert svg_colours(r.svg) <= set(r.theme.palette.values())
    assert r.scene.colours() <= set(r.theme.palette.values())


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_every_label_is_drawn(path: Path) -> None:
    r = rendered(path)
    drawn = " ".join(t.text for t in r.scene.all_texts())
    spec = r.spec
    for lane in spec.lanes:
        stack = [lane]
        while stack:
            n = stack.pop()
            stack.extend(n.items)
            for text in (n.label, n.caption, n.metric, n.question, *n.details):
                for word in (text or "").split():
                    assert word in drawn, f"{word!r} of {text!r} not drawn"
