"""`tierdraw watch --serve`: a live preview page on the loopback interface.

The page is one self-contained HTML document (inline CSS and JS, nothing
fetched from elsewhere) that listens to `/events`, a Server-Sent Events
stream, and on every new render either swaps in the new SVG or shows the
exact `file:line:col: message` lines instead of it. SSE rather than polling
so a save shows within a fraction of a second without hammering the
server; SSE rather than WebSockets because the standard library serves it.

The SVG is put into the page inline, not as an `<img>`, and the theme's font
files are served to it: an SVG in an `<img>` cannot use web fonts, and
without the font the layout tierdraw measured for it would not fit.

The server binds to loopback only and answers only requests whose Host is a
loopback name (a web page elsewhere cannot reach it by DNS rebinding); it
serves a strict Content-Security-Policy. Every connection runs in its own
non-daemon thread that `stop()` wakes and joins, so Ctrl-C leaves no thread
and no socket behind.
"""

from __future__ import annotations

import contextlib
import html
import json
import secrets
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

LOOPBACK_HOSTS = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1", "::1": "::1"}
KEEPALIVE_SECONDS = 15.0  # an SSE comment this often finds clients that went away
SOCKET_TIMEOUT = 5.0  # bounds how long stop() can wait for a stuck client


class HostNotAllowed(ValueError):
    """The preview would be reachable from other machines: refused."""


def bind_address(host: str) -> str:
    """The address to bind for `host`, which must name the loopback interface.

    The preview serves the user's files and has no authentication, so it must
    never listen where another machine can reach it.
    """
    addr = LOOPBACK_HOSTS.get(host.strip().lower().strip("[]"))
    if addr is None:
        raise HostNotAllowed(
            f"--host {host}: the preview listens on loopback only; use 127.0.0.1, localhost or ::1"
        )
    return addr


# ---------------------------------------------------------------------- state


@dataclass
class SpecState:
    """The latest render of one spec, as the page sees it."""

    name: str
    path: str
    version: int = 0  # 0: not rendered yet
    ok: bool = False
    errors: tuple[str, ...] = ()
    svg: bytes | None = None  # the last good SVG, kept while the spec is broken
    font: str | None = None
    changed_at: float = field(default_factory=time.time)
    listed: bool = True  # False once its file is gone: a page still open on it says so

    def public(self) -> dict[str, object]:
        return {
            "spec": self.name,
            "path": self.path,
            "version": self.version,
            "ok": self.ok,
            "errors": list(self.errors),
            "font": self.font,
            "changed_at": self.changed_at,
        }


