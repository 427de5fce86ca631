"""PNG and PDF from our SVG, through cairosvg, with the fonts we measured.

cairosvg costs ~300 ms to import, so it is imported on the first PNG/PDF
request only; the SVG path never pays for it. Before cairo draws any text we
point fontconfig at a generated fonts.conf listing only our static font
instances, and then check that cairo really draws with them, because
cairosvg otherwise falls back silently to whatever fontconfig offers.

Two process-wide adjustments happen on that first request, and only then:
- `FONTCONFIG_FILE` is set (fontconfig reads it once, at initialisation);
- cairosvg's `text-rendering="geometricPrecision"` antialias mode is changed to
  cairo's GRAY, since the mode cairosvg picks draws garbled glyphs on cairo
  1.16. geometricPrecision is what makes glyph advances unrounded, so PNG text
  is as wide as measured at any scale, and as wide as in the PDF.

A later request for another family (`tierdraw render a.yaml b.yaml` with
themes in different fonts) adds that family's directory to the running
fontconfig as an application font directory, through the very libfontconfig
that cairo uses, and checks it like the first. The sans-serif default stays
the first family, but every SVG we write names its family first and cairosvg
draws only that one, so a diagram's output does not depend on what else the
process drew before.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import threading
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from renderer.text.fonts import DEFAULT_FAMILY, font_family, fontconfig_file
from renderer.text.measure import text_width

# 40 megapixels (e.g. 3840 x 2160 is 8.3) bounds memory to ~160 MB of ARGB.
MAX_PIXELS = 40_000_000
_CREATOR = "tierdraw"
# Lengths in the root's width/height, in px at cairosvg's 96 dpi.
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
}
_LENGTH = re.compile(r"\s*([+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(px|pt|pc|in|cm|mm)?\s*")
# cairo's PDF surface works in points; cairosvg converts px at 96 dpi.
_PT_PER_PX_AT_96_DPI = 72 / 96
# Text drawn to check the font; varied shapes so a wrong weight shows too.
_PROBE_TEXT = "Hamburgefontsiv 0123456789 WAVE"
_PROBE_SIZE = 100.0
_PROBE_TOLERANCE = 5e-4


class RasterUnavailable(RuntimeError):
    """PNG/PDF output cannot be produced on this machine (no system cairo)."""


class OutputTooLarge(ValueError):
    """The requested PNG would be too large to render safely."""


class FontSetupError(RuntimeError):
    """cairo would draw with another font than the one text was measured with."""


_lock = threading.Lock()
_configured: tuple[str, ...] | None = None
_cairo: ModuleType | None = None


def svg_to_png(
    svg: bytes, scale: float = 2.0, *, families: Iterable[str] = (DEFAULT_FAMILY,)
) -> bytes:
    """PNG of `svg` at `scale` device pixels per SVG px.

    Raises `OutputTooLarge` before rendering anything if the PNG would exceed
    `MAX_PIXELS`: a 30000 px square took 34 s and 3.6 GB in cairo.
    """
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    width, height = svg_size(svg)
    px_width, px_height = round(width * scale), round(height * scale)
    if px_width * px_height > MAX_PIXELS:
        raise OutputTooLarge(
            f"PNG would be {px_width}×{px_height} px ({px_width * px_height / 1e6:.1f} megapixels);"
            f" the limit is {MAX_PIXELS / 1e6:.0f} megapixels: lower the scale"
        )
    cairosvg = _cairosvg(families)
    png: bytes = cairosvg.surface.PNGSurface.convert(bytestring=svg, scale=scale, unsafe=False)
    return png


def svg_to_pdf(
    svg: bytes, *, px_per_pt: float = 2.0, families: Iterable[str] = (DEFAULT_FAMILY,)
) -> bytes:
    """Vector PDF of `svg`, one page, `px_per_pt` SVG px per PDF point.

    The default maps a 1920×1080 px slide to the standard 960×540 pt 16:9
    page. The scale is applied as a transform rather than through dpi so that
    lengths in pt/mm inside the SVG mean the same as in the PNG. Text stays
    text (embedded subset fonts), so it is selectable and searchable.
    """
    if not (px_per_pt > 0 and math.isfinite(px_per_pt)):
        raise ValueError(f"px_per_pt must be a positive number, not {px_per_pt!r}")
    svg_size(svg)
    cairosvg = _cairosvg(families)
    surface_class = _reproducible_pdf_surface(cairosvg.surface)
    scale = 1 / (px_per_pt * _PT_PER_PX_AT_96_DPI)
    pdf: bytes = surface_class.convert(bytestring=svg, scale=scale, unsafe=False)
    return pdf


def svg_size(svg: bytes) -> tuple[float, float]:
    """Width and height of the SVG root in px, as cairosvg will size the page.

    Only the root start tag is parsed (with defusedxml, like cairosvg), so
    this is cheap even for large drawings.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        _, root = next(iterparse(io.BytesIO(svg), events=("start",)))
    except (ParseError, DefusedXmlException, StopIteration) as exc:
        raise ValueError(f"not a well-formed SVG document: {exc}") from exc
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        raise ValueError(f"not an SVG document: the root element is <{root.tag}>")
    box = _viewbox(root.get("viewBox"))
    sizes = []
    for index, attribute in enumerate(("width", "height")):
        value = _length(root.get(attribute))
        if value is None and box is not None:
            value = box[index]
        if value is None or value <= 0:
            raise ValueError(f"the SVG root needs a positive {attribute} in px (or a viewBox)")
        sizes.append(value)
    return sizes[0], sizes[1]


