"""Validation: what is wrong with a condition, and the one canonical spelling of a valid one."""

import math
from collections.abc import Mapping
from typing import Any

from .operators import COMPOUND_OPERATORS, MAX_DEPTH, MAX_NODES, OPERATORS, Condition, Problem, allowed_operators

_SIMPLE_KEYS = frozenset({"type", "field", "operator", "value"})
_COMPOUND_KEYS = frozenset({"type", "operator", "conditions"})
_VALUELESS = frozenset({"empty", "notEmpty"})


def condition_problems(condition: Any, field_types: Mapping[str, str] | None = None) -> list[Problem]:
    """What is wrong with a condition, as (location inside it, message); empty when it is valid.

    ``None`` is valid (always true). Fields unknown to ``field_types`` are fine: extras are free-form.
    """
    if condition is None:
        return []
    problems: list[Problem] = []
    _check_node(condition, (), 1, field_types or {}, problems, [0])
    return problems


def _check_node(
    node: Any,
    path: tuple[str | int, ...],
    depth: int,
    field_types: Mapping[str, str],
    problems: list[Problem],
    seen: list[int],
) -> None:
    seen[0] += 1
    if seen[0] == MAX_NODES + 1:
        problems.append(((), f"has more than {MAX_NODES} conditions; the limit is {MAX_NODES}"))
    if seen[0] > MAX_NODES:
        return
    if depth > MAX_DEPTH:
        problems.append((path, f"nests deeper than {MAX_DEPTH} levels; the limit is {MAX_DEPTH}"))
        return
    if not isinstance(node, Mapping):
        problems.append((path, "must be an object"))
        return
    kind = node.get("type")
    if kind == "simple":
        _check_simple(node, path, field_types, problems)
    elif kind == "compound":
        _check_compound(node, path, depth, field_types, problems, seen)
    else:
        problems.append(((*path, "type"), "must be 'simple' or 'compound'"))


def _check_keys(node: Mapping[str, Any], allowed: frozenset[str], path: tuple[str | int, ...]) -> list[Problem]:
    return [
        ((*path, key if isinstance(key, str) else repr(key)), f"is not a key of a {node['type']} condition")
        for key in node
        if key not in allowed
    ]


def _check_simple(
    node: Mapping[str, Any], path: tuple[str | int, ...], field_types: Mapping[str, str], problems: list[Problem]
) -> None:
    problems.extend(_check_keys(node, _SIMPLE_KEYS, path))
    field = node.get("field")
    if not isinstance(field, str) or not field:
        problems.append(((*path, "field"), "must be a non-empty string"))
    elif "." in field:
        problems.append(((*path, "field"), "must be a flat key, without dots"))
    operator = node.get("operator")
    if not isinstance(operator, str) or operator not in OPERATORS:
        problems.append(((*path, "operator"), f"must be one of {', '.join(OPERATORS)}"))
    elif isinstance(field, str) and field in field_types:
        allowed = allowed_operators(field_types[field])
        if operator not in allowed:
            problems.append(
                (
                    (*path, "operator"),
                    f"{operator} is not allowed for a {field_types[field]} field; use one of {', '.join(allowed)}",
                )
            )
    value = node.get("value")
    if operator in ("in", "notIn") and not isinstance(value, list):
        problems.append(((*path, "value"), f"must be a list for {operator}"))
    problems.extend(_check_value(value, (*path, "value")))


def _check_value(value: Any, path: tuple[str | int, ...]) -> list[Problem]:
    if value is None or isinstance(value, bool | int | str):
        return []
    if isinstance(value, float):
        return [] if math.isfinite(value) else [(path, "must be a finite number")]
    if isinstance(value, list):
        return [problem for index, item in enumerate(value) for problem in _check_value(item, (*path, index))]
    return [(path, "must be null, a boolean, a number, a string or a list of these")]


def _check_compound(
    node: Mapping[str, Any],
    path: tuple[str | int, ...],
    depth: int,
    field_types: Mapping[str, str],
    problems: list[Problem],
    seen: list[int],
) -> None:
    problems.extend(_check_keys(node, _COMPOUND_KEYS, path))
    if node.get("operator") not in COMPOUND_OPERATORS:
        problems.append(((*path, "operator"), "must be 'and' or 'or'"))
    children = node.get("conditions")
    if not isinstance(children, list):
        problems.append(((*path, "conditions"), "must be a list"))
        return
    for index, child in enumerate(children):
        _check_node(child, (*path, "conditions", index), depth + 1, field_types, problems, seen)


def canonical(condition: Condition | None) -> dict[str, Any] | None:
    """A valid condition in its one canonical spelling: every key present, no value for empty/notEmpty.

    A missing ``value`` reads as null everywhere and empty/notEmpty ignore it, so this changes
    no outcome; it is what a round trip through JSON Logic returns.
    """
    if condition is None:
        return None
    if condition["type"] == "compound":
        return {
            "type": "compound",
            "operator": condition["operator"],
            "conditions": [canonical(child) for child in condition["conditions"]],
        }
    operator = condition["operator"]
    return {
        "type": "simple",
        "field": condition["field"],
        "operator": operator,
        "value": None if operator in _VALUELESS else copy_value(condition.get("value")),
    }


def copy_value(value: Any) -> Any:
    """A copy of a JSON value whose lists can be changed without touching the original."""
    return [copy_value(item) for item in value] if isinstance(value, list) else value