class Hub:
    """Renders in, page updates out: the one place threads share state.

    The watcher (main thread) publishes; request threads read and wait. A
    spec's version goes up only when what the page shows would change, so
    saving without editing reloads nothing.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._specs: dict[str, SpecState] = {}
        self._list_version = 0
        self._closed = False

    @staticmethod
    def name_of(spec: Path) -> str:
        return spec.stem

    # -- Sink (renderer.watch) --

    def specs_changed(self, specs: Sequence[Path]) -> None:
        with self._cond:
            names = {self.name_of(p): p for p in specs}
            for name, st in self._specs.items():
                if name not in names and st.listed:
                    st.listed, st.ok = False, False
                    st.errors = (f"{st.path}: the spec file is gone",)
                    st.version += 1
                    st.changed_at = time.time()
            for name, p in names.items():
                st = self._specs.setdefault(name, SpecState(name, str(p)))
                st.listed = True
            self._list_version += 1
            self._cond.notify_all()

    def rendered(
        self, spec: Path, svg: bytes | None, errors: Sequence[str], font: str | None
    ) -> None:
        with self._cond:
            name = self.name_of(spec)
            st = self._specs.get(name)
            if st is None:
                st = self._specs[name] = SpecState(name, str(spec))
                self._list_version += 1
            ok = svg is not None and not errors
            new_svg = svg if ok else st.svg
            if st.version and (ok, tuple(errors), new_svg) == (st.ok, st.errors, st.svg):
                return
            st.version += 1
            st.ok, st.errors, st.svg = ok, tuple(errors), new_svg
            st.font = font if ok else st.font
            st.changed_at = time.time()
            self._cond.notify_all()

    # -- readers --

    def names(self) -> list[str]:
        with self._cond:
            return sorted(name for name, st in self._specs.items() if st.listed)

    def default_name(self) -> str | None:
        names = self.names()
        return names[0] if names else None

    def get(self, name: str) -> SpecState | None:
        with self._cond:
            st = self._specs.get(name)
            return None if st is None else SpecState(**vars(st))

    def wait(
        self, name: str | None, seen: int, seen_list: int, timeout: float
    ) -> tuple[SpecState | None, int] | None:
        """Block until the spec's version or the spec list moves past what a
        client has seen; returns (spec state, list version), or None once the
        hub is closed. Returns the current values on timeout."""
        with self._cond:

            def moved() -> bool:
                st = self._specs.get(name) if name is not None else None
                return (
                    self._closed
                    or self._list_version != seen_list
                    or (st is not None and st.version != seen)
                )

            self._cond.wait_for(moved, timeout)
            if self._closed:
                return None
            st = self._specs.get(name) if name is not None else None
            return (None if st is None else SpecState(**vars(st))), self._list_version

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed


# --------------------------------------------------------------------- server


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # joined by server_close(): none outlives stop()
    block_on_close = True
    hub: Hub
    allowed_hosts: frozenset[str]

    def server_activate(self) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().server_activate()

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Cut every open connection, so no thread waits on a client to stop.

        Browsers open connections ahead of need and leave them idle; without
        this, stopping would wait for each to time out.
        """
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Server6(_Server):
    address_family = socket.AF_INET6


