"""Scorecards and matrices nobody has seen: random data keeps every guarantee.

Random hierarchies whose boxes carry random data (values, benchmarks, targets,
units, directions, weights and given scores, with 0, negatives and tiny and
huge numbers among them) under random `scores` settings, with an optional
composite whose formula combines existing ids and numbers; and random
matrices. Each is rendered in-process and must keep the layout invariants
and the palette, draw each box's score where it is shown, fill it from the
ramp and keep its text readable. The only error allowed is a formula dividing
by zero.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from renderer.colour import contrast
from renderer.errors import SpecErrors
from renderer.render import Rendered
from renderer.scene import SceneNode
from renderer.scores import ramp_step, score_diagram
from renderer.tree import Diagram, build_tree

from invariants import all_problems, svg_colours
from test_layout_properties import LONG_WORDS, render_text, undrawn_words, words

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

EDGE_NUMBERS = (0, 0, -5, -0.5, 0.0042, 1, 2.5, 100, 1250, 1_000_000)
UNITS = ("%", "$", "h", "pts", "per account/mo", "min")
RANGES = ((0, 100), (1, 10), (1, 5), (-50, 50), (0, 1), (-1000, 0))
SHOW = ("value", "benchmark", "target", "score", "bar")
CANVASES = ("auto", "slide-16x9", "slide-4x3", "a4-landscape")
MAX_NODES = 28


def numbers() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from(EDGE_NUMBERS),
        st.integers(-200, 2000),
        st.floats(-500, 500, allow_nan=False).map(lambda x: round(x, 2)),
    )


@st.composite
def score_in(draw: st.DrawFn, rng: tuple[float, float]) -> float:
    lo, hi = rng
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return lo
    if kind == 1:
        return hi
    return round(draw(st.floats(lo, hi, allow_nan=False)), 1 if hi - lo <= 10 else 0)


# --------------------------------------------------------------------------- scorecards


class Tree:
    """What the generator knows about the nodes it wrote: ids that surely have a score."""

    def __init__(self) -> None:
        self.budget = MAX_NODES
        self.count = 0
        self.scored_ids: list[str] = []


@st.composite
def data(draw: st.DrawFn, rng: tuple[float, float], leaf: bool) -> dict[str, Any]:
    """Random data for a box; a parent gets data only now and then."""
    out: dict[str, Any] = {}
    kind = draw(st.integers(0, 7 if leaf else 20))
    if kind == 0:
        return out  # no data at all
    if kind == 1:
        out["score"] = draw(score_in(rng))
    elif kind in (2, 3, 4):
        out["value"], out["benchmark"] = draw(numbers()), draw(numbers())
    elif kind == 5:
        out["value"], out["target"] = draw(numbers()), draw(numbers())
    elif kind == 6:
        out["value"] = draw(numbers())
        out["benchmark"], out["target"] = draw(numbers()), draw(numbers())
    elif kind == 7:
        out[draw(st.sampled_from(("value", "benchmark", "target")))] = draw(numbers())
    else:
        return out
    if draw(st.booleans()):
        out["unit"] = draw(st.sampled_from(UNITS))
    if draw(st.integers(0, 2)) == 0:
        out["better"] = draw(st.sampled_from(("higher", "lower")))
    return out


def has_own_score(n: dict[str, Any]) -> bool:
    ref = n.get("benchmark", n.get("target"))
    return "score" in n or ("value" in n and ref is not None)


@st.composite
def scored_node(
    draw: st.DrawFn, tier: int, max_tier: int, rng: tuple[float, float], rollup: str, t: Tree
) -> tuple[Any, bool]:
    """A node and whether it surely has a score."""
    t.budget -= 1
    t.count += 1
    n: dict[str, Any] = {"label": draw(words(1, 5))}
    node_id = f"n{t.count}" if draw(st.booleans()) else None
    if draw(st.integers(0, 3)) == 0:
        n["caption"] = draw(words(1, 4, breaks=False))
    count = draw(st.integers(0, 4)) if tier < max_tier else 0
    count = max(0, min(count, t.budget))
    items: list[Any] = []
    below = False
    for _ in range(count):
        if t.budget <= 0:
            break
        child, child_scored = draw(scored_node(tier + 1, max_tier, rng, rollup, t))
        items.append(child)
        below = below or child_scored
    n.update(draw(data(rng, leaf=not items)))
    if draw(st.integers(0, 3)) == 0:
        n["weight"] = draw(st.sampled_from((0.5, 1, 2, 3, 10, 0.001)))
    if items:
        n["items"] = items
    scored = has_own_score(n) or (below and rollup != "none")
    if node_id is not None:
        n["id"] = node_id
        if scored:
            t.scored_ids.append(node_id)
    if set(n) == {"label"} and draw(st.booleans()):
        return n["label"], scored
    return n, scored


@st.composite
def formulas(draw: st.DrawFn, ids: list[str], depth: int = 0) -> str:
    kind = draw(st.integers(0, 5 if depth < 3 else 1))
    if kind == 0 or (kind == 1 and not ids):
        return draw(st.sampled_from(("0", "1", "2", "100", "0.5", "3.25", "12")))
    if kind == 1:
        return draw(st.sampled_from(ids))
    if kind == 2:
        return f"({draw(formulas(ids, depth + 1))})"
    if kind == 3:
        return f"-{draw(formulas(ids, depth + 1))}"
    op = draw(st.sampled_from(("+", "-", "*", "/", "×", "÷", "−")))
    return f"{draw(formulas(ids, depth + 1))} {op} {draw(formulas(ids, depth + 1))}"


@st.composite
def scorecards(draw: st.DrawFn) -> str:
    rng = draw(st.sampled_from(RANGES))
    spec: dict[str, Any] = {"title": draw(words(1, 6, breaks=False))}
    settings_: dict[str, Any] = {}
    if rng != (0, 100) or draw(st.booleans()):
        settings_["range"] = list(rng)
    if draw(st.booleans()):
        # `show: []` has a test of its own (test_scorecard_render.py)
        settings_["show"] = draw(
            st.lists(st.sampled_from(SHOW), unique=True, min_size=1, max_size=5)
        )
    rollup = draw(st.sampled_from(("weighted-mean", "min", "none")))
    if rollup != "weighted-mean" or draw(st.booleans()):
        settings_["rollup"] = rollup
    if draw(st.booleans()):
        settings_["highlight"] = draw(st.sampled_from(("weakest", "none")))
    if settings_ or draw(st.booleans()):
        spec["scores"] = settings_
    canvas = draw(st.sampled_from(CANVASES))
    if canvas != "auto":
        spec["canvas"] = canvas
    t = Tree()
    max_tier = draw(st.integers(1, 3))
    lanes = []
    for _ in range(draw(st.integers(1, 4))):
        if t.budget <= 0:
            break
        lane, _ = draw(scored_node(0, max_tier, rng, rollup, t))
        lanes.append(lane)
    spec[draw(st.sampled_from(("columns", "tiers")))] = lanes
    if draw(st.sampled_from((True, True, False))):
        composite: dict[str, Any] = {"label": draw(words(1, 4, breaks=False))}
        composite["formula"] = draw(formulas(t.scored_ids))
        if draw(st.booleans()):
            composite["caption"] = draw(words(1, 4, breaks=False))
        spec["composite"] = composite
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=1000)


# --------------------------------------------------------------------------- checks


def readable(r: Rendered) -> list[str]:
    """Text colours against the fill they sit on (the parent's, for unfilled boxes)."""
    out: list[str] = []

    def visit(n: SceneNode, behind: str) -> None:
        under = n.style.fill or behind
        for t in n.texts:
            if contrast(t.colour, under) < 4.5:
                out.append(f"{n.id}: {t.text!r} {t.colour} on {under}")
        for c in n.children:
            visit(c, under)

    for n in r.scene.nodes:
        visit(n, r.theme.background)
    return out


def palette_problems(r: Rendered) -> list[str]:
    palette = set(r.theme.palette.values())
    stray = (svg_colours(r.svg) | r.scene.colours()) - palette
    return [f"colours outside the palette: {sorted(stray)}"] if stray else []


def score_problems(r: Rendered, diagram: Diagram) -> list[str]:
    """Each box shows its score, if shown, and the ramp colour of it; one weakest at most."""
    report = score_diagram(diagram)
    show = report.settings.show
    if show is None:  # the default: whatever data a box has
        show = ("value", "benchmark", "target", "score")
    ramp = r.theme.ramp
    out: list[str] = []
    nodes = {n.id: n for n in r.scene.walk()}
    flagged = [n.id for n in r.scene.walk() if any(t.kind == "flag" for t in n.texts)]
    if report.weakest is None:
        if flagged:
            out.append(f"flagged {flagged} with highlight {report.settings.highlight}")
    elif flagged != [report.weakest]:
        out.append(f"flagged {flagged}, the weakest is {report.weakest}")
    composite = diagram.composite.id if diagram.composite is not None else None
    for b in diagram.boxes():
        n = nodes[b.id]
        scored = report.nodes.get(b.id)
        score = scored.score if scored is not None else None
        own = [t.text for t in n.texts if t.kind == "score"]
        if score is None:
            if own:
                out.append(f"{b.id} has no score but shows one: {own}")
            if n.style.fill != r.theme.role(b.role).fill:
                out.append(f"{b.id} has no score but is filled {n.style.fill}")
            continue
        want = ramp[ramp_step(score, report.range, len(ramp))]
        if b.role != "lane" and n.style.fill != want:
            out.append(f"{b.id} ({score}) filled {n.style.fill}, expected {want}")
        shown = own
        if b.id == composite:
            continue
        lo, hi = report.range
        places = 0 if hi - lo > 10 else 1 if hi - lo > 1 else 2
        text = f"{score:.0f}" if score == round(score) else f"{score:.{places}f}"
        expected = [f"Score {text}"] if "score" in show else []
        if shown != expected:
            out.append(f"{b.id} ({score}) shows {shown}, expected {expected}")
    return out


def everything(r: Rendered, diagram: Diagram | None = None) -> list[str]:
    out = list(all_problems(r.scene))
    out += undrawn_words(r.spec, [t.text for t in r.scene.all_texts()])
    out += palette_problems(r)
    out += readable(r)
    if diagram is not None:
        out += score_problems(r, diagram)
    return out


@SETTINGS
@given(scorecards())
def test_random_scorecards_keep_invariants(text: str) -> None:
    note(text)
    try:
        r = render_text(text)
    except SpecErrors as e:
        messages = [err.message for err in e.errors]
        assert len(messages) == 1 and messages[0].startswith("formula: division by zero"), messages
        event("formula divides by zero")
        return
    diagram = build_tree(r.spec)
    report = score_diagram(diagram)
    event(f"scored boxes: {min(len(report.nodes), 10)}{'+' if len(report.nodes) >= 10 else ''}")
    formula = r.spec.composite.formula if r.spec.composite is not None else None
    if formula is None:
        event("no composite")
    else:
        uses = any(ref in formula.split() or f"({ref}" in formula for ref in report.nodes)
        event("composite formula of ids" if uses else "composite formula of numbers")
    event("a weakest leaf" if report.weakest is not None else "no weakest leaf")
    found = everything(r, diagram)
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- matrices


@st.composite
def matrices(draw: st.DrawFn) -> str:
    n_criteria = draw(st.integers(1, 10))
    criteria = draw(
        st.lists(
            st.one_of(words(1, 4, breaks=False), st.sampled_from(LONG_WORDS)),
            min_size=n_criteria,
            max_size=n_criteria,
            unique_by=lambda c: c.lower(),
        )
    )
    rng = draw(st.sampled_from(((1, 5), (0, 10), (0, 100), (-5, 5), (0, 1))))
    m: dict[str, Any] = {"criteria": criteria}
    if draw(st.booleans()):
        m["weights"] = draw(
            st.lists(st.sampled_from((0.5, 1, 2, 3, 1.5)), min_size=n_criteria, max_size=n_criteria)
        )
    if rng != (1, 5) or draw(st.booleans()):
        m["range"] = list(rng)
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        label = draw(st.one_of(words(1, 6), st.sampled_from(LONG_WORDS)))
        scores = [draw(score_in(rng)) for _ in criteria]
        rows.append({"label": label, "scores": scores})
    m["rows"] = rows
    if draw(st.booleans()):
        m["total"] = draw(st.sampled_from(("weighted-mean", "sum", "none")))
    spec: dict[str, Any] = {"title": draw(words(1, 6, breaks=False)), "matrix": m}
    canvas = draw(st.sampled_from(CANVASES))
    if canvas != "auto":
        spec["canvas"] = canvas
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=1000)


