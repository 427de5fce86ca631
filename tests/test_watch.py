"""`tierdraw watch` and its preview server as a user runs them: a real process
editing real files, stopped with Ctrl-C; the server spoken to over HTTP.

The browser end to end is in test_preview_browser.py; the helpers here
(`WatchProcess`, `project`) serve both.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from conftest import ROOT

V4 = ROOT / "specs" / "cs-metrics-hierarchy-v4.yaml"
SPEC = Path("specs") / V4.name  # as the watch prints it, run from the project folder
OLD_LABEL, NEW_LABEL = "Need for Support", "Need for Help"
TITLE = "Customer Service Metrics Hierarchy"
STOP_SECONDS = 5.0


class WatchProcess:
    """`python -m renderer ARGS` in the background, its output read line by line."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "renderer", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: dict[str, list[str]] = {"out": [], "err": []}
        self._cond = threading.Condition()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, "out"), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, "err"), daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _read(self, stream: IO[str], name: str) -> None:
        for line in stream:
            with self._cond:
                self.lines[name].append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def mark(self) -> dict[str, int]:
        """How many lines each stream has so far: wait for lines after these."""
        with self._cond:
            return {k: len(v) for k, v in self.lines.items()}

    def wait_for(
        self,
        stream: str,
        match: str | Callable[[str], bool],
        after: dict[str, int] | None = None,
        timeout: float = 15.0,
    ) -> str:
        """The first line of `stream` (past `after`) that contains `match`."""
        test = match if callable(match) else (lambda line: match in line)
        start = (after or {}).get(stream, 0)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[stream][start:]:
                    if test(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reading()):
                    break
                self._cond.wait(min(left, 0.1))
        raise AssertionError(
            f"no line with {match!r} on std{stream} within {timeout} s "
            f"(exit code {self.proc.poll()})\n{self.transcript()}"
        )

    def _reading(self) -> bool:
        return any(t.is_alive() for t in self._readers)

    def transcript(self) -> str:
        with self._cond:
            return (
                "stdout:\n"
                + "\n".join(self.lines["out"])
                + "\nstderr:\n"
                + "\n".join(self.lines["err"])
            )

    def interrupt(self) -> tuple[int, float]:
        """Ctrl-C; returns (exit code, seconds it took to exit)."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(
                f"still running {STOP_SECONDS} s after Ctrl-C\n{self.transcript()}"
            ) from None
        for t in self._readers:
            t.join(2)
        return code, time.monotonic() - start

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def project(tmp_path: Path) -> Path:
    """A project folder with one spec (its theme comes from the built-ins)."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / V4.name).write_bytes(V4.read_bytes())
    return tmp_path


def write_atomic(path: Path, text: str) -> None:
    """Save as editors do: a temporary file renamed over the spec."""
    tmp = path.with_name(f".{path.name}.swp-test")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def broken(text: str) -> tuple[str, int]:
    """The spec with an unknown key, and the line the error must point at."""
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line == "  - label: Metrics\n")
    lines[index] = "  - lable: Metrics\n"
    return "".join(lines), index + 1


def unknown_key_error(line: int) -> str:
    return f"{SPEC}:{line}:5: unknown key 'lable' in lane 1 (did you mean 'label'?)"


@pytest.fixture
def run_watch(tmp_path: Path) -> Iterator[Callable[..., WatchProcess]]:
    started: list[WatchProcess] = []

    def start(*args: str) -> WatchProcess:
        p = WatchProcess(["watch", *args], cwd=tmp_path)
        started.append(p)
        return p

    yield start
    for p in started:
        p.close()


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


# ------------------------------------------------------------------- watching


