"""Scorecards and matrices as drawn: the SVG shows the right numbers, fills and marks.

Every check here reads the SVG the renderer writes (parsed with
`xml.etree`), not the scene, so it holds the output a reader sees to the
numbers `score_diagram` computed and to the hand computations in the specs.
"""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from renderer.canvas import layout
from renderer.colour import contrast
from renderer.errors import SpecErrors
from renderer.render import Rendered, render_spec, resolve_theme
from renderer.scorecard import annotate
from renderer.scores import ScoreReport, ramp_step, score_diagram
from renderer.spec.model import Spec
from renderer.spec.parse import load_spec, parse_spec_text
from renderer.theme import Theme
from renderer.tree import Diagram, build_tree

from conftest import ROOT, SPECS
from invariants import all_problems, svg_colours
from test_layout_properties import undrawn_words

NS = "{http://www.w3.org/2000/svg}"
SIMPLE = "saas-benchmark-scorecard-simple"
EXPANDED = "saas-benchmark-scorecard-expanded"
MATRIX = "segment-scoring"
SCORECARDS = (SIMPLE, EXPANDED)
THEMES = sorted(p.stem for p in (ROOT / "themes").glob("*.yaml"))


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Drawn:
    """A rendered spec, its SVG tree and the numbers behind it."""

    rendered: Rendered
    root: ET.Element
    diagram: Diagram  # annotated
    report: ScoreReport
    scale: float  # the layout scale: theme sizes × scale = drawn sizes

    @property
    def theme(self) -> Theme:
        return self.rendered.theme

    def g(self, node_id: str) -> ET.Element:
        found = [g for g in self.root.iter(f"{NS}g") if g.get("id") == f"node-{node_id}"]
        assert len(found) == 1, f"expected one <g id='node-{node_id}'>, found {len(found)}"
        return found[0]

    def nodes(self) -> list[ET.Element]:
        return [g for g in self.root.iter(f"{NS}g") if "node" in g.get("class", "").split()]


def draw_spec(spec: Spec, theme: Theme | None = None) -> Drawn:
    theme = theme or resolve_theme(spec)
    rendered = render_spec(spec, theme)
    diagram = build_tree(spec)
    report = score_diagram(diagram)
    annotated = annotate(diagram, report)
    scale = layout(annotated, theme).scale
    return Drawn(rendered, ET.fromstring(rendered.svg), annotated, report, scale)


@cache
def drawn(name: str, theme: str | None = None) -> Drawn:
    """A spec of specs/ in its own theme, or in `theme`."""
    spec = load_spec(ROOT / "specs" / f"{name}.yaml")
    return draw_spec(spec, resolve_theme(spec, theme))


def draw_text(text: str) -> Drawn:
    # Written beside the real specs so the theme resolves the same way.
    return draw_spec(parse_spec_text(textwrap.dedent(text), str(ROOT / "specs" / "unseen.yaml")))


def rect(g: ET.Element) -> ET.Element:
    first = g[0]
    assert first.tag == f"{NS}rect", f"{g.get('id')}: first child is {first.tag}"
    return first


def texts(g: ET.Element) -> list[str]:
    """The node's own text lines (direct children), in drawing order."""
    return [t.text or "" for t in g if t.tag == f"{NS}text"]


def text_els(g: ET.Element) -> list[ET.Element]:
    return [t for t in g if t.tag == f"{NS}text"]


def joined(g: ET.Element) -> str:
    return " ".join(texts(g))


def classes(g: ET.Element) -> list[str]:
    return g.get("class", "").split()


def role(g: ET.Element) -> str:
    (r,) = (c.removeprefix("role-") for c in classes(g) if c.startswith("role-"))
    return r


def box(g: ET.Element) -> tuple[float, float, float, float]:
    r = rect(g)
    return tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def stroked(g: ET.Element) -> bool:
    return rect(g).get("stroke", "none") != "none"


def is_leaf(d: Drawn, node_id: str) -> bool:
    return not any(role(c) != "question" for c in d.g(node_id) if c.tag == f"{NS}g")


