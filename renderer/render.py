"""The pipeline end to end, and the only place that writes files.

spec → tree → layout → scene → SVG → PNG/PDF. Every output of a spec is made
in memory first and written only when all of them succeeded, each through a
temporary file renamed into place, so a failure never leaves a partial file
and never replaces a good one with a broken one.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from renderer.backends.svg import render_svg
from renderer.canvas import layout
from renderer.errors import Loc, SpecErrors
from renderer.scene import Scene, build_scene
from renderer.scorecard import annotate
from renderer.scores import score_diagram
from renderer.spec.model import Spec
from renderer.spec.parse import load_spec
from renderer.text.fonts import FontNotFound, font_family
from renderer.theme import Theme, load_theme
from renderer.tree import build_tree

FORMATS = ("svg", "png", "pdf")
_HEX = re.compile(rb"#[0-9a-fA-F]{6}\b")


class PaletteViolation(AssertionError):
    """The renderer drew a colour outside the theme: a bug, never a user error."""


@dataclass(frozen=True)
class Rendered:
    spec: Spec
    theme: Theme
    scene: Scene
    svg: bytes


def theme_dirs(spec_path: Path) -> tuple[Path, ...]:
    """Where a spec's theme names are looked up before the built-ins."""
    here = spec_path.resolve().parent
    dirs = [here / "themes", here.parent / "themes", Path.cwd() / "themes"]
    out: list[Path] = []
    for d in dirs:
        if d not in out:
            out.append(d)
    return tuple(out)


def resolve_theme(spec: Spec, override: str | None = None, at: Loc | None = None) -> Theme:
    """The spec's theme (or `override`, named at `at`), with its font checked."""
    spec_path = Path(spec.path)
    if override is not None:
        theme = load_theme(override, theme_dirs(spec_path), at or Loc("--theme", 1, 1))
    else:
        theme = load_theme(spec.theme, theme_dirs(spec_path), spec.theme_loc)
    try:
        font_family(theme.font_family)
    except FontNotFound as e:
        raise SpecErrors.one(theme.font_loc or Loc(theme.source, 1, 1), str(e)) from None
    return theme


def variant_themes(spec: Spec) -> list[Theme]:
    """The themes of the spec's `variants` (its own theme when it has none)."""
    locs = spec.variant_locs or (spec.theme_loc or Loc(spec.path, 1, 1),)
    return [
        resolve_theme(spec, name, loc) for name, loc in zip(spec.theme_variants, locs, strict=True)
    ]


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


def output_name(spec_path: Path, theme: Theme, spec_theme: str, fmt: str) -> str:
    """`<spec>.<ext>` in the spec's own theme, `<spec>.<theme>.<ext>` in any other."""
    if theme.name == Path(spec_theme).stem:
        return f"{spec_path.stem}.{fmt}"
    return f"{spec_path.stem}.{theme.name}.{fmt}"


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


__all__ = ["FORMATS", "Rendered", "SpecErrors", "render_file", "render_spec", "resolve_theme"]
