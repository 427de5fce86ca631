"""The SVG backend: the canonical output, written from the scene alone.

The document follows the contract in docs/spec-language.md ("The SVG it
writes"): one `<g class="node …">` per node with its box `<rect>` first, texts
as direct children, children's groups nested. Coordinates are rounded to
0.01 px and ids are explicit, so the bytes depend only on the scene.
"""

from __future__ import annotations

import svgwrite
from svgwrite.base import BaseElement

from renderer.scene import Scene, SceneNode, Shape, Text


def num(v: float) -> str:
    """A coordinate as short, stable text: 0.01 px precision, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


class _Leaf(BaseElement):
    """An element holding only text (`<title>`, `<desc>`), with attributes."""

    def __init__(self, name: str, text: str, **extra: str) -> None:
        self.elementname = name
        super().__init__(**extra)
        self.text = text

    def get_xml(self):  # type: ignore[no-untyped-def]
        xml = super().get_xml()
        xml.text = self.text
        return xml


def _text(dwg: svgwrite.Drawing, t: Text) -> BaseElement:
    attrs = {
        "insert": (num(t.x), num(t.y)),
        "font_size": num(t.size),
        "fill": t.colour,
        "class": f"text-{t.kind}",
    }
    if t.bold:
        attrs["font_weight"] = "bold"
    return dwg.text(t.text, **attrs)


def _node(dwg: svgwrite.Drawing, n: SceneNode) -> BaseElement:
    g = dwg.g(id=f"node-{n.id}", class_=f"node role-{n.role} tier-{n.tier}")
    r = n.rect
    rect = dwg.rect(
        insert=(num(r.x), num(r.y)),
        size=(num(r.w), num(r.h)),
        fill=n.style.fill or "none",
        stroke=n.style.stroke or "none",
    )
    if n.style.radius:
        rect["rx"] = num(n.style.radius)
    if n.style.stroke:
        rect["stroke-width"] = num(n.style.stroke_width)
    g.add(rect)
    for t in n.texts:
        g.add(_text(dwg, t))
    for s in n.shapes:
        g.add(_shape(dwg, s))
    for c in n.children:
        g.add(_node(dwg, c))
    return g


def _shape(dwg: svgwrite.Drawing, s: Shape) -> BaseElement:
    points = [(num(x), num(y)) for x, y in s.points]
    maker = dwg.polygon if s.kind == "polygon" else dwg.polyline
    el = maker(points, id=s.id, fill=s.fill or "none", stroke=s.stroke or "none")
    if s.stroke:
        el["stroke-width"] = num(s.stroke_width)
        el["stroke-linecap"] = "round"
    return el


def render_svg(scene: Scene) -> bytes:
    w, h = num(scene.width), num(scene.height)
    dwg = svgwrite.Drawing(size=(w, h), debug=False, profile="full")
    dwg.elements.remove(dwg.defs)  # nothing to define; keep <title> first
    dwg.attribs.pop("xmlns:ev", None)
    dwg.attribs.pop("xmlns:xlink", None)
    dwg.attribs.pop("baseProfile", None)
    dwg["viewBox"] = f"0 0 {w} {h}"
    dwg["role"] = "img"
    dwg["aria-labelledby"] = "diagram-title diagram-desc"
    dwg["font-family"] = f"{scene.font_family}, sans-serif"
    dwg["text-rendering"] = "geometricPrecision"
    dwg["style"] = "font-kerning: none"
    dwg.add(_Leaf("title", scene.title, id="diagram-title"))
    dwg.add(_Leaf("desc", scene.desc, id="diagram-desc"))
    dwg.add(dwg.rect(insert=(0, 0), size=(w, h), fill=scene.background, id="background"))
    if scene.texts:
        head = dwg.g(id="labels")
        for t in scene.texts:
            head.add(_text(dwg, t))
        dwg.add(head)
    if scene.shapes:
        flow = dwg.g(id="flow")
        for s in scene.shapes:
            flow.add(_shape(dwg, s))
        dwg.add(flow)
    for n in scene.nodes:
        dwg.add(_node(dwg, n))
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + dwg.tostring() + "\n").encode("utf-8")