def _length(value: str | None) -> float | None:
    match = _LENGTH.fullmatch(value or "")
    return float(match[1]) * _UNITS[match[2] or ""] if match else None


def _viewbox(value: str | None) -> tuple[float, float] | None:
    parts = re.split(r"[\s,]+", (value or "").strip())
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    return (numbers[2], numbers[3]) if len(numbers) == 4 else None


# --- first use: fonts, cairosvg patch, checks ------------------------------


def _cairosvg(families: Iterable[str]) -> ModuleType:
    """cairosvg, imported with fontconfig pointed at our fonts and verified.

    fontconfig reads its configuration file once per process, so the first
    call writes it for its families; a later call needing another family adds
    that family to the running configuration and verifies it before drawing.
    """
    global _configured, _cairo
    wanted = tuple(dict.fromkeys(families))
    with _lock:
        if _configured is None:
            os.environ["FONTCONFIG_FILE"] = str(fontconfig_file(wanted))
            cairosvg, cairo = _import_cairosvg()
            _use_gray_antialias(cairosvg.surface, cairo)
            _verify_fonts(cairo, wanted)
            _configured, _cairo = wanted, cairo
        else:
            new = tuple(f for f in wanted if f not in _configured)
            if new:
                assert _cairo is not None
                _add_families(_cairo, _configured, new)
                _configured = (*_configured, *new)
        import cairosvg

        return cairosvg


