"""Broken and hostile specs and themes, through the real CLI in a subprocess.

Every case in `tests/hostile/` is a spec `NAME.yaml` (or one made by
`GENERATED` below: the big, binary and symlinked ones are built at run time
instead of being committed) and `NAME.expected`, the exact stderr. In it
`{file}` stands for the spec's path as given on the command line and `{dir}`
for the spec's folder, resolved. A first line `# args: ...` in a spec adds
arguments to `render`.

Each case runs as `tierdraw render CASE -o OUT` and `tierdraw validate CASE`,
each must exit 1 with exactly the expected lines on stderr (one
`file:line:col: message` per problem, no traceback), write nothing (OUT is not
even created), finish within `BOUND` seconds of wall time, leave no process
behind and run nothing (a `touch PWNED` smuggled into a formula or a YAML tag
leaves no file). One `tierdraw validate --format json` of every case at once
must report the same errors as JSON objects. The runs go in parallel, one per
CPU: about 30 s for the corpus on two CPUs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from renderer.errors import one_line

from conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
BOUND = 5.0
"""Seconds one CLI run may take, wall time, from start to exit."""
KILL_AFTER = 60.0
"""A run still going after this is killed (with its process group) and fails."""


# --- generated cases ---------------------------------------------------------


def _deep_items(levels: int) -> str:
    lines = ["title: T", "columns:"]
    for i in range(levels):
        pad = "  " * (2 * i + 1)
        lines += [f"{pad}- label: L{i + 1}", f"{pad}  items:"]
    lines.append("  " * (2 * levels + 1) + "- leaf")
    return "\n".join(lines) + "\n"


def _hundred_thousand_nodes() -> str:
    """100 lanes of 100 groups of 10 leaves: 101,100 boxes, every list within limits."""
    leaves = "[" + ", ".join(f"x{i}" for i in range(10)) + "]"
    group = "{label: g, items: " + leaves + "}"
    lane = "  - label: lane\n    items: [" + ", ".join([group] * 100) + "]\n"
    return "title: T\ncolumns:\n" + lane * 100


def _symlinked_theme(folder: Path) -> None:
    (folder / "themes").mkdir(exist_ok=True)
    link = folder / "themes" / "escape.yaml"
    if not link.is_symlink():
        link.symlink_to("/etc/passwd")


GENERATED: dict[str, tuple[bytes, Callable[[Path], None] | None]] = {
    # Binary and non-UTF-8 files.
    "binary-png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", None),
    "not-utf8-latin1": ("title: Café crème\ncolumns: [A]\n".encode("latin-1"), None),
    "utf16-with-bom": ("title: T\ncolumns: [A]\n".encode("utf-16"), None),
    "invalid-utf8-mid-line": (b"title: T\ncolumns: [ok, caf\xc3(]\n", None),
    # Size limits.
    "too-large-file": (b"title: T\ncolumns: [A]\n#" + b"x" * (1024 * 1024), None),
    "gigantic-label": (b"title: T\ncolumns:\n  - " + b"w" * 900_000 + b"\n", None),
    "gigantic-key": (b"title: T\n" + b"k" * 500_000 + b": 1\ncolumns: [A]\n", None),
    "hundred-thousand-nodes": (_hundred_thousand_nodes().encode(), None),
    "hundred-thousand-yaml-values": (
        ("title: T\ncolumns: [" + ", ".join(["a"] * 100_000) + "]\n").encode(),
        None,
    ),
    "too-many-yaml-values": (("title: T\ncolumns: [" + "[a]," * 250_000 + "]\n").encode(), None),
    # Numbers beyond any float: a 5,000-digit hex int is more than Python prints.
    "huge-hex-int": (
        b"title: T\ncolumns:\n  - label: A\n    value: 0x" + b"f" * 5000 + b"\n",
        None,
    ),
    # Nesting.
    "deep-yaml-flow": (b"title: T\ncolumns: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", None),
    "deep-yaml-block": (
        ("title: T\n" + "".join(" " * i + "a:\n" for i in range(1000))).encode(),
        None,
    ),
    "deep-node-tree": (_deep_items(40).encode(), None),
    # A wider alias bomb: 12 levels of 20 aliases each.
    "alias-bomb-wide": (
        (
            "title: T\nl0: &l0 [lol]\n"
            + "".join(
                f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 20) + "]\n" for i in range(1, 12)
            )
            + "columns: *l11\n"
        ).encode(),
        None,
    ),
    # A theme file beside the spec that is a symlink out of the project.
    "theme-symlink-out": (b"title: T\ntheme: themes/escape.yaml\ncolumns: [A]\n", _symlinked_theme),
}


def _cases() -> list[str]:
    committed = {p.stem for p in HOSTILE.glob("*.yaml")}
    return sorted(committed | set(GENERATED))


CASES = _cases()


def _spec_path(name: str, gen_dir: Path) -> Path:
    if name not in GENERATED:
        return HOSTILE / f"{name}.yaml"
    data, setup = GENERATED[name]
    path = gen_dir / f"{name}.yaml"
    path.write_bytes(data)
    if setup is not None:
        setup(gen_dir)
    return path


def _extra_args(spec: Path) -> list[str]:
    try:
        first = spec.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    except UnicodeDecodeError:
        return []
    return first.removeprefix("# args:").split() if first.startswith("# args:") else []


# --- running -----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    leftover: tuple[int, ...]  # pids still in the run's session after it exited


def _session_members(sid: int) -> tuple[int, ...]:
    """Processes whose session is `sid` (the run was started in a new session)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return tuple(found)


