"""Scores: what each box's data says on the spec's score scale, and why.

This stage sits beside the box tree: it reads a `Diagram` and returns a
`ScoreReport` that the scene uses for fills and score text, and that
`tierdraw explain` prints. Every number carries a one-line `how`, because a
scorecard a reader cannot audit is a scorecard nobody trusts.

Rules (the contract's, plus the edge cases it leaves open):

- A leaf's score is its `score` if given; else `value` against `benchmark`
  (or `target` when there is no benchmark) as a ratio mapped onto the range:
  ratio 1 → midpoint, 2 or more → top, 0 or less → bottom, linear between.
  `better: higher` → value / ref, `better: lower` → ref / value.
- Ratios never divide by zero and never go negative (see `_ratio`):
  value = ref → 1 (so value = ref = 0 is the midpoint); lower-is-better with a
  positive ref and value ≤ 0 → top; ref 0 → top, bottom or midpoint by which
  side of 0 the value is on. A negative ref has no meaningful quotient, so
  the ratio there is 1 ± (value − ref) / |ref| (1 at the ref, one |ref|
  better → 2, one |ref| worse → 0), which equals value / ref whenever the
  ref is positive. The ratio is then clamped into [0, 2].
- A parent's score is its own `score`, else its own value against its
  benchmark/target, else the roll-up of its children that have scores
  (operators skipped): `weighted-mean` Σw·s/Σw, `min`, or `none` (parents get
  no score). A parent none of whose children has a score has none.
- The composite's `formula` wins over any other data on it; ids resolve to
  the scores of the lanes' boxes and of the composite's own children. Its
  result is NOT clamped to the range: an index like `a * b / 100` is the
  author's own scale, and clamping would hide that. `ramp_step` clamps when
  colouring it.
- Matrix totals: `weighted-mean` Σw·s/Σw; `sum` Σw·s (with the default
  weights of 1 that is the plain sum; given weights are honoured rather than
  silently ignored); `none` → no totals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from renderer.errors import SpecErrors
from renderer.formula import error_loc, evaluate, parse_formula
from renderer.spec.model import MatrixSpec, NodeSpec, ScoreSettings
from renderer.tree import Box, Diagram


@dataclass(frozen=True)
class Scored:
    score: float | None  # on the scores range; None = no score
    how: str  # one line saying how it was derived, for `tierdraw explain`


@dataclass(frozen=True)
class ScoreReport:
    range: tuple[float, float]
    # By box id, in document order: the non-operator boxes of the lanes and the
    # composite (under the composite's id, its formula result).
    # Boxes with no data and no scored descendants are left out; a box with data
    # but no score (a value without a benchmark, a parent under `rollup: none`) is
    # kept with score None, so `explain` can say why it has none.
    nodes: Mapping[str, Scored]
    weakest: str | None  # lowest-scoring leaf when highlight == "weakest"
    composite: Scored | None
    matrix_totals: tuple[Scored, ...]
    settings: ScoreSettings


# --- numbers for humans ----------------------------------------------------------


def _num(x: float) -> str:
    """Up to 2 decimals, trailing zeros trimmed, thousands separated: 0.9, 1.25, 1,250.

    Values below 1 keep 2 significant digits instead, so 0.0042 does not read as 0.
    """
    if not math.isfinite(x):
        return str(x)
    if x != 0 and abs(x) < 1:
        digits = min(2 - math.floor(math.log10(abs(x))) - 1, 12)
        text = f"{x:.{max(digits, 2)}f}"
    else:
        text = f"{x:,.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: float, unit: str | None) -> str:
    """A value with its unit as a reader expects it: `94%`, `$1,250`, `-$5`, `20 h`."""
    if unit == "$":
        return f"-${_num(-value)}" if value < 0 else f"${_num(value)}"
    if unit == "%":
        return f"{_num(value)}%"
    if unit:
        return f"{_num(value)} {unit}"
    return _num(value)


def _s(score: float) -> str:
    """Scores are shown with one decimal everywhere, so columns of them line up."""
    return f"{score:.1f}"


def _w(weight: float) -> str:
    return _num(weight)


# --- arithmetic that cannot overflow or divide by zero ---------------------------


def _lerp(lo: float, hi: float, t: float) -> float:
    span = hi - lo
    if math.isfinite(span):
        return lo + span * t
    return lo * (1 - t) + hi * t  # a range near the float limits


def _fraction(score: float, lo: float, hi: float) -> float:
    """Where `score` sits in [lo, hi] as 0..1 (unclamped), robust to huge ranges."""
    scale = max(abs(lo), abs(hi), 1.0)
    a, b, s = lo / scale, hi / scale, score / scale
    return (s - a) / (b - a)


def _weighted_mean(pairs: Sequence[tuple[float, float]]) -> float:
    """Σw·s/Σw as a convex combination, so no partial sum can overflow."""
    top = max(w for w, _ in pairs)
    ws = [w / top if top > 0 else 1.0 for w, _ in pairs]
    total = sum(ws)
    return sum(w / total * s for w, (_, s) in zip(ws, pairs, strict=True))


def ramp_step(score: float, rng: tuple[float, float], steps: int) -> int:
    """Index into a ramp of `steps` colours (weak → strong) in equal bands.

    Scores outside the range (a composite is not clamped) take the end colours;
    the top of the range belongs to the last band.
    """
    if steps < 1:
        raise ValueError(f"a ramp needs at least one step, got {steps}")
    lo, hi = rng
    if math.isnan(score) or hi <= lo:
        return 0
    t = min(max(_fraction(score, lo, hi), 0.0), 1.0)
    return min(int(t * steps), steps - 1)


# --- leaves ----------------------------------------------------------------------


def _ratio(value: float, ref: float, better: str) -> tuple[float, str]:
    """The value's ratio to its reference (unclamped) and how to say it."""
    lower = better == "lower"
    if value == ref:
        return 1.0, "equal → ratio 1.00"
    if ref > 0:
        if not lower:
            r = value / ref
            return r, f"ratio {r:.2f}"
        if value > 0:
            r = ref / value
            return r, f"ratio {r:.2f}"
        return 2.0, f"value at or below 0 → top of range (ratio {2.0:.2f})"
    if ref == 0:
        good = value < 0 if lower else value > 0
        side = "below" if value < 0 else "above"
        where = "top" if good else "bottom"
        return (2.0 if good else 0.0), f"reference 0 and value {side} it → {where} of range"
    # Negative reference: the distance from it in multiples of |ref|.
    r = 1 + ((ref - value) if lower else (value - ref)) / abs(ref)
    sign = "(ref − value)" if lower else "(value − ref)"
    return r, f"ratio 1 + {sign} / |ref| = {r:.2f}"


