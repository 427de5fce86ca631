"""The swatch sheet: every theme colour shown, named, readable and tidy."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from renderer.backends.svg import render_svg
from renderer.colour import contrast
from renderer.render import check_palette
from renderer.scene import Scene, SceneNode
from renderer.swatch import swatch_scene, swatch_svg
from renderer.theme import MATRIX_ROLES, ROLES, Theme, load_theme, ratio_text

from conftest import ROOT
from invariants import children_inside_parents, outside_canvas, overlaps, text_outside_boxes

THEMES = sorted((ROOT / "themes").glob("*.yaml"))


def nodes(scene: Scene) -> dict[str, SceneNode]:
    return {n.id: n for n in scene.walk()}


@pytest.fixture(params=[p.stem for p in THEMES])
def theme(request: pytest.FixtureRequest) -> Theme:
    return load_theme(request.param)


def test_geometry_invariants(theme: Theme) -> None:
    scene = swatch_scene(theme)
    assert overlaps(scene) == []
    assert text_outside_boxes(scene) == []
    assert outside_canvas(scene) == []
    assert children_inside_parents(scene) == []
    ids = Counter(n.id for n in scene.walk())
    assert [i for i, k in ids.items() if k > 1] == []


def test_palette_only_and_every_entry_named(theme: Theme) -> None:
    scene = swatch_scene(theme)
    svg = render_svg(scene)
    check_palette(scene, svg, theme)
    assert svg == swatch_svg(theme)
    assert scene.colours() <= theme.colours
    texts = {t.text for t in scene.all_texts()}
    assert set(theme.palette) <= texts
    assert set(theme.palette.values()) <= texts
    by_id = nodes(scene)
    for name, colour in theme.palette.items():
        swatch = by_id[f"swatch-{name}"]
        assert swatch.style.fill == colour
        assert [t.text for t in swatch.texts] == [name, colour]
        for t in swatch.texts:  # the palette's most readable colour on it
            assert contrast(t.colour, colour) == max(
                contrast(c, colour) for c in theme.palette.values()
            )
            assert contrast(t.colour, colour) >= 4.5
    assert scene.texts[0].text == theme.name and scene.texts[0].kind == "title"
    assert scene.background == theme.background
    assert scene.font_family == theme.font_family


def test_roles_drawn_in_their_style_with_their_ratios(theme: Theme) -> None:
    by_id = nodes(swatch_scene(theme))
    for r in (*ROLES, *(m for m in MATRIX_ROLES if m in theme.roles)):
        style = theme.roles[r]
        sample = by_id[f"role-{r}"]
        assert (sample.role, sample.style.fill, sample.style.stroke) == (
            r,
            style.fill,
            style.stroke,
        )
        label, caption = sample.texts
        assert (label.text, label.colour) == (r, style.text)
        assert (caption.text, caption.colour) == ("Caption", style.caption)
        back = style.fill or theme.background
        ratios = [t.text for t in by_id[f"role-{r}-cell"].texts]
        assert ratios == [
            f"text {ratio_text(contrast(style.text, back))}",
            f"caption {ratio_text(contrast(style.caption, back))}",
        ]
        cell = by_id[f"role-{r}-cell"]
        assert all(t.y > sample.rect.bottom for t in cell.texts)  # written under the box


def test_ramp_runs_weak_to_strong_and_emphasis_is_outlined(theme: Theme) -> None:
    by_id = nodes(swatch_scene(theme))
    steps = [by_id[f"ramp-{i}"] for i in range(1, len(theme.ramp) + 1)]
    assert [s.style.fill for s in steps] == list(theme.ramp)
    assert [s.texts[0].text for s in steps] == [str(i) for i in range(1, len(steps) + 1)]
    assert all(a.rect.right <= b.rect.x + 0.01 for a, b in pairwise(steps))
    ends = [t.text for t in by_id["ramp"].texts]
    assert ends == ["weak", "strong"]
    emphasis = by_id["emphasis"]
    assert emphasis.style.stroke == theme.emphasis_stroke
    assert emphasis.style.stroke_width == theme.emphasis_width


def test_matrix_roles_and_a_sparse_palette(tmp_path: Path) -> None:
    """Optional roles get their samples; a white-on-white swatch gets an outline
    from the palette, and nothing runs into anything with long names."""
    child = tmp_path / "wide.yaml"
    child.write_text(
        f"name: wide\nextends: {ROOT / 'themes' / 'blue-grey.yaml'}\n"
        'palette:\n  an-extraordinarily-long-palette-name: "#fefefe"\n'
        "roles:\n  cell: {fill: white, stroke: grey-300, text: navy}\n"
        "  header: {fill: navy, text: white}\n"
    )
    theme = load_theme(str(child))
    scene = swatch_scene(theme)
    by_id = nodes(scene)
    assert by_id["role-cell"].texts[0].size == theme.sizes["metric"] * 1.4
    assert "role-header" in by_id and "role-total" not in by_id
    pale = by_id["swatch-an-extraordinarily-long-palette-name"]
    assert pale.style.stroke in theme.colours and contrast(pale.style.stroke, "#ffffff") >= 1.5
    white = by_id["swatch-white"]
    assert white.style.stroke is not None
    assert overlaps(scene) == text_outside_boxes(scene) == outside_canvas(scene) == []
    check_palette(scene, render_svg(scene), theme)
