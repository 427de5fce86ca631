"""Benchmarks: prints figures, asserts nothing.

    python bench/run.py            # examples in specs/ and generated hierarchies

For each spec: parse, layout+scene+SVG, PNG (2×) and PDF times in ms (median
of several runs, warm process). For generated hierarchies of growing size:
in-process layout+SVG time, so growth with size is visible.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from renderer.render import encode, render_spec, resolve_theme  # noqa: E402
from renderer.spec.parse import load_spec, parse_spec_text  # noqa: E402


def median_ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def generated(boxes: int) -> str:
    """A columns spec with about `boxes` boxes: 4 lanes of groups of 5 metrics."""
    lanes, per_group = 4, 5
    groups = max(1, boxes // (lanes * (per_group + 1)))
    out = ["title: Generated", "columns:"]
    for lane in range(lanes):
        out.append(f"  - label: Lane {lane + 1}\n    items:")
        for g in range(groups):
            items = ", ".join(f"Metric {lane}-{g}-{m}" for m in range(per_group))
            out.append(f"      - label: Group {lane}-{g}\n        items: [{items}]")
    return "\n".join(out) + "\n"


def main() -> None:
    print(f"{'spec':42} {'parse':>8} {'svg':>8} {'png 2x':>8} {'pdf':>8}  (ms, median)")
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        spec = load_spec(path)
        theme = resolve_theme(spec)
        rendered = render_spec(spec, theme)
        encode(rendered, "png")  # warm-up: font set-up happens once per process
        print(
            f"{path.stem:42} {median_ms(lambda p=path: load_spec(p)):8.1f}"
            f" {median_ms(lambda s=spec, t=theme: render_spec(s, t)):8.1f}"
            f" {median_ms(lambda r=rendered: encode(r, 'png'), 3):8.1f}"
            f" {median_ms(lambda r=rendered: encode(r, 'pdf'), 3):8.1f}"
        )
    print()
    print(f"{'generated boxes':>16} {'layout+svg ms':>14} {'µs/box':>8}")
    for n in (100, 500, 2000):
        spec = parse_spec_text(generated(n), f"<generated-{n}>")
        theme = resolve_theme(spec)
        count = sum(1 for _ in render_spec(spec, theme).scene.walk())
        ms = median_ms(lambda s=spec, t=theme: render_spec(s, t), 3)
        print(f"{count:16d} {ms:14.1f} {ms * 1000 / count:8.1f}")


if __name__ == "__main__":
    main()
