"""Participant types of an event: create (code unique per event), list, update (If-Match), delete."""

from plenary_contracts.catalog import events as contract
from plenary_contracts.errors import NotFound
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import event_repository
from ..adapters.event_repository import TypeRecord
from .common import live_event, touched


async def _live_type(uow: UnitOfWork, event_id: str, type_id: str, *, for_update: bool = False) -> TypeRecord:
    await live_event(uow, event_id)
    found = await event_repository.get_type(uow.session, type_id, tenant(), event_id, for_update=for_update)
    if found is None:
        raise NotFound(f"participant type {type_id} not found")
    return found


def _publish(uow: UnitOfWork, spec, stored: TypeRecord) -> contract.ParticipantType:  # type: ignore[no-untyped-def]
    changed = event_repository.to_type(stored)
    uow.publish(spec, contract.ParticipantTypeChanged(participant_type=changed), subject=changed.id)
    return changed


async def create_participant_type(request: contract.CreateParticipantType, uow: UnitOfWork) -> contract.ParticipantType:
    await live_event(uow, request.event_id)
    now, type_id = utcnow(), new_id()
    await event_repository.insert_type(
        uow.session,
        {
            "id": type_id,
            "tenant_id": tenant(),
            "event_id": request.event_id,
            "name": request.name,
            "code": request.code,
            "description": request.description,
            "created_at": now,
            "updated_at": now,
        },
    )
    return _publish(uow, contract.PARTICIPANT_TYPE_CREATED, await _live_type(uow, request.event_id, type_id))


async def list_participant_types(
    request: contract.ListParticipantTypes, uow: UnitOfWork
) -> contract.ParticipantTypePage:
    await live_event(uow, request.event_id)
    found, meta = await event_repository.page_types(uow.session, tenant(), request)
    return contract.ParticipantTypePage(data=found, meta=meta)


async def update_participant_type(request: contract.UpdateParticipantType, uow: UnitOfWork) -> contract.ParticipantType:
    """Name and code change when given; an explicit null clears the description."""
    current = await _live_type(uow, request.event_id, request.id, for_update=True)
    require_if_match(current.updated_at)
    values: dict[str, object] = {n: getattr(request, n) for n in ("name", "code") if getattr(request, n) is not None}
    if "description" in request.model_fields_set:
        values["description"] = request.description
    if not values:
        return event_repository.to_type(current)
    await event_repository.update_type(uow.session, current.id, values | {"updated_at": touched(current.updated_at)})
    return _publish(uow, contract.PARTICIPANT_TYPE_UPDATED, await _live_type(uow, request.event_id, current.id))


async def delete_participant_type(request: contract.ParticipantTypeRef, uow: UnitOfWork) -> contract.ParticipantTypeRef:
    """Gone for good; participants already registered with it keep it (registration's read model)."""
    current = await _live_type(uow, request.event_id, request.id, for_update=True)
    await event_repository.delete_type(uow.session, current.id)
    _publish(uow, contract.PARTICIPANT_TYPE_DELETED, current)
    return contract.ParticipantTypeRef(event_id=current.event_id, id=current.id)