def test_watch_renders_on_save_reports_errors_and_stops_on_ctrl_c(
    tmp_path: Path, run_watch: Callable[..., WatchProcess]
) -> None:
    root = project(tmp_path)
    spec, svg = root / SPEC, root / "out" / "cs-metrics-hierarchy-v4.svg"
    w = run_watch("specs", "-f", "svg", "-o", "out")
    first = w.wait_for("out", f"{SPEC} -> ")
    assert re.fullmatch(rf"{re.escape(str(SPEC))} -> out/{svg.name} \(\d+ ms\)", first), first
    w.wait_for("err", "watching specs")
    assert OLD_LABEL in svg.read_text(encoding="utf-8")
    original = spec.read_text(encoding="utf-8")

    # an edit in place re-renders
    mark = w.mark()
    spec.write_text(original.replace(OLD_LABEL, NEW_LABEL), encoding="utf-8")
    w.wait_for("out", f"{SPEC} -> ", after=mark)
    assert NEW_LABEL in svg.read_text(encoding="utf-8")

    # a broken spec prints its error, keeps the last good output and keeps watching
    mark = w.mark()
    text, line = broken(original.replace(OLD_LABEL, NEW_LABEL))
    write_atomic(spec, text)
    assert w.wait_for("err", "unknown key", after=mark) == unknown_key_error(line)
    time.sleep(0.3)
    assert w.proc.poll() is None, w.transcript()
    assert NEW_LABEL in svg.read_text(encoding="utf-8")
    assert w.mark()["out"] == mark["out"]  # nothing claimed to be rendered

    # fixed: renders again
    mark = w.mark()
    spec.write_text(original, encoding="utf-8")
    w.wait_for("out", f"{SPEC} -> ", after=mark)
    assert OLD_LABEL in svg.read_text(encoding="utf-8")

    code, took = w.interrupt()
    err = "\n".join(w.lines["err"])
    assert code in (0, 130), w.transcript()
    assert "Traceback" not in err
    assert took < STOP_SECONDS


def test_watch_picks_up_new_specs_in_a_folder(
    tmp_path: Path, run_watch: Callable[..., WatchProcess]
) -> None:
    root = project(tmp_path)
    w = run_watch("specs", "-f", "svg", "-o", "out", "--quiet")
    wait_until(lambda: (root / "out" / V4.with_suffix(".svg").name).is_file(), 15, "first render")
    # (the folder is watched before the first render starts)
    assert w.lines["out"] == []  # --quiet: only errors
    # a spec added to the folder is picked up
    (root / "specs" / "second.yaml").write_text(V4.read_text(encoding="utf-8"), encoding="utf-8")
    wait_until(lambda: (root / "out" / "second.svg").is_file(), 10, "the new spec rendered")
    # files that are not specs are not rendered
    (root / "specs" / "notes.txt").write_text("hello")
    time.sleep(0.5)
    assert sorted(p.name for p in (root / "out").iterdir()) == [
        "cs-metrics-hierarchy-v4.svg",
        "second.svg",
    ]
    code, _ = w.interrupt()
    assert code in (0, 130)
    assert w.lines["out"] == []


def test_watch_one_file_ignores_its_neighbours(
    tmp_path: Path, run_watch: Callable[..., WatchProcess]
) -> None:
    root = project(tmp_path)
    neighbour = root / "specs" / "neighbour.yaml"
    neighbour.write_bytes(V4.read_bytes())
    w = run_watch(str(SPEC), "-f", "svg", "-o", "out")
    w.wait_for("err", f"watching {SPEC}")
    assert w.lines["out"][0].startswith(f"{SPEC} -> ")
    mark = w.mark()
    neighbour.write_text(V4.read_text(encoding="utf-8").replace(OLD_LABEL, NEW_LABEL))
    write_atomic(root / SPEC, V4.read_text(encoding="utf-8").replace(OLD_LABEL, NEW_LABEL))
    w.wait_for("out", f"{SPEC} -> ", after=mark)
    time.sleep(0.3)
    assert [p.name for p in (root / "out").iterdir()] == ["cs-metrics-hierarchy-v4.svg"]
    assert len(w.lines["out"]) == mark["out"] + 1
    code, _ = w.interrupt()
    assert code in (0, 130)