class PreviewServer:
    """The preview's HTTP server, running in a background thread."""

    def __init__(self, hub: Hub, host: str = "127.0.0.1", port: int = 0) -> None:
        self.hub = hub
        self.host = host
        addr = bind_address(host)
        cls = _Server6 if addr == "::1" else _Server
        self._server = cls((addr, port), _Handler)  # binds now: a busy port fails here
        self.port = int(self._server.server_address[1])
        self._server.hub = hub
        self._server.allowed_hosts = frozenset(
            f"{h}:{self.port}" for h in ("127.0.0.1", "localhost", "[::1]")
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> PreviewServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="tierdraw-preview",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the event streams, stop accepting, join every thread, close sockets."""
        self.hub.close()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.drop_connections()
        self._server.server_close()

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_PAGE_CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)  # style-src: the SVG's own style="" attributes must apply, as in the files
_FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = SOCKET_TIMEOUT
    server_version = "tierdraw-preview"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for render lines and spec errors."""

    # -- plumbing --

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        ctype: str,
        csp: str = _FILE_CSP,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: HTTPStatus, text: str) -> None:
        self._send(status, (text + "\n").encode(), "text/plain; charset=utf-8")

    def _spec_name(self, query: dict[str, list[str]]) -> str | None:
        names = query.get("spec")
        return names[0] if names else self.server.hub.default_name()

    # -- routes --

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if self.headers.get("Host", "").lower() not in self.server.allowed_hosts:
            self._text(HTTPStatus.FORBIDDEN, "this preview answers on loopback names only")
            return
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        route = {
            "/": self._page,
            "/diagram.svg": self._diagram,
            "/state.json": self._state,
            "/events": self._events,
            "/font.ttf": self._font,
        }.get(parts.path)
        if route is None:
            self._text(HTTPStatus.NOT_FOUND, f"no such page: {parts.path}")
            return
        try:
            route(query)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the browser went away; nothing to tell it

    def _page(self, query: dict[str, list[str]]) -> None:
        hub = self.server.hub
        names = hub.names()
        chosen = query.get("spec", [None])[0]
        if chosen is None and len(names) == 1:
            chosen = names[0]
        if chosen is not None and chosen not in names:
            self._text(HTTPStatus.NOT_FOUND, f"no spec named {chosen!r}; known: {', '.join(names)}")
            return
        nonce = secrets.token_urlsafe(16)
        body = _page_html(chosen, names, nonce).encode()
        self._send(
            HTTPStatus.OK, body, "text/html; charset=utf-8", csp=_PAGE_CSP.format(nonce=nonce)
        )

    def _known(self, query: dict[str, list[str]]) -> SpecState | None:
        name = self._spec_name(query)
        st = self.server.hub.get(name) if name is not None else None
        if st is None:
            self._text(HTTPStatus.NOT_FOUND, f"no spec named {name!r}")
        return st

    def _diagram(self, query: dict[str, list[str]]) -> None:
        st = self._known(query)
        if st is None:
            return
        if st.svg is None:
            self._text(HTTPStatus.NOT_FOUND, "\n".join(st.errors) or "not rendered yet")
            return
        self._send(HTTPStatus.OK, st.svg, "image/svg+xml")

    def _state(self, query: dict[str, list[str]]) -> None:
        st = self._known(query)
        if st is None:
            return
        data = {**st.public(), "specs": self.server.hub.names()}
        self._send(HTTPStatus.OK, json.dumps(data).encode(), "application/json")

    def _font(self, query: dict[str, list[str]]) -> None:
        st = self._known(query)
        if st is None:
            return
        if st.font is None:
            self._text(HTTPStatus.NOT_FOUND, "no font yet")
            return
        from renderer.text.fonts import font_family

        bold = query.get("weight", ["400"])[0] == "700"
        path = font_family(st.font).face(bold).path
        self._send(HTTPStatus.OK, path.read_bytes(), "font/ttf")

    def _events(self, query: dict[str, list[str]]) -> None:
        """One SSE stream: a `version` event now and on every change of the
        spec, a `specs` event when specs come or go; ends when the hub closes."""
        hub = self.server.hub
        name = query.get("spec", [None])[0]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(b"retry: 500\n\n")  # reconnect fast when the watch restarts
        seen, seen_list = -1, -1
        while True:
            got = hub.wait(name, seen, seen_list, KEEPALIVE_SECONDS)
            if got is None:
                return
            st, list_version = got
            sent = False
            if list_version != seen_list:
                seen_list = list_version
                self._event("specs", {"specs": hub.names()})
                sent = True
            if st is not None and st.version != seen:
                seen = st.version
                self._event("version", st.public())
                sent = True
            if not sent:
                self.wfile.write(b": keep-alive\n\n")

    def _event(self, kind: str, data: dict[str, object]) -> None:
        self.wfile.write(f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode())


# ----------------------------------------------------------------------- page


