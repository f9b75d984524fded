"""A field definition's typed rules: which validation rules and which config suit which data type,
whether the rules agree with each other, and whether the default is a valid value of the field (by the
value checker every service shares, so a default accepted here is one a registration can use).
Problems come back as (location, message), the location in wire names relative to the request body."""

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from plenary_contracts.enums import FieldDataType
from plenary_contracts.field_values import FieldRule, check_field_text, parse_date_bound

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]
Rule = FieldRule

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
    checked = check_field_text(shape.data_type, text, options=shape.options or (), rules=shape.rules)
    if checked.problems:
        return checked.problems
    if shape.data_type is FieldDataType.MULTI_ENUM and len(checked.value) != len(json.loads(text)):
        # a default is kept as written, so it names each option once (a participant's list is deduplicated)
        return ["lists an option more than once"]
    return []


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


def _parse_date(kind: FieldDataType, text: str) -> date | datetime | None:
    """A DATE bound as a date; a DATETIME bound as an aware date-time (a date alone: midnight UTC)."""
    bound = parse_date_bound(kind, text)
    if kind is FieldDataType.DATETIME and bound is not None and not isinstance(bound, datetime):
        return datetime.combine(bound, time(), UTC)
    return bound
