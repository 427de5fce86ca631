"""A theme's swatch sheet: everything a theme can draw, on one page.

Reviewing a theme from its YAML means imagining colours from hex codes; the
sheet shows them instead: every palette entry with its name and hex, every role
as a sample box in its own style with its measured contrast ratios, the score
ramp from weak to strong, and the emphasis outline. It is an ordinary `Scene`,
so the SVG/PNG/PDF backends, the palette check and the geometry invariants
used for diagrams all apply to it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from renderer.colour import contrast, most_readable
from renderer.layout import Rect
from renderer.scene import Scene, SceneNode, Style, Text
from renderer.text.measure import font_metrics, text_width
from renderer.theme import MATRIX_ROLES, ROLES, Theme, label_style, ratio_text

SWATCH_STRIPE_EMS = 2.0
"""Plain colour above a swatch's name, in ems of the caption size: enough area to
judge the colour itself, not only behind text."""
MIN_SWATCH_COLUMNS = 6
MIN_ROLE_COLUMNS = 4
EDGE_CONTRAST = 1.3
"""Below this contrast with the page a box's edge vanishes (white on white), so
the sheet outlines it; the outline is a palette colour like everything else."""
OUTLINE_CONTRAST = 1.5
"""That outline is the palette's quietest colour with at least this contrast on the
page: visible, without reading as the emphasis outline."""


@dataclass(frozen=True)
class _Line:
    text: str
    size: float
    bold: bool
    colour: str
    kind: str


class _Sheet:
    """Measurement and text placement in the theme's font."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.family = theme.font_family
        self.pad = theme.spacing.padding

    def width(self, line: _Line) -> float:
        return text_width(line.text, line.size, line.bold, self.family)

    def block_width(self, lines: Iterable[_Line]) -> float:
        return max((self.width(ln) for ln in lines), default=0.0)

    def block_height(self, lines: list[_Line]) -> float:
        """From the first line's top (ascent) to the last line's descent."""
        if not lines:
            return 0.0
        first = font_metrics(lines[0].size, lines[0].bold, self.family)
        last = font_metrics(lines[-1].size, lines[-1].bold, self.family)
        pitches = sum(font_metrics(ln.size, ln.bold, self.family).line_height for ln in lines[1:])
        return first.ascent + pitches + last.descent

    def place(
        self, lines: list[_Line], x: float, top: float, right: float | None = None
    ) -> tuple[Text, ...]:
        """Lines from `top` down, left-aligned at `x` (or right-aligned at `right`)."""
        out = []
        y = top
        for i, ln in enumerate(lines):
            m = font_metrics(ln.size, ln.bold, self.family)
            y += m.ascent if i == 0 else m.line_height
            w = self.width(ln)
            left = x if right is None else right - w
            out.append(Text(ln.text, left, y, ln.size, ln.bold, ln.colour, ln.kind, w))
        return tuple(out)


def _flow(
    sizes: list[tuple[float, float]], x0: float, y0: float, width: float, gap: float
) -> tuple[list[Rect], float]:
    """Boxes of the given sizes left to right, wrapping at `width`; rows are as
    tall as their tallest box. Returns the rects and the bottom of the last row."""
    rects: list[Rect] = []
    x, y, row_h = x0, y0, 0.0
    for w, h in sizes:
        if rects and x + w > x0 + width + 1e-6:
            x, y, row_h = x0, y + row_h + gap, 0.0
        rects.append(Rect(x, y, w, h))
        x += w + gap
        row_h = max(row_h, h)
    return rects, y + row_h


