"""Fonts that are measured and drawn from the very same files.

Layout is only right if the widths we measure are the widths cairo draws. cairo
1.16 handles variable fonts poorly (weight selection, PDF embedding) and
cairosvg knows only normal and bold, so at first use we derive two static
instances (Regular 400, Bold 700) from the pip-installed variable font and
keep them in a per-user cache. Measurement reads metrics of those instances and
cairo draws them through a generated fonts.conf that lists nothing else, so a
missing font fails loudly instead of silently becoming DejaVu.

Fonts come from `fontpkg-*` distributions on PyPI (OFL fonts packaged for
Python), found by naming convention: "IBM Plex Sans" -> module
`fontpkg_ibm_plex_sans`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from renderer.files import write_atomic

DEFAULT_FAMILY = "Inter"
REGULAR = 400
BOLD = 700

# Bump when the way instances or metrics are derived changes: old cache
# entries are then simply never looked at again.
FORMAT_VERSION = 1

# Inter's optical size axis starts at 14 ("text"); slides show labels of 12-30
# px, so the text master is the right one and pinning it keeps widths stable.
_OPSZ = 14.0

_METRICS_FILE = "family.json"
_STYLE_NAMES = {REGULAR: "Regular", BOLD: "Bold"}
# Hard breaks are layout, not glyphs: they never need to be in the font.
_NOT_DRAWN = frozenset("\n")


class FontNotFound(LookupError):
    """A font family the spec asks for is not installed."""

    def __init__(self, name: str, detail: str = "") -> None:
        self.name = name
        message = (
            f"font family {name!r} is not installed: "
            f"pip install fontpkg-{_slug(name, '-')} (OFL fonts packaged for Python)"
        )
        super().__init__(f"{message}; {detail}" if detail else message)


class FontCacheError(OSError):
    """The font cache cannot be written, so no static instances can be made."""


@dataclass(frozen=True)
class Face:
    """One static font file plus the metrics layout needs, in font units.

    Advances are a plain char -> units table because cairosvg draws glyph by
    glyph (no kerning, no ligatures): the sum of advances is the drawn width.
    """

    family: str
    weight: int
    path: Path
    units_per_em: int
    ascent: int
    descent: int
    cap_height: int
    x_height: int
    notdef_advance: int
    advances: Mapping[str, int] = field(repr=False, compare=False)

    def advance(self, ch: str) -> int:
        """Advance of one character; cairo draws unmapped ones as .notdef."""
        return self.advances.get(ch, self.notdef_advance)

    def missing(self, text: str) -> tuple[str, ...]:
        """Characters the font cannot draw, once each, in order of appearance.

        cairosvg has no per-character fallback, so these would become empty
        boxes: callers report them instead of drawing them.
        """
        seen: dict[str, None] = {}
        for ch in text:
            if ch not in self.advances and ch not in _NOT_DRAWN:
                seen[ch] = None
        return tuple(seen)

    def covers(self, text: str) -> bool:
        return not self.missing(text)


@dataclass(frozen=True)
class FontFamily:
    """The regular and bold faces of a family, as cairo will see them."""

    name: str
    regular: Face
    bold: Face
    directory: Path

    def face(self, bold: bool) -> Face:
        return self.bold if bold else self.regular


def cache_root() -> Path:
    """The per-user cache, following the XDG base directory convention."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "tierdraw"


@functools.cache
def font_family(name: str = DEFAULT_FAMILY) -> FontFamily:
    """The family's static faces, built into the cache on first use."""
    source = _find_source(name)
    directory = cache_root() / "fonts" / _cache_key(source)
    family = _load_cached(directory)
    if family is None:
        _build(source, directory)
        family = _load_cached(directory)
        if family is None:  # pragma: no cover - only if the cache vanished meanwhile
            raise FontCacheError(f"font cache {directory} disappeared while being written")
    return family


