"""Text stays inside its box as cairo DRAWS it, in the PNG and in the PDF.

The invariants check text against boxes with measured widths; these tests
check the ink and the PDF's text positions. For each tier of a diagram an SVG
is cut from the real one holding only that tier's texts (same root attributes,
same `<text>` elements, no boxes), on a canvas padded by `PAD` on every side so
that ink outside the canvas is drawn rather than clipped. Nodes of one tier
never overlap, so every ink pixel of such a layer must lie in the union of the
tier's boxes, and every word the PDF places must lie in one of them.
"""

from __future__ import annotations

import copy
import html
import io
import math
import re
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from renderer.backends.raster import svg_to_pdf, svg_to_png
from renderer.layout import Rect
from renderer.render import Rendered, encode, render_spec, resolve_theme
from renderer.scene import Text
from renderer.spec.model import Spec
from renderer.spec.parse import load_spec

from conftest import ROOT, SPECS
from invariants import text_extent
from test_layout_properties import UNSEEN, render_text, spec_texts

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)

PAD = 40.0  # px around the canvas in the cut SVGs
SCALE = 2.0  # PNG device px per SVG px
PX_PER_PT = 2.0  # svg_to_pdf's default: the PDF page is px / 2 in pt
ALPHA = 8  # a pixel with more coverage than this (of 255) is ink
TOL_DEVICE = 1.0  # PNG: ink may reach 1 device px past a box edge
TOL_PX = 1.0  # PDF: word boxes may reach 1 px past a box edge

UNSEEN_DRAWN = (
    "bands-with-questions-taller-than-them",
    "long-unbroken-words-narrow-tier",
    "operators-between-groups-with-children",
    "questions-in-a-row",
)
CASES = [*(p.stem for p in SPECS), *UNSEEN_DRAWN]


@cache
def rendered(name: str) -> Rendered:
    if name in UNSEEN:
        return render_text(UNSEEN[name])
    spec = load_spec(ROOT / "specs" / f"{name}.yaml")
    return render_spec(spec, resolve_theme(spec))


# --------------------------------------------------------------------------- layers


@dataclass(frozen=True)
class Layer:
    """Some of a diagram's texts alone, and the boxes they must stay inside."""

    name: str
    svg: bytes
    boxes: tuple[tuple[str, Rect], ...]  # (owner, rect)
    texts: tuple[tuple[str, Text], ...]  # (owner, text) as the scene has them


def _tag(el: ET.Element) -> str:
    return el.tag.rsplit("}", 1)[-1]


def _cut(root: ET.Element, texts: list[ET.Element], width: float, height: float) -> bytes:
    out = ET.Element(root.tag, dict(root.attrib))
    w, h = _num(width + 2 * PAD), _num(height + 2 * PAD)
    out.set("width", w)
    out.set("height", h)
    out.set("viewBox", f"{_num(-PAD)} {_num(-PAD)} {w} {h}")
    for t in texts:
        out.append(copy.deepcopy(t))
    return ET.tostring(out, encoding="utf-8", xml_declaration=True)


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


