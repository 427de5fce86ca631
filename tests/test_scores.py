"""Scores: every number of the contract examples computed by hand, the edge
cases the contract leaves open, and the audit text a user reads."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.errors import Loc, SpecErrors
from renderer.scores import (
    Scored,
    ScoreReport,
    explain,
    format_value,
    ramp_step,
    score_diagram,
)
from renderer.spec.model import NodeSpec, ScoreSettings
from renderer.spec.parse import load_spec, parse_spec_text
from renderer.tree import Diagram, build_tree

EXAMPLES = Path(__file__).parent / "fixtures" / "contract-examples"


def diagram(text: str) -> Diagram:
    return build_tree(parse_spec_text(textwrap.dedent(text), "t.yaml"))


def report(text: str) -> ScoreReport:
    return score_diagram(diagram(text))


def example(name: str) -> tuple[Diagram, ScoreReport]:
    d = build_tree(load_spec(EXAMPLES / f"{name}.yaml"))
    return d, score_diagram(d)


def scores(r: ScoreReport) -> dict[str, float | None]:
    return {k: v.score for k, v in r.nodes.items()}


def approx(x: float) -> object:
    return pytest.approx(x, abs=1e-6)


def one_leaf(fields: str, scores_block: str = "") -> Scored:
    """The Scored of a single leaf `m` with the given flow-mapping fields."""
    r = report(
        f"""
        title: t
        {scores_block}
        columns:
          - label: Lane
            items:
              - {{label: M, {fields}}}
        """
    )
    return r.nodes["m"]


# --- the contract examples, by hand ----------------------------------------------
# Leaf score on [0, 100] = 100 · ratio / 2 = 50 · ratio.


def test_simple_scorecard() -> None:
    d, r = example("saas-benchmark-scorecard-simple")
    cv = 50 * (1.1 / 0.9)  # lower is better: 1.1/0.9 = 1.2222 → 61.11
    rq = 50 * (94 / 88)  # 1.0682 → 53.41
    fcr = 50 * (78 / 70)  # 1.1143 → 55.71
    ss = 50 * (18 / 45)  # 0.4 → 20.0
    cpc = 50 * (26 / 31)  # lower is better: 0.8387 → 41.94
    eff = (rq + fcr) / 2  # (53.41 + 55.71) / 2 = 54.56
    effic = (ss + cpc) / 2  # (20 + 41.94) / 2 = 30.97
    composite = (eff + effic) / 2  # (54.56 + 30.97) / 2 = 42.76
    assert cv == approx(61.111111) and rq == approx(53.409091) and fcr == approx(55.714286)
    assert cpc == approx(41.935484) and composite == approx(42.764715)
    assert scores(r) == {
        "case-assessment": approx(cv),  # one child: its score
        "case-volume": approx(cv),
        "effectiveness": approx(eff),
        "resolution-quality": approx(rq),
        "first-contact-resolution": approx(fcr),
        "efficiency": approx(effic),
        "self-service-rate": approx(ss),
        "cost-per-case": approx(cpc),
        "composite-score": approx(composite),
    }
    assert list(r.nodes) == [b.id for b in d.boxes()]  # document order, composite last
    assert r.weakest == "self-service-rate"
    assert r.composite is not None and r.composite.score == approx(composite)
    assert r.nodes["composite-score"] == r.composite
    assert r.matrix_totals == ()
    assert r.range == (0, 100)
    assert r.settings.highlight == "weakest"


def test_simple_scorecard_hows() -> None:
    _, r = example("saas-benchmark-scorecard-simple")
    how = {k: v.how for k, v in r.nodes.items()}
    assert how["self-service-rate"] == (
        "value 18% vs benchmark 45%, higher is better: ratio 0.40 → 20.0"
    )
    assert how["case-volume"] == (
        "value 0.9 per account/mo vs benchmark 1.1 per account/mo, lower is better:"
        " ratio 1.22 → 61.1"
    )
    assert how["cost-per-case"] == (
        "value $31 vs benchmark $26, lower is better: ratio 0.84 → 41.9"
    )
    assert how["effectiveness"] == "weighted mean of 2 children: (53.4 + 55.7) / 2 = 54.6"
    assert how["case-assessment"] == "weighted mean of 1 child: 61.1"
    assert how["composite-score"] == (
        "formula (effectiveness + efficiency) / 2 = (54.6 + 31.0) / 2 = 42.8"
    )


def test_expanded_scorecard() -> None:
    _, r = example("saas-benchmark-scorecard-expanded")
    cv = 50 * (1.1 / 0.9)  # 61.11
    pr = 50 * (30 / 22)  # lower is better: 1.3636 → 68.18
    assessment = (cv + pr) / 2  # 64.65
    rq = 50 * (94 / 88)  # 53.41, weight 2
    fcr = 50 * (78 / 70)  # 55.71
    team = 72.0  # given score
    eff = (2 * rq + fcr + team) / 4  # (106.82 + 55.71 + 72) / 4 = 58.63
    ss = 50 * (18 / 45)  # 20.0, weight 2
    ttr = 50 * (16 / 20)  # lower is better: 0.8 → 40.0
    cpc = 50 * (26 / 31)  # 41.94
    effic = (2 * ss + ttr + cpc) / 4  # (40 + 40 + 41.94) / 4 = 30.48
    index = eff * effic / 100  # 58.63 · 30.48 / 100 = 17.87
    assert eff == approx(58.633117) and effic == approx(30.483871) and index == approx(17.873644)
    assert scores(r) == {
        "assessment": approx(assessment),
        "case-volume": approx(cv),
        "preventability-rate": approx(pr),
        "effectiveness": approx(eff),
        "resolution-quality-csat": approx(rq),
        "first-contact-resolution": approx(fcr),
        "team-performance": approx(team),
        "efficiency": approx(effic),
        "self-service-rate": approx(ss),
        "time-to-resolution": approx(ttr),
        "cost-per-case": approx(cpc),
        "cs-net-impact-index": approx(index),
    }
    assert r.weakest == "self-service-rate"
    assert r.nodes["team-performance"].how == "given score 72"
    assert r.nodes["effectiveness"].how == (
        "weighted mean of 3 children: (2×53.4 + 1×55.7 + 1×72.0) / 4 = 58.6"
    )
    assert r.nodes["cs-net-impact-index"].how == (
        "formula effectiveness * efficiency / 100 = 58.6 * 30.5 / 100 = 17.9"
    )


def test_segment_scoring_matrix() -> None:
    d, r = example("segment-scoring")
    assert r.nodes == {} and r.weakest is None and r.composite is None
    assert r.settings == ScoreSettings()  # no `scores`: the defaults
    # weights [2, 1, 1, 1, 1], Σw = 6
    expected = [
        (2 * 3 + 5 + 5 + 3 + 2) / 6,  # Visionary Builders 21/6 = 3.5
        (2 * 4 + 4 + 3 + 4 + 3) / 6,  # Growth Optimisers 22/6 = 3.667
        (2 * 4 + 1 + 1 + 3 + 4) / 6,  # Frozen Pragmatists 17/6 = 2.833
        (2 * 2 + 1 + 2 + 2 + 5) / 6,  # Cost Cutters 14/6 = 2.333
    ]
    assert [t.score for t in r.matrix_totals] == [approx(x) for x in expected]
    assert expected[0] == 3.5
    assert r.matrix_totals[0].how == (
        "weighted mean of 5 criteria: (2×3 + 1×5 + 1×5 + 1×3 + 1×2) / 6 = 3.5"
    )
    assert r.matrix_totals[1].how.endswith("/ 6 = 3.67")
    text = explain(d, r)
    assert text.splitlines()[0] == "Matrix totals on 1–5 (total: weighted-mean)"
    assert "Visionary Builders  3.50  weighted mean of 5 criteria" in text


MATRIX = """
    title: m
    matrix:
      criteria: [A, B, C]
      {weights}
      rows:
        - {{label: One, scores: [3, 5, 1]}}
        - {{label: Two, scores: [2, 2, 2]}}
      total: {total}
    """


def test_matrix_sum_and_none() -> None:
    r = report(MATRIX.format(weights="", total="sum"))
    assert [t.score for t in r.matrix_totals] == [9, 6]  # 3+5+1, 2+2+2
    assert r.matrix_totals[0].how == "sum of 3 criteria: 3 + 5 + 1 = 9"
    # Given weights are honoured by `sum` too: 2·3 + 1·5 + 3·1 = 14, 2·2 + 2 + 3·2 = 12.
    r = report(MATRIX.format(weights="weights: [2, 1, 3]", total="sum"))
    assert [t.score for t in r.matrix_totals] == [14, 12]
    assert r.matrix_totals[0].how == "sum of 3 criteria: 2×3 + 1×5 + 3×1 = 14"
    r = report(MATRIX.format(weights="weights: [2, 1, 3]", total="weighted-mean"))
    assert [t.score for t in r.matrix_totals] == [approx(14 / 6), approx(2)]
    r = report(MATRIX.format(weights="", total="none"))
    assert r.matrix_totals == ()
    assert "No totals (total: none)." in explain(
        diagram(MATRIX.format(weights="", total="none")), r
    )


def test_example_without_data_has_no_scores() -> None:
    _, r = example("cs-metrics-hierarchy-v4")
    assert r.nodes == {} and r.weakest is None and r.composite is None


# --- leaves: the ratio rule and its edges -----------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("value: 20, benchmark: 16, better: lower", 40.0),  # 16/20 = 0.8
        ("value: 8, benchmark: 16, better: lower", 100.0),  # 16/8 = 2 → top
        ("value: 16, benchmark: 16, better: lower", 50.0),  # equal → midpoint
        ("value: 0, benchmark: 16, better: lower", 100.0),  # nothing at all → top
        ("value: 5, benchmark: 0", 100.0),  # above a zero benchmark → top
        ("value: 0, benchmark: 0", 50.0),  # equal → midpoint
        ("value: 0, benchmark: 0, better: lower", 50.0),  # equal wins over "0 is top"
        ("value: 5, benchmark: 0, better: lower", 0.0),  # above a zero ceiling → bottom
        ("value: -5, benchmark: 0, better: lower", 100.0),
        ("value: -5, benchmark: 0", 0.0),
        ("value: 0, benchmark: 40", 0.0),  # ratio 0 → bottom
        ("value: 300, benchmark: 100", 100.0),  # ratio 3 capped at 2
        ("value: -3, benchmark: 10", 0.0),  # ratio -0.3 raised to 0
        ("value: -2, benchmark: 10, better: lower", 100.0),  # below 0 and lower is better
        # Negative reference: ratio = 1 ± (value − ref) / |ref|.
        ("value: -2, benchmark: -5", 80.0),  # 1 + 3/5 = 1.6
        ("value: -8, benchmark: -5", 20.0),  # 1 − 3/5 = 0.4
        ("value: -2, benchmark: -5, better: lower", 20.0),  # 1 − 3/5 = 0.4
        ("value: -10, benchmark: -5, better: lower", 100.0),  # 1 + 5/5 = 2
        ("value: 30, target: 40", 37.5),  # no benchmark: the target, 0.75
        ("value: 30, benchmark: 60, target: 40", 25.0),  # the benchmark wins, 0.5
        ("score: 12, value: 30, benchmark: 15", 12.0),  # a given score wins
    ],
)
def test_leaf_ratio_rules(fields: str, expected: float) -> None:
    assert one_leaf(fields).score == approx(expected)


def test_leaf_hows_name_what_was_used() -> None:
    assert one_leaf("value: 30, target: 40, unit: h").how == (
        "value 30 h vs target 40 h, higher is better: ratio 0.75 → 37.5"
    )
    assert one_leaf("value: 300, benchmark: 100").how.endswith("ratio 3.00, capped at 2 → 100.0")
    assert one_leaf("value: -3, benchmark: 10").how.endswith("ratio -0.30, raised to 0 → 0.0")
    assert one_leaf("value: 0, benchmark: 16, better: lower").how == (
        "value 0 vs benchmark 16, lower is better: value at or below 0 → top of range"
        " (ratio 2.00) → 100.0"
    )
    assert one_leaf("value: 5, benchmark: 0").how.endswith(
        "reference 0 and value above it → top of range → 100.0"
    )
    assert one_leaf("value: -2, benchmark: -5").how.endswith(
        "ratio 1 + (value − ref) / |ref| = 1.60 → 80.0"
    )


def test_leaf_with_partial_data_has_no_score_but_says_why() -> None:
    assert one_leaf("value: 30, unit: '%'") == Scored(
        None, "value 30% with no benchmark or target: no score"
    )
    assert one_leaf("benchmark: 30") == Scored(None, "benchmark 30 with no value: no score")


@pytest.mark.parametrize(
    ("block", "fields", "expected"),
    [
        ("scores: {range: [1, 5]}", "value: 18, benchmark: 45", 1.8),  # 1 + 4·0.4/2
        ("scores: {range: [1, 5]}", "value: 45, benchmark: 45", 3.0),
        ("scores: {range: [1, 5]}", "value: 90, benchmark: 45", 5.0),
        ("scores: {range: [1, 5]}", "value: 0, benchmark: 45", 1.0),
        ("scores: {range: [-10, 10]}", "value: 18, benchmark: 45", -6.0),  # −10 + 20·0.2
        ("scores: {range: [-10, 10]}", "value: 45, benchmark: 45", 0.0),
        ("scores: {range: [-10, 10]}", "value: 1, benchmark: 0", 10.0),
        ("scores: {range: [-10, 10]}", "score: -7", -7.0),
    ],
)
def test_other_ranges(block: str, fields: str, expected: float) -> None:
    assert one_leaf(fields, block).score == approx(expected)


# --- parents -------------------------------------------------------------------------

TREE = """
    title: t
    {scores}
    columns:
      - label: Lane
        items:
          - label: Group
            {group}
            items:
              - {{label: A, value: 90, benchmark: 100}}
              - {{label: B, value: 60, benchmark: 100, weight: 3}}
              - {{label: Empty}}
              - {{operator: "+"}}
              - {{label: C, score: 80}}
      - label: Other
        items:
          - {{label: D, value: 10, benchmark: 100}}
          - {{label: E, value: 50, benchmark: 10, better: lower}}
    """
# A = 45, B = 30 (weight 3), C = 80, Empty has nothing; D = 5, E = 10 (ratio 0.2).


def test_weighted_mean_skips_operators_and_empty_children() -> None:
    r = report(TREE.format(scores="", group=""))
    group = (45 + 3 * 30 + 80) / 5  # (45 + 90 + 80) / 5 = 43
    assert scores(r) == {
        "lane": approx(group),  # one scored child
        "group": approx(group),
        "a": approx(45),
        "b": approx(30),
        "c": approx(80),
        "other": approx((5 + 10) / 2),
        "d": approx(5),
        "e": approx(10),
    }
    assert "empty" not in r.nodes  # no data at all
    assert r.nodes["group"].how == (
        "weighted mean of 3 children (1 without a score skipped):"
        " (1×45.0 + 3×30.0 + 1×80.0) / 5 = 43.0"
    )
    assert r.weakest == "d"  # lowest leaf; Empty is not a candidate


def test_min_rollup() -> None:
    r = report(TREE.format(scores="scores: {rollup: min}", group=""))
    assert r.nodes["group"] == Scored(30, "min of 3 children (1 without a score skipped) = 30.0")
    assert r.nodes["lane"].score == 30
    assert r.nodes["other"].score == approx(5)


def test_none_rollup() -> None:
    r = report(TREE.format(scores="scores: {rollup: none}", group=""))
    for parent in ("lane", "group", "other"):
        assert r.nodes[parent].score is None
    assert r.nodes["group"].how == "rollup: none, so parents get no score"
    assert r.nodes["a"].score == approx(45)
    assert r.weakest == "d"  # leaves still compete


def test_explicit_score_and_own_data_on_a_parent_win_over_the_rollup() -> None:
    r = report(TREE.format(scores="", group="score: 90"))
    assert r.nodes["group"] == Scored(90, "given score 90")
    assert r.nodes["lane"].score == 90
    assert r.nodes["a"].score == approx(45)  # children are still scored
    r = report(
        """
        title: t
        columns:
          - {label: L, value: 120, benchmark: 100, items: [{label: X, score: 10}]}
        """
    )
    assert r.nodes["l"] == Scored(
        approx(60), "value 120 vs benchmark 100, higher is better: ratio 1.20 → 60.0"
    )
    assert r.nodes["x"].score == 10


def test_highlight_none_and_ties() -> None:
    assert report(TREE.format(scores="scores: {highlight: none}", group="")).weakest is None
    r = report(
        """
        title: t
        columns:
          - {label: L, items: [{label: X, score: 20}, {label: Y, score: 20}]}
          - {label: M, items: [{label: Z, score: 20}]}
        """
    )
    assert r.weakest == "x"  # first in document order


def test_nested_three_deep() -> None:
    r = report(
        """
        title: t
        columns:
          - label: L
            items:
              - label: G
                weight: 2
                items:
                  - label: H
                    items:
                      - {label: P, score: 10}
                      - {label: Q, score: 40, weight: 2}
                  - {label: R, score: 70}
              - {label: S, score: 100}
        """
    )
    h = (10 + 2 * 40) / 3  # 30
    g = (h + 70) / 2  # 50
    lane = (2 * g + 100) / 3  # 66.67
    assert scores(r) == {
        "l": approx(lane),
        "g": approx(g),
        "h": approx(h),
        "p": 10,
        "q": 40,
        "r": 70,
        "s": 100,
    }
    assert r.weakest == "p"


def test_parent_whose_children_have_no_scores_has_none() -> None:
    r = report(
        """
        title: t
        columns:
          - {label: L, items: [{label: X, value: 3}, Y]}
          - {label: M, items: [{label: Z, score: 50}]}
        """
    )
    assert "l" not in r.nodes
    assert r.nodes["x"].score is None
    assert r.weakest == "z"


# --- the composite -----------------------------------------------------------------

COMPOSITE = """
    title: t
    {scores}
    columns:
      - label: Lane A
        id: a
        items: [{{label: A1, score: 80}}, {{label: A2, score: 60}}]
      - label: Lane B
        id: b
        items: [{{label: B1, value: 4, benchmark: 10}}, {{label: Bare}}]
    composite:
      label: Index
      formula: {formula}
    """
# a = 70, b = b1 = 20


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("(a + b) / 2", 45.0),
        ("a * b / 100", 14.0),
        ("a * 2", 140.0),  # not clamped to the range
        ("b - a", -50.0),
        ("a1 - b1", 60.0),  # leaves too
        ("a × b ÷ 100", 14.0),
        ("'42'", 42.0),
    ],
)
def test_composite_formula(formula: str, expected: float) -> None:
    r = report(COMPOSITE.format(scores="", formula=formula))
    assert r.composite is not None and r.composite.score == approx(expected)
    assert r.nodes["index"] == r.composite
    assert r.weakest == "b1"  # the composite is an index, never the weakest


def test_composite_errors_point_into_the_formula() -> None:
    # The formula value starts at line 13, column 12.
    cases = {
        "a + bb": "t.yaml:13:16: formula: unknown id 'bb' (did you mean 'b'?)",
        "a / (b - b)": "t.yaml:13:14: formula: division by zero ('(b - b)' is 0)",
        "a + bare": (
            "t.yaml:13:16: formula: 'bare' has no score (give it a value and benchmark, or a score)"
        ),
        "a + index": (
            "t.yaml:13:16: formula: 'index' is the composite itself; a formula cannot use"
            " its own result"
        ),
        "open(a)": (
            "t.yaml:13:12: formula: 'open(' is a call; calls are not allowed: a formula"
            " combines node ids with + - * /, parentheses and numbers"
        ),
        "a-b": "t.yaml:13:12: formula: unknown id 'a-b'; write 'a - b' with spaces to subtract",
    }
    for formula, message in cases.items():
        with pytest.raises(SpecErrors) as info:
            report(COMPOSITE.format(scores="", formula=formula))
        assert str(info.value) == message


def test_composite_over_unscored_parents_is_an_error() -> None:
    with pytest.raises(SpecErrors, match="'a' has no score"):
        report(COMPOSITE.format(scores="scores: {rollup: none}", formula="a + b"))


def test_composite_without_formula_is_scored_like_any_node() -> None:
    r = report(
        """
        title: t
        columns: [{label: L, items: [{label: X, score: 40}]}]
        composite:
          label: Total
          items: [{label: Y, score: 10}, {label: Z, score: 30}]
        """
    )
    assert r.composite == Scored(20, "weighted mean of 2 children: (10.0 + 30.0) / 2 = 20.0")
    assert r.nodes["y"].score == 10
    assert r.weakest == "x"
    r = report("title: t\ncolumns: [{label: L, items: [X]}]\ncomposite: {label: T, score: 7}\n")
    assert r.composite == Scored(7, "given score 7")
    r = report("title: t\ncolumns: [{label: L, items: [X]}]\ncomposite: {label: T}\n")
    assert r.composite is None and r.nodes == {}


def test_composite_formula_can_use_its_own_children() -> None:
    r = report(
        """
        title: t
        columns: [{label: L, score: 50}]
        composite:
          label: T
          formula: l + y
          items: [{label: Y, score: 10}]
        """
    )
    assert r.composite is not None and r.composite.score == 60
    assert list(r.nodes) == ["l", "t", "y"]


# --- formatting and ramp ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (94, "%", "94%"),
        (94.5, "%", "94.5%"),
        (31, "$", "$31"),
        (1250, "$", "$1,250"),
        (0.9, "$", "$0.9"),
        (-5, "$", "-$5"),
        (-0.0, "$", "$0"),
        (20, "h", "20 h"),
        (0.9, "per account/mo", "0.9 per account/mo"),
        (12, "pts", "12 pts"),
        (0.9, None, "0.9"),
        (1.25, None, "1.25"),
        (1.256, None, "1.26"),
        (78.0, None, "78"),
        (1250, None, "1,250"),
        (1234567.891, None, "1,234,567.89"),
        (0.0042, None, "0.0042"),
        (-0.5, None, "-0.5"),
        (0, None, "0"),
        (0, "", "0"),
    ],
)
def test_format_value(value: float, unit: str | None, expected: str) -> None:
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    ("score", "rng", "steps", "expected"),
    [
        (0, (0, 100), 5, 0),
        (19.99, (0, 100), 5, 0),
        (20, (0, 100), 5, 1),
        (50, (0, 100), 5, 2),
        (99.9, (0, 100), 5, 4),
        (100, (0, 100), 5, 4),  # the top belongs to the last band
        (150, (0, 100), 5, 4),  # an unclamped composite
        (-5, (0, 100), 5, 0),
        (3, (1, 5), 5, 2),
        (5, (1, 5), 5, 4),
        (0, (-10, 10), 4, 2),
        (42, (0, 100), 1, 0),
        (math.nan, (0, 100), 5, 0),
        (1e308, (-1e308, 1e308), 5, 4),
    ],
)
def test_ramp_step(score: float, rng: tuple[float, float], steps: int, expected: int) -> None:
    assert ramp_step(score, rng, steps) == expected


def test_ramp_step_needs_a_ramp() -> None:
    with pytest.raises(ValueError):
        ramp_step(1, (0, 100), 0)


# --- explain ----------------------------------------------------------------------


def test_explain_simple_scorecard() -> None:
    d, r = example("saas-benchmark-scorecard-simple")
    lines = explain(d, r).splitlines()
    assert lines[0] == "Scores on 0–100 (rollup: weighted-mean, highlight: weakest)"
    assert lines[1] == "Case Assessment             61.1  weighted mean of 1 child: 61.1"
    assert lines[2] == (
        "  Case Volume               61.1  value 0.9 per account/mo vs benchmark"
        " 1.1 per account/mo, lower is better: ratio 1.22 → 61.1"
    )
    assert lines[-2] == "Weakest: Self-Service Rate (20.0)"
    assert lines[-1] == (
        "Composite Score             42.8  formula (effectiveness + efficiency) / 2"
        " = (54.6 + 31.0) / 2 = 42.8"
    )
    assert len(lines) == 1 + 8 + 1 + 1


def test_explain_marks_boxes_without_a_score() -> None:
    d = diagram(TREE.format(scores="scores: {rollup: none}", group=""))
    text = explain(d, score_diagram(d))
    assert "  Group     —  rollup: none, so parents get no score" in text
    assert "Weakest: D (5.0)" in text


def test_explain_without_data() -> None:
    d, r = example("cs-metrics-hierarchy-v4")
    assert explain(d, r).splitlines()[1] == (
        "No box has a score, a value with a benchmark or target, or a formula."
    )


def test_report_is_read_only() -> None:
    _, r = example("saas-benchmark-scorecard-simple")
    with pytest.raises(TypeError):
        r.nodes["x"] = Scored(1, "")  # type: ignore[index]
    with pytest.raises(AttributeError):
        r.weakest = "x"  # type: ignore[misc]


# --- no crash, whatever the numbers --------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    value=finite,
    ref=finite,
    lower=st.booleans(),
    lo=finite,
    width=st.floats(min_value=1e-6, max_value=1e308),
)
def test_any_numbers_give_a_score_within_the_range(
    value: float, ref: float, lower: bool, lo: float, width: float
) -> None:
    from renderer.scores import _own  # the leaf rule on its own, without YAML

    hi = lo + width
    if not (math.isfinite(hi) and hi > lo):
        return
    better = "lower" if lower else "higher"
    n = NodeSpec(loc=Loc("t.yaml", 1, 1), value=value, benchmark=ref, better=better)
    scored = _own(n, lo, hi)
    assert scored is not None and scored.score is not None
    assert math.isfinite(scored.score)
    assert lo - 1e-9 * abs(lo) <= scored.score <= hi + 1e-9 * abs(hi)
    assert 0 <= ramp_step(scored.score, (lo, hi), 5) <= 4
    assert scored.how
