"""Conditions to and from JSON Logic (jsonlogic.com, the format pretix and Novu use).

One condition node is one JSON Logic operation; ``{"var": field}`` names the field:

============  ==============================================
eq / neq      ``{"==": [{"var": f}, v]}`` / ``{"!=": [...]}``
gt lt gte lte ``{">": [{"var": f}, v]}``, ``"<"``, ``">="``, ``"<="``
in            ``{"in": [{"var": f}, [v1, v2]]}``
notIn         ``{"!": {"in": [{"var": f}, [v1, v2]]}}``
contains      ``{"in": [v, {"var": f}]}`` (substring)
empty         ``{"empty": [{"var": f}]}``, a custom operation
notEmpty      ``{"!": {"empty": [{"var": f}]}}``
and / or      ``{"and": [...]}`` / ``{"or": [...]}``
============  ==============================================

``empty`` is not standard: a JSON Logic engine must register it as "null, missing, a
whitespace-only string or an empty array". A missing condition is ``true``. A compound without
children (true here) is ``{"and": [true]}`` (or ``"or"``), true in every engine; engines disagree
on an empty ``and``/``or`` (json-logic-js returns undefined, so false), so that is refused.

The mapping is structural: the meaning stays ours (``==`` compares case-insensitively here).
Round trips are exact on canonical conditions (``validation.canonical``: every key present,
``value`` null for empty/notEmpty); ``from_json_logic(to_json_logic(c)) == canonical(c)`` for any
valid ``c``. ``from_json_logic`` also takes ``{"var": [f]}`` and ``{"!": [x]}``, the other
spellings JSON Logic allows, and gives back the ones above.
"""

import math
from collections.abc import Mapping
from typing import Any, NoReturn

from .operators import MAX_DEPTH, MAX_NODES
from .validation import condition_problems, copy_value

_BINARY = {"eq": "==", "neq": "!=", "gt": ">", "lt": "<", "gte": ">=", "lte": "<="}
_FROM_BINARY = {symbol: name for name, symbol in _BINARY.items()}

Path = tuple[str | int, ...]


def to_json_logic(condition: Mapping[str, Any] | None) -> Any:
    """The JSON Logic expression of a valid condition; ``ValueError`` lists what makes it invalid."""
    problems = condition_problems(condition)
    if problems:
        details = "; ".join(f"{_where(path)}: {message}" for path, message in problems)
        raise ValueError(f"not a valid condition: {details}")
    return True if condition is None else _to(condition)


def _to(condition: Mapping[str, Any]) -> Any:
    if condition["type"] == "compound":
        return {condition["operator"]: [_to(child) for child in condition["conditions"]] or [True]}
    var = {"var": condition["field"]}
    operator = condition["operator"]
    value = copy_value(condition.get("value"))
    if operator in _BINARY:
        return {_BINARY[operator]: [var, value]}
    if operator == "in":
        return {"in": [var, value]}
    if operator == "notIn":
        return {"!": {"in": [var, value]}}
    if operator == "contains":
        return {"in": [value, var]}
    if operator == "empty":
        return {"empty": [var]}
    return {"!": {"empty": [var]}}  # notEmpty, the last operator condition_problems lets through


def from_json_logic(expr: Any) -> dict[str, Any] | None:
    """The canonical condition of a JSON Logic expression in the subset above.

    ``ValueError`` names where (a path into ``expr``) and why anything else is refused.
    """
    if expr is True:
        return None
    return _Reader().condition(expr, (), 1)


