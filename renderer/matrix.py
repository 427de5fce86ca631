"""Layout of a scoring matrix: a header row of criteria, then one row per segment.

Columns: row labels, one equal-width column per criterion, and the total.
Every row has one height and every cell is centred, so the eye can run along
a row or down a column. Spare width from a fixed canvas widens the criteria
columns (up to MAX_STRETCH), never the text.
"""

from __future__ import annotations

from renderer.layout import MAX_STRETCH, Body, Placed, Rect, Typesetter
from renderer.theme import Theme
from renderer.tree import Box

CELL_GAP_RATIO = 0.4  # gap between cells, as a share of the theme's gap
CRITERION_MAX_EMS = 9.0  # a criterion header wraps beyond this many ems
LABEL_MAX_EMS = 16.0  # a row label wraps beyond this many ems


def matrix_body(matrix: Box, theme: Theme, extra: float) -> Body:
    t = Typesetter(theme)
    pad = theme.spacing.padding
    gap = theme.spacing.gap * CELL_GAP_RATIO
    cols = matrix.grid_columns
    cells = matrix.children
    header = [c for c in cells if c.role == "header"]
    rows = [cells[i : i + cols] for i in range(len(header), len(cells), cols)]

    def need(box: Box, max_ems: float) -> float:
        parts = t.parts(box)
        if not parts:
            return 0.0
        return min(t.natural(parts), max_ems * parts[0].size)

    label_w = max((need(r[0], LABEL_MAX_EMS) for r in rows), default=0.0) + 2 * pad
    score_w = (
        max(
            [need(c, CRITERION_MAX_EMS) for c in header]
            + [need(c, CRITERION_MAX_EMS) for r in rows for c in r[1:]]
        )
        + 2 * pad
    )
    n_score = cols - 1
    grow = min(extra / max(n_score, 1), score_w * (MAX_STRETCH - 1)) if extra > 0 else 0.0
    score_w += grow
    widths = [label_w] + [score_w] * n_score

    def height(box: Box, w: float) -> float:
        parts = t.parts(box)
        return t.block(parts, w - 2 * pad)[1] + 2 * pad if parts else 2 * pad

    head_h = max(height(c, score_w) for c in header)
    row_h = max((height(c, w) for r in rows for c, w in zip(r, widths, strict=True)), default=0.0)

    placed: list[Placed] = []

    def place(box: Box, x: float, y: float, w: float, h: float) -> None:
        parts = t.parts(box)
        lines, block_h = t.block(parts, w - 2 * pad)
        own, _ = t.emit(lines, x + pad, w - 2 * pad, y + (h - block_h) / 2, parts)
        placed.append(Placed(box, Rect(x, y, w, h), tuple(own), ()))

    x = label_w + gap
    for c in header:
        place(c, x, 0.0, score_w, head_h)
        x += score_w + gap
    y = head_h + gap
    for r in rows:
        x = 0.0
        for c, w in zip(r, widths, strict=True):
            place(c, x, y, w, row_h)
            x += w + gap
        y += row_h + gap
    width = sum(widths) + gap * (cols - 1)
    height_total = y - gap
    frame = Placed(matrix, Rect(0.0, 0.0, width, height_total), (), tuple(placed))
    return Body(width, height_total, (frame,), ())
