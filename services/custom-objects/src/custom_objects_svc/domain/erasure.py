"""What erasing a person does to a record: pure, over the record's data and its definition's field types.

A record whose REFERENCE field points at the participant is about that person (a visa application, a
room booking of theirs): every other field may hold their data (names, passport numbers, free text) that no
rule can tell from the record's own, so the record is deleted. Any other record that mentions them (a value
that is their participant id, or holds their address, in any field, nested JSON included) keeps its other
values and loses those: it is about something else (a hotel whose contact was the person).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plenary_contracts.enums import FieldDataType


@dataclass(frozen=True)
class Person:
    participant_id: str
    email: str | None = None

    def mentioned_in(self, value: Any) -> bool:
        """Whether ``value`` (a field's value, however nested) names the person: their id, or their address
        anywhere in a text (case ignored)."""
        if isinstance(value, str):
            if value.strip() == self.participant_id:
                return True
            return bool(self.email) and self.email.strip().lower() in value.lower()  # type: ignore[union-attr]
        if isinstance(value, Mapping):
            return any(self.mentioned_in(k) or self.mentioned_in(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(self.mentioned_in(v) for v in value)
        return False


@dataclass(frozen=True)
class Delete:
    pass


@dataclass(frozen=True)
class Blank:
    data: dict[str, Any]  # the record's data without the values that named the person


Outcome = Delete | Blank | None  # None: the record does not mention the person


def erase_from(data: Mapping[str, Any], types: Mapping[str, FieldDataType], person: Person) -> Outcome:
    """What becomes of one record; ``types`` are its definition's field types by name."""
    refers = any(
        types.get(name) is FieldDataType.REFERENCE and isinstance(value, str) and value.strip() == person.participant_id
        for name, value in data.items()
    )
    if refers:
        return Delete()
    kept = {name: value for name, value in data.items() if not person.mentioned_in(value)}
    return Blank(kept) if len(kept) != len(data) else None
