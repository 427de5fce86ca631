"""`tierdraw watch`: re-render specs as they are saved.

Watches one spec file or a folder of `*.yaml` specs, plus the folders their
themes come from, and re-renders what a save touched. A broken spec prints
its `file:line:col: message` lines and the watch goes on: the author is in
the middle of editing, and the next save may fix it.

Folders are watched, not files, and not recursively: editors save by
writing a temporary file and renaming it over the spec, which a watch on
the file itself would lose, and an output folder inside the specs folder
must not wake the watcher up. Whether a path is a spec is decided when the
change is handled (does the file exist now?), not from the kind of event,
because a rename-over-save reports differently on every platform.

A theme change re-renders every spec: themes `extends` each other and
names shadow each other across folders, so which spec a theme file touches
is cheaper to re-render than to work out. (A theme that `extends` one from a
folder none of the specs' themes live in is not watched there.)

Each spec is rendered in its own theme only, not in every `variants` theme:
a save should show fast; `tierdraw build` renders the variants.

The set of folders can grow (a spec starts using a theme from elsewhere),
and `watchfiles` watches a fixed set, so the watch is then restarted. A save
landing while no watch is in place would be lost; instead, each time a watch
is in place the watcher catches up: every spec whose bytes differ from what
it last rendered, and all of them if a theme file changed meanwhile, is
rendered again. The first renders are just the first catch-up.

`watchfiles` is imported only when the watch starts, so importing this
module (and `tierdraw --help`) stays cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from renderer.errors import SpecErrors

SPEC_SUFFIX = ".yaml"
THEME_SUFFIXES = (".yaml", ".yml")


class Sink(Protocol):
    """Where renders go besides files: the preview server."""

    def specs_changed(self, specs: Sequence[Path]) -> None: ...

    def rendered(
        self, spec: Path, svg: bytes | None, errors: Sequence[str], font: str | None
    ) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What one render of one spec did."""

    spec: Path
    written: tuple[Path, ...]
    errors: tuple[str, ...]
    ms: float

    @property
    def ok(self) -> bool:
        return not self.errors

    def line(self) -> str:
        outs = ", ".join(str(p) for p in self.written) or "(nothing written)"
        return f"{self.spec} -> {outs} ({self.ms:.0f} ms)"


class WatchUnavailable(RuntimeError):
    """The `watchfiles` package is missing: an install problem, not a spec error."""


def ensure_available() -> None:
    """Fail before anything starts (a server, a first render) if watchfiles is missing."""
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        raise WatchUnavailable(
            "tierdraw watch needs the 'watchfiles' package: pip install watchfiles"
        ) from None


