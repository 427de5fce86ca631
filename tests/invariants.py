"""Geometry and palette invariants every rendered diagram must satisfy.

Each check returns a list of human-readable violations (empty = fine), so a
failing test says exactly which boxes are wrong.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise

from renderer.layout import Rect
from renderer.scene import Scene, SceneNode
from renderer.text.measure import font_metrics

EPS = 0.01


def _overlap(a: Rect, b: Rect) -> bool:
    return (
        a.x < b.right - EPS
        and b.x < a.right - EPS
        and a.y < b.bottom - EPS
        and b.y < a.bottom - EPS
    )


def _inside(inner: Rect, outer: Rect) -> bool:
    return (
        inner.x >= outer.x - EPS
        and inner.y >= outer.y - EPS
        and inner.right <= outer.right + EPS
        and inner.bottom <= outer.bottom + EPS
    )


def with_ancestors(scene: Scene) -> Iterator[tuple[SceneNode, tuple[str, ...], int]]:
    """Every node with the ids of its ancestors and the index of its top-level lane."""

    def go(n: SceneNode, anc: tuple[str, ...], lane: int) -> Iterator:
        yield n, anc, lane
        for c in n.children:
            yield from go(c, (*anc, n.id), lane)

    for i, top in enumerate(scene.nodes):
        yield from go(top, (), i)


def overlaps(scene: Scene) -> list[str]:
    nodes = list(with_ancestors(scene))
    out = []
    for i, (a, anc_a, _) in enumerate(nodes):
        for b, anc_b, _ in nodes[i + 1 :]:
            if a.id in anc_b or b.id in anc_a:
                continue
            if _overlap(a.rect, b.rect):
                out.append(f"{a.id} {a.rect} overlaps {b.id} {b.rect}")
    return out


def children_inside_parents(scene: Scene) -> list[str]:
    out = []
    for n, _, _ in with_ancestors(scene):
        for c in n.children:
            if not _inside(c.rect, n.rect):
                out.append(f"{c.id} {c.rect} sticks out of {n.id} {n.rect}")
    return out


def text_extent(t, family: str = "Inter") -> Rect:
    m = font_metrics(t.size, t.bold, family)
    return Rect(t.x, t.y - m.ascent, t.width, m.ascent + m.descent)


def text_outside_boxes(scene: Scene) -> list[str]:
    out = []
    for n, _, _ in with_ancestors(scene):
        for t in n.texts:
            ext = text_extent(t, scene.font_family)
            if not _inside(ext, n.rect):
                out.append(f"text {t.text!r} {ext} outside {n.id} {n.rect}")
            for c in n.children:
                if _overlap(ext, c.rect):
                    out.append(f"text {t.text!r} of {n.id} runs into child {c.id}")
    return out


def outside_canvas(scene: Scene) -> list[str]:
    canvas = Rect(0, 0, scene.width, scene.height)
    out = [
        f"{n.id} {n.rect} outside canvas"
        for n, _, _ in with_ancestors(scene)
        if not _inside(n.rect, canvas)
    ]
    out += [
        f"text {t.text!r} outside canvas"
        for t in scene.all_texts()
        if not _inside(text_extent(t, scene.font_family), canvas)
    ]
    return out


def unequal_tier_widths(scene: Scene) -> list[str]:
    """Boxes of one tier in one lane share one width; all question boxes share one."""
    widths: dict[tuple[int, int, str], set[float]] = defaultdict(set)
    questions: set[float] = set()
    matrix = any(n.role == "matrix" for n in scene.nodes)
    for n, _, lane in with_ancestors(scene):
        if n.role == "operator":
            continue
        if n.role == "question" and n.id.endswith("-question"):  # a node's question box
            questions.add(round(n.rect.w, 2))
        else:  # hierarchies: one width per tier; matrices: per tier and role (column kind)
            widths[(lane, n.tier, n.role if matrix else "")].add(round(n.rect.w, 2))
    out = [
        f"lane {k[0]} tier {k[1]} {k[2]} widths {sorted(v)}"
        for k, v in widths.items()
        if len(v) > 1
    ]
    if len(questions) > 1:
        out.append(f"question widths {sorted(questions)}")
    return out


def unequal_font_sizes(scene: Scene) -> list[str]:
    sizes: dict[tuple[int, str, str], set[float]] = defaultdict(set)
    for n, _, _ in with_ancestors(scene):
        for t in n.texts:
            sizes[(n.tier, n.role, t.kind)].add(round(t.size, 2))
    return [
        f"tier {k[0]} role {k[1]} {k[2]} sizes {sorted(v)}" for k, v in sizes.items() if len(v) > 1
    ]


def svg_colours(svg: bytes) -> set[str]:
    return {m.lower() for m in re.findall(r"#[0-9a-fA-F]{6}\b", svg.decode())}


def all_problems(scene: Scene) -> list[str]:
    return (
        overlaps(scene)
        + children_inside_parents(scene)
        + text_outside_boxes(scene)
        + outside_canvas(scene)
        + unequal_tier_widths(scene)
        + unequal_font_sizes(scene)
    )


# --- explicit roles -----------------------------------------------------------
# A node may take any role explicitly (`role: question`, `role: operator`), and
# it is still a box of its tier. Only the boxes the renderer makes for a
# node's `question` and for operator signs have widths of their own.


def paired_question_ids(scene: Scene) -> set[str]:
    """Question boxes drawn for a node's `question`: placed just before that node."""
    ids: set[str] = set()
    groups = [scene.nodes] + [n.children for n in scene.walk()]
    for siblings in groups:
        for q, n in pairwise(siblings):
            if q.role == "question" and q.id == f"{n.id}-question":
                ids.add(q.id)
    return ids


def is_operator_sign(n: SceneNode) -> bool:
    return any(t.kind == "operator" for t in n.texts)


def unequal_tier_widths_by_kind(scene: Scene) -> list[str]:
    """Like `unequal_tier_widths`, telling paired questions and operator signs
    from nodes that merely carry the role `question` or `operator`."""
    paired = paired_question_ids(scene)
    widths: dict[tuple[int, int], set[float]] = defaultdict(set)
    questions: set[float] = set()
    for n, _, lane in with_ancestors(scene):
        if is_operator_sign(n):
            continue
        if n.id in paired:
            questions.add(round(n.rect.w, 2))
        else:
            widths[(lane, n.tier)].add(round(n.rect.w, 2))
    out = [f"lane {k[0]} tier {k[1]} widths {sorted(v)}" for k, v in widths.items() if len(v) > 1]
    if len(questions) > 1:
        out.append(f"question widths {sorted(questions)}")
    return out


def all_problems_by_kind(scene: Scene) -> list[str]:
    """`all_problems` for specs that may give any node any role."""
    return (
        overlaps(scene)
        + children_inside_parents(scene)
        + text_outside_boxes(scene)
        + outside_canvas(scene)
        + unequal_tier_widths_by_kind(scene)
        + unequal_font_sizes(scene)
    )
