"""The operators of the condition language, its limits, and which operators each field type allows."""

from collections.abc import Callable, Mapping
from typing import Any

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

    Takes the form builder's type names (NUMBER, SELECT, TOGGLE...) and FieldDataType's:
    ENUM is read as SELECT, MULTI_ENUM as MULTI_SELECT; any other type (TEXT, EMAIL,
    PHONE...) gets the textual operators: eq, neq, empty, notEmpty, contains, in, notIn.
    """
    if field_type is None:
        return OPERATORS
    return _OPERATORS_BY_TYPE.get(str(field_type).upper(), _TEXTUAL)
