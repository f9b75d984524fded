"""Definitions over the bus: the flag, slugs (made, suffixed, given, immutable), fields of every type and
their problems, the record count, listing, deactivation, deletion only without records, If-Match, other
tenants, and the events that announce each change."""

import pytest

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.enums import FieldDataType
from plenary_contracts.errors import Conflict, FeatureDisabled, NotFound, PreconditionFailed, ValidationFailed

from .conftest import OTHER_TENANT, CustomObjectsService

EVERY_TYPE = [
    {"name": f"f_{t.lower()}", "label": t.title(), "dataType": t, "sortOrder": n}
    | ({"options": ["a", "b"]} if t in ("ENUM", "MULTI_ENUM") else {})
    | ({"config": {"formula": "1 + 1"}} if t == "FORMULA" else {})
    for n, t in enumerate(FieldDataType)
]


def _locs(error: pytest.ExceptionInfo) -> list[list]:
    return [e.loc for e in error.value.errors]


async def test_a_tenant_without_the_flag_is_refused(service: CustomObjectsService):
    with pytest.raises(FeatureDisabled):
        await service.call(contract.LIST_DEFINITIONS, {}, tenant="tenant-without-flag")


async def test_a_definition_with_a_field_of_every_type_is_kept_with_its_options_defaults_and_order(service):
    fields = [*EVERY_TYPE, {"name": "aFirst", "label": "First", "dataType": "TEXT", "sortOrder": 0,
                            "defaultValue": "x", "config": {"placeholder": "Type here"}}]  # fmt: skip
    created = await service.definition("Press Passes", fields=fields, description="Media", icon="id-card")
    assert (created.slug, created.is_active, created.description, created.icon) == (
        "press-passes",
        True,
        "Media",
        "id-card",
    )
    assert [f.name for f in created.fields][:3] == ["aFirst", "f_text", "f_long_text"]
    first = created.fields[0]
    assert (first.default_value, first.config) == ("x", {"placeholder": "Type here"})
    assert {f.data_type for f in created.fields} == set(FieldDataType)
    detail = await service.call(contract.GET_DEFINITION, {"id": created.id})
    assert detail.record_count == 0 and detail.fields == created.fields
    assert [e["definition"]["id"] for e in await service.events(contract.DEFINITION_CREATED)] == [created.id]


async def test_slugs_are_made_from_the_name_suffixed_when_taken_and_may_be_given(service):
    assert (await service.definition("Hotels")).slug == "hotels"
    assert (await service.definition("hotels!")).slug == "hotels-2"
    assert (await service.definition("Hôtels")).slug == "hotels-3"
    assert (await service.definition("Lodging", slug="stays")).slug == "stays"
    assert (await service.definition("Hotels", tenant=OTHER_TENANT)).slug == "hotels"
    with pytest.raises(Conflict):
        await service.definition("Other stays", slug="stays")


async def test_field_problems_are_refused_each_at_its_place(service):
    fields = [
        {"name": "kind", "label": "Kind", "dataType": "ENUM"},
        {"name": "Kind", "label": "Kind again", "dataType": "TEXT"},
        {"name": "createdAt", "label": "Created", "dataType": "DATE"},
        {"name": "stars", "label": "Stars", "dataType": "NUMBER", "defaultValue": "five", "options": ["1"]},
        {"name": "score", "label": "Score", "dataType": "FORMULA", "required": True},
    ]
    with pytest.raises(ValidationFailed) as refused:
        await service.definition("Hotels", fields=fields)
    assert _locs(refused) == [
        ["body", "fields", 0, "options"],
        ["body", "fields", 1, "name"],
        ["body", "fields", 2, "name"],
        ["body", "fields", 3, "options"],
        ["body", "fields", 4, "required"],
    ]


async def test_a_definition_is_found_by_id_or_slug_in_its_tenant_only(service):
    created = await service.definition("Hotels")
    assert (await service.call(contract.GET_DEFINITION, {"id": "hotels"})).id == created.id
    for key in (created.id, "hotels"):
        with pytest.raises(NotFound):
            await service.call(contract.GET_DEFINITION, {"id": key}, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await service.call(contract.GET_DEFINITION, {"id": "motels"})


async def test_the_list_holds_active_definitions_by_name_unless_inactive_ones_are_asked_for(service):
    for name in ("Vehicles", "Hotels", "Press passes"):
        await service.definition(name)
    await service.call(contract.UPDATE_DEFINITION, {"id": "hotels", "isActive": False})
    await service.definition("Cars", tenant=OTHER_TENANT)
    listed = await service.call(contract.LIST_DEFINITIONS, {})
    assert [d.slug for d in listed.data] == ["press-passes", "vehicles"]
    every = await service.call(contract.LIST_DEFINITIONS, {"includeInactive": True})
    assert [d.slug for d in every.data] == ["hotels", "press-passes", "vehicles"]


async def test_an_update_changes_what_is_given_and_never_the_slug(service):
    created = await service.definition("Hotels", description="Where people sleep", icon="bed")
    changed = await service.call(
        contract.UPDATE_DEFINITION, {"id": created.id, "name": "Lodging", "description": None, "slug": "hotels"}
    )
    assert (changed.name, changed.slug, changed.description, changed.icon) == ("Lodging", "hotels", None, "bed")
    assert changed.updated_at > created.updated_at
    with pytest.raises(ValidationFailed) as refused:
        await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "slug": "lodging"})
    assert _locs(refused) == [["body", "slug"]]
    with pytest.raises(ValidationFailed) as refused:
        await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "name": None})
    assert _locs(refused) == [["body", "name"]]
    assert [e["definition"]["name"] for e in await service.events(contract.DEFINITION_UPDATED)] == ["Lodging"]


async def test_an_update_with_a_stale_if_match_is_refused(service):
    created = await service.definition("Hotels")
    await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "name": "Lodging"})
    with pytest.raises(PreconditionFailed):
        await service.call(
            contract.UPDATE_DEFINITION, {"id": created.id, "name": "Inns"}, if_match=etag_of(created.updated_at)
        )


async def test_a_deactivated_definition_keeps_its_records_and_takes_no_new_one(service):
    created = await service.definition("Hotels")
    await service.record(created.id, {"name": "Serena"})
    await service.call(contract.UPDATE_DEFINITION, {"id": created.id, "isActive": False})
    assert (await service.call(contract.GET_DEFINITION, {"id": created.id})).record_count == 1


async def test_a_definition_with_records_is_not_deleted_one_without_is(service):
    created = await service.definition("Hotels")
    record = await service.record(created.id, {"name": "Serena"})
    with pytest.raises(Conflict):
        await service.call(contract.DELETE_DEFINITION, {"id": "hotels"})
    await service.call(contract.DELETE_RECORD, {"definitionId": created.id, "id": record.id})
    with pytest.raises(NotFound):
        await service.call(contract.DELETE_DEFINITION, {"id": "hotels"}, tenant=OTHER_TENANT)
    assert (await service.call(contract.DELETE_DEFINITION, {"id": "hotels"})).id == created.id
    with pytest.raises(NotFound):
        await service.call(contract.GET_DEFINITION, {"id": created.id})
    assert [e["definition"]["id"] for e in await service.events(contract.DEFINITION_DELETED)] == [created.id]
