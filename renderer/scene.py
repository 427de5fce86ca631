"""The scene: positioned, styled primitives, all a backend needs and no more.

Colours are resolved here from the theme, so a backend cannot draw a colour
the theme does not have; `Scene.colours()` lists every colour used so the
renderer can assert palette membership for each output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from renderer.layout import Connector, Layout, Line, Placed, Rect
from renderer.theme import Theme
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
        for s in self.shapes:
            used.update(c for c in (s.fill, s.stroke) if c)
        return used


def build_scene(diagram: Diagram, lay: Layout, theme: Theme) -> Scene:
    k = lay.scale
    radius = theme.spacing.radius * k

    def text(line: Line, colour: str) -> Text:
        return Text(line.text, line.x, line.baseline, line.size, line.bold, colour, line.kind,
                    line.width)  # fmt: skip

    def node(p: Placed) -> SceneNode:
        box = p.box
        role = theme.role(box.role)
        stroke, width = role.stroke, role.stroke_width * k
        if box.emphasis:
            stroke, width = theme.emphasis_stroke, theme.emphasis_width * k
        r = p.rect.w / 2 if box.is_operator else radius
        style = Style(role.fill, stroke, width, r)
        texts = tuple(
            text(ln, role.caption if ln.kind in ("caption", "detail") else role.text)
            for ln in p.lines
        )
        return SceneNode(box.id, box.role, box.tier, p.rect, style, texts,
                         tuple(node(c) for c in p.children))  # fmt: skip

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
        nodes=tuple(node(p) for p in lay.nodes),
        shapes=shapes,
    )


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
    """A plain-text summary for screen readers: lanes and what they hold."""

    def name(b: Box) -> str:
        if b.is_operator:
            return b.operator or ""
        text = (b.label or "").replace("\n", " ")
        if b.metric:
            text += f" (metric: {b.metric})"
        if b.children:
            inner = " ".join(name(c) if c.is_operator else name(c) + ";" for c in b.children)
            text += f": {inner.rstrip(';')}"
        return text

    kind = "tiers" if diagram.direction == "down" else "columns"
    parts = [f"{diagram.title}. {len(diagram.lanes)} {kind}."]
    for lane in diagram.lanes:
        parts.append(name(lane).rstrip(";") + ".")
    if diagram.composite is not None:
        parts.append(f"Composite: {name(diagram.composite)}.")
    return " ".join(p.replace(";.", ".") for p in parts)
