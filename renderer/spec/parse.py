"""Spec validation: a `YNode` tree → an immutable `Spec`, or every error at once.

The key tables below are the single source of truth for the spec language:
this parser reads them and `schema.py` turns them into a JSON Schema, so a key
cannot be accepted by one and unknown to the other.

Error contexts name the place the way an author sees the diagram, because the
line and column already say exactly where it is in the file:

- `the spec` for the top level, `composite`, `scores`, `matrix`, `canvas`;
- a top-level lane is `lane 'Label'`, or `lane N` (1-based) when it has no
  usable label;
- a node inside is `node 'Label' of <its parent>` or `node N of <its parent>`,
  so nesting reads `node 'Volume' of node 'Need for Support' of lane 'Metrics'`;
- a matrix row is `row 'Label' of matrix`, or `row N of matrix`.

Labels are used when present because that is what people recognise on the
slide; the index is the fallback for nodes whose label is missing or broken
(exactly the nodes that often carry the error, as in
`unknown key 'lable' in node 3 of lane 'Metrics'`).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from renderer.errors import Loc, SpecError, SpecErrors
from renderer.spec.model import (
    CANVAS_PRESETS,
    OPERATORS,
    Canvas,
    MatrixRow,
    MatrixSpec,
    NodeSpec,
    ScoreSettings,
    Spec,
)
from renderer.spec.yaml_source import YNode, load_yaml, load_yaml_file

# --- limits -------------------------------------------------------------------

MAX_NODE_DEPTH = 12
"""Levels of nested nodes (a lane is level 1). Deeper trees cannot be drawn
legibly on one slide, and the bound keeps recursion shallow."""

MAX_NODES = 5000
"""Nodes in one spec, counting alias copies. Far beyond a readable diagram;
it bounds layout time for generated or hostile specs."""

MAX_TEXT = 500
"""Characters in any one string (labels, captions, questions, details, titles)."""

MAX_ITEMS = 200
"""Entries in any one list: a node's items or details, lanes, criteria, rows."""

CANVAS_MIN, CANVAS_MAX = 16.0, 20000.0
"""Bounds of a custom canvas side in px: smaller is unreadable, larger is a
raster no renderer should be asked to allocate."""

# --- vocabularies ---------------------------------------------------------------

ROLES = ("lane", "group", "metric", "question", "outcome", "impact", "operator", "note")
LAYOUTS = ("stack", "row", "grid")
DIRECTIONS = ("right", "down")
FLOWS = ("none", "line", "chevron")
BETTER = ("higher", "lower")
SHOW = ("value", "benchmark", "target", "score", "bar")
ROLLUPS = ("weighted-mean", "min", "none")
HIGHLIGHTS = ("weakest", "none")
TOTALS = ("weighted-mean", "sum", "none")
CANVAS_NAMES = ("auto", *CANVAS_PRESETS)
OPERATOR_ASCII = {"x": "×", "*": "×", "-": "−", "/": "÷"}
OPERATOR_KEYS = ("operator", "label", "id", "role", "emphasis")
"""Keys an operator node may carry: it is a bare sign, so no content keys."""
LAYOUT_KEYS = ("columns", "tiers", "matrix")
DEFAULT_MATRIX_RANGE: tuple[float, float] = next(
    f.default for f in fields(MatrixSpec) if f.name == "range"
)
ID_PATTERN = r"[a-z0-9][a-z0-9-]*"
_ID_RE = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class Key:
    """One key of one mapping in the spec language.

    `type` names both the parser's reader and the schema fragment, so the two
    stay in step; `doc` becomes the editor tooltip.
    """

    name: str
    type: str
    doc: str
    choices: tuple[str, ...] = ()
    required: bool = False


