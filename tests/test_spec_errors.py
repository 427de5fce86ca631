"""Broken specs: each error line is exact, located and says what would be right."""

from __future__ import annotations

from textwrap import dedent

import pytest

from renderer.errors import SpecErrors
from renderer.spec import parse
from renderer.spec.parse import load_spec, parse_spec_text

PATH = "specs/cs.yaml"


def errors(text: str) -> list[str]:
    with pytest.raises(SpecErrors) as info:
        parse_spec_text(dedent(text), PATH)
    return [str(e) for e in info.value.errors]


CASES: list[tuple[str, str, list[str]]] = [
    (
        "contract example: misspelt key in an unlabelled node",
        """\
        title: T
        columns:
          - label: Metrics
            items:
              - Volume
              - label: Intent
              - lable: Root Cause
        """,
        [
            "specs/cs.yaml:7:9: unknown key 'lable' in node 3 of lane 'Metrics'"
            " (did you mean 'label'?)"
        ],
    ),
    (
        "unknown top-level key with suggestion",
        "title: T\ncolums: [a]\ncolumns: [b]\n",
        ["specs/cs.yaml:2:1: unknown key 'colums' in the spec (did you mean 'columns'?)"],
    ),
    (
        "unknown key without a close match",
        "title: T\ncolumns: [a]\nsize: big\n",
        ["specs/cs.yaml:3:1: unknown key 'size' in the spec"],
    ),
    (
        "key people bring from other tools",
        "title: T\ncolumns:\n  - label: A\n    children: [b]\n",
        ["specs/cs.yaml:4:5: unknown key 'children' in lane 'A' (did you mean 'items'?)"],
    ),
    (
        "nested context uses labels",
        """\
        title: T
        columns:
          - label: Metrics
            items:
              - label: Need for Support
                items:
                  - {label: Volume, wieght: 2}
        """,
        [
            "specs/cs.yaml:7:29: unknown key 'wieght' in node 'Volume' of node 'Need for Support'"
            " of lane 'Metrics' (did you mean 'weight'?)"
        ],
    ),
    (
        "spec is a list",
        "- title: T\n",
        ["specs/cs.yaml:1:1: expected a mapping for the spec, got a list"],
    ),
    (
        "spec is a string",
        "just words\n",
        ["specs/cs.yaml:1:1: expected a mapping for the spec, got 'just words'"],
    ),
    (
        "title missing",
        "subtitle: S\ncolumns: [a]\n",
        ["specs/cs.yaml:1:1: 'title' is required"],
    ),
    (
        "title not text",
        "title: 2024\ncolumns: [a]\n",
        ["specs/cs.yaml:1:8: 'title' must be a string, got 2024 (quote it to use it as text)"],
    ),
    (
        "empty title",
        "title: ''\ncolumns: [a]\n",
        ["specs/cs.yaml:1:8: 'title' must not be empty"],
    ),
    (
        "version",
        "version: 2\ntitle: T\ncolumns: [a]\n",
        ["specs/cs.yaml:1:10: 'version' must be 1, got 2"],
    ),
    (
        "direction",
        "title: T\ndirection: left\ncolumns: [a]\n",
        ["specs/cs.yaml:2:12: 'direction' must be one of right, down, got 'left'"],
    ),
    (
        "flow with suggestion",
        "title: T\nflow: chevrons\ncolumns: [a]\n",
        [
            "specs/cs.yaml:2:7: 'flow' must be one of none, line, chevron, got 'chevrons'"
            " (did you mean 'chevron'?)"
        ],
    ),
    (
        "no lanes at all",
        "title: T\n",
        ["specs/cs.yaml:1:1: use exactly one of 'columns', 'tiers' or 'matrix'"],
    ),
    (
        "two layouts",
        "title: T\ncolumns: [a]\ntiers: [b]\n",
        ["specs/cs.yaml:3:1: use exactly one of 'columns', 'tiers' or 'matrix'"],
    ),
    (
        "tiers with direction right",
        "title: T\ndirection: right\ntiers: [a]\n",
        [
            "specs/cs.yaml:2:12: 'direction' must be down with 'tiers' (tiers are stacked);"
            " use 'columns' for lanes side by side"
        ],
    ),
    (
        "columns not a list",
        "title: T\ncolumns:\n  label: A\n",
        ["specs/cs.yaml:3:3: 'columns' must be a list of lanes, got a mapping"],
    ),
    (
        "columns empty",
        "title: T\ncolumns: []\n",
        ["specs/cs.yaml:2:10: 'columns' is empty; add at least one lane"],
    ),
    (
        "lanes of the wrong kind, each reported once",
        "title: T\ncolumns: [a, 3, [x, y], ~]\n",
        [
            "specs/cs.yaml:2:14: lane 2 must be a label or a mapping of node keys, got 3"
            " (quote it to use it as a label)",
            "specs/cs.yaml:2:17: lane 3 must be a label or a mapping of node keys, got ['x', 'y']",
            "specs/cs.yaml:2:25: lane 4 must be a label or a mapping of node keys, got nothing",
        ],
    ),
    (
        "label missing",
        "title: T\ncolumns:\n  - caption: c\n",
        ["specs/cs.yaml:3:5: 'label' is required in lane 1"],
    ),
    (
        "canvas name",
        "title: T\ncanvas: huge\ncolumns: [a]\n",
        [
            "specs/cs.yaml:2:9: canvas must be auto, slide-16x9, slide-4x3, a4-landscape,"
            " letter-landscape or {width, height}, got 'huge'"
        ],
    ),
    (
        "canvas size",
        "title: T\ncanvas: {width: 0, hieght: 100}\ncolumns: [a]\n",
        [
            "specs/cs.yaml:2:17: 'width' must be a number of px from 16 to 20000, got 0",
            "specs/cs.yaml:2:20: unknown key 'hieght' in canvas (did you mean 'height'?)",
        ],
    ),
    (
        "variants",
        "title: T\nvariants: [print, print]\ncolumns: [a]\n",
        ["specs/cs.yaml:2:19: 'variants' lists 'print' twice"],
    ),
    (
        "variants must be a list",
        "title: T\nvariants: print\ncolumns: [a]\n",
        ["specs/cs.yaml:2:11: 'variants' must be a list of strings, got 'print'"],
    ),
    (
        "weight",
        "title: T\ncolumns:\n  - {label: A, weight: -1}\n",
        ["specs/cs.yaml:3:24: 'weight' must be a number > 0, got -1"],
    ),
    (
        "booleans are not numbers",
        "title: T\ncolumns:\n  - {label: A, value: yes, benchmark: '30'}\n",
        [
            "specs/cs.yaml:3:23: 'value' must be a number, got true",
            "specs/cs.yaml:3:39: 'benchmark' must be a number, got '30'",
        ],
    ),
    (
        "numbers beyond float range",
        f"title: T\ncolumns:\n  - {{label: A, value: 1{'0' * 400}}}\n",
        [f"specs/cs.yaml:3:23: 'value' must be a number, got 1{'0' * 400}"],
    ),
    (
        "infinite numbers",
        "title: T\ncolumns:\n  - {label: A, target: .inf}\n",
        ["specs/cs.yaml:3:24: 'target' must be a number, got inf"],
    ),
    (
        "better and emphasis",
        "title: T\ncolumns:\n  - {label: A, better: more, emphasis: 1}\n",
        [
            "specs/cs.yaml:3:24: 'better' must be one of higher, lower, got 'more'",
            "specs/cs.yaml:3:40: 'emphasis' must be true or false, got 1",
        ],
    ),
    (
        "role is a fixed list",
        "title: T\ncolumns:\n  - {label: A, role: boss}\n",
        [
            "specs/cs.yaml:3:22: 'role' must be one of lane, group, metric, question, outcome,"
            " impact, operator, note, got 'boss'"
        ],
    ),
    (
        "layout suggestion",
        "title: T\ncolumns:\n  - {label: A, layout: grd}\n",
        [
            "specs/cs.yaml:3:24: 'layout' must be one of stack, row, grid, got 'grd'"
            " (did you mean 'grid'?)"
        ],
    ),
    (
        "grid_columns without layout grid",
        "title: T\ncolumns:\n  - {label: A, grid_columns: 3}\n"
        "  - {label: B, layout: row, grid_columns: 2}\n",
        [
            "specs/cs.yaml:3:30: 'grid_columns' only applies with 'layout: grid'; set"
            " 'layout: grid' or remove 'grid_columns'",
            "specs/cs.yaml:4:43: 'grid_columns' only applies with 'layout: grid'; set"
            " 'layout: grid' or remove 'grid_columns'",
        ],
    ),
    (
        "grid_columns must be a whole number",
        "title: T\ncolumns:\n  - {label: A, layout: grid, grid_columns: 0}\n",
        ["specs/cs.yaml:3:44: 'grid_columns' must be a whole number from 1 to 200, got 0"],
    ),
    (
        "invalid id",
        "title: T\ncolumns:\n  - {label: A, id: ../x}\n  - {label: B, id: Big}\n",
        [
            "specs/cs.yaml:3:20: invalid id '../x': ids are lowercase letters, digits and '-',"
            " starting with a letter or digit",
            "specs/cs.yaml:4:20: invalid id 'Big': ids are lowercase letters, digits and '-',"
            " starting with a letter or digit",
        ],
    ),
    (
        "numeric id",
        "title: T\ncolumns:\n  - {label: A, id: 42}\n",
        ["specs/cs.yaml:3:20: 'id' must be a string, got 42 (quote it)"],
    ),
    (
        "duplicate id across lanes and composite",
        """\
        title: T
        columns:
          - label: A
            id: volume
            items:
              - {label: V, id: volume}
        composite: {label: C, id: volume}
        """,
        [
            "specs/cs.yaml:6:24: duplicate id 'volume' (first used at line 4)",
            "specs/cs.yaml:7:27: duplicate id 'volume' (first used at line 4)",
        ],
    ),
    (
        "unknown operator",
        "title: T\ncolumns:\n  - label: L\n    items: [a, {operator: '%'}, b]\n",
        ["specs/cs.yaml:4:27: unknown operator '%': use one of × + − ÷ = → (or x * - /)"],
    ),
    (
        "operator nodes take no content keys",
        "title: T\ncolumns:\n  - label: L\n    items: [a, {operator: x, items: [b], value: 3}]\n",
        [
            "specs/cs.yaml:4:30: 'items' is not allowed on operator node 2 of lane 'L';"
            " an operator node takes only operator, label, id, role or emphasis",
            "specs/cs.yaml:4:42: 'value' is not allowed on operator node 2 of lane 'L';"
            " an operator node takes only operator, label, id, role or emphasis",
        ],
    ),
    (
        "formula outside composite",
        "title: T\ncolumns:\n  - {label: A, formula: a + b}\n",
        ["specs/cs.yaml:3:16: 'formula' is only allowed on the 'composite' node, not lane 'A'"],
    ),
    (
        "composite errors",
        "title: T\ncolumns: [a]\ncomposite:\n  lable: X\n  formula: 3\n",
        [
            "specs/cs.yaml:4:3: unknown key 'lable' in composite (did you mean 'label'?)",
            "specs/cs.yaml:5:12: 'formula' must be a string, got 3 (quote it to use it as text)",
        ],
    ),
    (
        "composite cannot be an operator",
        "title: T\ncolumns: [a]\ncomposite: {operator: x}\n",
        ["specs/cs.yaml:3:13: the composite node cannot be an operator"],
    ),
    (
        "items must be a list",
        "title: T\ncolumns:\n  - label: A\n    items: b\n",
        ["specs/cs.yaml:4:12: 'items' must be a list of nodes, got 'b'"],
    ),
    (
        "details must be a list of strings",
        "title: T\ncolumns:\n  - {label: A, details: one}\n  - {label: B, details: [x, 2]}\n",
        [
            "specs/cs.yaml:3:25: 'details' must be a list of strings, got 'one'",
            "specs/cs.yaml:4:29: each of 'details' must be a string, got 2"
            " (quote it to use it as text)",
        ],
    ),
    (
        "scores settings",
        """\
        title: T
        scores: {range: [5, 1], show: [values, bar, bar], rollup: max, highlight: all, sort: up}
        columns: [a]
        """,
        [
            "specs/cs.yaml:2:17: 'range' must be two numbers [low, high] with low < high,"
            " got [5, 1]",
            "specs/cs.yaml:2:32: 'show' entries must be value, benchmark, target, score or bar,"
            " got 'values' (did you mean 'value'?)",
            "specs/cs.yaml:2:59: 'rollup' must be one of weighted-mean, min, none, got 'max'",
            "specs/cs.yaml:2:75: 'highlight' must be one of weakest, none, got 'all'",
            "specs/cs.yaml:2:80: unknown key 'sort' in scores",
        ],
    ),
    (
        "duplicate show entry",
        "title: T\nscores: {show: [bar, bar]}\ncolumns: [a]\n",
        ["specs/cs.yaml:2:22: 'show' lists 'bar' twice"],
    ),
    (
        "score outside range",
        "title: T\nscores: {range: [0, 10]}\ncolumns:\n  - {label: A, score: 12}\n",
        ["specs/cs.yaml:4:23: 'score' must be within the score range [0, 10], got 12"],
    ),
    (
        "matrix errors are all reported",
        """\
        title: T
        matrix:
          criteria: [Fit, Price]
          weights: [1, 0, 2]
          range: [1, 5]
          rows:
            - {label: R, scores: [1, 9]}
            - {label: S, scores: [1]}
            - {scores: [1, 2]}
            - x
          total: avg
        """,
        [
            "specs/cs.yaml:4:16: each of 'weights' must be a number > 0, got 0",
            "specs/cs.yaml:7:30: score 9 for 'Price' is outside the matrix range [1, 5]",
            "specs/cs.yaml:8:26: row 'S' of matrix has 1 score but there are 2 criteria;"
            " give one score per criterion",
            "specs/cs.yaml:9:7: 'label' is required in row 3 of matrix",
            "specs/cs.yaml:10:7: row 4 of matrix must be a mapping with 'label' and 'scores',"
            " got 'x'",
            "specs/cs.yaml:11:10: 'total' must be one of weighted-mean, sum, none, got 'avg'",
        ],
    ),
    (
        "matrix weights count",
        "title: T\nmatrix:\n  criteria: [A, B, C]\n  weights: [1, 2]\n"
        "  rows: [{label: R, scores: [1, 2, 3]}]\n",
        [
            "specs/cs.yaml:4:12: 'weights' has 2 numbers but there are 3 criteria;"
            " give one weight per criterion"
        ],
    ),
    (
        "matrix required keys and empty criteria",
        "title: T\nmatrix:\n  criteria: []\n",
        [
            "specs/cs.yaml:3:3: 'rows' is required in matrix",
            "specs/cs.yaml:3:13: 'criteria' is empty; add at least one criterion",
        ],
    ),
    (
        "matrix row keys and ids",
        "title: T\nmatrix:\n  criteria: [A]\n  rows:\n"
        "    - {label: R, scores: [1], id: r, note: x}\n"
        "    - {label: S, scores: [2], id: r}\n",
        [
            "specs/cs.yaml:5:38: unknown key 'note' in row 'R' of matrix",
            "specs/cs.yaml:6:35: duplicate id 'r' (first used at line 5)",
        ],
    ),
    (
        "matrix with lane-only settings",
        "title: T\ndirection: down\nscores: {}\nmatrix:\n  criteria: [A]\n"
        "  rows: [{label: R, scores: [1]}]\n",
        [
            "specs/cs.yaml:2:1: 'direction' does not apply to a matrix; remove it",
            "specs/cs.yaml:3:1: 'scores' does not apply to a matrix; remove it"
            " (a matrix has its own 'range' and 'total')",
        ],
    ),
    (
        "text too long",
        f"title: T\ncolumns:\n  - {'x' * 501}\n",
        ["specs/cs.yaml:3:5: 'label' is 501 characters long; the limit is 500"],
    ),
    (
        "too many items",
        "title: T\ncolumns:\n  - label: A\n    items: [" + ", ".join(["a"] * 201) + "]\n",
        ["specs/cs.yaml:4:12: 'items' has 201 entries; the limit is 200"],
    ),
    (
        "yaml errors come through with their position",
        "title: T\ncolumns:\n  - {label: A, label: B}\n",
        ["specs/cs.yaml:3:16: duplicate key 'label' (first at line 3)"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_lines(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


def test_there_are_plenty_of_cases() -> None:
    assert len(CASES) >= 30


def test_errors_from_different_parts_are_collected_together() -> None:
    lines = errors(
        """\
        title: T
        flow: arrows
        columns:
          - label: A
            items: [{label: B, weight: 0}, {labl: C}]
        composite: {label: X, unknown: 1}
        """
    )
    assert lines == [
        "specs/cs.yaml:2:7: 'flow' must be one of none, line, chevron, got 'arrows'",
        "specs/cs.yaml:5:32: 'weight' must be a number > 0, got 0",
        "specs/cs.yaml:5:37: unknown key 'labl' in node 2 of lane 'A' (did you mean 'label'?)",
        "specs/cs.yaml:6:23: unknown key 'unknown' in composite",
    ]


def test_nodes_nested_too_deeply() -> None:
    text = "a"
    for _ in range(parse.MAX_NODE_DEPTH):
        text = f"{{label: n, items: [{text}]}}"
    line = f"columns: [{text}]"
    col = line.index("[a]") + 1
    assert errors(f"title: T\n{line}\n") == [
        f"specs/cs.yaml:2:{col}: nodes nest at most 12 levels deep; these 'items' would be"
        " level 13: flatten the hierarchy"
    ]


def test_too_many_nodes_is_reported_once() -> None:
    lanes = "\n".join(
        "  - label: L\n    items: [" + ", ".join(["x"] * 200) + "]" for _ in range(25)
    )
    lines = errors(f"title: T\ncolumns:\n{lanes}\n")
    # 24 full lanes hold 4824 nodes; lane 25 is 4825, so its item 176 is node 5001.
    assert lines == ["specs/cs.yaml:52:538: too many nodes: the limit is 5000; split the diagram"]


def test_alias_copies_count_as_nodes() -> None:
    text = "title: T\nx: &row [" + ", ".join(["n"] * 100) + "]\n"
    lines = errors(text + "columns:\n" + "  - {label: L, items: *row}\n" * 51)
    assert lines[0] == "specs/cs.yaml:2:1: unknown key 'x' in the spec"
    assert lines[1].endswith("too many nodes: the limit is 5000; split the diagram")
    assert len(lines) == 2


def test_load_spec_reports_missing_file(tmp_path: object) -> None:
    with pytest.raises(SpecErrors) as info:
        load_spec("specs/does-not-exist.yaml")
    assert str(info.value) == "specs/does-not-exist.yaml:1:1: file not found"
