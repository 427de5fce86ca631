"""Hierarchies nobody has seen: random valid specs keep every layout guarantee.

The strategy writes spec YAML the way an author could: `columns` or `tiers`,
up to five lanes and four tiers, operators anywhere among siblings, labels from
a realistic vocabulary with the occasional unbreakable word or forced line
break, every layout, role, flow and canvas the contract offers. Each spec is
parsed, rendered in-process and held to the invariants in `invariants.py`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from renderer.render import Rendered, render_spec, resolve_theme
from renderer.spec.model import CANVAS_PRESETS, Spec
from renderer.spec.parse import parse_spec_text

from invariants import all_problems_by_kind, svg_colours

ROOT = Path(__file__).resolve().parents[1]
# Specs are "written" beside the real ones so the theme resolves the same way.
SPEC_PATH = ROOT / "specs" / "generated.yaml"

VOCAB = (
    "Customer", "Support", "Volume", "Intent", "Root", "Cause", "Resolution", "Quality",
    "First", "Contact", "Rate", "Cost", "to", "Serve", "Net", "Retention", "Revenue", "Churn",
    "Time", "of", "and", "per", "Ticket", "Agent", "Self-Service", "Adoption", "Channel", "Mix",
    "Escalation", "Backlog", "NPS", "CSAT", "Q3", "2024", "Member", "Renewal", "Expansion",
    "Benchmark", "vs.", "Industry", "Peer", "Effort", "Score", "Handle", "Average", "Speed",
    "Answer", "Team", "Performance", "Complexity", "Severity", "Onboarding", "Health",
    "Engagement", "Time-to-Value", "Cost/Contact", "Über", "Façade", "(est.)", "WAVE", "i",
    "Mmm", "Preventability",
)  # fmt: skip
LONG_WORDS = (
    "Supercalifragilisticexpialidocious",
    "Antidisestablishmentarianism-Index",
    "CustomerLifetimeValueAttributionModel",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
    "MemberServicesOperationalExcellenceProgramme",
)
ROLES = ("lane", "group", "metric", "question", "outcome", "impact", "operator", "note")
OPERATORS = ("×", "+", "x", "-", "→")
CANVASES = ("auto", "slide-16x9", "slide-4x3", "a4-landscape", "custom")

MAX_NODES = 70  # per spec, so 60 examples stay fast


@st.composite
def words(draw: st.DrawFn, lo: int = 1, hi: int = 8, breaks: bool = True) -> str:
    n = draw(st.integers(lo, hi))
    out = ""
    for i in range(n):
        long = draw(st.integers(0, 14)) == 0
        word = draw(st.sampled_from(LONG_WORDS if long else VOCAB))
        if i:
            out += "\n" if breaks and draw(st.integers(0, 11)) == 0 else " "
        out += word
    return out


@st.composite
def node(draw: st.DrawFn, tier: int, max_tier: int, budget: list[int]) -> Any:
    budget[0] -= 1
    n: dict[str, Any] = {"label": draw(words())}
    for key, text in (
        ("caption", words(1, 5)),
        ("metric", words(1, 4)),
        ("question", words(3, 9).map(lambda s: s + "?")),
    ):
        if draw(st.integers(0, 5)) == 0:
            n[key] = draw(text)
    if draw(st.integers(0, 5)) == 0:
        n["details"] = draw(st.lists(words(1, 4, breaks=False), min_size=1, max_size=3))
    if draw(st.integers(0, 4)) == 0:
        n["role"] = draw(st.sampled_from(ROLES))
    if draw(st.integers(0, 7)) == 0:
        n["emphasis"] = draw(st.booleans())
    count = draw(st.integers(0, 6)) if tier < max_tier else 0
    count = max(0, min(count, budget[0]))
    items: list[Any] = []
    for _ in range(count):
        if budget[0] <= 0:
            break
        if draw(st.integers(0, 5)) == 0:
            budget[0] -= 1
            op: dict[str, Any] = {"operator": draw(st.sampled_from(OPERATORS))}
            if draw(st.integers(0, 5)) == 0:
                op["emphasis"] = True
            items.append(op)
        else:
            items.append(draw(node(tier + 1, max_tier, budget)))
    if items:
        n["items"] = items
    if draw(st.integers(0, 2)) == 0:
        n["layout"] = draw(st.sampled_from(("stack", "row", "grid")))
        if n["layout"] == "grid" and draw(st.booleans()):
            n["grid_columns"] = draw(st.integers(1, 4))
    if set(n) == {"label"} and draw(st.booleans()):
        return n["label"]  # the plain-string shorthand
    return n


@st.composite
def specs(draw: st.DrawFn) -> str:
    spec: dict[str, Any] = {"title": draw(words(1, 8, breaks=False))}
    if draw(st.booleans()):
        spec["subtitle"] = draw(words(2, 10, breaks=False))
    if draw(st.integers(0, 2)) == 0:
        spec["footnote"] = draw(words(2, 12, breaks=False))
    canvas = draw(st.sampled_from(CANVASES))
    if canvas == "custom":
        width, height = draw(st.integers(400, 3000)), draw(st.integers(400, 3000))
        spec["canvas"] = {"width": width, "height": height}
    elif canvas != "auto" or draw(st.booleans()):
        spec["canvas"] = canvas
    if draw(st.booleans()):
        spec["flow"] = draw(st.sampled_from(("none", "line", "chevron")))
    key = draw(st.sampled_from(("columns", "tiers")))
    if key == "columns" and draw(st.booleans()):
        spec["direction"] = draw(st.sampled_from(("right", "down")))
    max_tier = draw(st.integers(0, 3))
    budget = [MAX_NODES]
    lanes = [draw(node(0, max_tier, budget)) for _ in range(draw(st.integers(1, 5)))]
    spec[key] = lanes
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=1000)


def render_text(text: str) -> Rendered:
    spec = parse_spec_text(text, str(SPEC_PATH))
    return render_spec(spec, resolve_theme(spec))


def spec_texts(spec: Spec) -> list[str]:
    """Every text of every node the spec writes: labels, captions, metrics, details, questions."""
    out: list[str] = []
    stack = [*spec.lanes, *([spec.composite] if spec.composite else [])]
    if spec.matrix is not None:
        out += [*spec.matrix.criteria, *(row.label for row in spec.matrix.rows)]
    while stack:
        n = stack.pop()
        stack.extend(n.items)
        out += [t for t in (n.label, n.caption, n.metric, n.question, *n.details) if t]
    return out


def _squash(text: str) -> str:
    return re.sub(r"[\s\-\u2010]+", "", text)


def undrawn_words(spec: Spec, drawn: list[str]) -> list[str]:
    """Words of the spec missing from the drawn lines (in drawing order).

    A word too wide for its box is split across lines with a hyphen, so a word
    not found whole is looked for with whitespace and hyphens removed.
    """
    joined = " ".join(drawn)
    squashed = _squash("".join(drawn))
    return [
        f"{word!r} of {text!r} is not drawn"
        for text in spec_texts(spec)
        for word in text.split()
        if word not in joined and _squash(word) not in squashed
    ]


def problems(r: Rendered) -> list[str]:
    """Every invariant violated by a rendered spec (empty = fine)."""
    out = list(all_problems_by_kind(r.scene))
    out += undrawn_words(r.spec, [t.text for t in r.scene.all_texts()])
    palette = set(r.theme.palette.values())
    stray = (svg_colours(r.svg) | r.scene.colours()) - palette
    if stray:
        out.append(f"colours outside the palette: {sorted(stray)}")
    canvas = r.spec.canvas
    if canvas.fixed and (r.scene.width, r.scene.height) != (canvas.width, canvas.height):
        out.append(
            f"scene is {r.scene.width}×{r.scene.height}, canvas is {canvas.width}×{canvas.height}"
        )
    return out


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(specs())
def test_random_hierarchies_keep_invariants(text: str) -> None:
    note(text)
    found = problems(render_text(text))
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- unseen, by hand

UNSEEN: dict[str, str] = {
    "four-tiers-down-grid-groups": """
