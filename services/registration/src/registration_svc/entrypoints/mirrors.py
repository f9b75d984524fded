"""What other services' events keep here: the events service's events, types and fields (the event
directory), workflow's status decisions, and a deleted tenant's purge."""

from typing import Any

from plenary_contracts.catalog import events, identity, workflow
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import cleanup, directory, status

# The directory's filter (evt.events.>) also brings series and edition events; they are acknowledged.
_DELETED = {events.PARTICIPANT_TYPE_DELETED.type, events.FIELD_DEFINITION_DELETED.type}


def register(runtime: Runtime) -> None:
    async def on_directory_event(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        if isinstance(payload, events.EventChanged):
            await directory.event_changed(uow, payload)
        elif isinstance(payload, events.EventDeleted):
            if event.tenantid is not None:
                await directory.event_deleted(uow, event.tenantid, payload)
        elif isinstance(payload, events.ParticipantTypeChanged):
            await directory.participant_type_changed(uow, payload, deleted=event.type in _DELETED)
        elif isinstance(payload, events.FieldDefinitionChanged):
            await directory.field_definition_changed(uow, payload, deleted=event.type in _DELETED)

    async def on_status_changed(uow: UnitOfWork, event: CloudEvent, payload: workflow.ParticipantActed) -> None:
        await status.status_changed(uow, event.tenantid, payload)

    async def on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
        await cleanup.tenant_deleted(uow, payload.tenant_id)

    runtime.consume(consumer("registration_event_directory"), list(events.EVENTS), on_directory_event)
    runtime.consume(consumer("registration_status_mirror"), [workflow.PARTICIPANT_STATUS_CHANGED], on_status_changed)
    runtime.consume(consumer("registration_tenant_cleanup"), [identity.TENANT_DELETED], on_tenant_deleted)