def scored_ids(d: Drawn) -> list[str]:
    return [i for i, s in d.report.nodes.items() if s.score is not None]


def score_text(score: float, rng: tuple[float, float]) -> str:
    """Whole scores plainly; others with 0, 1 or 2 places on a range wider than 10, 1 or less."""
    lo, hi = rng
    if score == round(score):
        return f"{score:.0f}"
    places = 0 if hi - lo > 10 else 1 if hi - lo > 1 else 2
    return f"{score:.{places}f}"


def check_problems(d: Drawn) -> list[str]:
    r = d.rendered
    out = list(all_problems(r.scene))
    out += undrawn_words(r.spec, [t.text for t in r.scene.all_texts()])
    palette = set(r.theme.palette.values())
    stray = (svg_colours(r.svg) | r.scene.colours()) - palette
    if stray:
        out.append(f"colours outside the palette: {sorted(stray)}")
    return out


def ramp_problems(d: Drawn) -> list[str]:
    """Scored boxes (except lanes, which are frames) take the ramp colour of their score;
    boxes without a score keep their role's fill."""
    out = []
    ramp = d.theme.ramp
    for b in d.diagram.boxes():
        if b.role in ("matrix", "header", "label", "cell", "total") or b.is_operator:
            continue
        fill = rect(d.g(b.id)).get("fill")
        scored = d.report.nodes.get(b.id)
        score = scored.score if scored is not None else None
        if score is None or b.role == "lane":
            want = d.theme.role(b.role).fill or "none"
        else:
            want = ramp[ramp_step(score, d.report.range, len(ramp))]
        if fill != want:
            out.append(f"{b.id} ({score}) is filled {fill}, expected {want}")
    return out


# --------------------------------------------------------------------------- weakest


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", SCORECARDS)
def test_weakest_leaf_has_the_emphasis_stroke_and_the_flag(name: str, theme: str) -> None:
    d = drawn(name, theme)
    weakest = d.g("self-service-rate")
    r = rect(weakest)
    width = d.theme.emphasis_width * d.scale
    assert float(r.get("stroke-width")) == pytest.approx(width, abs=0.01)
    assert texts(weakest)[0] == "Weakest"
    # The outline stays visible on the lane around it (navy on navy would vanish).
    lane = rect(d.g("efficiency")).get("fill")
    assert contrast(r.get("stroke"), lane) >= 3.0
    # The only scored leaf with an outline, and the widest outline in the diagram.
    leaves = [i for i in scored_ids(d) if is_leaf(d, i) and role(d.g(i)) != "impact"]
    assert [i for i in leaves if stroked(d.g(i))] == ["self-service-rate"]
    others = [
        float(rect(g).get("stroke-width")) for g in d.nodes() if stroked(g) and g is not weakest
    ]
    assert all(w < float(r.get("stroke-width")) for w in others)
    # Nobody else is flagged.
    flagged = [g.get("id") for g in d.nodes() if "Weakest" in texts(g)]
    assert flagged == ["node-self-service-rate"]
    flags = d.root.findall(f".//{NS}text[@class='text-flag']")
    assert len(flags) == 1


# --------------------------------------------------------------------------- numbers


SIMPLE_SHOWN = {
    "case-volume": ["0.9 per account/mo", "Benchmark 1.1 per account/mo", "Score 61"],
    "resolution-quality": ["94%", "Benchmark 88%", "Score 53"],
    "first-contact-resolution": ["78%", "Benchmark 70%", "Score 56"],
    "self-service-rate": ["18%", "Benchmark 45%", "Score 20"],
    "cost-per-case": ["$31", "Benchmark $26", "Score 42"],
    # lanes: rolled up
    "case-assessment": ["Score 61"],
    "effectiveness": ["Score 55"],
    "efficiency": ["Score 31"],
}

