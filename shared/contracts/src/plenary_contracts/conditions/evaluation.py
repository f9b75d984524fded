"""Evaluation: a condition compiles once into a predicate over data dicts."""

import operator as op
from collections.abc import Callable, Mapping
from typing import Any

from ..enums import FieldDataType
from .dates import iso_to_epoch_ms
from .javascript import holds_nothing, js_number_or_zero, js_string, lowered_text
from .operators import COMPOUND_OPERATORS, Condition, Predicate

_DATE_TYPES = frozenset({FieldDataType.DATE.value, FieldDataType.DATETIME.value})


def _time_or_number(value: Any) -> float | int:
    if isinstance(value, str):
        time = iso_to_epoch_ms(value)
        if time is not None:
            return time
    return js_number_or_zero(value)


_UNTYPED, _DATED, _PLAIN = "untyped", "dated", "plain"
_MISSING_FIELD = object()  # a key no data dict holds: a malformed field reads as undefined


def _always_true(data: Mapping[str, Any]) -> bool:
    return True


def _always_false(data: Mapping[str, Any]) -> bool:
    return False


def _negated(predicate: Predicate) -> Predicate:
    def negated(data: Mapping[str, Any]) -> bool:
        return not predicate(data)

    return negated


def _compile_eq(field: Any, expected: Any, kind: str) -> Predicate:
    if expected is None:

        def is_null(data: Mapping[str, Any]) -> bool:
            return data.get(field) is None

        return is_null

    lowered = lowered_text(expected)
    expected_time = iso_to_epoch_ms(expected) if kind != _PLAIN and isinstance(expected, str) else None

    def equals(data: Mapping[str, Any]) -> bool:
        actual = data.get(field)
        if actual is None:
            return False
        if actual.__class__ is str:
            if actual == expected:
                return True
            if expected_time is not None:
                time = iso_to_epoch_ms(actual)
                if time is not None:
                    return time == expected_time
            return actual.lower() == lowered
        return js_string(actual).lower() == lowered

    return equals


def _compile_neq(field: Any, expected: Any, kind: str) -> Predicate:
    return _negated(_compile_eq(field, expected, kind))


def _compile_empty(field: Any, expected: Any, kind: str) -> Predicate:
    def is_empty(data: Mapping[str, Any]) -> bool:
        return holds_nothing(data.get(field))

    return is_empty


def _compile_not_empty(field: Any, expected: Any, kind: str) -> Predicate:
    def is_not_empty(data: Mapping[str, Any]) -> bool:
        return not holds_nothing(data.get(field))

    return is_not_empty


def _ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any, str], Predicate]:
    def compile_ordering(field: Any, expected: Any, kind: str) -> Predicate:
        if kind == _DATED:
            expected_value = _time_or_number(expected)

            def compares_as_times(data: Mapping[str, Any]) -> bool:
                return compare(_time_or_number(data.get(field)), expected_value)

            return compares_as_times

        expected_number = js_number_or_zero(expected)
        expected_time = iso_to_epoch_ms(expected) if kind == _UNTYPED and isinstance(expected, str) else None
        if expected_time is not None:

            def compares_iso_strings_as_times(data: Mapping[str, Any]) -> bool:
                actual = data.get(field)
                if isinstance(actual, str):
                    time = iso_to_epoch_ms(actual)
                    if time is not None:
                        return compare(time, expected_time)
                return compare(js_number_or_zero(actual), expected_number)

            return compares_iso_strings_as_times

        def compares_as_numbers(data: Mapping[str, Any]) -> bool:
            return compare(js_number_or_zero(data.get(field)), expected_number)

        return compares_as_numbers

    return compile_ordering


def _compile_contains(field: Any, expected: Any, kind: str) -> Predicate:
    # String(actual ?? "") holds String(value): a missing actual reads as "", a null value as "null".
    needle = lowered_text(expected)

    def contains(data: Mapping[str, Any]) -> bool:
        actual = data.get(field)
        return needle in ("" if actual is None else lowered_text(actual))

    return contains


def _compile_in(field: Any, expected: Any, kind: str) -> Predicate:
    if not isinstance(expected, list | tuple):
        return _always_false
    has_null = any(item is None for item in expected)
    candidates = frozenset(lowered_text(item) for item in expected if item is not None)

    def is_in(data: Mapping[str, Any]) -> bool:
        actual = data.get(field)
        if actual is None:
            return has_null
        return lowered_text(actual) in candidates

    return is_in


def _compile_not_in(field: Any, expected: Any, kind: str) -> Predicate:
    return _negated(_compile_in(field, expected, kind))


_COMPILERS: dict[str, Callable[[Any, Any, str], Predicate]] = {
    "eq": _compile_eq,
    "neq": _compile_neq,
    "empty": _compile_empty,
    "notEmpty": _compile_not_empty,
    "gt": _ordering(op.gt),
    "lt": _ordering(op.lt),
    "gte": _ordering(op.ge),
    "lte": _ordering(op.le),
    "contains": _compile_contains,
    "in": _compile_in,
    "notIn": _compile_not_in,
}


def _field_kind(field_types: Mapping[str, str] | None, field: Any) -> str:
    field_type = field_types.get(field) if field_types is not None and isinstance(field, str) else None
    if field_type is None:
        return _UNTYPED
    return _DATED if str(field_type).upper() in _DATE_TYPES else _PLAIN


def _compile_simple(condition: Condition, field_types: Mapping[str, str] | None) -> Predicate:
    operator = condition.get("operator")
    compile_operator = _COMPILERS.get(operator) if isinstance(operator, str) else None
    if compile_operator is None:
        return _always_true
    field = condition.get("field")
    if not isinstance(field, str):
        field = _MISSING_FIELD
    return compile_operator(field, condition.get("value"), _field_kind(field_types, field))


def _compile_compound(condition: Condition, field_types: Mapping[str, str] | None) -> Predicate:
    children = condition.get("conditions")
    mode = condition.get("operator")
    if not isinstance(children, list | tuple) or not children or mode not in COMPOUND_OPERATORS:
        return _always_true
    predicates = tuple([compile_condition(child, field_types) for child in children])
    if len(predicates) == 1:
        return predicates[0]

    if mode == "and":

        def all_hold(data: Mapping[str, Any]) -> bool:
            for predicate in predicates:
                if not predicate(data):
                    return False
            return True

        return all_hold

    def any_holds(data: Mapping[str, Any]) -> bool:
        for predicate in predicates:
            if predicate(data):
                return True
        return False

    return any_holds


def compile_condition(condition: Condition | None, field_types: Mapping[str, str] | None = None) -> Predicate:
    """A predicate over data dicts, with every constant of the condition worked out once."""
    if condition.__class__ is not dict and not isinstance(condition, Mapping):
        return _always_true
    if condition.get("type") == "compound":
        return _compile_compound(condition, field_types)
    return _compile_simple(condition, field_types)


def evaluate(
    condition: Condition | None, data: Mapping[str, Any], field_types: Mapping[str, str] | None = None
) -> bool:
    """Whether ``data`` satisfies ``condition``; compile once with ``compile_condition`` to repeat."""
    return compile_condition(condition, field_types)(data)