class Watcher:
    """Renders a spec or a folder of specs now and again after every save.

    `target` is kept as the user wrote it, so printed paths and error
    locations read like the command line (`specs/x.yaml:3:5: ...`).
    """

    def __init__(
        self,
        target: Path,
        out_dir: Path | None,
        formats: tuple[str, ...] = ("svg",),
        scale: float = 2.0,
        sink: Sink | None = None,
        quiet: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.target = target
        self.folder = target.is_dir()
        self.out_dir = out_dir
        self.formats = formats
        self.scale = scale
        self.sink = sink
        self.quiet = quiet
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._specs: dict[Path, Path] = {}  # resolved path -> path as shown
        self._theme_files: dict[Path, Path] = {}  # resolved spec -> resolved theme file
        self._rendered: dict[Path, str] = {}  # resolved spec -> digest of the bytes rendered
        self._themes_stamp: dict[str, tuple[int, int]] | None = None
        self._stamp_dirs: tuple[Path, ...] = ()
        self.scan()

    # ------------------------------------------------------------------ specs

    def specs(self) -> list[Path]:
        """The specs being watched, as shown to the user, in name order."""
        return sorted(self._specs.values(), key=lambda p: p.name)

    def scan(self) -> tuple[list[Path], list[Path]]:
        """Refresh the spec list from disk; returns (added, removed)."""
        if self.folder:
            found = sorted(
                p for p in self.target.glob(f"*{SPEC_SUFFIX}") if p.is_file()
            )  # as `tierdraw build` picks them
        else:
            found = [self.target] if self.target.is_file() else []
        now = {p.resolve(): p for p in found}
        added = [p for k, p in now.items() if k not in self._specs]
        removed = [p for k, p in self._specs.items() if k not in now]
        for k in [k for k in self._specs if k not in now]:
            self._theme_files.pop(k, None)
            self._rendered.pop(k, None)
        self._specs = now
        if (added or removed) and self.sink is not None:
            self.sink.specs_changed(self.specs())
        return added, removed

    def watch_dirs(self) -> tuple[Path, ...]:
        """Folders to watch: the specs' own and every folder a theme may come from."""
        from renderer.project import theme_dirs

        dirs: dict[Path, None] = {}
        root = self.target if self.folder else self.target.parent
        dirs[root.resolve()] = None
        for spec in self._specs:
            for d in theme_dirs(spec):
                dirs[d.resolve()] = None
        for theme in self._theme_files.values():
            dirs[theme.parent] = None
        return tuple(d for d in dirs if d.is_dir())

    def _is_spec_path(self, resolved: Path) -> bool:
        if self.folder:
            root = self.target.resolve()
            return resolved.parent == root and resolved.suffix == SPEC_SUFFIX
        return resolved == self.target.resolve()

    def _is_theme_path(self, resolved: Path, dirs: Iterable[Path]) -> bool:
        return resolved.suffix in THEME_SUFFIXES and (
            resolved.parent in set(dirs) or resolved in self._theme_files.values()
        )

    def _theme_stamp(self, dirs: Iterable[Path]) -> dict[str, tuple[int, int]]:
        """Mtime and size of every theme file in `dirs`, by path."""
        stamp: dict[str, tuple[int, int]] = {}
        for d in dirs:
            for p in d.iterdir() if d.is_dir() else ():
                if p.suffix in THEME_SUFFIXES and not self._is_spec_path(p.resolve()):
                    with contextlib.suppress(OSError):
                        st = p.stat()
                        stamp[str(p)] = (st.st_mtime_ns, st.st_size)
        return stamp

    def _restamp(self) -> None:
        """Remember the theme files as they are now, to notice changes while unwatched."""
        self._stamp_dirs = self.watch_dirs()
        self._themes_stamp = self._theme_stamp(self._stamp_dirs)

    def _themes_moved(self) -> bool:
        """Did a theme change since `_restamp`? (Folders watched since then are new,
        not changed: their themes were never used.)"""
        if self._themes_stamp is None:
            return True
        return self._theme_stamp(self._stamp_dirs) != self._themes_stamp

    # ----------------------------------------------------------------- render

    def render(self, spec: Path) -> Outcome:
        """Render one spec in its own theme; print and publish the result.

        The SVG goes to the preview as soon as it exists, before the slower
        PNG and PDF, so the page follows a save as fast as possible. Files are
        written only when every format succeeded, as `tierdraw render` does.
        """
        from renderer.files import write_atomic
        from renderer.render import encode, output_name, render_spec, resolve_theme
        from renderer.spec.parse import load_spec

        start = time.perf_counter()
        written: list[Path] = []
        errors: list[str] = []
        self._rendered[spec.resolve()] = _digest(spec)
        try:
            parsed = load_spec(spec)
            theme = resolve_theme(parsed)
            self._theme_files[spec.resolve()] = Path(theme.source).resolve()
            rendered = render_spec(parsed, theme)
            if self.sink is not None:
                self.sink.rendered(spec, rendered.svg, (), theme.font_family)
            if self.out_dir is not None:
                blobs = {
                    self.out_dir / output_name(spec, theme, parsed.theme, fmt): encode(
                        rendered, fmt, self.scale
                    )
                    for fmt in self.formats
                }
                for path, data in blobs.items():
                    write_atomic(path, data)
                    written.append(path)
        except SpecErrors as e:
            errors = [str(x) for x in e.errors]
        except OSError as e:  # the output folder, not the spec (reading a spec is a SpecError)
            where = e.filename or self.out_dir
            errors = [f"{where}: cannot write: {(e.strerror or type(e).__name__).lower()}"]
        except Exception as e:  # a bug in tierdraw: say so, and keep watching
            errors = [f"{spec}: internal error: {type(e).__name__}: {e}"]
        outcome = Outcome(spec, tuple(written), tuple(errors), (time.perf_counter() - start) * 1000)
        if errors and self.sink is not None:
            self.sink.rendered(spec, None, errors, None)
        self._report(outcome)
        return outcome

    def render_all(self) -> list[Outcome]:
        outcomes = [self.render(spec) for spec in self.specs()]
        self._restamp()  # a theme saved meanwhile is in this batch's events anyway
        return outcomes

    def _report(self, outcome: Outcome) -> None:
        if outcome.errors:
            for line in outcome.errors:
                print(line, file=self.err, flush=True)
        elif not self.quiet:
            print(outcome.line(), file=self.out, flush=True)

    def _removed(self, removed: Iterable[Path]) -> None:
        for spec in removed:  # (the sink heard of it from scan())
            if not self.quiet:
                print(f"{spec} removed", file=self.out, flush=True)

    def handle(self, paths: Iterable[Path], dirs: Iterable[Path] = ()) -> list[Outcome]:
        """Re-render what a batch of changed paths touched.

        A spec that was saved is rendered even if its bytes did not change:
        saving again is how an author asks for a render.
        """
        dirs = tuple(dirs) or self.watch_dirs()
        changed_specs: set[Path] = set()
        theme_changed = False
        for p in paths:
            resolved = p.resolve()
            if self._is_spec_path(resolved):
                changed_specs.add(resolved)
            elif self._is_theme_path(resolved, dirs):
                theme_changed = True
        added, removed = self.scan()
        self._removed(removed)
        if theme_changed:
            return self.render_all()
        todo = [
            shown
            for resolved, shown in sorted(self._specs.items(), key=lambda kv: kv[1].name)
            if resolved in changed_specs or shown in added
        ]
        return [self.render(spec) for spec in todo]

    def catch_up(self) -> list[Outcome]:
        """Render what changed while nothing was watching (and everything, the first time)."""
        _, removed = self.scan()
        self._removed(removed)
        if self._themes_moved():
            return self.render_all()
        todo = [
            shown
            for resolved, shown in sorted(self._specs.items(), key=lambda kv: kv[1].name)
            if self._rendered.get(resolved) != _digest(shown)
        ]
        outcomes = [self.render(spec) for spec in todo]
        self._restamp()
        return outcomes

    # ------------------------------------------------------------------- loop

    def run(
        self,
        stop: threading.Event | None = None,
        ready: Callable[[], None] | None = None,
    ) -> None:
        """Render everything, then re-render on every save until `stop` is set.

        Ctrl-C raises KeyboardInterrupt out of here, for the caller to end
        quietly. `ready` is called once the first renders are done and the
        folders are being watched.
        """
        ensure_available()
        import watchfiles

        stop = stop or threading.Event()
        first = True
        while not stop.is_set():
            dirs = self.watch_dirs()

            def relevant(_change: object, path: str, dirs: tuple[Path, ...] = dirs) -> bool:
                resolved = Path(path).resolve()
                return self._is_spec_path(resolved) or self._is_theme_path(resolved, dirs)

            changes = watchfiles.watch(
                *dirs,
                watch_filter=relevant,
                stop_event=stop,
                recursive=False,
                raise_interrupt=True,
                step=50,
                # Wake up empty-handed soon after the watch is in place, to catch
                # up then; an idle watch wakes this often, which costs nothing.
                rust_timeout=100,
                yield_on_timeout=True,
            )
            in_place = False
            for batch in changes:
                just_rendered: set[Path] = set()
                if not in_place:
                    in_place = True
                    just_rendered = {o.spec.resolve() for o in self.catch_up()}
                    if self.watch_dirs() != dirs:
                        break
                    if first:  # announced once everything that will be watched is
                        first = False
                        if ready is not None:
                            ready()
                paths = [Path(p) for _, p in batch]
                paths = [p for p in paths if p.resolve() not in just_rendered]
                if paths:
                    self.handle(paths, dirs)
                    if self.watch_dirs() != dirs:  # a theme elsewhere came into use: watch there
                        break
            else:
                return


def _digest(path: Path) -> str:
    """What a spec's bytes were when rendered ("" when unreadable: that is an error too)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
