"""Layout of hierarchies: every box gets a rectangle and every line a position.

Also home of the geometry every body shares (`Rect`, `Line`, `Placed`, `Body`)
and of `Typesetter`, which measures and wraps texts in the theme's fonts.

The layout is a small constraint system solved in closed form, in the order
the constraints depend on each other (see docs/decisions.md):

1. *Width requirements*, bottom-up per lane: a tier needs the widest of its
   own texts (wrapped at the role's maximum width) and of what its children's
   arrangement needs. One width per tier per lane is the contract's rule.
2. *Width assignment*, top-down: lanes get their requirement plus any width a
   fixed canvas offers; each tier takes the widest width that fits inside
   every parent of that tier (capped for boxes side by side).
3. *Heights*, bottom-up: texts are wrapped at the final widths; leaves of one
   tier and role in a lane share the tallest height; rows stretch their cells.
4. *Positions*, top-down: lanes side by side, each centred against the
   tallest (or stacked as bands); operators centred between their neighbours.

Everything here is in unscaled px with the body's corner at (0, 0);
renderer/canvas.py places, scales and frames the body.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from renderer.text.measure import font_metrics, text_width
from renderer.text.wrap import wrap
from renderer.theme import Theme
from renderer.tree import Box, Diagram

# Widest a role's text may run before it wraps, as a multiple of its font size.
# In ems so that themes with larger type keep the same proportions.
ROLE_MAX_EMS: dict[str, float] = {
    "lane": 16.0,
    "group": 17.0,
    "metric": 15.0,
    "question": 17.0,
    "outcome": 16.0,
    "impact": 13.0,
    "note": 18.0,
}
# A lane, or a box side by side with others, grows past its requirement (to use
# a wide canvas) up to this multiple; boxes in a stack fill their parent.
MAX_STRETCH = 2.0
MAX_GAP_STRETCH = 3.0
# Side-by-side lanes share the widest lane's width if that widens the diagram by
# at most this factor; otherwise each lane keeps its own width.
EQUAL_LANES_COST = 1.25
# Largest scale-up a fixed canvas applies to a small diagram.
MAX_SCALE = 2.0
PART_GAP_EMS = 0.3  # between label, caption, metric and details, in ems of the label
VALUE_EMS = 1.6  # a measured value, in ems of the metric size: legible from the back row
COMPOSITE_EMS = 1.8  # a composite's score, in ems of the lane size
BAR_EMS = 0.9  # height of a bullet bar, in ems of the metric size
BAR_MIN_WIDTH = 8.0  # narrowest bullet bar, in its own heights
CELL_EMS = 1.4  # a matrix score, in ems of the metric size
BOLD_ROLES = frozenset({"lane", "group", "outcome", "impact", "header", "label", "cell", "total"})


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class Line:
    """One line of text; `x` is the left end of its advance, `baseline` its baseline."""

    text: str
    x: float
    baseline: float
    size: float
    bold: bool
    kind: str  # label | caption | metric | detail | operator | title | subtitle | footnote
    width: float


@dataclass(frozen=True)
class Bar:
    """A bullet bar in `area`: value and reference as fractions of its width."""

    area: Rect
    value: float
    reference: float


@dataclass(frozen=True)
class Placed:
    """A box with its rectangle, its own text lines and its placed children.

    A node's question box is placed as the sibling just before the node.
    """

    box: Box
    rect: Rect
    lines: tuple[Line, ...]
    children: tuple[Placed, ...]
    bars: tuple[Bar, ...] = ()

    def walk(self) -> Iterator[Placed]:
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True)
class Connector:
    """A quiet flow mark in the gap between two consecutive lanes."""

    kind: str  # line | chevron
    rect: Rect  # the area it is drawn in
    direction: str  # right | down


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    scale: float
    header: tuple[Line, ...]  # title and subtitle
    footer: tuple[Line, ...]  # footnote
    nodes: tuple[Placed, ...]  # lanes, then the composite
    connectors: tuple[Connector, ...]

    def placed(self) -> Iterator[Placed]:
        for n in self.nodes:
            yield from n.walk()


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class Part:
    text: str
    size: float
    bold: bool
    kind: str


class Typesetter:
    """Font sizes and measurement for one theme."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.family = theme.font_family
        self.sizes = theme.sizes

    def width(self, text: str, size: float, bold: bool) -> float:
        return text_width(text, size, bold, self.family)

    def pitch(self, size: float) -> float:
        return font_metrics(size, False, self.family).line_height

    def label_size(self, role: str) -> float:
        if role in ("cell", "total"):  # a matrix score: the number is the message
            return self.sizes["metric"] * CELL_EMS
        key = {"outcome": "group", "impact": "lane", "note": "metric", "header": "group",
               "label": "group"}.get(role, role)  # fmt: skip
        return self.sizes.get(key, self.sizes["metric"])

    def parts(self, box: Box) -> list[Part]:
        """The box's own texts, top to bottom, with their styles."""
        s = self.sizes
        label_bold = box.role in BOLD_ROLES
        out: list[Part] = []
        if box.label:
            out.append(Part(box.label, self.label_size(box.role), label_bold, "label"))
        if box.caption:
            out.append(Part(box.caption, s["caption"], False, "caption"))
        if box.metric:
            out.append(Part(box.metric, s["metric"] + 2, True, "metric"))
        out.extend(Part(d, s["detail"], False, "detail") for d in box.details)
        d = box.data
        if d is None:
            return out
        if d.weakest:
            out.insert(0, Part("Weakest", s["caption"], True, "flag"))
        if d.value:
            out.append(Part(d.value, s["metric"] * VALUE_EMS, True, "value"))
        if d.benchmark:
            out.append(Part(f"Benchmark {d.benchmark}", s["detail"], False, "benchmark"))
        if d.target:
            out.append(Part(f"Target {d.target}", s["detail"], False, "benchmark"))
        if d.bar:
            out.append(Part("", s["metric"] * BAR_EMS, False, "bar"))
        text = d.score_text()
        if d.show_score and text is not None:
            if box.role in ("cell", "total"):
                pass  # the score is the cell's label
            elif d.formula is not None or (box.role == "impact" and box.tier == 0):
                out.append(Part(text, self.sizes["lane"] * COMPOSITE_EMS, True, "value"))
            else:
                out.append(Part(f"Score {text}", s["metric"], True, "score"))
        if d.formula:
            out.append(Part(f"= {d.formula}", s["detail"], False, "detail"))
        return out

    def natural(self, parts: list[Part]) -> float:
        """Width of the widest unwrapped line."""
        best = 0.0
        for p in parts:
            if p.kind == "bar":
                best = max(best, p.size * BAR_MIN_WIDTH)
                continue
            for line in p.text.split("\n"):
                best = max(best, self.width(line, p.size, p.bold))
        return best

    def max_width(self, role: str) -> float:
        return ROLE_MAX_EMS.get(role, 16.0) * self.label_size(role)

    def block(self, parts: list[Part], width: float) -> tuple[list[tuple[Part, str]], float]:
        """Lines wrapped at `width` and the block's height."""
        lines: list[tuple[Part, str]] = []
        height = 0.0
        for i, p in enumerate(parts):
            if i:
                height += PART_GAP_EMS * parts[0].size
            if p.kind == "bar":
                lines.append((p, ""))
                height += p.size
                continue
            for text in wrap(p.text, width, lambda t, p=p: self.width(t, p.size, p.bold)):
                lines.append((p, text))
                height += self.pitch(p.size)
        return lines, height

    def emit(
        self,
        lines: list[tuple[Part, str]],
        x: float,
        w: float,
        top: float,
        parts: list[Part],
        bar: tuple[float, float] | None = None,
    ) -> tuple[list[Line], list[Bar]]:
        """Position wrapped lines centred in [x, x+w] starting at `top`."""
        out: list[Line] = []
        bars: list[Bar] = []
        y = top
        prev: Part | None = None
        for p, text in lines:
            if prev is not None and p is not prev:
                y += PART_GAP_EMS * parts[0].size
            if p.kind == "bar":
                if bar is not None:
                    bars.append(_bar(Rect(x, y, w, p.size), *bar))
                y += p.size
                prev = p
                continue
            m = font_metrics(p.size, p.bold, self.family)
            baseline = y + (m.line_height - (m.ascent + m.descent)) / 2 + m.ascent
            tw = self.width(text, p.size, p.bold)
            out.append(Line(text, x + (w - tw) / 2, baseline, p.size, p.bold, p.kind, tw))
            y += m.line_height
            prev = p
        return out, bars


