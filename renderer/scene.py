"""The scene: positioned, styled primitives, all a backend needs and no more.

Colours are resolved here from the theme, so a backend cannot draw a colour
the theme does not have; `Scene.colours()` lists every colour used so the
renderer can assert palette membership for each output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from renderer.colour import contrast, luminance, most_readable
from renderer.layout import Bar, Connector, Layout, Line, Placed, Rect
from renderer.scores import ramp_step
from renderer.theme import RoleStyle, Theme
from renderer.tree import Box, Diagram


@dataclass(frozen=True)
class Style:
    fill: str | None
    stroke: str | None
    stroke_width: float
    radius: float


@dataclass(frozen=True)
class Text:
    text: str
    x: float  # left end of the advance
    y: float  # baseline
    size: float
    bold: bool
    colour: str
    kind: str
    width: float  # measured advance width


@dataclass(frozen=True)
class Shape:
    """A decoration that is not a node (flow connectors)."""

    id: str
    kind: str  # polygon | polyline
    points: tuple[tuple[float, float], ...]
    fill: str | None
    stroke: str | None
    stroke_width: float


@dataclass(frozen=True)
class SceneNode:
    id: str
    role: str
    tier: int
    rect: Rect
    style: Style
    texts: tuple[Text, ...]
    children: tuple[SceneNode, ...]
    shapes: tuple[Shape, ...] = ()  # drawn over the box, after its texts (bullet bars)

    def walk(self) -> Iterator[SceneNode]:
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True)
class Scene:
    width: float
    height: float
    title: str
    desc: str
    font_family: str
    background: str
    texts: tuple[Text, ...]  # title, subtitle, footnote
    nodes: tuple[SceneNode, ...]
    shapes: tuple[Shape, ...]

    def walk(self) -> Iterator[SceneNode]:
        for n in self.nodes:
            yield from n.walk()

    def all_texts(self) -> Iterator[Text]:
        yield from self.texts
        for n in self.walk():
            yield from n.texts

    def colours(self) -> set[str]:
        used = {self.background}
        used.update(t.colour for t in self.all_texts())
        for n in self.walk():
            used.update(c for c in (n.style.fill, n.style.stroke) if c)
            used.update(c for s in n.shapes for c in (s.fill, s.stroke) if c)
        for s in self.shapes:
            used.update(c for c in (s.fill, s.stroke) if c)
        return used


def build_scene(diagram: Diagram, lay: Layout, theme: Theme) -> Scene:
    k = lay.scale
    radius = theme.spacing.radius * k

    def text(line: Line, colour: str) -> Text:
        return Text(line.text, line.x, line.baseline, line.size, line.bold, colour, line.kind,
                    line.width)  # fmt: skip

    def node(p: Placed, behind: str) -> SceneNode:
        """`behind` is the colour around the box: its parent's fill, or the canvas."""
        box = p.box
        role = theme.role(box.role)
        fill, ink, quiet = role.fill, role.text, role.caption
        if box.data is not None and box.data.score is not None and box.role not in UNRAMPED:
            fill = theme.ramp[ramp_step(box.data.score, box.data.range, len(theme.ramp))]
            ink, quiet = readable_on(fill, role, theme)
        stroke, width = role.stroke, role.stroke_width * k
        if fill == behind and stroke is None and box.data is not None:
            stroke = ink  # a scored box as strong as its parent would vanish into it
        if box.emphasis:
            stroke, width = emphasis_on(behind, theme), theme.emphasis_width * k
        r = p.rect.w / 2 if box.is_operator else radius
        style = Style(fill, stroke, width, r)
        texts = tuple(text(ln, quiet if ln.kind in QUIET_KINDS else ink) for ln in p.lines)
        shapes = tuple(
            s for i, b in enumerate(p.bars) for s in _bar(f"{box.id}-bar-{i + 1}", b, ink, k)
        )
        return SceneNode(box.id, box.role, box.tier, p.rect, style, texts,
                         tuple(node(c, fill or behind) for c in p.children), shapes)  # fmt: skip

    top_texts = tuple(text(ln, theme.text[ln.kind]) for ln in lay.header + lay.footer)
    shapes = tuple(
        _connector(f"flow-{i + 1}", c, theme.text["flow"], k) for i, c in enumerate(lay.connectors)
    )
    return Scene(
        width=lay.width,
        height=lay.height,
        title=diagram.title,
        desc=describe(diagram),
        font_family=theme.font_family,
        background=theme.background,
        texts=top_texts,
        nodes=tuple(node(p, theme.background) for p in lay.nodes),
        shapes=shapes,
    )


UNRAMPED = frozenset({"lane", "header", "label", "matrix", "operator", "question"})
"""Roles that keep their theme fill whatever their score: frames and labels."""
QUIET_KINDS = frozenset({"caption", "detail", "benchmark"})
"""Text kinds drawn in the role's quieter caption colour."""
MIN_CONTRAST = 4.5  # WCAG AA for normal text


def prefer(colour: str, on: str, minimum: float, theme: Theme) -> str:
    """`colour` where it reaches `minimum` contrast on `on`; else whichever of it and
    the palette's darkest and lightest colours stands out best."""
    if contrast(on, colour) >= minimum:
        return colour
    extremes = sorted(theme.palette.values(), key=luminance)
    return most_readable(on, (colour, extremes[0], extremes[-1]))


