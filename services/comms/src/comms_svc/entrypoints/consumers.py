"""The consumers: read models (participants, events, participant types, users), tenants, and the platform's
messages (workflow's notices, the waitlist's offers, delegation's invites). Every event type a consumer's filter
brings is listed (a type missing here would be dead-lettered). Handlers translate; the use cases decide."""

from collections.abc import Awaitable, Callable
from typing import Any

from plenary_contracts.catalog import delegation, events, identity, registration, workflow
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import EventHandler, Runtime

from ..application import directory, platform


def register(runtime: Runtime, wake: Callable[[], None], invite_link: platform.InviteLink) -> None:
    runtime.consume_each(
        consumer("comms_participant_directory"),
        {
            registration.PARTICIPANT_REGISTERED: _in_tenant(directory.participant_changed),
            registration.PARTICIPANT_UPDATED: _in_tenant(directory.participant_changed),
            registration.PARTICIPANT_DELETED: _in_tenant(directory.participant_deleted),
            registration.PARTICIPANT_MERGED: _in_tenant(directory.participants_merged),
        },
    )
    runtime.consume_each(
        consumer("comms_status_mirror"), {workflow.PARTICIPANT_STATUS_CHANGED: _in_tenant(directory.status_changed)}
    )
    runtime.consume_each(
        consumer("comms_event_directory"),
        {
            events.EVENT_CREATED: _in_tenant(directory.event_changed),
            events.EVENT_UPDATED: _in_tenant(directory.event_changed),
            events.EVENT_DELETED: _in_tenant(directory.event_deleted),
        },
    )
    runtime.consume_each(
        consumer("comms_participant_types"),
        {
            events.PARTICIPANT_TYPE_CREATED: _in_tenant(directory.participant_type_changed),
            events.PARTICIPANT_TYPE_UPDATED: _in_tenant(directory.participant_type_changed),
            events.PARTICIPANT_TYPE_DELETED: _in_tenant(directory.participant_type_deleted),
        },
    )
    runtime.consume_each(
        consumer("comms_user_directory"),
        {
            identity.USER_CREATED: _in_tenant(directory.user_changed),
            identity.USER_UPDATED: _in_tenant(directory.user_changed),
            identity.USER_DELETED: _in_tenant(directory.user_deleted),
            identity.USER_ROLE_ASSIGNED: _ignored,
            identity.USER_ROLE_UNASSIGNED: _ignored,
            identity.USER_LOGGED_IN: _ignored,
            identity.USER_LOGIN_FAILED: _ignored,
        },
    )
    runtime.consume_each(
        consumer("comms_tenants"),
        {
            identity.TENANT_CREATED: _on_tenant_created,
            identity.TENANT_UPDATED: _ignored,
            identity.TENANT_DELETED: _on_tenant_deleted,
        },
    )
    runtime.consume_each(
        consumer("comms_notification_requests"),
        {workflow.NOTIFICATION_REQUESTED: _waking(_in_tenant(platform.notification_requested), wake)},
    )
    runtime.consume_each(
        consumer("comms_waitlist_notices"),
        {
            registration.WAITLIST_ADDED: _ignored,
            registration.WAITLIST_PROMOTED: _waking(_in_tenant(platform.waitlist_promoted), wake),
            registration.WAITLIST_REMINDED: _ignored,
            registration.WAITLIST_CONFIRMED: _waking(_in_tenant(platform.waitlist_confirmed), wake),
            registration.WAITLIST_DECLINED: _ignored,
            registration.WAITLIST_EXPIRED: _ignored,
            registration.WAITLIST_WITHDRAWN: _ignored,
            registration.WAITLIST_CANCELLED: _ignored,
            registration.WAITLIST_REPRIORITIZED: _ignored,
        },
    )

    async def invite_sent(uow: UnitOfWork, tenant_id: str | None, payload: delegation.InviteSent) -> None:
        await platform.delegation_invite_sent(uow, tenant_id, payload, invite_link)

    runtime.consume_each(
        consumer("comms_delegation_invites"), {delegation.INVITE_SENT: _waking(_in_tenant(invite_sent), wake)}
    )


def _in_tenant(handle: Callable[[UnitOfWork, str | None, Any], Awaitable[None]]) -> EventHandler:
    """A handler for a use case that needs the event's tenant and its payload."""

    async def on_event(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        await handle(uow, event.tenantid, payload)

    return on_event


def _waking(handler: EventHandler, wake: Callable[[], None]) -> EventHandler:
    """The handler, then the delivery job woken for the message it queued (it polls anyway)."""

    async def on_event(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        await handler(uow, event, payload)
        wake()

    return on_event


async def _ignored(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
    return None


async def _on_tenant_created(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantChanged) -> None:
    await directory.tenant_created(uow, payload.tenant.id)


async def _on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
    await directory.tenant_deleted(uow, payload.tenant_id)