def _bar(area: Rect, value: float, reference: float) -> Bar:
    """A bullet bar: the value as a bar, the reference as a tick, on a shared scale."""
    top = max(value, reference, 0.0) * 1.2 or 1.0
    return Bar(area, max(value, 0.0) / top, max(reference, 0.0) / top)


# --------------------------------------------------------------------------- solver


class _Solver:
    def __init__(self, diagram: Diagram, theme: Theme, questions_above: bool = False) -> None:
        self.d = diagram
        self.questions_above = questions_above
        self.t = Typesetter(theme)
        sp = theme.spacing
        self.pad = sp.padding
        self.gap = sp.gap
        self.lane_gap = sp.lane_gap
        self.op_d = theme.sizes["operator"] * 1.6
        self.down = diagram.direction == "down"
        self.units: tuple[Box, ...] = diagram.lanes + (
            (diagram.composite,) if diagram.composite is not None else ()
        )
        self._parts: dict[str, list[Part]] = {}
        self._blocks: dict[tuple[str, float], tuple[list[tuple[Part, str]], float]] = {}
        self.q_width = self._question_width()
        self.header_w: dict[int, float] = {}
        self.req = [self._requirements(u) for u in self.units]

    # -- measuring helpers

    def parts(self, box: Box) -> list[Part]:
        if box.id not in self._parts:
            self._parts[box.id] = self.t.parts(box)
        return self._parts[box.id]

    def text_need(self, box: Box) -> float:
        """Content width the box's own texts want: natural, capped at the role maximum."""
        parts = self.parts(box)
        if not parts:
            return 0.0
        return min(self.t.natural(parts), self.t.max_width(box.role))

    def _question_part(self, box: Box) -> list[Part]:
        assert box.question is not None
        return [Part(box.question, self.t.sizes["question"], False, "label")]

    def _question_width(self) -> float:
        need = 0.0
        for b in self.d.boxes():
            if b.question:
                natural = self.t.natural(self._question_part(b))
                need = max(need, min(natural, self.t.max_width("question")))
        return need + 2 * self.pad if need else 0.0

    def question_above(self, parent_layout: str) -> bool:
        """Questions sit beside nodes in a stack, above them in rows and grids.

        A fixed canvas may also try them above in stacks, for a narrower diagram.
        """
        return self.questions_above or parent_layout != "stack"

    def header_left(self, box: Box) -> bool:
        """In a `down` diagram each lane is a band with its title on the left."""
        return self.down and box.tier == 0 and bool(box.children)

    # -- widths

    def _slot_width(self, child: Box, w: float, above: bool) -> float:
        if child.is_operator:
            return self.op_d
        if child.question:
            return max(self.q_width, w) if above else self.q_width + self.gap + w
        return w

    def _arrangement_width(self, box: Box, w_child: float) -> float:
        kids = box.children
        if not kids:
            return 0.0
        above = self.question_above(box.layout)
        slots = [self._slot_width(c, w_child, above) for c in kids]
        if box.layout == "row":
            return sum(slots) + self.gap * (len(slots) - 1)
        if box.layout == "grid":
            cols = min(box.grid_columns, len(kids))
            return cols * max(slots) + self.gap * (cols - 1)
        return max(slots)

    def _requirements(self, unit: Box) -> dict[int, float]:
        if unit.is_operator:  # a sign between two lanes
            return {0: self.op_d}
        by_tier: dict[int, list[Box]] = defaultdict(list)
        for b in unit.walk():
            if not b.is_operator:
                by_tier[b.tier].append(b)
        req: dict[int, float] = {}
        for tier in sorted(by_tier, reverse=True):
            need = 0.0
            for b in by_tier[tier]:
                own = self.text_need(b)
                if b.children and self.header_left(b):
                    self.header_w[unit.lane] = own
                    arr = self._arrangement_width(b, req.get(tier + 1, 0.0))
                    need = max(need, own + self.gap + arr)
                elif b.children:
                    need = max(need, own, self._arrangement_width(b, req.get(tier + 1, 0.0)))
                else:
                    need = max(need, own)
            req[tier] = need + 2 * self.pad
        if unit.question and not self.down:  # its question box sits above it
            req[0] = max(req[0], self.q_width)
        return req

    def _fit_child_width(self, box: Box, w: float) -> float:
        """Widest child width whose arrangement fits the content width of `box` at `w`."""
        cw = w - 2 * self.pad
        if self.header_left(box):
            cw -= self.header_w.get(box.lane, 0.0) + self.gap
        kids = box.children
        above = self.question_above(box.layout)
        ops = sum(1 for c in kids if c.is_operator)
        boxes = len(kids) - ops
        extra = 0.0
        if any(c.question for c in kids):
            extra = 0.0 if above else self.q_width + self.gap
        if box.layout == "row":
            return (cw - self.gap * (len(kids) - 1) - ops * self.op_d) / max(boxes, 1) - extra
        if box.layout == "grid":
            cols = min(box.grid_columns, len(kids))
            return (cw - self.gap * (cols - 1)) / cols - extra
        return cw - extra

    def tier_widths(self, index: int, unit_width: float) -> dict[int, float]:
        unit = self.units[index]
        req = self.req[index]
        if unit.is_operator:
            return {0: self.op_d}
        widths = {0: unit_width}
        for tier in sorted(req):
            if tier == 0:
                continue
            parents = [b for b in unit.walk() if b.tier == tier - 1 and b.children]
            fit = min(self._fit_child_width(p, widths[tier - 1]) for p in parents)
            if any(p.layout != "stack" for p in parents):
                fit = min(fit, req[tier] * MAX_STRETCH)  # side by side: don't balloon
            widths[tier] = max(req[tier], fit)
        return widths

    # -- heights

    def own_block(self, box: Box, w: float) -> tuple[list[tuple[Part, str]], float]:
        """The box's texts wrapped for width `w` (memoised: heights and placing both ask)."""
        key = (box.id, w)
        if key not in self._blocks:
            parts = self.parts(box)
            cw = w - 2 * self.pad
            if self.header_left(box):
                cw = self.header_w.get(box.lane, cw)
            self._blocks[key] = self.t.block(parts, cw) if parts else ([], 0.0)
        return self._blocks[key]

    def question_block(self, box: Box) -> tuple[list[tuple[Part, str]], float]:
        return self.t.block(self._question_part(box), self.q_width - 2 * self.pad)

    def leaf_heights(self, widths: list[dict[int, float]]) -> dict[tuple[int, int, str], float]:
        """The tallest leaf per (lane, tier, role): leaves of a kind share one height."""
        eq: dict[tuple[int, int, str], float] = defaultdict(float)
        for i, unit in enumerate(self.units):
            for b in unit.walk():
                if b.children or b.is_operator:
                    continue
                _, h = self.own_block(b, widths[i][b.tier])
                key = (i, b.tier, b.role)
                eq[key] = max(eq[key], h + 2 * self.pad)
            for b in unit.walk():
                if b.question:
                    key = (i, b.tier, "question")
                    eq[key] = max(eq[key], self.question_block(b)[1] + 2 * self.pad)
        return eq

    def pair_gap(self) -> float:
        """Between a question and its node: tighter than between pairs, so pairs read as one."""
        return self.gap * 0.4

    def stack_gap(self, box: Box) -> float:
        """Between the slots of a stack: wider when each slot is a question-above pair."""
        if self.question_above(box.layout) and any(c.question for c in box.children):
            return self.gap * 1.6
        return self.gap


