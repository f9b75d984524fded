"""A participant's extras checked against the event's effective field definitions, pure.

Each value is checked for its field's data type and validation rules; required fields must have a value
on registration (on a partial update only the keys given are checked, and null removes a key); defaults
fill what a registration leaves out; keys no field defines are refused, except the conventional
passportNumber, phone and dateOfBirth (screening reads them).
"""

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from plenary_contracts.enums import FieldDataType as T

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ]*[0-9][0-9 ]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_MAX = 200
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}


@dataclass(frozen=True)
class Rule:
    rule: str  # min | max | minLength | maxLength | pattern | minDate | maxDate | minItems | maxItems
    value: int | float | str
    message: str | None = None


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
    cleaned, problem = _typed(spec, value)
    if problem is not None:
        return value, [((), problem)]
    return cleaned, [((), message) for message in _rule_problems(spec, cleaned)]


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
    if spec.default is None or not spec.default.strip():
        return None
    value, problems = check_value(spec, from_text(spec, spec.default))
    return None if problems else value


def _typed(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    kind = spec.data_type
    if kind is T.FORMULA:
        return None, "is computed (formula) and cannot be set"
    if kind is T.JSON:
        return value, None
    if kind is T.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None, "must be a number"
        return value, None
    if kind is T.BOOLEAN:
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if kind is T.MULTI_ENUM:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "must be a list of options"
        unknown = [v for v in value if v not in spec.options]
        if unknown:
            return None, f"{', '.join(unknown)} not among the options: {', '.join(spec.options)}"
        return list(dict.fromkeys(value)), None
    if not isinstance(value, str):
        return None, "must be text"
    text = value.strip()
    if kind in (T.TEXT, T.LONG_TEXT):
        return value, None
    if kind is T.ENUM:
        return (text, None) if text in spec.options else (None, f"must be one of: {', '.join(spec.options)}")
    if kind is T.DATE:
        return (text, None) if _date(text) is not None else (None, "must be a date (YYYY-MM-DD)")
    if kind is T.DATETIME:
        moment = _datetime(text)
        if moment is None or moment.tzinfo is None:
            return None, "must be a date and time with a UTC offset (ISO 8601)"
        return text, None
    if kind is T.EMAIL:
        return (text, None) if _EMAIL.match(text) else (None, "must be an e-mail address")
    if kind is T.URL:
        parts = urlsplit(text)
        ok = parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text
        return (text, None) if ok else (None, "must be an http(s) URL")
    if kind is T.PHONE:
        return (text, None) if _PHONE.match(text) else (None, "must be a phone number (digits, spaces, a leading +)")
    # FILE, IMAGE, REFERENCE: the id of what it points at
    return (text, None) if text and len(text) <= _ID_MAX else (None, "must be an id")


def _rule_problems(spec: FieldSpec, value: Any) -> Iterable[str]:
    for rule in spec.rules:
        broken = _breaks(rule, spec.data_type, value)
        if broken is not None:
            yield rule.message or broken


def _breaks(rule: Rule, kind: T, value: Any) -> str | None:
    """Why ``value`` breaks ``rule``, or None; a rule that does not apply to the value's type is ignored."""
    limit = rule.value
    if rule.rule in ("min", "max") and isinstance(value, int | float) and not isinstance(value, bool):
        bound = _number(limit)
        if bound is None:
            return None
        if rule.rule == "min" and value < bound:
            return f"must be at least {limit}"
        if rule.rule == "max" and value > bound:
            return f"must be at most {limit}"
    elif rule.rule in ("minLength", "maxLength") and isinstance(value, str):
        bound = _number(limit)
        if bound is None:
            return None
        if rule.rule == "minLength" and len(value) < bound:
            return f"must be at least {limit} characters"
        if rule.rule == "maxLength" and len(value) > bound:
            return f"must be at most {limit} characters"
    elif rule.rule == "pattern" and isinstance(value, str) and isinstance(limit, str):
        try:
            matched = re.search(limit, value) is not None
        except re.error:
            return None  # a broken pattern is the definition's fault, not the participant's
        if not matched:
            return "does not have the expected format"
    elif rule.rule in ("minDate", "maxDate") and kind in (T.DATE, T.DATETIME) and isinstance(value, str):
        return _date_breaks(rule, value)
    elif rule.rule in ("minItems", "maxItems") and isinstance(value, list):
        bound = _number(limit)
        if bound is None:
            return None
        if rule.rule == "minItems" and len(value) < bound:
            return f"must have at least {limit} items"
        if rule.rule == "maxItems" and len(value) > bound:
            return f"must have at most {limit} items"
    return None


def _date_breaks(rule: Rule, value: str) -> str | None:
    """Dates compare by day; a DATETIME value against a date bound by its own day."""
    bound = _date(str(rule.value)) or _day_of(_datetime(str(rule.value)))
    day = _date(value) or _day_of(_datetime(value))
    if bound is None or day is None:
        return None
    if rule.rule == "minDate" and day < bound:
        return f"must be on or after {bound.isoformat()}"
    if rule.rule == "maxDate" and day > bound:
        return f"must be on or before {bound.isoformat()}"
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _date(text: str) -> date | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _datetime(text: str) -> datetime | None:
    if "T" not in text and " " not in text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _day_of(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None
