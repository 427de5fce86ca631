"""The located YAML loader: positions, safety bounds and one-line errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.errors import Loc, SpecErrors
from renderer.spec import yaml_source
from renderer.spec.yaml_source import YNode, load_yaml, load_yaml_file

PATH = "specs/t.yaml"


def errors(text: bytes | str) -> list[str]:
    with pytest.raises(SpecErrors) as info:
        load_yaml(text, PATH)
    return [str(e) for e in info.value.errors]


# --- the node tree ------------------------------------------------------------


def test_nodes_keep_positions_and_file_order() -> None:
    root = load_yaml("title: T\nitems:\n  - a\n  - {b: 1}\n", PATH)
    assert root.kind == "map"
    assert root.loc == Loc(PATH, 1, 1)
    assert [k.value for k, _ in root.value] == ["title", "items"]
    items = root.get("items")
    assert items is not None and items.kind == "seq"
    assert items.value[0] == YNode("scalar", Loc(PATH, 3, 5), "a")
    inner = items.value[1]
    assert inner.loc == Loc(PATH, 4, 5)
    b = inner.get("b")
    assert b is not None and b.value == 1 and b.loc == Loc(PATH, 4, 9)
    assert root.get("missing") is None
    assert items.get("a") is None


def test_scalars_resolve_like_safe_loader_except_timestamps() -> None:
    root = load_yaml(
        "i: 42\nf: 0.5\nb: yes\nn: ~\ns: '42'\nd: 2024-01-31\nt: 2001-12-14t21:59:43.10-05:00\n"
        "h: 0x10\neq: =\nempty:\n",
        PATH,
    )
    values = {k.value: v.value for k, v in root.value}
    assert values == {
        "i": 42,
        "f": 0.5,
        "b": True,
        "n": None,
        "s": "42",
        "d": "2024-01-31",
        "t": "2001-12-14t21:59:43.10-05:00",
        "h": 16,
        "eq": "=",
        "empty": None,
    }


def test_standard_explicit_tags_are_allowed() -> None:
    root = load_yaml("a: !!str 12\nb: !!int '7'\nc: !!float 1\n", PATH)
    assert [v.value for _, v in root.value] == ["12", 7, 1.0]


def test_bom_and_crlf_are_accepted() -> None:
    root = load_yaml(b"\xef\xbb\xbftitle: T\r\nx: 1\r\n", PATH)
    x = root.get("x")
    assert x is not None and x.loc == Loc(PATH, 2, 4)


def test_aliases_are_shared_and_merge_keys_work() -> None:
    root = load_yaml("base: &b {x: 1, y: 2}\nn:\n  <<: *b\n  y: 3\ncopy: *b\n", PATH)
    n = root.get("n")
    assert n is not None
    assert {k.value: v.value for k, v in n.value} == {"x": 1, "y": 3}
    assert root.get("copy") is root.get("base")


def test_describe_names_values_for_humans() -> None:
    root = load_yaml("a: [1]\nb: {c: 1}\nc: 3\nd: true\ne: x\nf:\n", PATH)
    assert [v.describe() for _, v in root.value] == [
        "a list",
        "a mapping",
        "the number 3",
        "the boolean true",
        "'x'",
        "nothing",
    ]


def test_examples_load_fast() -> None:
    examples = Path(__file__).parents[1] / "tests" / "fixtures" / "contract-examples"
    files = sorted(examples.glob("*.yaml"))
    assert len(files) == 6
    start = time.perf_counter()
    for f in files:
        assert load_yaml_file(f).kind == "map"
    assert time.perf_counter() - start < 0.5


# --- input errors ---------------------------------------------------------------


def test_tab_indentation() -> None:
    assert errors("title: T\ncolumns:\n\t- a\n") == [
        "specs/t.yaml:3:1: tab character used for indentation; use spaces"
    ]


def test_binary_input_names_the_offset() -> None:
    assert errors(b"title: T\nx: \x00\x01\x02") == [
        "specs/t.yaml:2:4: binary data (NUL byte at offset 12): expected UTF-8 YAML text"
    ]


def test_non_utf8_input_names_the_byte() -> None:
    assert errors("title: T\nsubtitle: Café\n".encode("latin-1")) == [
        "specs/t.yaml:2:14: not UTF-8 text: byte 0xe9 at offset 22 cannot be decoded;"
        " save the file as UTF-8"
    ]


def test_control_character() -> None:
    assert errors("title: T\x07\n") == [
        "specs/t.yaml:1:9: control character U+0007 is not allowed in YAML (is this a binary file?)"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", b""])
def test_empty_file(text: str | bytes) -> None:
    assert errors(text) == [
        "specs/t.yaml:1:1: empty file: expected a mapping with at least 'title'"
    ]


def test_multiple_documents() -> None:
    assert errors("title: A\n---\ntitle: B\n") == [
        "specs/t.yaml:2:1: more than one YAML document in the file (a second one starts at"
        " line 2); put one diagram per file"
    ]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("x: !!python/object/apply:os.system ['echo hi']\n", "!!python/object/apply:os.system"),
        ("x: !!python/name:os.system\n", "!!python/name:os.system"),
        ("x: !foo bar\n", "!foo"),
        ("x: !!binary aGk=\n", "!!binary"),
        ("x: !!set {a}\n", "!!set"),
        ("x: !!omap [a: 1]\n", "!!omap"),
    ],
)
def test_non_standard_tags_are_refused(text: str, tag: str) -> None:
    assert errors(text) == [f"specs/t.yaml:1:4: tag '{tag}' is not allowed"]


def test_invalid_explicit_scalar() -> None:
    assert errors("x: !!int ten\n") == ["specs/t.yaml:1:4: 'ten' is not a valid !!int"]


def test_duplicate_keys_are_all_reported() -> None:
    assert errors("label: a\nid: x\nlabel: b\nid: y\n") == [
        "specs/t.yaml:3:1: duplicate key 'label' (first at line 1)",
        "specs/t.yaml:4:1: duplicate key 'id' (first at line 2)",
    ]


def test_non_string_keys() -> None:
    assert errors("1: a\nyes: b\n? [x]\n: c\n~: d\n") == [
        "specs/t.yaml:1:1: mapping key 1 is read as the number 1; keys must be strings:"
        ' quote it as "1"',
        "specs/t.yaml:2:1: mapping key yes is read as the boolean true; keys must be strings:"
        ' quote it as "yes"',
        "specs/t.yaml:3:3: mapping keys must be plain strings, got a list",
        'specs/t.yaml:5:1: mapping key ~ is read as nothing; keys must be strings: quote it as "~"',
    ]


def test_syntax_error_with_hint() -> None:
    assert errors("title: a: b\n") == [
        "specs/t.yaml:1:9: YAML syntax error: ':' is not allowed here (check the indentation,"
        " or quote a value that contains ': ')"
    ]


def test_unquoted_star_operator_gets_a_hint() -> None:
    assert errors("operator: *\n") == [
        "specs/t.yaml:1:12: YAML syntax error: '*' starts an alias (quote a lone '*' as \"*\")"
    ]


def test_unclosed_quote_points_back_to_its_start() -> None:
    assert errors('title: "abc\n') == [
        "specs/t.yaml:2:1: YAML syntax error: found unexpected end of stream"
        " (while scanning a quoted scalar at line 1)"
    ]


def test_undefined_and_duplicate_anchor() -> None:
    assert errors("a: *nope\n") == [
        "specs/t.yaml:1:4: undefined alias '*nope': define it earlier with '&nope'"
    ]
    assert errors("a: &x 1\nb: &x 2\n") == [
        "specs/t.yaml:2:4: duplicate anchor '&x' (first at line 1); give each anchor its own name"
    ]


# --- bounds -----------------------------------------------------------------------


def test_alias_bomb_is_bounded_and_fast() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    start = time.perf_counter()
    assert errors("\n".join(lines) + "\n") == [
        "specs/t.yaml:5:4: YAML aliases expand to too many nodes (more than 200000;"
        " billion-laughs protection)"
    ]
    assert time.perf_counter() - start < 0.5


def test_moderate_alias_reuse_is_fine() -> None:
    root = load_yaml("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n", PATH)
    b = root.get("b")
    assert b is not None and [len(x.value) for x in b.value] == [3, 3, 3]


def test_recursive_alias() -> None:
    assert errors("a: &x\n  b: *x\n") == [
        "specs/t.yaml:2:6: recursive alias '*x' refers to a node that contains it"
    ]
    assert errors("a: &l [1, [2, *l]]\n") == [
        "specs/t.yaml:1:15: recursive alias '*l' refers to a node that contains it"
    ]


def test_deep_nesting_is_refused_before_recursing() -> None:
    text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    assert errors(text) == ["specs/t.yaml:1:67: YAML is nested too deeply (more than 64 levels)"]


def test_nesting_at_the_limit_is_fine() -> None:
    depth = yaml_source.MAX_DEPTH - 2  # the root mapping and the scalar are levels too
    root = load_yaml("a: " + "[" * depth + "1" + "]" * depth + "\n", PATH)
    assert root.kind == "map"


def test_alias_expansion_cannot_exceed_depth() -> None:
    nested = "[" * 40 + "1" + "]" * 40
    text = f"a: &d {nested}\nb: " + "[" * 30 + "*d" + "]" * 30 + "\n"
    assert errors(text) == [
        "specs/t.yaml:1:4: YAML is nested too deeply after expanding aliases (more than 64 levels)"
    ]


def test_file_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * yaml_source.MAX_BYTES + b"\n")
    with pytest.raises(SpecErrors) as info:
        load_yaml_file(big)
    assert str(info.value) == f"{big}:1:1: file is too large (1048577 bytes); the limit is 1024 KiB"


# --- files ------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecErrors) as info:
        load_yaml_file(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}:1:1: file not found"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(SpecErrors) as info:
        load_yaml_file(tmp_path)
    assert str(info.value) == f"{tmp_path}:1:1: is a directory, expected a YAML file"


def test_file_errors_use_the_given_path(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(SpecErrors) as info:
        load_yaml_file(f)
    assert str(info.value) == f"{f}:2:1: duplicate key 'a' (first at line 1)"


# --- robustness -------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#, \n\t\\?%@`~0.")), max_size=60))
def test_arbitrary_text_gives_a_tree_or_located_errors(text: str) -> None:
    try:
        root = load_yaml(text, PATH)
    except SpecErrors as e:
        assert e.errors
        for err in e.errors:
            assert err.loc.file == PATH and err.loc.line >= 1 and err.loc.col >= 1
            assert "\n" not in err.message
    else:
        assert root.kind in ("map", "seq", "scalar")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        load_yaml(data, PATH)
    except SpecErrors as e:
        assert all("\n" not in err.message for err in e.errors)
