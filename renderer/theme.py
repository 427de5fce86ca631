"""Themes: the only colours, fonts and spacing a diagram may use.

A theme file names its colours once, in `palette`; every other colour in the
file is a palette *name*. Resolving names to `#rrggbb` happens here, so later
stages hold real colours but can never hold one that is not in the palette.
A theme whose text would be hard to read (below WCAG AA contrast on its fill
or on the page) does not load, so no diagram is ever drawn with it.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from renderer.colour import contrast, luminance
from renderer.errors import Loc, SpecError, SpecErrors
from renderer.spec.yaml_source import YNode, load_yaml_file

ROLES = ("lane", "group", "metric", "question", "outcome", "impact", "operator", "note")
"""Style roles every theme must define (after inheritance)."""

MATRIX_ROLES = {"header": "lane", "label": "group", "cell": "metric", "total": "impact"}
"""Roles of matrix cells a theme may define; each falls back to a contract role."""

SIZE_KEYS = (
    "title", "subtitle", "lane", "group", "metric", "caption", "detail",
    "question", "operator", "footnote",
)  # fmt: skip
SPACING_KEYS = ("margin", "lane_gap", "gap", "padding", "radius")
TEXT_KEYS = ("title", "subtitle", "footnote", "flow")
ROLE_KEYS = ("fill", "stroke", "text", "caption", "stroke_width")
TOP_KEYS = (
    "name", "extends", "palette", "background", "font", "spacing", "text",
    "roles", "ramp", "emphasis",
)  # fmt: skip

_HEX = re.compile(r"^#[0-9a-f]{6}$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")

BUILTIN_DIRS = (
    Path(__file__).parent / "_builtin_themes",  # inside an installed wheel
    Path(__file__).parent.parent / "themes",  # a source checkout
)


@dataclass(frozen=True)
class RoleStyle:
    fill: str | None  # #rrggbb, or None for no fill
    stroke: str | None
    text: str
    caption: str
    stroke_width: float = 1.0


@dataclass(frozen=True)
class Spacing:
    margin: float
    lane_gap: float
    gap: float
    padding: float
    radius: float


@dataclass(frozen=True)
class Theme:
    name: str
    source: str
    palette: Mapping[str, str]  # name -> #rrggbb
    background: str
    font_family: str
    sizes: Mapping[str, float]
    spacing: Spacing
    text: Mapping[str, str]  # title/subtitle/footnote/flow -> #rrggbb
    roles: Mapping[str, RoleStyle]
    ramp: tuple[str, ...]
    emphasis_stroke: str
    emphasis_width: float
    font_loc: Loc | None = None  # where `font.family` was set, for a missing font

    @property
    def colours(self) -> frozenset[str]:
        return frozenset(self.palette.values())

    def role(self, name: str) -> RoleStyle:
        if name in self.roles:
            return self.roles[name]
        if name == "matrix":  # the matrix itself is only a frame for its cells
            return RoleStyle(None, None, self.roles["group"].text, self.roles["group"].caption)
        return self.roles[MATRIX_ROLES[name]]


# --------------------------------------------------------------------------- lookup


def find_theme(name_or_path: str, search_dirs: tuple[Path, ...] = ()) -> Path | None:
    """A theme name looks in `search_dirs`, then the built-ins; a path is taken as is."""
    if "/" in name_or_path or name_or_path.endswith((".yaml", ".yml")):
        p = Path(name_or_path)
        return p if p.is_file() else None
    for d in (*search_dirs, *BUILTIN_DIRS):
        p = d / f"{name_or_path}.yaml"
        if p.is_file():
            return p
    return None


def available_themes(search_dirs: tuple[Path, ...] = ()) -> dict[str, Path]:
    """Theme name -> file, earlier directories shadowing later ones."""
    found: dict[str, Path] = {}
    for d in (*search_dirs, *BUILTIN_DIRS):
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                found.setdefault(p.stem, p)
    return found


def theme_sources(
    search_dirs: tuple[Path, ...] = (), paths: tuple[Path, ...] = ()
) -> list[tuple[str, Path, str]]:
    """(name, file, kind) of every theme a name would find, sorted by name.

    For `tierdraw themes`, so a user sees which file a name picks and why: kind
    is "path" for a theme file named directly (`paths`), "project" for one in
    `search_dirs` (e.g. a spec's `themes/` folder), "built-in" for one shipped
    with tierdraw. Names shadowed by an earlier source are left out, as
    `find_theme` never reaches them. A project folder that *is* the built-in
    folder (working in a source checkout) counts as built-in.
    """
    builtin = {d.resolve() for d in BUILTIN_DIRS if d.is_dir()}
    found: dict[str, tuple[str, Path, str]] = {}
    for p in paths:
        if p.is_file():
            found.setdefault(p.stem, (p.stem, p, "path"))
    for d in (*search_dirs, *BUILTIN_DIRS):
        if not d.is_dir():
            continue
        kind = "built-in" if d.resolve() in builtin else "project"
        for p in sorted(d.glob("*.yaml")):
            found.setdefault(p.stem, (p.stem, p, kind))
    return [found[k] for k in sorted(found)]


def load_theme(
    name_or_path: str, search_dirs: tuple[Path, ...] = (), at: Loc | None = None
) -> Theme:
    """Load, merge (`extends`) and validate a theme; errors point into the theme file."""
    path = find_theme(name_or_path, search_dirs)
    if path is None:
        names = sorted(available_themes(search_dirs))
        hint = difflib.get_close_matches(name_or_path, names, n=1)
        msg = f"unknown theme '{name_or_path}'" + (
            f" (did you mean '{hint[0]}'?)" if hint else f"; available: {', '.join(names)}"
        )
        raise SpecErrors.one(at or Loc(name_or_path, 1, 1), msg)
    merged = _load_merged(path, search_dirs, ())
    return _build(merged, str(path))


# --------------------------------------------------------------------------- merge


def _load_merged(
    path: Path, search_dirs: tuple[Path, ...], chain: tuple[Path, ...]
) -> dict[str, Any]:
    """The theme as nested dicts of YNodes, parents merged under children.

    Values keep their YNodes, so an error about an inherited value points at
    the parent file, where the value was written.
    """
    chain = (*chain, path)
    root = load_yaml_file(path)
    if root.kind != "map":
        raise SpecErrors.one(root.loc, "a theme must be a mapping of keys to values")
    own = _as_tree(root)
    parent_node = root.get("extends")
    if parent_node is None or parent_node.value is None:
        return own
    if parent_node.kind != "scalar" or not isinstance(parent_node.value, str):
        raise SpecErrors.one(parent_node.loc, "'extends' must be a theme name or path")
    if _is_path(parent_node.value) and not _inside_project(
        path.parent / parent_node.value, path.parent, search_dirs
    ):
        raise SpecErrors.one(
            parent_node.loc,
            f"'extends' path '{_short(parent_node.value)}' is outside the theme's folder:"
            " name a theme, or a file beside this one",
        )
    parent_path = find_parent(parent_node.value, path, search_dirs)
    if parent_path is None:
        raise SpecErrors.one(parent_node.loc, f"unknown theme '{parent_node.value}' in 'extends'")
    # Reported at the `extends` that closes the loop: that is the line to change.
    seen = [p.resolve() for p in chain]
    if parent_path.resolve() in seen:
        loop = chain[seen.index(parent_path.resolve()) :]
        raise SpecErrors.one(
            parent_node.loc,
            "theme 'extends' forms a cycle: "
            + " -> ".join(p.stem for p in (*loop, parent_path))
            + " (one of these themes must not extend another)",
        )
    return _deep_merge(_load_merged(parent_path, search_dirs, chain), own)


def find_parent(value: str, child: Path, search_dirs: tuple[Path, ...]) -> Path | None:
    """The theme an `extends: value` in `child` names.

    A path is relative to the theme that says it, so a family of themes can
    move together; a name looks beside it first."""
    if _is_path(value):
        beside = child.parent / value
        return beside if beside.is_file() else None
    return find_theme(value, (child.parent, *search_dirs))


def _is_path(value: str) -> bool:
    return "/" in value or value.endswith((".yaml", ".yml"))


def _inside_project(target: Path, home: Path, search_dirs: tuple[Path, ...]) -> bool:
    """Themes from many authors may only extend files in their own folder or in
    the theme folders tierdraw searches (symlinks followed)."""
    real = target.resolve()
    return any(real.is_relative_to(d.resolve()) for d in (home, *search_dirs, *BUILTIN_DIRS))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_tree(node: YNode) -> Any:
    if node.kind == "map":
        return {k.value: (k, _as_tree(v)) for k, v in node.value}
    return node


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, (knode, v) in over.items():
        if k in out and isinstance(out[k][1], dict) and isinstance(v, dict):
            out[k] = (knode, _deep_merge(out[k][1], v))
        else:
            out[k] = (knode, v)
    return out


# --------------------------------------------------------------------------- validate


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[SpecError] = []

    def err(self, loc: Loc, msg: str) -> None:
        self.errors.append(SpecError(loc, msg))

    def check_keys(self, tree: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for k, (knode, _) in tree.items():
            if k not in allowed:
                hint = difflib.get_close_matches(str(k), allowed, n=1)
                self.err(
                    knode.loc,
                    f"unknown key '{k}' in {where}"
                    + (f" (did you mean '{hint[0]}'?)" if hint else ""),
                )

    def number(self, node: Any, what: str, lo: float = 0.0) -> float | None:
        if (
            isinstance(node, YNode)
            and node.kind == "scalar"
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
            and node.value >= lo
        ):
            return float(node.value)
        self.err(_loc(node, self.file), f"{what} must be a number >= {lo:g}")
        return None


def _loc(node: Any, file: str) -> Loc:
    if isinstance(node, YNode):
        return node.loc
    if isinstance(node, dict) and node:
        return next(iter(node.values()))[0].loc
    return Loc(file, 1, 1)


def _build(tree: dict[str, Any], file: str) -> Theme:
    b = _Builder(file)
    b.check_keys(tree, TOP_KEYS, "the theme")

    def section(key: str) -> dict[str, Any]:
        if key not in tree:
            b.err(Loc(file, 1, 1), f"theme is missing '{key}'")
            return {}
        knode, v = tree[key]
        if not isinstance(v, dict):
            b.err(knode.loc, f"'{key}' must be a mapping")
            return {}
        return v

    palette: dict[str, str] = {}
    broken: set[str] = set()  # reported once, at the entry, not again at every use
    for name, (knode, v) in section("palette").items():
        if not _NAME.match(str(name)):
            b.err(knode.loc, f"palette name '{name}' must be lowercase letters, digits and '-'")
            broken.add(str(name))
        elif not (isinstance(v, YNode) and isinstance(v.value, str) and _HEX.match(v.value)):
            b.err(_loc(v, file), f"palette colour '{name}' must be a string \"#rrggbb\"")
            broken.add(str(name))
        else:
            palette[name] = v.value

    # Where each resolved colour was named, for the contrast check's messages.
    refs: dict[str, _Ref] = {}

    def colour(node: Any, what: str, allow_none: bool = False) -> str | None:
        if isinstance(node, YNode) and node.kind == "scalar":
            if allow_none and node.value in (None, "none"):
                return None
            if isinstance(node.value, str):
                if node.value in palette:
                    refs[what] = _Ref(node.value, palette[node.value], node.loc)
                    return palette[node.value]
                if node.value in broken:
                    return None
                hint = difflib.get_close_matches(node.value, list(palette), n=1)
                if node.value.startswith("#"):
                    msg = f"{what} uses the raw colour '{node.value}'; name a palette entry"
                else:
                    msg = f"{what} names '{node.value}', which is not in the palette"
                b.err(node.loc, msg + (f" (did you mean '{hint[0]}'?)" if hint else ""))
                return None
        b.err(_loc(node, file), f"{what} must name a palette colour")
        return None

    background = colour(tree.get("background", (None, None))[1], "'background'")
    if "background" not in tree:
        background = palette.get("white")
        if background is None and palette:
            b.err(Loc(file, 1, 1), "theme has no 'background' and no palette entry 'white'")
        elif background is not None:
            refs["'background'"] = _Ref("white", background, None)

    font = section("font")
    b.check_keys(font, ("family", "sizes"), "'font'")
    family_node = font.get("family", (None, None))[1]
    family = "Inter"
    font_loc = None
    if isinstance(family_node, YNode) and isinstance(family_node.value, str):
        family = family_node.value
        font_loc = family_node.loc
    elif family_node is not None:
        b.err(_loc(family_node, file), "'font.family' must be a font family name")
    sizes_tree = font.get("sizes", (None, {}))[1]
    sizes: dict[str, float] = {}
    if isinstance(sizes_tree, dict):
        b.check_keys(sizes_tree, SIZE_KEYS, "'font.sizes'")
        for k in SIZE_KEYS:
            if k not in sizes_tree:
                b.err(_loc(sizes_tree, file), f"'font.sizes' is missing '{k}'")
            else:
                n = b.number(sizes_tree[k][1], f"'font.sizes.{k}'", lo=4)
                if n is not None:
                    sizes[k] = n

    spacing_tree = section("spacing")
    b.check_keys(spacing_tree, SPACING_KEYS, "'spacing'")
    sp: dict[str, float] = {}
    for k in SPACING_KEYS:
        if k not in spacing_tree:
            b.err(_loc(spacing_tree, file), f"'spacing' is missing '{k}'")
        else:
            n = b.number(spacing_tree[k][1], f"'spacing.{k}'")
            if n is not None:
                sp[k] = n

    text_tree = tree.get("text", (None, {}))[1]
    text: dict[str, str] = {}
    if isinstance(text_tree, dict):
        b.check_keys(text_tree, TEXT_KEYS, "'text'")
        for k in TEXT_KEYS:
            c = colour(text_tree[k][1], f"'text.{k}'") if k in text_tree else None
            text[k] = c or palette.get("grey-600") or next(iter(palette.values()), "#000000")

    roles: dict[str, RoleStyle] = {}
    roles_tree = section("roles")
    for rname, (knode, rtree) in roles_tree.items():
        if rname not in ROLES and rname not in MATRIX_ROLES:
            hint = difflib.get_close_matches(str(rname), (*ROLES, *MATRIX_ROLES), n=1)
            b.err(
                knode.loc,
                f"unknown role '{rname}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""),
            )
            continue
        if not isinstance(rtree, dict):
            b.err(knode.loc, f"role '{rname}' must be a mapping of fill, stroke, text")
            continue
        b.check_keys(rtree, ROLE_KEYS, f"role '{rname}'")
        fill = colour(rtree["fill"][1], f"role '{rname}' fill", True) if "fill" in rtree else None
        stroke = (
            colour(rtree["stroke"][1], f"role '{rname}' stroke", True)
            if "stroke" in rtree
            else None
        )
        txt = colour(rtree["text"][1], f"role '{rname}' text") if "text" in rtree else None
        if "text" not in rtree:
            b.err(knode.loc, f"role '{rname}' is missing 'text'")
        cap = colour(rtree["caption"][1], f"role '{rname}' caption") if "caption" in rtree else txt
        width = 1.0
        if "stroke_width" in rtree:
            width = b.number(rtree["stroke_width"][1], f"role '{rname}' stroke_width") or 1.0
        if txt is not None:
            roles[str(rname)] = RoleStyle(fill, stroke, txt, cap or txt, width)
    for r in ROLES:
        if r not in roles_tree:
            b.err(_loc(roles_tree, file), f"'roles' is missing '{r}'")

    ramp: list[str] = []
    ramp_node = tree.get("ramp", (None, None))[1]
    if isinstance(ramp_node, YNode) and ramp_node.kind == "seq" and len(ramp_node.value) >= 2:
        for i, item in enumerate(ramp_node.value, 1):
            c = colour(item, f"'ramp' entry {i}")
            if c:
                ramp.append(c)
    else:
        b.err(_loc(ramp_node, file), "'ramp' must be a list of at least two palette names")

    emph = section("emphasis")
    b.check_keys(emph, ("stroke", "stroke_width"), "'emphasis'")
    e_stroke = colour(emph["stroke"][1], "'emphasis.stroke'") if "stroke" in emph else None
    e_width = (
        b.number(emph["stroke_width"][1], "'emphasis.stroke_width'")
        if "stroke_width" in emph
        else 3.0
    )

    name_node = tree.get("name", (None, None))[1]
    name = Path(file).stem
    if isinstance(name_node, YNode) and isinstance(name_node.value, str):
        name = name_node.value

    if b.errors:
        raise SpecErrors(b.errors)
    assert background is not None
    theme = Theme(
        name=name,
        source=file,
        palette=MappingProxyType(palette),
        background=background,
        font_family=family,
        sizes=MappingProxyType(sizes),
        spacing=Spacing(**sp),
        text=MappingProxyType(text),
        roles=MappingProxyType(roles),
        ramp=tuple(ramp),
        emphasis_stroke=e_stroke or next(iter(palette.values())),
        emphasis_width=e_width or 3.0,
        font_loc=font_loc,
    )
    problems = _contrast_errors(theme, refs)
    if problems:
        raise SpecErrors(problems)
    return theme


# --------------------------------------------------------------------------- contrast

AA_NORMAL = 4.5
"""WCAG 2.x AA (1.4.3) minimum contrast for normal text."""
AA_LARGE = 3.0
"""WCAG AA minimum for large text (1.4.3) and for graphics such as connectors (1.4.11)."""
LARGE_PX = 24.0  # 18 pt
LARGE_BOLD_PX = 18.66  # 14 pt, bold


@dataclass(frozen=True)
class _Ref:
    """A colour as the theme file names it, and where (None: a default)."""

    name: str
    hex: str
    loc: Loc | None


def needed_contrast(size: float, bold: bool) -> float:
    """WCAG AA's minimum for text at `size` px: large text may be paler."""
    large = size >= LARGE_PX or (bold and size >= LARGE_BOLD_PX)
    return AA_LARGE if large else AA_NORMAL


def label_style(theme: Theme, role: str) -> tuple[float, bool]:
    """Size and boldness of a role's label as the layout draws it.

    Taken from the layout itself (not restated here), so the check follows any
    change to the type scale. Operator signs are drawn bold at their own size.
    """
    from renderer.layout import BOLD_ROLES, Typesetter  # layout imports this module

    if role == "operator":
        return theme.sizes["operator"], True
    return Typesetter(theme).label_size(role), role in BOLD_ROLES


def ratio_text(r: float) -> str:
    """Rounded down, so a ratio that fails never reads as the threshold."""
    return f"{math.floor(r * 100 + 1e-9) / 100:.2f}:1"


def _contrast_errors(theme: Theme, refs: Mapping[str, _Ref]) -> list[SpecError]:
    """Every role's text and caption on its fill, and the page texts on the
    background, against WCAG AA: unreadable combinations are caught when the
    theme is written, not when someone squints at a slide.
    """
    errors: list[SpecError] = []
    bg = refs.get("'background'") or _Ref("background", theme.background, None)
    fallback = bg.loc or Loc(theme.source, 1, 1)

    def check(subject: str, fg: _Ref, back: _Ref, on: str, need: float, what: str) -> None:
        ratio = contrast(fg.hex, back.hex)
        if ratio >= need:
            return
        darker = luminance(fg.hex) <= luminance(back.hex)
        advice = (
            f"choose a darker {subject.split()[-1]} or a lighter {on}"
            if darker
            else f"choose a lighter {subject.split()[-1]} or a darker {on}"
        )
        errors.append(
            SpecError(
                fg.loc or fallback,
                f"{subject} '{fg.name}' on {on} '{back.name}' has contrast {ratio_text(ratio)};"
                f" WCAG AA needs {need:g}:1 for {what} ({advice})",
            )
        )

    for role in (*ROLES, *MATRIX_ROLES):
        if role not in theme.roles:
            continue
        key = f"role '{role}'"
        text = refs[f"{key} text"]
        caption = refs.get(f"{key} caption", text)
        fill = refs.get(f"{key} fill")
        back, on = (fill, "fill") if fill is not None else (bg, "background")
        size, bold = label_style(theme, role)
        large = needed_contrast(size, bold) == AA_LARGE
        what = f"{'large ' if large else ''}text at {size:g} px{' bold' if bold else ''}"
        check(f"{key}: text", text, back, on, needed_contrast(size, bold), what)
        cap_size = theme.sizes["caption"]
        check(f"{key}: caption", caption, back, on, AA_NORMAL, f"text at {cap_size:g} px")
    page = {
        "title": (theme.sizes["title"], True),
        "subtitle": (theme.sizes["subtitle"], False),
        "footnote": (theme.sizes["footnote"], False),
    }
    for k in TEXT_KEYS:
        fg = refs.get(f"'text.{k}'")
        if fg is None:  # the default colour: blame the background it fails on
            name = next((n for n, h in theme.palette.items() if h == theme.text[k]), "?")
            fg = _Ref(name, theme.text[k], None)
        if k in page:
            size, bold = page[k]
            need = needed_contrast(size, bold)
            large = "large " if need == AA_LARGE else ""
            what = f"{large}text at {size:g} px{' bold' if bold else ''}"
        else:  # the flow connector is a graphic, not text
            need, what = AA_LARGE, "graphics such as the flow connector"
        check(f"text '{k}': colour", fg, bg, "background", need, what)
    return errors
