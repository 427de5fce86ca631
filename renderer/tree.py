"""The box tree: what will be drawn, before anything is measured.

This stage settles everything the spec leaves implicit: ids (slugified labels,
numbered on clashes), roles (by tier), tiers, and each container's layout.
Later stages never look at the spec again, only at `Diagram`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from renderer.spec.model import Canvas, MatrixSpec, NodeSpec, Spec

TIER_ROLES = ("lane", "group")
"""Default role by tier; deeper tiers are `metric`."""


@dataclass(frozen=True)
class BoxData:
    """The numbers a box shows, once scored (see renderer/scorecard.py)."""

    score: float | None = None
    range: tuple[float, float] = (0.0, 100.0)
    value: str | None = None  # formatted for people: "18%", "$31", "20 h"
    benchmark: str | None = None
    target: str | None = None
    show_score: bool = False
    bar: tuple[float, float] | None = None  # (value, reference) for a bullet bar
    weakest: bool = False
    formula: str | None = None  # a composite's formula, as written
    decimals: int | None = None  # places shown in the score; None: by the range

    def score_text(self) -> str | None:
        """Precision by the range: whole numbers on 0–100, one decimal on 1–5, two on 0–1.

        Whole scores show no decimals whatever the range; `decimals` overrides.
        """
        if self.score is None:
            return None
        if not math.isfinite(self.score):
            return "n/a"
        if self.score == round(self.score):
            return f"{self.score:.0f}"
        return f"{self.score:.{self.places()}f}"

    def places(self) -> int:
        if self.decimals is not None:
            return self.decimals
        lo, hi = self.range
        span = hi - lo
        return 0 if span > 10 else 1 if span > 1 else 2


@dataclass(frozen=True)
class Box:
    id: str
    role: str
    tier: int
    lane: int  # index of the top-level lane the box belongs to (-1: composite)
    label: str | None
    caption: str | None
    metric: str | None
    details: tuple[str, ...]
    question: str | None
    operator: str | None
    layout: str  # "stack" | "row" | "grid"
    grid_columns: int
    emphasis: bool
    children: tuple[Box, ...]
    source: NodeSpec | None
    data: BoxData | None = None

    @property
    def is_operator(self) -> bool:
        return self.operator is not None

    def walk(self) -> list[Box]:
        """This box and every descendant, in document order."""
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


@dataclass(frozen=True)
class Diagram:
    title: str
    subtitle: str | None
    footnote: str | None
    direction: str  # "right" | "down"
    flow: str
    canvas: Canvas
    lanes: tuple[Box, ...]
    composite: Box | None
    source: Spec
    matrix: Box | None = None  # role matrix: header, label, cell and total boxes, row-major

    def boxes(self) -> list[Box]:
        out: list[Box] = []
        for lane in self.lanes:
            out.extend(lane.walk())
        if self.composite is not None:
            out.extend(self.composite.walk())
        if self.matrix is not None:
            out.extend(self.matrix.walk())
        return out


def slugify(text: str) -> str:
    """`First Contact Resolution` → `first-contact-resolution` (ASCII, for ids and CSS)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "node"


class _Ids:
    """Hands out unique ids: explicit ones are reserved first, slugs avoid them."""

    def __init__(self, reserved: set[str]) -> None:
        self.taken = set(reserved)

    def slug(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.taken or f"{candidate}-question" in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.taken.add(candidate)
        return candidate


def _explicit_ids(spec: Spec) -> set[str]:
    ids: set[str] = set()

    def visit(n: NodeSpec) -> None:
        if n.id:
            ids.add(n.id)
        for c in n.items:
            visit(c)

    for lane in spec.lanes:
        visit(lane)
    if spec.composite is not None:
        visit(spec.composite)
    if spec.matrix is not None:
        ids.update(row.id for row in spec.matrix.rows if row.id)
    return ids


def build_tree(spec: Spec) -> Diagram:
    ids = _Ids(_explicit_ids(spec))

    def build(n: NodeSpec, tier: int, lane: int) -> Box:
        box_id = n.id or ids.slug(slugify(n.label or ("operator" if n.operator else "node")))
        if n.operator:
            role = "operator"
        elif n.role:
            role = n.role
        else:
            role = TIER_ROLES[tier] if tier < len(TIER_ROLES) else "metric"
        default_layout = "row" if tier == 0 and spec.direction == "down" else "stack"
        children = tuple(build(c, tier + 1, lane) for c in n.items)
        return Box(
            id=box_id,
            role=role,
            tier=tier,
            lane=lane,
            label=n.label,
            caption=n.caption,
            metric=n.metric,
            details=n.details,
            question=n.question,
            operator=n.operator,
            layout=n.layout or default_layout,
            grid_columns=n.grid_columns or 2,
            emphasis=n.emphasis,
            children=children,
            source=n,
        )

    lanes = tuple(build(n, 0, i) for i, n in enumerate(spec.lanes))
    matrix = _matrix(spec.matrix, ids) if spec.matrix is not None else None
    composite = None
    if spec.composite is not None:
        c = build(spec.composite, 0, len(lanes))
        if spec.composite.role is None:
            c = _with_role(c, "impact")
        composite = c
    return Diagram(
        title=spec.title,
        subtitle=spec.subtitle,
        footnote=spec.footnote,
        direction=spec.direction,
        flow=spec.flow,
        canvas=spec.canvas,
        lanes=lanes,
        composite=composite,
        source=spec,
        matrix=matrix,
    )


def _cell(box_id: str, role: str, label: str | None, caption: str | None = None) -> Box:
    return Box(
        id=box_id, role=role, tier=1, lane=0, label=label, caption=caption, metric=None,
        details=(), question=None, operator=None, layout="stack", grid_columns=1,
        emphasis=False, children=(), source=None,
    )  # fmt: skip


def _matrix(m: MatrixSpec, ids: _Ids) -> Box:
    """The matrix as one box of cells, row-major: the header row, then each row.

    Cell boxes carry no scores yet; the scorecard stage fills them in.
    """
    matrix_id = ids.slug("matrix")  # first, so the contract's `node-matrix` is never taken
    weighted = m.weights is not None and len(set(m.weights)) > 1
    cells: list[Box] = []
    crit_ids = [slugify(c) for c in m.criteria]
    for i, c in enumerate(m.criteria):
        caption = f"weight {_num(m.weights[i])}" if weighted and m.weights else None
        cells.append(_cell(ids.slug(f"header-{crit_ids[i]}"), "header", c, caption))
    if m.total != "none":
        cells.append(_cell(ids.slug("header-total"), "header", "Total"))
    for row in m.rows:
        row_id = row.id or ids.slug(slugify(row.label))
        cells.append(_cell(row_id, "label", row.label))
        for j in range(len(m.criteria)):
            cells.append(_cell(ids.slug(f"{row_id}-{crit_ids[j]}"), "cell", None))
        if m.total != "none":
            cells.append(_cell(ids.slug(f"{row_id}-total"), "total", None))
    cols = 1 + len(m.criteria) + (1 if m.total != "none" else 0)
    return Box(
        id=matrix_id, role="matrix", tier=0, lane=0, label=None, caption=None,
        metric=None, details=(), question=None, operator=None, layout="grid",
        grid_columns=cols, emphasis=False, children=tuple(cells), source=None,
    )  # fmt: skip


def _num(x: float) -> str:
    return f"{x:g}"


def _with_role(box: Box, role: str) -> Box:
    from dataclasses import replace

    return replace(box, role=role)
