"""A safe YAML loader that remembers where every value came from.

Specs and themes are written by hand, so every later error has to point at a
line and column. PyYAML's constructors drop positions and, in their unsafe
forms, run code; so we only *compose* (parse to a node graph, never build
Python objects from tags) and convert that graph into immutable `YNode`s that
keep a `Loc` on every node.

Hostile or broken input is bounded here, once, for every caller: file size,
nesting depth, alias expansion (the "billion laughs" attack), recursive
aliases, non-standard tags, duplicate and non-string keys. Each becomes a
`SpecError` with a one-line message, never a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from renderer.errors import Loc, SpecError, SpecErrors

MAX_BYTES = 1024 * 1024
"""Largest accepted file. A diagram spec is a few KiB; this leaves room for
generated specs while keeping the pure-Python parser well under a second."""

MAX_DEPTH = 64
"""Deepest accepted nesting of YAML collections and scalars (after alias
expansion). Real specs stay under 30; the bound protects the recursive
composer from stack exhaustion."""

MAX_NODES = 200_000
"""Most `YNode`s one file may produce, counting every alias expansion anew.
Aliases let a tiny file describe an exponentially large tree; counting
expansions stops that before it costs memory or time."""

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _CORE + t for t in ("null", "bool", "int", "float", "str", "timestamp", "value", "merge")
)
_NON_PRINTABLE = re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern)
_KIND_NAMES = {"map": "a mapping", "seq": "a list"}

# Hints for PyYAML problems people actually hit while writing specs.
_PROBLEM_HINTS = (
    ("'\\t'", "tab character used for indentation; use spaces"),
    ("tab character", "tab character used for indentation; use spaces"),
    (
        "sequence entries are not allowed",
        "YAML syntax error: a '- ' list item is not allowed here"
        " (check the indentation, or quote a lone '-' as \"-\")",
    ),
    (
        "expected <block end>",
        "YAML syntax error: inconsistent indentation; indent items of one mapping or list"
        " by the same number of spaces",
    ),
    (
        "mapping values are not allowed",
        "YAML syntax error: ':' is not allowed here"
        " (check the indentation, or quote a value that contains ': ')",
    ),
    (
        "expected alphabetic or numeric character, but found",
        "YAML syntax error: '*' starts an alias (quote a lone '*' as \"*\")",
    ),
    (
        "found character '%' that cannot start any token",
        "YAML syntax error: a value cannot start with '%'; quote it, e.g. \"%\"",
    ),
    (
        "found character '@' that cannot start any token",
        "YAML syntax error: a value cannot start with '@'; quote it",
    ),
    (
        "found character '`' that cannot start any token",
        "YAML syntax error: a value cannot start with '`'; quote it",
    ),
    (  # libyaml's own bound, met while it scans ahead in a large file
        "exceeded maximum nesting depth",
        f"YAML is nested too deeply (more than {MAX_DEPTH} levels)",
    ),
)

ScalarValue = str | int | float | bool | None


@dataclass(frozen=True)
class YNode:
    """One YAML node with its position.

    `value` is, by kind: `map` → tuple of (key node, value node) pairs in file
    order (keys are always string scalars); `seq` → tuple of nodes; `scalar` →
    str, int, float, bool or None, resolved as PyYAML's SafeLoader resolves
    them except that timestamps stay strings (a date is a label, not a value).
    """

    kind: Literal["map", "seq", "scalar"]
    loc: Loc
    value: Any
    quoted: bool = False  # a scalar written in quotes: its text starts one column later

    def get(self, key: str) -> YNode | None:
        """The value node for `key` in a mapping; None if absent or not a mapping."""
        if self.kind != "map":
            return None
        for k, v in self.value:
            if k.value == key:
                return v
        return None

    def describe(self) -> str:
        """The node as a user would name it in an error: "a list", "the number 3"."""
        return describe_value(self.value) if self.kind == "scalar" else _KIND_NAMES[self.kind]


def describe_value(value: ScalarValue) -> str:
    """A scalar named for humans; bool before int because bool is an int in Python."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return repr(value)


