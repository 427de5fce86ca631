"""A theme's font family: named clearly when missing, drawn exactly when present,
and several families in one process (`tierdraw render a.yaml b.yaml`).

Uses Source Sans 3 (`fontpkg-source-sans-3`, a dev dependency) as the second
family: its advances differ from Inter's, so a label drawn in the wrong one
shows up as ink of the wrong width.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from renderer.render import encode, render_spec, resolve_theme
from renderer.scene import Scene, SceneNode, Text
from renderer.spec.parse import load_spec
from renderer.text.fonts import font_family
from renderer.text.measure import font_metrics, text_width

from conftest import ROOT

SANS3 = "Source Sans 3"
SCALE = 2.0
# Starts and ends with vertical stems, so the ink edges are sharp.
LABEL = "First Contact Resolution"
SPEC = f"""\
title: Fonts
theme: THEME
columns:
  - label: Outcomes
    items:
      - label: {LABEL}
      - label: Net Retention
"""


def project(tmp_path: Path, theme: str, family: str) -> Path:
    """A spec in `tmp_path` whose theme (in `tmp_path/themes`) uses `family`."""
    themes = tmp_path / "themes"
    themes.mkdir(exist_ok=True)
    (themes / f"{theme}.yaml").write_text(
        f"name: {theme}\nextends: {ROOT / 'themes' / 'blue-grey.yaml'}\nfont:\n  family: {family}\n"
    )
    spec = tmp_path / f"{theme}-spec.yaml"
    spec.write_text(SPEC.replace("THEME", theme))
    return spec


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FONTCONFIG_FILE", None)
    return subprocess.run(
        [sys.executable, "-m", "renderer", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def label_node(scene: Scene, text: str = LABEL) -> tuple[SceneNode, Text]:
    for n in scene.walk():
        for t in n.texts:
            if t.text == text:
                return n, t
    raise AssertionError(f"no text {text!r}")


def ink_extent(png: bytes, t: Text, fill: str, family: str) -> tuple[float, float]:
    """Left and right ink edges of `t` in SVG px, from the PNG of the diagram.

    Only the band between the cap height and the baseline of `t` is read, inside
    its box, so neighbouring lines do not count; a column's ink is its largest
    departure from the box's fill towards the text colour, which places an edge
    inside its pixel independently of any threshold.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    px = image.load()
    m = font_metrics(t.size, t.bold, family)

    def grey(hex_colour: str) -> float:
        one = Image.new("RGB", (1, 1), hex_colour).convert("L")
        return float(one.getpixel((0, 0)))

    paper, ink = grey(fill), grey(t.colour)
    x0, x1 = int((t.x - 4) * SCALE), int((t.x + t.width + 4) * SCALE)
    y0, y1 = int((t.y - m.cap_height) * SCALE), int(t.y * SCALE)
    cover = [
        max(min(1.0, (px[x, y] - paper) / (ink - paper)) for y in range(y0, y1))
        for x in range(x0, x1)
    ]
    cols = [i for i, c in enumerate(cover) if c > 0.02]
    assert cols, "nothing drawn"
    left = x0 + cols[0] + 1 - cover[cols[0]]
    right = x0 + cols[-1] + cover[cols[-1]]
    return left / SCALE, right / SCALE


def expected_ink(t: Text, family: str) -> float:
    """The measured advance less the outer side bearings of the first and last glyph."""
    font = TTFont(font_family(family).face(t.bold).path)
    cmap, glyf, hmtx = font.getBestCmap(), font["glyf"], font["hmtx"]
    first, last = cmap[ord(t.text[0])], cmap[ord(t.text[-1])]
    bearings = glyf[first].xMin + hmtx[last][0] - glyf[last].xMax
    return t.width - bearings * t.size / font["head"].unitsPerEm


def check_label_ink(png: bytes, scene: Scene, family: str) -> None:
    node, t = label_node(scene)
    assert node.style.fill is not None
    left, right = ink_extent(png, t, node.style.fill, family)
    assert right - left == pytest.approx(expected_ink(t, family), abs=0.6)


# --------------------------------------------------------------------------- missing