EXPANDED_SHOWN = {
    "case-volume": ["0.9 per account/mo", "Benchmark 1.1 per account/mo", "Score 61"],
    "preventability-rate": ["22%", "Benchmark 30%", "Score 68"],
    "resolution-quality-csat": ["94%", "Benchmark 88%", "Score 53"],
    "team-performance": ["Score 72"],
    "time-to-resolution": ["20 h", "Benchmark 16 h", "Score 40"],
    "cost-per-case": ["$31", "Benchmark $26", "Score 42"],
    "assessment": ["Score 65"],  # (61.1 + 68.2) / 2 = 64.65
    "effectiveness": ["Score 59"],  # (2×53.4 + 55.7 + 72) / 4 = 58.6
    "efficiency": ["Score 30"],  # (2×20 + 40 + 41.9) / 4 = 30.5 (30.48)
}


@pytest.mark.parametrize(("name", "shown"), [(SIMPLE, SIMPLE_SHOWN), (EXPANDED, EXPANDED_SHOWN)])
def test_boxes_show_values_benchmarks_and_scores(name: str, shown: dict[str, list[str]]) -> None:
    d = drawn(name)
    for node_id, lines in shown.items():
        own = texts(d.g(node_id))
        for line in lines:
            assert line in own, f"{node_id}: {line!r} not in {own}"


@pytest.mark.parametrize("name", SCORECARDS)
def test_score_texts_are_the_computed_scores(name: str) -> None:
    d = drawn(name)
    composite = d.diagram.composite
    assert composite is not None
    for node_id in scored_ids(d):
        if node_id == composite.id:
            continue
        score = d.report.nodes[node_id].score
        assert score is not None
        own = [t for t in texts(d.g(node_id)) if t.startswith("Score ")]
        assert own == [f"Score {round(score)}"], node_id


def test_simple_composite_shows_its_score_and_formula() -> None:
    d = drawn(SIMPLE)
    g = d.g("composite-score")
    assert classes(g) == ["node", "role-impact", "tier-0"]
    eff = ((94 / 88) * 50 + (78 / 70) * 50) / 2
    effic = ((18 / 45) * 50 + (26 / 31) * 50) / 2
    assert (eff + effic) / 2 == pytest.approx(42.76, abs=0.01)
    own = texts(g)
    assert "43" in own
    assert "= (effectiveness + efficiency) / 2" in own
    assert not any(t.startswith("Score ") for t in own)  # the index is shown big, once


def test_expanded_composite_shows_its_score_and_formula() -> None:
    d = drawn(EXPANDED)
    g = d.g("cs-net-impact-index")
    assert classes(g) == ["node", "role-impact", "tier-0"]
    eff = (2 * 50 * 94 / 88 + 50 * 78 / 70 + 72) / 4
    effic = (2 * 50 * 18 / 45 + 50 * 16 / 20 + 50 * 26 / 31) / 4
    index = eff * effic / 100
    assert index == pytest.approx(17.87, abs=0.01)  # 58.63 × 30.48 / 100
    own = texts(g)
    assert "18" in own
    assert "= effectiveness * efficiency / 100" in own
    assert "vs. Industry median" in own


# --------------------------------------------------------------------------- fills


def ramp_index(d: Drawn, g: ET.Element) -> int:
    return d.theme.ramp.index(rect(g).get("fill"))


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", [*SCORECARDS, MATRIX])
def test_fills_step_along_the_ramp(name: str, theme: str) -> None:
    d = drawn(name, theme)
    ramp = d.theme.ramp
    leaves = []
    for node_id in scored_ids(d):
        g = d.g(node_id)
        score = d.report.nodes[node_id].score
        assert score is not None
        if role(g) == "lane":  # lanes are frames: they keep the theme's lane fill
            assert rect(g).get("fill") == d.theme.roles["lane"].fill
            continue
        expected = ramp[ramp_step(score, d.report.range, len(ramp))]
        assert rect(g).get("fill") == expected, f"{node_id} ({score:.1f})"
        if is_leaf(d, node_id):
            leaves.append((score, ramp_index(d, g)))
    if name == MATRIX:  # the cells: one score each, on the matrix range
        spec = d.rendered.spec.matrix
        assert spec is not None
        scores = [s for row in spec.rows for s in row.scores]
        for g, score in zip(cells(d, "cell"), scores, strict=True):
            assert rect(g).get("fill") == ramp[ramp_step(score, spec.range, len(ramp))]
            leaves.append((score, ramp_index(d, g)))
    assert len(leaves) >= 5
    steps = [step for _, step in sorted(leaves)]
    assert steps == sorted(steps), f"a stronger score got a weaker colour: {sorted(leaves)}"
    assert len(set(steps)) >= 2, "every metric has the same colour: the ramp tells nothing"
    assert not ramp_problems(d)