def load_yaml(text: bytes | str, path: str) -> YNode:
    """Parse one YAML document into a `YNode` tree; raise `SpecErrors` on any problem."""
    source = _decode(text, path)
    with _gc_paused():
        return _load(source, path)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector, paused while a file is loaded.

    Building 200,000 nodes sets it off again and again, over half the time of
    a big file; a YAML graph has no cycles (recursive aliases are refused), so
    reference counting frees everything anyway.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(source: str, path: str) -> YNode:
    try:
        raw = _compose(source)
    except _Problem as p:
        raise SpecErrors.one(_loc(path, p.mark), p.message) from None
    except yaml.MarkedYAMLError as e:
        raise SpecErrors.one(_yaml_error_loc(path, e), _yaml_error_message(e)) from None
    except yaml.YAMLError as e:  # pragma: no cover - reader errors are caught by _decode
        raise SpecErrors.one(Loc(path, 1, 1), f"YAML error: {e}") from None
    if raw is None:
        raise SpecErrors.one(
            Loc(path, 1, 1), "empty file: expected a mapping with at least 'title'"
        )
    return _Converter(path).run(raw)


def load_yaml_file(path: str | Path) -> YNode:
    """Read and parse a YAML file; unreadable paths are errors at line 1, column 1."""
    name = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise SpecErrors.one(Loc(name, 1, 1), "is a directory, expected a YAML file") from None
    except FileNotFoundError:
        raise SpecErrors.one(Loc(name, 1, 1), "file not found") from None
    except OSError as e:
        reason = (e.strerror or type(e).__name__).lower()
        raise SpecErrors.one(Loc(name, 1, 1), f"cannot read file: {reason}") from None
    return load_yaml(data, name)


# --- input checks -------------------------------------------------------------


def _decode(text: bytes | str, path: str) -> str:
    """Bytes → str, refusing oversize, binary and non-UTF-8 input with a position."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(data) > MAX_BYTES:
        raise SpecErrors.one(
            Loc(path, 1, 1),
            f"file is too large ({len(data)} bytes); the limit is {MAX_BYTES // 1024} KiB",
        )
    if isinstance(text, bytes):
        nul = data.find(b"\0")
        if nul >= 0:
            raise SpecErrors.one(
                _byte_loc(path, data, nul),
                f"binary data (NUL byte at offset {nul}): expected UTF-8 YAML text",
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise SpecErrors.one(
                _byte_loc(path, data, e.start),
                f"not UTF-8 text: byte 0x{data[e.start]:02x} at offset {e.start}"
                " cannot be decoded; save the file as UTF-8",
            ) from None
    text = text.removeprefix("\ufeff")
    bad = _NON_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise SpecErrors.one(
            Loc(path, line, col),
            f"control character U+{ord(bad.group()):04X} is not allowed in YAML"
            " (is this a binary file?)",
        )
    return text


def _byte_loc(path: str, data: bytes, offset: int) -> Loc:
    line_start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return Loc(path, data.count(b"\n", 0, offset) + 1, col)


def _loc(path: str, mark: yaml.Mark) -> Loc:
    return Loc(path, mark.line + 1, mark.column + 1)


def _yaml_error_loc(path: str, e: yaml.MarkedYAMLError) -> Loc:
    mark = e.problem_mark or e.context_mark
    return _loc(path, mark) if mark is not None else Loc(path, 1, 1)


def _yaml_error_message(e: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem text, made one-line and, for common slips, actionable."""
    problem = " ".join((e.problem or "").split())
    context = " ".join((e.context or "").split())
    if problem == "but found another document":
        line = e.problem_mark.line + 1 if e.problem_mark else "?"
        return (
            f"more than one YAML document in the file (a second one starts at line {line});"
            " put one diagram per file"
        )
    if context.startswith("found duplicate anchor"):
        first = e.context_mark.line + 1 if e.context_mark else "?"
        name = context.split("'")[1] if "'" in context else "?"
        return f"duplicate anchor '&{name}' (first at line {first}); give each anchor its own name"
    if problem.startswith("found undefined alias"):
        name = problem.split("'")[1] if "'" in problem else "?"
        return f"undefined alias '*{name}': define it earlier with '&{name}'"
    for needle, message in _PROBLEM_HINTS:
        if needle in problem:
            return message
    if context and e.context_mark is not None and e.problem_mark is not None:
        return f"YAML syntax error: {problem} ({context} at line {e.context_mark.line + 1})"
    return f"YAML syntax error: {problem or context or 'invalid YAML'}"


# --- composing ----------------------------------------------------------------


class _Problem(Exception):
    """A fatal input problem found while composing, with its PyYAML mark."""

    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


