"""A record's data against its definition's fields: each value checked by the shared value checker, the
required ones present, defaults given to the fields left out, keys that are no field refused.

Problems come back as (location, message) with the location ``(<field name>,)``: the application places
them under ``["body", "data"]``."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plenary_contracts.field_values import check_field_value

from .fields import FieldSpec, is_empty

Problem = tuple[tuple[str | int, ...], str]


@dataclass(frozen=True)
class CheckedData:
    data: dict[str, Any]  # as kept: checked values (trimmed, a repeated option once), defaults, no empties
    problems: list[Problem] = field(default_factory=list)


def check_data(
    fields: Sequence[FieldSpec], data: Mapping[str, Any], *, only: Collection[str] | None = None
) -> CheckedData:
    """``data`` as the record keeps it, and why it does not fit; ``only`` limits the check to some fields (the
    ones a change of the definition may have broken) and then ignores keys that are no field."""
    known = {f.name for f in fields}
    problems: list[Problem] = []
    if only is None:
        problems += [((key,), "is not a field of this object") for key in data if key not in known]
    kept: dict[str, Any] = {}
    for spec in fields:
        if only is not None and spec.name not in only:
            continue
        value = data[spec.name] if spec.name in data else spec.default_value
        if is_empty(value):
            if spec.required:
                problems.append(((spec.name,), f'Field "{spec.label}" is required'))
            continue
        checked = check_field_value(spec.data_type, value, options=spec.options or ())
        problems += [((spec.name,), message) for message in checked.problems]
        kept[spec.name] = checked.value
    return CheckedData(kept, problems)
