"""checkin's part of the clone saga: the source event's checkpoints and declared zones copied into the clone,
and dropped from it when the saga compensates.

A checkpoint keeps its name, kind, direction, state, capacity, re-entry policy and passback rule. Its zone is
a name within its event (``ZoneId``), and the clone's zones are declared under the same names, so it needs no
remapping. The participant types it admits are remapped through the saga's id map; a type the map does not
know (participant types not copied) is left out, and a checkpoint that admitted only such types admits nobody
until an organiser chooses again: a copy never opens a restricted gate to every type. A zone is declared
afresh: its capacity, a count of 0.

Ids derive from the operation and the source row's: a repeated copy finds its rows and answers the same,
announcing nothing twice. Each new checkpoint is announced as a created one is (``checkpoint.created``), each
zone as a declared one is (``occupancy.changed``)."""

from typing import Any

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.id_map import derived_id
from plenary_contracts.saga_parts import CopiedPart, CopyEventPart, DropEventPart, DroppedPart
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import checkpoint_repository as checkpoints
from ..adapters import occupancy_repository as occupancy
from .occupancy import publish_zone

_KEPT = ("name", "location", "type", "direction", "is_active", "capacity", "zone_id", "reentry", "refuse_passback")


def _admitted(type_ids: list[str] | None, id_map: dict[str, str]) -> list[str] | None:
    return None if type_ids is None else [id_map[t] for t in type_ids if t in id_map]


async def copy_event_part(request: CopyEventPart, uow: UnitOfWork) -> CopiedPart:
    if not request.elements.checkpoints:
        return CopiedPart()
    tenant_id, now = tenant(), utcnow()
    sources = await checkpoints.of_event(uow.session, tenant_id, request.source_event_id)
    own = {source.id: derived_id(request.operation_id, source.id) for source in sources}
    rows: list[dict[str, Any]] = [
        {name: getattr(source, name) for name in _KEPT}
        | {
            "id": own[source.id],
            "tenant_id": tenant_id,
            "event_id": request.target_event_id,
            "allowed_participant_type_ids": _admitted(source.allowed_participant_type_ids, request.id_map),
            "created_at": now,
            "updated_at": now,
        }
        for source in sources
    ]
    for created in await checkpoints.insert_copies(uow.session, rows):
        uow.publish(contract.CHECKPOINT_CREATED, contract.CheckpointChanged(checkpoint=created), subject=created.id)
    zones = await occupancy.declared(uow.session, tenant_id, request.source_event_id)
    declared = [
        {
            "id": derived_id(request.operation_id, zone.id),
            "tenant_id": tenant_id,
            "event_id": request.target_event_id,
            "zone_id": zone.zone_id,
            "max_capacity": zone.max_capacity,
            "current_count": 0,
        }
        for zone in zones
    ]
    for zone in await occupancy.insert_copies(uow.session, declared):
        publish_zone(uow, zone)
    return CopiedPart(id_map=own, counts={"checkpoints": len(sources), "zones": len(zones)})


async def drop_event_part(request: DropEventPart, uow: UnitOfWork) -> DroppedPart:
    """The clone's checkpoints (announced as deleted) and zones: a fresh draft, so all of them came from the
    copy. Nothing else of the clone is touched (a scanner paired to it meanwhile goes with the event)."""
    tenant_id = tenant()
    gone = await checkpoints.delete_for_event(uow.session, tenant_id, request.target_event_id)
    for checkpoint in gone:
        uow.publish(
            contract.CHECKPOINT_DELETED, contract.CheckpointChanged(checkpoint=checkpoint), subject=checkpoint.id
        )
    zones = await occupancy.delete_for_event(uow.session, tenant_id, request.target_event_id)
    return DroppedPart(counts={"checkpoints": len(gone), "zones": zones})
