"""Changing a definition's fields with records kept: misfits refused with their ids and errors, removed
fields' values gone, newly required fields' defaults given, harmless changes left alone."""

import pytest

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.errors import Conflict

from .conftest import HOTEL_FIELDS


def _with(*fields: dict) -> list[dict]:
    return [*HOTEL_FIELDS, *fields]


async def test_a_new_required_field_without_default_is_refused_naming_the_records(service):
    created = await service.definition("Hotels")
    serena = await service.record(created.id, {"name": "Serena"})
    with pytest.raises(Conflict) as refused:
        await service.call(
            contract.UPDATE_DEFINITION,
            {
                "id": created.id,
                "fields": _with({"name": "rooms", "label": "Rooms", "dataType": "NUMBER", "required": True}),
            },
        )
    details = refused.value.details
    assert details["more"] is False
    assert details["records"] == [
        {"id": serena.id, "errors": [{"loc": ["data", "rooms"], "msg": 'Field "Rooms" is required'}]}
    ]
    assert [f.name for f in (await service.call(contract.GET_DEFINITION, {"id": created.id})).fields] == [
        f["name"] for f in HOTEL_FIELDS
    ]


async def test_a_changed_type_or_a_removed_option_is_refused_for_the_records_it_breaks(service):
    created = await service.definition("Hotels")
    hostel = await service.record(created.id, {"name": "Backpackers", "kind": "hostel"})
    await service.record(created.id, {"name": "Serena", "kind": "hotel"})
    narrowed = [f | {"options": ["hotel"]} if f["name"] == "kind" else f for f in HOTEL_FIELDS]
    with pytest.raises(Conflict) as refused:
        await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "fields": narrowed})
    assert [r["id"] for r in refused.value.details["records"]] == [hostel.id]
    retyped = [f | {"dataType": "BOOLEAN"} if f["name"] == "name" else f for f in HOTEL_FIELDS]
    with pytest.raises(Conflict) as refused:
        await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "fields": retyped})
    assert len(refused.value.details["records"]) == 2


async def test_a_new_required_field_with_a_default_gives_it_to_every_record(service):
    created = await service.definition("Hotels")
    serena = await service.record(created.id, {"name": "Serena"})
    rooms = {"name": "rooms", "label": "Rooms", "dataType": "NUMBER", "required": True, "defaultValue": 10}
    await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "fields": _with(rooms)})
    kept = await service.call(contract.GET_RECORD, {"definitionId": created.id, "id": serena.id})
    assert kept.data == {"name": "Serena", "stars": 3, "rooms": 10}


async def test_a_removed_field_leaves_every_record(service):
    created = await service.definition("Hotels")
    serena = await service.record(created.id, {"name": "Serena", "email": "desk@serena.example"})
    other = await service.definition("Hotels", tenant="tenant-b")
    theirs = await service.record(other.id, {"name": "Elsewhere", "email": "desk@elsewhere.example"}, tenant="tenant-b")
    without_email = [f for f in HOTEL_FIELDS if f["name"] != "email"]
    await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "fields": without_email})
    kept = await service.call(contract.GET_RECORD, {"definitionId": created.id, "id": serena.id})
    assert kept.data == {"name": "Serena", "stars": 3}
    untouched = await service.call(contract.GET_RECORD, {"definitionId": other.id, "id": theirs.id}, tenant="tenant-b")
    assert untouched.data["email"] == "desk@elsewhere.example"


async def test_a_widened_or_relabelled_field_needs_no_check(service):
    created = await service.definition("Hotels")
    await service.record(created.id, {"name": "Serena", "kind": "hotel"})
    widened = [
        f | {"options": ["hotel", "hostel", "lodge"], "label": "Type"} if f["name"] == "kind" else f
        for f in HOTEL_FIELDS
    ]
    changed = await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "fields": widened})
    assert next(f for f in changed.fields if f.name == "kind").options == ["hotel", "hostel", "lodge"]
