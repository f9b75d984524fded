"""The platform's own messages: workflow's notices (a reviewer assigned, an SLA close or passed) and the
waitlist's offers and confirmations, each rendered from a system template the tenant may override.

A workflow notice becomes an in-app notification for its user at once, and an e-mail to the user's address
(when comms knows the user) queued as a delivery row; a waitlist offer or confirmation is an e-mail to the
person. Every e-mail goes out through the delivery job like a broadcast's, with its status and retries.
"""

from collections.abc import Callable
from typing import Any

from plenary_contracts.catalog import delegation, registration, workflow
from plenary_contracts.enums import MessageChannel
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import delivery_repository as deliveries
from ..adapters import directory_repository as directory
from ..adapters.delivery_repository import NewDelivery
from ..domain.rendering import EventInfo, event_date, local_time, render_message
from . import system_templates
from .notifications import notify
from .system_templates import SystemTemplate

log = get_logger(__name__)
PLATFORM_PRIORITY = 2  # after emergencies, before every other broadcast


async def _queue_email(
    uow: UnitOfWork,
    tenant_id: str,
    template: SystemTemplate,
    values: dict[str, Any],
    recipient: str,
    *,
    user_id: str | None = None,
    participant_id: str | None = None,
    about_participant_id: str | None = None,
) -> None:
    await system_templates.ensure(uow.session, tenant_id)
    subject, body = await system_templates.text_of(uow.session, tenant_id, template)
    message = render_message(subject, body, values, html_email=True)
    row = NewDelivery(
        participant_id,
        recipient,
        user_id=user_id,
        subject=message.subject,
        body=message.body,
        about_participant_id=about_participant_id,
    )
    await deliveries.queue(uow.session, tenant_id, None, MessageChannel.EMAIL, PLATFORM_PRIORITY, [row], utcnow())


async def notification_requested(
    uow: UnitOfWork, tenant_id: str | None, payload: workflow.NotificationRequested
) -> None:
    if tenant_id is None:
        log.warning("notification request without a tenant; ignored", user_id=payload.user_id)
        return
    row = {
        "user_id": payload.user_id,
        "type": payload.type,
        "title": payload.title,
        "message": payload.message,
        "data": payload.data,
    }
    await notify(uow, tenant_id, [row])
    email = await directory.user_email(uow.session, tenant_id, payload.user_id)
    if not email:
        return
    scalars = {k: v for k, v in payload.data.items() if isinstance(v, str | int | float | bool)}
    values = {**scalars, "title": payload.title, "message": payload.message, "userName": email, "email": email}
    about = payload.data.get("participantId")
    await _queue_email(
        uow,
        tenant_id,
        system_templates.WORKFLOW_NOTICE,
        values,
        email,
        user_id=payload.user_id,
        about_participant_id=about if isinstance(about, str) else None,
    )


async def waitlist_promoted(uow: UnitOfWork, tenant_id: str | None, payload: registration.WaitlistChanged) -> None:
    await _waitlist_email(uow, tenant_id, payload.entry, system_templates.WAITLIST_OFFER)


async def waitlist_confirmed(uow: UnitOfWork, tenant_id: str | None, payload: registration.WaitlistChanged) -> None:
    await _waitlist_email(uow, tenant_id, payload.entry, system_templates.WAITLIST_CONFIRMED)


async def _waitlist_email(
    uow: UnitOfWork, tenant_id: str | None, entry: registration.WaitlistEntry, template: SystemTemplate
) -> None:
    person = entry.registration_data
    if tenant_id is None or tenant_id != entry.tenant_id or not person.email:
        return
    held = await directory.get_event(uow.session, tenant_id, entry.event_id)
    event = EventInfo(held.name, held.start_date, held.timezone) if held else None
    deadline = entry.promotion_deadline or (entry.offer.deadline if entry.offer else None)
    values: dict[str, Any] = {
        "firstName": person.first_name,
        "lastName": person.last_name,
        "name": f"{person.first_name} {person.last_name}",
        "email": person.email,
        "entryId": entry.id,
        "deadline": local_time(deadline, held.timezone if held else None) if deadline else "",
    }
    if event is not None:
        values.update(eventName=event.name, eventDate=event_date(event))
    await _queue_email(uow, tenant_id, template, values, person.email, participant_id=entry.participant_id)


InviteLink = Callable[[str], str]  # the sealed token of ``invite.sent`` -> the e-mail's accept link


async def delegation_invite_sent(
    uow: UnitOfWork, tenant_id: str | None, payload: delegation.InviteSent, link: InviteLink
) -> None:
    """The invite e-mail with its accept link: the token is unsealed only here, to render the link (delegation
    keeps its hash; the rendered e-mail in the delivery row is the one copy, as in any sent mail)."""
    invite = payload.invite
    if tenant_id is None or tenant_id != invite.tenant_id:
        return
    held = await directory.get_event(uow.session, tenant_id, invite.event_id)
    values: dict[str, Any] = {
        "email": invite.email,
        "organizationId": invite.organization_id,
        "eventName": held.name if held else "the event",
        "expiresAt": local_time(invite.expires_at, held.timezone if held else None),
        "acceptLink": link(payload.sealed_token),
        "inviteId": invite.id,
    }
    await _queue_email(uow, tenant_id, system_templates.DELEGATION_INVITE, values, invite.email)
