"""Themes: the only colours, fonts and spacing a diagram may use.

A theme file names its colours once, in `palette`; every other colour in the
file is a palette *name*. Resolving names to `#rrggbb` happens here, so later
stages hold real colours but can never hold one that is not in the palette.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

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
    path: Path, search_dirs: tuple[Path, ...], chain: tuple[str, ...]
) -> dict[str, Any]:
    """The theme as nested dicts of YNodes, parents merged under children."""
    key = str(path.resolve())
    root = load_yaml_file(path)
    if root.kind != "map":
        raise SpecErrors.one(root.loc, "a theme must be a mapping of keys to values")
    if key in chain:
        raise SpecErrors.one(
            root.loc, "theme 'extends' forms a cycle: " + " -> ".join([*chain, key])
        )
    own = _as_tree(root)
    parent_node = root.get("extends")
    if parent_node is None or parent_node.value is None:
        return own
    if parent_node.kind != "scalar" or not isinstance(parent_node.value, str):
        raise SpecErrors.one(parent_node.loc, "'extends' must be a theme name or path")
    parent_path = find_theme(parent_node.value, (path.parent, *search_dirs))
    if parent_path is None:
        raise SpecErrors.one(parent_node.loc, f"unknown theme '{parent_node.value}' in 'extends'")
    return _deep_merge(_load_merged(parent_path, search_dirs, (*chain, key)), own)


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
    for name, (knode, v) in section("palette").items():
        if not _NAME.match(str(name)):
            b.err(knode.loc, f"palette name '{name}' must be lowercase letters, digits and '-'")
        elif not (isinstance(v, YNode) and isinstance(v.value, str) and _HEX.match(v.value)):
            b.err(_loc(v, file), f"palette colour '{name}' must be a string \"#rrggbb\"")
        else:
            palette[name] = v.value

    def colour(node: Any, what: str, allow_none: bool = False) -> str | None:
        if isinstance(node, YNode) and node.kind == "scalar":
            if allow_none and node.value in (None, "none"):
                return None
            if isinstance(node.value, str):
                if node.value in palette:
                    return palette[node.value]
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
    return Theme(
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