def test_a_missing_family_is_one_error_at_the_family_value(tmp_path: Path) -> None:
    spec = project(tmp_path, "odd", "Nonesuch Grotesk")
    r = run_cli("validate", str(spec), cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout == ""
    theme = tmp_path / "themes" / "odd.yaml"
    assert r.stderr == (
        f"{theme}:4:11: font family 'Nonesuch Grotesk' is not installed:"
        " pip install fontpkg-nonesuch-grotesk (OFL fonts packaged for Python)\n"
    )
    assert theme.read_text().splitlines()[3][10:] == "Nonesuch Grotesk"


# --------------------------------------------------------------------------- another family


def test_a_theme_in_source_sans_3_is_measured_and_drawn_in_it(tmp_path: Path) -> None:
    spec = load_spec(project(tmp_path, "sans3", SANS3))
    theme = resolve_theme(spec)
    assert theme.font_family == SANS3
    rendered = render_spec(spec, theme)
    assert b'font-family="Source Sans 3, sans-serif"' in rendered.svg
    assert b"Inter" not in rendered.svg
    _, t = label_node(rendered.scene)
    assert t.width == text_width(LABEL, t.size, t.bold, SANS3)
    assert abs(t.width - text_width(LABEL, t.size, t.bold, "Inter")) > 5
    check_label_ink(encode(rendered, "png", SCALE), rendered.scene, SANS3)


def test_two_families_in_one_process(tmp_path: Path) -> None:
    """Inter, then Source Sans 3, then Inter again, in a fresh process: each PNG
    is drawn in its own family, system fonts stay hidden, and the Source Sans 3
    PNG is byte-identical to one from a process that drew nothing else."""
    inter = project(tmp_path, "plain", "Inter")
    sans3 = project(tmp_path, "sans3", SANS3)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from renderer.backends.raster import svg_to_png\n"
        "from renderer.render import encode, render_spec, resolve_theme\n"
        "from renderer.spec.parse import load_spec\n"
        "out = Path(sys.argv[1])\n"
        "out.mkdir()\n"
        "for i, path in enumerate(sys.argv[2:]):\n"
        "    spec = load_spec(path)\n"
        "    r = render_spec(spec, resolve_theme(spec))\n"
        f"    (out / f'{{i}}.png').write_bytes(encode(r, 'png', {SCALE}))\n"
        "    (out / f'{i}.pdf').write_bytes(encode(r, 'pdf'))\n"
        'svg = (b\'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40">\'\n'
        '       b\'<rect width="400" height="40" fill="white"/>\'\n'
        '       b\'<text x="10" y="30" font-family="DejaVu Sans" font-size="20">\'\n'
        f"       b'{LABEL}</text></svg>')\n"
        "(out / 'dejavu.png').write_bytes(svg_to_png(svg, scale=1))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FONTCONFIG_FILE", None)
    for out, args in (("mixed", (inter, sans3, inter)), ("alone", (sans3,))):
        r = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / out), *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stderr
    mixed, alone = tmp_path / "mixed", tmp_path / "alone"
    pngs = [(mixed / f"{i}.png").read_bytes() for i in range(3)]
    assert pngs[1] == (alone / "0.png").read_bytes()
    assert (mixed / "1.pdf").read_bytes() == (alone / "0.pdf").read_bytes()
    assert pngs[0] == pngs[2]
    for png, path, family in zip(
        pngs, (inter, sans3, inter), ("Inter", SANS3, "Inter"), strict=True
    ):
        spec = load_spec(path)
        check_label_ink(png, render_spec(spec, resolve_theme(spec)).scene, family)
    # a family nobody installed is still drawn in the first one, never DejaVu
    from PIL import Image

    image = Image.open(io.BytesIO((mixed / "dejavu.png").read_bytes())).convert("L")
    cols = [x for x in range(image.width) if min(image.getpixel((x, y)) for y in range(40)) < 250]
    inter_ink = text_width(LABEL, 20, False, "Inter")
    assert cols[-1] - cols[0] == pytest.approx(inter_ink, abs=3)


def test_cli_renders_specs_in_two_fonts_in_one_run(tmp_path: Path) -> None:
    inter = project(tmp_path, "plain", "Inter")
    sans3 = project(tmp_path, "sans3", SANS3)
    out = tmp_path / "out"
    r = run_cli("render", str(sans3), str(inter), "-f", "png,pdf", "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for path, family in ((sans3, SANS3), (inter, "Inter")):
        spec = load_spec(path)
        scene = render_spec(spec, resolve_theme(spec)).scene
        check_label_ink((out / f"{path.stem}.png").read_bytes(), scene, family)
        assert (out / f"{path.stem}.pdf").read_bytes().startswith(b"%PDF-")
