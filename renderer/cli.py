"""The `tierdraw` command.

Commands import the pipeline lazily so `tierdraw --help` stays fast, and every
failure a user can cause ends as `file:line:col: message` lines on stderr and
a non-zero exit, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from renderer import __version__
from renderer.errors import SpecErrors

app = typer.Typer(
    name="tierdraw",
    help="Metric hierarchies and benchmark scorecards from YAML to SVG, PNG and PDF.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_SPEC = 1  # the input is wrong
EXIT_INTERNAL = 70  # tierdraw is wrong (EX_SOFTWARE)


def _fail(errors: SpecErrors) -> None:
    for e in errors.errors:
        typer.echo(str(e), err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tierdraw {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """tierdraw turns a small YAML spec into a slide-ready diagram."""


def _formats(value: str) -> tuple[str, ...]:
    from renderer.project import FORMATS

    out = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise typer.BadParameter(
            f"unknown format {', '.join(bad) or repr(value)}: use a comma-separated list of "
            + ", ".join(FORMATS)
        )
    return out


@app.command()
def render(
    specs: Annotated[list[Path], typer.Argument(help="Spec files to render.", show_default=False)],
    format: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated formats: svg, png, pdf.")
    ] = "svg,png,pdf",
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")] = Path(
        "output"
    ),
    theme: Annotated[
        str | None, typer.Option("--theme", "-t", help="Theme name or file, overriding the spec's.")
    ] = None,
    scale: Annotated[
        float, typer.Option("--scale", min=0.1, max=8.0, help="PNG pixels per SVG px.")
    ] = 2.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    all_variants: Annotated[
        bool,
        typer.Option("--all-variants", help="Render in every theme of the spec's `variants` list."),
    ] = False,
    explain_scores: Annotated[
        bool, typer.Option("--explain", help="Also print every score and how it was derived.")
    ] = False,
) -> None:
    """Render specs to SVG, PNG and PDF, named after each spec (output/NAME.svg …)."""
    formats = _formats(format)
    if theme is not None and all_variants:
        raise typer.BadParameter("use either --theme or --all-variants", param_hint="--theme")
    from renderer.render import render_file

    failed = False
    for spec in specs:
        try:
            written = render_file(
                spec, output, formats, theme=theme, scale=scale, all_variants=all_variants
            )
        except SpecErrors as e:
            _fail(e)
            failed = True
            continue
        if not quiet:
            typer.echo(f"{spec} -> " + ", ".join(str(p) for p in written))
        if explain_scores:
            typer.echo(_explanation(spec))
    if failed:
        raise typer.Exit(EXIT_SPEC)


def _explanation(path: Path) -> str:
    from renderer.scores import explain as explain_text
    from renderer.scores import score_diagram
    from renderer.spec.parse import load_spec
    from renderer.tree import build_tree

    diagram = build_tree(load_spec(path))
    return explain_text(diagram, score_diagram(diagram))


@app.command()
def explain(
    specs: Annotated[list[Path], typer.Argument(help="Spec files to audit.", show_default=False)],
) -> None:
    """Print every computed score and how it was derived, to audit the numbers."""
    failed = False
    for i, path in enumerate(specs):
        try:
            text = _explanation(path)
        except SpecErrors as e:
            _fail(e)
            failed = True
            continue
        typer.echo(("\n" if i else "") + f"{path}\n{text.rstrip()}")
    if failed:
        raise typer.Exit(EXIT_SPEC)


@app.command()
def build(
    specs_dir: Annotated[
        Path, typer.Argument(help="Folder of specs (*.yaml).", show_default=True)
    ] = Path("specs"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")] = Path(
        "output"
    ),
    format: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated formats: svg, png, pdf.")
    ] = "svg,png,pdf",
    scale: Annotated[
        float, typer.Option("--scale", min=0.1, max=8.0, help="PNG pixels per SVG px.")
    ] = 2.0,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if any output is missing or stale."),
    ] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove outputs of specs that are gone.")
    ] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Render every spec in a folder, in all its variants; only what changed."""
    formats = _formats(format)
    if not specs_dir.is_dir():
        raise typer.BadParameter(f"{specs_dir} is not a folder", param_hint="SPECS_DIR")
    from renderer.build import build as run_build

    with _progress(quiet) as progress:
        report = run_build(
            specs_dir, output, formats, scale, check=check, prune=prune, jobs=jobs,
            progress=progress,
        )  # fmt: skip
    for line in report.errors:
        typer.echo(line, err=True)
    if check:
        for line in report.problems:
            typer.echo(line, err=True)
        if not quiet or report.problems or report.failed:
            ok = not report.problems and not report.failed
            typer.echo(
                f"{len(report.up_to_date)} up to date, {len(report.problems)} outputs out of date,"
                f" {len(report.failed)} failed" + ("" if ok else " (run tierdraw build)")
            )
        if report.problems or report.failed:
            raise typer.Exit(EXIT_SPEC)
        return
    if not quiet or report.failed:
        typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(EXIT_SPEC)


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal for builds that take a while; nothing otherwise."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("rendering", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.command()
def validate(
    specs: Annotated[list[Path], typer.Argument(help="Spec files to check.", show_default=False)],
) -> None:
    """Check specs, their themes and formulas, without writing anything."""
    from renderer.project import resolve_theme, variant_themes
    from renderer.render import render_spec
    from renderer.spec.parse import load_spec

    failed = False
    for path in specs:
        try:
            spec = load_spec(path)
            resolve_theme(spec)
            for theme in variant_themes(spec):  # scores, formulas and layout, in memory
                render_spec(spec, theme)
        except SpecErrors as e:
            _fail(e)
            failed = True
    if failed:
        raise typer.Exit(EXIT_SPEC)
    typer.echo(f"{len(specs)} spec{'s' if len(specs) != 1 else ''} OK")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec language (for editors)."""
    from renderer.spec.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    """Entry point: no traceback ever reaches the user."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # a bug in tierdraw, not in the input
        typer.echo(f"tierdraw: internal error: {type(e).__name__}: {e}", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
