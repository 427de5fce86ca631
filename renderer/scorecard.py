"""Attach computed scores to the box tree, deciding what each box shows.

Scoring (renderer/scores.py) says what the numbers are; this stage says which
of them a box displays (`scores.show`), marks the weakest leaf, and fills the
matrix cells, so layout and scene only read `Box.data`.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from renderer.scores import ScoreReport, format_value
from renderer.spec.model import MatrixSpec
from renderer.tree import Box, BoxData, Diagram

DEFAULT_SHOW = ("value", "benchmark", "target", "score")
"""What boxes show when `scores.show` is not given: whatever data they have (no bars)."""


def annotate(diagram: Diagram, report: ScoreReport) -> Diagram:
    show = report.settings.show if report.settings.show is not None else DEFAULT_SHOW

    def data_for(box: Box) -> BoxData | None:
        n = box.source
        if n is None or box.is_operator:
            return None
        scored = report.nodes.get(box.id)
        score = scored.score if scored is not None else None
        ref = n.benchmark if n.benchmark is not None else n.target
        data = BoxData(
            score=score,
            range=report.range,
            value=format_value(n.value, n.unit)
            if n.value is not None and "value" in show
            else None,
            benchmark=(
                format_value(n.benchmark, n.unit)
                if n.benchmark is not None and "benchmark" in show
                else None
            ),
            target=(
                format_value(n.target, n.unit)
                if n.target is not None and "target" in show
                else None
            ),
            show_score=score is not None and "score" in show,
            bar=(n.value, ref)
            if "bar" in show and n.value is not None and ref is not None
            else None,
            weakest=box.id == report.weakest,
            formula=n.formula,
        )
        return data if data != BoxData(range=report.range) else None

    def visit(box: Box) -> Box:
        data = data_for(box)
        return replace(
            box,
            data=data,
            emphasis=box.emphasis or (data is not None and data.weakest),
            children=tuple(visit(c) for c in box.children),
        )

    matrix = diagram.matrix
    if matrix is not None:
        matrix = _matrix(diagram, matrix, report)
    return replace(
        diagram,
        lanes=tuple(visit(b) for b in diagram.lanes),
        composite=visit(diagram.composite) if diagram.composite is not None else None,
        matrix=matrix,
    )


def _matrix(diagram: Diagram, matrix: Box, report: ScoreReport) -> Box:
    """Cells get their scores as labels and data; totals get the computed totals."""
    spec = diagram.source.matrix
    assert spec is not None
    rng = spec.range
    rows = iter(spec.rows)
    totals = iter(report.matrix_totals)
    criteria = iter(())
    out: list[Box] = []
    for cell in matrix.children:
        if cell.role == "label":
            row = next(rows)
            criteria = iter(row.scores)
            out.append(cell)
        elif cell.role == "cell":
            score = next(criteria)
            data = BoxData(score=score, range=rng, show_score=True)
            out.append(replace(cell, label=data.score_text(), data=data))
        elif cell.role == "total":
            total = next(totals).score
            # A total reads with the precision of its cells' range, however wide its own.
            data = BoxData(
                score=total,
                range=_total_range(spec, rng),
                show_score=True,
                decimals=BoxData(range=rng).places(),
            )
            out.append(replace(cell, label=data.score_text(), data=data))
        else:
            out.append(cell)
    return replace(matrix, children=tuple(out))


def _total_range(spec: MatrixSpec, rng: tuple[float, float]) -> tuple[float, float]:
    """A (weighted) sum spans the range times the total weight; a mean spans the range."""
    if spec.total == "sum":
        n = sum(spec.weights) if spec.weights else len(spec.criteria)
        big = sys.float_info.max  # absurd weights must not make the range infinite
        return (max(rng[0] * n, -big), min(rng[1] * n, big))
    return rng
