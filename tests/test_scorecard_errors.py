"""Scorecard and matrix mistakes as a user meets them: through the `tierdraw` command.

A formula comes from a spec file, which may come from anyone: hostile ones
are refused with one `file:line:col: formula: …` line, nothing runs, and no
output is written. `tierdraw explain` (and `render --explain`) print the audit
trail of every score.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, tierdraw

run = tierdraw


SIMPLE = ROOT / "specs" / "saas-benchmark-scorecard-simple.yaml"
ALLOWED = "a formula combines node ids with + - * /, parentheses and numbers"

SPEC = """\
title: Formula check
columns:
  - label: Response Effectiveness
    id: effectiveness
    items:
      - {{label: Resolution Quality, value: 94, benchmark: 88, unit: "%"}}
  - label: Response Efficiency
    id: efficiency
    items:
      - {{label: Self-Service Rate, value: 18, benchmark: 45, unit: "%"}}
composite:
  label: Composite Score
  formula: {formula}
"""
FORMULA_LINE = 13
FORMULA_COL = len("  formula: ") + 1  # 12: where the (plain) formula starts


def pwned_files(*dirs: Path) -> list[Path]:
    return [p for d in dirs for p in d.glob("PWNED*")]


# (formula as written in YAML, exact message after "FILE:LINE:COL: ", offset in formula)
FORMULA_ERRORS = [
    (
        "__import__('os').system('touch PWNED')",
        f"formula: '__import__' is not allowed: {ALLOWED}",
        0,
    ),
    ("open('/etc/passwd')", f"formula: 'open(' is a call; calls are not allowed: {ALLOWED}", 0),
    (
        "effectiveness.__class__",
        f"formula: 'effectiveness.__class__' is not allowed: {ALLOWED}",
        0,
    ),
    ("eval('1')", f"formula: 'eval(' is a call; calls are not allowed: {ALLOWED}", 0),
    (
        "effectivness + efficiency",
        "formula: unknown id 'effectivness' (did you mean 'effectiveness'?)",
        0,
    ),
    (
        "effectiveness + efficency / 2",
        "formula: unknown id 'efficency' (did you mean 'efficiency'?)",
        16,
    ),
    (
        "effectiveness / (efficiency - efficiency)",
        "formula: division by zero ('(efficiency - efficiency)' is 0)",
        14,
    ),
    ("effectiveness / 0", "formula: division by zero ('0' is 0)", 14),
    (
        "(effectiveness + efficiency / 2",
        "formula: missing ')' to close the '(' at column 1",
        31,
    ),
    ("effectiveness ** 2", f"formula: '**' is not allowed: {ALLOWED}", 14),
    ("effectiveness +", "formula: expected a number, id or '(' at end of formula", 15),
    (
        "effectiveness efficiency",
        "formula: expected an operator (+ - * /) before 'efficiency' at column 15",
        14,
    ),
    (
        "effectiveness-efficiency",
        "formula: unknown id 'effectiveness-efficiency'; write"
        " 'effectiveness - efficiency' with spaces to subtract",
        0,
    ),
    (
        "composite-score * 2",
        "formula: 'composite-score' is the composite itself; a formula cannot use its own result",
        0,
    ),
]


@pytest.mark.parametrize(
    ("formula", "message", "offset"), FORMULA_ERRORS, ids=[f for f, _, _ in FORMULA_ERRORS]
)
def test_bad_formula_is_one_exact_error_line_and_writes_nothing(
    formula: str, message: str, offset: int, tmp_path: Path
) -> None:
    spec = tmp_path / "scorecard.yaml"
    spec.write_text(SPEC.format(formula=formula))
    out = tmp_path / "out"
    r = run("render", str(spec), "-f", "svg,png", "-o", str(out), cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout == ""
    assert r.stderr.splitlines() == [f"{spec}:{FORMULA_LINE}:{FORMULA_COL + offset}: {message}"]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scorecard.yaml"]


@pytest.mark.parametrize(
    ("written", "offset"),
    [('"effectiveness / 0"', 1 + 14), ("'effectiveness / 0'", 1 + 14), ("effectiveness / 0", 14)],
    ids=["double-quoted", "single-quoted", "plain"],
)
def test_error_column_is_the_character_also_in_a_quoted_formula(
    written: str, offset: int, tmp_path: Path
) -> None:
    """Formulas are often quoted in YAML; the column must still point at the culprit."""
    spec = tmp_path / "scorecard.yaml"
    spec.write_text(SPEC.format(formula=written))
    r = run("render", str(spec), "-f", "svg", "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"{spec}:{FORMULA_LINE}:{FORMULA_COL + offset}: formula: division by zero ('0' is 0)"
    ]


INJECTIONS = [
    "__import__('os').system('touch PWNED')",
    "\"__import__('os').system('touch PWNED')\"",
    "effectiveness + __import__('os').system('touch PWNED')",
    "open('PWNED', 'w')",
    'exec(\'open("PWNED", "w")\')',
    "effectiveness.__class__.__mro__",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "lambda: open('PWNED', 'w')",
    "effectiveness if open('PWNED', 'w') else efficiency",
    "__builtins__",
    "2 ** 1000000",
]


@pytest.mark.parametrize("formula", INJECTIONS)
@pytest.mark.parametrize("command", ["render", "explain"])
def test_injection_attempts_run_nothing(formula: str, command: str, tmp_path: Path) -> None:
    spec = tmp_path / "scorecard.yaml"
    spec.write_text(SPEC.format(formula=json.dumps(formula)))  # a JSON string is YAML
    args = ["-f", "svg,png,pdf", "-o", str(tmp_path / "out")] if command == "render" else []
    r = run(command, str(spec), *args, cwd=tmp_path)
    assert pwned_files(tmp_path, Path(tempfile.gettempdir()), ROOT) == []
    assert not (tmp_path / "out").exists()
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"{spec}:{FORMULA_LINE}:")
    assert ": formula: " in lines[0]


@pytest.mark.parametrize(
    ("formula", "message", "offset"),
    [FORMULA_ERRORS[0], FORMULA_ERRORS[4], FORMULA_ERRORS[6]],
    ids=["injection", "unknown-id", "division-by-zero"],
)
def test_validate_refuses_what_render_refuses(
    formula: str, message: str, offset: int, tmp_path: Path
) -> None:
    """`validate` promises the spec renders: a formula render refuses must fail it too."""
    spec = tmp_path / "scorecard.yaml"
    spec.write_text(SPEC.format(formula=formula))
    r = run("validate", str(spec), cwd=tmp_path)
    assert pwned_files(tmp_path, Path(tempfile.gettempdir()), ROOT) == []
    assert r.returncode == 1, r.stdout
    assert r.stderr.splitlines() == [f"{spec}:{FORMULA_LINE}:{FORMULA_COL + offset}: {message}"]


def test_explain_prints_the_audit_trail() -> None:
    r = run("explain", str(SIMPLE))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0] == str(SIMPLE)
    assert lines[1] == "Scores on 0–100 (rollup: weighted-mean, highlight: weakest)"
    for expected in (
        "Response Effectiveness      54.6  weighted mean of 2 children: (53.4 + 55.7) / 2 = 54.6",
        "  Self-Service Rate         20.0  value 18% vs benchmark 45%, higher is better:"
        " ratio 0.40 → 20.0",
        "  Cost per Case             41.9  value $31 vs benchmark $26, lower is better:"
        " ratio 0.84 → 41.9",
        "Weakest: Self-Service Rate (20.0)",
        "Composite Score             42.8  formula (effectiveness + efficiency) / 2 ="
        " (54.6 + 31.0) / 2 = 42.8",
    ):
        assert expected in lines, f"missing {expected!r} in\n{r.stdout}"
    assert lines[-1].startswith("Composite Score")
    assert len(lines) == 12


def test_explain_matrix_and_several_specs() -> None:
    matrix = ROOT / "specs" / "segment-scoring.yaml"
    r = run("explain", str(SIMPLE), str(matrix))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[12] == ""  # a blank line between specs
    assert lines[13] == str(matrix)
    assert lines[14:] == [
        "Matrix totals on 1–5 (total: weighted-mean)",
        "Visionary Builders  3.50  weighted mean of 5 criteria:"
        " (2×3 + 1×5 + 1×5 + 1×3 + 1×2) / 6 = 3.5",
        "Growth Optimisers   3.67  weighted mean of 5 criteria:"
        " (2×4 + 1×4 + 1×3 + 1×4 + 1×3) / 6 = 3.67",
        "Frozen Pragmatists  2.83  weighted mean of 5 criteria:"
        " (2×4 + 1×1 + 1×1 + 1×3 + 1×4) / 6 = 2.83",
        "Cost Cutters        2.33  weighted mean of 5 criteria:"
        " (2×2 + 1×1 + 1×2 + 1×2 + 1×5) / 6 = 2.33",
    ]


def test_explain_reports_a_bad_formula_and_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.format(formula="effectiveness / 0"))
    r = run("explain", str(bad), str(SIMPLE))
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"{bad}:{FORMULA_LINE}:{FORMULA_COL + 14}: formula: division by zero ('0' is 0)"
    ]
    assert "Weakest: Self-Service Rate (20.0)" in r.stdout.splitlines()


def test_render_explain_prints_the_audit_after_rendering(tmp_path: Path) -> None:
    r = run("render", str(SIMPLE), "--explain", "-f", "svg", "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    svg = tmp_path / "saas-benchmark-scorecard-simple.svg"
    assert svg.is_file()
    lines = r.stdout.splitlines()
    assert lines[0] == f"{SIMPLE} -> {svg}"
    assert lines[1] == "Scores on 0–100 (rollup: weighted-mean, highlight: weakest)"
    assert "Weakest: Self-Service Rate (20.0)" in lines
    assert any(line.startswith("Composite Score ") and line.endswith("= 42.8") for line in lines)
    assert [p.name for p in tmp_path.iterdir()] == [svg.name]


# --------------------------------------------------------------------------- matrix


MATRIX = """\
title: Matrix check
matrix:
  criteria: [Fit, Vision, Price]
  range: [1, 5]
  rows:
    - {label: Builders, scores: [3, 5, 5]}
    - {label: Cutters, scores: [2, 1]}
    - label: Pragmatists
      scores: [4, 7, 0]
    - label: Visionaries
      scores: [1, 2, 3, 4]
