"""A field definition's typed rules (requirements.md §1 FieldDefinition): which validation rules and
which config suit which data type, whether the rules agree with each other, and whether a value (the
default) is a valid value of the field. Problems come back as (location, message), the location in
wire names relative to the request body."""

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from plenary_contracts.enums import FieldDataType

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

TEXTUAL = frozenset(
    {FieldDataType.TEXT, FieldDataType.LONG_TEXT, FieldDataType.EMAIL, FieldDataType.URL, FieldDataType.PHONE}
)
CHOICES = frozenset({FieldDataType.ENUM, FieldDataType.MULTI_ENUM})
DATES = frozenset({FieldDataType.DATE, FieldDataType.DATETIME})

RULE_TYPES: dict[str, frozenset[FieldDataType]] = {
    "min": frozenset({FieldDataType.NUMBER}),
    "max": frozenset({FieldDataType.NUMBER}),
    "minLength": TEXTUAL,
    "maxLength": TEXTUAL,
    "pattern": TEXTUAL,
    "minDate": DATES,
    "maxDate": DATES,
    "minItems": frozenset({FieldDataType.MULTI_ENUM}),
    "maxItems": frozenset({FieldDataType.MULTI_ENUM}),
}
BOUNDS = (("min", "max"), ("minLength", "maxLength"), ("minDate", "maxDate"), ("minItems", "maxItems"))
COUNTS = frozenset({"minLength", "maxLength", "minItems", "maxItems"})
NO_DEFAULT = frozenset({FieldDataType.FILE, FieldDataType.IMAGE, FieldDataType.FORMULA})
MAX_PATTERN_LENGTH = 500

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")


@dataclass(frozen=True)
class Rule:
    rule: str
    value: int | float | str


@dataclass(frozen=True)
class FieldShape:
    """What decides a field's valid values; ``options`` None when the config names none."""

    data_type: FieldDataType
    rules: Sequence[Rule] = ()
    options: Sequence[str] | None = None
    default_value: str | None = None
    reference_entity: str | None = None
    formula: str | None = None


def definition_problems(shape: FieldShape) -> list[Problem]:
    """Everything wrong with a definition: misplaced or inconsistent rules, missing or repeated
    options, missing config, and a default that is not a valid value of the field."""
    rule_problems = list(_rule_problems(shape))
    problems = rule_problems + list(_config_problems(shape))
    if shape.default_value is not None:
        if shape.data_type in NO_DEFAULT:
            problems.append((("defaultValue",), f"a {shape.data_type} field takes no default value"))
        else:
            # broken rules say nothing reliable about a value: check the default against its type only
            checked = shape if not rule_problems else FieldShape(shape.data_type, (), shape.options)
            problems += [(("defaultValue",), m) for m in value_problems(checked, shape.default_value)]
    return problems


def value_problems(shape: FieldShape, text: str) -> list[str]:
    """Why ``text`` is not a valid value of the field (its type, options and rules); empty when it is.
    MULTI_ENUM values are JSON arrays of option values; patterns match anywhere (as JavaScript's
    ``RegExp.test``), so anchor them for a whole-value match."""
    kind = shape.data_type
    rules = {r.rule: r.value for r in shape.rules}
    if kind in TEXTUAL:
        return _type_of_text(kind, text) or _text_rules(text, rules)
    if kind is FieldDataType.NUMBER:
        return _number(text, rules)
    if kind is FieldDataType.BOOLEAN:
        return [] if text in ("true", "false") else ["must be true or false"]
    if kind in DATES:
        return _date(kind, text, rules)
    if kind is FieldDataType.ENUM:
        return [] if text in (shape.options or ()) else [f"{text!r} is not one of the options"]
    if kind is FieldDataType.MULTI_ENUM:
        return _choices(text, shape.options or (), rules)
    if kind is FieldDataType.JSON:
        try:
            json.loads(text)
        except ValueError:
            return ["must be JSON"]
        return []
    if kind is FieldDataType.REFERENCE:
        return [] if text.strip() else ["must name the record it refers to"]
    return [f"a {kind} field takes no value here"]


# --- rules ---------------------------------------------------------------------------------------


def _rule_problems(shape: FieldShape) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    parsed: dict[str, object] = {}
    for index, rule in enumerate(shape.rules):
        suits = RULE_TYPES.get(rule.rule)
        if suits is None:
            yield ("validation", index, "rule"), f"unknown rule {rule.rule!r}"
            continue
        if shape.data_type not in suits:
            yield (
                ("validation", index, "rule"),
                f"{rule.rule} does not apply to a {shape.data_type} field (only {', '.join(sorted(suits))})",
            )
            continue
        if rule.rule in seen:
            yield ("validation", index, "rule"), f"{rule.rule} is given more than once"
            continue
        seen[rule.rule] = index
        value, problem = _rule_value(shape.data_type, rule)
        if problem is not None:
            yield ("validation", index, "value"), problem
        else:
            parsed[rule.rule] = value
    for low, high in BOUNDS:
        if low in parsed and high in parsed and parsed[high] < parsed[low]:  # type: ignore[operator]
            yield ("validation", seen[high], "value"), f"{high} must not be less than {low}"
    if shape.data_type is FieldDataType.MULTI_ENUM and shape.options and "minItems" in parsed:
        if parsed["minItems"] > len(shape.options):  # type: ignore[operator]
            yield ("validation", seen["minItems"], "value"), f"more than the {len(shape.options)} options"


