"""Property-based fuzzing of the whole pipeline: any input renders or is a `SpecErrors`.

parse → theme → tree → scores → layout → scene → SVG (PNG and PDF for a few:
cairo is slow). Inputs are (a) any YAML document: random YAML-ish text, random
JSON-like structures and spec-shaped structures dumped with `yaml.safe_dump`,
random bytes; and (b) mutations of the example specs: keys deleted,
duplicated or swapped, values replaced by random scalars, lists or maps, the
text truncated, characters inserted, lines dropped, doubled or swapped.

Whatever comes in, the pipeline either renders a well-formed SVG or raises
`SpecErrors` whose every error is one printable line at a real position;
never another exception, and each case within `BOUND` seconds.

Two Hypothesis profiles: `fuzz-ci` (300 cases a test, derandomized, for CI:
well under a minute) and `fuzz-long` (10,000 cases, random), chosen by the
environment variable `TIERDRAW_FUZZ=long`. They are applied per test, not
loaded: Hypothesis loads its own profile named `ci` for every test when it
detects CI, and re-registering that name would change all other property
tests too.
"""

from __future__ import annotations

import functools
import os
import random
import time
import unicodedata
import xml.etree.ElementTree as ET

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from renderer.errors import SpecErrors
from renderer.project import resolve_theme, variant_themes
from renderer.render import Rendered, encode, render_spec
from renderer.spec import parse as spec_parse
from renderer.spec import yaml_source
from renderer.spec.model import OPERATORS
from renderer.spec.parse import parse_spec_text

from conftest import ROOT

settings.register_profile(
    "fuzz-ci",
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-long",
    max_examples=10_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = os.environ.get("TIERDRAW_FUZZ") == "long"
PROFILE = settings.get_profile("fuzz-long" if LONG else "fuzz-ci")
RASTER = settings(PROFILE, max_examples=200 if LONG else 6)
"""PNG and PDF cost ~0.2 s a case in cairo: a handful on CI."""

BOUND = 2.0
"""Seconds one case may take, parse to SVG."""
RASTER_BOUND = 5.0
"""Seconds one case may take with PNG and PDF (cairo warmed up first)."""

SPEC_PATH = str(ROOT / "specs" / "fuzz-case.yaml")
"""Where the fuzzed spec claims to live (never written): themes are looked up
as for a real spec in specs/."""

EXAMPLES = sorted(
    {p.read_text(encoding="utf-8") for p in (ROOT / "specs").glob("*.yaml")}
    | {p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "fixtures").rglob("*.yaml")}
)


# --- running one case ---------------------------------------------------------


class SlowCase(AssertionError):
    """A case over the time bound on its first run."""


def run_pipeline(
    data: str | bytes, formats: tuple[str, ...] = ("svg",), again: bool = False
) -> list[Rendered]:
    """The pipeline as `tierdraw validate` runs it (every variant theme), timed.

    Returns what was drawn; raises `SpecErrors` for bad input, after checking
    that every error is one printable line at a real position.
    """
    start = time.perf_counter()
    drawn: list[Rendered] = []
    try:
        spec = parse_spec_text(data, SPEC_PATH)
        themes = [resolve_theme(spec), *variant_themes(spec)]
        for theme in themes:
            rendered = render_spec(spec, theme)
            ET.fromstring(rendered.svg)  # well-formed XML, whatever the labels held
            for fmt in formats:
                encode(rendered, fmt, scale=1.0)
            drawn.append(rendered)
    except SpecErrors as e:
        check_errors(e)
        _check_time(start, formats, again)
        raise
    _check_time(start, formats, again)
    return drawn


def _check_time(start: float, formats: tuple[str, ...], again: bool) -> None:
    elapsed = time.perf_counter() - start
    if elapsed >= (BOUND if formats == ("svg",) else RASTER_BOUND):
        message = f"one case took {elapsed:.2f} s{' twice' if again else ''}"
        raise AssertionError(message) if again else SlowCase(message)