def test_watch_re_renders_when_a_theme_is_saved(
    tmp_path: Path, run_watch: Callable[..., WatchProcess]
) -> None:
    root = project(tmp_path)
    theme = root / "themes" / "blue-grey.yaml"  # shadows the built-in of that name
    theme.parent.mkdir()
    theme.write_bytes((ROOT / "themes" / "blue-grey.yaml").read_bytes())
    m = re.search(r'\n  navy: "#([0-9a-f]{6})"', theme.read_text(encoding="utf-8"))
    assert m, "the test nudges the built-in theme's navy"
    old = f"#{m[1]}"
    new = f"#{int(m[1], 16) ^ 1:06x}"  # one step in blue: same contrast, another colour
    svg = root / "out" / "cs-metrics-hierarchy-v4.svg"
    w = run_watch("specs", "-f", "svg", "-o", "out")
    w.wait_for("err", "watching specs")
    assert old in svg.read_text(encoding="utf-8")
    mark = w.mark()
    theme.write_text(theme.read_text(encoding="utf-8").replace(f'"{old}"', f'"{new}"'))
    w.wait_for("out", f"{SPEC} -> ", after=mark)
    text = svg.read_text(encoding="utf-8")
    assert new in text and old not in text
    code, _ = w.interrupt()
    assert code in (0, 130)


def test_watch_needs_an_existing_path(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "renderer", "watch", str(tmp_path / "nope")],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "does not exist" in r.stderr
    assert "Traceback" not in r.stderr


def test_help_imports_neither_watchfiles_nor_a_server() -> None:
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "renderer", "--help"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0
    assert "watch" in r.stdout and "serve" in r.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines()}
    assert not {"watchfiles", "http.server", "renderer.watch", "renderer.preview"} & imported


# --------------------------------------------------------------------- server