def matrix_problems(r: Rendered) -> list[str]:
    """Cells show their scores in spec order with ramp fills; totals as computed."""
    m = r.spec.matrix
    assert m is not None
    diagram = build_tree(r.spec)
    report = score_diagram(diagram)
    (frame,) = r.scene.nodes
    out: list[str] = []
    if (frame.id, frame.role, frame.tier) != ("matrix", "matrix", 0):
        out.append(f"matrix node is {frame.id} {frame.role} tier {frame.tier}")
    kids = frame.children
    header = [c for c in kids if c.role == "header"]
    totals = m.total != "none"
    names = [" ".join(t.text for t in h.texts if t.kind == "label") for h in header]
    want = [*(" ".join(c.split()) for c in m.criteria), *(["Total"] if totals else [])]
    # A long criterion may wrap and hyphenate; compare without spaces and hyphens.
    if [n.replace(" ", "").replace("-", "") for n in names] != [
        w.replace(" ", "").replace("-", "") for w in want
    ]:
        out.append(f"headers {names}, expected {want}")
    cells = [c for c in kids if c.role == "cell"]
    scores = [s for row in m.rows for s in row.scores]
    if len(cells) != len(scores):
        return [*out, f"{len(cells)} cells for {len(scores)} scores"]
    ramp = r.theme.ramp
    lo, hi = m.range
    for c, s in zip(cells, scores, strict=True):
        text = [t.text for t in c.texts]
        # Whole scores plainly; others with 0, 1 or 2 places as the range is wide or narrow.
        places = 0 if hi - lo > 10 else 1 if hi - lo > 1 else 2
        want_text = f"{s:.0f}" if s == round(s) else f"{s:.{places}f}"
        if text != [want_text]:
            out.append(f"{c.id} shows {text}, expected {want_text}")
        if c.style.fill != ramp[ramp_step(s, m.range, len(ramp))]:
            out.append(f"{c.id} ({s}) filled {c.style.fill}")
    total_cells = [c for c in kids if c.role == "total"]
    if len(total_cells) != (len(m.rows) if totals else 0):
        out.append(f"{len(total_cells)} total cells for {len(m.rows)} rows ({m.total})")
    weights = m.weights or (1.0,) * len(m.criteria)
    for c, row, scored in zip(total_cells, m.rows, report.matrix_totals, strict=False):
        pairs = list(zip(weights, row.scores, strict=True))
        total = sum(w * s for w, s in pairs)
        if m.total == "weighted-mean":
            total /= sum(weights)
        if abs(total - (scored.score or 0)) > 1e-6 * max(1.0, abs(total)):
            out.append(f"{c.id}: total {scored.score}, by hand {total}")
    labels = [c for c in kids if c.role == "label"]
    if [" ".join(t.text for t in c.texts) for c in labels] != [
        " ".join(t.text for t in c.texts) for c in sorted(labels, key=lambda c: c.rect.y)
    ]:
        out.append("rows are not in spec order top to bottom")
    return out


@SETTINGS
@given(matrices())
def test_random_matrices_keep_invariants(text: str) -> None:
    note(text)
    r = render_text(text)
    m = r.spec.matrix
    assert m is not None
    event(f"total: {m.total}, {'weighted' if m.weights else 'unweighted'}")
    event(f"{len(m.rows)} rows" if len(m.rows) in (1, 12) else "2-11 rows")
    found = everything(r) + matrix_problems(r)
    assert not found, "\n".join(found)