def check_errors(e: SpecErrors) -> None:
    assert e.errors, "SpecErrors without errors"
    for err in e.errors:
        line = str(err)
        bad = [c for c in line if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")]
        assert not bad, f"unprintable {bad} in {line!r}"
        assert err.loc.line >= 1 and err.loc.col >= 1, line
        assert err.message.strip(), line


def renders_or_spec_errors(data: str | bytes, formats: tuple[str, ...] = ("svg",)) -> bool:
    try:
        try:
            run_pipeline(data, formats)
        except SlowCase:  # measured once more, so a busy machine does not fail a case
            run_pipeline(data, formats, again=True)
    except SpecErrors as e:
        _note("spec errors")
        _note(f"first error: {_kind_of(e.errors[0].message)}")
        return False
    _note("renders")
    return True


def _note(what: str) -> None:
    """An event for `pytest --hypothesis-show-statistics`: how deep the cases get."""
    if currently_in_test_context():
        event(what)


def _kind_of(message: str) -> str:
    """A message without its particulars."""
    words = message.split("'")[0].split("(")[0].split(":")[0].split()
    return " ".join(w for w in words[:4] if not any(c.isdigit() for c in w))


# --- crashes this fuzzer found, now regression tests ----------------------------------


def test_an_operator_between_lanes_is_drawn_between_them() -> None:
    spec = parse_spec_text("title: T\ncolumns: [A, {operator: x}, B]\n", SPEC_PATH)
    scene = render_spec(spec, resolve_theme(spec)).scene
    a, op, b = scene.nodes
    assert op.role == "operator" and [t.text for t in op.texts] == ["×"]
    assert a.rect.right < op.rect.x and op.rect.right < b.rect.x
    assert abs((op.rect.y + op.rect.h / 2) - (a.rect.y + a.rect.h / 2)) < 0.01


def test_a_matrix_total_too_large_to_compute_is_a_spec_error() -> None:
    text = (
        "title: T\nmatrix: {criteria: [a, b], weights: [1, 1.7e+308], total: sum,"
        " rows: [{label: r, scores: [1, 3]}]}\n"
    )
    with pytest.raises(SpecErrors) as e:
        render_spec(spec := parse_spec_text(text, SPEC_PATH), resolve_theme(spec))
    assert [str(err) for err in e.value.errors] == [
        f"{SPEC_PATH}:2:9: the total of row 'r' is too large to compute:"
        " use weights and scores of sensible size"
    ]


def test_a_huge_but_finite_matrix_total_still_draws() -> None:
    text = (
        "title: T\nmatrix: {criteria: [a, b], weights: [1, 1.7e+308], total: sum,"
        " rows: [{label: r, scores: [1, 1]}]}\n"
    )
    spec = parse_spec_text(text, SPEC_PATH)
    scene = render_spec(spec, resolve_theme(spec)).scene
    total = next(n for n in scene.walk() if n.role == "total")
    assert total.texts and total.style.fill in resolve_theme(spec).ramp


# --- strategies: any YAML document ----------------------------------------------

KEYS = sorted(
    {
        k.name
        for table in (
            spec_parse.TOP_KEYS,
            spec_parse.COMPOSITE_KEYS,
            spec_parse.SCORES_KEYS,
            spec_parse.MATRIX_KEYS,
            spec_parse.ROW_KEYS,
            spec_parse.CANVAS_KEYS,
        )
        for k in table
    }
)
WORDS = sorted(
    {
        *spec_parse.ROLES,
        *spec_parse.LAYOUTS,
        *spec_parse.DIRECTIONS,
        *spec_parse.FLOWS,
        *spec_parse.BETTER,
        *spec_parse.SHOW,
        *spec_parse.ROLLUPS,
        *spec_parse.HIGHLIGHTS,
        *spec_parse.TOTALS,
        *spec_parse.CANVAS_NAMES,
        *OPERATORS,
        *spec_parse.OPERATOR_ASCII,
        "blue-grey",
        "print",
        "blue-grey-dark",
        "../themes/print.yaml",
        "/etc/passwd",
        "a * b / 100",
        "(a + b) * 2",
        "__import__('os')",
    }
)
YAML_TOKENS = [
    *(f"{k}: " for k in KEYS),
    "\n",
    "\n  ",
    "\n    ",
    "  ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ": ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "!!str ",
    "!!int ",
    "!!python/object/apply:os.system ",
    "!custom ",
    "---\n",
    "...\n",
    "? ",
    "| \n  ",
    "> \n  ",
    "'",
    '"',
    "\\",
    "\\e",
    "\\0",
    "\\u00e9",
    "\t",
    "# c",
    "%",
    "@",
    "`",
    "é",
    "\u2028",
    "\u202e",
    "😀",
    "0x1F",
    "1e3",
    "-1",
    "0",
    ".nan",
    ".inf",
    "~",
    "yes",
    "A",
    "Label",
    "x",
    *WORDS,
]

yaml_text = st.lists(st.sampled_from(YAML_TOKENS), max_size=60).map("".join)

numbers = st.one_of(
    st.integers(-5, 200),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e6, 1e6),
)


