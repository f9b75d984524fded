"""Path and query values arrive as text; turn each into the JSON value its schema asks for.

A value that does not fit is left as text, so validation reports it against the field.
"""

import json
import math
import re
from collections.abc import Callable
from typing import Any

Schema = dict[str, Any]
_INTEGER = re.compile(r"^[+-]?\d{1,30}$")


def kind_of(schema: Schema, resolve: Callable[[str], Schema]) -> tuple[str, Schema]:
    """The JSON type a parameter takes (the first non-null choice of a union) and its schema."""
    while "$ref" in schema:
        schema = resolve(schema["$ref"])
    for union in ("anyOf", "oneOf"):
        if union in schema:
            choices = [s for s in schema[union] if s.get("type") != "null"]
            if choices:
                return kind_of(choices[0], resolve)
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if "enum" in schema and "type" not in schema:
        kind = "string"
    return kind, schema


def _scalar(value: str, kind: str) -> Any:
    if kind == "integer" and _INTEGER.match(value):
        return int(value)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return value
        return number if math.isfinite(number) else value
    if kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind == "object":
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, dict) else value
    return value


def coerce(values: list[str], schema: Schema, resolve: Callable[[str], Schema]) -> Any:
    """One parameter's value from every occurrence in the query (or the one path segment)."""
    kind, resolved = kind_of(schema, resolve)
    if kind == "array":
        item_kind, _ = kind_of(resolved.get("items", {}), resolve)
        return [_scalar(v, item_kind) for v in values]
    return _scalar(values[-1], kind)