"""


def test_matrix_errors_name_file_line_and_column(tmp_path: Path) -> None:
    spec = tmp_path / "matrix.yaml"
    spec.write_text(MATRIX)
    out = tmp_path / "out"
    r = run("render", str(spec), "-f", "svg", "-o", str(out))
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        f"{spec}:7:32: row 'Cutters' of matrix has 2 scores but there are 3 criteria;"
        " give one score per criterion",
        f"{spec}:9:19: score 7 for 'Vision' is outside the matrix range [1, 5]",
        f"{spec}:9:22: score 0 for 'Price' is outside the matrix range [1, 5]",
        f"{spec}:11:15: row 'Visionaries' of matrix has 4 scores but there are 3 criteria;"
        " give one score per criterion",
    ]
    assert not out.exists()


def test_matrix_score_outside_a_custom_range(tmp_path: Path) -> None:
    spec = tmp_path / "matrix.yaml"
    spec.write_text(
        "title: T\nmatrix:\n  criteria: [A, B]\n  range: [0, 10]\n  weights: [1, 2]\n"
        "  rows:\n    - {label: R, scores: [10.5, -0.5]}\n"
    )
    r = run("validate", str(spec))
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"{spec}:7:27: score 10.5 for 'A' is outside the matrix range [0, 10]",
        f"{spec}:7:33: score -0.5 for 'B' is outside the matrix range [0, 10]",
    ]
