"""`tierdraw build`: incremental, parallel, atomic, and `--check` for CI."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

SPECS = [
    "cs-metrics-hierarchy-v4.yaml",
    "segment-scoring.yaml",
    "saas-benchmark-scorecard-simple.yaml",
]


def tierdraw(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "renderer", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    for name in SPECS:
        shutil.copy(ROOT / "specs" / name, tmp_path / "specs" / name)
    return tmp_path


def snapshot(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_build_renders_all_then_nothing(project: Path) -> None:
    r = tierdraw("build", "-f", "svg,png", cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("3 rendered, 0 up to date, 0 failed in ")
    out = project / "output"
    # v4 has three variants, the others one: 5 themes × 2 formats, and the manifest.
    assert len(list(out.glob("*.svg"))) == 5 and len(list(out.glob("*.png"))) == 5
    before = snapshot(out)
    r = tierdraw("build", "-f", "svg,png", cwd=project)
    assert r.returncode == 0
    assert r.stdout.startswith("0 rendered, 3 up to date, 0 failed in ")
    assert snapshot(out) == before, "a no-op build writes nothing"


def test_editing_one_spec_rerenders_exactly_its_files(project: Path) -> None:
    assert tierdraw("build", "-f", "svg", cwd=project).returncode == 0
    out = project / "output"
    before = snapshot(out)
    spec = project / "specs" / "segment-scoring.yaml"
    spec.write_text(spec.read_text().replace("Buyer Segment Scoring", "Buyer Segments"))
    r = tierdraw("build", "-f", "svg", cwd=project)
    assert r.stdout.startswith("1 rendered, 2 up to date, 0 failed")
    after = snapshot(out)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"segment-scoring.svg", ".tierdraw-manifest.json"}
    assert b"Buyer Segments" in (out / "segment-scoring.svg").read_bytes()


def test_check_fails_when_stale_passes_after_build(project: Path) -> None:
    r = tierdraw("build", "--check", "-f", "svg", cwd=project)
    assert r.returncode == 1
    assert "output/cs-metrics-hierarchy-v4.svg: missing" in r.stderr
    assert not (project / "output").exists(), "--check writes nothing"
    assert tierdraw("build", "-f", "svg", cwd=project).returncode == 0
    r = tierdraw("build", "--check", "-f", "svg", cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "3 up to date, 0 outputs out of date, 0 failed"
    spec = project / "specs" / "cs-metrics-hierarchy-v4.yaml"
    spec.write_text(spec.read_text().replace("Volume, Intent", "Volume, Intents"))
    r = tierdraw("build", "--check", "-f", "svg", cwd=project)
    assert r.returncode == 1
    stale = sorted(line for line in r.stderr.splitlines() if "stale" in line)
    assert stale == sorted(
        f"output/cs-metrics-hierarchy-v4.{t}svg: stale (its spec, theme, font or the renderer"
        " changed)"
        for t in ("", "blue-grey-dark.", "print.")
    )


def test_check_fails_on_a_hand_edited_output(project: Path) -> None:
    assert tierdraw("build", "-f", "svg", cwd=project).returncode == 0
    svg = project / "output" / "segment-scoring.svg"
    svg.write_bytes(svg.read_bytes().replace(b"Buyer", b"Bayer"))
    r = tierdraw("build", "--check", "-f", "svg", cwd=project)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "output/segment-scoring.svg: differs from what was rendered (edited by hand?)"
    )
    assert tierdraw("build", "-f", "svg", cwd=project).stdout.startswith("1 rendered")


def test_a_theme_change_makes_its_specs_stale(project: Path) -> None:
    (project / "themes").mkdir()
    theme = (ROOT / "themes" / "print.yaml").read_text()
    (project / "themes" / "print.yaml").write_text(theme)
    assert tierdraw("build", "-f", "svg", cwd=project).returncode == 0
    (project / "themes" / "print.yaml").write_text(theme.replace('"#595959"', '"#555555"'))
    r = tierdraw("build", "-f", "svg", cwd=project)
    assert r.stdout.startswith("1 rendered, 2 up to date"), "only v4 has a print variant"


def test_one_bad_spec_fails_the_build_but_not_the_others(project: Path) -> None:
    (project / "specs" / "broken.yaml").write_text("title: Broken\ncolumns: [A, {lable: B}]\n")
    r = tierdraw("build", "-f", "svg", cwd=project)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "specs/broken.yaml:2:15: unknown key 'lable' in lane 2 (did you mean 'label'?)"
    )
    assert r.stdout.startswith("3 rendered, 0 up to date, 1 failed")
    assert not list((project / "output").glob("broken.*"))


def test_prune_removes_outputs_of_deleted_specs(project: Path) -> None:
    assert tierdraw("build", "-f", "svg", cwd=project).returncode == 0
    (project / "specs" / "segment-scoring.yaml").unlink()
    r = tierdraw("build", "--check", "-f", "svg", cwd=project)
    assert r.returncode == 1
    assert "output/segment-scoring.svg: its spec segment-scoring.yaml is gone" in r.stderr
    r = tierdraw("build", "--prune", "-f", "svg", cwd=project)
    assert r.returncode == 0
    assert "1 pruned" in r.stdout
    assert not (project / "output" / "segment-scoring.svg").exists()
    assert tierdraw("build", "--check", "-f", "svg", cwd=project).returncode == 0


def test_killing_a_build_leaves_no_truncated_file(project: Path) -> None:
    for i in range(6):  # enough work to interrupt
        shutil.copy(project / "specs" / SPECS[0], project / "specs" / f"copy-{i}.yaml")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "renderer", "build", "-q"], cwd=project, env=env,
        start_new_session=True,
    )  # fmt: skip
    out = project / "output"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not (out / ".tierdraw-manifest.json").exists():
        time.sleep(0.02)  # the first spec is written: others are in flight
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    finished = {
        ".png": lambda b: b.startswith(b"\x89PNG") and b.endswith(b"IEND\xaeB`\x82"),
        ".pdf": lambda b: b.startswith(b"%PDF-") and b.rstrip().endswith(b"%%EOF"),
        ".svg": lambda b: b.rstrip().endswith(b"</svg>"),
    }
    files = [p for p in out.iterdir() if p.suffix in finished]
    assert files, "the build was killed before it wrote anything: nothing was tested"
    for p in files:
        assert finished[p.suffix](p.read_bytes()), f"{p.name} is truncated"
    r = tierdraw("build", "-q", cwd=project)  # picks up where it stopped
    assert r.returncode == 0, r.stderr
    assert not list(out.glob(".*.tmp"))
    assert tierdraw("build", "--check", cwd=project).returncode == 0
