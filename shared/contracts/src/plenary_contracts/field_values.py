"""Whether a value is a valid value of a custom field: its data type, its options and its validation rules.

One checker for every service that holds field values (a field definition's default, a participant's
extras, an imported cell), so a value one accepts the others accept too. Plain Python.

What each data type takes (JSON values; text is trimmed except TEXT and LONG_TEXT):

- TEXT, LONG_TEXT: any text. NUMBER: a finite number, never a boolean. BOOLEAN: true or false.
- DATE: ``YYYY-MM-DD``. DATETIME: an ISO 8601 date and time *with* its UTC offset
  (``2026-05-01T09:30:00+03:00`` or ``…Z``): events span time zones, and a time without an offset
  would mean a different instant to each reader.
- ENUM: one of the options. MULTI_ENUM: a list of options (a repeated option counts once).
- EMAIL: ``local@domain.tld``. URL: an http(s) URL with a host and no spaces.
- PHONE: an E.164-length number: 7 to 15 digits once spaces, dashes, dots, parentheses and one leading
  ``+`` are set aside (``+254 20 123 4567``, ``(020) 555-0100``); nothing else may appear.
- FILE, IMAGE, REFERENCE: the id of what it points at (non-empty, at most 200 characters).
- JSON: any JSON value. FORMULA: none, it is computed.

Rules (a rule that does not suit the value, or whose own value is broken, is ignored; a rule's
``message``, when it has one, replaces the default message):

- min / max for numbers; minLength / maxLength for text; pattern matches anywhere in the text
  (as JavaScript's ``RegExp.test``; anchor it for a whole-value match); minItems / maxItems for lists.
- minDate / maxDate: a date bound (``YYYY-MM-DD``) compares by day, a DATETIME value by the day it is
  written in; a date-and-time bound (offset optional, UTC without) compares instants.

A value written as text (a definition's default) reads as its type first: NUMBER as a number, BOOLEAN
as ``true``/``false``, MULTI_ENUM and JSON as JSON.
"""

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from .enums import FieldDataType as T

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ().-]+$")
PHONE_DIGITS = (7, 15)  # E.164: at most 15 digits, country code included
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
_INTEGER = re.compile(r"^[+-]?\d+$")
ID_MAX_LENGTH = 200


@dataclass(frozen=True)
class FieldRule:
    """A validation rule of a field definition: min | max | minLength | maxLength | pattern | minDate |
    maxDate | minItems | maxItems, its bound, and the message to show instead of the default one."""

    rule: str
    value: int | float | str
    message: str | None = None


@dataclass(frozen=True)
class CheckedValue:
    """The value as it is stored (trimmed, a repeated option once), and why it is not valid."""

    value: Any
    problems: list[str] = field(default_factory=list)


def check_field_value(
    data_type: T, value: Any, *, options: Sequence[str] = (), rules: Sequence[FieldRule] = ()
) -> CheckedValue:
    """Whether ``value`` (a JSON value) is a valid value of a field of this type, options and rules."""
    cleaned, problem = _typed(data_type, value, options)
    if problem is not None:
        return CheckedValue(value, [problem])
    return CheckedValue(cleaned, list(_rule_problems(rules, data_type, cleaned)))


def check_field_text(
    data_type: T, text: str, *, options: Sequence[str] = (), rules: Sequence[FieldRule] = ()
) -> CheckedValue:
    """``check_field_value`` for a value written as text, as a definition's default is."""
    if data_type is T.JSON:
        try:
            return CheckedValue(json.loads(text))
        except ValueError:
            return CheckedValue(text, ["must be JSON"])
    return check_field_value(data_type, _read_text(data_type, text), options=options, rules=rules)


