"""Valid specs parse into the model the later stages expect; the schema matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from renderer.errors import Loc
from renderer.spec import parse
from renderer.spec.model import Canvas, MatrixRow, NodeSpec, ScoreSettings
from renderer.spec.parse import load_spec, parse_spec_text
from renderer.spec.schema import SCHEMA_DIALECT, json_schema
from renderer.spec.yaml_source import load_yaml_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "tests" / "fixtures" / "contract-examples").glob("*.yaml"))
REPO_SPECS = sorted((ROOT / "specs").glob("*.yaml"))
PATH = "specs/t.yaml"


def test_all_six_examples_are_present() -> None:
    assert len(EXAMPLES) == 6


@pytest.mark.parametrize("path", EXAMPLES + REPO_SPECS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_spec_files_parse(path: Path) -> None:
    spec = load_spec(path)
    assert spec.path == str(path)
    assert spec.title
    assert bool(spec.lanes) != bool(spec.matrix)


def example(name: str) -> Path:
    return next(p for p in EXAMPLES if p.stem == name)


def test_hierarchy_example_in_detail() -> None:
    spec = load_spec(example("cs-metrics-hierarchy-v4"))
    assert spec.subtitle == "B2B SaaS support, from case drivers to business impact"
    assert spec.variants == ("blue-grey", "blue-grey-dark", "print")
    assert spec.canvas == Canvas("slide-16x9", 1920.0, 1080.0)
    assert spec.flow == "chevron" and spec.direction == "right"
    assert [lane.label for lane in spec.lanes] == ["Metrics", "Outcomes", "Business Impact"]
    need = spec.lanes[0].items[0]
    assert need.label == "Need for Support"
    assert [n.label for n in need.items] == [
        "Volume",
        "Intent",
        "Root Cause",
        "Complexity",
        "Severity",
    ]
    outcomes = spec.lanes[1].items
    assert outcomes[0].id == "effectiveness"
    assert outcomes[0].details == ("Expansion Rate", "Renewal Rate")
    assert outcomes[1].operator == "×" and outcomes[1].label is None
    assert spec.lanes[2].items[0].role == "impact"
    assert spec.theme_loc == Loc(str(example("cs-metrics-hierarchy-v4")), 4, 8)


def test_scorecard_example_in_detail() -> None:
    path = example("saas-benchmark-scorecard-expanded")
    spec = load_spec(path)
    assert spec.scores == ScoreSettings(
        range=(0.0, 100.0),
        show=("value", "benchmark", "score", "bar"),
        rollup="weighted-mean",
        highlight="weakest",
    )
    case_volume = spec.lanes[0].items[0]
    assert (case_volume.value, case_volume.benchmark, case_volume.better) == (0.9, 1.1, "lower")
    assert case_volume.unit == "per account/mo"
    assert case_volume.loc_of("value") == Loc(str(path), 17, 37)
    assert spec.lanes[1].items[0].weight == 2.0
    assert spec.lanes[1].items[2].score == 72.0
    assert spec.composite is not None
    assert spec.composite.formula == "effectiveness * efficiency / 100"
    assert spec.composite.formula_loc == Loc(str(path), 34, 12)


def test_matrix_example_in_detail() -> None:
    path = example("segment-scoring")
    spec = load_spec(path)
    m = spec.matrix
    assert m is not None
    assert m.criteria == ("Current Fit", "Future Vision", "Roadmap", "Support Quality", "Price")
    assert m.weights == (2.0, 1.0, 1.0, 1.0, 1.0)
    assert m.range == (1.0, 5.0) and m.total == "weighted-mean"
    assert m.rows[2] == MatrixRow(
        Loc(str(path), 14, 7), "Frozen Pragmatists", (4.0, 1.0, 1.0, 3.0, 4.0)
    )
    assert spec.lanes == () and spec.scores is None


def test_defaults() -> None:
    spec = parse_spec_text("title: T\ncolumns: [A]\n", PATH)
    assert (spec.version, spec.theme, spec.variants, spec.theme_variants) == (
        1,
        "blue-grey",
        (),
        ("blue-grey",),
    )
    assert spec.canvas == Canvas("auto") and not spec.canvas.fixed
    assert (spec.direction, spec.flow, spec.scores, spec.composite) == ("right", "none", None, None)
    assert spec.lanes == (NodeSpec(Loc(PATH, 2, 11), label="A"),)
    assert spec.lanes[0].key_locs == (("label", Loc(PATH, 2, 11)),)


def test_tiers_imply_direction_down() -> None:
    assert parse_spec_text("title: T\ntiers: [A, B]\n", PATH).direction == "down"
    assert parse_spec_text("title: T\ndirection: down\ntiers: [A]\n", PATH).direction == "down"
    assert parse_spec_text("title: T\ndirection: down\ncolumns: [A]\n", PATH).direction == "down"


def test_written_backslash_n_is_a_line_break() -> None:
    spec = parse_spec_text(
        'title: T\ncolumns:\n  - label: Need for\\nSupport\n    caption: "a\\nb"\n'
        "    details: [x\\ny]\n",
        PATH,
    )
    lane = spec.lanes[0]
    assert (lane.label, lane.caption, lane.details) == ("Need for\nSupport", "a\nb", ("x\ny",))
    assert parse_spec_text("title: A\\nB\ncolumns: [a]\n", PATH).title == "A\\nB"


@pytest.mark.parametrize(
    ("written", "sign"),
    [("x", "×"), ("'*'", "×"), ("'-'", "−"), ("/", "÷"), ("+", "+"), ("=", "="), ("→", "→"),
     ("×", "×"), ("−", "−"), ("÷", "÷")],
)  # fmt: skip
def test_operators_are_normalised(written: str, sign: str) -> None:
    spec = parse_spec_text(
        f"title: T\ncolumns:\n  - label: L\n    items: [A, {{operator: {written}}}, B]\n", PATH
    )
    assert spec.lanes[0].items[1].operator == sign


def test_operator_node_may_have_label_id_role_emphasis() -> None:
    spec = parse_spec_text(
        "title: T\ncolumns:\n  - {operator: x, label: times, id: op, role: note, emphasis: true}\n",
        PATH,
    )
    op = spec.lanes[0]
    assert (op.operator, op.label, op.id, op.role, op.emphasis) == (
        "×",
        "times",
        "op",
        "note",
        True,
    )


def test_every_node_key() -> None:
    spec = parse_spec_text(
        """\