# --------------------------------------------------------------------------- placing


class _Placer:
    """Heights and positions, once every tier's width is known."""

    def __init__(self, s: _Solver, widths: list[dict[int, float]]) -> None:
        self.s = s
        self.widths = widths
        self.leaf_h = s.leaf_heights(widths)
        self._h: dict[str, float] = {}

    def width(self, box: Box) -> float:
        return self.s.op_d if box.is_operator else self.widths[self._unit(box)][box.tier]

    def _unit(self, box: Box) -> int:
        return box.lane

    def header_height(self, box: Box) -> float:
        return self.s.own_block(box, self.width(box))[1]

    def height(self, box: Box) -> float:
        if box.id in self._h:
            return self._h[box.id]
        s = self.s
        if box.is_operator:
            h = s.op_d
        elif not box.children:
            h = self.leaf_h[(self._unit(box), box.tier, box.role)]
        else:
            head = self.header_height(box)
            arr = self.arrangement_height(box)
            if s.header_left(box):
                h = max(head, arr) + 2 * s.pad
            else:
                h = head + (s.gap if head else 0.0) + arr + 2 * s.pad
        self._h[box.id] = h
        return h

    def slot(self, parent: Box, child: Box) -> tuple[float, float]:
        """(width, height) a child occupies, its question included."""
        s = self.s
        w, h = self.width(child), self.height(child)
        if child.is_operator or not child.question:
            return w, h
        qh = self.leaf_h[(child.lane, child.tier, "question")]
        if s.question_above(parent.layout):
            return max(w, s.q_width), qh + s.pair_gap() + h
        return s.q_width + s.gap + w, max(h, qh)

    def arrangement_height(self, box: Box) -> float:
        s = self.s
        slots = [self.slot(box, c) for c in box.children]
        if not slots:
            return 0.0
        if box.layout == "row":
            return max(h for _, h in slots)
        if box.layout == "grid":
            cols = min(box.grid_columns, len(slots))
            rows = [slots[i : i + cols] for i in range(0, len(slots), cols)]
            return sum(max(h for _, h in r) for r in rows) + s.gap * (len(rows) - 1)
        return sum(h for _, h in slots) + s.stack_gap(box) * (len(slots) - 1)

    # -- positions

    def place(self, box: Box, x: float, y: float, w: float, h: float) -> Placed:
        s = self.s
        rect = Rect(x, y, w, h)
        if box.is_operator:
            assert box.operator is not None
            size = s.t.sizes["operator"]
            m = font_metrics(size, True, s.t.family)
            tw = s.t.width(box.operator, size, True)
            baseline = y + h / 2 + (m.cap_height / 2)
            line = Line(box.operator, x + (w - tw) / 2, baseline, size, True, "operator", tw)
            return Placed(box, rect, (line,), ())
        lines, head_h = s.own_block(box, w)
        parts = s.parts(box)
        bar = box.data.bar if box.data is not None else None
        if not box.children:
            top = y + (h - head_h) / 2
            own, bars = s.t.emit(lines, x + s.pad, w - 2 * s.pad, top, parts, bar)
            return Placed(box, rect, tuple(own), (), tuple(bars))
        if s.header_left(box):
            hw = s.header_w.get(box.lane, 0.0)
            own, bars = s.t.emit(lines, x + s.pad, hw, y + (h - head_h) / 2, parts, bar)
            cx = x + s.pad + hw + s.gap
            cw = w - 2 * s.pad - hw - s.gap
            children = self.arrange(box, cx, y + s.pad, cw, h - 2 * s.pad)
        else:
            own, bars = s.t.emit(lines, x + s.pad, w - 2 * s.pad, y + s.pad, parts, bar)
            top = y + s.pad + head_h + (s.gap if head_h else 0.0)
            children = self.arrange(box, x + s.pad, top, w - 2 * s.pad, y + h - s.pad - top)
        return Placed(box, rect, tuple(own), tuple(children), tuple(bars))

    def arrange(self, box: Box, x: float, y: float, w: float, h: float) -> list[Placed]:
        """Children inside the content area, the block centred in it."""
        s = self.s
        kids = box.children
        slots = [self.slot(box, c) for c in kids]
        out: list[Placed] = []
        if box.layout == "stack":
            total = sum(sh for _, sh in slots) + s.stack_gap(box) * (len(slots) - 1)
            cy = y + (h - total) / 2
            for c, (sw, sh) in zip(kids, slots, strict=True):
                out.extend(self.place_slot(box, c, x + (w - sw) / 2, cy, sw, sh))
                cy += sh + s.stack_gap(box)
            return out
        cols = len(kids) if box.layout == "row" else min(box.grid_columns, len(kids))
        col_w = max(sw for sw, _ in slots)
        rows = [list(range(i, min(i + cols, len(kids)))) for i in range(0, len(kids), cols)]
        row_h = [max(slots[i][1] for i in r) for r in rows]
        total_h = sum(row_h) + s.gap * (len(rows) - 1)
        cy = y + (h - total_h) / 2
        for r, rh in zip(rows, row_h, strict=True):
            widths = [slots[i][0] for i in r] if box.layout == "row" else [col_w for _ in r]
            total_w = sum(widths) + s.gap * (len(r) - 1)
            cx = x + (w - total_w) / 2
            for i, sw in zip(r, widths, strict=True):
                out.extend(self.place_slot(box, kids[i], cx, cy, sw, rh, stretch=True))
                cx += sw + s.gap
            cy += rh + s.gap
        return out

    def place_slot(
        self, parent: Box, c: Box, x: float, y: float, sw: float, sh: float, stretch: bool = False
    ) -> list[Placed]:
        """A child (and its question) in its slot; boxes in rows stretch to the row height."""
        s = self.s
        w = self.width(c)
        if c.is_operator:
            return [self.place(c, x + (sw - w) / 2, y + (sh - w) / 2, w, w)]
        if not c.question:
            h = sh if stretch else self.height(c)
            return [self.place(c, x + (sw - w) / 2, y + (sh - h) / 2, w, h)]
        q = self.place_question(c, parent, x, y, sw, sh)
        if s.question_above(parent.layout):
            top = q.rect.bottom + s.pair_gap()
            return [q, self.place(c, x + (sw - w) / 2, top, w, y + sh - top)]
        return [q, self.place(c, x + sw - w, y, w, sh)]

    def place_question(
        self, c: Box, parent: Box, x: float, y: float, sw: float, sh: float
    ) -> Placed:
        s = self.s
        if s.question_above(parent.layout):
            rect = Rect(x + (sw - s.q_width) / 2, y, s.q_width, self.question_height(c))
        else:
            rect = Rect(x, y, s.q_width, sh)
        return self.question_at(c, rect)

    def question_height(self, c: Box) -> float:
        return self.leaf_h[(c.lane, c.tier, "question")]

    def question_at(self, c: Box, rect: Rect) -> Placed:
        """The question box of `c`, a node of its own (role question), in `rect`."""
        s = self.s
        lines, qh_text = s.question_block(c)
        qbox = replace(
            c,
            id=f"{c.id}-question",
            role="question",
            label=c.question,
            caption=None,
            metric=None,
            details=(),
            question=None,
            children=(),
            emphasis=False,
        )
        part = s._question_part(c)
        top = rect.y + (rect.h - qh_text) / 2
        emitted, _ = s.t.emit(lines, rect.x + s.pad, rect.w - 2 * s.pad, top, part)
        return Placed(qbox, rect, tuple(emitted), ())


