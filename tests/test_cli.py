"""The `tierdraw` command as a user runs it: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, tierdraw

V4 = ROOT / "specs" / "cs-metrics-hierarchy-v4.yaml"


run = tierdraw


def test_render_all_formats(tmp_path: Path) -> None:
    r = run("render", str(V4), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"cs-metrics-hierarchy-v4.{ext}" for ext in ("pdf", "png", "svg")]
    assert (tmp_path / "cs-metrics-hierarchy-v4.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "cs-metrics-hierarchy-v4.pdf").read_bytes()[:5] == b"%PDF-"


def test_render_chosen_formats_scale_and_folder(tmp_path: Path) -> None:
    out = tmp_path / "slides"
    r = run("render", str(V4), "--format", "png,pdf", "--scale", "1", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.suffix for p in out.iterdir()) == [".pdf", ".png"]
    from PIL import Image

    with Image.open(out / "cs-metrics-hierarchy-v4.png") as im:
        assert im.size == (1920, 1080)


def test_render_with_another_theme_names_the_file_after_it(tmp_path: Path) -> None:
    theme = tmp_path / "navy-only.yaml"
    src = (ROOT / "themes" / "blue-grey.yaml").read_text()
    theme.write_text(src.replace("name: blue-grey", "name: navy-only"))
    r = run("render", str(V4), "-f", "svg", "--theme", str(theme), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cs-metrics-hierarchy-v4.navy-only.svg").is_file()


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    r = run("render", str(V4), "--format", "gif", "-o", str(tmp_path))
    assert r.returncode == 2
    assert "unknown format gif" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_spec_one_line_per_error_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "title: T\ncolumns:\n  - lable: Metrics\n    items: [A]\n  - label: B\n    weight: -1\n"
    )
    out = tmp_path / "out"
    r = run("render", str(bad), "-o", str(out))
    assert r.returncode == 1
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert lines == [
        f"{bad}:3:5: unknown key 'lable' in lane 1 (did you mean 'label'?)",
        f"{bad}:6:13: 'weight' must be a number > 0, got -1",
    ]
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_one_bad_spec_does_not_stop_the_others(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [\n")
    r = run("render", str(bad), str(V4), "-f", "svg", "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert (tmp_path / "out" / "cs-metrics-hierarchy-v4.svg").is_file()
    assert not (tmp_path / "out" / "bad.svg").exists()
    assert r.stderr.startswith(f"{bad}:")


def test_failed_render_keeps_the_previous_good_output(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("title: Good\ncolumns: [A, B]\n")
    assert run("render", str(spec), "-f", "svg", "-o", str(tmp_path)).returncode == 0
    good = (tmp_path / "s.svg").read_bytes()
    spec.write_text("title: Good\ncolumns: [A, {label: B, layout: sideways}]\n")
    assert run("render", str(spec), "-f", "svg", "-o", str(tmp_path)).returncode == 1
    assert (tmp_path / "s.svg").read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.svg", "s.yaml"]


def test_missing_file(tmp_path: Path) -> None:
    r = run("validate", str(tmp_path / "nope.yaml"))
    assert r.returncode == 1
    assert r.stderr.startswith(f"{tmp_path / 'nope.yaml'}:1:1: ")
    assert "Traceback" not in r.stderr


def test_unknown_theme_in_spec(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("title: T\ntheme: blue-gray\ncolumns: [A]\n")
    r = run("validate", str(spec))
    assert r.returncode == 1
    assert r.stderr.strip() == f"{spec}:2:8: unknown theme 'blue-gray' (did you mean 'blue-grey'?)"


def test_validate_all_specs() -> None:
    specs = sorted(str(p) for p in (ROOT / "specs").glob("*.yaml"))
    r = run("validate", *specs)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{len(specs)} specs OK"


def test_schema_is_json_schema() -> None:
    r = run("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"title", "columns", "tiers", "matrix", "canvas"} <= set(schema["properties"])


def test_version_and_help() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("tierdraw ")
    r = run("--help")
    assert r.returncode == 0
    for command in ("render", "validate", "schema"):
        assert command in r.stdout


@pytest.mark.parametrize("scale", ["0", "100"])
def test_scale_out_of_range(scale: str, tmp_path: Path) -> None:
    r = run("render", str(V4), "--scale", scale, "-o", str(tmp_path))
    assert r.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_too_large_png_is_refused_cleanly(tmp_path: Path) -> None:
    spec = tmp_path / "big.yaml"
    spec.write_text("title: T\ncanvas: {width: 8000, height: 6000}\ncolumns: [A]\n")
    r = run("render", str(spec), "--scale", "2", "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert r.stderr.startswith(f"{spec}:2:9: PNG would be 16000×12000 px")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [["--help"], ["render", str(V4), "-f", "svg", "-q"], ["build", "--check", "-q"]],
    ids=["help", "render-svg", "build-check"],
)
def test_light_commands_do_not_import_heavy_modules(args: list[str], tmp_path: Path) -> None:
    """cairosvg (~300 ms) is for PNG and PDF only; watchfiles for watch only."""
    if args[0] == "render":
        args = [*args, "-o", str(tmp_path)]
    code = (
        "import sys\n"
        f"sys.argv = ['tierdraw', *{args!r}]\n"
        "from renderer.cli import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "heavy = ('cairosvg', 'cairocffi', 'PIL', 'watchfiles', 'http.server')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout + r.stderr