# --------------------------------------------------------------------------- contrast


def low_contrast(d: Drawn) -> list[str]:
    """Text colour against the fill it sits on (the parent's, for unfilled boxes)."""
    out: list[str] = []
    background = d.theme.background

    def visit(g: ET.Element, behind: str) -> None:
        fill = rect(g).get("fill")
        under = behind if fill in (None, "none") else fill
        for t in text_els(g):
            ratio = contrast(t.get("fill"), under)
            if ratio < 4.5:
                out.append(f"{g.get('id')}: {t.text!r} {t.get('fill')} on {under}: {ratio:.2f}")
        for c in g:
            if c.tag == f"{NS}g":
                visit(c, under)

    for top in d.root:
        if top.tag == f"{NS}g" and "node" in classes(top):
            visit(top, background)
        elif top.tag == f"{NS}g" and top.get("id") == "labels":
            for t in text_els(top):
                if contrast(t.get("fill"), background) < 4.5:
                    out.append(f"{t.text!r} {t.get('fill')} on the background")
    return out


VARIANTS = [(path, variant) for path in SPECS for variant in load_spec(path).theme_variants]


@pytest.mark.parametrize(("path", "variant"), VARIANTS, ids=[f"{p.stem}-{v}" for p, v in VARIANTS])
def test_text_contrast_on_every_fill(path: Path, variant: str) -> None:
    spec = load_spec(path)
    d = draw_spec(spec, resolve_theme(spec, variant))
    found = low_contrast(d)
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- bars


def points(el: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in el.get("points", "").split()]  # type: ignore[misc]


def test_expanded_metrics_with_a_benchmark_have_bullet_bars_inside_their_box() -> None:
    d = drawn(EXPANDED)
    with_bars = []
    for lane in d.rendered.spec.lanes:
        for n in lane.items:
            node_id = next(b.id for b in d.diagram.boxes() if b.source is n)
            g = d.g(node_id)
            shapes = {el.get("id"): el for el in g if el.tag in (f"{NS}polygon", f"{NS}polyline")}
            if n.value is None or n.benchmark is None:
                assert not shapes, f"{node_id} has no value and benchmark but a bar"
                continue
            with_bars.append(node_id)
            x, y, w, h = box(g)
            for part in ("value", "reference"):
                el = shapes.get(f"{node_id}-bar-1-{part}")
                assert el is not None and el.tag == f"{NS}polygon", f"{node_id}: no {part}"
                for px, py in points(el):
                    assert x - 0.01 <= px <= x + w + 0.01 and y - 0.01 <= py <= y + h + 0.01
    assert len(with_bars) == 7


def test_bar_lengths_follow_value_and_benchmark() -> None:
    d = drawn(EXPANDED)  # self-service: 18% against 45%, the bar stops well short of the tick
    value = points(d.root.find(f".//{NS}polygon[@id='self-service-rate-bar-1-value']"))
    tick = points(d.root.find(f".//{NS}polygon[@id='self-service-rate-bar-1-reference']"))
    start = min(x for x, _ in value)
    length = max(x for x, _ in value) - start
    at = min(x for x, _ in tick) - start
    assert length / at == pytest.approx(18 / 45, rel=0.02)


def test_no_bars_without_bar_in_show() -> None:
    d = drawn(SIMPLE)
    shapes = [el for el in d.root.iter() if "-bar-" in (el.get("id") or "")]
    assert shapes == []


# --------------------------------------------------------------------------- matrix


SEGMENTS = ["Visionary Builders", "Growth Optimisers", "Frozen Pragmatists", "Cost Cutters"]
CRITERIA = ["Current Fit", "Future Vision", "Roadmap", "Support Quality", "Price"]


