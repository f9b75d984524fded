"""The consumers keeping checkin's read models: registration's participants, workflow's status decisions, the
events service's events, and a deleted tenant's purge. Every event type a consumer's filter brings is listed
(a type missing here would be dead-lettered). Handlers translate; the use cases decide."""

from collections.abc import Awaitable, Callable
from typing import Any

from plenary_contracts.catalog import events, identity, registration, workflow
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import EventHandler, Runtime

from ..application import cleanup, directory


def register(runtime: Runtime) -> None:
    runtime.consume_each(
        consumer("checkin_participant_directory"),
        {
            registration.PARTICIPANT_REGISTERED: _in_tenant(directory.participant_changed),
            registration.PARTICIPANT_UPDATED: _in_tenant(directory.participant_changed),
            registration.PARTICIPANT_DELETED: _in_tenant(directory.participant_deleted),
            registration.PARTICIPANT_MERGED: _in_tenant(directory.participants_merged),
        },
    )
    runtime.consume_each(
        consumer("checkin_status_mirror"),
        {workflow.PARTICIPANT_STATUS_CHANGED: _in_tenant(directory.status_changed)},
    )
    runtime.consume_each(
        consumer("checkin_event_directory"),
        {
            events.EVENT_CREATED: _in_tenant(directory.event_changed),
            events.EVENT_UPDATED: _in_tenant(directory.event_changed),
            events.EVENT_DELETED: _in_tenant(directory.event_deleted),
        },
    )
    runtime.consume_each(consumer("checkin_tenant_cleanup"), {identity.TENANT_DELETED: _on_tenant_deleted})


def _in_tenant(handle: Callable[[UnitOfWork, str | None, Any], Awaitable[None]]) -> EventHandler:
    """A handler for a use case that needs the event's tenant and its payload."""

    async def on_event(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        await handle(uow, event.tenantid, payload)

    return on_event


async def _on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
    await cleanup.tenant_deleted(uow, payload.tenant_id)
