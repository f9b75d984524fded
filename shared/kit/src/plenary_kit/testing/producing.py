"""Another service's events, published on JetStream as its outbox relay would, for tests and benchmarks
of the services that consume them."""

from typing import Any

from nats.aio.client import Client

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec


def produced(spec: EventSpec, data: dict[str, Any], *, tenant: str, actor: str | None = None) -> CloudEvent:
    """The event its producer would write: ``data`` (camelCase) checked against the spec's payload."""
    return CloudEvent(
        source=spec.source,
        type=spec.type,
        dataschema=spec.dataschema,
        tenantid=tenant,
        actorid=actor,
        data=spec.payload.model_validate(data).model_dump(mode="json"),
    )


async def publish_produced(
    nc: Client, spec: EventSpec, data: dict[str, Any], *, tenant: str, actor: str | None = None
) -> CloudEvent:
    """Publish ``produced(...)`` on the spec's subject and wait for JetStream's acknowledgement."""
    return await publish_event(nc, spec, produced(spec, data, tenant=tenant, actor=actor))


async def publish_event(nc: Client, spec: EventSpec, event: CloudEvent) -> CloudEvent:
    await nc.jetstream().publish(spec.subject, event.to_nats_payload(), headers=event.to_nats_headers(), timeout=5)
    return event
