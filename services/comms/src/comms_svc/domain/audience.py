"""Who of an event's participants a broadcast reaches: every criterion given must hold (they are AND-ed).

- participant types and statuses: any of the listed ones;
- registered after / before: on when the participant registered (after is inclusive, before exclusive);
- custom fields: **every** key must equal the participant's extra of that name (the values compared as JSON
  values: ``"1"`` is not ``1``);
- delegations: any of the listed ones;
- a condition of the shared condition language over the participant's fields merged with its extras.

A deleted participant is no longer held, so it never matches.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plenary_contracts.conditions import compile_condition, condition_problems

Problem = tuple[tuple[str | int, ...], str]


@dataclass(frozen=True)
class Person:
    """A participant as an audience sees it."""

    id: str
    participant_type_id: str
    status: str
    registered_at: datetime
    delegation_id: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)  # firstName, lastName, email, ... (wire names)
    extras: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Audience:
    participant_types: Sequence[str] = ()
    statuses: Sequence[str] = ()
    registered_after: datetime | None = None
    registered_before: datetime | None = None
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    delegation_ids: Sequence[str] = ()
    condition: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, filters: Mapping[str, Any]) -> "Audience":
        """From the stored (wire) form of a broadcast's filters."""
        return cls(
            participant_types=tuple(filters.get("participantTypes") or ()),
            statuses=tuple(filters.get("statuses") or ()),
            registered_after=_instant(filters.get("registeredAfter")),
            registered_before=_instant(filters.get("registeredBefore")),
            custom_fields=dict(filters.get("customFields") or {}),
            delegation_ids=tuple(filters.get("delegationIds") or ()),
            condition=filters.get("condition"),
        )

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        if self.registered_after and self.registered_before and self.registered_after >= self.registered_before:
            found.append((("registeredBefore",), "must be after registeredAfter"))
        if self.condition is not None:
            found.extend((("condition", *loc), message) for loc, message in condition_problems(self.condition, {}))
        return found

    def predicate(self) -> Callable[[Person], bool]:
        """A test of one person, the condition compiled once for the whole audience."""
        holds = compile_condition(self.condition) if self.condition is not None else None
        types, statuses, delegations = set(self.participant_types), set(self.statuses), set(self.delegation_ids)

        def matches(person: Person) -> bool:
            if types and person.participant_type_id not in types:
                return False
            if statuses and person.status not in statuses:
                return False
            if self.registered_after is not None and person.registered_at < self.registered_after:
                return False
            if self.registered_before is not None and person.registered_at >= self.registered_before:
                return False
            if delegations and person.delegation_id not in delegations:
                return False
            for key, wanted in self.custom_fields.items():
                if key not in person.extras or not _same_json(person.extras[key], wanted):
                    return False
            return holds is None or holds({**person.extras, **person.fields})

        return matches


def _same_json(held: Any, wanted: Any) -> bool:
    """Equal as JSON values: a boolean is no number, ``1`` equals ``1.0``, ``"1"`` is not ``1``."""
    if isinstance(held, bool) or isinstance(wanted, bool):
        return held is wanted
    if isinstance(held, int | float) and isinstance(wanted, int | float):
        return held == wanted
    return type(held) is type(wanted) and held == wanted


def _instant(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