@cache
def layers(name: str) -> tuple[Layer, ...]:
    """One layer per tier, and one for the title, subtitle and footnote."""
    r = rendered(name)
    scene = r.scene
    root = ET.fromstring(r.svg)
    drawn: dict[int, list[ET.Element]] = defaultdict(list)
    drawn_ids: dict[int, set[str]] = defaultdict(set)
    labels: list[ET.Element] = []
    for g in root.iter(f"{{{SVG_NS}}}g"):
        classes = g.get("class", "").split()
        texts = [c for c in g if _tag(c) == "text"]
        if g.get("id") == "labels":
            labels += texts
        elif "node" in classes:
            (tier,) = (int(c.removeprefix("tier-")) for c in classes if c.startswith("tier-"))
            drawn[tier] += texts
            drawn_ids[tier].add(g.get("id", "").removeprefix("node-"))
    boxes: dict[int, list[tuple[str, Rect]]] = defaultdict(list)
    texts: dict[int, list[tuple[str, Text]]] = defaultdict(list)
    for n in scene.walk():
        boxes[n.tier].append((n.id, n.rect))
        texts[n.tier] += [(n.id, t) for t in n.texts]
    assert set(drawn) == set(boxes), "the SVG's tiers are not the scene's"
    out = []
    for tier in sorted(boxes):
        assert drawn_ids[tier] == {i for i, _ in boxes[tier]}, f"tier {tier} ids differ"
        assert len(drawn[tier]) == len(texts[tier]), f"tier {tier} text count differs"
        svg = _cut(root, drawn[tier], scene.width, scene.height)
        out.append(Layer(f"tier-{tier}", svg, tuple(boxes[tier]), tuple(texts[tier])))
    canvas = Rect(0, 0, scene.width, scene.height)
    assert len(labels) == len(scene.texts)
    out.append(
        Layer(
            "labels",
            _cut(root, labels, scene.width, scene.height),
            (("canvas", canvas),),
            tuple(("canvas", t) for t in scene.texts),
        )
    )
    return tuple(out)


def _fmt(r: Rect) -> str:
    return f"({r.x:.1f}, {r.y:.1f})–({r.right:.1f}, {r.bottom:.1f})"


# --------------------------------------------------------------------------- PNG


def _device(v: float) -> float:
    return (v + PAD) * SCALE


def _svg_rect(box: tuple[int, int, int, int], dx: int = 0, dy: int = 0) -> Rect:
    """A device-pixel box of the PNG as a rect in px of the diagram."""
    x0, y0, x1, y1 = box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy
    return Rect(x0 / SCALE - PAD, y0 / SCALE - PAD, (x1 - x0) / SCALE, (y1 - y0) / SCALE)


def ink_outside(layer: Layer, family: str) -> list[str]:
    """Where the layer's PNG has ink outside its boxes, named by the text there;
    and texts that left no ink near where they were measured."""
    png = svg_to_png(layer.svg, scale=SCALE, families=(family,))
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    ink = image.getchannel("A").point(lambda a: 255 if a > ALPHA else 0)
    allowed = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(allowed)
    for _, r in layer.boxes:
        x0 = math.floor(_device(r.x) - TOL_DEVICE)
        y0 = math.floor(_device(r.y) - TOL_DEVICE)
        x1 = math.ceil(_device(r.right) + TOL_DEVICE) - 1
        y1 = math.ceil(_device(r.bottom) + TOL_DEVICE) - 1
        draw.rectangle((x0, y0, x1, y1), fill=255)
    outside = ImageChops.subtract(ink, allowed)
    problems = []
    owners = dict(layer.boxes)
    spills: dict[Rect, tuple[float, str]] = {}  # where -> (distance, whose)
    for owner, t in layer.texts:
        e = text_extent(t, family)
        near = 6.0 + t.size  # generous: glyphs overhang their measured extent a little
        region = (
            max(0, math.floor(_device(e.x - near))),
            max(0, math.floor(_device(e.y - near))),
            min(image.width, math.ceil(_device(e.right + near))),
            min(image.height, math.ceil(_device(e.bottom + near))),
        )
        if t.text.strip() and ink.crop(region).getbbox() is None:
            problems.append(f"{layer.name}: text {t.text!r} of {owner} left no ink at {_fmt(e)}")
        spill = outside.crop(region).getbbox()
        if spill is not None:
            where = _svg_rect(spill, region[0], region[1])
            whose = f"text {t.text!r} of {owner} {_fmt(owners[owner])}"
            # Regions of neighbouring lines overlap: the nearest line owns a spill.
            spills[where] = min(spills.get(where, (math.inf, "")), (_gap(where, e), whose))
    problems += [
        f"{layer.name}: {whose} has ink at {_fmt(where)} outside the boxes"
        for where, (_, whose) in spills.items()
    ]
    bbox = outside.getbbox()
    if bbox is not None and not problems:
        # Far from where any text was measured: name the texts on those rows.
        where = _svg_rect(bbox)
        rows = [
            f"{t.text!r} of {owner}"
            for owner, t in layer.texts
            if text_extent(t, family).y < where.bottom and where.y < text_extent(t, family).bottom
        ]
        problems.append(
            f"{layer.name}: ink at {_fmt(where)} outside the boxes"
            f" (texts on those rows: {', '.join(rows) or 'none'})"
        )
    return problems