TOP_KEYS = (
    Key("version", "version", "Spec language version; only 1 exists."),
    Key("title", "text", "Diagram title, drawn at the top and used as the SVG <title>.", (), True),
    Key("subtitle", "text", "One line under the title."),
    Key("footnote", "text", "Small text at the bottom (sources, dates)."),
    Key("theme", "text", "Theme name (a file in themes/) or a path to a theme file."),
    Key("variants", "names", "Themes that `tierdraw build` renders this spec in; default [theme]."),
    Key("canvas", "canvas", "auto (tight fit), a preset name, or {width, height} in px."),
    Key(
        "direction",
        "enum",
        "Lay top-level lanes side by side (right) or stacked (down).",
        DIRECTIONS,
    ),
    Key("flow", "enum", "A quiet connector between consecutive top-level lanes.", FLOWS),
    Key("columns", "lanes", "The top-level lanes, laid out per 'direction'."),
    Key("tiers", "lanes", "The top-level lanes, stacked top to bottom (direction down)."),
    Key("matrix", "matrix", "A scoring matrix: rows scored on criteria."),
    Key("scores", "scores", "Score settings for nodes that carry data."),
    Key("composite", "composite", "An extra node drawn last, holding a computed index."),
)

NODE_KEYS = (
    Key("label", "label", "The box's main text; \\n forces a line break."),
    Key("id", "id", "Unique id; default: the label slugified."),
    Key("caption", "label", "A smaller line under the label."),
    Key("question", "label", "A question drawn as its own box paired with this node."),
    Key("metric", "label", "A headline metric drawn prominently inside the box."),
    Key("details", "labels", "Small lines inside the box, under the metric or label."),
    Key("items", "nodes", "Child nodes, laid out by 'layout'."),
    Key("layout", "enum", "How children are laid out.", LAYOUTS),
    Key("grid_columns", "count", "Number of columns for layout: grid."),
    Key("role", "enum", "Style role from the theme; default by tier.", ROLES),
    Key("operator", "operator", "Makes the node a bare sign between its siblings."),
    Key("emphasis", "bool", "Draw with the theme's emphasis style."),
    Key("value", "number", "Measured value."),
    Key("unit", "text", "Unit shown with the value: %, h, $, pts ..."),
    Key("benchmark", "number", "A reference value (industry, historical)."),
    Key("target", "number", "A goal value."),
    Key("better", "enum", "Which direction is good; default higher.", BETTER),
    Key("weight", "positive", "Weight in the parent's roll-up; default 1."),
    Key("score", "number", "A score given directly, on the scores.range scale."),
)

FORMULA_KEY = Key("formula", "formula", "Combines node ids with + - * /, parentheses and numbers.")
COMPOSITE_KEYS = (*NODE_KEYS, FORMULA_KEY)

SCORES_KEYS = (
    Key("range", "range", "The score scale [low, high]; default [0, 100]."),
    Key("show", "show", "What metric boxes display; default: whatever data they have.", SHOW),
    Key("rollup", "enum", "How a parent's score comes from its children's.", ROLLUPS),
    Key("highlight", "enum", "Mark the lowest-scoring leaf as emphasis, or not.", HIGHLIGHTS),
)

MATRIX_KEYS = (
    Key("criteria", "labels", "Column headers: what each row is scored on.", (), True),
    Key("weights", "positives", "One weight > 0 per criterion; default all 1."),
    Key("range", "range", "The score scale [low, high]; default [1, 5]."),
    Key("rows", "rows", "The scored rows, each {label, scores[, id]}.", (), True),
    Key("total", "enum", "How the total column is computed.", TOTALS),
)

ROW_KEYS = (
    Key("label", "label", "The row's name.", (), True),
    Key("scores", "numbers", "One score per criterion, within the matrix range.", (), True),
    Key("id", "id", "Unique id; default: the label slugified."),
)

CANVAS_KEYS = (
    Key("width", "size", "Canvas width in px.", (), True),
    Key("height", "size", "Canvas height in px.", (), True),
)

# Keys people reach for from other tools, offered when difflib finds nothing.
_KEY_HINTS = {
    "name": "label",
    "text": "label",
    "title": "label",
    "children": "items",
    "nodes": "items",
    "description": "caption",
    "subtitle": "caption",
    "type": "role",
    "style": "role",
    "op": "operator",
    "lanes": "columns",
    "layers": "tiers",
    "goal": "target",
}
_MISPLACED_IN_NODE = {"formula": "'formula' is only allowed on the 'composite' node"}

