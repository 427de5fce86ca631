"""`tierdraw build`: every spec × its variants × formats, incremental and parallel.

A manifest in the output folder (`.tierdraw-manifest.json`) records, for each
spec, a key over everything its outputs depend on — the spec's bytes, its
themes' files (with their `extends` chain), their fonts, the formats and
scale, and the renderer itself — and the hash of every output written. A spec
whose key and outputs match is up to date and is not even parsed twice; an
output whose bytes differ from the recorded hash was edited by hand.

Rendering runs in worker processes (one per core); files are written by this
process only, each atomically, after all of a spec's outputs succeeded. The
manifest is rewritten (atomically) after every finished spec, so a killed
build loses at most the work in flight and never leaves a truncated file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from renderer import __version__
from renderer.errors import SpecErrors

MANIFEST = ".tierdraw-manifest.json"
MANIFEST_VERSION = 1


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def renderer_fingerprint() -> str:
    """The version and the source of the renderer, and its built-in themes."""
    root = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Target:
    """One spec to build and everything its outputs depend on."""

    spec: Path
    key: str  # hash of all inputs
    outputs: tuple[str, ...]  # file names in the output folder


@dataclass
class Report:
    rendered: list[str] = field(default_factory=list)  # spec names
    up_to_date: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each
    pruned: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # --check findings
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"{len(self.rendered)} rendered",
            f"{len(self.up_to_date)} up to date",
            f"{len(self.failed)} failed",
        ]
        if self.pruned:
            parts.append(f"{len(self.pruned)} pruned")
        return ", ".join(parts) + f" in {self.seconds:.1f} s"


class Manifest:
    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.specs: dict[str, dict[str, object]] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if (
            isinstance(data, dict)
            and data.get("version") == MANIFEST_VERSION
            and data.get("renderer") == fingerprint
            and isinstance(data.get("specs"), dict)
        ):
            self.specs = data["specs"]

    def entry(self, spec_name: str) -> dict[str, object] | None:
        e = self.specs.get(spec_name)
        return e if isinstance(e, dict) else None

    def save(self) -> None:
        from renderer.files import write_atomic

        data = {"version": MANIFEST_VERSION, "renderer": self.fingerprint, "specs": self.specs}
        text = json.dumps(data, indent=1, sort_keys=True) + "\n"
        write_atomic(self.path, text.encode("utf-8"))


def spec_files(specs_dir: Path) -> list[Path]:
    return sorted(p for p in specs_dir.glob("*.yaml") if p.is_file())


def _target(spec: Path, formats: tuple[str, ...], scale: float, fingerprint: str) -> Target:
    """Parse the spec and its themes to learn what it depends on and what it writes."""
    from renderer.project import output_name, variant_themes
    from renderer.spec.parse import load_spec

    data = spec.read_bytes()
    parsed = load_spec(spec)
    h = hashlib.sha256()
    for part in (fingerprint, repr(formats), repr(scale), _sha(data)):
        h.update(part.encode())
    outputs: list[str] = []
    for theme in variant_themes(parsed):
        h.update(_theme_key(Path(theme.source)).encode())
        h.update(_font_key(theme.font_family).encode())
        outputs.extend(output_name(spec, theme, parsed.theme, fmt) for fmt in formats)
    return Target(spec, h.hexdigest(), tuple(outputs))


@functools.cache
def _theme_key(path: Path) -> str:
    return _sha(b"".join(_sha(f.read_bytes()).encode() for f in _theme_chain(path)))


@functools.cache
def _font_key(family: str) -> str:
    from renderer.text.fonts import font_family

    face = font_family(family)
    return _sha(face.regular.path.read_bytes() + face.bold.path.read_bytes())


def _theme_chain(path: Path) -> list[Path]:
    """A theme file and the files it `extends`, as the theme loader finds them."""
    from renderer.spec.yaml_source import load_yaml_file
    from renderer.theme import find_parent

    chain, seen = [path], {path.resolve()}
    while True:
        node = load_yaml_file(chain[-1]).get("extends")
        if node is None or not isinstance(node.value, str):
            return chain
        nxt = find_parent(node.value, chain[-1], ())
        if nxt is None or nxt.resolve() in seen:
            return chain
        seen.add(nxt.resolve())
        chain.append(nxt)


def _render_job(spec: Path, formats: tuple[str, ...], scale: float) -> dict[str, bytes]:
    """In a worker: every output of one spec, in memory."""
    from renderer.render import encode, output_name, render_spec, variant_themes
    from renderer.spec.parse import load_spec

    parsed = load_spec(spec)
    out: dict[str, bytes] = {}
    for theme in variant_themes(parsed):
        rendered = render_spec(parsed, theme)
        for fmt in formats:
            out[output_name(spec, theme, parsed.theme, fmt)] = encode(rendered, fmt, scale)
    return out


def _current(target: Target, entry: dict[str, object] | None, out_dir: Path) -> list[str]:
    """Why the target's outputs are not current (empty: they are)."""
    if entry is None:
        return [f"{out_dir / name}: missing or never built" for name in target.outputs]
    recorded = entry.get("outputs")
    recorded = recorded if isinstance(recorded, dict) else {}
    why: list[str] = []
    stale = entry.get("key") != target.key
    for name in target.outputs:
        path = out_dir / name
        if not path.exists():
            why.append(f"{path}: missing")
        elif stale or name not in recorded:
            why.append(f"{path}: stale (its spec, theme, font or the renderer changed)")
        elif _sha(path.read_bytes()) != recorded[name]:
            why.append(f"{path}: differs from what was rendered (edited by hand?)")
    return why