@pytest.mark.parametrize("name", CASES)
def test_png_ink_inside_boxes(name: str) -> None:
    family = rendered(name).theme.font_family
    problems = [p for layer in layers(name) for p in ink_outside(layer, family)]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- PDF

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def pdf_words(pdf: bytes, tmp_path: Path) -> list[tuple[str, Rect]]:
    """Every word poppler finds, with its box in px of the cut SVG."""
    src = tmp_path / "layer.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(src), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = []
    for m in _WORD.finditer(out):
        x0, y0, x1, y1 = (float(v) * PX_PER_PT - PAD for v in m.groups()[:4])
        words.append((html.unescape(m[5]), Rect(x0, y0, x1 - x0, y1 - y0)))
    return words


def _within(inner: Rect, outer: Rect, tol: float) -> bool:
    return (
        inner.x >= outer.x - tol
        and inner.y >= outer.y - tol
        and inner.right <= outer.right + tol
        and inner.bottom <= outer.bottom + tol
    )


def words_outside(layer: Layer, family: str, tmp_path: Path) -> list[str]:
    pdf = svg_to_pdf(layer.svg, px_per_pt=PX_PER_PT, families=(family,))
    words = pdf_words(pdf, tmp_path)
    drawn = " ".join(t.text for _, t in layer.texts).split()
    problems = []
    if len(words) != len(drawn):
        problems.append(f"{layer.name}: the PDF has {len(words)} words, the layer {len(drawn)}")
    for word, box in words:
        if not any(_within(box, r, TOL_PX) for _, r in layer.boxes):
            near = min(layer.boxes, key=lambda b: _gap(box, b[1]))
            problems.append(
                f"{layer.name}: PDF word {word!r} at {_fmt(box)} is in no box"
                f" (nearest: {near[0]} {_fmt(near[1])})"
            )
    return problems


def _gap(a: Rect, b: Rect) -> float:
    dx = max(b.x - a.x, a.right - b.right, 0.0)
    dy = max(b.y - a.y, a.bottom - b.bottom, 0.0)
    return dx + dy


@pytest.mark.parametrize("name", CASES)
def test_pdf_words_inside_boxes(name: str, tmp_path: Path) -> None:
    family = rendered(name).theme.font_family
    problems = [p for layer in layers(name) for p in words_outside(layer, family, tmp_path)]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- PDF content


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "out.pdf"
    src.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(src), "-"], check=True, capture_output=True, text=True
    ).stdout


def _squash(text: str) -> str:
    return re.sub(r"[\s\-\u2010]+", "", text)


def missing_words(spec: Spec, text: str) -> list[str]:
    """Words of the spec's node texts that the PDF's text does not contain.

    Compared on word sets; a word split across lines (with a hyphen) is looked
    for with whitespace and hyphens removed.
    """
    words = set(text.split())
    squashed = _squash(text)
    return [
        f"{word!r} of {t!r}"
        for t in spec_texts(spec)
        for word in t.split()
        if word not in words and _squash(word) not in squashed
    ]


@pytest.mark.parametrize("name", CASES)
def test_pdf_contains_every_word(name: str, tmp_path: Path) -> None:
    r = rendered(name)
    missing = missing_words(r.spec, pdf_text(encode(r, "pdf"), tmp_path))
    assert not missing, "\n".join(missing)


def test_committed_pdfs_contain_every_word(tmp_path: Path) -> None:
    problems = []
    for path in SPECS:
        pdf = ROOT / "output" / f"{path.stem}.pdf"
        if pdf.exists():
            missing = missing_words(load_spec(path), pdf_text(pdf.read_bytes(), tmp_path))
            problems += [f"{pdf.name}: {m}" for m in missing]
    assert not problems, "\n".join(problems)
