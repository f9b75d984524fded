"""Identity's unique violations name the wire field that is taken (``details.field``)."""

from collections.abc import Mapping

from plenary_contracts.errors import Conflict


def field_conflicts(what: str, fields: Mapping[str, str]) -> dict[str, Conflict]:
    """For ``execute_unique``: each constraint (name → wire field) as a Conflict naming the field."""
    return {
        constraint: Conflict(f"another {what} already has this {field}", details={"field": field})
        for constraint, field in fields.items()
    }
