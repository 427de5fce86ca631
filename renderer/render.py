"""The pipeline end to end, and the only place that writes files.

spec → tree → layout → scene → SVG → PNG/PDF. Every output of a spec is made
in memory first and written only when all of them succeeded, each through a
temporary file renamed into place, so a failure never leaves a partial file
and never replaces a good one with a broken one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from renderer.backends.svg import render_svg
from renderer.canvas import layout
from renderer.errors import Loc, SpecErrors
from renderer.files import write_atomic
from renderer.project import (
    FORMATS,
    output_name,
    resolve_theme,
    theme_dirs,
    variant_themes,
)
from renderer.scene import Scene, build_scene
from renderer.scorecard import annotate
from renderer.scores import score_diagram
from renderer.spec.model import Spec
from renderer.spec.parse import load_spec
from renderer.theme import Theme
from renderer.tree import build_tree

_HEX = re.compile(rb"#[0-9a-fA-F]{6}\b")


class PaletteViolation(AssertionError):
    """The renderer drew a colour outside the theme: a bug, never a user error."""


@dataclass(frozen=True)
class Rendered:
    spec: Spec
    theme: Theme
    scene: Scene
    svg: bytes


def render_spec(spec: Spec, theme: Theme) -> Rendered:
    diagram = build_tree(spec)
    diagram = annotate(diagram, score_diagram(diagram))
    scene = build_scene(diagram, layout(diagram, theme), theme)
    svg = render_svg(scene)
    check_palette(scene, svg, theme)
    return Rendered(spec, theme, scene, svg)


def check_palette(scene: Scene, svg: bytes, theme: Theme) -> None:
    allowed = theme.colours
    used = scene.colours() | {m.decode().lower() for m in _HEX.findall(svg)}
    stray = sorted(used - allowed)
    if stray:
        raise PaletteViolation(f"colours outside theme '{theme.name}': {', '.join(stray)}")


def encode(rendered: Rendered, fmt: str, scale: float = 2.0) -> bytes:
    if fmt == "svg":
        return rendered.svg
    from renderer.backends import raster  # cairosvg is slow to import: only when needed

    families = (rendered.theme.font_family,)
    try:
        if fmt == "png":
            return raster.svg_to_png(rendered.svg, scale=scale, families=families)
        if fmt == "pdf":
            return raster.svg_to_pdf(rendered.svg, families=families)
    except raster.OutputTooLarge as e:
        spec = rendered.spec
        raise SpecErrors.one(spec.canvas_loc or Loc(spec.path, 1, 1), str(e)) from None
    raise ValueError(f"unknown format {fmt!r}")


def render_file(
    spec_path: Path,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    theme: str | None = None,
    scale: float = 2.0,
    all_variants: bool = False,
) -> list[Path]:
    """Render one spec into `out_dir` in one theme (or all its `variants`).

    Returns the files written. Every theme and format is rendered before the
    first file is written, so a failure in any of them writes nothing.
    """
    spec = load_spec(spec_path)
    themes = variant_themes(spec) if all_variants else [resolve_theme(spec, theme)]
    blobs: dict[Path, bytes] = {}
    for th in themes:
        rendered = render_spec(spec, th)
        for fmt in formats:
            blobs[out_dir / output_name(spec_path, th, spec.theme, fmt)] = encode(
                rendered, fmt, scale
            )
    for path, data in blobs.items():
        write_atomic(path, data)
    return list(blobs)


__all__ = [
    "FORMATS",
    "Rendered",
    "SpecErrors",
    "output_name",
    "render_file",
    "render_spec",
    "resolve_theme",
    "theme_dirs",
    "variant_themes",
    "write_atomic",
]