FALLBACK_CHARS = 64 * 1024
"""Largest text whose syntax error is reported in PyYAML's wording (which the
hints above match) by parsing it again with PyYAML's pure-Python parser. That
parser needs about 20 µs a YAML value (4 s for a dense 200 KiB file), so a
larger text keeps libyaml's wording instead and is rejected within a second."""


def _compose(source: str) -> Node | None:
    """The node graph of one YAML document, composed by our guarded composer.

    Events come from libyaml's C parser where PyYAML was built with it (ten
    times faster, same marks), else from PyYAML's own parser, which also words
    the syntax errors of all but the largest texts.
    """
    if _FastLoader is not None:
        fast = _FastLoader(source)
        try:
            return fast.get_single_node()
        except yaml.YAMLError:
            if len(source) > FALLBACK_CHARS:
                raise
        finally:
            fast.dispose()
    loader = _Loader(source)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


class _Guards:
    """The composer's depth bound and recursive-alias detection, for either parser.

    Both must be caught while composing: the composer itself recurses per level,
    and it links a recursive alias into a cyclic graph before we can see it.
    """

    _depth: int
    _open_anchors: set[str]
    _composed: int  # nodes so far, aliases not expanded: the converter counts those

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        self._composed += 1
        if self._composed > MAX_NODES:  # stop before converting them costs seconds
            raise _Problem(
                event.start_mark, f"too many YAML values (more than {MAX_NODES}); split the diagram"
            )
        if isinstance(event, AliasEvent):
            if event.anchor in self._open_anchors:
                raise _Problem(
                    event.start_mark,
                    f"recursive alias '*{event.anchor}' refers to a node that contains it",
                )
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Problem(
                event.start_mark, f"YAML is nested too deeply (more than {MAX_DEPTH} levels)"
            )
        anchor = event.anchor if isinstance(event, CollectionStartEvent) else None
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.discard(anchor)


class _Loader(_Guards, yaml.SafeLoader):
    """PyYAML's pure-Python parser and composer, guarded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._open_anchors = set()
        self._composed = 0


_FastLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):
    from yaml.cyaml import CParser
    from yaml.resolver import Resolver

    class _CLoader(_Guards, Composer, CParser, Resolver):
        """libyaml's parser (C) under PyYAML's composer (Python), guarded."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)
            self._depth = 0
            self._open_anchors = set()
            self._composed = 0

    _FastLoader = _CLoader


# --- converting ---------------------------------------------------------------


class _Done(NamedTuple):  # a tuple: made 200,000 times for the largest files
    node: YNode
    size: int  # YNodes in this subtree, expansions included
    height: int  # levels in this subtree, 1 for a scalar