title: Four tiers, down, grid groups
direction: down
columns:
  - label: Strategy
    items:
      - label: Growth
        layout: grid
        grid_columns: 2
        items:
          - label: New Logos
            items: [Pipeline, Win Rate]
          - label: Expansion
            items: [Upsell, Cross-sell, Seats]
          - label: Pricing
            items: [List Price]
      - label: Retention
        layout: grid
        grid_columns: 3
        items:
          - label: Health
            items: [Usage, Sentiment]
          - label: Renewal
            items: [Gross Retention, Net Retention]
  - label: Execution
    items:
      - label: Support
        layout: grid
        grid_columns: 2
        items:
          - label: Speed
            items: [First Response, Time to Resolve]
          - label: Quality
            items: [CSAT]
""",
    "twelve-items-in-a-row": """
title: A lane of twelve
columns:
  - label: Every Metric We Track
    layout: row
    items: [Volume, Intent, Root Cause, Complexity, Severity, Preventability,
            Resolution Quality, First Contact Resolution, Team Performance,
            Channel Mix, Resolution Speed, Resolution Cost]
""",
    "questions-in-a-row": """
title: Questions beside each other
canvas: slide-16x9
columns:
  - label: Assessment
    layout: row
    items:
      - label: Volume
        question: How much support do customers need?
      - label: Root Cause
        question: Why do customers need support at all, and could they have been helped earlier?
      - label: Complexity
        question: How hard?
  - label: Impact
    items:
      - label: Index
        question: Is it worth it?