def swatch_scene(theme: Theme) -> Scene:
    """The swatch sheet of `theme` as a scene; every colour in it is the theme's."""
    s = _Sheet(theme)
    sizes, sp = theme.sizes, theme.spacing
    palette = dict(theme.palette)
    name_of = {hex_: name for name, hex_ in reversed(palette.items())}
    bg = theme.background
    quiet = theme.text["subtitle"]  # passes 4.5:1 on the page at any size
    cap, pad = sizes["caption"], sp.padding
    gap = max(sp.gap, 2 * theme.emphasis_width)  # outlines straddle the box edge
    margin, section_gap = sp.margin, sp.lane_gap

    def readable(fill: str) -> str:
        return most_readable(fill, palette.values())

    visible = [c for c in palette.values() if contrast(c, bg) >= OUTLINE_CONTRAST]
    outline = min(visible, key=lambda c: contrast(c, bg)) if visible else readable(bg)

    def edge(fill: str | None) -> tuple[str | None, float]:
        """An outline for a box that would not stand out from the page."""
        if fill is not None and contrast(fill, bg) >= EDGE_CONTRAST:
            return None, 0.0
        return outline, 1.0

    def heading(text: str) -> _Line:
        return _Line(text, sizes["subtitle"], True, quiet, "subtitle")

    # --- contents, measured first so the sheet width fits the widest section
    swatch_lines = {
        name: [_Line(name, cap, True, readable(c), "label"),
               _Line(c, cap, False, readable(c), "caption")]
        for name, c in palette.items()
    }  # fmt: skip
    swatch_w = max(s.block_width(ls) for ls in swatch_lines.values()) + 2 * pad
    stripe = SWATCH_STRIPE_EMS * cap
    swatch_h = stripe + max(s.block_height(ls) for ls in swatch_lines.values()) + 2 * pad

    roles = [r for r in (*ROLES, *MATRIX_ROLES) if r in theme.roles]
    sample_lines: dict[str, list[_Line]] = {}
    ratio_lines: dict[str, list[_Line]] = {}
    for r in roles:
        style = theme.roles[r]
        size, bold = label_style(theme, r)
        back = style.fill or bg
        sample_lines[r] = [
            _Line(r, size, bold, style.text, "label"),
            _Line("Caption", cap, False, style.caption, "caption"),
        ]
        ratio_lines[r] = [
            _Line(f"text {ratio_text(contrast(style.text, back))}", cap, False, quiet, "detail"),
            _Line(
                f"caption {ratio_text(contrast(style.caption, back))}", cap, False, quiet, "detail"
            ),
        ]
    sample_w = max(s.block_width(ls) for ls in sample_lines.values()) + 2 * pad
    cell_w = max(sample_w, max(s.block_width(ls) for ls in ratio_lines.values()))
    sample_h = max(s.block_height(ls) for ls in sample_lines.values()) + 2 * pad
    ratio_h = max(s.block_height(ls) for ls in ratio_lines.values())
    cell_h = sample_h + pad / 2 + ratio_h

    ramp_lines = [
        [_Line(str(i), sizes["metric"], True, readable(c), "label"),
         _Line(name_of[c], cap, False, readable(c), "caption")]
        for i, c in enumerate(theme.ramp, 1)
    ]  # fmt: skip
    step_w = max(s.block_width(ls) for ls in ramp_lines) + 2 * pad
    step_h = max(s.block_height(ls) for ls in ramp_lines) + 2 * pad
    ends = [
        _Line("weak", cap, False, quiet, "detail"),
        _Line("strong", cap, False, quiet, "detail"),
    ]
    ends_h = s.block_height(ends[:1])
    strip_w = max(step_w * len(theme.ramp), s.block_width(ends[:1]) + s.block_width(ends[1:]) + gap)

    emph_style = theme.roles["metric"]
    emph_lines = [
        _Line("emphasis", sizes["metric"], False, emph_style.text, "label"),
        _Line(
            f"{name_of[theme.emphasis_stroke]}, {theme.emphasis_width:g} px outline",
            cap,
            False,
            emph_style.caption,
            "caption",
        ),
    ]
    emph_w = s.block_width(emph_lines) + 2 * pad
    emph_h = s.block_height(emph_lines) + 2 * pad

    title = _Line(theme.name, sizes["title"], True, theme.text["title"], "title")
    subtitle = _Line(
        f"{theme.font_family}, {len(palette)} colours, {len(roles)} roles",
        sizes["subtitle"],
        False,
        quiet,
        "subtitle",
    )
    headings = {k: heading(k.capitalize()) for k in ("palette", "roles", "ramp", "emphasis")}
    content_w = max(
        MIN_SWATCH_COLUMNS * swatch_w + (MIN_SWATCH_COLUMNS - 1) * gap,
        MIN_ROLE_COLUMNS * cell_w + (MIN_ROLE_COLUMNS - 1) * gap,
        strip_w,
        emph_w,
        s.block_width([title, subtitle, *headings.values()]),
    )

    # --- placement, top to bottom
    texts: list[Text] = []
    nodes: list[SceneNode] = []
    y = margin
    texts += s.place([title, subtitle], margin, y)
    y += s.block_height([title, subtitle])

    def section(key: str) -> float:
        nonlocal y
        y += section_gap
        texts.extend(s.place([headings[key]], margin, y))
        y += s.block_height([headings[key]]) + gap
        return y

    top = section("palette")
    rects, y = _flow([(swatch_w, swatch_h)] * len(palette), margin, top, content_w, gap)
    for (name, c), rect in zip(palette.items(), rects, strict=True):
        stroke, width = edge(c)
        nodes.append(
            SceneNode(
                f"swatch-{name}", "swatch", 0, rect, Style(c, stroke, width, sp.radius),
                s.place(swatch_lines[name], rect.x + pad, rect.y + stripe + pad), (),
            )
        )  # fmt: skip

    top = section("roles")
    rects, y = _flow([(cell_w, cell_h)] * len(roles), margin, top, content_w, gap)
    for r, rect in zip(roles, rects, strict=True):
        style = theme.roles[r]
        box = Rect(rect.x, rect.y, sample_w, sample_h)
        sample = SceneNode(
            f"role-{r}", r, 1, box,
            Style(style.fill, style.stroke, style.stroke_width if style.stroke else 0.0, sp.radius),
            s.place(sample_lines[r], box.x + pad, box.y + pad), (),
        )  # fmt: skip
        ratios = s.place(ratio_lines[r], rect.x, box.bottom + pad / 2)
        nodes.append(
            SceneNode(f"role-{r}-cell", "swatch", 0, rect, Style(None, None, 0.0, 0.0), ratios,
                      (sample,))
        )  # fmt: skip

    top = section("ramp")
    strip = Rect(margin, top, strip_w, step_h + pad / 2 + ends_h)
    step_w = strip_w / len(theme.ramp)
    steps = []
    for i, (c, lines) in enumerate(zip(theme.ramp, ramp_lines, strict=True), 1):
        rect = Rect(margin + (i - 1) * step_w, top, step_w, step_h)
        stroke, width = edge(c)
        steps.append(
            SceneNode(f"ramp-{i}", "ramp", 1, rect, Style(c, stroke, width, 0.0),
                      s.place(lines, rect.x + pad, rect.y + pad), ())
        )  # fmt: skip
    end_y = top + step_h + pad / 2
    nodes.append(
        SceneNode(
            "ramp", "swatch", 0, strip, Style(None, None, 0.0, 0.0),
            s.place(ends[:1], strip.x, end_y) + s.place(ends[1:], 0, end_y, right=strip.right),
            tuple(steps),
        )
    )  # fmt: skip
    y = strip.bottom

    top = section("emphasis")
    rect = Rect(margin, top, emph_w, emph_h)
    nodes.append(
        SceneNode(
            "emphasis", "metric", 1, rect,
            Style(emph_style.fill, theme.emphasis_stroke, theme.emphasis_width, sp.radius),
            s.place(emph_lines, rect.x + pad, rect.y + pad), (),
        )
    )  # fmt: skip
    y = rect.bottom + margin

    desc = (
        f"Swatch sheet of theme {theme.name}. Palette: "
        + ", ".join(f"{n} {c}" for n, c in palette.items())
        + ". Roles: "
        + ", ".join(roles)
        + ". Ramp, weak to strong: "
        + ", ".join(name_of[c] for c in theme.ramp)
        + f". Emphasis: {name_of[theme.emphasis_stroke]} outline."
    )
    return Scene(
        width=content_w + 2 * margin,
        height=y,
        title=f"{theme.name} theme",
        desc=desc,
        font_family=theme.font_family,
        background=bg,
        texts=tuple(texts),
        nodes=tuple(nodes),
        shapes=(),
    )


def swatch_svg(theme: Theme) -> bytes:
    """The swatch sheet as SVG, checked to use only the theme's palette."""
    from renderer.backends.svg import render_svg
    from renderer.render import check_palette

    scene = swatch_scene(theme)
    svg = render_svg(scene)
    check_palette(scene, svg, theme)
    return svg
