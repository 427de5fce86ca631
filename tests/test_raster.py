"""PNG/PDF through cairo: drawn with our font, as wide as measured, reproducible."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from renderer.backends.raster import (
    MAX_PIXELS,
    OutputTooLarge,
    svg_size,
    svg_to_pdf,
    svg_to_png,
)
from renderer.text.fonts import font_family
from renderer.text.measure import text_width

ROOT = Path(__file__).resolve().parents[1]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Starts and ends with vertical stems, so ink edges are sharp and measurable.
SAMPLE = "First Contact Resolution WAVE"
SIZE = 20
X0 = 20


def text_svg(
    text: str = SAMPLE, *, bold: bool = False, width: int = 600, height: int = 60
) -> bytes:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        ' text-rendering="geometricPrecision">'
        f'<rect width="{width}" height="{height}" fill="white"/>'
        f'<text x="{X0}" y="40" font-family="Inter, sans-serif" font-size="{SIZE}"{weight}'
        f' style="font-kerning: none">{text}</text></svg>'
    ).encode()


def ink_extent(png: bytes, scale: float) -> tuple[float, float]:
    """Left and right ink edges in SVG px, to a fraction of a device pixel.

    The partial coverage of the outermost columns places a vertical edge
    inside its pixel, so the result does not depend on a darkness threshold.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    pixels = image.load()
    darkness = [
        max(255 - pixels[x, y] for y in range(image.height)) / 255 for x in range(image.width)
    ]
    columns = [x for x, d in enumerate(darkness) if d > 0.02]
    assert columns, "nothing was drawn"
    left = columns[0] + 1 - darkness[columns[0]]
    right = columns[-1] + darkness[columns[-1]]
    return left / scale, right / scale


def expected_ink(font_path: Path, text: str, advance_width: float) -> float:
    """Advance width less the side bearings of the first and last glyphs."""
    font = TTFont(font_path)
    cmap, glyf, hmtx = font.getBestCmap(), font["glyf"], font["hmtx"]
    first, last = glyf[cmap[ord(text[0])]], glyf[cmap[ord(text[-1])]]
    right_bearing = hmtx[cmap[ord(text[-1])]][0] - last.xMax
    units = font["head"].unitsPerEm
    return advance_width - (first.xMin + right_bearing) * SIZE / units


def left_bearing(font_path: Path, text: str) -> float:
    font = TTFont(font_path)
    return font["glyf"][font.getBestCmap()[ord(text[0])]].xMin * SIZE / font["head"].unitsPerEm


def font_advance(font_path: Path, text: str) -> float:
    font = TTFont(font_path)
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return sum(hmtx[cmap[ord(ch)]][0] for ch in text) * SIZE / font["head"].unitsPerEm


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("bold", [False, True])
def test_drawn_width_matches_measured_width(scale: int, bold: bool) -> None:
    face = font_family().face(bold)
    png = svg_to_png(text_svg(bold=bold), scale=scale)
    left, right = ink_extent(png, scale)
    want = expected_ink(face.path, SAMPLE, text_width(SAMPLE, SIZE, bold))
    assert right - left == pytest.approx(want, abs=1.0)
    assert left == pytest.approx(X0 + left_bearing(face.path, SAMPLE), abs=1.0)


def test_png_is_drawn_with_inter_not_dejavu() -> None:
    assert DEJAVU.is_file(), "make test-deps installs fonts-dejavu-core to compare with"
    left, right = ink_extent(svg_to_png(text_svg(), scale=2), 2)
    inter = expected_ink(font_family().regular.path, SAMPLE, text_width(SAMPLE, SIZE))
    dejavu = expected_ink(DEJAVU, SAMPLE, font_advance(DEJAVU, SAMPLE))
    assert abs(dejavu - inter) > 10  # the check below can tell them apart
    assert right - left == pytest.approx(inter, abs=1.0)


def test_png_size_follows_scale() -> None:
    from PIL import Image

    for scale, size in ((1, (600, 60)), (2, (1200, 120)), (1.5, (900, 90))):
        image = Image.open(io.BytesIO(svg_to_png(text_svg(), scale=scale)))
        assert image.size == size
        assert image.format == "PNG"


def test_geometric_precision_uses_gray_antialias() -> None:
    svg_to_png(text_svg(), scale=1)
    import cairocffi
    import cairosvg.surface

    assert cairosvg.surface.TEXT_ANTIALIAS["geometricPrecision"] == cairocffi.ANTIALIAS_GRAY


def slide_svg() -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1920" height="1080"'
        ' viewBox="0 0 1920 1080" text-rendering="geometricPrecision">'
        '<rect width="1920" height="1080" fill="white"/>'
        f'<text x="100" y="200" font-family="Inter" font-size="40">{SAMPLE}</text>'
        '<text x="100" y="300" font-family="Inter" font-size="40" font-weight="bold">'
        "Net Promoter Score</text></svg>"
    ).encode()


def test_pdf_page_is_960_by_540_pt_for_a_1920_by_1080_slide() -> None:
    pdf = svg_to_pdf(slide_svg())
    assert pdf.startswith(b"%PDF-")
    box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", pdf)
    assert box is not None
    assert [float(v) for v in box[1].split()] == [0, 0, 960, 540]
    half = svg_to_pdf(slide_svg(), px_per_pt=1)
    box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", half)
    assert box is not None
    assert [float(v) for v in box[1].split()] == [0, 0, 1920, 1080]


