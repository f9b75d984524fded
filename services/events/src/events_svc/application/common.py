"""What the use cases share: the caller's live event, versions that move, the events a caller's grants reach."""

from datetime import datetime

from plenary_contracts.access import decode_grants
from plenary_contracts.enums import RoleScope
from plenary_contracts.errors import NotFound
from plenary_contracts.operations import OperationSpec
from plenary_contracts.permissions import Permission
from plenary_kit import context as ctx
from plenary_kit.acting import require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import event_repository
from ..adapters.event_repository import EventRecord
from ..domain.schedule import next_version


async def live_event(uow: UnitOfWork, event_id: str, *, for_update: bool = False) -> EventRecord:
    """The caller's tenant's event; deleted, missing and other tenants' events are all not found."""
    found = await event_repository.get_event(uow.session, event_id, tenant(), for_update=for_update)
    if found is None:
        raise NotFound(f"event {event_id} not found")
    return found


def touched(previous: datetime) -> datetime:
    """The ``updated_at`` of a change to a row last changed at ``previous``."""
    return next_version(previous, utcnow())


def events_in_reach(permission: Permission | None) -> set[str] | None:
    """The events the caller's grants for ``permission`` are bound to, or None when they reach every
    event (a tenant or global role, an unscoped key, a service calling without grants)."""
    grants = ctx.current().grants
    if grants is None or permission is None:
        return None
    bound = [g for g in decode_grants(grants) if g.permission == permission.code]
    if any(g.scope is not RoleScope.EVENT or g.event_id is None for g in bound):
        return None
    return {g.event_id for g in bound if g.event_id is not None}


def require_grant_for(operation: OperationSpec, event_id: str | None) -> None:
    """The operation's permission for the row's event, for routes whose path names no event (an
    EVENT-scoped role or key bound to another event is refused)."""
    if operation.permission is not None:
        require_grant(operation.permission, event_id)