""",
    "single-lane-single-box": """
title: One
columns: [Only]
""",
    "long-unbroken-words-narrow-tier": """
title: Long words in a narrow tier
canvas: a4-landscape
columns:
  - label: Narrow
    layout: row
    items:
      - AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
      - label: WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW
        caption: CustomerLifetimeValueAttributionModelCustomerLifetimeValueX
      - i
  - label: Other
    items: [Supercalifragilisticexpialidocious-Antidisestablishmentarianism]
""",
    "operators-between-groups-with-children": """
title: Operators between groups
flow: line
columns:
  - label: Formula
    layout: row
    items:
      - label: Effectiveness
        items: [Net Retention, Expansion Rate, Renewal Rate]
      - operator: x
      - label: Efficiency
        items: [Cost to Serve]
      - operator: "-"
      - label: Waste
        layout: grid
        grid_columns: 2
        items: [Rework, Escalations, Repeat Contacts]
      - operator: "→"
      - label: Net Impact
        role: impact
  - label: Stacked
    items:
      - operator: "+"
      - label: Group
        items: [A, B]
      - operator: "+"
""",
    "slide-4x3-very-wide": """
title: A very wide diagram on a 4:3 slide
canvas: slide-4x3
flow: chevron
columns:
  - {label: One, layout: row, items: [Alpha, Beta, Gamma, Delta, Epsilon, Zeta]}
  - {label: Two, layout: row, items: [Eta, Theta, Iota, Kappa, Lambda, Mu]}
  - {label: Three, layout: row, items: [Nu, Xi, Omicron, Pi, Rho, Sigma]}
  - {label: Four, layout: row, items: [Tau, Upsilon, Phi, Chi, Psi, Omega]}
  - {label: Five, layout: row, items: [Volume, Intent, Root Cause, Complexity]}
""",
    "a4-landscape-very-tall": """
title: A very tall diagram on A4 landscape
subtitle: Thirty boxes in one stack
footnote: Source - nowhere in particular, 2024
canvas: a4-landscape
tiers:
  - label: Tall
    layout: stack
    items: [M01, M02, M03, M04, M05, M06, M07, M08, M09, M10, M11, M12, M13, M14, M15,
            M16, M17, M18, M19, M20, M21, M22, M23, M24, M25, M26, M27, M28, M29, M30]
  - label: Short
    items: [Only One]
""",
    "bands-with-questions-taller-than-them": """
title: Bands whose questions are taller than the bands
tiers:
  - label: Volume
    question: "How much\\nsupport do\\ncustomers\\nneed, and\\nwhen?"
  - label: Root Cause
    question: Why do customers need support at all, and could we have prevented the contact?
    items: [Bugs]
""",
    "question-labels-newlines-details": """
title: "Mixed content\\nwith a forced break"
canvas: {width: 900, height: 1400}
columns:
  - label: "Need\\nfor Support"
    question: Why do customers contact us?
    caption: Drivers
    items:
      - label: Volume
        metric: Cases per 1000 Members
        details: [Trend vs. Q3, "Peer: 14.2"]
        emphasis: true
      - label: "Root\\nCause"
        question: Which causes can we prevent?
        role: note
""",
}


@pytest.mark.parametrize("name", sorted(UNSEEN))
def test_unseen_specs_keep_invariants(name: str) -> None:
    found = problems(render_text(UNSEEN[name]))
    assert not found, "\n".join(found)


def test_presets_are_what_the_strategy_knows() -> None:
    assert {c for c in CANVASES if c not in ("auto", "custom")} <= set(CANVAS_PRESETS)