def mostly(
    good: st.SearchStrategy[object], bad: st.SearchStrategy[object] = numbers
) -> st.SearchStrategy[object]:
    """`good` nine times in ten, `bad` otherwise: many cases get past the parser."""
    return st.sampled_from([True] * 9 + [False]).flatmap(lambda ok: good if ok else bad)


measures = mostly(st.one_of(st.integers(0, 1000), st.floats(0, 1000)))
positives = mostly(st.one_of(st.integers(1, 5), st.floats(0.1, 10)))
in_range = mostly(st.integers(0, 100))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.text(max_size=24),
    st.sampled_from(WORDS),
)
json_like = st.recursive(
    scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), kids, max_size=6),
    ),
    max_leaves=30,
)

printable = st.characters(exclude_categories=("Cc", "Cs"))
"""Most text is printable, so cases get past the loader; `yaml_text` and
`scalars` still bring control characters."""
labels = st.one_of(
    st.text(printable, min_size=1, max_size=40).filter(str.strip),
    st.sampled_from(["Volume", "First Contact Resolution", "Net Retention", "x" * 80, "a\\nb"]),
)
ids = mostly(
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True), st.text(printable, max_size=6)
)
leaf_keys = {
    "id": ids,
    "caption": labels,
    "question": labels,
    "metric": labels,
    "details": st.lists(labels, max_size=3),
    "role": st.sampled_from(spec_parse.ROLES),
    "emphasis": st.booleans(),
    "value": measures,
    "unit": st.sampled_from(["%", "h", "$", "pts", "€"]),
    "benchmark": measures,
    "target": measures,
    "better": st.sampled_from(spec_parse.BETTER),
    "weight": positives,
    "score": in_range,
}
leaf = st.one_of(
    labels,
    st.fixed_dictionaries({"label": labels}, optional=leaf_keys),
    st.fixed_dictionaries(
        {"operator": mostly(st.sampled_from([*OPERATORS, "x", "*", "-", "/"]), st.just("%"))}
    ),
)
nodes = st.recursive(
    leaf,
    lambda kids: st.builds(
        lambda node, layout: {**node, **layout},
        st.fixed_dictionaries(
            {"label": labels, "items": st.lists(kids, min_size=1, max_size=5)},
            optional={"weight": positives, "score": in_range},
        ),
        mostly(
            st.one_of(
                st.fixed_dictionaries({}, optional={"layout": st.sampled_from(spec_parse.LAYOUTS)}),
                st.fixed_dictionaries(
                    {"layout": st.just("grid"), "grid_columns": st.integers(1, 6)}
                ),
            ),
            st.fixed_dictionaries({"grid_columns": st.integers(0, 6)}),
        ),
    ),
    max_leaves=25,
)
matrix = st.integers(1, 5).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "criteria": st.lists(labels, min_size=n, max_size=n, unique=True),
            "rows": st.lists(
                st.fixed_dictionaries(
                    {
                        "label": labels,
                        "scores": st.lists(mostly(st.integers(1, 5)), min_size=n, max_size=n),
                    }
                ),
                min_size=1,
                max_size=6,
            ),
        },
        optional={
            "weights": st.lists(positives, min_size=n, max_size=n),
            "range": mostly(st.sampled_from([[1, 5], [0, 10]]), st.just([5, 1])),
            "total": st.sampled_from(spec_parse.TOTALS),
        },
    )
)
spec_like = st.one_of(
    st.sampled_from(["columns", "tiers"]).flatmap(
        lambda lanes: st.fixed_dictionaries(
            {"title": labels, lanes: st.lists(nodes, min_size=1, max_size=5)},
            optional={
                "subtitle": labels,
                "footnote": labels,
                "theme": mostly(
                    st.sampled_from(["blue-grey", "print", "blue-grey-dark"]),
                    st.sampled_from(["nope", "x.yaml", "../themes/print.yaml", "/etc/passwd"]),
                ),
                "variants": st.lists(
                    st.sampled_from(["blue-grey", "print", "blue-grey-dark"]),
                    min_size=1,
                    unique=True,
                ),
                "canvas": st.one_of(
                    st.sampled_from(spec_parse.CANVAS_NAMES),
                    st.fixed_dictionaries(
                        {
                            "width": mostly(st.integers(16, 4000)),
                            "height": mostly(st.integers(16, 4000)),
                        }
                    ),
                ),
                "direction": st.just("down" if lanes == "tiers" else "right"),
                "flow": st.sampled_from(spec_parse.FLOWS),
                "scores": st.fixed_dictionaries(
                    {},
                    optional={
                        "range": mostly(st.just([0, 100]), st.sampled_from([[1, 5], [10, 0]])),
                        "show": st.lists(st.sampled_from(spec_parse.SHOW), unique=True),
                        "rollup": st.sampled_from(spec_parse.ROLLUPS),
                        "highlight": st.sampled_from(spec_parse.HIGHLIGHTS),
                    },
                ),
                "composite": st.fixed_dictionaries(
                    {"label": labels},
                    optional={
                        "formula": st.one_of(
                            st.sampled_from(WORDS), st.text(printable, max_size=30)
                        )
                    },
                ),
            },
        )
    ),
    st.fixed_dictionaries({"title": labels, "matrix": matrix}),
)


