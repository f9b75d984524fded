"""Participants as registration announces them, for tests and benchmarks of the services that consume them."""

from datetime import UTC, datetime
from typing import Any

from nats.aio.client import Client

from plenary_contracts.catalog import registration
from plenary_contracts.envelope import CloudEvent

from ..ids import new_id


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
    spec = registration.PARTICIPANT_REGISTERED
    return CloudEvent(
        source=spec.source,
        type=spec.type,
        dataschema=spec.dataschema,
        tenantid=tenant_id,
        data=spec.payload.model_validate({"participant": record}).model_dump(mode="json"),
    )


async def publish_registration(nc: Client, tenant_id: str, event_id: str, **fields: Any) -> str:
    """Publish one registration on JetStream as registration's outbox would; returns the participant id."""
    event = registered_event(tenant_id, event_id, **fields)
    subject = registration.PARTICIPANT_REGISTERED.subject
    await nc.jetstream().publish(subject, event.to_nats_payload(), headers=event.to_nats_headers(), timeout=5)
    return event.data["participant"]["id"]