def cli(*args: str, cwd: Path) -> Run:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TIERDRAW_FUZZ", None)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "renderer", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=KILL_AFTER)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    seconds = time.monotonic() - start
    leftover = _session_members(proc.pid) if Path("/proc/self/stat").exists() else ()
    for pid in leftover:  # clean up before failing, so one bad case does not poison the rest
        os.kill(pid, signal.SIGKILL)
    return Run(
        args,
        proc.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        seconds,
        leftover,
    )


@dataclass(frozen=True)
class Outcome:
    spec: Path
    workdir: Path
    out: Path
    render: Run
    validate: Run


@dataclass(frozen=True)
class Corpus:
    cases: dict[str, Outcome]
    validate_json: Run  # one `validate --format json` of every case at once


def _prepare(name: str, base: Path) -> tuple[Path, Path]:
    workdir = base / name
    gen_dir = workdir / "gen"
    gen_dir.mkdir(parents=True)
    return workdir, _spec_path(name, gen_dir)


def _run_case(workdir: Path, spec: Path) -> Outcome:
    out = workdir / "out"
    render = cli("render", str(spec), "-o", str(out), *_extra_args(spec), cwd=workdir)
    validate = cli("validate", str(spec), cwd=workdir)
    return Outcome(spec, workdir, out, render, validate)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    base = tmp_path_factory.mktemp("hostile")
    prepared = [_prepare(name, base) for name in CASES]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        as_json = pool.submit(
            cli, "validate", "--format", "json", *(str(s) for _, s in prepared), cwd=base
        )
        runs = pool.map(lambda p: _run_case(*p), prepared)
        cases = dict(zip(CASES, runs, strict=True))
        return Corpus(cases, as_json.result())


@pytest.fixture(scope="module")
def outcomes(corpus: Corpus) -> dict[str, Outcome]:
    return corpus.cases


def expected_lines(name: str, spec: Path) -> list[str]:
    text = (HOSTILE / f"{name}.expected").read_text(encoding="utf-8")
    text = text.replace("{file}", str(spec)).replace("{dir}", str(spec.resolve().parent))
    return text.splitlines()


# --- the tests -----------------------------------------------------------------


def test_corpus_is_big_and_complete() -> None:
    expected = {p.name.removesuffix(".expected") for p in HOSTILE.glob("*.expected")}
    assert expected == set(CASES), "every case needs NAME.expected, every NAME.expected a case"
    assert len(CASES) >= 30
    theme_cases = [c for c in CASES if c.startswith("theme-")]
    assert len(theme_cases) >= 8


@pytest.mark.parametrize("name", CASES)
def test_case(name: str, outcomes: dict[str, Outcome]) -> None:
    o = outcomes[name]
    want = expected_lines(name, o.spec)
    assert want, f"{name}.expected is empty"
    for run in (o.render, o.validate):
        assert run.returncode == 1, (run.args, run.returncode, run.stderr[-2000:])
        assert "Traceback" not in run.stderr
        assert run.stderr.splitlines() == want, run.args
        assert run.stdout == ""
        assert run.seconds < BOUND, f"{run.args[0]} took {run.seconds:.1f} s"
        assert run.leftover == (), f"processes left behind: {run.leftover}"
    for line in want:
        head, _, message = line.partition(": ")
        assert message and head.count(":") >= 2, f"not file:line:col: message: {line!r}"
    assert not o.out.exists(), "a failed render must not even create the output folder"
    for folder in (o.workdir, o.workdir / "gen", HOSTILE, ROOT):
        assert not (folder / "PWNED").exists(), "something in the spec was executed"


def test_validate_json_of_the_whole_corpus(corpus: Corpus) -> None:
    """`validate --format json` of every case at once: the same errors as objects."""
    run = corpus.validate_json
    assert run.returncode == 1
    assert run.stderr == ""
    assert run.leftover == ()
    errors = json.loads(run.stdout)
    assert {tuple(sorted(e)) for e in errors} == {("column", "file", "line", "message", "severity")}
    assert all(e["severity"] == "error" for e in errors)
    as_text = [one_line(f"{e['file']}:{e['line']}:{e['column']}: {e['message']}") for e in errors]
    assert as_text == [
        line for name in CASES for line in corpus.cases[name].validate.stderr.splitlines()
    ]