class _Converter:
    """PyYAML nodes → `YNode`s, collecting every non-fatal problem before raising.

    A node reached twice is an alias: its `YNode` is reused (immutability makes
    sharing safe), but its size still counts toward `MAX_NODES` each time.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[SpecError] = []
        self.done: dict[int, _Done] = {}
        self.total = 0
        self.aliased = False  # whether an alias was expanded, for the message of `_count`
        self.scalars = SafeConstructor()

    def run(self, root: Node) -> YNode:
        result = self.convert(root, 0)
        if self.errors:
            raise SpecErrors(self.errors)
        return result.node

    def error(self, node: Node, message: str) -> None:
        self.errors.append(SpecError(_loc(self.path, node.start_mark), message))

    def convert(self, node: Node, depth: int) -> _Done:
        done = self.done.get(id(node))
        if done is None:
            done = self._build(node, depth)
            self.done[id(node)] = done
        else:
            self.aliased = True
            self._count(node, done.size)
        if depth + done.height > MAX_DEPTH:
            raise SpecErrors.one(
                _loc(self.path, node.start_mark),
                f"YAML is nested too deeply after expanding aliases (more than {MAX_DEPTH} levels)",
            )
        return done

    def _count(self, node: Node, size: int) -> None:
        self.total += size
        if self.total > MAX_NODES:
            raise SpecErrors.one(
                _loc(self.path, node.start_mark),
                f"YAML aliases expand to too many nodes (more than {MAX_NODES};"
                " billion-laughs protection)"
                if self.aliased
                else f"too many YAML values (more than {MAX_NODES}); split the diagram",
            )

    def _build(self, node: Node, depth: int) -> _Done:
        loc = _loc(self.path, node.start_mark)
        if isinstance(node, ScalarNode):
            self._count(node, 1)
            quoted = node.style in ("'", '"')
            return _Done(YNode("scalar", loc, self._scalar(node), quoted), 1, 1)
        if isinstance(node, SequenceNode):
            self._check_tag(node, _CORE + "seq")
            items = [self.convert(child, depth + 1) for child in node.value]
            size = 1 + sum(i.size for i in items)
            self._count(node, 1)
            height = 1 + max((i.height for i in items), default=0)
            return _Done(YNode("seq", loc, tuple(i.node for i in items)), size, height)
        assert isinstance(node, MappingNode)
        self._check_tag(node, _CORE + "map")
        pairs, size, height = self._mapping(node, depth)
        self._count(node, 1)
        return _Done(YNode("map", loc, pairs), size, height)

    def _mapping(self, node: MappingNode, depth: int) -> tuple[tuple[Any, ...], int, int]:
        explicit: dict[str, YNode] = {}
        converted: list[tuple[_Done, _Done, bool]] = []
        for key, value in node.value:
            k = self.convert(key, depth + 1)
            v = self.convert(value, depth + 1)
            is_merge = isinstance(key, ScalarNode) and key.tag == _CORE + "merge"
            converted.append((k, v, is_merge))
            if is_merge or not self._key_ok(key, k.node):
                continue
            first = explicit.get(k.node.value)
            if first is not None:
                self.error(
                    key,
                    f"duplicate key '{_one_line(k.node.value)}' (first at line {first.loc.line})",
                )
            else:
                explicit[k.node.value] = k.node
        pairs: list[tuple[YNode, YNode]] = []
        merged: set[str] = set()
        size, height = 1, 1
        for k, v, is_merge in converted:
            if not is_merge:
                if isinstance(k.node.value, str):
                    pairs.append((k.node, v.node))
                size += k.size + v.size
                height = max(height, 1 + k.height, 1 + v.height)
                continue
            for mk, mv in self._merge_sources(v.node):
                if mk.value not in explicit and mk.value not in merged:
                    merged.add(mk.value)
                    pairs.append((mk, mv))
            size += v.size
            height = max(height, 1 + v.height)
        return tuple(pairs), size, height

    def _merge_sources(self, value: YNode) -> list[tuple[YNode, YNode]]:
        """Pairs a `<<` key brings in; earlier sources win, as in YAML 1.1."""
        sources = value.value if value.kind == "seq" else (value,)
        if any(s.kind != "map" for s in sources):
            self.errors.append(
                SpecError(value.loc, "'<<' (merge) needs a mapping or a list of mappings")
            )
            return []
        return [pair for s in sources for pair in s.value]

    def _key_ok(self, key: Node, converted: YNode) -> bool:
        if isinstance(converted.value, str) and converted.kind == "scalar":
            return True
        if not isinstance(key, ScalarNode):
            self.error(key, f"mapping keys must be plain strings, got {converted.describe()}")
        elif key.value == "":
            self.error(key, "empty mapping key; keys must be non-empty strings")
        else:
            self.error(
                key,
                f"mapping key {_one_line(key.value)} is read as {converted.describe()};"
                f' keys must be strings: quote it as "{_one_line(key.value)}"',
            )
        return False

    def _check_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            self.error(node, f"tag '{_one_line(_short_tag(node.tag))}' is not allowed")

    def _scalar(self, node: ScalarNode) -> ScalarValue:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self.error(node, f"tag '{_one_line(_short_tag(tag))}' is not allowed")
            return None
        kind = tag.removeprefix(_CORE)
        if kind in ("str", "timestamp", "value", "merge"):
            bad = _NON_PRINTABLE.search(node.value)  # written as an escape: "\0", "\e"
            if bad:
                self.error(
                    node,
                    f"control character U+{ord(bad.group()):04X} (written as an escape) is not"
                    " allowed in YAML text; remove it",
                )
                return None
            return node.value
        builder = getattr(self.scalars, f"construct_yaml_{kind}")
        try:
            result: ScalarValue = builder(node)
        except (ValueError, KeyError, IndexError):
            self.error(node, f"'{_one_line(node.value)}' is not a valid !!{kind}")
            return None
        if kind == "int" and abs(result).bit_length() > 14_000:  # more digits than str() takes
            self.error(node, f"the number '{_one_line(node.value, 21)}' is too large")
            return None
        return result


def _one_line(text: str, limit: int = 60) -> str:
    """User text inside a message, which must stay one line and short."""
    flat = text.replace("\n", "\\n")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
