"""Participants as registration announces them, for tests and benchmarks of the services that consume them."""

from datetime import UTC, datetime
from typing import Any

from nats.aio.client import Client

from plenary_contracts.catalog import registration
from plenary_contracts.envelope import CloudEvent

from ..ids import new_id
from .producing import produced, publish_event


def registered_event(tenant_id: str, event_id: str, **fields: Any) -> CloudEvent:
    """A ``participant.registered`` event with a fresh participant; ``fields`` override the record (camelCase)."""
    now = datetime.now(UTC).isoformat()
    pid = new_id()
    record = {
        "id": pid,
        "tenantId": tenant_id,
        "eventId": event_id,
        "participantTypeId": "type-delegate",
        "registrationCode": f"REG-{pid[:8]}",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "createdAt": now,
        "updatedAt": now,
        **fields,
    }
    return produced(registration.PARTICIPANT_REGISTERED, {"participant": record}, tenant=tenant_id)


async def publish_registration(nc: Client, tenant_id: str, event_id: str, **fields: Any) -> str:
    """Publish one registration on JetStream as registration's outbox would; returns the participant id."""
    event = registered_event(tenant_id, event_id, **fields)
    await publish_event(nc, registration.PARTICIPANT_REGISTERED, event)
    return event.data["participant"]["id"]
