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
from renderer.errors import Loc, SpecErrors

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

# Options several commands share, spelled once.
FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="Comma-separated formats: svg, png, pdf.")
]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")]
ScaleOpt = Annotated[
    float, typer.Option("--scale", min=0.1, max=8.0, help="PNG pixels per SVG px.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]


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
    format: FormatOpt = "svg,png,pdf",
    output: OutputOpt = Path("output"),
    theme: Annotated[
        str | None, typer.Option("--theme", "-t", help="Theme name or file, overriding the spec's.")
    ] = None,
    scale: ScaleOpt = 2.0,
    quiet: QuietOpt = False,
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
    output: OutputOpt = Path("output"),
    format: FormatOpt = "svg,png,pdf",
    scale: ScaleOpt = 2.0,
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
    quiet: QuietOpt = False,
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
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="text: 'file:line:col: message' lines on stderr; json: one JSON array on stdout.",
        ),
    ] = "text",
) -> None:
    """Check specs, their themes and formulas, without writing anything.

    With --format json, stdout is one JSON array of every error in every spec,
    [] when all are fine; each error is an object
    {"file": "specs/x.yaml", "line": 3, "column": 5, "message": "...", "severity": "error"}.
    Either way the exit code is 1 when there is any error.
    """
    if format not in ("text", "json"):
        raise typer.BadParameter(
            f"unknown format {format!r}: use text or json", param_hint="--format"
        )
    from renderer.project import resolve_theme, variant_themes
    from renderer.render import render_spec
    from renderer.spec.parse import load_spec

    found: list[dict[str, object]] = []
    for path in specs:
        try:
            spec = load_spec(path)
            resolve_theme(spec)
            for theme in variant_themes(spec):  # scores, formulas and layout, in memory
                render_spec(spec, theme)
        except SpecErrors as e:
            if format == "text":
                _fail(e)
            found += [
                {"file": x.loc.file, "line": x.loc.line, "column": x.loc.col,
                 "message": x.message, "severity": "error"}
                for x in e.errors
            ]  # fmt: skip
    if format == "json":
        typer.echo(json.dumps(found, indent=2))
    elif not found:
        typer.echo(f"{len(specs)} spec{'s' if len(specs) != 1 else ''} OK")
    if found:
        raise typer.Exit(EXIT_SPEC)


themes_app = typer.Typer(
    help="List themes, or draw a theme's swatch sheet.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(themes_app, name="themes")


@themes_app.callback()
def themes(ctx: typer.Context) -> None:
    """List the themes a spec here can name, and where each comes from."""
    if ctx.invoked_subcommand is not None:
        return
    from renderer.theme import theme_sources

    rows = theme_sources((Path.cwd() / "themes",))
    width = max((len(name) for name, _, _ in rows), default=0)
    for name, path, kind in rows:
        typer.echo(f"{name:<{width}}  {kind:<8}  {path}")


@themes_app.command("show")
def themes_show(
    name: Annotated[str, typer.Argument(help="Theme name or theme file.", show_default=False)],
    output: OutputOpt = Path("output"),
    format: FormatOpt = "svg,png",
) -> None:
    """Draw a swatch sheet of a theme: palette, roles with contrast, ramp, emphasis."""
    formats = _formats(format)
    from renderer.files import write_atomic
    from renderer.swatch import swatch_svg
    from renderer.theme import load_theme

    try:
        theme = load_theme(name, (Path.cwd() / "themes",), Loc("THEME", 1, 1))
    except SpecErrors as e:
        _fail(e)
        raise typer.Exit(EXIT_SPEC) from None
    svg = swatch_svg(theme)
    blobs: dict[Path, bytes] = {}
    for fmt in formats:
        path = output / f"theme-{theme.name}.{fmt}"
        if fmt == "svg":
            blobs[path] = svg
        else:
            from renderer.backends import raster

            family = (theme.font_family,)
            blobs[path] = (
                raster.svg_to_png(svg, families=family)
                if fmt == "png"
                else raster.svg_to_pdf(svg, families=family)
            )
    for path, data in blobs.items():
        write_atomic(path, data)
        typer.echo(str(path))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec language (for editors)."""
    from renderer.spec.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


_WatchPath = Annotated[
    Path,
    typer.Argument(
        metavar="PATH", help="A spec file, or a folder of specs (*.yaml).", show_default=True
    ),
]
_WatchPort = Annotated[
    int, typer.Option("--port", min=0, max=65535, help="Preview port (0: any free port).")
]
_WatchHost = Annotated[
    str, typer.Option("--host", help="Preview address: 127.0.0.1, localhost or ::1 only.")
]
_WatchOpen = Annotated[
    bool, typer.Option("--open/--no-open", help="Open the preview in a browser (implies --serve).")
]


@app.command()
def watch(
    path: _WatchPath = Path("specs"),
    output: OutputOpt = Path("output"),
    format: FormatOpt = "svg,png,pdf",
    serve: Annotated[
        bool, typer.Option("--serve", help="Also serve a live preview page on loopback.")
    ] = False,
    port: _WatchPort = 8765,
    host: _WatchHost = "127.0.0.1",
    open_page: _WatchOpen = False,
    quiet: QuietOpt = False,
) -> None:
    """Re-render specs on every save; a broken spec prints its errors and the watch goes on."""
    _watch(path, output, format, serve or open_page, port, host, open_page, quiet)


@app.command("serve")
def serve_command(
    path: _WatchPath = Path("specs"),
    output: OutputOpt = Path("output"),
    format: FormatOpt = "svg,png,pdf",
    port: _WatchPort = 8765,
    host: _WatchHost = "127.0.0.1",
    open_page: _WatchOpen = False,
    quiet: QuietOpt = False,
) -> None:
    """`watch --serve`: a local preview page that follows every save."""
    _watch(path, output, format, True, port, host, open_page, quiet)


def _watch(
    path: Path, output: Path, format: str, serve: bool, port: int, host: str,
    open_page: bool, quiet: bool,
) -> None:  # fmt: skip
    """Run the watch until Ctrl-C (or SIGTERM), which is how it is meant to end: exit 0."""
    import signal
    import threading

    from renderer.watch import Watcher, WatchUnavailable, ensure_available

    formats = _formats(format)
    server = None
    if serve:
        from renderer.preview import HostNotAllowed, bind_address

        try:
            bind_address(host)
        except HostNotAllowed as e:
            raise typer.BadParameter(str(e), param_hint="--host") from None
    if not path.exists():
        raise typer.BadParameter(f"{path} does not exist", param_hint="PATH")
    try:
        ensure_available()
    except WatchUnavailable as e:
        typer.echo(f"tierdraw: {e}", err=True)
        raise typer.Exit(EXIT_INTERNAL) from None
    hub = None
    if serve:
        from renderer.preview import Hub, PreviewServer, open_browser

        hub = Hub()
        try:
            server = PreviewServer(hub, host, port)
        except OSError as e:
            typer.echo(f"tierdraw: cannot listen on {host}:{port}: {e.strerror or e}", err=True)
            raise typer.Exit(EXIT_SPEC) from None

    def interrupt(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    def ready() -> None:
        typer.echo(f"watching {path} (Ctrl-C to stop)", err=True)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        watcher = Watcher(path, output, formats, sink=hub, quiet=quiet)
        if server is not None:
            server.start()
            typer.echo(f"Preview at {server.url}")
            if open_page:
                open_browser(server.url)
        watcher.run(threading.Event(), ready=None if quiet else ready)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()
        signal.signal(signal.SIGTERM, previous)
    if not quiet:
        typer.echo("stopped", err=True)


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
