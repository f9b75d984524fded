"""custom-objects' part of erasing a person (``saga_parts.ERASE_PERSON``): records about the participant go,
records that mention them lose those values (``domain.erasure``); the usual record events tell the change
without the person's data. Each record touched loses its key, so what its earlier events carried (sealed with
it, ``plenary_contracts.personal``) can no longer be read anywhere; the stored replies that copied it go."""

import asyncio
from typing import Any

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.saga_parts import ErasePerson, ErasureReceipt
from plenary_kit.acting import tenant
from plenary_kit.db import UnitOfWork

from ..adapters import erasure_repository as store
from ..adapters.record_repository import to_record
from ..domain.erasure import Blank, Delete, Person, erase_from

SERVICE = "custom-objects"
RECORDS = "custom_object_record"


async def erase_person(request: ErasePerson, uow: UnitOfWork) -> ErasureReceipt:
    tenant_id = tenant()
    person = Person(request.participant_id, request.email)
    needles = [request.participant_id.lower(), *([request.email.strip().lower()] if request.email else [])]
    deleted: list[str] = []
    blanked: dict[str, dict[str, Any]] = {}
    slugs: dict[str, str] = {}
    for found in await store.mentioning(uow.session, tenant_id, needles):
        types = {f.name: f.data_type for f in map(contract.CustomField.model_validate, found.fields)}
        slugs[found.id] = found.slug
        match erase_from(found.data, types, person):
            case Delete():
                deleted.append(found.id)
            case Blank(data=data):
                blanked[found.id] = data
    for row in await store.delete_records(uow.session, deleted):
        gone = to_record(row, slugs[row.id]).model_copy(update={"data": {}})  # the event does not copy it again
        uow.publish(contract.RECORD_DELETED, contract.RecordChanged(record=gone), subject=row.id)
    for row in await store.replace_data(uow.session, blanked):
        changed = to_record(row, slugs[row.id])
        uow.publish(contract.RECORD_UPDATED, contract.RecordChanged(record=changed), subject=row.id)
    if uow.person_keys is not None:
        await asyncio.gather(*(uow.person_keys.forget(tenant_id, record) for record in [*deleted, *blanked]))
    erased = {RECORDS: len(deleted), "idempotency_key": await uow.forget_stored_replies(tenant_id, needles)}
    return ErasureReceipt(service=SERVICE, erased=erased, anonymised={RECORDS: len(blanked)})
