"""The condition language of conditional routing, auto-action rules and saved views (P3-02).

A condition is plain JSON: ``{"type": "simple", "field", "operator", "value"}`` or
``{"type": "compound", "operator": "and" | "or", "conditions": [...]}`` nested to any depth.
``field`` is a flat key into the data dict (a missing key behaves like JavaScript ``undefined``,
which here is the same as ``None``).

Evaluation emulates the original's JavaScript coercion: ``eq`` compares ``String()`` forms
case-insensitively, numeric operators use ``Number()`` with NaN read as 0, and so on (see
``js_string`` and ``js_number``). A missing condition, a compound without children, an unknown
operator and any malformed node are true, as in the original; ``condition_problems`` refuses
the malformed ones at write time.

One deliberate fix: ISO 8601 dates compare as times. For a field typed DATE or DATETIME,
eq/neq/gt/lt/gte/lte read each side that is an ISO date or datetime string as epoch
milliseconds (a date alone is midnight UTC, a datetime without offset is UTC); a side that
does not parse keeps the JavaScript coercion. When the field's type is unknown, the same
applies when both operands are ISO date strings. A field of any other known type keeps the
original coercion.
"""

import math
import operator as op
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from plenary_contracts.enums import FieldDataType

OPERATORS: tuple[str, ...] = (
    "eq",
    "neq",
    "empty",
    "notEmpty",
    "gt",
    "lt",
    "gte",
    "lte",
    "contains",
    "in",
    "notIn",
)
COMPOUND_OPERATORS: tuple[str, ...] = ("and", "or")
MAX_DEPTH = 10
MAX_NODES = 100

Condition = Mapping[str, Any]
Predicate = Callable[[Mapping[str, Any]], bool]
Problem = tuple[tuple[str | int, ...], str]

# --- JavaScript coercion -------------------------------------------------------------------

# ECMAScript WhiteSpace and LineTerminator, what String.prototype.trim() and Number() strip.
# Not str.strip()'s set: Python also strips \x1c-\x1f and \x85 and keeps \ufeff.
_JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    map(chr, range(0x2000, 0x200B))
)
_DECIMAL_LITERAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX_LITERAL = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_RADIX = {"x": 16, "o": 8, "b": 2}
_EXACT_INT = 2**53  # below this every integer is a double and prints as its digits


