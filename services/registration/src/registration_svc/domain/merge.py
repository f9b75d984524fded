"""Field resolution of a merge: per field, whose value the survivor keeps. Pure."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Side = Literal["surviving", "merged"]

# The fixed fields a merge may take from the merged participant (wire name → attribute).
FIXED_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "organization": "organization",
    "jobTitle": "job_title",
    "nationality": "nationality",
}


@dataclass(frozen=True)
class Person:
    """A participant's mergeable values: fixed fields by attribute name, and its extras."""

    fields: Mapping[str, Any]
    extras: Mapping[str, Any]


def unknown_fields(resolution: Mapping[str, Side], survivor: Person, merged: Person) -> list[str]:
    """Keys that are neither fixed fields nor extras of either participant."""
    known = set(FIXED_FIELDS) | set(survivor.extras) | set(merged.extras)
    return [key for key in resolution if key not in known]


def resolve(resolution: Mapping[str, Side], survivor: Person, merged: Person) -> dict[str, Any]:
    """The survivor's changes (attribute → value; ``extras`` as a whole): a "merged" field takes the
    merged participant's value, an extras key it lacks is removed. Unknown keys are ignored here."""
    changes: dict[str, Any] = {}
    extras = dict(survivor.extras)
    for key, side in resolution.items():
        if side != "merged":
            continue
        if key in FIXED_FIELDS:
            attribute = FIXED_FIELDS[key]
            if merged.fields.get(attribute) != survivor.fields.get(attribute):
                changes[attribute] = merged.fields.get(attribute)
        elif key in merged.extras:
            extras[key] = merged.extras[key]
        else:
            extras.pop(key, None)
    if extras != dict(survivor.extras):
        changes["extras"] = extras
    return changes