def cells(d: Drawn, cell_role: str) -> list[ET.Element]:
    return [g for g in d.g("matrix") if g.tag == f"{NS}g" and role(g) == cell_role]


def by_rows(d: Drawn) -> list[list[ET.Element]]:
    """Label, score and total cells grouped by row, rows top to bottom."""
    rows: dict[float, list[ET.Element]] = {}
    for g in d.g("matrix"):
        if g.tag == f"{NS}g" and role(g) != "header":
            rows.setdefault(box(g)[1], []).append(g)
    return [sorted(r, key=lambda g: box(g)[0]) for _, r in sorted(rows.items())]


def test_matrix_structure_and_headers() -> None:
    d = drawn(MATRIX)
    m = d.g("matrix")
    assert classes(m) == ["node", "role-matrix", "tier-0"]
    assert d.root.findall(f"{NS}g[@id='node-matrix']") == [m]  # top level
    children = [g for g in m if g.tag == f"{NS}g"]
    assert len(children) == 6 + 4 * 7
    for g in children:
        assert classes(g)[2] == "tier-1"
        assert role(g) in ("header", "label", "cell", "total")
    headers = cells(d, "header")
    assert [texts(g)[0] for g in headers] == [*CRITERIA, "Total"]
    assert [texts(g)[1:] for g in headers] == [["weight 2"], *[["weight 1"]] * 4, []]
    xs = [box(g)[0] for g in headers]
    assert xs == sorted(xs)
    assert all(classes(g) == ["node", "role-header", "tier-1"] for g in headers)


def test_matrix_rows_scores_and_totals() -> None:
    d = drawn(MATRIX)
    spec = d.rendered.spec.matrix
    assert spec is not None
    labels = cells(d, "label")
    assert [texts(g) for g in sorted(labels, key=lambda g: box(g)[1])] == [[s] for s in SEGMENTS]
    rows = by_rows(d)
    assert [texts(r[0]) for r in rows] == [[s] for s in SEGMENTS]
    weights = (2, 1, 1, 1, 1)
    hand = {
        "Visionary Builders": (2 * 3 + 5 + 5 + 3 + 2) / 6,  # 21/6 = 3.5
        "Growth Optimisers": (2 * 4 + 4 + 3 + 4 + 3) / 6,  # 22/6 = 3.67
        "Frozen Pragmatists": (2 * 4 + 1 + 1 + 3 + 4) / 6,  # 17/6 = 2.83
        "Cost Cutters": (2 * 2 + 1 + 2 + 2 + 5) / 6,  # 14/6 = 2.33
    }
    assert [f"{hand[s]:.1f}" for s in SEGMENTS] == ["3.5", "3.7", "2.8", "2.3"]
    ramp = d.theme.ramp
    for r, row in zip(rows, spec.rows, strict=True):
        assert [role(g) for g in r] == ["label", *["cell"] * 5, "total"]
        for g, score in zip(r[1:6], row.scores, strict=True):
            assert texts(g) == [str(int(score))]
            assert rect(g).get("fill") == ramp[ramp_step(score, (1, 5), len(ramp))]
        total = sum(w * s for w, s in zip(weights, row.scores, strict=True)) / 6
        assert total == pytest.approx(hand[row.label])
        assert texts(r[6]) == [f"{total:.1f}"]
        assert rect(r[6]).get("fill") == ramp[ramp_step(total, (1, 5), len(ramp))]


def test_matrix_keeps_invariants() -> None:
    found = check_problems(drawn(MATRIX))
    assert not found, "\n".join(found)


def matrix_spec(body: str, canvas: str | None = None) -> str:
    head = "title: Unseen matrix\n" + (f"canvas: {canvas}\n" if canvas else "")
    return head + "matrix:\n" + textwrap.indent(textwrap.dedent(body), "  ")


def test_matrix_with_equal_weights_has_no_weight_captions() -> None:
    d = draw_text(
        matrix_spec(
            """
            criteria: [Fit, Vision, Price]
            weights: [2, 2, 2]
            rows:
              - {label: A, scores: [1, 2, 3]}
              - {label: B, scores: [5, 5, 4]}
            """
        )
    )
    headers = cells(d, "header")
    assert [texts(g) for g in headers] == [["Fit"], ["Vision"], ["Price"], ["Total"]]
    assert not any("weight" in t for g in d.nodes() for t in texts(g))
    assert [texts(r[-1]) for r in by_rows(d)] == [["2"], ["4.7"]]
    assert not check_problems(d)