def build(
    specs_dir: Path,
    out_dir: Path,
    formats: tuple[str, ...],
    scale: float = 2.0,
    check: bool = False,
    prune: bool = False,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    start = time.perf_counter()
    report = Report()
    fingerprint = renderer_fingerprint()
    manifest = Manifest(out_dir / MANIFEST, fingerprint)
    targets: list[Target] = []
    todo: list[Target] = []
    for spec in spec_files(specs_dir):
        try:
            target = _target(spec, formats, scale, fingerprint)
        except SpecErrors as e:
            report.failed.append(spec.name)
            report.errors.extend(str(err) for err in e.errors)
            continue
        targets.append(target)
        why = _current(target, manifest.entry(spec.name), out_dir)
        if why:
            todo.append(target)
            report.problems.extend(why)
        else:
            report.up_to_date.append(spec.name)

    live = {t.spec.name for t in targets} | set(report.failed)
    orphans = sorted(name for name in manifest.specs if name not in live)
    if check:
        for name in orphans:
            entry = manifest.entry(name) or {}
            for out in sorted(entry.get("outputs", {}) or {}):
                report.problems.append(f"{out_dir / out}: its spec {name} is gone (build --prune)")
        report.seconds = time.perf_counter() - start
        return report
    if prune:
        for name in orphans:
            entry = manifest.specs.pop(name)
            outs = entry.get("outputs", {}) if isinstance(entry, dict) else {}
            for out in sorted(outs if isinstance(outs, dict) else {}):
                (out_dir / out).unlink(missing_ok=True)
                report.pruned.append(out)

    for leftover in out_dir.glob(".*.tmp"):  # from a build that was killed mid-write
        leftover.unlink(missing_ok=True)
    _run(todo, formats, scale, out_dir, manifest, report, jobs, progress)
    if todo or report.pruned or not manifest.path.exists():
        manifest.save()
    report.seconds = time.perf_counter() - start
    return report


def _run(
    todo: list[Target],
    formats: tuple[str, ...],
    scale: float,
    out_dir: Path,
    manifest: Manifest,
    report: Report,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> None:
    from renderer.files import write_atomic

    def finish(target: Target, blobs: dict[str, bytes]) -> None:
        for name, data in blobs.items():
            write_atomic(out_dir / name, data)
        manifest.specs[target.spec.name] = {
            "key": target.key,
            "outputs": {name: _sha(data) for name, data in sorted(blobs.items())},
        }
        manifest.save()
        report.rendered.append(target.spec.name)

    def fail(target: Target, e: BaseException) -> None:
        report.failed.append(target.spec.name)
        if isinstance(e, SpecErrors):
            report.errors.extend(str(err) for err in e.errors)
        else:
            report.errors.append(f"{target.spec}: internal error: {type(e).__name__}: {e}")

    done = 0
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    if workers <= 1:
        for target in todo:
            try:
                finish(target, _render_job(target.spec, formats, scale))
            except Exception as e:
                fail(target, e)
            done += 1
            if progress:
                progress(done, len(todo))
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures: list[tuple[Target, Future[dict[str, bytes]]]] = [
            (t, pool.submit(_render_job, t.spec, formats, scale)) for t in todo
        ]
        for target, future in _in_completion_order(futures):
            try:
                finish(target, future.result())
            except Exception as e:
                fail(target, e)
            done += 1
            if progress:
                progress(done, len(todo))


def _in_completion_order(
    futures: list[tuple[Target, Future[dict[str, bytes]]]],
) -> Iterable[tuple[Target, Future[dict[str, bytes]]]]:
    from concurrent.futures import as_completed

    by_future = {f: t for t, f in futures}
    for f in as_completed(by_future):
        yield by_future[f], f
