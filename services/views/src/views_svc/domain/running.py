"""What a view asks its entity's owner: its filters as one condition, the columns a layout needs, a kanban
column's rows, a calendar's date range."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .views import Layout

Condition = dict[str, Any]


def all_of(conditions: Sequence[Mapping[str, Any]]) -> Condition | None:
    """The conditions a row must all meet, as one condition (none: every row)."""
    if not conditions:
        return None
    if len(conditions) == 1:
        return dict(conditions[0])
    return {"type": "compound", "operator": "and", "conditions": [dict(c) for c in conditions]}


def _simple(field: str, operator: str, value: Any = None) -> Condition:
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def in_column(field: str, value: str | None) -> Condition:
    """A kanban column's rows: those whose grouped field is ``value`` (no value: the empty column)."""
    return _simple(field, "empty") if value is None else _simple(field, "eq", value)


def in_range(layout: Layout, start: str, end: str) -> Condition:
    """A calendar's rows in [start, end): those on a date in it, or, with an end date field, spanning into it."""
    assert layout.date_field is not None
    before_end = _simple(layout.date_field, "lt", end)
    if layout.end_date_field is None:
        return all_of([_simple(layout.date_field, "gte", start), before_end]) or {}
    reaches_start = {
        "type": "compound",
        "operator": "or",
        "conditions": [_simple(layout.date_field, "gte", start), _simple(layout.end_date_field, "gte", start)],
    }
    return all_of([before_end, reaches_start]) or {}


def selected_columns(visible: Sequence[str], layout: Layout) -> list[str]:
    """The visible columns and the fields the layout shows (cover, title, date…), once each; none: every field."""
    if not visible:
        return []
    named = [name for name in layout.fields().values() if name is not None]
    return list(dict.fromkeys([*visible, *named]))


def range_problems(start: datetime | None, end: datetime | None) -> list[tuple[tuple[str, ...], str]]:
    """A calendar needs both ends of its range, in order."""
    if start is None or end is None:
        missing = "from" if start is None else "to"
        return [((missing,), "a CALENDAR view needs a date range: from and to")]
    if end <= start:
        return [(("to",), "must be after from")]
    return []