def test_no_file_content_is_echoed(outcomes: dict[str, Outcome]) -> None:
    """Files that are not specs or themes are read at most, never quoted."""
    secrets = ["hunter2-secret", "ghp_notarealtoken", "admin"]
    for name in ("theme-not-a-theme",):
        assert not any(s in outcomes[name].render.stderr for s in secrets)
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        lines = [ln for ln in passwd.read_text(errors="replace").splitlines() if len(ln) > 8]
        for o in outcomes.values():
            for run in (o.render, o.validate):
                assert not any(ln in run.stderr for ln in lines), run.args


def test_theme_option_may_name_any_file_but_quotes_none(tmp_path: Path) -> None:
    """`--theme PATH` is the user's own choice: allowed, but a non-theme is not quoted."""
    spec = tmp_path / "ok.yaml"
    spec.write_text("title: T\ncolumns: [A]\n")
    secret = tmp_path / "elsewhere" / "creds.yaml"
    secret.parent.mkdir()
    secret.write_text("root:*:19000:0:99999:7:::\ndb_password: hunter2\n")
    r = cli("render", str(spec), "--theme", str(secret), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"{secret}:1:1: not a theme file: a theme is a YAML mapping of 'palette', 'font',"
        " 'spacing', 'roles', 'ramp' and 'emphasis'"
    ]
    theme = tmp_path / "elsewhere" / "navy.yaml"
    theme.write_text((ROOT / "themes" / "blue-grey.yaml").read_text())
    out = tmp_path / "out"
    r = cli("render", str(spec), "-f", "svg", "--theme", str(theme), "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (out / "ok.svg").is_file()


def test_theme_paths_inside_the_project_are_allowed(tmp_path: Path) -> None:
    project = tmp_path / "deck"
    (project / "specs" / "themes").mkdir(parents=True)
    (project / "themes").mkdir()
    source = (ROOT / "themes" / "print.yaml").read_text()
    (project / "themes" / "house.yaml").write_text(source)
    (project / "specs" / "themes" / "local.yaml").write_text(source)
    (project / "specs" / "beside.yaml").write_text(source)
    for i, theme in enumerate(
        ["../themes/house.yaml", "themes/local.yaml", "beside.yaml", "./themes/../beside.yaml"]
    ):
        spec = project / "specs" / f"s{i}.yaml"
        spec.write_text(f"title: T\ntheme: {theme}\ncolumns: [A]\n")
        r = cli("validate", str(spec), cwd=tmp_path)
        assert r.returncode == 0, (theme, r.stderr)
    spec = project / "specs" / "out.yaml"
    spec.write_text("title: T\ntheme: ../../deck-other/x.yaml\ncolumns: [A]\n")
    r = cli("validate", str(spec), cwd=tmp_path)
    assert r.stderr.splitlines() == [
        f"{spec}:2:8: theme path '../../deck-other/x.yaml' is outside the project:"
        " name a theme in themes/ or a file beside the spec"
    ]


def test_validate_json_shape(tmp_path: Path) -> None:
    good = ROOT / "specs" / "cs-metrics-hierarchy-v4.yaml"
    r = cli("validate", "--format", "json", str(good), cwd=tmp_path)
    assert (r.returncode, json.loads(r.stdout), r.stderr) == (0, [], "")
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\ncolumns:\n  - lable: A\n")
    r = cli(
        "validate", "-f", "json", str(good), str(bad), str(HOSTILE / "empty.yaml"), cwd=tmp_path
    )
    assert r.returncode == 1 and r.stderr == ""
    assert json.loads(r.stdout) == [
        {
            "file": str(bad),
            "line": 3,
            "column": 5,
            "message": "unknown key 'lable' in lane 1 (did you mean 'label'?)",
            "severity": "error",
        },
        {
            "file": str(HOSTILE / "empty.yaml"),
            "line": 1,
            "column": 1,
            "message": "empty file: expected a mapping with at least 'title'",
            "severity": "error",
        },
    ]
    r = cli("validate", "--format", "xml", str(good), cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == "" and "use text or json" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("render", "{spec}", "--format", "gif"),
        ("render", "{spec}", "--scale", "1e9"),
        ("render", "{spec}", "--theme", "print", "--all-variants"),
        ("render",),
        ("validate", "--format", "yaml", "{spec}"),
        ("render", "{spec}", "--no-such-option"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(tmp_path: Path, args: tuple[str, ...]) -> None:
    spec = ROOT / "specs" / "cs-metrics-hierarchy-v4.yaml"
    out = tmp_path / "out"
    argv = [a.replace("{spec}", str(spec)) for a in args]
    r = cli(*argv, *(["-o", str(out)] if argv[0] == "render" else []), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "Error" in r.stderr
    assert not out.exists()