def fontconfig_file(families: Iterable[str] = (DEFAULT_FAMILY,)) -> Path:
    """A fonts.conf that shows fontconfig our static instances and nothing else.

    With no system font directories, any request (sans-serif, a misspelt
    family, DejaVu) resolves to our fonts, so what is drawn is what was
    measured on every machine. The first family is the sans-serif default.
    Automatic rescans are off: fontconfig would otherwise re-read this file
    when a font directory looks newer than its last scan, and forget families
    the raster backend added to the running configuration.
    """
    resolved = [font_family(name) for name in dict.fromkeys(families)]
    if not resolved:
        raise ValueError("fontconfig_file needs at least one font family")
    base = cache_root() / "fontconfig"
    dirs = "".join(f"  <dir>{_escape(str(fam.directory))}</dir>\n" for fam in resolved)
    conf = (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<!-- generated by tierdraw: only tierdraw's static font instances -->\n"
        "<fontconfig>\n"
        f"{dirs}"
        f"  <cachedir>{_escape(str(base / 'cache'))}</cachedir>\n"
        "  <!-- never re-read: that would drop families added while running -->\n"
        "  <config><rescan><int>0</int></rescan></config>\n"
        "  <!-- cairo asks for weight 'medium' when SVG says normal -->\n"
        '  <match target="pattern">\n'
        '    <test name="weight" compare="eq"><const>medium</const></test>\n'
        '    <edit name="weight" mode="assign" binding="strong"><const>regular</const></edit>\n'
        "  </match>\n"
        '  <alias binding="strong">\n'
        "    <family>sans-serif</family>\n"
        f"    <prefer><family>{_escape(resolved[0].name)}</family></prefer>\n"
        "  </alias>\n"
        "</fontconfig>\n"
    ).encode()
    path = base / f"fonts-{hashlib.sha256(conf).hexdigest()[:16]}.conf"
    if not path.is_file() or path.read_bytes() != conf:
        _write_atomic(path, conf)
    return path


# --- locating the installed font ------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Where a family's upright font files are, before any conversion."""

    name: str
    variable: Path | None = None
    regular: Path | None = None
    bold: Path | None = None

    def files(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.variable, self.regular, self.bold) if p is not None)


def _slug(name: str, sep: str) -> str:
    return re.sub(r"[^a-z0-9]+", sep, name.lower()).strip(sep)


def _find_source(name: str) -> _Source:
    if not _slug(name, "_"):
        raise FontNotFound(name)
    module = f"fontpkg_{_slug(name, '_')}"
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise FontNotFound(name)
    root = Path(next(iter(spec.submodule_search_locations)))
    meta = _read_json(root / "metadata.json")
    family = str(meta.get("family") or name)
    files = [root / str(f["path"]) for f in meta.get("files", ()) if f.get("style") == "normal"]
    if not files:
        files = sorted(
            p for p in (root / "files").glob("*.[ot]tf") if "italic" not in p.name.lower()
        )
    variable = [p for p in files if "[" in p.name or _is_variable(meta, root, p)]
    if variable:
        return _Source(family, variable=variable[0])
    regular = _pick_static(files, ("regular", "book", "roman", ""))
    bold = _pick_static(files, ("bold",))
    if regular is None:
        raise FontNotFound(name, f"no upright font file found in {root}")
    return _Source(family, regular=regular, bold=bold)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_variable(meta: dict[str, Any], root: Path, path: Path) -> bool:
    return any(
        root / str(f.get("path")) == path and f.get("variable") for f in meta.get("files", ())
    )


def _pick_static(files: list[Path], styles: tuple[str, ...]) -> Path | None:
    """The file whose name ends in the style, e.g. IBMPlexSans-Bold.ttf."""
    for style in styles:
        for path in files:
            stem = path.stem.lower()
            if (style and stem.endswith(f"-{style}")) or (not style and "-" not in stem):
                return path
    return None


def _cache_key(source: _Source) -> str:
    import fontTools

    digest = hashlib.sha256(f"{FORMAT_VERSION}|{fontTools.version}|{source.name}|".encode())
    for path in source.files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


# --- the cache --------------------------------------------------------------


def _load_cached(directory: Path) -> FontFamily | None:
    """The family recorded in `directory`, or None if it is incomplete.

    family.json is written last, so its presence means the fonts are there.
    Reading it (not the fonts) keeps fontTools out of the warm path.
    """
    meta = _read_json(directory / _METRICS_FILE)
    if meta.get("format") != FORMAT_VERSION:
        return None
    try:
        family = str(meta["family"])
        faces = {int(f["weight"]): _face_from_json(directory, family, f) for f in meta["faces"]}
        regular, bold = faces[REGULAR], faces[BOLD]
    except (KeyError, TypeError, ValueError):
        return None  # damaged by hand: rebuild
    if not (regular.path.is_file() and bold.path.is_file()):
        return None
    return FontFamily(family, regular, bold, directory)


def _face_from_json(directory: Path, family: str, data: dict[str, Any]) -> Face:
    return Face(
        family=family,
        weight=int(data["weight"]),
        path=directory / data["file"],
        units_per_em=int(data["units_per_em"]),
        ascent=int(data["ascent"]),
        descent=int(data["descent"]),
        cap_height=int(data["cap_height"]),
        x_height=int(data["x_height"]),
        notdef_advance=int(data["notdef_advance"]),
        advances=MappingProxyType(dict(data["advances"])),
    )