def get(url: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def preview_url(w: WatchProcess) -> str:
    line = w.wait_for("out", "Preview at ")
    m = re.fullmatch(r"Preview at (http://127\.0\.0\.1:(\d+)/)", line)
    assert m, line
    assert int(m[2]) > 0
    return m[1]


def test_serve_page_diagram_state_and_events(
    tmp_path: Path, run_watch: Callable[..., WatchProcess]
) -> None:
    root = project(tmp_path)
    w = run_watch("specs", "--serve", "--port", "0", "-f", "svg", "-o", "out")
    url = preview_url(w)
    w.wait_for("out", f"{SPEC} -> ")

    status, headers, body = get(url)
    page = body.decode()
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'nonce-" in csp
    assert "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'<script nonce="{nonce[1]}">' in page
    assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?(https?:)?//""", page)  # self-contained
    assert 'data-spec="cs-metrics-hierarchy-v4"' in page

    status, headers, svg = get(url + "diagram.svg")
    assert status == 200 and headers["Content-Type"] == "image/svg+xml"
    assert headers["Cache-Control"] == "no-store"
    assert f'<title id="diagram-title">{TITLE}</title>' in svg.decode()
    assert svg == (root / "out" / "cs-metrics-hierarchy-v4.svg").read_bytes()

    status, _, font = get(url + "font.ttf?weight=700")
    assert status == 200 and font[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO")

    status, headers, data = get(url + "state.json")
    state = json.loads(data)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert state["ok"] is True and state["errors"] == [] and state["version"] >= 1
    assert state["specs"] == ["cs-metrics-hierarchy-v4"]

    # the event stream starts with the state as it is
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/")))) as s:
        s.settimeout(5)
        s.sendall(b"GET /events?spec=cs-metrics-hierarchy-v4 HTTP/1.1\r\n")
        s.sendall(f"Host: {url.split('/')[2]}\r\n\r\n".encode())
        got = b""
        while b"event: version" not in got or not got.endswith(b"\n\n"):
            got += s.recv(4096)
        assert b"Content-Type: text/event-stream" in got
        event = json.loads(got.split(b"event: version\ndata: ", 1)[1].split(b"\n", 1)[0])
        assert event["version"] == state["version"] and event["ok"] is True

        # a broken spec: the state carries the exact error lines, the diagram stays
        text, line = broken((root / SPEC).read_text(encoding="utf-8"))
        write_atomic(root / SPEC, text)
        got = b""
        while got.count(b"\n\n") < 1 or b"event: version" not in got:
            got += s.recv(4096)
        event = json.loads(got.split(b"event: version\ndata: ", 1)[1].split(b"\n", 1)[0])
        assert event["ok"] is False and event["errors"] == [unknown_key_error(line)]

    state = json.loads(get(url + "state.json")[2])
    assert state["ok"] is False and state["errors"] == [unknown_key_error(line)]
    assert get(url + "diagram.svg")[2] == svg  # the last good one

    # refused: other Host names (DNS rebinding), unknown specs and pages
    assert get(url, host="evil.example:80")[0] == 403
    assert get(url + "state.json?spec=nope")[0] == 404
    assert get(url + "nope")[0] == 404

    code, _ = w.interrupt()
    assert code in (0, 130), w.transcript()
    assert "Traceback" not in "\n".join(w.lines["err"])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/"))), 1).close()


def test_serve_lists_the_specs_of_a_folder(
    tmp_path: Path, run_watch: Callable[..., WatchProcess]
) -> None:
    root = project(tmp_path)
    (root / "specs" / "other.yaml").write_bytes(V4.read_bytes())
    w = run_watch("specs", "--serve", "--port", "0", "-f", "svg", "-o", "out")
    url = preview_url(w)
    w.wait_for("out", "specs/other.yaml -> ")
    page = get(url)[2].decode()
    assert 'href="/?spec=cs-metrics-hierarchy-v4"' in page and 'href="/?spec=other"' in page
    assert 'data-spec=""' in page
    assert 'data-spec="other"' in get(url + "?spec=other")[2].decode()
    assert json.loads(get(url + "state.json?spec=other")[2])["ok"] is True
    # a spec deleted: off the list, and a page still open on it says why
    mark = w.mark()
    (root / "specs" / "other.yaml").unlink()
    w.wait_for("out", "specs/other.yaml removed", after=mark)
    state = json.loads(get(url + "state.json?spec=other")[2])
    assert state["ok"] is False and state["errors"] == ["specs/other.yaml: the spec file is gone"]
    assert state["specs"] == ["cs-metrics-hierarchy-v4"]
    code, _ = w.interrupt()
    assert code in (0, 130)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "example.com"])
def test_serve_refuses_hosts_other_than_loopback(tmp_path: Path, host: str) -> None:
    project(tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "renderer", "serve", "specs", "--host", host, "--port", "0"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "loopback only" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""
    assert not (tmp_path / "output").exists()


def test_server_stop_ends_streams_and_leaves_no_thread() -> None:
    from renderer.preview import Hub, PreviewServer

    before = set(threading.enumerate())
    hub = Hub()
    hub.specs_changed([Path("specs/a.yaml")])
    hub.rendered(Path("specs/a.yaml"), b"<svg/>", (), "Inter")
    server = PreviewServer(hub, "localhost", 0).start()
    assert server.url == f"http://localhost:{server.port}/"
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.sendall(f"GET /events?spec=a HTTP/1.1\r\nHost: localhost:{server.port}\r\n\r\n".encode())
    got = b""
    while b"event: version" not in got:
        got += s.recv(4096)
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)  # as browsers preconnect
    time.sleep(0.2)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 1  # neither the stream nor the idle socket holds it up
    assert idle.recv(1) == b""
    idle.close()
    while chunk := s.recv(4096):  # the stream ends: the server closed it
        got += chunk
    s.close()
    assert set(threading.enumerate()) <= before
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), 1).close()
