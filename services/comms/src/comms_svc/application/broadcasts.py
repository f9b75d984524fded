"""Broadcasts: draft, change, schedule, send, cancel, read, list, count an audience, list deliveries.

Sending resolves the audience from comms' own copy of the event's participants (no other service is asked at
send time) and queues one delivery per recipient, inserted in chunks of 100; the delivery job then renders and
sends each. The broadcast row is locked while it changes state, so a send and a cancel, or two replicas'
scheduled sends, never interleave.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from plenary_contracts.catalog import comms as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import BroadcastStatus, MessageChannel
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit.acting import actor, field_error, refuse, tenant, utcnow
from plenary_kit.context import acting
from plenary_kit.db import UnitOfWork, drain

from ..adapters import broadcast_repository as broadcasts
from ..adapters import delivery_repository as deliveries
from ..adapters import directory_repository as directory
from ..adapters import template_repository as templates
from ..adapters.delivery_repository import NewDelivery
from ..domain import lifecycle
from ..domain.channels import body_problem, recipient_of
from ..domain.lifecycle import Refusal
from .audiences import audience_of, resolve

CHUNK = 100
CANCELLED_BY_USER = "Cancelled by user"
EVENT_GONE = "Its event no longer exists"
PHONE_KEYS = ("phone", "phoneNumber", "mobile")


def _refuse(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise BadRequest(refusal.message, details={"reason": refusal.code.value})


def _publish(uow: UnitOfWork, spec: Any, broadcast: contract.Broadcast) -> contract.Broadcast:
    uow.publish(spec, contract.BroadcastChanged(broadcast=broadcast), subject=broadcast.id)
    return broadcast


def _check_body(channel: MessageChannel, body: str) -> None:
    problem = body_problem(channel, body)
    refuse("the body does not fit its channel", [field_error(["body", "body"], problem)] if problem else [])


async def _owned(uow: UnitOfWork, broadcast_id: str, *, for_update: bool = False) -> contract.Broadcast:
    found = await broadcasts.get(uow.session, tenant(), broadcast_id, for_update=for_update)
    if found is None:
        raise NotFound(f"broadcast {broadcast_id} not found")
    return found


async def _known_event(uow: UnitOfWork, tenant_id: str, event_id: str | None) -> None:
    if event_id is not None and await directory.get_event(uow.session, tenant_id, event_id) is None:
        raise NotFound(f"event {event_id} not found")


async def create_broadcast(request: contract.CreateBroadcast, uow: UnitOfWork) -> contract.Broadcast:
    tenant_id = tenant()
    await _known_event(uow, tenant_id, request.event_id)
    subject, body = request.subject, request.body
    if request.template_id is not None:
        template = await templates.get(uow.session, tenant_id, request.template_id)
        if template is None:
            raise NotFound(f"template {request.template_id} not found")
        subject = subject if subject is not None else template.subject
        body = body if body is not None else template.body
    if body is None:
        refuse("a broadcast needs a body", [field_error(["body", "body"], "give a body or a template")])
    assert body is not None
    _check_body(request.channel, body)
    filters = request.filters.model_dump(mode="json", by_alias=True, exclude_none=True)
    audience_of(filters)
    saved = await broadcasts.insert(
        uow.session,
        {
            "tenant_id": tenant_id,
            "event_id": request.event_id,
            "template_id": request.template_id,
            "subject": subject,
            "body": body,
            "channel": request.channel,
            "filters": filters,
            "is_emergency": request.is_emergency,
            "priority": lifecycle.priority_of(request.is_emergency, request.priority),
            "created_by": actor(),
        },
    )
    return _publish(uow, contract.BROADCAST_CREATED, saved)


async def update_broadcast(request: contract.UpdateBroadcast, uow: UnitOfWork) -> contract.Broadcast:
    current = await _owned(uow, request.id, for_update=True)
    _refuse(lifecycle.edit(current.status))
    given = request.model_dump(by_alias=False, exclude={"id"}, exclude_unset=True)
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None or k in ("subject", "event_id")}
    if "filters" in changes:
        assert request.filters is not None
        changes["filters"] = request.filters.model_dump(mode="json", by_alias=True, exclude_none=True)
        audience_of(changes["filters"])
    if "priority" in changes:
        changes["priority"] = lifecycle.priority_of(current.is_emergency, changes["priority"])
    await _known_event(uow, current.tenant_id, changes.get("event_id"))
    _check_body(changes.get("channel", current.channel), changes.get("body", current.body))
    if not changes:
        return current
    return _publish(uow, contract.BROADCAST_UPDATED, await broadcasts.update(uow.session, current.id, changes))


async def schedule_broadcast(request: contract.ScheduleBroadcast, uow: UnitOfWork) -> contract.Broadcast:
    current = await _owned(uow, request.id, for_update=True)
    _refuse(lifecycle.schedule(current.status))
    changes = {"status": BroadcastStatus.SCHEDULED, "scheduled_at": request.scheduled_at}
    return _publish(uow, contract.BROADCAST_SCHEDULED, await broadcasts.update(uow.session, current.id, changes))


async def send_broadcast(request: contract.BroadcastRef, uow: UnitOfWork) -> contract.Broadcast:
    return await send_now(uow, await _owned(uow, request.id, for_update=True))


async def send_now(uow: UnitOfWork, current: contract.Broadcast) -> contract.Broadcast:
    """SENDING with its deliveries queued; SENT at once when the audience is empty. The row is locked."""
    _refuse(lifecycle.send(current.status, current.event_id))
    assert current.event_id is not None
    now = utcnow()
    filters = current.filters.model_dump(mode="json", by_alias=True, exclude_none=True)
    audience = audience_of(filters)
    recipients = await resolve(
        uow.session, current.tenant_id, current.event_id, audience, emergency=current.is_emergency
    )
    rows = [NewDelivery(row.id, recipient_of(current.channel, row.email, _phone(row.extras))) for row in recipients]
    queued = 0
    for start in range(0, len(rows), CHUNK):
        queued += await deliveries.queue(
            uow.session,
            current.tenant_id,
            current.id,
            current.channel,
            current.priority,
            rows[start : start + CHUNK],
            now,
        )
    changes: dict[str, Any] = {"status": BroadcastStatus.SENDING, "sent_at": now, "recipient_count": queued}
    if queued == 0:
        changes.update(status=BroadcastStatus.SENT, completed_at=now)
    sending = await broadcasts.update(uow.session, current.id, changes)
    _publish(uow, contract.BROADCAST_SENDING, sending)
    if queued == 0:
        _publish(uow, contract.BROADCAST_SENT, sending)
    return sending


def _phone(extras: dict[str, Any] | None) -> str | None:
    for key in PHONE_KEYS:
        value = (extras or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


async def cancel_broadcast(request: contract.CancelBroadcast, uow: UnitOfWork) -> contract.Broadcast:
    """Deliveries not sent yet fail ("Broadcast cancelled"): the queued ones here, those a delivery job holds
    when it next looks (a quarter second); a message on the wire right now completes and counts."""
    current = await _owned(uow, request.id, for_update=True)
    _refuse(lifecycle.cancel(current.status))
    failed = await deliveries.fail_queued(uow.session, current.id)
    await broadcasts.add_counts(uow.session, current.id, failed=failed)
    changes = {
        "status": BroadcastStatus.CANCELLED,
        "cancelled_by": actor(),
        "cancelled_at": utcnow(),
        "cancel_reason": request.reason or CANCELLED_BY_USER,
    }
    return _publish(uow, contract.BROADCAST_CANCELLED, await broadcasts.update(uow.session, current.id, changes))


async def get_broadcast(request: contract.BroadcastRef, uow: UnitOfWork) -> contract.Broadcast:
    found = await _owned(uow, request.id)
    return found.model_copy(update={"delivery_stats": await broadcasts.delivery_stats(uow.session, found.id)})


async def list_broadcasts(request: contract.ListBroadcasts, uow: UnitOfWork) -> contract.BroadcastPage:
    items, meta = await broadcasts.page(uow.session, tenant(), request)
    return contract.BroadcastPage(data=items, meta=meta)


async def count_audience(request: contract.AudienceQuery, uow: UnitOfWork) -> contract.AudienceCount:
    tenant_id = tenant()
    await _known_event(uow, tenant_id, request.event_id)
    audience = audience_of(request.filters.model_dump(mode="json", by_alias=True, exclude_none=True))
    reached = await resolve(uow.session, tenant_id, request.event_id, audience, emergency=request.is_emergency)
    return contract.AudienceCount(count=len(reached))


async def list_deliveries(request: contract.ListDeliveries, uow: UnitOfWork) -> contract.DeliveryPage:
    found = await _owned(uow, request.id)
    items, meta = await deliveries.page(uow.session, found.id, request)
    return contract.DeliveryPage(data=items, meta=meta)


class ScheduledSends:
    """The timer's work: each SCHEDULED broadcast whose time came is sent, one per unit of work (claimed
    ``FOR UPDATE SKIP LOCKED``: replicas share them and never send one twice)."""

    def __init__(self, new_uow: Callable[[], UnitOfWork], clock: Callable[[], datetime] = utcnow) -> None:
        self.new_uow = new_uow
        self.clock = clock

    async def run(self) -> int:
        return await drain(self.new_uow, self._send_one)

    async def _send_one(self, uow: UnitOfWork) -> bool:
        due = await broadcasts.claim_due_scheduled(uow.session, self.clock())
        if due is None:
            return False
        tenant_id, broadcast_id = due
        with acting(tenant_id=tenant_id, actor_id=SYSTEM_USER_ID):
            current = await broadcasts.get(uow.session, tenant_id, broadcast_id)
            assert current is not None
            try:
                await send_now(uow, current)
            except BadRequest:  # its event was deleted meanwhile: it can never be sent
                changes = {
                    "status": BroadcastStatus.CANCELLED,
                    "cancel_reason": EVENT_GONE,
                    "cancelled_at": self.clock(),
                    "cancelled_by": SYSTEM_USER_ID,
                }
                _publish(uow, contract.BROADCAST_CANCELLED, await broadcasts.update(uow.session, broadcast_id, changes))
        return True
