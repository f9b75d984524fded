"""An event's checkpoints: create, list, read, change, open or close, delete. Every change is announced
(created, updated, deleted), which is the audit trail of who set up which gate when.

The event must be one checkin holds for the caller's tenant (else 404). The participant types a checkpoint
admits are the events service's: they are checked there, since checkin's read model of events does not hold
types; an unknown type is a 422 on its place in the list, and events not answering a 503/504, never an
unchecked id. A route naming a checkpoint rather than an event checks the caller's grant for the
checkpoint's event (a role or a device key bound to another event is refused).
"""

from collections.abc import Sequence
from typing import Any, Protocol

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.errors import NotFound
from plenary_kit.acting import field_error, refuse, require_grant, tenant
from plenary_kit.clients.events import KnownEvent
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import checkpoint_repository as checkpoints
from .directory import known_event

READ = contract.GET_CHECKPOINT.permission  # check-in:scan: a scanner picks its checkpoint
MANAGE = contract.UPDATE_CHECKPOINT.permission  # check-in:manage: changing one is staff's
TYPES_AT = ("body", "allowedParticipantTypeIds")
# Fields an update may clear with an explicit null; the others are only replaced (a null there is refused).
_CLEARABLE = ("location", "capacity", "zone_id", "allowed_participant_type_ids")
_REPLACEABLE = ("name", "type", "direction", "reentry", "refuse_passback")
_WIRE = {"zone_id": "zoneId", "refuse_passback": "refusePassback"}


class EventLookup(Protocol):
    async def event(self, tenant_id: str, event_id: str) -> KnownEvent | None: ...


async def _owned(uow: UnitOfWork, checkpoint_id: str, *, for_update: bool = False) -> contract.Checkpoint:
    """The tenant's checkpoint, which the caller's grants reach for what it asks (a change is ``MANAGE``)."""
    found = await checkpoints.get(uow.session, tenant(), checkpoint_id, for_update=for_update)
    if found is None:
        raise NotFound(f"checkpoint {checkpoint_id} not found")
    require_grant(MANAGE if for_update else READ, found.event_id)  # type: ignore[arg-type]
    return found


def _publish(uow: UnitOfWork, spec: Any, changed: contract.Checkpoint) -> contract.Checkpoint:
    uow.publish(spec, contract.CheckpointChanged(checkpoint=changed), subject=changed.id)
    return changed


def _distinct(type_ids: Sequence[str] | None) -> list[str] | None:
    return None if type_ids is None else list(dict.fromkeys(type_ids))


class Checkpoints:
    def __init__(self, events: EventLookup) -> None:
        self.events = events

    async def _check_types(self, tenant_id: str, event_id: str, type_ids: Sequence[str] | None) -> None:
        """Each type is one of the event's (asked of the events service); none to check when null or empty."""
        if not type_ids:
            return
        known = await self.events.event(tenant_id, event_id)
        if known is None:
            raise NotFound(f"event {event_id} not found")
        refuse(
            "unknown participant types",
            [
                field_error([*TYPES_AT, i], f"{type_id} is not a participant type of event {event_id}")
                for i, type_id in enumerate(type_ids)
                if type_id not in known.participant_type_ids
            ],
        )

    async def create_checkpoint(self, request: contract.CreateCheckpoint, uow: UnitOfWork) -> contract.Checkpoint:
        tenant_id = tenant()
        await known_event(uow, tenant_id, request.event_id)
        type_ids = _distinct(request.allowed_participant_type_ids)
        await self._check_types(tenant_id, request.event_id, type_ids)
        values = request.model_dump(by_alias=False, exclude={"allowed_participant_type_ids"})
        created = await checkpoints.insert(
            uow.session, {**values, "id": new_id(), "tenant_id": tenant_id, "allowed_participant_type_ids": type_ids}
        )
        return _publish(uow, contract.CHECKPOINT_CREATED, created)

    async def update_checkpoint(self, request: contract.UpdateCheckpoint, uow: UnitOfWork) -> contract.Checkpoint:
        """Only the fields given change; an explicit null clears location, capacity, zone or the admitted
        types (every type may pass again)."""
        given = request.model_fields_set
        refuse(
            "these fields cannot be cleared",
            [
                field_error(["body", _WIRE.get(name, name)], "may be left out but not null")
                for name in _REPLACEABLE
                if name in given and getattr(request, name) is None
            ],
        )
        current = await _owned(uow, request.id, for_update=True)
        values: dict[str, Any] = {
            name: getattr(request, name) for name in (*_CLEARABLE, *_REPLACEABLE) if name in given
        }
        if "allowed_participant_type_ids" in values:
            values["allowed_participant_type_ids"] = _distinct(values["allowed_participant_type_ids"])
            await self._check_types(current.tenant_id, current.event_id, values["allowed_participant_type_ids"])
        if not values:
            return current
        return _publish(uow, contract.CHECKPOINT_UPDATED, await checkpoints.update(uow.session, current.id, values))


async def list_checkpoints(request: contract.ListCheckpoints, uow: UnitOfWork) -> contract.CheckpointPage:
    tenant_id = tenant()
    await known_event(uow, tenant_id, request.event_id)
    found, meta = await checkpoints.page(uow.session, tenant_id, request)
    return contract.CheckpointPage(data=found, meta=meta)


async def get_checkpoint(request: contract.CheckpointRef, uow: UnitOfWork) -> contract.Checkpoint:
    return await _owned(uow, request.id)


async def toggle_checkpoint(request: contract.CheckpointRef, uow: UnitOfWork) -> contract.Checkpoint:
    """Open a closed checkpoint or close an open one: a closed one answers every scan INVALID."""
    current = await _owned(uow, request.id, for_update=True)
    toggled = await checkpoints.update(uow.session, current.id, {"is_active": not current.is_active})
    return _publish(uow, contract.CHECKPOINT_UPDATED, toggled)


async def delete_checkpoint(request: contract.CheckpointRef, uow: UnitOfWork) -> contract.Checkpoint:
    """The checkpoint and its access log; the event carries the checkpoint as it was."""
    current = await _owned(uow, request.id, for_update=True)
    await checkpoints.delete(uow.session, current.id)
    return _publish(uow, contract.CHECKPOINT_DELETED, current)