# --------------------------------------------------------------------------- body


@dataclass(frozen=True)
class Body:
    """The lanes and their connectors, with the top-left corner at (0, 0)."""

    width: float
    height: float
    nodes: tuple[Placed, ...]
    connectors: tuple[Connector, ...]


def hierarchy_bodies(
    diagram: Diagram, theme: Theme, questions_above: bool
) -> Callable[[float], Body]:
    """The lanes (and composite) of a `columns`/`tiers` diagram, unscaled, as a
    function of the extra width to use; one solver serves every call, so texts
    are measured and wrapped once per width."""
    solver = _Solver(diagram, theme, questions_above)
    return lambda extra: _body(diagram, solver, extra)


def _body(diagram: Diagram, s: _Solver, extra: float) -> Body:
    """Lanes with `extra` px of width shared among them (each grows at most MAX_STRETCH)."""
    n = len(s.units)
    if n == 0:
        return Body(0.0, 0.0, (), ())
    lane_gap = s.lane_gap
    is_op = [u.is_operator for u in s.units]
    lanes_n = max(1, n - sum(is_op))
    own = [r[0] for r in s.req]
    if s.down:
        band = max((w for w, op in zip(own, is_op, strict=True) if not op), default=0.0)
        unit_w = [s.op_d if op else band + extra for op in is_op]
    else:
        need = [w for w, op in zip(own, is_op, strict=True) if not op] or [0.0]
        widest = max(need)
        if widest * len(need) <= sum(need) * EQUAL_LANES_COST:
            # columns of one width, where that is cheap
            extra = max(0.0, extra - (widest * len(need) - sum(need)))
            own = [w if op else widest for w, op in zip(own, is_op, strict=True)]
        grow = [0.0 if op else min(extra / lanes_n, w * (MAX_STRETCH - 1))
                for w, op in zip(own, is_op, strict=True)]  # fmt: skip
        unit_w = [w + g for w, g in zip(own, grow, strict=True)]
        if n > 1:  # what the lanes cannot take widens the gaps, up to MAX_GAP_STRETCH
            lane_gap += min((extra - sum(grow)) / (n - 1), lane_gap * (MAX_GAP_STRETCH - 1))
    widths = [s.tier_widths(i, unit_w[i]) for i in range(n)]
    p = _Placer(s, widths)
    heights = [p.height(u) for u in s.units]
    nodes: list[Placed] = []
    lanes: list[Placed] = []
    if s.down:
        # Questions of bands stand in a column of their own on the left.
        qx = s.q_width + s.gap if any(u.question for u in s.units) else 0.0
        y = 0.0
        band_w = max(unit_w)
        for i, u in enumerate(s.units):
            h = max(heights[i], p.question_height(u)) if u.question else heights[i]
            if u.question:
                nodes.append(p.question_at(u, Rect(0.0, y, s.q_width, h)))
            x = qx + (band_w - unit_w[i]) / 2  # an operator sits centred between bands
            lanes.append(p.place(u, x, y, unit_w[i], h))
            nodes.append(lanes[-1])
            y += h + lane_gap
        width, height = qx + band_w, y - lane_gap
    else:
        # A lane's question stands above it; each column is centred on the tallest.
        q_h = [p.question_height(u) + s.pair_gap() if u.question else 0.0 for u in s.units]
        height = max(q + h for q, h in zip(q_h, heights, strict=True))
        x = 0.0
        for i, u in enumerate(s.units):
            y = (height - heights[i] - q_h[i]) / 2 + q_h[i]
            if u.question:
                top = y - q_h[i]
                rect = Rect(x + (unit_w[i] - s.q_width) / 2, top, s.q_width, q_h[i] - s.pair_gap())
                nodes.append(p.question_at(u, rect))
            lanes.append(p.place(u, x, y, unit_w[i], heights[i]))
            nodes.append(lanes[-1])
            x += unit_w[i] + lane_gap
        width = x - lane_gap
    connectors = _connectors(diagram, lanes, s.lane_gap) if diagram.flow != "none" else []
    return Body(width, height, tuple(nodes), tuple(connectors))


def _connectors(diagram: Diagram, nodes: list[Placed], gap: float) -> list[Connector]:
    out = []
    size = gap * 0.5
    for a, b in itertools.pairwise(nodes):
        if a.box.is_operator or b.box.is_operator:
            continue  # the operator itself says how the lanes combine
        if diagram.direction == "down":
            cx = (a.rect.x + a.rect.right) / 2
            y0, y1 = a.rect.bottom, b.rect.y
            rect = Rect(cx - size, y0 + (y1 - y0 - size) / 2, 2 * size, size)
            out.append(Connector(diagram.flow, rect, "down"))
        else:
            x0, x1 = a.rect.right, b.rect.x
            cy = (max(a.rect.y, b.rect.y) + min(a.rect.bottom, b.rect.bottom)) / 2
            rect = Rect(x0 + (x1 - x0 - size) / 2, cy - size, size, 2 * size)
            out.append(Connector(diagram.flow, rect, "right"))
    return out