def test_matrix_sum_totals() -> None:
    d = draw_text(
        matrix_spec(
            """
            criteria: [Fit, Vision, Roadmap]
            total: sum
            rows:
              - {label: Low, scores: [1, 1, 2]}
              - {label: Mid, scores: [3, 2, 4]}
              - {label: High, scores: [5, 5, 5]}
            """
        )
    )
    assert [texts(g) for g in cells(d, "header")][-1] == ["Total"]
    rows = by_rows(d)
    assert [texts(r[-1]) for r in rows] == [["4"], ["9"], ["15"]]
    steps = [ramp_index(d, r[-1]) for r in rows]
    assert steps == sorted(steps) and steps[0] < steps[-1]
    assert steps[-1] == len(d.theme.ramp) - 1  # the top sum takes the strongest colour
    assert not check_problems(d)


def test_matrix_without_totals() -> None:
    d = draw_text(
        matrix_spec(
            """
            criteria: [Fit, Vision]
            total: none
            rows:
              - {label: A, scores: [1, 2]}
              - {label: B, scores: [4, 3]}
            """
        )
    )
    assert [texts(g) for g in cells(d, "header")] == [["Fit"], ["Vision"]]
    assert cells(d, "total") == []
    assert [[role(g) for g in r] for r in by_rows(d)] == [["label", "cell", "cell"]] * 2
    assert not any(t == "Total" for g in d.nodes() for t in texts(g))
    assert not check_problems(d)


def test_matrix_with_long_labels_and_criteria_wraps_without_overflow() -> None:
    d = draw_text(
        matrix_spec(
            """
            criteria:
              - Strategic Alignment with the Three-Year Product Roadmap and Vision
              - Supercalifragilisticexpialidocious-Antidisestablishmentarianism
              - Price
            weights: [3, 1, 1]
            rows:
              - label: Enterprise Customers in Regulated Industries with Complex Procurement
                scores: [4, 2, 5]
              - label: CustomerLifetimeValueAttributionModelCustomerLifetimeValue
                scores: [1, 5, 3]
              - {label: SMB, scores: [3, 3, 3]}
            """,
            canvas="a4-landscape",
        )
    )
    found = check_problems(d)
    assert not found, "\n".join(found)
    header = cells(d, "header")[0]
    assert len(texts(header)) >= 3  # the long criterion wrapped (label lines + caption)
    assert texts(header)[-1] == "weight 3"


def test_twelve_rows_by_eight_criteria_on_a_4x3_slide_with_decimals() -> None:
    criteria = ["Fit", "Vision", "Roadmap", "Support", "Price", "Security", "Scale", "Ecosystem"]
    rows = []
    for i in range(12):
        scores = [round((i * 7 + j * 3) % 101 / 10, 1) for j in range(8)]
        rows.append({"label": f"Segment {i + 1}", "scores": scores})
    body = f"criteria: {criteria}\nrange: [0, 10]\nrows:\n" + "".join(
        f"  - {{label: {r['label']}, scores: {r['scores']}}}\n" for r in rows
    )
    d = draw_text(matrix_spec(body, canvas="slide-4x3"))
    found = check_problems(d)
    assert not found, "\n".join(found)
    assert (d.rendered.scene.width, d.rendered.scene.height) == (1600, 1200)
    drawn_rows = by_rows(d)
    assert len(drawn_rows) == 12
    ramp = d.theme.ramp
    for r, row in zip(drawn_rows, rows, strict=True):
        assert texts(r[0]) == [row["label"]]
        for g, score in zip(r[1:9], row["scores"], strict=True):
            assert texts(g) == [score_text(score, (0, 10))]
            assert rect(g).get("fill") == ramp[ramp_step(score, (0, 10), len(ramp))]
        mean = sum(row["scores"]) / 8
        assert texts(r[9]) == [score_text(mean, (0, 10))]


