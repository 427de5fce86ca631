"""The preview page in a real headless Chromium, as an author sees it.

`tierdraw watch --serve` runs as a process; Chromium (Debian's `chromium`,
driven by Playwright without its own browser download) opens the page; the
test edits the spec on disk and measures how long the page takes to show the
change, from the write to the moment the page put the new diagram in.

Not skipped when Chromium is missing: `make test` installs it, and a preview
that is never tested in a browser is not tested.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from test_watch import (
    NEW_LABEL,
    OLD_LABEL,
    SPEC,
    TITLE,
    WatchProcess,
    broken,
    preview_url,
    project,
    unknown_key_error,
    write_atomic,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container has no user namespace sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAX_LATENCY = 1.0  # seconds from saving the spec to the page showing it
WAIT_MS = 10_000  # generous: a slow machine fails the latency assert, not a timeout


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the preview tests need the 'playwright' package (pip install playwright)")
    if not Path(CHROMIUM).is_file() and not shutil.which("chromium"):
        pytest.fail(
            f"the preview tests need Debian's Chromium at {CHROMIUM}: "
            "apt-get install chromium (make test installs it)"
        )
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def watch(tmp_path: Path) -> Iterator[Callable[..., WatchProcess]]:
    started: list[WatchProcess] = []

    def start(*args: str) -> WatchProcess:
        p = WatchProcess(["watch", *args], cwd=tmp_path)
        started.append(p)
        return p

    yield start
    for p in started:
        p.close()


def shown_after(page: Any, version: int, wrote_at: float) -> tuple[int, float]:
    """Wait for the page to show a version past `version`; returns it and the
    seconds from the write to the page showing it (the page's own clock)."""
    page.wait_for_function(
        "(v) => Number(document.body.dataset.version) > v", arg=version, timeout=WAIT_MS
    )
    new_version = int(page.evaluate("document.body.dataset.version"))
    shown_at = page.evaluate("window.tierdrawShownAt") / 1000.0
    return new_version, shown_at - wrote_at


def diagram_state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const svg = document.querySelector("#diagram svg");
            const box = svg ? svg.getBoundingClientRect() : null;
            return {
                diagramHidden: document.getElementById("diagram").hidden,
                errorsHidden: document.getElementById("errors").hidden,
                errors: document.getElementById("errors").textContent,
                title: svg ? svg.querySelector("title").textContent : null,
                text: svg ? svg.textContent : "",
                width: box ? box.width : 0,
                height: box ? box.height : 0,
            };
        }"""
    )


def test_preview_follows_saves_and_shows_errors(
    tmp_path: Path, browser: Any, watch: Callable[..., WatchProcess]
) -> None:
    root = project(tmp_path)
    spec = root / SPEC
    original = spec.read_text(encoding="utf-8")
    w = watch("specs", "--serve", "--port", "0", "-f", "svg", "-o", "out")
    url = preview_url(w)
    w.wait_for("err", "watching specs")

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url)

    # the diagram is on the page, drawn at a size, in the theme's own font
    page.wait_for_selector("#diagram svg title", state="attached", timeout=WAIT_MS)
    state = diagram_state(page)
    assert state["title"] == TITLE
    assert state["width"] > 600 and state["height"] > 300
    assert OLD_LABEL in state["text"] and state["errorsHidden"]
    font = page.evaluate("fontFamily")  # the page loaded the theme's font from the preview
    assert font and page.evaluate(f"document.fonts.check('bold 16px \"{font}\"')")
    version = int(page.evaluate("document.body.dataset.version"))

    # an edit shows within a second of the save
    wrote_at = time.time()
    spec.write_text(original.replace(OLD_LABEL, NEW_LABEL), encoding="utf-8")
    version, latency = shown_after(page, version, wrote_at)
    state = diagram_state(page)
    assert NEW_LABEL in state["text"] and OLD_LABEL not in state["text"]
    assert latency < MAX_LATENCY, f"the page took {latency:.2f} s to show the edit"

    # a broken spec: the exact error lines instead of the diagram
    text, line = broken(original)
    wrote_at = time.time()
    write_atomic(spec, text)
    version, latency = shown_after(page, version, wrote_at)
    state = diagram_state(page)
    assert state["diagramHidden"] and not state["errorsHidden"]
    assert "unknown key" in state["errors"]
    assert state["errors"] == unknown_key_error(line)
    assert latency < MAX_LATENCY, f"the page took {latency:.2f} s to show the error"
    assert "error" in page.inner_text("#status")

    # fixed: the diagram is back
    wrote_at = time.time()
    spec.write_text(original, encoding="utf-8")
    version, latency = shown_after(page, version, wrote_at)
    state = diagram_state(page)
    assert not state["diagramHidden"] and state["errorsHidden"]
    assert state["title"] == TITLE and OLD_LABEL in state["text"] and state["width"] > 600
    assert latency < MAX_LATENCY, f"the page took {latency:.2f} s to show the fix"

    # everything came from the preview itself, and nothing was refused or failed
    assert all(u.startswith(url) for u in requested), requested
    assert problems == []
    page.screenshot(path=str(tmp_path / "preview.png"))

    code, _ = w.interrupt()
    assert code in (0, 130), w.transcript()
    assert "Traceback" not in "\n".join(w.lines["err"])
    # the page notices the server went away rather than showing a stale diagram silently
    page.wait_for_function(
        "document.getElementById('status').textContent.includes('disconnected')",
        timeout=WAIT_MS,
    )
    page.close()
