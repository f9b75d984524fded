"""A participant's extras checked against the event's effective field definitions, pure.

Each value is checked for its field's data type and validation rules by the value checker every service
shares (plenary_contracts.field_values); required fields must have a value on registration (on a partial
update only the keys given are checked, and null removes a key); defaults fill what a registration leaves
out, read as the field definition checked them; keys no field defines are refused, except the conventional
passportNumber, phone and dateOfBirth (screening reads them).
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plenary_contracts.enums import FieldDataType as T
from plenary_contracts.field_values import FieldRule, check_field_text, check_field_value

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]
Rule = FieldRule

_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}


@dataclass(frozen=True)
class FieldSpec:
    """What checking reads of a field definition."""

    name: str
    label: str
    data_type: T
    required: bool = False
    unique: bool = False
    options: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    default: str | None = None


# Kept by convention even where no field defines them (screening reads them); a field of the same name wins.
CONVENTIONAL: dict[str, FieldSpec] = {
    "passportNumber": FieldSpec("passportNumber", "Passport number", T.TEXT, rules=(Rule("maxLength", 64),)),
    "phone": FieldSpec("phone", "Phone", T.PHONE, rules=(Rule("maxLength", 40),)),
    "dateOfBirth": FieldSpec("dateOfBirth", "Date of birth", T.DATE),
}


@dataclass(frozen=True)
class Checked:
    extras: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


def check_extras(
    given: Mapping[str, Any], fields: Sequence[FieldSpec], *, stored: Mapping[str, Any] | None = None
) -> Checked:
    """Registration when ``stored`` is None: every field is checked, defaults fill gaps. A partial update
    otherwise: only the keys given are checked and merged into ``stored``; null (or empty) removes a key."""
    specs = {**CONVENTIONAL, **{f.name: f for f in fields}}
    problems: list[Problem] = []
    result: dict[str, Any] = dict(stored) if stored is not None else {}
    for key, raw in given.items():
        spec = specs.get(key)
        if spec is None:
            problems.append(((key,), "is not a field of this event"))
            continue
        if _empty(raw):
            if stored is not None and spec.required:
                problems.append(((key,), f"{spec.label} is required"))
            result.pop(key, None)  # on registration, left out: a default or the required check follows
            continue
        value, found = check_value(spec, raw)
        problems.extend(((key, *loc), message) for loc, message in found)
        if not found:
            result[key] = value
    if stored is None:
        for spec in fields:
            if spec.name in result or spec.data_type is T.FORMULA:
                continue
            default = _default_of(spec)
            if default is not None:
                result[spec.name] = default
            elif spec.required and not any(loc[0] == spec.name for loc, _ in problems):
                problems.append(((spec.name,), f"{spec.label} is required"))
    return Checked(result, problems)


def check_value(spec: FieldSpec, value: Any) -> tuple[Any, list[Problem]]:
    """The value as stored, and what is wrong with it (locations relative to the field)."""
    checked = check_field_value(spec.data_type, value, options=spec.options, rules=spec.rules)
    return checked.value, [((), message) for message in checked.problems]


def from_text(spec: FieldSpec, text: str) -> Any:
    """A value given as text (a CSV cell, a default) in its field's type; the text itself when it does
    not read as one, so checking names the problem."""
    text = text.strip()
    if spec.data_type is T.NUMBER:
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and re.fullmatch(r"[+-]?\d+", text) else number
    if spec.data_type is T.BOOLEAN:
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    if spec.data_type is T.MULTI_ENUM:
        return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]
    if spec.data_type is T.JSON:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def unique_key(value: Any) -> str:
    """How a value of a unique field compares with stored ones (PostgreSQL's ``extras ->> name``)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _default_of(spec: FieldSpec) -> Any:
    """The field's default as a value; read as the field definition checked it, so none is lost."""
    if spec.default is None or not spec.default.strip():
        return None
    checked = check_field_text(spec.data_type, spec.default, options=spec.options, rules=spec.rules)
    return None if checked.problems else checked.value
