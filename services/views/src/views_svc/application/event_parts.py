"""views's part of the clone saga: the saved views of the source event copied into its clone, and dropped from
the clone when the saga compensates. Views hold no personal data: views takes no part in an erasure.

A copy keeps its owner, entity type, layout and sharing, never the owner's default (the source stays it), with
``config.eventId`` the target and every id inside its filters, sorts, columns and config remapped through the
saga's id map (participant types, field definitions, workflows and steps copied by the parts before). An
owner's names are unique per entity type, so the copy is named after the target event
(``domain.views.edition_name``). Its id derives from the operation and the source's id: a repeated copy finds
its views and answers the same. views publishes no event for a view (nobody keeps a read model of them)."""

from collections import defaultdict
from typing import Any

from plenary_contracts.id_map import derived_id, remap_json
from plenary_contracts.saga_parts import CopiedPart, CopyEventPart, DropEventPart, DroppedPart
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import view_repository as views
from ..adapters.view_repository import ViewRecord
from ..domain.views import edition_name

_REMAPPED = ("filters", "sorts", "columns", "config")


async def copy_event_part(request: CopyEventPart, uow: UnitOfWork) -> CopiedPart:
    if not request.elements.views:
        return CopiedPart()
    tenant_id = tenant()
    sources = await views.views_of_event(uow.session, tenant_id, request.source_event_id)
    own = {view.id: derived_id(request.operation_id, view.id) for view in sources}
    id_map = request.id_map | {request.source_event_id: request.target_event_id} | own
    by_namespace: dict[tuple[str | None, str], list[ViewRecord]] = defaultdict(list)
    for view in sources:
        by_namespace[(view.user_id, view.entity_type)].append(view)
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for (owner, entity_type), group in by_namespace.items():
        await views.lock_namespace(uow.session, tenant_id, owner, entity_type)
        there = await views.existing_ids(uow.session, tenant_id, [own[v.id] for v in group])
        taken = await views.names_starting(uow.session, tenant_id, owner, entity_type, "")
        for view in group:
            if own[view.id] in there:
                continue  # copied by an earlier run of this operation
            name = edition_name(view.name, request.target_event_name, taken)
            taken.add(name)
            rows.append(_copy(view, own[view.id], name, id_map, request.target_event_id, now))
    await views.insert_copies(uow.session, rows)
    return CopiedPart(id_map=own, counts={"views": len(sources)})


def _copy(
    view: ViewRecord, new_id: str, name: str, id_map: dict[str, str], target_event_id: str, now: Any
) -> dict[str, Any]:
    remapped = {field: remap_json(getattr(view, field), id_map) for field in _REMAPPED}
    remapped["config"] = remapped["config"] | {"eventId": target_event_id}
    return {
        "id": new_id,
        "tenant_id": view.tenant_id,
        "user_id": view.user_id,
        "name": name,
        "entity_type": view.entity_type,
        "view_type": view.view_type,
        **remapped,
        "is_shared": view.is_shared,
        "is_default": False,
        "created_at": now,
        "updated_at": now,
    }


async def drop_event_part(request: DropEventPart, uow: UnitOfWork) -> DroppedPart:
    """Every view of the clone (a fresh draft: all of them came from the copy)."""
    return DroppedPart(counts={"views": await views.delete_of_event(uow.session, tenant(), request.target_event_id)})