def test_pdf_embeds_inter_and_keeps_text_selectable(tmp_path: Path) -> None:
    pdf = svg_to_pdf(slide_svg())
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    assert b"/Creator (tierdraw)" in pdf
    path = tmp_path / "slide.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdffonts") is None:
        assert b"Inter-Regular" in pdf and b"Inter-Bold" in pdf
        return
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert len(rows) == 2
    assert {row.split()[0].split("+")[-1] for row in rows} == {"Inter-Regular", "Inter-Bold"}
    assert all(" yes yes " in row for row in rows)  # embedded, subset
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert SAMPLE in text and "Net Promoter Score" in text


def test_png_and_pdf_are_byte_identical_across_processes(tmp_path: Path) -> None:
    svg_file = tmp_path / "in.svg"
    svg_file.write_bytes(slide_svg())
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from renderer.backends.raster import svg_to_pdf, svg_to_png\n"
        "svg = Path(sys.argv[1]).read_bytes()\n"
        "Path(sys.argv[2] + '.png').write_bytes(svg_to_png(svg, scale=1))\n"
        "Path(sys.argv[2] + '.pdf').write_bytes(svg_to_pdf(svg))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FONTCONFIG_FILE", None)
    for run in ("a", "b"):
        subprocess.run(
            [sys.executable, "-c", code, str(svg_file), str(tmp_path / run)], env=env, check=True
        )
    for ext in ("png", "pdf"):
        first = (tmp_path / f"a.{ext}").read_bytes()
        assert first == (tmp_path / f"b.{ext}").read_bytes(), ext
    assert (tmp_path / "a.png").read_bytes() == svg_to_png(slide_svg(), scale=1)
    assert (tmp_path / "a.pdf").read_bytes() == svg_to_pdf(slide_svg())


def test_size_cap() -> None:
    with pytest.raises(OutputTooLarge) as info:
        svg_to_png(text_svg(width=10000, height=5000), scale=1)
    message = str(info.value)
    assert "10000×5000 px" in message and "40 megapixels" in message
    assert isinstance(info.value, ValueError)
    with pytest.raises(OutputTooLarge, match="8000×6000"):
        svg_to_png(text_svg(width=4000, height=3000), scale=2)
    # A 4K slide at 2x is fine.
    svg_size(text_svg(width=1920, height=1080))
    assert MAX_PIXELS >= 3840 * 2160


def test_bad_scale_is_rejected() -> None:
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="scale"):
            svg_to_png(text_svg(), scale=bad)
        with pytest.raises(ValueError, match="px_per_pt"):
            svg_to_pdf(text_svg(), px_per_pt=bad)


def test_svg_size() -> None:
    ns = 'xmlns="http://www.w3.org/2000/svg"'
    assert svg_size(f'<svg {ns} width="1920" height="1080"/>'.encode()) == (1920, 1080)
    assert svg_size(f'<svg {ns} width="10px" height="2.5px"/>'.encode()) == (10, 2.5)
    assert svg_size(f'<svg {ns} width="72pt" height="1in"/>'.encode()) == (96, 96)
    assert svg_size(f'<svg {ns} viewBox="0 0 300,200"/>'.encode()) == (300, 200)
    assert svg_size(f'<svg {ns} width="100%" height="50%" viewBox="0 0 30 20"/>'.encode()) == (
        30,
        20,
    )
    with pytest.raises(ValueError, match="width"):
        svg_size(f"<svg {ns}/>".encode())
    with pytest.raises(ValueError, match="root element"):
        svg_size(b"<html/>")
    with pytest.raises(ValueError, match="well-formed"):
        svg_size(b"<svg")


def test_entity_declarations_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">&a;</svg>'
    )
    with pytest.raises(ValueError):
        svg_to_png(bomb)


def run_isolated(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FONTCONFIG_FILE", None)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_svg_path_does_not_import_cairosvg() -> None:
    out = run_isolated(
        "import sys\n"
        "import renderer.backends.raster\n"
        "print('cairosvg' in sys.modules, 'cairocffi' in sys.modules)\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_fontconfig_initialised_elsewhere_fails_loudly() -> None:
    out = run_isolated(
        "import cairocffi as cairo\n"
        "ctx = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 10, 10))\n"
        "ctx.text_extents('system fontconfig is now initialised')\n"
        "from renderer.backends.raster import FontSetupError, svg_to_png\n"
        'svg = b\'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\'\n'
        "try:\n"
        "    svg_to_png(svg)\n"
        "except FontSetupError as exc:\n"
        "    print('refused:', exc)\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("refused: cairo does not draw with tierdraw's fonts")


def test_missing_cairo_is_explained() -> None:
    out = run_isolated(
        "import builtins\n"
        "real_import = builtins.__import__\n"
        "def fake_import(name, *args, **kwargs):\n"
        "    if name.startswith('cairocffi'):\n"
        "        raise OSError('no library called \"cairo-2\" was found')\n"
        "    return real_import(name, *args, **kwargs)\n"
        "builtins.__import__ = fake_import\n"
        "from renderer.backends.raster import RasterUnavailable, svg_to_png\n"
        'svg = b\'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\'\n'
        "try:\n"
        "    svg_to_png(svg)\n"
        "except RasterUnavailable as exc:\n"
        "    print(exc)\n"
    )
    assert out.returncode == 0, out.stderr
    assert "apt-get install libcairo2" in out.stdout
    assert "cairo-2" in out.stdout