def _clamped(ratio: float, note: str) -> tuple[float, str]:
    if ratio > 2:
        return 2.0, f"{note}, capped at 2"
    if ratio < 0:
        return 0.0, f"{note}, raised to 0"
    return ratio, note


def _own(n: NodeSpec, lo: float, hi: float) -> Scored | None:
    """A box's score from its own data, or None when its data gives none."""
    if n.score is not None:
        return Scored(n.score, f"given score {_num(n.score)}")
    ref, ref_name = (n.benchmark, "benchmark") if n.benchmark is not None else (n.target, "target")
    if n.value is None or ref is None:
        return None
    ratio, note = _clamped(*_ratio(n.value, ref, n.better))
    score = _lerp(lo, hi, ratio / 2)
    return Scored(
        score,
        f"value {format_value(n.value, n.unit)} vs {ref_name} {format_value(ref, n.unit)},"
        f" {n.better} is better: {note} → {_s(score)}",
    )


def _why_none(n: NodeSpec) -> str | None:
    """Why a box with some data has no score; None when it has no data at all."""
    if n.value is not None:
        return f"value {format_value(n.value, n.unit)} with no benchmark or target: no score"
    ref = n.benchmark if n.benchmark is not None else n.target
    if ref is not None:
        name = "benchmark" if n.benchmark is not None else "target"
        return f"{name} {format_value(ref, n.unit)} with no value: no score"
    return None


# --- roll-ups --------------------------------------------------------------------


def _children_phrase(count: int, skipped: int) -> str:
    noun = "child" if count == 1 else "children"
    extra = f" ({skipped} without a score skipped)" if skipped else ""
    return f"{count} {noun}{extra}"


def _rollup(rollup: str, scored: list[tuple[float, float]], skipped: int) -> Scored:
    """Combine (weight, score) pairs of a parent's scored children."""
    phrase = _children_phrase(len(scored), skipped)
    if rollup == "none":
        return Scored(None, "rollup: none, so parents get no score")
    if rollup == "min":
        low = min(s for _, s in scored)
        return Scored(low, f"min of {phrase} = {_s(low)}")
    mean = _weighted_mean(scored)
    if len(scored) == 1:
        return Scored(mean, f"weighted mean of {phrase}: {_s(mean)}")
    return Scored(mean, f"weighted mean of {phrase}: {_mean_text(scored)} = {_s(mean)}")


