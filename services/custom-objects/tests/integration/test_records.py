"""Records over the bus: typed data checked field by field, required fields (null and "" refused), defaults,
wholesale replacement, If-Match, a deactivated definition, other tenants, listing, and the events with the
record as it is (or was)."""

import pytest

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.errors import BadRequest, NotFound, PreconditionFailed, ValidationFailed

from .conftest import OTHER_TENANT, CustomObjectsService

EVERY_TYPE = [
    {"name": "name", "label": "Name", "dataType": "TEXT", "required": True},
    {"name": "notes", "label": "Notes", "dataType": "LONG_TEXT"},
    {"name": "stars", "label": "Stars", "dataType": "NUMBER"},
    {"name": "open", "label": "Open", "dataType": "BOOLEAN"},
    {"name": "opened", "label": "Opened", "dataType": "DATE"},
    {"name": "checkIn", "label": "Check-in", "dataType": "DATETIME"},
    {"name": "kind", "label": "Kind", "dataType": "ENUM", "options": ["hotel", "hostel"]},
    {"name": "amenities", "label": "Amenities", "dataType": "MULTI_ENUM", "options": ["wifi", "pool"]},
    {"name": "email", "label": "E-mail", "dataType": "EMAIL"},
    {"name": "site", "label": "Site", "dataType": "URL"},
    {"name": "phone", "label": "Phone", "dataType": "PHONE"},
    {"name": "contract", "label": "Contract", "dataType": "FILE"},
    {"name": "photo", "label": "Photo", "dataType": "IMAGE"},
    {"name": "owner", "label": "Owner", "dataType": "REFERENCE"},
    {"name": "score", "label": "Score", "dataType": "FORMULA"},
    {"name": "extra", "label": "Extra", "dataType": "JSON"},
]
GOOD = {
    "name": "Serena",
    "notes": "By the lake",
    "stars": 4.5,
    "open": True,
    "opened": "2001-02-03",
    "checkIn": "2026-05-01T14:00:00+03:00",
    "kind": "hotel",
    "amenities": ["wifi", "pool"],
    "email": "desk@serena.example",
    "site": "https://serena.example",
    "phone": "+254 20 123 4567",
    "contract": "file-1",
    "photo": "file-2",
    "owner": "org-1",
    "extra": {"floors": 3},
}
BAD = {
    "name": None,
    "stars": "four",
    "open": "yes",
    "opened": "03/02/2001",
    "checkIn": "2026-05-01T14:00:00",
    "kind": "motel",
    "amenities": ["spa"],
    "email": "desk",
    "site": "serena.example",
    "phone": "ring ring",
    "contract": 7,
    "score": 10,
    "rooms": 3,
}


def _errors(error: pytest.ExceptionInfo) -> dict[str, str]:
    return {e.loc[-1]: e.msg for e in error.value.errors if e.loc[:2] == ["body", "data"]}


async def test_a_record_with_a_valid_value_of_every_type_is_kept(service: CustomObjectsService):
    hotels = await service.definition("Hotels", fields=EVERY_TYPE)
    created = await service.record("hotels", GOOD)
    assert (created.definition_id, created.definition_slug, created.data) == (hotels.id, "hotels", GOOD)
    assert (await service.events(contract.RECORD_CREATED))[0]["record"] == created.model_dump(mode="json")


async def test_a_record_is_refused_field_by_field(service):
    await service.definition("Hotels", fields=EVERY_TYPE)
    with pytest.raises(ValidationFailed) as refused:
        await service.record("hotels", BAD)
    errors = _errors(refused)
    assert set(errors) == set(BAD)
    assert errors["name"] == 'Field "Name" is required'
    assert errors["rooms"] == "is not a field of this object"
    assert await service.events(contract.RECORD_CREATED) == []


@pytest.mark.parametrize("value", [None, "", "  "])
async def test_a_required_field_refuses_null_and_empty_text(service, value):
    await service.definition("Hotels")
    with pytest.raises(ValidationFailed) as refused:
        await service.record("hotels", {"name": value})
    assert _errors(refused) == {"name": 'Field "Name" is required'}