def _page_html(spec: str | None, names: list[str], nonce: str) -> str:
    title = f"{spec} · tierdraw" if spec else "tierdraw preview"
    items = "".join(
        f'<li><a href="/?spec={html.escape(n, quote=True)}"'
        f"{' aria-current=page' if n == spec else ''}>{html.escape(n)}</a></li>"
        for n in names
    )
    spec_attr = html.escape(spec or "", quote=True)
    return _PAGE.format(
        title=html.escape(title),
        spec=spec_attr,
        heading=html.escape(spec or "Specs"),
        items=items,
        nav_hidden="" if spec is None or len(names) > 1 else " hidden",
        main_hidden=" hidden" if spec is None else "",
        nonce=nonce,
    )


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
  body {{ margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #eef0f3; color: #1c2430; }}
  header {{ display: flex; gap: 1em; align-items: baseline; flex-wrap: wrap;
            padding: .6em 1em; background: #fff; border-bottom: 1px solid #d5d9e0; }}
  header h1 {{ font-size: 1em; margin: 0; }}
  #status {{ color: #5b6575; }}
  #status[data-state=error] {{ color: #a11; }}
  nav ul {{ display: flex; gap: .8em; flex-wrap: wrap; list-style: none; margin: 0; padding: 0; }}
  nav a[aria-current] {{ font-weight: bold; }}
  main {{ padding: 1em; }}
  #diagram svg {{ display: block; width: 100%; height: auto; max-height: calc(100vh - 5em);
                  background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.2); }}
  #errors {{ white-space: pre-wrap; margin: 0; padding: 1em; background: #fff4f4;
             color: #8a1010; border: 1px solid #e4b4b4; font: 13px/1.5 ui-monospace, monospace; }}
  [hidden] {{ display: none !important; }}
</style>
</head>
<body data-spec="{spec}" data-version="0">
<header>
  <h1>{heading}</h1>
  <span id="status" role="status">connecting…</span>
  <nav id="nav"{nav_hidden}><ul id="specs">{items}</ul></nav>
</header>
<main{main_hidden}>
  <div id="diagram" aria-live="polite"></div>
  <pre id="errors" hidden></pre>
</main>
<script nonce="{nonce}">
"use strict";
const spec = document.body.dataset.spec;
const $ = (id) => document.getElementById(id);
const status = (text, state) => {{
  $("status").textContent = text;
  $("status").dataset.state = state;
}};
const q = (extra) => "?spec=" + encodeURIComponent(spec) + (extra || "");
let fontFamily = null, latest = null, busy = false;

async function loadFont(family) {{
  if (!family || family === fontFamily) return;
  try {{
    const faces = ["400", "700"].map((w) =>
      new FontFace(family, "url(/font.ttf" + q("&weight=" + w) + ")", {{ weight: w }}));
    await Promise.all(faces.map((f) => f.load()));
    faces.forEach((f) => document.fonts.add(f));
    fontFamily = family;
  }} catch (e) {{ /* the diagram still shows, in a fallback font */ }}
}}

async function show(state) {{
  if (state.ok) {{
    await loadFont(state.font);
    const r = await fetch("/diagram.svg" + q("&v=" + state.version), {{ cache: "no-store" }});
    if (!r.ok) throw new Error("diagram: HTTP " + r.status);
    const doc = new DOMParser().parseFromString(await r.text(), "image/svg+xml");
    if (doc.documentElement.localName !== "svg") throw new Error("diagram: not an SVG");
    $("diagram").replaceChildren(document.importNode(doc.documentElement, true));
    $("diagram").hidden = false;
    $("errors").hidden = true;
    status("rendered " + new Date(state.changed_at * 1000).toLocaleTimeString(), "ok");
  }} else if (state.version === 0) {{
    status("rendering…", "ok");
    return;
  }} else {{
    $("errors").textContent = state.errors.join("\\n");
    $("errors").hidden = false;
    $("diagram").hidden = true;
    const n = state.errors.length;
    status(n + " error" + (n === 1 ? "" : "s") + " (showing the errors, not the diagram)", "error");
  }}
  document.body.dataset.version = String(state.version);
  document.body.dataset.ok = String(state.ok);
  window.tierdrawShownAt = Date.now();
}}

async function drain() {{
  if (busy) return;
  busy = true;
  try {{
    while (latest) {{
      const state = latest;
      latest = null;
      try {{ await show(state); }} catch (e) {{ status(String(e), "error"); }}
    }}
  }} finally {{ busy = false; }}
}}

function listSpecs(names) {{
  const ul = $("specs");
  ul.replaceChildren(...names.map((n) => {{
    const a = document.createElement("a");
    a.href = "/" + "?spec=" + encodeURIComponent(n);
    a.textContent = n;
    if (n === spec) a.setAttribute("aria-current", "page");
    const li = document.createElement("li");
    li.append(a);
    return li;
  }}));
  $("nav").hidden = Boolean(spec) && names.length < 2;
}}

const events = new EventSource("/events" + (spec ? q() : ""));
events.addEventListener("version", (e) => {{ latest = JSON.parse(e.data); drain(); }});
events.addEventListener("specs", (e) => listSpecs(JSON.parse(e.data).specs));
events.onerror = () => status("disconnected: is tierdraw watch still running?", "error");
if (!spec) status("pick a spec", "ok");
</script>
</body>
</html>
"""


def open_browser(url: str) -> None:
    """Open the page without blocking the watch (some browsers block until closed)."""
    import webbrowser

    threading.Thread(target=webbrowser.open, args=(url,), name="tierdraw-open", daemon=True).start()
