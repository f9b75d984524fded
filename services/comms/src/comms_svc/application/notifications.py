"""A user's in-app notifications: list, unread count, mark one or all read. Each caller sees only their own."""

from plenary_contracts.catalog import comms as contract
from plenary_contracts.errors import NotFound
from plenary_kit.acting import actor, tenant
from plenary_kit.db import UnitOfWork

from ..adapters import notification_repository as notifications


async def list_notifications(request: contract.ListNotifications, uow: UnitOfWork) -> contract.NotificationPage:
    items, meta = await notifications.page(uow.session, tenant(), actor(), request)
    return contract.NotificationPage(data=items, meta=meta)


async def count_unread(request: contract.NoRequest, uow: UnitOfWork) -> contract.UnreadCount:
    return contract.UnreadCount(count=await notifications.unread(uow.session, tenant(), actor()))


async def mark_read(request: contract.NotificationRef, uow: UnitOfWork) -> contract.Notification:
    found = await notifications.mark_read(uow.session, tenant(), actor(), request.id)
    if found is None:
        raise NotFound(f"notification {request.id} not found")
    return found


async def mark_all_read(request: contract.NoRequest, uow: UnitOfWork) -> contract.MarkedRead:
    return contract.MarkedRead(updated=await notifications.mark_all_read(uow.session, tenant(), actor()))


async def notify(uow: UnitOfWork, tenant_id: str, rows: list[dict]) -> list[contract.Notification]:
    """Write notifications (each: user_id, type, title, message, data) and announce each."""
    saved = await notifications.insert_many(uow.session, [{"tenant_id": tenant_id, **row} for row in rows])
    for each in saved:
        uow.publish(
            contract.NOTIFICATION_CREATED, contract.NotificationCreated(notification=each), subject=each.user_id
        )
    return saved