class _Reader:
    def __init__(self) -> None:
        self.nodes = 0

    def condition(self, expr: Any, path: Path, depth: int) -> dict[str, Any]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            _refuse((), f"has more than {MAX_NODES} conditions; the limit is {MAX_NODES}")
        if depth > MAX_DEPTH:
            _refuse(path, f"nests deeper than {MAX_DEPTH} levels; the limit is {MAX_DEPTH}")
        if expr is True:
            _refuse(path, "true stands only for a whole missing condition or alone in an and/or")
        name, args = _operation(expr, path)
        here = (*path, name)
        if name in ("and", "or"):
            return self.compound(name, args, here, depth)
        if name in _FROM_BINARY:
            field, value = _var_and_literal(args, here)
            return _simple(field, _FROM_BINARY[name], value)
        if name == "in":
            return _membership(args, here)
        if name == "empty":
            return _simple(_field(*_unary(args, here)), "empty", None)
        if name == "!":
            return _negation(*_unary(args, here))
        _refuse(path, f"operation {name!r} is not supported")

    def compound(self, name: str, args: Any, path: Path, depth: int) -> dict[str, Any]:
        if not isinstance(args, list):
            _refuse(path, "must be a list")
        if not args:
            _refuse(path, f"an empty {name} means false to some engines and true to others; write [true] for true")
        children = [] if len(args) == 1 and args[0] is True else args
        return {
            "type": "compound",
            "operator": name,
            "conditions": [self.condition(child, (*path, index), depth + 1) for index, child in enumerate(children)],
        }


def _simple(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def _membership(args: Any, path: Path) -> dict[str, Any]:
    pair = _pair(args, path)
    if _is_var(pair[0]):
        field, values = _var_and_literal(args, path)
        if not isinstance(values, list):
            _refuse((*path, 1), "must be a list when the field comes first (in)")
        return _simple(field, "in", values)
    if _is_var(pair[1]):
        return _simple(_field(pair[1], (*path, 1)), "contains", _literal(pair[0], (*path, 0)))
    _refuse(path, 'one operand must be {"var": field}')


def _negation(inner: Any, path: Path) -> dict[str, Any]:
    name, args = _operation(inner, path)
    if name == "empty":
        return _simple(_field(*_unary(args, (*path, name))), "notEmpty", None)
    if name == "in":
        negated = _membership(args, (*path, name))
        if negated["operator"] == "in":
            negated["operator"] = "notIn"
            return negated
    _refuse(path, '"!" is supported only around {"in": [{"var": field}, [...]]} and {"empty": ...}')


def _operation(expr: Any, path: Path) -> tuple[str, Any]:
    if not isinstance(expr, Mapping) or len(expr) != 1:
        _refuse(path, "must be an object with exactly one operation")
    ((name, args),) = expr.items()
    return name, args


def _unary(args: Any, path: Path) -> tuple[Any, Path]:
    """The one operand of a unary operation, which JSON Logic lets stand alone or in a list."""
    if isinstance(args, list):
        if len(args) != 1:
            _refuse(path, "takes exactly one operand")
        return args[0], (*path, 0)
    return args, path


def _pair(args: Any, path: Path) -> list[Any]:
    if not isinstance(args, list) or len(args) != 2:
        _refuse(path, "takes a list of exactly two operands")
    return args


def _var_and_literal(args: Any, path: Path) -> tuple[str, Any]:
    first, second = _pair(args, path)
    if not _is_var(first):
        _refuse((*path, 0), 'must be {"var": field}')
    return _field(first, (*path, 0)), _literal(second, (*path, 1))


def _is_var(expr: Any) -> bool:
    return isinstance(expr, Mapping) and len(expr) == 1 and "var" in expr


def _field(expr: Any, path: Path) -> str:
    if not _is_var(expr):
        _refuse(path, 'must be {"var": field}')
    name, where = _unary(expr["var"], (*path, "var"))
    if not isinstance(name, str) or not name:
        _refuse(where, "must name a field with a non-empty string; defaults are not supported")
    if "." in name:
        _refuse(where, "must be a flat key; dot paths are not supported")
    return name


def _literal(expr: Any, path: Path) -> Any:
    if expr is None or isinstance(expr, bool | int | str):
        return expr
    if isinstance(expr, float):
        if not math.isfinite(expr):
            _refuse(path, "must be a finite number")
        return expr
    if isinstance(expr, list):
        return [_literal(item, (*path, index)) for index, item in enumerate(expr)]
    _refuse(path, "must be a literal: null, a boolean, a number, a string or a list of these")


def _refuse(path: Path, reason: str) -> NoReturn:
    raise ValueError(f"{_where(path)}: {reason}")


def _where(path: Path) -> str:
    return "at the top level" if not path else "at " + "/".join(str(step) for step in path)