def _mean_text(pairs: Sequence[tuple[float, float]]) -> str:
    """`(2×88.6 + 1×76.9) / 3`, or `(53.4 + 55.7) / 2` when every weight is 1."""
    if all(w == 1 for w, _ in pairs):
        return f"({' + '.join(_s(s) for _, s in pairs)}) / {len(pairs)}"
    terms = " + ".join(f"{_w(w)}×{_s(s)}" for w, s in pairs)
    return f"({terms}) / {_w(sum(w for w, _ in pairs))}"


_PENDING = Scored(None, "")


class _Scorer:
    def __init__(self, settings: ScoreSettings) -> None:
        self.settings = settings
        self.lo, self.hi = settings.range
        self.nodes: dict[str, Scored] = {}
        self.values: dict[str, float | None] = {}  # every non-operator box, for formulas

    def box(self, box: Box) -> Scored | None:
        """Score a box and its subtree, recording each in document order."""
        return self._box(box)[0]

    def _box(self, box: Box) -> tuple[Scored | None, bool]:
        """The box's Scored, and whether anything in its subtree has a score."""
        n = box.source
        self.values[box.id] = None
        self.nodes[box.id] = _PENDING  # holds the parent's place before its children
        scored_children: list[tuple[float, float]] = []
        skipped = 0
        scored_below = False
        for child in box.children:
            if child.is_operator:
                continue
            child_result, child_below = self._box(child)
            scored_below = scored_below or child_below
            if child_result is not None and child_result.score is not None:
                scored_children.append((child.source.weight, child_result.score))
            else:
                skipped += 1
        result = _own(n, self.lo, self.hi)
        if result is None and scored_children:
            result = _rollup(self.settings.rollup, scored_children, skipped)
        if result is None and scored_below and self.settings.rollup == "none":
            result = Scored(None, "rollup: none, so parents get no score")
        if result is None:
            why = _why_none(n)
            result = Scored(None, why) if why is not None else None
        self._record(box.id, result)
        has_score = result is not None and result.score is not None
        return result, has_score or scored_below

    def _record(self, box_id: str, result: Scored | None) -> None:
        if result is None:
            del self.nodes[box_id]
        else:
            self.nodes[box_id] = result
            self.values[box_id] = result.score

    def composite(self, box: Box) -> Scored | None:
        n = box.source
        if n.formula is None:
            return self.box(box)
        self.nodes[box.id] = _PENDING
        for child in box.children:
            if not child.is_operator:
                self.box(child)
        loc = n.formula_loc or n.loc_of("formula")
        formula = parse_formula(n.formula, loc)
        for ref in formula.refs():
            if ref.id == box.id:
                raise SpecErrors.one(
                    error_loc(loc, formula.text, ref.col),
                    f"formula: '{ref.id}' is the composite itself; a formula cannot use"
                    " its own result",
                )
        result = evaluate(formula, self.values, loc)
        text = " ".join(formula.text.split())
        if formula.ids():
            used = {i: v for i, v in self.values.items() if v is not None}
            how = f"formula {text} = {formula.substitute(used)} = {_s(result)}"
        else:
            how = f"formula {text} = {_s(result)}"
        scored = Scored(result, how)
        self.nodes[box.id] = scored
        return scored


def _weakest(lanes: Sequence[Box], nodes: Mapping[str, Scored]) -> str | None:
    """The lowest-scoring leaf of the lanes (the composite is an index, not a metric)."""
    best: tuple[float, str] | None = None
    for lane in lanes:
        for box in lane.walk():
            if box.is_operator or any(not c.is_operator for c in box.children):
                continue
            scored = nodes.get(box.id)
            if scored is None or scored.score is None:
                continue
            if best is None or scored.score < best[0]:
                best = (scored.score, box.id)
    return None if best is None else best[1]


