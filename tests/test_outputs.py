"""The committed renders in output/ are current, byte for byte, and stable."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from renderer.build import MANIFEST
from renderer.render import (
    FORMATS,
    encode,
    output_name,
    render_spec,
    resolve_theme,
    variant_themes,
)
from renderer.spec.parse import load_spec

from conftest import ROOT, SPECS

OUTPUT = ROOT / "output"


@cache
def fresh(path: Path, fmt: str, theme: str | None = None) -> bytes:
    spec = load_spec(path.relative_to(ROOT))
    return encode(render_spec(spec, resolve_theme(spec, theme)), fmt)


def variants() -> list[tuple[Path, str, str]]:
    """(spec, theme, file name) for every output `make render` writes."""
    out = []
    for path in SPECS:
        spec = load_spec(path.relative_to(ROOT))
        for theme in variant_themes(spec):
            for fmt in FORMATS:
                out.append((path, theme.name, output_name(path, theme, spec.theme, fmt)))
    return out


VARIANTS = variants()


def test_examples_have_variants() -> None:
    assert any(name.count(".") == 2 for _, _, name in VARIANTS), "some spec lists variants"


@pytest.mark.parametrize(("path", "theme", "name"), VARIANTS, ids=[v[2] for v in VARIANTS])
def test_committed_output_is_current(path: Path, theme: str, name: str) -> None:
    committed = OUTPUT / name
    assert committed.exists(), f"{name} missing: run make render"
    fmt = name.rsplit(".", 1)[1]
    assert committed.read_bytes() == fresh(path, fmt, theme), f"{name} is stale: make render"


def test_no_stray_outputs() -> None:
    expected = {name for _, _, name in VARIANTS} | {MANIFEST}
    assert {p.name for p in OUTPUT.iterdir()} == expected


def test_two_processes_write_identical_bytes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for run in ("a", "b"):
        out = str(tmp_path / run)
        subprocess.run(
            [sys.executable, "-m", "renderer", "render", *map(str, SPECS), "-o", out, "-q"],
            env={**env, "PYTHONHASHSEED": "1" if run == "a" else "2"},
            check=True,
            timeout=300,
        )
    a = sorted((tmp_path / "a").iterdir())
    assert len(a) == len(SPECS) * len(FORMATS)
    for f in a:
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


SLIDES = [p for p in SPECS if load_spec(p).canvas.name == "slide-16x9"]


def test_there_are_slides() -> None:
    assert len(SLIDES) >= 3


@pytest.mark.parametrize("path", SLIDES, ids=[p.stem for p in SLIDES])
def test_slide_png_is_3840_by_2160(path: Path) -> None:
    png = fresh(path, "png")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (3840, 2160)


@pytest.mark.parametrize("path", SLIDES, ids=[p.stem for p in SLIDES])
def test_pdf_is_a_16x9_slide_page(path: Path) -> None:
    info = subprocess.run(
        ["pdfinfo", "-"], input=fresh(path, "pdf"), capture_output=True, check=True
    ).stdout.decode()
    assert "Page size:       960 x 540 pts" in info
    assert "CreationDate" not in info