def readable_on(fill: str, role: RoleStyle, theme: Theme) -> tuple[str, str]:
    """Text and caption colours for a score-stepped fill: the role's own where they
    stay readable, else the palette colour that reads best."""
    ink = prefer(role.text, fill, MIN_CONTRAST, theme)
    quiet = role.caption if contrast(fill, role.caption) >= MIN_CONTRAST else ink
    return ink, quiet


MIN_OUTLINE_CONTRAST = 3.0  # WCAG for graphical objects


def emphasis_on(behind: str, theme: Theme) -> str:
    """The emphasis outline, or the palette colour that stands out where it would vanish
    (a navy outline inside a navy lane)."""
    return prefer(theme.emphasis_stroke, behind, MIN_OUTLINE_CONTRAST, theme)


def _bar(shape_id: str, b: Bar, colour: str, k: float) -> tuple[Shape, ...]:
    """A bullet bar: a hairline axis, a bar to the value, a tick at the reference."""
    a = b.area
    mid = a.y + a.h / 2
    bar_h = a.h * 0.5
    tick_w = 2.0 * k
    value_x = a.x + a.w * min(b.value, 1.0)
    tick_x = a.x + (a.w - tick_w) * min(b.reference, 1.0)
    return (
        Shape(f"{shape_id}-axis", "polyline", ((a.x, mid), (a.right, mid)), None, colour, k),
        Shape(f"{shape_id}-value", "polygon", _box(a.x, mid - bar_h / 2, value_x - a.x, bar_h),
              colour, None, 0.0),
        Shape(f"{shape_id}-reference", "polygon", _box(tick_x, a.y, tick_w, a.h), colour, None,
              0.0),
    )  # fmt: skip


def _box(x: float, y: float, w: float, h: float) -> tuple[tuple[float, float], ...]:
    return ((x, y), (x + w, y), (x + w, y + h), (x, y + h))


def _connector(shape_id: str, c: Connector, colour: str, k: float) -> Shape:
    r = c.rect
    if c.kind == "chevron":
        if c.direction == "right":
            t = r.w * 0.45  # arm thickness
            pts = ((r.x, r.y), (r.x + t, r.y), (r.right, r.y + r.h / 2), (r.x + t, r.bottom),
                   (r.x, r.bottom), (r.right - t, r.y + r.h / 2))  # fmt: skip
        else:
            t = r.h * 0.45
            pts = ((r.x, r.y), (r.x + r.w / 2, r.bottom - t), (r.right, r.y), (r.right, r.y + t),
                   (r.x + r.w / 2, r.bottom), (r.x, r.y + t))  # fmt: skip
        return Shape(shape_id, "polygon", pts, colour, None, 0.0)
    if c.direction == "right":
        pts = ((r.x, r.y + r.h / 2), (r.right, r.y + r.h / 2))
    else:
        pts = ((r.x + r.w / 2, r.y), (r.x + r.w / 2, r.bottom))
    return Shape(shape_id, "polyline", pts, None, colour, 2.0 * k)


def describe(diagram: Diagram) -> str:
    """A plain-text summary for screen readers: lanes and what they hold, with numbers."""

    def data(b: Box) -> str:
        d = b.data
        if d is None:
            return ""
        bits = [x for x in (d.value, d.benchmark and f"benchmark {d.benchmark}") if x]
        if d.show_score and d.score_text() is not None:
            bits.append(f"score {d.score_text()}")
        if d.weakest:
            bits.append("weakest")
        return f" ({', '.join(bits)})" if bits else ""

    def name(b: Box) -> str:
        if b.is_operator:
            return b.operator or ""
        text = (b.label or "").replace("\n", " ") + data(b)
        if b.metric:
            text += f" (metric: {b.metric})"
        if b.children:
            inner = " ".join(name(c) if c.is_operator else name(c) + ";" for c in b.children)
            text += f": {inner.rstrip(';')}"
        return text

    if diagram.matrix is not None:
        return f"{diagram.title}. {_describe_matrix(diagram.matrix)}"
    kind = "tiers" if diagram.direction == "down" else "columns"
    parts = [f"{diagram.title}. {len(diagram.lanes)} {kind}."]
    for lane in diagram.lanes:
        parts.append(name(lane).rstrip(";") + ".")
    if diagram.composite is not None:
        parts.append(f"Composite: {name(diagram.composite)}.")
    return " ".join(p.replace(";.", ".") for p in parts)


def _describe_matrix(matrix: Box) -> str:
    cols = matrix.grid_columns
    cells = matrix.children
    header = [c for c in cells if c.role == "header"]
    criteria = [(c.label or "").replace("\n", " ") for c in header]
    rows = [cells[i : i + cols] for i in range(len(header), len(cells), cols)]
    named = criteria[:-1] if any(c.role == "total" for c in cells) else criteria
    out = [f"Matrix of {len(rows)} rows scored on {', '.join(named)}."]
    for r in rows:
        scores = ", ".join(f"{h} {c.label}" for h, c in zip(criteria, r[1:], strict=False))
        out.append(f"{(r[0].label or '').replace(chr(10), ' ')}: {scores}.")
    return " ".join(out)