def dump(value: object, unicode: bool) -> str:
    return yaml.safe_dump(value, allow_unicode=unicode, sort_keys=False)


any_document = st.one_of(
    yaml_text,
    st.builds(dump, json_like, st.booleans()),
    st.builds(dump, spec_like, st.booleans()),
    st.binary(max_size=400),
)


@functools.cache
def _warm_up_cairo() -> None:
    """cairo's first drawing loads fonts and libraries: not the case's time."""
    spec = parse_spec_text(EXAMPLES[0], SPEC_PATH)
    rendered = render_spec(spec, resolve_theme(spec))
    encode(rendered, "png", scale=1.0)
    encode(rendered, "pdf")


# --- strategies: mutations of the example specs ------------------------------------

_safe = yaml.SafeLoader


def _mutate_tree(tree: object, rnd: random.Random, replacement: object) -> object:
    """One structural mutation somewhere in a loaded spec."""
    spots: list[tuple[object, object]] = []  # (container, key or index)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k in list(node):
                spots.append((node, k))
                walk(node[k])
        elif isinstance(node, list):
            for i in range(len(node)):
                spots.append((node, i))
                walk(node[i])

    walk(tree)
    if not spots:
        return replacement
    container, key = rnd.choice(spots)
    op = rnd.choice(["delete", "replace", "swap", "duplicate", "rename"])
    if op == "delete":
        del container[key]  # type: ignore[attr-defined]
    elif op == "replace":
        container[key] = replacement  # type: ignore[index]
    elif op == "swap":
        other, okey = rnd.choice(spots)
        a, b = container[key], other[okey]  # type: ignore[index]
        container[key], other[okey] = b, a  # type: ignore[index]
    elif op == "duplicate":
        value = container[key]  # type: ignore[index]
        if isinstance(container, list):
            container.insert(key, value)  # type: ignore[arg-type]
        else:
            container[rnd.choice(KEYS)] = value  # type: ignore[index]
    elif isinstance(container, dict):
        container[str(replacement)[:12] or "k"] = container.pop(key)
    return tree


