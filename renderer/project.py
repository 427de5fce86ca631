"""Where a project's files are: theme lookup for a spec, output names, safe writes.

Kept apart from the pipeline so commands that only need to know *what* would
be rendered (`build`'s up-to-date check, `validate`) load no drawing code.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from renderer.errors import Loc, SpecError, SpecErrors
from renderer.spec.model import Spec
from renderer.spec.yaml_source import load_yaml_file
from renderer.text.fonts import FontNotFound, font_family
from renderer.theme import TOP_KEYS as THEME_KEYS
from renderer.theme import Theme, load_theme

FORMATS = ("svg", "png", "pdf")


def theme_dirs(spec_path: Path) -> tuple[Path, ...]:
    """Where a spec's theme names are looked up before the built-ins."""
    here = spec_path.resolve().parent
    dirs = [here / "themes", here.parent / "themes", Path.cwd() / "themes"]
    out: list[Path] = []
    for d in dirs:
        if d not in out:
            out.append(d)
    return tuple(out)


OUTSIDE = (
    "theme path '{}' is outside the project: name a theme in themes/ or a file beside the spec"
)
NOT_A_THEME = (
    "not a theme file: a theme is a YAML mapping of 'palette', 'font', 'spacing', 'roles',"
    " 'ramp' and 'emphasis'"
)


def spec_theme(name: str, spec_path: Path, at: Loc | None) -> str:
    """A theme as the spec names it, ready for `load_theme`.

    A name is looked up in the theme folders as usual. A path (as `find_theme`
    tells one: a '/' or a .yaml/.yml ending) is relative to the spec's folder and
    must stay, symlinks followed, inside it or inside a `themes/` folder beside
    its parent: specs come from many authors, and one must not make tierdraw
    read an arbitrary file. `--theme` on the command line is not checked.
    """
    if "/" not in name and not name.endswith((".yaml", ".yml")):
        return name
    here = spec_path.resolve().parent
    at = at or Loc(str(spec_path), 1, 1)
    try:
        target = (here / name).resolve()
        roots = (here, (here.parent / "themes").resolve())
    except (OSError, ValueError, RuntimeError):  # a symlink loop, say
        raise SpecErrors.one(at, f"theme file '{name}' cannot be read") from None
    if not any(target.is_relative_to(root) for root in roots):
        raise SpecErrors.one(at, OUTSIDE.format(name))
    if not target.is_file():
        raise SpecErrors.one(
            at, f"theme file '{name}' not found (a theme path is relative to the spec's folder)"
        )
    return str(target)


def _load_theme(name: str, dirs: tuple[Path, ...], at: Loc) -> Theme:
    try:
        return load_theme(name, dirs, at)
    except SpecErrors as e:
        raise _quote_only_themes(e, at.file) from None


def _quote_only_themes(errors: SpecErrors, own: str) -> SpecErrors:
    """The errors, but none quoting a file that is not a theme at all.

    `--theme /etc/shadow` must not print the file's lines as "unknown keys": a
    file whose top level names no theme key (nor a near miss of one) gets one
    line that quotes nothing. Errors in the spec itself (`own`) are kept.
    """
    out: list[SpecError] = []
    verdict: dict[str, bool] = {}
    for e in errors.errors:
        file = e.loc.file
        if file not in verdict:
            verdict[file] = file in (own, "--theme") or _is_theme_like(file)
            if not verdict[file]:
                out.append(SpecError(Loc(file, 1, 1), NOT_A_THEME))
        if verdict[file]:
            out.append(e)
    return SpecErrors(out)


def _is_theme_like(file: str) -> bool:
    try:
        root = load_yaml_file(file)
    except SpecErrors as e:  # YAML-level problems: their messages quote at most a token
        return not any(err.message.startswith("empty file") for err in e.errors)
    if root.kind != "map":
        return False
    keys = [k.value for k, _ in root.value]
    return any(k in THEME_KEYS or difflib.get_close_matches(k, THEME_KEYS, 1) for k in keys)


def resolve_theme(spec: Spec, override: str | None = None, at: Loc | None = None) -> Theme:
    """The spec's theme (or `override`, named at `at`), with its font checked.

    `override` comes from the command line (`--theme`) unless `at` is given, in
    which case it was written in the spec (`variants`) and is checked like `theme`.
    """
    spec_path = Path(spec.path)
    if override is not None and at is None:
        theme = _load_theme(override, theme_dirs(spec_path), Loc("--theme", 1, 1))
    else:
        where = at if override is not None else spec.theme_loc
        name = spec_theme(override or spec.theme, spec_path, where)
        theme = _load_theme(name, theme_dirs(spec_path), where or Loc(spec.path, 1, 1))
    try:
        font_family(theme.font_family)
    except FontNotFound as e:
        raise SpecErrors.one(theme.font_loc or Loc(theme.source, 1, 1), str(e)) from None
    return theme


def variant_themes(spec: Spec) -> list[Theme]:
    """The themes of the spec's `variants` (its own theme when it has none)."""
    locs = spec.variant_locs or (spec.theme_loc or Loc(spec.path, 1, 1),)
    return [
        resolve_theme(spec, name, loc) for name, loc in zip(spec.theme_variants, locs, strict=True)
    ]


def output_name(spec_path: Path, theme: Theme, spec_theme: str, fmt: str) -> str:
    """`<spec>.<ext>` in the spec's own theme, `<spec>.<theme>.<ext>` in any other."""
    if theme.name == Path(spec_theme).stem:
        return f"{spec_path.stem}.{fmt}"
    return f"{spec_path.stem}.{theme.name}.{fmt}"
