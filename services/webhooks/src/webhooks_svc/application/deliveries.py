"""The delivery log (newest first, by keyset), one delivery with its attempts, re-sending, the event catalog.

The list's cursor is opaque to callers: pass a reply's ``nextCursor`` as ``after``; anything else is a 400.
"""

import base64
import binascii
import uuid
from datetime import datetime

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.errors import BadRequest, Conflict, NotFound
from plenary_kit.acting import tenant
from plenary_kit.db import UnitOfWork

from ..adapters import delivery_repository as deliveries
from ..adapters import subscription_repository as subscriptions
from ..domain.catalog import PUBLIC_TYPES, public_event_id


def encode_cursor(created_at: datetime, row_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> deliveries.Position:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, row_id = text.partition("|")
        created_at: datetime | None = datetime.fromisoformat(at)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        created_at, row_id = None, ""
    if created_at is None or created_at.tzinfo is None or not row_id:
        raise BadRequest("after is not a cursor this list gave (pass a reply's nextCursor)")
    return created_at, row_id


async def _page(
    uow: UnitOfWork, request: contract.ListDeliveries, subscription_id: str | None
) -> contract.DeliveryPage:
    event_id = None
    if request.event_id is not None:
        try:
            event_id = uuid.UUID(request.event_id)
        except ValueError:
            return contract.DeliveryPage(data=[])  # no delivery has such an event id
    filters = deliveries.LogFilter(
        tenant_id=tenant(),
        subscription_id=subscription_id,
        event_id=event_id,
        status=request.status,
        event_type=request.event_type,
        since=request.since,
        until=request.until,
    )
    after = decode_cursor(request.after) if request.after else None
    found = await deliveries.page(uow.session, filters, after, request.limit + 1)
    more = len(found) > request.limit
    found = found[: request.limit]
    cursor = encode_cursor(found[-1].created_at, found[-1].id) if more else None
    return contract.DeliveryPage(data=found, next_cursor=cursor)


async def list_deliveries(request: contract.ListDeliveries, uow: UnitOfWork) -> contract.DeliveryPage:
    return await _page(uow, request, request.subscription_id)


async def list_subscription_deliveries(
    request: contract.SubscriptionDeliveries, uow: UnitOfWork
) -> contract.DeliveryPage:
    if await subscriptions.get(uow.session, tenant(), request.id) is None:
        raise NotFound(f"webhook subscription {request.id} not found")
    return await _page(uow, request, request.id)


async def get_delivery(request: contract.DeliveryRef, uow: UnitOfWork) -> contract.DeliveryDetail:
    found = await deliveries.get(uow.session, tenant(), request.id)
    if found is None:
        raise NotFound(f"webhook delivery {request.id} not found")
    return found


async def resend_delivery(request: contract.DeliveryRef, uow: UnitOfWork) -> contract.WebhookDelivery:
    tenant_id = tenant()
    resent = await deliveries.resend(uow.session, tenant_id, request.id)
    if resent is not None:
        return resent
    if await deliveries.get(uow.session, tenant_id, request.id) is None:
        raise NotFound(f"webhook delivery {request.id} not found")
    raise Conflict("only a finished delivery (dead letter, failed or delivered) is sent again; a test is not")


async def resend_dead_letters(request: contract.ResendDeadLetters, uow: UnitOfWork) -> contract.Resent:
    found = await subscriptions.get(uow.session, tenant(), request.id)
    if found is None:
        raise NotFound(f"webhook subscription {request.id} not found")
    count = await deliveries.resend_failed(uow.session, found.id, request.since, request.until, request.event_types)
    return contract.Resent(resent=count)


async def list_event_types(request: contract.NoRequest, uow: UnitOfWork) -> contract.PublicEventTypes:
    return contract.PublicEventTypes(data=contract.public_event_types())


async def list_bus_event_deliveries(request: contract.BusEventRef, uow: UnitOfWork) -> contract.DeliveryPage:
    """What one bus event made: each public event it gave has the id ``public_event_id(bus id, public type)``."""
    public_ids = [public_event_id(request.bus_event_id, name) for name in sorted(PUBLIC_TYPES)]
    return contract.DeliveryPage(data=await deliveries.of_event_ids(uow.session, tenant(), public_ids, 200))
