"""What the index keeps of an event: where it sits in its stream and what a query filters it by."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Entry:
    stream: str
    stream_seq: int
    tenant_id: str
    occurred_at: datetime
    type: str
    entity_id: str | None
    actor_id: str | None
    event_id: UUID


def entity_of(subject: str | None, data: dict[str, Any]) -> str | None:
    """The id of the entity an event is about: the CloudEvent's ``subject`` when its producer set one; else the
    payload's own ``id``; else the ``id`` of the one record the payload carries (``{"participant": {...}}``);
    else none (an event about several entities, a batch's summary)."""
    if subject:
        return subject
    if isinstance(data.get("id"), str):
        return data["id"]
    records = [value for value in data.values() if isinstance(value, dict) and isinstance(value.get("id"), str)]
    return records[0]["id"] if len(records) == 1 else None
