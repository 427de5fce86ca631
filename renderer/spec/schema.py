"""A JSON Schema of the spec language, for editors' completion and squiggles.

It is generated from the parser's key tables and vocabularies, never written
by hand, so an editor can't accept a key the renderer rejects or miss one it
accepts. The parser stays the authority: some rules (unique ids, one score per
criterion, scores within range) are only checked there.
"""

from __future__ import annotations

from typing import Any

from renderer.spec import parse as p
from renderer.spec.model import OPERATORS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_Schema = dict[str, Any]


def _text() -> _Schema:
    return {"type": "string", "minLength": 1, "maxLength": p.MAX_TEXT}


def _number() -> _Schema:
    return {"type": "number"}


def _positive() -> _Schema:
    return {"type": "number", "exclusiveMinimum": 0}


def _list(items: _Schema, min_items: int = 0, unique: bool = False) -> _Schema:
    schema: _Schema = {"type": "array", "items": items, "maxItems": p.MAX_ITEMS}
    if min_items:
        schema["minItems"] = min_items
    if unique:
        schema["uniqueItems"] = True
    return schema


def _range() -> _Schema:
    return {"type": "array", "prefixItems": [_number(), _number()], "minItems": 2, "maxItems": 2}


def _fragment(key: p.Key) -> _Schema:
    """The schema of one key's value, chosen by the same `type` the parser dispatches on."""
    ref = {
        "lanes": "#/$defs/node",
        "nodes": "#/$defs/node",
        "composite": "#/$defs/composite",
        "matrix": "#/$defs/matrix",
        "scores": "#/$defs/scores",
        "canvas": "#/$defs/canvas",
        "rows": "#/$defs/row",
    }
    kind = key.type
    if kind == "lanes":
        return _list({"$ref": ref[kind]}, min_items=1)
    if kind in ("nodes", "rows"):
        return _list({"$ref": ref[kind]}, min_items=1 if kind == "rows" else 0)
    if kind in ref:
        return {"$ref": ref[kind]}
    fragments: dict[str, _Schema] = {
        "version": {"const": 1},
        "text": _text(),
        "label": _text(),
        "formula": _text(),
        "labels": _list(_text(), min_items=1 if key.required else 0),
        "names": _list(_text(), min_items=1, unique=True),
        "enum": {"enum": list(key.choices)},
        "show": _list({"enum": list(key.choices)}, unique=True),
        "id": {"type": "string", "pattern": f"^{p.ID_PATTERN}$", "maxLength": p.MAX_TEXT},
        "operator": {"enum": [*OPERATORS, *p.OPERATOR_ASCII]},
        "bool": {"type": "boolean"},
        "number": _number(),
        "positive": _positive(),
        "count": {"type": "integer", "minimum": 1, "maximum": p.MAX_ITEMS},
        "size": {"type": "number", "minimum": p.CANVAS_MIN, "maximum": p.CANVAS_MAX},
        "range": _range(),
        "positives": _list(_positive(), min_items=1),
        "numbers": _list(_number(), min_items=1),
    }
    return fragments[kind]


def _object(table: tuple[p.Key, ...], title: str) -> _Schema:
    properties = {k.name: {"description": k.doc, **_fragment(k)} for k in table}
    schema: _Schema = {
        "title": title,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    required = [k.name for k in table if k.required]
    if required:
        schema["required"] = required
    return schema


def _node_object(table: tuple[p.Key, ...], title: str, composite: bool = False) -> _Schema:
    """A node mapping, with the cross-key rules a schema can express."""
    schema = _object(table, title)
    if composite:
        schema["required"] = ["label"]
        schema["not"] = {"required": ["operator"]}
    else:
        schema["anyOf"] = [{"required": ["label"]}, {"required": ["operator"]}]
        schema["if"] = {"required": ["operator"]}
        schema["then"] = {"propertyNames": {"enum": list(p.OPERATOR_KEYS)}}
    schema["dependentSchemas"] = {
        "grid_columns": {"required": ["layout"], "properties": {"layout": {"const": "grid"}}}
    }
    return schema


def json_schema() -> dict[str, Any]:
    """The spec language as a draft 2020-12 JSON Schema."""
    top = _object(p.TOP_KEYS, "tierdraw spec, version 1")
    top["oneOf"] = [{"required": [name]} for name in p.LAYOUT_KEYS]
    canvas = _object(p.CANVAS_KEYS, "Custom canvas")
    return {
        "$schema": SCHEMA_DIALECT,
        **top,
        "$defs": {
            "node": {
                "description": "A box: a plain string is shorthand for {label: string}.",
                "anyOf": [_text(), {"$ref": "#/$defs/nodeObject"}],
            },
            "nodeObject": _node_object(p.NODE_KEYS, "Node"),
            "composite": _node_object(p.COMPOSITE_KEYS, "Composite node", composite=True),
            "scores": _object(p.SCORES_KEYS, "Score settings"),
            "matrix": _object(p.MATRIX_KEYS, "Scoring matrix"),
            "row": _object(p.ROW_KEYS, "Matrix row"),
            "canvas": {
                "description": "auto, a preset name, or {width, height} in px.",
                "anyOf": [{"enum": list(p.CANVAS_NAMES)}, canvas],
            },
        },
    }
