"""Records of a definition: create, read, list, replace the data (If-Match), delete. Data is checked field by
field against the definition, held FOR KEY SHARE so a change of its fields (FOR UPDATE) waits for the record (and
the record for the change)."""

from typing import Any

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit.acting import actor, located, refuse, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import record_repository as records
from ..domain.records import check_data
from .common import DATA_AT, field_specs, live_definition, touched


def _publish(uow: UnitOfWork, spec: Any, changed: contract.CustomObjectRecord) -> contract.CustomObjectRecord:
    uow.publish(spec, contract.RecordChanged(record=changed), subject=changed.id)
    return changed


def _writable(of: contract.CustomObjectDefinition) -> None:
    if not of.is_active:
        raise BadRequest(f"custom object {of.slug} is deactivated: its records cannot be added or changed")


def _checked(of: contract.CustomObjectDefinition, data: dict[str, Any]) -> dict[str, Any]:
    checked = check_data(field_specs(of.fields), data)
    refuse(f"the record does not fit custom object {of.slug}", located(DATA_AT, checked.problems))
    return checked.data


async def _live_record(
    uow: UnitOfWork, of: contract.CustomObjectDefinition, record_id: str, *, for_update: bool = False
) -> contract.CustomObjectRecord:
    found = await records.get(uow.session, of, record_id, for_update=for_update)
    if found is None:
        raise NotFound(f"record {record_id} of custom object {of.slug} not found")
    return found


async def create_record(request: contract.CreateRecord, uow: UnitOfWork) -> contract.CustomObjectRecord:
    of = await live_definition(uow, request.definition_id, lock="share")
    _writable(of)
    now = utcnow()
    values = {
        "id": new_id(),
        "data": _checked(of, request.data),
        "created_by": actor(),
        "created_at": now,
        "updated_at": now,
    }
    return _publish(uow, contract.RECORD_CREATED, await records.insert(uow.session, of, values))


async def list_records(request: contract.ListRecords, uow: UnitOfWork) -> contract.RecordPage:
    of = await live_definition(uow, request.definition_id)
    found, meta = await records.page(uow.session, of, request)
    return contract.RecordPage(data=found, meta=meta)


async def get_record(request: contract.RecordRef, uow: UnitOfWork) -> contract.CustomObjectRecord:
    return await _live_record(uow, await live_definition(uow, request.definition_id), request.id)


async def update_record(request: contract.UpdateRecord, uow: UnitOfWork) -> contract.CustomObjectRecord:
    of = await live_definition(uow, request.definition_id, lock="share")
    current = await _live_record(uow, of, request.id, for_update=True)
    _writable(of)
    require_if_match(current.updated_at)
    values = {"data": _checked(of, request.data), "updated_at": touched(current.updated_at)}
    return _publish(uow, contract.RECORD_UPDATED, await records.update(uow.session, of, current.id, values))


async def delete_record(request: contract.RecordRef, uow: UnitOfWork) -> contract.RecordRef:
    of = await live_definition(uow, request.definition_id)
    current = await _live_record(uow, of, request.id, for_update=True)
    await records.delete(uow.session, current.id)
    _publish(uow, contract.RECORD_DELETED, current)
    return contract.RecordRef(definition_id=of.id, id=current.id)
