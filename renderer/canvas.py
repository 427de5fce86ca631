"""The canvas: title, body and footnote composed, and fitted to a fixed size.

The body (lanes of a hierarchy, or a matrix) is laid out by its own module in
unscaled px with its corner at (0, 0). Here it is placed under the title: as
is for `canvas: auto`, or for a fixed canvas scaled uniformly into the safe
area, choosing among the body's candidate arrangements the one that can be
drawn largest, and laid out again with any spare width (text never stretches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from renderer.layout import (
    MAX_SCALE,
    Bar,
    Body,
    Connector,
    Layout,
    Line,
    Placed,
    Rect,
    Typesetter,
    hierarchy_bodies,
)
from renderer.matrix import matrix_body
from renderer.text.measure import font_metrics
from renderer.theme import Theme
from renderer.tree import Diagram

# The canvas's safe area: at least this fraction of the canvas width on each side.
SAFE_MARGIN = 0.03
# Title and footnote grow with the diagram up to this scale.
HEADER_MAX_SCALE = 1.5

BodyFn = Callable[[float], Body]
"""A body laid out with some px of extra width to use."""


def _text_lines(
    t: Typesetter, items: list[tuple[str | None, str, bool]], x: float, y: float
) -> tuple[list[Line], float]:
    """Left-aligned lines (title, subtitle, footnote) from `y` down; returns their height."""
    out: list[Line] = []
    cy = y
    for text, kind, bold in items:
        if not text:
            continue
        if out:
            cy += t.sizes[kind] * 0.25
        size = t.sizes[kind]
        m = font_metrics(size, bold, t.family)
        for line in text.split("\n"):
            out.append(Line(line, x, cy + m.ascent, size, bold, kind, t.width(line, size, bold)))
            cy += m.line_height
    return out, cy - y


def _move(
    body: Body, k: float, tx: float, ty: float
) -> tuple[tuple[Placed, ...], tuple[Connector, ...]]:
    return (
        tuple(_scale_placed(p, k, tx, ty) for p in body.nodes),
        tuple(
            Connector(c.kind, _scale_rect(c.rect, k, tx, ty), c.direction) for c in body.connectors
        ),
    )


def _scale_rect(r: Rect, k: float, tx: float, ty: float) -> Rect:
    return Rect(r.x * k + tx, r.y * k + ty, r.w * k, r.h * k)


def _scale_line(line: Line, k: float, tx: float, ty: float) -> Line:
    return replace(
        line, x=line.x * k + tx, baseline=line.baseline * k + ty, size=line.size * k,
        width=line.width * k,
    )  # fmt: skip


def _scale_placed(p: Placed, k: float, tx: float, ty: float) -> Placed:
    return Placed(
        p.box,
        _scale_rect(p.rect, k, tx, ty),
        tuple(_scale_line(ln, k, tx, ty) for ln in p.lines),
        tuple(_scale_placed(c, k, tx, ty) for c in p.children),
        tuple(Bar(_scale_rect(b.area, k, tx, ty), b.value, b.reference) for b in p.bars),
    )


def _candidates(diagram: Diagram, theme: Theme) -> list[BodyFn]:
    """Ways to lay the body out; the first is the natural one."""
    if diagram.matrix is not None:
        return [lambda extra: matrix_body(diagram.matrix, theme, extra)]
    options = [False, True] if any(b.question for b in diagram.boxes()) else [False]
    return [_memo(hierarchy_bodies(diagram, theme, above)) for above in options]


def _memo(make: BodyFn) -> BodyFn:
    """Fitting asks for the same body more than once (one pass per title scale)."""
    cache: dict[float, Body] = {}

    def body(extra: float) -> Body:
        if extra not in cache:
            cache[extra] = make(extra)
        return cache[extra]

    return body


def layout(diagram: Diagram, theme: Theme) -> Layout:
    """Lay the diagram out: tight for `auto`, fitted and centred for a fixed canvas."""
    t = Typesetter(theme)
    margin = theme.spacing.margin
    head_items = [(diagram.title, "title", True), (diagram.subtitle, "subtitle", False)]
    foot_items = [(diagram.footnote, "footnote", False)]
    section_gap = theme.spacing.lane_gap * 0.6
    canvas = diagram.canvas
    candidates = _candidates(diagram, theme)

    if not canvas.fixed:
        body = candidates[0](0.0)
        header, head_h = _text_lines(t, head_items, margin, margin)
        top = margin + head_h + (section_gap if header else 0.0)
        nodes, connectors = _move(body, 1.0, margin, top)
        foot_y = top + body.height + section_gap
        footer, foot_h = _text_lines(t, foot_items, margin, foot_y)
        width = max([body.width] + [ln.width for ln in header + footer]) + 2 * margin
        height = (foot_y + foot_h if footer else top + body.height) + margin
        return Layout(width, height, 1.0, tuple(header), tuple(footer), nodes, connectors)

    assert canvas.width is not None and canvas.height is not None
    cw, ch = canvas.width, canvas.height
    safe = max(SAFE_MARGIN * cw, margin)
    header, head_h = _text_lines(t, head_items, 0, 0)
    footer, foot_h = _text_lines(t, foot_items, 0, 0)
    text_w = max([ln.width for ln in header + footer], default=1.0)
    text_fit = (cw - 2 * safe) / text_w

    def area(hk: float) -> tuple[float, float]:
        """Top and bottom of the body's area with title and footnote at scale `hk`."""
        top = safe + (head_h + section_gap) * hk if header else safe
        bottom = ch - safe - ((foot_h + section_gap) * hk if footer else 0.0)
        return top, bottom

    def fit(hk: float) -> tuple[float, Body]:
        """The largest body scale over the candidates, for a header at `hk`."""
        top, bottom = area(hk)
        avail_w, avail_h = cw - 2 * safe, bottom - top
        best: tuple[float, Body] = (MAX_SCALE, Body(0.0, 0.0, (), ()))
        for i, make in enumerate(candidates):
            body = make(0.0)
            if not body.nodes:
                break
            k = min(avail_w / body.width, avail_h / body.height, MAX_SCALE)
            spare = avail_w / k - body.width
            if spare > 1.0:
                body = make(spare)
                k = min(avail_w / body.width, avail_h / body.height, MAX_SCALE)
            if i == 0 or k > best[0] + 1e-9:
                best = (k, body)
        return best

    # Title and footnote keep at least their theme size and grow with the body
    # up to HEADER_MAX_SCALE; the body is fitted again around them.
    k, _ = fit(min(1.0, text_fit))
    hk = min(max(k, 1.0), HEADER_MAX_SCALE, text_fit)
    k, body = fit(hk)
    top, bottom = area(hk)
    tx = safe + (cw - 2 * safe - body.width * k) / 2
    ty = top + (bottom - top - body.height * k) / 2
    nodes, connectors = _move(body, k, tx, ty)
    # Texts line up with the diagram's left edge, unless they would not fit there.
    left = tx if tx + text_w * hk <= cw - safe else safe
    header = [_scale_line(ln, hk, left, safe) for ln in header]
    footer = [_scale_line(ln, hk, left, bottom + section_gap * hk) for ln in footer]
    return Layout(cw, ch, k, tuple(header), tuple(footer), nodes, connectors)
