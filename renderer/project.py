"""Where a project's files are: theme lookup for a spec, output names, safe writes.

Kept apart from the pipeline so commands that only need to know *what* would
be rendered (`build`'s up-to-date check, `validate`) load no drawing code.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from renderer.errors import Loc, SpecErrors
from renderer.spec.model import Spec
from renderer.text.fonts import FontNotFound, font_family
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


def resolve_theme(spec: Spec, override: str | None = None, at: Loc | None = None) -> Theme:
    """The spec's theme (or `override`, named at `at`), with its font checked."""
    spec_path = Path(spec.path)
    if override is not None:
        theme = load_theme(override, theme_dirs(spec_path), at or Loc("--theme", 1, 1))
    else:
        theme = load_theme(spec.theme, theme_dirs(spec_path), spec.theme_loc)
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


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
