"""What other services' events keep here: the events service's events, types and fields (the event
directory), workflow's status decisions, and a deleted tenant's purge."""

from typing import Any

from plenary_contracts.catalog import events as events_catalog
from plenary_contracts.catalog import identity, workflow
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import EventHandler, Runtime

from ..application import cleanup, directory, status
from ..application.reference_cache import ReferenceCache


async def acknowledged(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
    """The directory's filter (evt.events.>) also brings series and edition events; nothing here keeps them."""


async def on_status_changed(uow: UnitOfWork, event: CloudEvent, payload: workflow.ParticipantActed) -> None:
    await status.status_changed(uow, event.tenantid, payload)


def register(runtime: Runtime, cache: ReferenceCache) -> None:
    async def on_event_changed(uow: UnitOfWork, event: CloudEvent, payload: events_catalog.EventChanged) -> None:
        await directory.event_changed(uow, cache, payload)

    async def on_event_deleted(uow: UnitOfWork, event: CloudEvent, payload: events_catalog.EventDeleted) -> None:
        if event.tenantid is not None:
            await directory.event_deleted(uow, cache, event.tenantid, payload)

    def on_type(deleted: bool) -> EventHandler:
        async def handle(uow: UnitOfWork, event: CloudEvent, payload: events_catalog.ParticipantTypeChanged) -> None:
            await directory.participant_type_changed(uow, cache, payload, deleted=deleted)

        return handle

    def on_field(deleted: bool) -> EventHandler:
        async def handle(uow: UnitOfWork, event: CloudEvent, payload: events_catalog.FieldDefinitionChanged) -> None:
            await directory.field_definition_changed(uow, cache, payload, deleted=deleted)

        return handle

    async def on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
        await cleanup.tenant_deleted(uow, cache, payload.tenant_id)

    runtime.consume_each(
        consumer("registration_event_directory"),
        {
            events_catalog.EVENT_CREATED: on_event_changed,
            events_catalog.EVENT_UPDATED: on_event_changed,
            events_catalog.EVENT_DELETED: on_event_deleted,
            events_catalog.PARTICIPANT_TYPE_CREATED: on_type(deleted=False),
            events_catalog.PARTICIPANT_TYPE_UPDATED: on_type(deleted=False),
            events_catalog.PARTICIPANT_TYPE_DELETED: on_type(deleted=True),
            events_catalog.FIELD_DEFINITION_CREATED: on_field(deleted=False),
            events_catalog.FIELD_DEFINITION_UPDATED: on_field(deleted=False),
            events_catalog.FIELD_DEFINITION_DELETED: on_field(deleted=True),
            events_catalog.SERIES_CREATED: acknowledged,
            events_catalog.SERIES_UPDATED: acknowledged,
            events_catalog.SERIES_DELETED: acknowledged,
            events_catalog.EDITION_ADDED: acknowledged,
            events_catalog.EDITION_UPDATED: acknowledged,
            events_catalog.EDITION_REMOVED: acknowledged,
        },
    )
    runtime.consume(consumer("registration_status_mirror"), [workflow.PARTICIPANT_STATUS_CHANGED], on_status_changed)
    runtime.consume(consumer("registration_tenant_cleanup"), [identity.TENANT_DELETED], on_tenant_deleted)