_BAD: Any = object()
"""A value that failed validation; its error is already recorded."""

_Fields = dict[str, tuple[YNode, YNode]]


# --- public API -----------------------------------------------------------------


def parse_spec(root: YNode, path: str) -> Spec:
    """Validate a loaded YAML tree as a spec; raise `SpecErrors` listing every problem."""
    return _Parser(path).spec(root)


def parse_spec_text(text: bytes | str, path: str) -> Spec:
    """Load and validate spec text; `path` is only used to name the source in errors."""
    return parse_spec(load_yaml(text, path), path)


def load_spec(path: str | Path) -> Spec:
    """Read, load and validate a spec file."""
    return parse_spec(load_yaml_file(path), str(path))


# --- helpers --------------------------------------------------------------------


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _fmt(x: float) -> str:
    """A number as an author would write it: 5, not 5.0."""
    return str(int(x)) if float(x).is_integer() else str(x)


def _got(y: YNode) -> str:
    """What the author wrote, for "got ..." in messages."""
    if y.kind == "map":
        return "a mapping"
    if y.kind == "seq":
        if all(c.kind == "scalar" for c in y.value) and len(y.value) <= 8:
            text = "[" + ", ".join(_got(c) for c in y.value) + "]"
            if len(text) <= 60:
                return text
        return "a list"
    v = y.value
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    return repr(_short(v, 60))


def _is_number(y: YNode) -> bool:
    """A finite real number; bools are ints in Python but not numbers to an author."""
    v = y.value
    if y.kind != "scalar" or not isinstance(v, int | float) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an int beyond float range
        return False