title: T
scores: {range: [0, 10], show: [], rollup: min, highlight: none}
columns:
  - label: L
    id: l-1
    caption: c
    question: q?
    metric: m
    details: [d]
    layout: grid
    grid_columns: 2
    role: group
    emphasis: false
    value: 3
    unit: "%"
    benchmark: 4.5
    target: 5
    better: lower
    weight: 0.5
    score: 7
    items: [a, {label: b, items: [c]}]
""",
        PATH,
    )
    n = spec.lanes[0]
    assert spec.scores == ScoreSettings((0.0, 10.0), (), "min", "none")
    assert (n.id, n.caption, n.question, n.metric, n.details) == ("l-1", "c", "q?", "m", ("d",))
    assert (n.layout, n.grid_columns, n.role, n.emphasis) == ("grid", 2, "group", False)
    assert (n.value, n.unit, n.benchmark, n.target) == (3.0, "%", 4.5, 5.0)
    assert (n.better, n.weight, n.score) == ("lower", 0.5, 7.0)
    assert [c.label for c in n.items] == ["a", "b"] and n.items[1].items[0].label == "c"
    assert [k for k, _ in n.key_locs][:3] == ["label", "id", "caption"]
    assert n.loc_of("grid_columns") == Loc(PATH, 11, 19)
    assert n.loc_of("nonexistent") == n.loc


def test_custom_canvas_and_presets() -> None:
    spec = parse_spec_text("title: T\ncanvas: {width: 800, height: 450.5}\ncolumns: [a]\n", PATH)
    assert spec.canvas == Canvas("custom", 800.0, 450.5) and spec.canvas.fixed
    for name, (w, h) in parse.CANVAS_PRESETS.items():
        spec = parse_spec_text(f"title: T\ncanvas: {name}\ncolumns: [a]\n", PATH)
        assert spec.canvas == Canvas(name, float(w), float(h))


def test_composite_children_and_ids() -> None:
    spec = parse_spec_text(
        "title: T\ncolumns: [{label: A, id: a}]\n"
        "composite: {label: C, id: c, role: outcome, formula: a * 2, items: [x]}\n",
        PATH,
    )
    assert spec.composite is not None
    assert (spec.composite.id, spec.composite.role) == ("c", "outcome")
    assert spec.composite.items[0].label == "x"


def test_yaml_anchors_and_merge_keys_can_share_node_settings() -> None:
    spec = parse_spec_text(
        "title: T\ncolumns:\n  - &base {label: A, unit: '%', better: lower}\n"
        "  - {<<: *base, label: B}\n",
        PATH,
    )
    assert [(n.label, n.unit, n.better) for n in spec.lanes] == [
        ("A", "%", "lower"),
        ("B", "%", "lower"),
    ]


def test_nodes_at_the_depth_limit_are_fine() -> None:
    text = "a"
    for _ in range(parse.MAX_NODE_DEPTH - 1):
        text = f"{{label: n, items: [{text}]}}"
    spec = parse_spec_text(f"title: T\ncolumns: [{text}]\n", PATH)
    node, depth = spec.lanes[0], 1
    while node.items:
        node, depth = node.items[0], depth + 1
    assert depth == parse.MAX_NODE_DEPTH


# --- JSON Schema ------------------------------------------------------------------


def test_schema_is_json_with_dialect() -> None:
    schema = json_schema()
    assert schema["$schema"] == SCHEMA_DIALECT == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(schema)) == schema
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["title"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_keys_are_in_the_schema(path: Path) -> None:
    schema = json_schema()
    root = load_yaml_file(path)
    keys = {k.value for k, _ in root.value}
    assert keys <= set(schema["properties"])


def test_schema_keys_come_from_the_parser_tables() -> None:
    schema = json_schema()
    defs = schema["$defs"]

    def names(table: tuple[parse.Key, ...]) -> list[str]:
        return [k.name for k in table]

    assert list(schema["properties"]) == names(parse.TOP_KEYS)
    assert list(defs["nodeObject"]["properties"]) == names(parse.NODE_KEYS)
    assert list(defs["composite"]["properties"]) == [*names(parse.NODE_KEYS), "formula"]
    assert list(defs["scores"]["properties"]) == names(parse.SCORES_KEYS)
    assert list(defs["matrix"]["properties"]) == names(parse.MATRIX_KEYS)
    assert list(defs["row"]["properties"]) == names(parse.ROW_KEYS)
    for d in ("nodeObject", "composite", "scores", "matrix", "row"):
        assert defs[d]["additionalProperties"] is False
        assert all(p["description"] for p in defs[d]["properties"].values())
    assert defs["nodeObject"]["properties"]["role"]["enum"] == list(parse.ROLES)
    assert defs["node"]["anyOf"][0]["type"] == "string"
    assert defs["nodeObject"]["properties"]["items"]["items"] == {"$ref": "#/$defs/node"}
