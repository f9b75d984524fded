"""What workflow does with events: registration's participants feed the read model and entries, its own
arrivals run auto-actions and assignment, identity's users fill the reviewer directory, and deleted
events and tenants cascade. Handlers translate; the use cases decide."""

from collections.abc import Awaitable, Callable
from typing import Any

from plenary_contracts.catalog import events as events_contract
from plenary_contracts.catalog import identity, registration
from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import EventHandler, Runtime

from ..application import directory, intake
from ..application.actions import Engine


def register(runtime: Runtime, *, engine: Engine, entries: intake.Intake) -> None:
    runtime.consume_each(
        consumer("workflow_participant_intake"),
        {
            registration.PARTICIPANT_REGISTERED: _payload_to(entries.registered),
            registration.PARTICIPANT_UPDATED: _payload_to(entries.updated),
            registration.PARTICIPANT_DELETED: _payload_to(entries.deleted),
            registration.PARTICIPANT_MERGED: _payload_to(entries.merged),
        },
    )
    runtime.consume_each(
        consumer("workflow_arrivals"), {workflow_contract.PARTICIPANT_STEP_ENTERED: _payload_to(engine.arrive)}
    )
    # The consumer's filter also brings role and sign-in events; they are acknowledged.
    users = consumer("workflow_user_directory")
    brought = users.filter_subject.removesuffix(">")
    user_events = {spec: _acknowledge for spec in identity.EVENTS if spec.subject.startswith(brought)}
    runtime.consume_each(
        users,
        user_events
        | {
            identity.USER_CREATED: _payload_to(directory.user_changed),
            identity.USER_UPDATED: _payload_to(directory.user_changed),
            identity.USER_DELETED: _payload_to(directory.user_deleted),
        },
    )
    runtime.consume_each(consumer("workflow_event_cleanup"), {events_contract.EVENT_DELETED: _on_event_deleted})
    runtime.consume_each(consumer("workflow_tenant_cleanup"), {identity.TENANT_DELETED: _on_tenant_deleted})


def _payload_to(handle: Callable[[UnitOfWork, Any], Awaitable[None]]) -> EventHandler:
    """A handler for a use case that needs only the event's payload."""

    async def on_event(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        await handle(uow, payload)

    return on_event


async def _acknowledge(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
    """An event the consumer's filter brings but workflow has no use for."""


async def _on_event_deleted(uow: UnitOfWork, event: CloudEvent, payload: events_contract.EventDeleted) -> None:
    await intake.event_deleted(uow, payload.event_id, event.tenantid)


async def _on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
    await intake.tenant_deleted(uow, payload.tenant_id)