def _rule_value(kind: FieldDataType, rule: Rule) -> tuple[object, str | None]:
    """The rule's value, comparable with its pair's, or why it is not a value for this rule."""
    value = rule.value
    if rule.rule in COUNTS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return None, "must be a whole number, 0 or more"
        return value, None
    if rule.rule in ("min", "max"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None, "must be a number"
        return value, None
    if rule.rule == "pattern":
        if not isinstance(value, str) or not value:
            return None, "must be a regular expression"
        if len(value) > MAX_PATTERN_LENGTH:
            return None, f"a pattern has at most {MAX_PATTERN_LENGTH} characters"
        try:
            re.compile(value)
        except re.error as error:
            return None, f"not a valid regular expression: {error}"
        return value, None
    moment = _parse_date(kind, value) if isinstance(value, str) else None
    if moment is None:
        return None, "must be an ISO date (YYYY-MM-DD)" if kind is FieldDataType.DATE else "must be an ISO date-time"
    return moment, None


def _config_problems(shape: FieldShape) -> Iterator[Problem]:
    kind = shape.data_type
    if kind in CHOICES:
        if not shape.options:
            yield ("config", "options"), f"a {kind} field needs at least one option"
        seen: set[str] = set()
        for index, value in enumerate(shape.options or ()):
            if value in seen:
                yield ("config", "options", index, "value"), f"option {value!r} is listed more than once"
            seen.add(value)
    elif shape.options:
        yield ("config", "options"), "options apply only to ENUM and MULTI_ENUM fields"
    if kind is FieldDataType.REFERENCE and not shape.reference_entity:
        yield ("config", "referenceEntity"), "a REFERENCE field names the entity it refers to"
    if kind is FieldDataType.FORMULA and not shape.formula:
        yield ("config", "formula"), "a FORMULA field needs its formula"


# --- values --------------------------------------------------------------------------------------


def _type_of_text(kind: FieldDataType, text: str) -> list[str]:
    if kind is FieldDataType.EMAIL and not _EMAIL.match(text):
        return ["must be an e-mail address"]
    if kind is FieldDataType.URL:
        try:
            parts = urlsplit(text)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            return ["must be an http(s) URL"]
    if kind is FieldDataType.PHONE and not (_PHONE.match(text) and 7 <= sum(c.isdigit() for c in text) <= 15):
        return ["must be a phone number (7 to 15 digits, optionally starting with +)"]
    return []


def _text_rules(text: str, rules: dict[str, int | float | str]) -> list[str]:
    problems = []
    if isinstance(rules.get("minLength"), int) and len(text) < rules["minLength"]:  # type: ignore[operator]
        problems.append(f"must be at least {rules['minLength']} characters")
    if isinstance(rules.get("maxLength"), int) and len(text) > rules["maxLength"]:  # type: ignore[operator]
        problems.append(f"must be at most {rules['maxLength']} characters")
    pattern = rules.get("pattern")
    if isinstance(pattern, str) and re.search(pattern, text) is None:
        problems.append(f"must match the pattern {pattern}")
    return problems


def _number(text: str, rules: dict[str, int | float | str]) -> list[str]:
    try:
        number = float(text)
    except ValueError:
        return ["must be a number"]
    if not math.isfinite(number):
        return ["must be a finite number"]
    problems = []
    if isinstance(rules.get("min"), int | float) and number < rules["min"]:  # type: ignore[operator]
        problems.append(f"must be at least {rules['min']}")
    if isinstance(rules.get("max"), int | float) and number > rules["max"]:  # type: ignore[operator]
        problems.append(f"must be at most {rules['max']}")
    return problems


def _date(kind: FieldDataType, text: str, rules: dict[str, int | float | str]) -> list[str]:
    moment = _parse_date(kind, text)
    if moment is None:
        return ["must be an ISO date (YYYY-MM-DD)" if kind is FieldDataType.DATE else "must be an ISO date-time"]
    problems = []
    low = _parse_date(kind, rules["minDate"]) if isinstance(rules.get("minDate"), str) else None
    high = _parse_date(kind, rules["maxDate"]) if isinstance(rules.get("maxDate"), str) else None
    if low is not None and moment < low:  # type: ignore[operator]
        problems.append(f"must not be before {rules['minDate']}")
    if high is not None and moment > high:  # type: ignore[operator]
        problems.append(f"must not be after {rules['maxDate']}")
    return problems


def _parse_date(kind: FieldDataType, text: str) -> date | datetime | None:
    """A DATE as a date; a DATETIME as an aware date-time (no offset: UTC)."""
    try:
        if kind is FieldDataType.DATE:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _choices(text: str, options: Sequence[str], rules: dict[str, int | float | str]) -> list[str]:
    try:
        chosen = json.loads(text)
    except ValueError:
        chosen = None
    if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
        return ['must be a JSON array of option values, e.g. ["a","b"]']
    problems = [f"{c!r} is not one of the options" for c in dict.fromkeys(chosen) if c not in options]
    if len(set(chosen)) != len(chosen):
        problems.append("lists an option more than once")
    if isinstance(rules.get("minItems"), int) and len(chosen) < rules["minItems"]:  # type: ignore[operator]
        problems.append(f"must choose at least {rules['minItems']}")
    if isinstance(rules.get("maxItems"), int) and len(chosen) > rules["maxItems"]:  # type: ignore[operator]
        problems.append(f"must choose at most {rules['maxItems']}")
    return problems