# --------------------------------------------------------------------------- unseen scorecards


WORST_LINK = """
title: Support health, worst link first
subtitle: Scores 1-10, lower is better where it says so
tiers:
  - label: Demand
    id: demand
    items:
      - label: Contacts
        id: contacts
        items:
          - label: Volume
            id: volume
            items:
              - {label: Tickets per Account, value: 0, benchmark: 2, unit: per mo, better: lower}
              - {label: Repeat Contacts, value: 16, benchmark: 10, unit: "%", better: lower,
                 weight: 3}
          - {label: Backlog Age, value: 30, target: 24, unit: h, better: lower}
      - Churn Signals
  - label: Delivery
    id: delivery
    items:
      - {label: CSAT, value: 4.2, benchmark: 4.5, weight: 2}
      - {label: Team Performance, score: 8}
scores:
  range: [1, 10]
  rollup: min
composite:
  label: Health Index
  formula: (contacts + delivery) / 2 * 10
"""


def test_unseen_tiers_scorecard_with_min_rollup() -> None:
    d = draw_text(WORST_LINK)
    found = check_problems(d)
    assert not found, "\n".join(found)
    # Leaves on [1, 10]: 1 + 9 · ratio / 2.
    tickets = 10.0  # lower is better and the value is 0: top of the range
    repeat = 1 + 4.5 * (10 / 16)  # 3.8125
    backlog = 1 + 4.5 * (24 / 30)  # 4.6, against the target
    csat = 1 + 4.5 * (4.2 / 4.5)  # 5.2
    team = 8.0
    volume = min(tickets, repeat)  # weights do not matter to min
    contacts = min(volume, backlog)
    demand = contacts  # Churn Signals has no data: skipped
    delivery = min(csat, team)
    index = (contacts + delivery) / 2 * 10  # 45.0625, not clamped to the range
    shown = {
        "tickets-per-account": ["0 per mo", "Benchmark 2 per mo", "Score 10"],
        "repeat-contacts": ["Weakest", "16%", "Benchmark 10%", "Score 3.8"],
        "backlog-age": ["30 h", "Target 24 h", "Score 4.6"],
        "csat": ["4.2", "Benchmark 4.5", "Score 5.2"],
        "team-performance": ["Score 8"],
        "volume": [f"Score {volume:.1f}"],
        "contacts": [f"Score {contacts:.1f}"],
        "demand": [f"Score {demand:.1f}"],
        "delivery": ["Score 5.2"],
        "health-index": [f"{index:.1f}", "= (contacts + delivery) / 2 * 10"],
    }
    assert f"{index:.1f}" == "45.1"
    for node_id, lines in shown.items():
        own = texts(d.g(node_id))
        for line in lines:
            assert line in own, f"{node_id}: {line!r} not in {own}"
    churn = d.g("churn-signals")
    assert texts(churn) == ["Churn Signals"]
    assert not stroked(churn)
    assert rect(churn).get("fill") == d.theme.roles["group"].fill  # no score, no ramp colour
    flagged = [g.get("id") for g in d.nodes() if "Weakest" in texts(g)]
    assert flagged == ["node-repeat-contacts"]
    assert d.report.composite is not None
    assert d.report.composite.score == pytest.approx(index)
    # Tiers: lanes are stacked bands, top to bottom.
    assert box(d.g("demand"))[1] < box(d.g("delivery"))[1]
    ramp = d.theme.ramp
    assert rect(d.g("health-index")).get("fill") == ramp[-1]  # above the range: top colour


SCORES_ONLY = """
title: Scores only, nobody singled out
canvas: slide-16x9
scores:
  range: [0, 100]
  show: [score]
  highlight: none
columns:
  - label: Quality
    id: quality
    items:
      - {label: CSAT, value: 90, benchmark: 80, unit: "%", weight: 3}
      - {label: Reopen Rate, value: 5, benchmark: 4, unit: "%", better: lower}
  - label: Speed
    id: speed
    items:
      - {label: First Response, value: 2, target: 4, unit: h, better: lower}
      - {label: Handle Time, value: 0, benchmark: 0, unit: min}
composite:
  label: Quality-Speed Index
  formula: quality * 0.6 + speed * 0.4
"""