def _build(source: _Source, directory: Path) -> None:
    """Write the static fonts, then the metrics that mark them complete.

    Every file goes through a temporary name and os.replace, and the bytes are
    deterministic, so processes racing to build the same entry are harmless.
    """
    from fontTools.ttLib import TTFont

    stem = re.sub(r"[^A-Za-z0-9]", "", source.name) or "Font"
    faces = []
    for weight in (REGULAR, BOLD):
        file = f"{stem}-{_STYLE_NAMES[weight]}.ttf"
        if source.variable is not None:
            _write_atomic(directory / file, _static_instance(source.variable, source.name, weight))
        elif weight == REGULAR or source.bold is not None:
            static = source.bold if weight == BOLD else source.regular
            assert static is not None
            _write_atomic(directory / file, static.read_bytes())
        else:
            # No bold file: bold text is drawn with the regular one, so measure that.
            file = faces[0]["file"]
        font = TTFont(directory / file, lazy=True)
        faces.append({"weight": weight, "file": file, **_metrics(font)})
        font.close()
    record = {"format": FORMAT_VERSION, "family": source.name, "faces": faces}
    _write_atomic(directory / _METRICS_FILE, json.dumps(record, sort_keys=True).encode())


def _static_instance(variable: Path, family: str, weight: int) -> bytes:
    """One static instance of a variable font, named as a plain static font.

    GPOS is dropped first: we never kern (cairosvg draws glyph by glyph), and
    instancing Inter's kerning is ~80 % of the build time. Timestamps are
    kept from the source so the output bytes are reproducible.
    """
    import io

    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(variable, recalcTimestamp=False)
    if "GPOS" in font:
        del font["GPOS"]
    location = {}
    for axis in font["fvar"].axes:
        wanted = {"wght": float(weight), "opsz": _OPSZ}.get(axis.axisTag, axis.defaultValue)
        location[axis.axisTag] = min(max(wanted, axis.minValue), axis.maxValue)
    instancer.instantiateVariableFont(font, location, inplace=True)
    _rename(font, family, weight)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _rename(font: Any, family: str, weight: int) -> None:
    """Name tables and style bits of a classic Regular/Bold family.

    fontconfig and cairo pick faces by family name, weight class and the bold
    bits; leftover typographic or variation names would make them see another
    family or a variable font.
    """
    style = _STYLE_NAMES[weight]
    ps_name = f"{re.sub(r'[^A-Za-z0-9]', '', family)}-{style}"
    version = font["head"].fontRevision
    names = font["name"]
    for name_id in (1, 2, 3, 4, 6, 16, 17, 21, 22, 25):
        names.removeNames(nameID=name_id)
    for name_id, value in (
        (1, family),
        (2, style),
        (3, f"{version:.3f};tierdraw-static;{ps_name}"),
        (4, f"{family} {style}"),
        (6, ps_name),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
    os2 = font["OS/2"]
    os2.usWeightClass = weight
    bold = weight == BOLD
    # fsSelection: bit 0 italic, 5 bold, 6 regular; macStyle: bit 0 bold, 1 italic.
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | (1 << 5 if bold else 1 << 6)
    font["head"].macStyle = 1 if bold else 0


def _metrics(font: Any) -> dict[str, Any]:
    hhea, os2, hmtx = font["hhea"], font["OS/2"], font["hmtx"]
    cmap = font.getBestCmap()
    advances = {chr(cp): hmtx[glyph][0] for cp, glyph in sorted(cmap.items())}
    return {
        "units_per_em": font["head"].unitsPerEm,
        "ascent": hhea.ascent,
        "descent": -hhea.descent,
        "cap_height": getattr(os2, "sCapHeight", 0) or round(hhea.ascent * 0.7),
        "x_height": getattr(os2, "sxHeight", 0) or round(hhea.ascent * 0.5),
        "notdef_advance": hmtx[font.getGlyphOrder()[0]][0],
        "advances": advances,
    }


def _escape(text: str) -> str:
    """XML-escape; xml.sax.saxutils would pull in urllib (20 ms at start-up)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write_atomic(path: Path, data: bytes) -> None:
    """Whole cache files only, so a concurrent reader never sees a half-written one."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise FontCacheError(
            f"cannot write the font cache at {path.parent} ({exc.strerror}); "
            "set XDG_CACHE_HOME to a writable directory"
        ) from exc
