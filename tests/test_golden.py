"""Golden SVGs: any change to the drawing shows up as a reviewed diff.

When a change is intended, look at the new renders, then run
`make goldens` (pytest --update-goldens) and commit the new files.
A missing golden fails: it has to be created on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from renderer.render import render_spec, resolve_theme
from renderer.spec.parse import load_spec

from conftest import ROOT, SPECS

GOLDEN = ROOT / "tests" / "golden"
CASES = SPECS + sorted((ROOT / "tests" / "fixtures").glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_svg_matches_golden(path: Path, update_goldens: bool) -> None:
    spec = load_spec(path.relative_to(ROOT))
    svg = render_spec(spec, resolve_theme(spec)).svg
    golden = GOLDEN / f"{path.stem}.svg"
    if update_goldens:
        golden.write_bytes(svg)
    assert golden.exists(), f"no golden for {path.name}: review the render, then make goldens"
    assert svg.decode() == golden.read_text(encoding="utf-8"), (
        f"{path.name} draws differently from {golden.name}: review, then make goldens"
    )