async def test_a_field_left_out_takes_its_default(service):
    await service.definition("Hotels")
    assert (await service.record("hotels", {"name": "Serena", "email": None})).data == {"name": "Serena", "stars": 3}


async def test_an_unknown_or_other_tenants_definition_is_not_found(service):
    await service.definition("Hotels", tenant=OTHER_TENANT)
    for key in ("hotels", "motels"):
        with pytest.raises(NotFound):
            await service.record(key, {"name": "Serena"})


async def test_a_deactivated_definition_takes_no_new_or_changed_record_but_reads_and_deletes(service):
    hotels = await service.definition("Hotels")
    serena = await service.record(hotels.id, {"name": "Serena"})
    await service.call(contract.UPDATE_DEFINITION, {"id": hotels.id, "isActive": False})
    with pytest.raises(BadRequest):
        await service.record(hotels.id, {"name": "Hilton"})
    with pytest.raises(BadRequest):
        await service.call(contract.UPDATE_RECORD, {"definitionId": hotels.id, "id": serena.id, "data": {"name": "S"}})
    assert (await service.call(contract.GET_RECORD, {"definitionId": hotels.id, "id": serena.id})).id == serena.id
    await service.call(contract.DELETE_RECORD, {"definitionId": hotels.id, "id": serena.id})


async def test_an_update_replaces_the_data_whole_and_checks_it_again(service):
    hotels = await service.definition("Hotels")
    serena = await service.record(hotels.id, {"name": "Serena", "kind": "hotel", "email": "a@b.example"})
    ref = {"definitionId": "hotels", "id": serena.id}
    changed = await service.call(contract.UPDATE_RECORD, ref | {"data": {"name": "Serena Lodge", "stars": 5}})
    assert changed.data == {"name": "Serena Lodge", "stars": 5}
    assert changed.updated_at > serena.updated_at
    with pytest.raises(ValidationFailed) as refused:
        await service.call(contract.UPDATE_RECORD, ref | {"data": {"stars": 5}})
    assert _errors(refused) == {"name": 'Field "Name" is required'}
    with pytest.raises(PreconditionFailed):
        await service.call(contract.UPDATE_RECORD, ref | {"data": {"name": "X"}}, if_match=etag_of(serena.updated_at))
    assert [e["record"]["data"] for e in await service.events(contract.RECORD_UPDATED)] == [changed.data]


async def test_records_of_another_tenant_or_another_definition_are_not_found(service):
    hotels = await service.definition("Hotels")
    cars = await service.definition("Cars", fields=[{"name": "plate", "label": "Plate", "dataType": "TEXT"}])
    serena = await service.record(hotels.id, {"name": "Serena"})
    with pytest.raises(NotFound):
        await service.call(contract.GET_RECORD, {"definitionId": cars.id, "id": serena.id})
    with pytest.raises(NotFound):
        await service.call(contract.GET_RECORD, {"definitionId": hotels.id, "id": serena.id}, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await service.call(contract.DELETE_RECORD, {"definitionId": hotels.id, "id": serena.id}, tenant=OTHER_TENANT)


async def test_records_are_listed_newest_first_and_a_deleted_one_is_gone(service):
    hotels = await service.definition("Hotels")
    made = [await service.record(hotels.id, {"name": f"Hotel {n}"}) for n in range(3)]
    listed = await service.call(contract.LIST_RECORDS, {"definitionId": "hotels"})
    assert [r.id for r in listed.data] == [r.id for r in reversed(made)] and listed.meta.total == 3
    gone = await service.call(contract.DELETE_RECORD, {"definitionId": "hotels", "id": made[0].id})
    assert gone.id == made[0].id
    with pytest.raises(NotFound):
        await service.call(contract.GET_RECORD, {"definitionId": "hotels", "id": made[0].id})
    deleted = await service.events(contract.RECORD_DELETED)
    assert [e["record"] for e in deleted] == [made[0].model_dump(mode="json")]
