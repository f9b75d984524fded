"""A definition's fields: whether a list of fields is a valid definition, and what a change of the list does
to the records already kept (values that go, defaults given, fields whose values must be checked again).

Problems come back as (location, message), the location in wire names relative to the request body."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plenary_contracts.enums import FieldDataType as T
from plenary_contracts.field_values import check_field_value

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

CHOICES = frozenset({T.ENUM, T.MULTI_ENUM})
NO_DEFAULT = frozenset({T.FILE, T.IMAGE, T.FORMULA})
# a record's own fields, listed beside the custom ones in lists and views: a custom field may not take their names
RESERVED = frozenset({"id", "createdat", "updatedat", "createdby", "definitionid", "tenantid"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    data_type: T
    required: bool = False
    options: tuple[str, ...] | None = None
    default_value: Any = None
    sort_order: int = 0
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_default(self) -> bool:
        return self.default_value is not None


def is_empty(value: Any) -> bool:
    """No value: null, blank text or an empty list (what a required field refuses)."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def ordered(fields: Sequence[FieldSpec]) -> list[FieldSpec]:
    return sorted(fields, key=lambda f: (f.sort_order, f.name.lower()))


def definition_problems(fields: Sequence[FieldSpec]) -> list[Problem]:
    """Everything wrong with a list of fields: repeated or reserved names, options where they do not belong
    (or missing where they do), a required computed field, and defaults that are not values of their field."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, spec in enumerate(fields):
        at: Loc = ("fields", index)
        key = spec.name.lower()
        if key in RESERVED:
            problems.append(((*at, "name"), f"{spec.name!r} is a record's own field; choose another name"))
        elif key in seen:
            problems.append(((*at, "name"), f"another field is already named {spec.name!r} (names ignore case)"))
        seen.add(key)
        problems += [((*at, *loc), message) for loc, message in _field_problems(spec)]
    return problems


def _field_problems(spec: FieldSpec) -> list[Problem]:
    problems: list[Problem] = []
    if spec.data_type in CHOICES:
        if not spec.options:
            problems.append((("options",), f"a {spec.data_type} field needs at least one option"))
        options = spec.options or ()
        for i, option in enumerate(options):
            if option in options[:i]:
                problems.append((("options", i), f"option {option!r} is listed more than once"))
    elif spec.options is not None:
        problems.append((("options",), "options apply only to ENUM and MULTI_ENUM fields"))
    if spec.data_type is T.FORMULA and spec.required:
        problems.append((("required",), "a FORMULA field is computed: it cannot be required"))
    if spec.default_value is None:
        return problems
    if spec.data_type in NO_DEFAULT:
        problems.append((("defaultValue",), f"a {spec.data_type} field takes no default value"))
    elif is_empty(spec.default_value):
        problems.append((("defaultValue",), "an empty value is no default: leave it out"))
    elif not problems:
        checked = check_field_value(spec.data_type, spec.default_value, options=spec.options or ())
        problems += [(("defaultValue",), message) for message in checked.problems]
    return problems


@dataclass(frozen=True)
class FieldChanges:
    """What replacing a definition's fields does to its records."""

    removed: tuple[str, ...] = ()  # fields gone: their values leave every record
    # newly required fields' defaults, for the records lacking them
    backfill: Mapping[str, Any] = field(default_factory=dict)
    recheck: tuple[str, ...] = ()  # fields whose kept values (or their absence) may no longer fit

    @property
    def touches_records(self) -> bool:
        return bool(self.removed or self.backfill or self.recheck)


def field_changes(before: Sequence[FieldSpec], after: Sequence[FieldSpec]) -> FieldChanges:
    old = {f.name: f for f in before}
    new = {f.name: f for f in after}
    backfill: dict[str, Any] = {}
    recheck: list[str] = []
    for name, spec in new.items():
        was = old.get(name)
        newly_required = spec.required and (was is None or not was.required)
        if newly_required and spec.has_default:
            backfill[name] = spec.default_value
        if was is None:
            if newly_required and not spec.has_default:
                recheck.append(name)
            continue
        narrowed = was.options is not None and not set(was.options) <= set(spec.options or ())
        if was.data_type is not spec.data_type or narrowed or (newly_required and not spec.has_default):
            recheck.append(name)
    return FieldChanges(tuple(n for n in old if n not in new), backfill, tuple(recheck))