def _mutate_text(text: str, rnd: random.Random, junk: str) -> str:
    """One textual mutation: truncate, insert, drop, double or swap lines."""
    lines = text.splitlines(keepends=True)
    op = rnd.choice(["truncate", "insert", "drop", "double", "swap"])
    if op == "truncate":
        return text[: rnd.randrange(len(text) + 1)]
    if op == "insert":
        at = rnd.randrange(len(text) + 1)
        return text[:at] + junk + text[at:]
    if not lines:
        return junk
    i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
    if op == "drop":
        del lines[i]
    elif op == "double":  # a duplicated key, or a duplicated list entry
        lines.insert(i, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(EXAMPLES))
    seed = draw(st.integers(0, 2**32 - 1))
    rnd = random.Random(seed)
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            tree = yaml.load(text, Loader=_safe)
            tree = _mutate_tree(tree, rnd, draw(json_like))
            text = dump(tree, draw(st.booleans()))
        else:
            junk = draw(st.one_of(st.text(max_size=6), st.sampled_from(YAML_TOKENS)))
            text = _mutate_text(text, rnd, junk)
        try:
            yaml.load(text, Loader=_safe)
        except Exception:  # YAMLError, or PyYAML's ValueError for `!!int text`
            break  # no longer loadable: mutate no further, feed it as it is
    return text


# --- the properties ----------------------------------------------------------------


@PROFILE
@given(any_document)
def test_any_yaml_document_renders_or_is_a_spec_error(data: str | bytes) -> None:
    renders_or_spec_errors(data)


@PROFILE
@given(mutated_example())
def test_any_mutation_of_an_example_renders_or_is_a_spec_error(text: str) -> None:
    renders_or_spec_errors(text)


@PROFILE
@given(st.builds(dump, spec_like, st.booleans()))
def test_spec_shaped_documents_render_or_are_spec_errors(text: str) -> None:
    renders_or_spec_errors(text)


@RASTER
@given(st.one_of(mutated_example(), st.builds(dump, spec_like, st.just(True))))
def test_png_and_pdf_of_fuzzed_specs(text: str) -> None:
    _warm_up_cairo()
    renders_or_spec_errors(text, ("svg", "png", "pdf"))


@pytest.mark.skipif(yaml_source._FastLoader is None, reason="PyYAML without libyaml")
@PROFILE
@given(yaml_text)
def test_libyaml_and_pyyaml_compose_the_same_graph(text: str) -> None:
    """The fast path (libyaml's parser) sees what PyYAML's own parser sees.

    Two known differences are allowed: libyaml accepts a tab as separating
    space (`title: x<TAB>`), which PyYAML refuses; and an empty value may be
    placed a column or a line apart.
    """

    def compose(loader_class: type) -> object:
        loader = loader_class(text)
        try:
            return _shape(loader.get_single_node())
        except yaml.YAMLError:
            return "error"
        except yaml_source._Problem as p:
            return ("problem", p.message, p.mark.line, p.mark.column)
        finally:
            loader.dispose()

    slow = compose(yaml_source._Loader)
    fast = compose(yaml_source._FastLoader)
    if slow == "error" and fast != "error":
        assert "\t" in text, "libyaml accepts what PyYAML refuses"
    elif fast == "error" and slow != "error":
        pass  # the loader then falls back to PyYAML's reading: no difference
    else:
        assert fast == slow


def _shape(node: Node | None, seen: set[int] | None = None) -> object:
    """A composed node graph as plain data: tags, positions, values; aliases marked."""
    if node is None:
        return None
    seen = set() if seen is None else seen
    mark = (node.start_mark.line, node.start_mark.column)
    if id(node) in seen:
        return ("alias", mark)
    seen.add(id(node))
    if isinstance(node, ScalarNode):
        return (node.tag, mark if node.value or node.style else None, node.value)
    if isinstance(node, SequenceNode):
        return (node.tag, mark, [_shape(c, seen) for c in node.value])
    assert isinstance(node, MappingNode)
    return (node.tag, mark, [(_shape(k, seen), _shape(v, seen)) for k, v in node.value])


def test_the_examples_themselves_render() -> None:
    for text in EXAMPLES:
        assert renders_or_spec_errors(text), text[:80]
