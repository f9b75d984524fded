"""What other services' events do here: registration's freed slots give delegates' places back, a deleted
event takes its quotas, a deleted tenant its rows."""

from plenary_contracts.catalog import events, identity, registration
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import cleanup, departures


async def on_slots_freed(uow: UnitOfWork, event: CloudEvent, payload: registration.SlotsFreed) -> None:
    await departures.slots_freed(uow, event.tenantid, payload)


async def on_event_deleted(uow: UnitOfWork, event: CloudEvent, payload: events.EventDeleted) -> None:
    await cleanup.event_deleted(uow, event.tenantid, payload)


async def on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
    await cleanup.tenant_deleted(uow, payload.tenant_id)


def register(runtime: Runtime) -> None:
    runtime.consume(consumer("delegation_places"), [registration.SLOTS_FREED], on_slots_freed)
    runtime.consume(consumer("delegation_event_cleanup"), [events.EVENT_DELETED], on_event_deleted)
    runtime.consume(consumer("delegation_tenant_cleanup"), [identity.TENANT_DELETED], on_tenant_deleted)