def _add_families(cairo: Any, configured: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Make `new` families drawable in a process whose fontconfig is running.

    FONTCONFIG_FILE is pointed at a configuration listing every family, so a
    re-initialisation of fontconfig (which the configuration's rescan 0 should
    prevent) would still find them; the running configuration gets each new
    directory through FcConfigAppFontAddDir. Then the new families are probed
    like the first ones: a family cairo would draw with another font fails here.
    """
    directories = [font_family(f).directory for f in new]  # FontNotFound before any change
    os.environ["FONTCONFIG_FILE"] = str(fontconfig_file((*configured, *new)))
    lib = _fontconfig()
    for d in directories:
        if not lib.FcConfigAppFontAddDir(None, os.fsencode(d)):
            raise FontSetupError(f"fontconfig could not add the font directory {d}")
    _verify_fonts(cairo, new, first=configured[0])


@functools.cache
def _fontconfig() -> Any:
    """libfontconfig, the instance cairo already loaded: the dynamic loader
    hands out the loaded library for the same soname, so changes made here are
    changes to the configuration cairo reads."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("fontconfig")
    if name is None:
        raise FontSetupError(
            "cannot find libfontconfig to add a second font family in this process;"
            " render themes with different fonts in separate runs"
        )
    lib = ctypes.CDLL(name)
    lib.FcConfigAppFontAddDir.argtypes = (ctypes.c_void_p, ctypes.c_char_p)
    lib.FcConfigAppFontAddDir.restype = ctypes.c_int
    return lib


def _import_cairosvg() -> tuple[ModuleType, ModuleType]:
    try:
        import cairocffi
        import cairosvg.surface
    except OSError as exc:
        raise RasterUnavailable(
            f"PNG and PDF output need the cairo library ({exc}): install the system"
            " package libcairo2 (Debian/Ubuntu: apt-get install libcairo2)"
        ) from exc
    return cairosvg, cairocffi


def _use_gray_antialias(surface_module: ModuleType, cairo: ModuleType) -> None:
    """Map geometricPrecision text to GRAY antialiasing in cairosvg's table.

    cairosvg looks the mode up in this module-level dict on every node, so
    changing the one entry is the whole patch.
    """
    table = getattr(surface_module, "TEXT_ANTIALIAS", None)
    if not isinstance(table, dict) or "geometricPrecision" not in table:
        raise RasterUnavailable(
            "this cairosvg version has no TEXT_ANTIALIAS table; tierdraw needs cairosvg 2.x"
        )
    table["geometricPrecision"] = cairo.ANTIALIAS_GRAY


def _verify_fonts(cairo: Any, families: tuple[str, ...], first: str | None = None) -> None:
    """Fail unless cairo draws our exact faces for every family and weight.

    Compares cairo's unhinted advance of a probe string with our measurement:
    another font, or Inter at weight 500 (what cairo asks for as "normal"
    without our fontconfig rule), is off by more than 1 %. A family we never
    installed must also come out as ours, proving system fonts are hidden.
    `first` is the process's sans-serif family when `families` are added later.
    """
    context = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 1, 1))
    options = cairo.FontOptions()
    options.set_hint_metrics(cairo.HINT_METRICS_OFF)
    options.set_hint_style(cairo.HINT_STYLE_NONE)
    context.set_font_options(options)
    context.set_font_size(_PROBE_SIZE)
    names = [font_family(f).name for f in families]

    def drawn(name: str, bold: bool) -> float:
        weight = cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL
        context.select_font_face(name, cairo.FONT_SLANT_NORMAL, weight)
        return float(context.text_extents(_PROBE_TEXT)[4])

    def measured(family: str, bold: bool) -> float:
        return text_width(_PROBE_TEXT, _PROBE_SIZE, bold, family)

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= _PROBE_TOLERANCE * b

    problems = []
    for family, name in zip(families, names, strict=True):
        for bold in (False, True):
            got, want = drawn(name, bold), measured(family, bold)
            if not close(got, want):
                weight = "bold" if bold else "regular"
                problems.append(f"{name} {weight} is {got:.1f} px wide, measured {want:.1f}")
    default = first or families[0]
    if not close(drawn("sans-serif", False), measured(default, False)):
        problems.append(f"sans-serif is not {font_family(default).name}")
    stranger = drawn("DejaVu Sans", False)
    if not any(close(stranger, measured(f, False)) for f in (default, *families)):
        problems.append("system fonts are visible (DejaVu Sans was found)")
    if problems and first is not None:
        raise FontSetupError(
            "cairo does not draw with tierdraw's fonts ("
            + "; ".join(problems)
            + f") after adding {', '.join(names)} to fontconfig, which was set up for {first}"
            " in this process: render this theme in a separate run"
        )
    if problems:
        raise FontSetupError(
            "cairo does not draw with tierdraw's fonts ("
            + "; ".join(problems)
            + f"). FONTCONFIG_FILE={os.environ.get('FONTCONFIG_FILE')}: fontconfig was probably"
            " initialised before tierdraw could configure it; render PNG/PDF before anything"
            " else in the process draws text with cairo"
        )


@functools.cache
def _reproducible_pdf_surface(surface_module: Any) -> Any:
    """cairosvg's PDF surface without the creation date cairo stamps in.

    cairo 1.16 ignores SOURCE_DATE_EPOCH; an empty CREATE_DATE drops the
    entry, which makes the PDF byte-identical across runs. The Producer entry
    (cairo's version) cannot be changed through cairo's API and is stable.
    """
    import cairocffi as cairo

    class ReproduciblePDFSurface(surface_module.PDFSurface):  # type: ignore[misc,name-defined]
        def _create_surface(self, width: float, height: float) -> tuple[Any, float, float]:
            surface, width, height = super()._create_surface(width, height)
            surface.set_metadata(cairo.PDF_METADATA_CREATE_DATE, "")
            surface.set_metadata(cairo.PDF_METADATA_CREATOR, _CREATOR)
            return surface, width, height

    return ReproduciblePDFSurface