def test_unseen_scores_only_without_highlight() -> None:
    d = draw_text(SCORES_ONLY)
    found = check_problems(d)
    assert not found, "\n".join(found)
    csat = 50 * 90 / 80  # 56.25
    reopen = 50 * 4 / 5  # 40
    first = 100.0  # ratio 4/2 = 2: the top
    handle = 50.0  # value = benchmark = 0: ratio 1, the midpoint
    quality = (3 * csat + reopen) / 4  # 52.1875
    speed = (first + handle) / 2  # 75
    index = quality * 0.6 + speed * 0.4  # 61.3125
    expected = {
        "csat": ["CSAT", "Score 56"],
        "reopen-rate": ["Reopen Rate", "Score 40"],
        "first-response": ["First Response", "Score 100"],
        "handle-time": ["Handle Time", "Score 50"],
        "quality": ["Quality", "Score 52"],
        "speed": ["Speed", "Score 75"],
    }
    for node_id, lines in expected.items():
        assert texts(d.g(node_id)) == lines
    assert texts(d.g("quality-speed-index")) == [
        "Quality-Speed Index",
        str(round(index)),
        "= quality * 0.6 + speed * 0.4",
    ]
    assert round(index) == 61
    # No values, benchmarks or targets drawn, nobody flagged or outlined.
    assert not d.root.findall(f".//{NS}text[@class='text-benchmark']")
    assert not d.root.findall(f".//{NS}text[@class='text-flag']")
    everything = " ".join(t.text or "" for t in d.root.iter(f"{NS}text"))
    for value in ("90%", "80%", "4 h", "2 h", "0 min", "Benchmark", "Target", "Weakest"):
        assert value not in everything
    metric_like = [g for g in d.nodes() if role(g) not in ("impact",)]
    assert [g.get("id") for g in metric_like if stroked(g)] == []


@pytest.mark.parametrize("text", [WORST_LINK, SCORES_ONLY], ids=["worst-link", "scores-only"])
def test_unseen_scorecards_keep_text_contrast_and_ramp_fills(text: str) -> None:
    d = draw_text(text)
    found = low_contrast(d) + ramp_problems(d)
    assert not found, "\n".join(found)


def test_score_text_rule_matches_the_contract_examples() -> None:
    assert score_text(42.76, (0, 100)) == "43"
    assert score_text(3.5, (1, 5)) == "3.5"
    assert score_text(3.0, (1, 5)) == "3"


# --------------------------------------------------------------------------- edge cases


def test_a_row_named_matrix_does_not_take_the_matrix_id() -> None:
    """The contract names the matrix `node-matrix`; a row's id must not take it."""
    d = draw_text(
        """
        title: Which tool
        matrix:
          criteria: [Fit, Price]
          rows:
            - {label: Matrix, scores: [4, 2]}
            - {label: Grid, scores: [3, 3]}
        """
    )
    frames = [g for g in d.nodes() if role(g) == "matrix"]
    assert [g.get("id") for g in frames] == ["node-matrix"]
    assert [texts(r[0]) for r in by_rows(d)] == [["Matrix"], ["Grid"]]


def test_an_empty_show_list_shows_no_numbers() -> None:
    """`show: []` asks for nothing: it must not fall back to the default (everything).

    Refusing it as an error, at the `show` key, would be as good.
    """
    text = """
        title: Nothing shown
        scores: {show: []}
        columns:
          - label: Lane
            items:
              - {label: Up, value: 5, benchmark: 4, unit: "%"}
              - {label: Down, value: 3, benchmark: 4, unit: "%"}
        """
    try:
        d = draw_text(text)
    except SpecErrors as e:
        assert [err.loc.line for err in e.errors] == [3], e.errors  # the `scores` line
        return
    shown = {g.get("id"): texts(g)[-1:] for g in d.nodes()}
    assert shown == {"node-lane": ["Lane"], "node-up": ["Up"], "node-down": ["Down"]}
