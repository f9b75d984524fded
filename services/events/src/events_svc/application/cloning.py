"""Cloning an event: the request that begins the saga, events' own part of the copy, and the operation as
callers read it. The other services' parts are the saga's driver's (``clone_saga.py``).

One unit of work begins a clone: the operation (PENDING), the source checked in the caller's tenant, the
target event (DRAFT, the source's description, timezone and extras, the name and dates asked for), events'
own part (participant types, the event's own field definitions; ids derived from the operation, ids inside
their config and validation JSON remapped), then IN_PROGRESS, leased to this process, whose driver is woken
once it commits."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import CloneStatus, EventStatus
from plenary_contracts.errors import NotFound
from plenary_contracts.id_map import derived_id, remap_json
from plenary_contracts.saga_parts import CLONE_ORDER, CloneElements
from plenary_kit.acting import actor, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import clone_repository as clones
from ..adapters import event_repository
from ..adapters import series_repository as series
from ..adapters.clone_repository import CloneRecord
from ..domain.cloning import OWN, initial_steps
from .common import live_event, require_grant_for

STEP_ORDER = (OWN, *CLONE_ORDER)


def asked(elements: CloneElements) -> set[str]:
    """The elements a clone asked for, by name."""
    return {name for name, wanted in elements.model_dump().items() if wanted}


def to_operation(found: CloneRecord) -> contract.CloneOperation:
    return clones.to_operation(found, STEP_ORDER)


async def copy_own_part(
    uow: UnitOfWork, operation_id: str, source_id: str, target_id: str, elements: CloneElements
) -> tuple[dict[str, str], dict[str, int]]:
    """Copy the source's participant types and own field definitions (those asked for) into the target,
    publishing their created events as creating them does; the id map of the copies and the counts."""
    now, tenant_id = utcnow(), tenant()
    types = await clones.source_types(uow.session, tenant_id, source_id) if elements.participant_types else []
    fields = await clones.source_fields(uow.session, tenant_id, source_id) if elements.field_definitions else []
    id_map = {row["id"]: derived_id(operation_id, row["id"]) for row in [*types, *fields]}
    # a microsecond apart, so the copies list in the source's order
    type_rows = [
        row | {"id": id_map[row["id"]], "event_id": target_id, "created_at": _at(now, n), "updated_at": _at(now, n)}
        for n, row in enumerate(types)
    ]
    field_rows = [
        row
        | {
            "id": id_map[row["id"]],
            "event_id": target_id,
            "config": remap_json(row["config"], id_map),
            "validation": remap_json(row["validation"], id_map),
            "created_at": now,
            "updated_at": now,
        }
        for row in fields
    ]
    new_types = await clones.insert_types(uow.session, type_rows)
    new_fields = await clones.insert_fields(uow.session, field_rows)
    for row in type_rows:
        if row["id"] in new_types:
            changed = contract.ParticipantTypeChanged(participant_type=contract.ParticipantType.model_validate(row))
            uow.publish(contract.PARTICIPANT_TYPE_CREATED, changed, subject=row["id"])
    for row in field_rows:
        if row["id"] in new_fields:
            changed_field = contract.FieldDefinitionChanged(
                field_definition=contract.FieldDefinition.model_validate(row)
            )
            uow.publish(contract.FIELD_DEFINITION_CREATED, changed_field, subject=row["id"])
    counts = {"participantTypes": len(type_rows)} if elements.participant_types else {}
    return id_map, counts | ({"fieldDefinitions": len(field_rows)} if elements.field_definitions else {})


def _at(now: datetime, n: int) -> datetime:
    return now + timedelta(microseconds=n)


class Cloning:
    """The clone operations; ``wake`` starts this process's driver on a saga once its first commit is in."""

    def __init__(self, wake: Callable[[str], None], lease: timedelta) -> None:
        self.wake = wake
        self.lease = lease

    async def clone_event(self, request: contract.CloneEvent, uow: UnitOfWork) -> contract.CloneOperation:
        tenant_id, now, operation_id = tenant(), utcnow(), new_id()
        source = await live_event(uow, request.id)
        require_grant_for(contract.CLONE_EVENT, source.id)
        if request.series_id is not None and await series.get_series(uow.session, request.series_id, tenant_id) is None:
            raise NotFound(f"series {request.series_id} not found")
        options = contract.CloneOptions(
            target_event_name=request.target_event_name,
            start_date=request.start_date,
            end_date=request.end_date,
            elements=request.elements,
            series_id=request.series_id,
            edition_number=request.edition_number,
        )
        await clones.insert_operation(
            uow.session,
            {
                "id": operation_id,
                "tenant_id": tenant_id,
                "source_event_id": source.id,
                "status": CloneStatus.PENDING,
                "options": options.model_dump(mode="json"),
                "started_at": now,
                "created_by": actor(),
            },
        )
        target_id = new_id()
        await event_repository.insert_event(
            uow.session,
            {
                "id": target_id,
                "tenant_id": tenant_id,
                "name": request.target_event_name,
                "description": source.description,
                "status": EventStatus.DRAFT,
                "start_date": request.start_date,
                "end_date": request.end_date,
                "timezone": source.timezone,
                "extras": source.extras,
                "created_at": now,
                "updated_at": now,
            },
        )
        target = await live_event(uow, target_id)
        uow.publish(
            contract.EVENT_CREATED, contract.EventChanged(event=event_repository.to_event(target)), subject=target_id
        )
        id_map, counts = await copy_own_part(uow, operation_id, source.id, target_id, request.elements)
        values: dict[str, Any] = {
            "target_event_id": target_id,
            "status": CloneStatus.IN_PROGRESS,
            "id_map": id_map,
            "steps": initial_steps(CLONE_ORDER, asked(request.elements), counts),
            "claimed_until": now + self.lease,  # this process drives it; a sweep takes over if it dies
        }
        await clones.update_operation(uow.session, operation_id, values)
        uow.after_commit(lambda: self.wake(operation_id))
        found = await clones.get_operation(uow.session, operation_id, tenant_id)
        assert found is not None
        return to_operation(found)

    async def get_clone_operation(
        self, request: contract.CloneOperationRef, uow: UnitOfWork
    ) -> contract.CloneOperation:
        found = await clones.get_operation(uow.session, request.id, tenant())
        if found is None:
            raise NotFound(f"clone operation {request.id} not found")
        require_grant_for(contract.GET_CLONE_OPERATION, found.source_event_id)
        return to_operation(found)

    async def list_clone_operations(
        self, request: contract.ListCloneOperations, uow: UnitOfWork
    ) -> contract.CloneOperationPage:
        source = await live_event(uow, request.id)
        require_grant_for(contract.LIST_CLONE_OPERATIONS, source.id)
        found, meta = await clones.page_operations(uow.session, source.tenant_id, request)
        return contract.CloneOperationPage(data=[to_operation(each) for each in found], meta=meta)