def _matrix_totals(matrix: MatrixSpec) -> tuple[Scored, ...]:
    if matrix.total == "none":
        return ()
    count = len(matrix.criteria)
    weights = matrix.weights or (1.0,) * count
    noun = "criterion" if count == 1 else "criteria"
    out: list[Scored] = []
    for row in matrix.rows:
        pairs = list(zip(weights, row.scores, strict=False))
        if not pairs:
            out.append(Scored(None, "no scores"))
            continue
        if matrix.total == "sum":
            total = sum(w * s for w, s in pairs)
            if not math.isfinite(total):
                raise SpecErrors.one(
                    matrix.loc,
                    f"the total of row '{row.label}' is too large to compute:"
                    " use weights and scores of sensible size",
                )
            if all(w == 1 for w, _ in pairs):
                terms = " + ".join(_num(s) for _, s in pairs)
            else:
                terms = " + ".join(f"{_w(w)}×{_num(s)}" for w, s in pairs)
            out.append(Scored(total, f"sum of {len(pairs)} {noun}: {terms} = {_num(total)}"))
        else:
            mean = _weighted_mean(pairs)
            terms = " + ".join(f"{_w(w)}×{_num(s)}" for w, s in pairs)
            out.append(
                Scored(
                    mean,
                    f"weighted mean of {len(pairs)} {noun}: ({terms}) /"
                    f" {_w(sum(w for w, _ in pairs))} = {_num(mean)}",
                )
            )
    return tuple(out)


def score_diagram(diagram: Diagram) -> ScoreReport:
    """Score every box, the composite and the matrix; raise `SpecErrors` on a bad formula."""
    spec = diagram.source
    settings = spec.scores or ScoreSettings()
    scorer = _Scorer(settings)
    for lane in diagram.lanes:
        scorer.box(lane)
    composite = scorer.composite(diagram.composite) if diagram.composite is not None else None
    nodes = scorer.nodes
    weakest = _weakest(diagram.lanes, nodes) if settings.highlight == "weakest" else None
    totals = _matrix_totals(spec.matrix) if spec.matrix is not None else ()
    return ScoreReport(
        range=settings.range,
        nodes=MappingProxyType(nodes),
        weakest=weakest,
        composite=composite,
        matrix_totals=totals,
        settings=settings,
    )


# --- explain ---------------------------------------------------------------------


def _label(box: Box) -> str:
    return " ".join((box.label or box.id).split())


def explain(diagram: Diagram, report: ScoreReport) -> str:
    """The audit trail: every scored box with its score and how it was derived."""
    Row = tuple[str, str, str]  # label (indented), score, how

    def visit(box: Box, depth: int, rows: list[Row]) -> list[Row]:
        if box.is_operator:
            return rows
        scored = report.nodes.get(box.id)
        if scored is not None:
            score = "—" if scored.score is None else _s(scored.score)
            rows.append(("  " * depth + _label(box), score, scored.how))
        for child in box.children:
            visit(child, depth + 1, rows)
        return rows

    lane_rows: list[Row] = []
    for lane in diagram.lanes:
        visit(lane, 0, lane_rows)
    composite_rows = visit(diagram.composite, 0, []) if diagram.composite is not None else []
    matrix = diagram.source.matrix
    matrix_rows: list[Row] = []
    if matrix is not None:
        for row, total in zip(matrix.rows, report.matrix_totals, strict=False):
            score = "—" if total.score is None else f"{total.score:.2f}"
            matrix_rows.append((" ".join(row.label.split()), score, total.how))

    everything = lane_rows + composite_rows + matrix_rows
    width = max((len(label) for label, _, _ in everything), default=0) + 2
    swidth = max((len(score) for _, score, _ in everything), default=0)

    def line(row: Row) -> str:
        label, score, how = row
        return f"{label:<{width}}{score:>{swidth}}  {how}"

    s = report.settings
    lo, hi = report.range
    out: list[str] = []
    if diagram.lanes or diagram.composite is not None:
        out.append(
            f"Scores on {_num(lo)}–{_num(hi)} (rollup: {s.rollup}, highlight: {s.highlight})"
        )
        if not report.nodes:
            out.append("No box has a score, a value with a benchmark or target, or a formula.")
        out.extend(line(r) for r in lane_rows)
        weakest = report.nodes.get(report.weakest) if report.weakest is not None else None
        if weakest is not None and weakest.score is not None:
            box = next(b for b in diagram.boxes() if b.id == report.weakest)
            out.append(f"Weakest: {_label(box)} ({_s(weakest.score)})")
        out.extend(line(r) for r in composite_rows)
    if matrix is not None:
        mlo, mhi = matrix.range
        out.append(f"Matrix totals on {_num(mlo)}–{_num(mhi)} (total: {matrix.total})")
        if not matrix_rows:
            out.append("No totals (total: none).")
        out.extend(line(r) for r in matrix_rows)
    return "\n".join(out) + "\n"
