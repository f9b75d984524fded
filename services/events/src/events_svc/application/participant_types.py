"""Participant types of an event: create (code unique per event), list, update (If-Match), delete."""

import sqlalchemy as sa

from plenary_contracts.catalog import events as contract
from plenary_contracts.errors import NotFound
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork, execute_unique, fetch_page
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import event_repository as events
from ..adapters.tables import participant_type
from .common import live_event, touched

_CODE_TAKEN = {events.TYPE_CODE_TAKEN: "another participant type of this event already has this code"}


async def _live_type(uow: UnitOfWork, event_id: str, type_id: str, *, for_update: bool = False) -> sa.Row:  # type: ignore[type-arg]
    await live_event(uow, event_id)
    row = await events.get_type(uow.session, type_id, tenant(), event_id, for_update=for_update)
    if row is None:
        raise NotFound(f"participant type {type_id} not found")
    return row


def _publish(uow: UnitOfWork, spec, row: sa.Row) -> contract.ParticipantType:  # type: ignore[no-untyped-def, type-arg]
    changed = events.to_type(row)
    uow.publish(spec, contract.ParticipantTypeChanged(participant_type=changed), subject=changed.id)
    return changed


async def create_participant_type(request: contract.CreateParticipantType, uow: UnitOfWork) -> contract.ParticipantType:
    await live_event(uow, request.event_id)
    now, type_id = utcnow(), new_id()
    statement = sa.insert(participant_type).values(
        id=type_id,
        tenant_id=tenant(),
        event_id=request.event_id,
        name=request.name,
        code=request.code,
        description=request.description,
        created_at=now,
        updated_at=now,
    )
    await execute_unique(uow.session, statement, _CODE_TAKEN)
    return _publish(uow, contract.PARTICIPANT_TYPE_CREATED, await _live_type(uow, request.event_id, type_id))


async def list_participant_types(
    request: contract.ListParticipantTypes, uow: UnitOfWork
) -> contract.ParticipantTypePage:
    await live_event(uow, request.event_id)
    query = events.types_query(tenant(), request.event_id)
    rows, meta = await fetch_page(uow.session, query, request, events.TYPE_SORTABLE, participant_type.c.id)
    return contract.ParticipantTypePage(data=[events.to_type(r) for r in rows], meta=meta)


async def update_participant_type(request: contract.UpdateParticipantType, uow: UnitOfWork) -> contract.ParticipantType:
    """Name and code change when given; an explicit null clears the description."""
    current = await _live_type(uow, request.event_id, request.id, for_update=True)
    require_if_match(current.updated_at)
    values: dict[str, object] = {n: getattr(request, n) for n in ("name", "code") if getattr(request, n) is not None}
    if "description" in request.model_fields_set:
        values["description"] = request.description
    if not values:
        return events.to_type(current)
    statement = (
        sa.update(participant_type)
        .where(participant_type.c.id == current.id)
        .values(**values, updated_at=touched(current.updated_at))
    )
    await execute_unique(uow.session, statement, _CODE_TAKEN)
    return _publish(uow, contract.PARTICIPANT_TYPE_UPDATED, await _live_type(uow, request.event_id, current.id))


async def delete_participant_type(request: contract.ParticipantTypeRef, uow: UnitOfWork) -> contract.ParticipantTypeRef:
    """Gone for good; participants already registered with it keep it (registration's read model)."""
    current = await _live_type(uow, request.event_id, request.id, for_update=True)
    await uow.session.execute(sa.delete(participant_type).where(participant_type.c.id == current.id))
    _publish(uow, contract.PARTICIPANT_TYPE_DELETED, current)
    return contract.ParticipantTypeRef(event_id=current.event_id, id=current.id)