def parse_date(text: str) -> date | None:
    """A ``YYYY-MM-DD`` date, or None."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_datetime(text: str, *, offset_required: bool = True) -> datetime | None:
    """An ISO 8601 date and time, aware; without ``offset_required`` a missing offset reads as UTC."""
    match = _ISO_DATETIME.match(text)
    if match is None or (offset_required and match["offset"] is None):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_date_bound(data_type: T, text: str) -> date | datetime | None:
    """A minDate/maxDate bound: a date; for a DATETIME field also a date and time (no offset: UTC)."""
    day = parse_date(text)
    if day is not None or data_type is not T.DATETIME:
        return day
    return parse_datetime(text, offset_required=False)


def is_phone_number(text: str) -> bool:
    low, high = PHONE_DIGITS
    return bool(_PHONE.match(text)) and low <= sum(c.isdigit() for c in text) <= high


# --- types -----------------------------------------------------------------------------------------


def _read_text(data_type: T, text: str) -> Any:
    """A value written as text in its type; the text itself when it does not read, so checking says why."""
    if data_type is T.NUMBER:
        try:
            number = float(text)
        except ValueError:
            return text
        if not math.isfinite(number):
            return text
        return int(number) if _INTEGER.match(text.strip()) else number
    if data_type is T.BOOLEAN:
        return {"true": True, "false": False}.get(text, text)
    if data_type is T.MULTI_ENUM:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _typed(data_type: T, value: Any, options: Sequence[str]) -> tuple[Any, str | None]:
    if data_type is T.FORMULA:
        return None, "is computed (formula) and cannot be set"
    if data_type is T.JSON:
        return value, None
    if data_type is T.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None, "must be a number"
        return value, None
    if data_type is T.BOOLEAN:
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if data_type is T.MULTI_ENUM:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "must be a list of options"
        unknown = [v for v in value if v not in options]
        if unknown:
            return None, f"{', '.join(unknown)} not among the options: {', '.join(options)}"
        return list(dict.fromkeys(value)), None
    if not isinstance(value, str):
        return None, "must be text"
    if data_type in (T.TEXT, T.LONG_TEXT):
        return value, None
    return _typed_text(data_type, value.strip(), options)


def _typed_text(data_type: T, text: str, options: Sequence[str]) -> tuple[Any, str | None]:
    if data_type is T.ENUM:
        return (text, None) if text in options else (None, f"must be one of: {', '.join(options)}")
    if data_type is T.DATE:
        return (text, None) if parse_date(text) is not None else (None, "must be a date (YYYY-MM-DD)")
    if data_type is T.DATETIME:
        ok = parse_datetime(text) is not None
        return (text, None) if ok else (None, "must be a date and time with a UTC offset (ISO 8601)")
    if data_type is T.EMAIL:
        return (text, None) if _EMAIL.match(text) else (None, "must be an e-mail address")
    if data_type is T.URL:
        return (text, None) if _is_web_url(text) else (None, "must be an http(s) URL")
    if data_type is T.PHONE:
        ok = is_phone_number(text)
        return (text, None) if ok else (None, "must be a phone number (7 to 15 digits, optionally starting with +)")
    # FILE, IMAGE, REFERENCE: the id of what it points at
    return (text, None) if text and len(text) <= ID_MAX_LENGTH else (None, "must be an id")


def _is_web_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed [IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text


# --- rules -----------------------------------------------------------------------------------------


def _rule_problems(rules: Iterable[FieldRule], data_type: T, value: Any) -> Iterable[str]:
    for rule in rules:
        broken = _breaks(rule, data_type, value)
        if broken is not None:
            yield rule.message or broken


def _breaks(rule: FieldRule, data_type: T, value: Any) -> str | None:
    """Why ``value`` breaks ``rule``, or None; a rule that does not suit the value is ignored."""
    limit = rule.value
    if rule.rule in ("min", "max") and isinstance(value, int | float) and not isinstance(value, bool):
        return _outside(rule.rule == "min", value, limit, "must be at least {}", "must be at most {}")
    if rule.rule in ("minLength", "maxLength") and isinstance(value, str):
        low = rule.rule == "minLength"
        return _outside(low, len(value), limit, "must be at least {} characters", "must be at most {} characters")
    if rule.rule == "pattern" and isinstance(value, str) and isinstance(limit, str):
        try:
            matched = re.search(limit, value) is not None
        except re.error:
            return None  # a broken pattern is the definition's fault, not the value's
        return None if matched else "does not have the expected format"
    if rule.rule in ("minDate", "maxDate") and data_type in (T.DATE, T.DATETIME) and isinstance(value, str):
        return _date_breaks(rule, data_type, value)
    if rule.rule in ("minItems", "maxItems") and isinstance(value, list):
        return _outside(
            rule.rule == "minItems", len(value), limit, "must have at least {} items", "must have at most {} items"
        )
    return None


def _outside(low: bool, measure: float, limit: Any, below: str, above: str) -> str | None:
    bound = _number(limit)
    if bound is None:
        return None
    if low and measure < bound:
        return below.format(limit)
    if not low and measure > bound:
        return above.format(limit)
    return None


def _date_breaks(rule: FieldRule, data_type: T, value: str) -> str | None:
    bound = parse_date_bound(data_type, str(rule.value))
    low = rule.rule == "minDate"
    if isinstance(bound, datetime):
        moment = parse_datetime(value)
        if moment is None:
            return None
        if (moment < bound) if low else (moment > bound):
            return f"must not be {'before' if low else 'after'} {rule.value}"
        return None
    day = parse_date(value) or _day_of(parse_datetime(value))
    if bound is None or day is None:
        return None
    if (day < bound) if low else (day > bound):
        return f"must be on or {'after' if low else 'before'} {bound.isoformat()}"
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _day_of(moment: datetime | None) -> date | None:
    """The day a date and time is written in (its own offset's calendar day)."""
    return moment.date() if moment is not None else None
