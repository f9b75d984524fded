"""A view against its entity's fields: every field it names must exist and do what the view asks of it
(filter, sort, group, hold a date). The same check finds a field that vanished from a stored view."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plenary_contracts.conditions import Problem, condition_problems
from plenary_contracts.enums import ViewType

from .views import Layout

DATE_TYPES = frozenset({"DATE", "DATETIME"})


@dataclass(frozen=True)
class EntityField:
    name: str
    type: str
    filterable: bool = True
    sortable: bool = True
    groupable: bool = False


@dataclass(frozen=True)
class ViewShape:
    """What a view names: its filters (conditions), sorts, columns and layout."""

    filters: Sequence[Mapping[str, Any]]
    sort_fields: Sequence[str]
    column_fields: Sequence[str]
    layout: Layout


def shape_problems(filters: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Each filter is a well-formed condition, whatever its fields are."""
    return [(("filters", i, *loc), message) for i, f in enumerate(filters) for loc, message in condition_problems(f)]


def _simple_fields(
    condition: Mapping[str, Any], at: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if condition.get("type") == "compound":
        for i, nested in enumerate(condition.get("conditions") or []):
            yield from _simple_fields(nested, (*at, "conditions", i))
    elif isinstance(condition.get("field"), str):
        yield (*at, "field"), condition["field"]


def _unknown(name: str) -> str:
    return f"unknown field {name!r}"


def field_problems(view: ViewShape, fields: Mapping[str, EntityField]) -> list[Problem]:
    """Every field the view names, checked against the entity's fields; each problem names its field."""
    problems: list[Problem] = []
    types = {name: f.type for name, f in fields.items()}
    for i, condition in enumerate(view.filters):
        for loc, name in _simple_fields(condition, ("filters", i)):
            found = fields.get(name)
            if found is None:
                problems.append((loc, _unknown(name)))
            elif not found.filterable:
                problems.append((loc, f"{name!r} cannot be filtered on"))
        problems += [(("filters", i, *loc), m) for loc, m in condition_problems(condition, types)]
    for i, name in enumerate(view.sort_fields):
        found = fields.get(name)
        if found is None or not found.sortable:
            problems.append((("sorts", i, "field"), _unknown(name) if found is None else f"{name!r} does not sort"))
    for i, name in enumerate(view.column_fields):
        if name not in fields:
            problems.append((("columns", i, "field"), _unknown(name)))
    problems += _layout_field_problems(view.layout, fields)
    return problems


def _layout_field_problems(layout: Layout, fields: Mapping[str, EntityField]) -> list[Problem]:
    problems: list[Problem] = []
    for setting, name in layout.fields().items():
        if name is None:
            continue
        found = fields.get(name)
        if found is None:
            problems.append((("config", setting), _unknown(name)))
        elif setting == "groupBy" and layout.view_type is ViewType.KANBAN and not found.groupable:
            problems.append((("config", setting), f"{name!r} cannot group a kanban"))
        elif setting in ("dateField", "endDateField") and found.type not in DATE_TYPES:
            problems.append((("config", setting), f"{name!r} is no date"))
    return problems


def missing_fields(view: ViewShape, fields: Mapping[str, EntityField]) -> list[str]:
    """The fields a stored view names that its entity no longer has (a custom field removed), once each."""
    named = [name for _, name in _references(view)]
    return list(dict.fromkeys(name for name in named if name not in fields))


def names_fields(view: ViewShape) -> bool:
    return next(_references(view), None) is not None


def _references(view: ViewShape) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for i, condition in enumerate(view.filters):
        yield from _simple_fields(condition, ("filters", i))
    for i, name in enumerate(view.sort_fields):
        yield ("sorts", i, "field"), name
    for i, name in enumerate(view.column_fields):
        yield ("columns", i, "field"), name
    for setting, name in view.layout.fields().items():
        if name is not None:
            yield ("config", setting), name