def _suggest(word: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if close:
        return close[0]
    hint = _KEY_HINTS.get(word.lower())
    return hint if hint in candidates else None


def _did_you_mean(word: str, candidates: list[str]) -> str:
    match = _suggest(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _or_list(words: tuple[str, ...] | list[str]) -> str:
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]


# --- the parser -------------------------------------------------------------------


class _Parser:
    """Walks the tree once, recording errors instead of stopping at the first.

    A value that is the wrong shape is reported once and its children are not
    visited, so one mistake does not produce a page of follow-on errors.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[SpecError] = []
        self.ids: dict[str, Loc] = {}
        self.node_count = 0
        self.score_range: tuple[float, float] = ScoreSettings().range

    def error(self, loc: Loc, message: str) -> None:
        self.errors.append(SpecError(loc, message))

    def fail(self) -> None:
        if self.errors:
            raise SpecErrors(list(dict.fromkeys(self.errors)))

    # -- generic mapping handling --

    def fields(
        self,
        y: YNode,
        table: tuple[Key, ...],
        ctx: str,
        misplaced: Mapping[str, str] | None = None,
        require: tuple[str, ...] = (),
    ) -> _Fields:
        """Known keys → (key node, value node); unknown keys are reported at the key.

        A missing required key is not reported when a misspelt key was already
        reported as probably meaning it: that is one mistake, not two.
        """
        names = [k.name for k in table]
        out: _Fields = {}
        meant: set[str] = set()
        for k, v in y.value:
            name = k.value
            if name in names:
                out[name] = (k, v)
            elif misplaced and name in misplaced:
                self.error(k.loc, f"{misplaced[name]}, not {ctx}")
            else:
                match = _suggest(name, names)
                hint = f" (did you mean '{match}'?)" if match else ""
                meant.add(match or "")
                self.error(k.loc, f"unknown key '{_short(name)}' in {ctx}{hint}")
        required = [k.name for k in table if k.required] + list(require)
        where = "" if ctx == "the spec" else f" in {ctx}"
        for name in required:
            if name not in out and name not in meant:
                self.error(y.loc, f"'{name}' is required{where}")
        return out

    def simple(self, fields: _Fields, table: tuple[Key, ...]) -> dict[str, Any]:
        """Read every scalar-ish key; structural keys are left to their own methods."""
        out: dict[str, Any] = {}
        for key in table:
            if key.name in fields:
                reader = getattr(self, f"read_{key.type}", None)
                if reader is not None:
                    value = reader(key, fields[key.name][1])
                    if value is not _BAD:
                        out[key.name] = value
        return out

    # -- readers: (key, value node) → value or _BAD --

    def read_version(self, key: Key, y: YNode) -> Any:
        if y.kind == "scalar" and type(y.value) is int and y.value == 1:
            return 1
        self.error(y.loc, f"'version' must be 1, got {_got(y)}")
        return _BAD

    def read_text(self, key: Key, y: YNode, each: bool = False) -> Any:
        """A non-empty string; `each` words the message for one entry of a list."""
        subject = f"each of '{key.name}'" if each else f"'{key.name}'"
        if y.kind != "scalar" or not isinstance(y.value, str):
            hint = (
                " (quote it to use it as text)"
                if y.kind == "scalar" and y.value is not None
                else ""
            )
            self.error(y.loc, f"{subject} must be a string, got {_got(y)}{hint}")
            return _BAD
        if not y.value.strip():
            self.error(y.loc, f"{subject} must not be empty")
            return _BAD
        if len(y.value) > MAX_TEXT:
            self.error(
                y.loc, f"{subject} is {len(y.value)} characters long; the limit is {MAX_TEXT}"
            )
            return _BAD
        return y.value

    def read_label(self, key: Key, y: YNode, each: bool = False) -> Any:
        """Text in a box: a written `\\n` is a line break, as the contract promises."""
        text = self.read_text(key, y, each)
        return text if text is _BAD else text.replace("\\n", "\n")

    def read_formula(self, key: Key, y: YNode) -> Any:
        return self.read_text(key, y)

    def _list(self, key: Key, y: YNode, what: str, one: str | None = None) -> Any:
        """The entries of a list value; `one` names an entry when empty is an error."""
        if y.kind != "seq":
            self.error(y.loc, f"'{key.name}' must be a list of {what}, got {_got(y)}")
            return _BAD
        if not y.value and one is not None:
            self.error(y.loc, f"'{key.name}' is empty; add at least one {one}")
            return _BAD
        if len(y.value) > MAX_ITEMS:
            self.error(y.loc, f"'{key.name}' has {len(y.value)} entries; the limit is {MAX_ITEMS}")
            return _BAD
        return y.value

    def _texts(self, key: Key, y: YNode, reader: Any, one: str | None) -> Any:
        items = self._list(key, y, "strings", one)
        if items is _BAD:
            return _BAD
        values = [reader(key, item, each=True) for item in items]
        return _BAD if _BAD in values else tuple(values)

    def read_labels(self, key: Key, y: YNode) -> Any:
        return self._texts(key, y, self.read_label, "criterion" if key.name == "criteria" else None)

    def read_names(self, key: Key, y: YNode) -> Any:
        names = self._texts(key, y, self.read_text, "theme")
        if names is _BAD:
            return _BAD
        return names if self._unique(key, y, names) else _BAD

    def _unique(self, key: Key, y: YNode, values: tuple[Any, ...]) -> bool:
        seen: set[Any] = set()
        ok = True
        for value, item in zip(values, y.value, strict=True):
            if value in seen:
                self.error(item.loc, f"'{key.name}' lists '{_short(str(value))}' twice")
                ok = False
            seen.add(value)
        return ok

    def read_enum(self, key: Key, y: YNode) -> Any:
        if y.kind == "scalar" and y.value in key.choices and isinstance(y.value, str):
            return y.value
        hint = _did_you_mean(y.value, list(key.choices)) if isinstance(y.value, str) else ""
        self.error(
            y.loc, f"'{key.name}' must be one of {', '.join(key.choices)}, got {_got(y)}{hint}"
        )
        return _BAD

    def read_id(self, key: Key, y: YNode) -> Any:
        if y.kind != "scalar" or not isinstance(y.value, str):
            hint = " (quote it)" if _is_number(y) else ""
            self.error(y.loc, f"'id' must be a string, got {_got(y)}{hint}")
            return _BAD
        if not _ID_RE.fullmatch(y.value) or len(y.value) > MAX_TEXT:
            self.error(
                y.loc,
                f"invalid id {_got(y)}: ids are lowercase letters, digits and '-',"
                " starting with a letter or digit",
            )
            return _BAD
        first = self.ids.get(y.value)
        if first is not None:
            self.error(y.loc, f"duplicate id '{y.value}' (first used at line {first.line})")
            return _BAD
        self.ids[y.value] = y.loc
        return y.value

    def read_operator(self, key: Key, y: YNode) -> Any:
        if y.kind == "scalar" and isinstance(y.value, str):
            sign = OPERATOR_ASCII.get(y.value.strip(), y.value.strip())
            if sign in OPERATORS:
                return sign
        self.error(
            y.loc,
            f"unknown operator {_got(y)}: use one of {' '.join(OPERATORS)}"
            f" (or {' '.join(OPERATOR_ASCII)})",
        )
        return _BAD

    def read_bool(self, key: Key, y: YNode) -> Any:
        if y.kind == "scalar" and isinstance(y.value, bool):
            return y.value
        self.error(y.loc, f"'{key.name}' must be true or false, got {_got(y)}")
        return _BAD

    def read_number(self, key: Key, y: YNode) -> Any:
        if _is_number(y):
            return float(y.value)
        self.error(y.loc, f"'{key.name}' must be a number, got {_got(y)}")
        return _BAD

    def read_positive(self, key: Key, y: YNode) -> Any:
        if _is_number(y) and y.value > 0:
            return float(y.value)
        self.error(y.loc, f"'{key.name}' must be a number > 0, got {_got(y)}")
        return _BAD

    def read_count(self, key: Key, y: YNode) -> Any:
        if _is_number(y) and type(y.value) is int and 1 <= y.value <= MAX_ITEMS:
            return y.value
        self.error(
            y.loc, f"'{key.name}' must be a whole number from 1 to {MAX_ITEMS}, got {_got(y)}"
        )
        return _BAD

    def read_size(self, key: Key, y: YNode) -> Any:
        if _is_number(y) and CANVAS_MIN <= y.value <= CANVAS_MAX:
            return float(y.value)
        self.error(
            y.loc,
            f"'{key.name}' must be a number of px from {_fmt(CANVAS_MIN)} to"
            f" {_fmt(CANVAS_MAX)}, got {_got(y)}",
        )
        return _BAD

    def read_range(self, key: Key, y: YNode) -> Any:
        if (
            y.kind == "seq"
            and len(y.value) == 2
            and all(_is_number(c) for c in y.value)
            and y.value[0].value < y.value[1].value
        ):
            return (float(y.value[0].value), float(y.value[1].value))
        self.error(
            y.loc, f"'{key.name}' must be two numbers [low, high] with low < high, got {_got(y)}"
        )
        return _BAD

    def read_show(self, key: Key, y: YNode) -> Any:
        items = self._list(key, y, _or_list(SHOW))
        if items is _BAD:
            return _BAD
        ok = True
        for item in items:
            if not (item.kind == "scalar" and isinstance(item.value, str) and item.value in SHOW):
                hint = _did_you_mean(item.value, list(SHOW)) if isinstance(item.value, str) else ""
                self.error(
                    item.loc, f"'show' entries must be {_or_list(SHOW)}, got {_got(item)}{hint}"
                )
                ok = False
        values = tuple(item.value for item in items)
        return values if ok and self._unique(key, y, values) else _BAD

    def _numbers(self, key: Key, y: YNode, reader: Any) -> Any:
        items = self._list(key, y, "numbers", "number")
        if items is _BAD:
            return _BAD
        values = [reader(key, item) for item in items]
        return _BAD if _BAD in values else tuple(values)

    def read_positives(self, key: Key, y: YNode) -> Any:
        return self._numbers(key, y, self._each_positive)

    def _each_positive(self, key: Key, y: YNode) -> Any:
        if _is_number(y) and y.value > 0:
            return float(y.value)
        self.error(y.loc, f"each of '{key.name}' must be a number > 0, got {_got(y)}")
        return _BAD

    def read_numbers(self, key: Key, y: YNode) -> Any:
        return self._numbers(key, y, self._each_number)

    def _each_number(self, key: Key, y: YNode) -> Any:
        if _is_number(y):
            return float(y.value)
        self.error(y.loc, f"each of '{key.name}' must be a number, got {_got(y)}")
        return _BAD

    # -- the spec --

    def spec(self, root: YNode) -> Spec:
        if root.kind != "map":
            got = "a list" if root.kind == "seq" else _got(root)
            if isinstance(root.value, str) and len(root.value) > 40:  # quote no file's content
                got = f"a text of {len(root.value)} characters"
            raise SpecErrors.one(root.loc, f"expected a mapping for the spec, got {got}")
        names = [k.name for k in TOP_KEYS]
        if root.value and not any(
            k.value in names or _suggest(k.value, names) for k, _ in root.value
        ):
            raise SpecErrors.one(  # a config file, say: list none of its keys
                root.loc,
                "not a tierdraw spec: none of its keys is a spec key; a spec is a mapping with"
                " 'title' and one of 'columns', 'tiers' or 'matrix'",
            )
        f = self.fields(root, TOP_KEYS, "the spec")
        top = self.simple(f, TOP_KEYS)

        present = [k for k in LAYOUT_KEYS if k in f]
        if len(present) != 1:
            loc = root.loc if not present else f[present[1]][0].loc
            self.error(loc, "use exactly one of 'columns', 'tiers' or 'matrix'")

        scores = self.scores(f["scores"][1]) if "scores" in f else None
        direction = top.get("direction", "right")
        if "tiers" in f:
            if direction == "right" and "direction" in f:
                self.error(
                    f["direction"][1].loc,
                    "'direction' must be down with 'tiers' (tiers are stacked);"
                    " use 'columns' for lanes side by side",
                )
            direction = "down"
        if "matrix" in f:
            for name in ("direction", "flow", "scores", "composite"):
                if name in f:
                    self.error(
                        f[name][0].loc,
                        f"'{name}' does not apply to a matrix; remove it"
                        + (
                            " (a matrix has its own 'range' and 'total')"
                            if name == "scores"
                            else ""
                        ),
                    )

        lanes: tuple[NodeSpec, ...] = ()
        for name in ("columns", "tiers"):
            if name in f:
                parsed = self.node_list(f[name][1], name, None, 0)
                lanes = lanes or parsed
        matrix = self.matrix(f["matrix"][1]) if "matrix" in f else None
        composite = None
        if "composite" in f:
            composite = self.node(f["composite"][1], None, None, 0, composite=True)
        canvas = self.canvas(f["canvas"][1]) if "canvas" in f else Canvas("auto")

        self.fail()
        return Spec(
            path=self.path,
            title=top["title"],
            subtitle=top.get("subtitle"),
            footnote=top.get("footnote"),
            version=top.get("version", 1),
            theme=top.get("theme", "blue-grey"),
            theme_loc=f["theme"][1].loc if "theme" in f else None,
            variants=top.get("variants", ()),
            variant_locs=(
                tuple(item.loc for item in f["variants"][1].value)
                if "variants" in f and f["variants"][1].kind == "seq"
                else ()
            ),
            canvas=canvas,
            canvas_loc=f["canvas"][1].loc if "canvas" in f else None,
            direction=direction,
            flow=top.get("flow", "none"),
            lanes=lanes,
            matrix=matrix,
            scores=scores,
            composite=composite,
        )

    def canvas(self, y: YNode) -> Canvas:
        if y.kind == "scalar" and y.value in CANVAS_NAMES and isinstance(y.value, str):
            if y.value == "auto":
                return Canvas("auto")
            width, height = CANVAS_PRESETS[y.value]
            return Canvas(y.value, float(width), float(height))
        if y.kind == "map":
            f = self.fields(y, CANVAS_KEYS, "canvas")
            size = self.simple(f, CANVAS_KEYS)
            if "width" in size and "height" in size:
                return Canvas("custom", size["width"], size["height"])
            return Canvas("auto")
        self.error(
            y.loc,
            f"canvas must be {', '.join(CANVAS_NAMES)} or {{width, height}}, got {_got(y)}",
        )
        return Canvas("auto")

    def scores(self, y: YNode) -> ScoreSettings:
        if y.kind != "map":
            self.error(y.loc, f"'scores' must be a mapping of score settings, got {_got(y)}")
            return ScoreSettings()
        f = self.fields(y, SCORES_KEYS, "scores")
        values = self.simple(f, SCORES_KEYS)
        settings = ScoreSettings(**values)
        self.score_range = settings.range
        return settings

    # -- nodes --

    def node_list(self, y: YNode, key: str, parent: str | None, tier: int) -> tuple[NodeSpec, ...]:
        what = "lanes" if tier == 0 else "nodes"
        items = self._list(Key(key, "", ""), y, what, "lane" if tier == 0 else None)
        if items is _BAD:
            return ()
        if tier >= MAX_NODE_DEPTH:
            self.error(
                y.loc,
                f"nodes nest at most {MAX_NODE_DEPTH} levels deep; these 'items' would be"
                f" level {tier + 1}: flatten the hierarchy",
            )
            return ()
        out = []
        for index, child in enumerate(items, 1):
            node = self.node(child, parent, index, tier)
            if node is not None:
                out.append(node)
        return tuple(out)

    def node(
        self,
        y: YNode,
        parent: str | None,
        index: int | None,
        tier: int,
        composite: bool = False,
    ) -> NodeSpec | None:
        def context(label: str | None) -> str:
            if composite:
                return "composite"
            noun = "lane" if parent is None else "node"
            own = f"{noun} '{_short(label)}'" if label else f"{noun} {index}"
            return own if parent is None else f"{own} of {parent}"

        self.node_count += 1
        if self.node_count > MAX_NODES:
            if self.node_count == MAX_NODES + 1:
                self.error(y.loc, f"too many nodes: the limit is {MAX_NODES}; split the diagram")
            return None
        label_key = NODE_KEYS[0]
        if y.kind == "scalar" and isinstance(y.value, str):
            label = self.read_label(label_key, y)
            if label is _BAD:
                return None
            return NodeSpec(loc=y.loc, label=label, key_locs=(("label", y.loc),))
        if y.kind != "map":
            self.error(
                y.loc,
                f"{context(None)} must be a label or a mapping of node keys, got {_got(y)}"
                + (
                    " (quote it to use it as a label)"
                    if y.kind == "scalar" and y.value is not None
                    else ""
                ),
            )
            return None

        label_node = y.get("label")
        label = self.read_label(label_key, label_node) if label_node is not None else None
        ctx = context(None if label is _BAD else label)
        table = COMPOSITE_KEYS if composite else NODE_KEYS
        is_operator = y.get("operator") is not None
        f = self.fields(
            y,
            table,
            ctx,
            None if composite else _MISPLACED_IN_NODE,
            () if is_operator else ("label",),
        )
        f.pop("label", None)
        values = self.simple(f, table)
        if label is not None and label is not _BAD:
            values["label"] = label

        if is_operator:
            self.check_operator(f, ctx, composite)
        if (
            "grid_columns" in f
            and values.get("layout", "grid" if "layout" in f else None) != "grid"
        ):
            self.error(
                f["grid_columns"][1].loc,
                "'grid_columns' only applies with 'layout: grid'; set 'layout: grid'"
                " or remove 'grid_columns'",
            )
        if "score" in values:
            self.check_score(values["score"], f["score"][1])

        items: tuple[NodeSpec, ...] = ()
        if "items" in f and "operator" not in f:
            items = self.node_list(f["items"][1], "items", ctx, tier + 1)
        if "formula" in values:
            node = f["formula"][1]
            loc = node.loc
            values["formula_loc"] = Loc(loc.file, loc.line, loc.col + 1) if node.quoted else loc
        key_locs = [("label", label_node.loc)] if label_node is not None else []
        key_locs += [(name, v.loc) for name, (_, v) in f.items()]
        return NodeSpec(loc=y.loc, items=items, key_locs=tuple(key_locs), **values)

    def check_operator(self, f: _Fields, ctx: str, composite: bool) -> None:
        if composite:
            self.error(f["operator"][0].loc, "the composite node cannot be an operator")
            return
        for name, (k, _) in f.items():
            if name not in OPERATOR_KEYS:
                self.error(
                    k.loc,
                    f"'{name}' is not allowed on operator {ctx}; an operator node takes only"
                    f" {_or_list(OPERATOR_KEYS)}",
                )

    def check_score(self, score: float, y: YNode) -> None:
        lo, hi = self.score_range
        if not lo <= score <= hi:
            self.error(
                y.loc,
                f"'score' must be within the score range [{_fmt(lo)}, {_fmt(hi)}], got {_got(y)}",
            )

    # -- matrix --

    def matrix(self, y: YNode) -> MatrixSpec | None:
        if y.kind != "map":
            self.error(
                y.loc, f"'matrix' must be a mapping with 'criteria' and 'rows', got {_got(y)}"
            )
            return None
        f = self.fields(y, MATRIX_KEYS, "matrix")
        values = self.simple(f, MATRIX_KEYS)
        criteria: tuple[str, ...] | None = values.get("criteria")
        if criteria is not None and not self._unique(MATRIX_KEYS[0], f["criteria"][1], criteria):
            criteria = None
        weights = values.get("weights")
        if criteria is not None and weights is not None and len(weights) != len(criteria):
            self.error(
                f["weights"][1].loc,
                f"'weights' has {_count(len(weights), 'number')} but there are"
                f" {_count(len(criteria), 'criterion', 'criteria')}; give one weight per criterion",
            )
        range_ok = "range" in values or "range" not in f
        lo, hi = values.get("range", DEFAULT_MATRIX_RANGE)
        rows: list[MatrixRow] = []
        if "rows" in f:
            entries = self._list(MATRIX_KEYS[3], f["rows"][1], "rows", "row")
            for index, entry in enumerate(entries if entries is not _BAD else (), 1):
                row = self.row(entry, index, criteria, (lo, hi) if range_ok else None)
                if row is not None:
                    rows.append(row)
        if criteria is None:
            return None
        options = {k: v for k, v in values.items() if k in ("weights", "range", "total")}
        return MatrixSpec(loc=y.loc, criteria=criteria, rows=tuple(rows), **options)

    def row(
        self,
        y: YNode,
        index: int,
        criteria: tuple[str, ...] | None,
        bounds: tuple[float, float] | None,
    ) -> MatrixRow | None:
        if y.kind != "map":
            self.error(
                y.loc,
                f"row {index} of matrix must be a mapping with 'label' and 'scores', got {_got(y)}",
            )
            return None
        label_node = y.get("label")
        label = self.read_label(ROW_KEYS[0], label_node) if label_node is not None else None
        name = f"'{_short(label)}'" if label and label is not _BAD else str(index)
        ctx = f"row {name} of matrix"
        f = self.fields(y, ROW_KEYS, ctx)
        f.pop("label", None)
        values = self.simple(f, ROW_KEYS)
        scores = values.get("scores")
        if scores is None:
            return None
        if criteria is not None and len(scores) != len(criteria):
            self.error(
                f["scores"][1].loc,
                f"{ctx} has {_count(len(scores), 'score')} but there are"
                f" {_count(len(criteria), 'criterion', 'criteria')}; give one score per criterion",
            )
            return None
        if bounds is not None and criteria is not None:
            lo, hi = bounds
            for score, node, criterion in zip(scores, f["scores"][1].value, criteria, strict=True):
                if not lo <= score <= hi:
                    self.error(
                        node.loc,
                        f"score {_got(node)} for '{_short(criterion)}' is outside the matrix"
                        f" range [{_fmt(lo)}, {_fmt(hi)}]",
                    )
        if label is None or label is _BAD:
            return None
        return MatrixRow(loc=y.loc, label=label, scores=scores, id=values.get("id"))
