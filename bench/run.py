"""Benchmarks: prints figures, asserts nothing.

    .venv/bin/python bench/run.py          # or: make bench

1. Whole-process `tierdraw render` to SVG, PNG and PDF, for the example specs
   and for generated hierarchies of about 100, 500 and 2000 boxes (median of
   RUNS runs; includes interpreter start-up and imports).
2. In-process layout + SVG per size, to show how time grows with boxes.
3. `tierdraw build` of a tree of 50 specs: cold (empty output) and no-op.
4. `tierdraw --help`.

Figures are medians in milliseconds; docs/benchmarks.md records a run.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from renderer.render import render_spec, resolve_theme  # noqa: E402
from renderer.spec.parse import load_spec, parse_spec_text  # noqa: E402

RUNS = 5
SIZES = (100, 500, 2000)


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def generated(boxes: int) -> str:
    """A 16:9 columns spec with about `boxes` boxes: 4 lanes of groups of 5 metrics."""
    lanes, per_group = 4, 5
    groups = max(1, round(boxes / (lanes * (per_group + 1))))
    out = ["title: Generated hierarchy", "canvas: slide-16x9", "columns:"]
    for lane in range(lanes):
        out.append(f"  - label: Lane {lane + 1}\n    items:")
        for g in range(groups):
            items = ", ".join(f"Metric {lane}-{g}-{m}" for m in range(per_group))
            out.append(f"      - label: Group {lane}-{g}\n        items: [{items}]")
    return "\n".join(out) + "\n"


def cli(*args: str, cwd: Path = ROOT) -> Callable[[], object]:
    exe = [sys.executable, "-m", "renderer", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run() -> object:
        return subprocess.run(exe, cwd=cwd, env=env, check=True, capture_output=True)

    return run


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tierdraw-bench-"))
    try:
        specs = sorted((ROOT / "specs").glob("*.yaml"))
        for n in SIZES:
            path = work / f"generated-{n}.yaml"
            path.write_text(generated(n))
            specs.append(path)
        out = work / "out"

        print("1. whole process, tierdraw render (ms, median of", RUNS, "runs)")
        print(f"   {'spec':40} {'boxes':>6} {'svg':>8} {'png 2x':>8} {'pdf':>8}")
        for path in specs:
            spec = load_spec(path)
            boxes = sum(1 for _ in render_spec(spec, resolve_theme(spec)).scene.walk())
            row = [median_ms(cli("render", str(path), "-f", f, "-q", "-o", str(out)))
                   for f in ("svg", "png", "pdf")]  # fmt: skip
            print(f"   {path.stem:40} {boxes:6d} {row[0]:8.0f} {row[1]:8.0f} {row[2]:8.0f}")

        print("\n2. in process, layout + scene + SVG (ms, median)")
        print(f"   {'boxes':>6} {'ms':>8} {'µs/box':>8} {'ms / (n log n) × 1000':>22}")
        for n in SIZES:
            spec = parse_spec_text(generated(n), f"generated-{n}.yaml")
            theme = resolve_theme(spec)
            count = sum(1 for _ in render_spec(spec, theme).scene.walk())
            ms = median_ms(lambda s=spec, t=theme: render_spec(s, t))
            nlogn = count * math.log2(count)
            print(f"   {count:6d} {ms:8.1f} {ms * 1000 / count:8.1f} {ms / nlogn * 1000:22.3f}")

        print("\n3. tierdraw build of 50 specs (ms)")
        tree = work / "tree"
        (tree / "specs").mkdir(parents=True)
        examples = sorted((ROOT / "specs").glob("*.yaml"))
        for i in range(50):
            src = examples[i % len(examples)]
            shutil.copy(src, tree / "specs" / f"{i:02d}-{src.name}")
        t0 = time.perf_counter()
        cli("build", "-q", cwd=tree)()
        cold = (time.perf_counter() - t0) * 1000
        files = len(list((tree / "output").iterdir())) - 1
        noop = median_ms(cli("build", "-q", cwd=tree))
        check = median_ms(cli("build", "--check", "-q", cwd=tree))
        print(f"   cold ({files} files, {os.cpu_count()} cores) {cold:8.0f}")
        print(f"   no-op                       {noop:8.0f}")
        print(f"   --check                     {check:8.0f}")

        print("\n4. tierdraw --help (ms)")
        print(f"   {median_ms(cli('--help')):8.0f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