def js_string(value: Any) -> str:
    """JavaScript ``String(value)``; ``None`` is ``null`` (an undefined array element joins as "")."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value) if -_EXACT_INT < value < _EXACT_INT else _number_to_string(_int_to_float(value))
    if isinstance(value, float):
        return _number_to_string(value)
    if isinstance(value, list | tuple):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, Mapping):
        return "[object Object]"
    return str(value)


def js_number(value: Any) -> float:
    """JavaScript ``Number(value)``, NaN included."""
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, int):
        return _int_to_float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return _string_to_number(value)
    if isinstance(value, list | tuple):
        return _string_to_number(js_string(value))
    return math.nan


def _number(value: Any) -> float | int:
    """``Number(value)`` with NaN read as 0, as the original compares; ints stay ints when exact."""
    if value.__class__ is int and -_EXACT_INT < value < _EXACT_INT:
        return value
    number = js_number(value)
    return 0 if number != number else number


def _int_to_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _string_to_number(text: str) -> float:
    text = text.strip(_JS_WHITESPACE)
    if not text:
        return 0.0
    if _DECIMAL_LITERAL.fullmatch(text):
        if text.endswith("Infinity"):
            return -math.inf if text[0] == "-" else math.inf
        return float(text)
    if _RADIX_LITERAL.fullmatch(text):
        return _int_to_float(int(text[2:], _RADIX[text[1].lower()]))
    return math.nan


def _number_to_string(value: float) -> str:
    """ECMAScript Number::toString: shortest round-trip digits, exponent outside 1e-7..1e21."""
    if value != value:
        return "NaN"
    if value == 0:
        return "0"
    if value < 0:
        return "-" + _number_to_string(-value)
    if value == math.inf:
        return "Infinity"
    if value < _EXACT_INT and value.is_integer():
        return str(int(value))
    # repr() gives the same shortest digits; only the layout differs.
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)  # value = 0.digits * 10**point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return digits + "0" * (point - count)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    sign = "+" if point > 0 else "-"
    head = digits[0] if count == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(point - 1)}"


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip(_JS_WHITESPACE)
    if isinstance(value, list | tuple):
        return not value
    return False


def _lowered(value: Any) -> str:
    return (value if value.__class__ is str else js_string(value)).lower()


# --- ISO 8601 dates (the DATE fix) ------------------------------------------------------------

_ISO_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?"
    r"([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DATE_TYPES = frozenset({FieldDataType.DATE.value, FieldDataType.DATETIME.value})


def iso_to_epoch_ms(text: str) -> float | None:
    """Epoch milliseconds of an ISO 8601 date or datetime; a date is midnight UTC, no offset is UTC."""
    if len(text) < 10 or text[4] != "-":
        return None
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        days = date(int(year), int(month), int(day)).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        return None
    ms = days * 86_400_000.0
    if hour is None:
        return ms
    hours, minutes, seconds = int(hour), int(minute), int(second or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    ms += ((hours * 60 + minutes) * 60 + seconds) * 1000
    if fraction:
        ms += float("0." + fraction) * 1000
    if offset is not None and offset not in ("Z", "z"):
        offset_hours, offset_minutes = int(offset[1:3]), int(offset[-2:]) if len(offset) > 3 else 0
        if offset_hours > 23 or offset_minutes > 59:
            return None
        shift = (offset_hours * 60 + offset_minutes) * 60_000
        ms += -shift if offset[0] == "+" else shift
    return ms


def _time_or_number(value: Any) -> float | int:
    if isinstance(value, str):
        time = iso_to_epoch_ms(value)
        if time is not None:
            return time
    return _number(value)


# --- Operators allowed by field type ----------------------------------------------------------

_BASE = ("eq", "neq", "empty", "notEmpty")
_ORDERED = (*_BASE, "gt", "lt", "gte", "lte")
_CHOICE = (*_BASE, "in", "notIn")
_TEXTUAL = (*_BASE, "contains", "in", "notIn")
_OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("NUMBER", "DECIMAL", "INTEGER", "CURRENCY", "DATE", "DATETIME"), _ORDERED),
    **dict.fromkeys(("BOOLEAN", "TOGGLE"), _BASE),
    **dict.fromkeys(("SELECT", "RADIO", "DROPDOWN", "ENUM"), _CHOICE),
    **dict.fromkeys(("MULTI_SELECT", "CHECKBOX_GROUP", "MULTI_ENUM"), _TEXTUAL),
}


def allowed_operators(field_type: str | None) -> tuple[str, ...]:
    """The operators a field of this type may use; every operator when the type is unknown.

    Takes the original's type names (NUMBER, SELECT, TOGGLE...) and ours (FieldDataType):
    ENUM is read as SELECT, MULTI_ENUM as MULTI_SELECT; any other type gets the "Others" row.
    """
    if field_type is None:
        return OPERATORS
    return _OPERATORS_BY_TYPE.get(str(field_type).upper(), _TEXTUAL)


# --- Compilation ------------------------------------------------------------------------------

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

    lowered = _lowered(expected)
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
        return _is_empty(data.get(field))

    return is_empty


def _compile_not_empty(field: Any, expected: Any, kind: str) -> Predicate:
    def is_not_empty(data: Mapping[str, Any]) -> bool:
        return not _is_empty(data.get(field))

    return is_not_empty


def _ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any, str], Predicate]:
    def compile_ordering(field: Any, expected: Any, kind: str) -> Predicate:
        if kind == _DATED:
            expected_value = _time_or_number(expected)

            def compares_as_times(data: Mapping[str, Any]) -> bool:
                return compare(_time_or_number(data.get(field)), expected_value)

            return compares_as_times

        expected_number = _number(expected)
        expected_time = iso_to_epoch_ms(expected) if kind == _UNTYPED and isinstance(expected, str) else None
        if expected_time is not None:

            def compares_iso_strings_as_times(data: Mapping[str, Any]) -> bool:
                actual = data.get(field)
                if isinstance(actual, str):
                    time = iso_to_epoch_ms(actual)
                    if time is not None:
                        return compare(time, expected_time)
                return compare(_number(actual), expected_number)

            return compares_iso_strings_as_times

        def compares_as_numbers(data: Mapping[str, Any]) -> bool:
            return compare(_number(data.get(field)), expected_number)

        return compares_as_numbers

    return compile_ordering


def _compile_contains(field: Any, expected: Any, kind: str) -> Predicate:
    # String(actual ?? "") holds String(value): the spec gives ?? "" to the actual side only.
    needle = _lowered(expected)

    def contains(data: Mapping[str, Any]) -> bool:
        actual = data.get(field)
        return needle in ("" if actual is None else _lowered(actual))

    return contains


def _compile_in(field: Any, expected: Any, kind: str) -> Predicate:
    if not isinstance(expected, list | tuple):
        return _always_false
    has_null = any(item is None for item in expected)
    candidates = frozenset(_lowered(item) for item in expected if item is not None)

    def is_in(data: Mapping[str, Any]) -> bool:
        actual = data.get(field)
        if actual is None:
            return has_null
        return _lowered(actual) in candidates

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


# --- Validation -------------------------------------------------------------------------------

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
