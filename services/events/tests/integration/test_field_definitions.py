"""Field definitions over the bus: global and per-event fields, typed rules as field errors, scopes,
immutable identity, If-Match, and the schema registration reads an event by."""

import pytest

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import FieldDataType
from plenary_contracts.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed

from .conftest import OTHER_TENANT


async def _field(events, name: str, data_type: str = "TEXT", **fields) -> contract.FieldDefinition:
    body = {"name": name, "label": name.title(), "dataType": data_type} | fields
    return await events.call(contract.CREATE_FIELD_DEFINITION, body)


def _locs(error: pytest.ExceptionInfo) -> list[list]:
    return [e.loc for e in error.value.errors]


async def test_every_data_type_can_be_defined(events):
    config = {
        "ENUM": {"options": [{"value": "a"}]},
        "MULTI_ENUM": {"options": [{"value": "a"}, {"value": "b", "label": "B"}]},
        "REFERENCE": {"referenceEntity": "Organization"},
        "FORMULA": {"formula": "a + b"},
    }
    for data_type in FieldDataType:
        created = await _field(events, f"f_{data_type.lower()}", data_type, config=config.get(data_type, {}))
        assert (created.data_type, created.event_id, created.entity_type) == (data_type, None, "Participant")
    listed = await events.call(contract.LIST_FIELD_DEFINITIONS, {"scope": "global", "pageSize": 100})
    assert len(listed.data) == len(FieldDataType)
    multi = next(f for f in listed.data if f.data_type == "MULTI_ENUM")
    assert [(o.value, o.label) for o in multi.config.options or []] == [("a", None), ("b", "B")]


async def test_typed_rules_and_defaults_are_refused_with_the_location_of_each_problem(events):
    with pytest.raises(ValidationFailed) as refused:
        await _field(
            events,
            "age",
            "NUMBER",
            validation=[{"rule": "min", "value": 18}, {"rule": "max", "value": 12}, {"rule": "pattern", "value": "x"}],
            defaultValue="abc",
        )
    assert _locs(refused) == [
        ["body", "validation", 2, "rule"],
        ["body", "validation", 1, "value"],
        ["body", "defaultValue"],
    ]
    with pytest.raises(ValidationFailed) as refused:
        await _field(events, "code", validation=[{"rule": "pattern", "value": "(["}])
    assert _locs(refused) == [["body", "validation", 0, "value"]]
    with pytest.raises(ValidationFailed) as refused:
        await _field(events, "size", "ENUM", config={"options": [{"value": "S"}, {"value": "S"}]}, defaultValue="XL")
    assert _locs(refused) == [["body", "config", "options", 1, "value"], ["body", "defaultValue"]]
    with pytest.raises(ValidationFailed) as refused:
        await _field(events, "diet", "MULTI_ENUM")
    assert _locs(refused) == [["body", "config", "options"]]
    assert await events.events(contract.FIELD_DEFINITION_CREATED) == []

    sized = await _field(events, "size", "ENUM", config={"options": [{"value": "S"}, {"value": "M"}]}, defaultValue="M")
    assert sized.default_value == "M"


async def test_a_name_is_unique_per_tenant_event_and_entity_and_one_name_is_one_effective_field(events):
    summit, forum = await events.event("Summit"), await events.event("Forum")
    await _field(events, "passport")
    with pytest.raises(Conflict):  # two globals of one name collide (NULLS NOT DISTINCT)
        await _field(events, "passport")
    with pytest.raises(Conflict) as clash:  # the event's effective set would hold two "passport"s
        await _field(events, "passport", eventId=summit.id)
    assert "a global field" in clash.value.message
    await _field(events, "passport", entityType="Organization")
    await _field(events, "badge", eventId=summit.id)
    await _field(events, "badge", eventId=forum.id)
    with pytest.raises(Conflict):
        await _field(events, "badge", eventId=summit.id)
    with pytest.raises(Conflict):
        await _field(events, "badge")  # a global "badge" would clash in both events
    await events.call(
        contract.CREATE_FIELD_DEFINITION, {"name": "passport", "label": "P", "dataType": "TEXT"}, tenant=OTHER_TENANT
    )


async def test_fields_list_by_scope_in_sort_order(events):
    summit, forum = await events.event("Summit"), await events.event("Forum")
    await _field(events, "nationality", sortOrder=20)
    await _field(events, "passport", sortOrder=10)
    await _field(events, "seat", eventId=summit.id, sortOrder=15)
    await _field(events, "hotel", eventId=forum.id, sortOrder=5)
    await _field(events, "sector", entityType="Organization")

    def names(page: contract.FieldDefinitionPage) -> list[str]:
        return [f.name for f in page.data]

    effective = await events.call(contract.LIST_FIELD_DEFINITIONS, {"eventId": summit.id})
    assert names(effective) == ["passport", "seat", "nationality"]
    only_event = await events.call(contract.LIST_FIELD_DEFINITIONS, {"eventId": summit.id, "scope": "event"})
    assert names(only_event) == ["seat"]
    only_global = await events.call(contract.LIST_FIELD_DEFINITIONS, {"eventId": summit.id, "scope": "global"})
    assert names(only_global) == ["passport", "nationality"]
    by_name = await events.call(contract.LIST_FIELD_DEFINITIONS, {"eventId": forum.id, "sort": "name:desc"})
    assert names(by_name) == ["passport", "nationality", "hotel"]
    organization = await events.call(contract.LIST_FIELD_DEFINITIONS, {"entityType": "Organization"})
    assert names(organization) == ["sector"]
    with pytest.raises(ValidationFailed) as refused:
        await events.call(contract.LIST_FIELD_DEFINITIONS, {"scope": "event"})
    assert _locs(refused) == [["query", "eventId"]]
    assert (await events.call(contract.LIST_FIELD_DEFINITIONS, {}, tenant=OTHER_TENANT)).data == []


async def test_an_update_keeps_name_entity_and_type_and_is_checked_whole(events):
    field = await _field(events, "age", "NUMBER", validation=[{"rule": "min", "value": 18}], defaultValue="30")
    with pytest.raises(PreconditionFailed):
        await events.call(contract.UPDATE_FIELD_DEFINITION, {"id": field.id, "label": "Years"}, if_match='"1"')
    with pytest.raises(ValidationFailed) as refused:  # the kept default breaks the new rule
        await events.call(
            contract.UPDATE_FIELD_DEFINITION, {"id": field.id, "validation": [{"rule": "max", "value": 20}]}
        )
    assert _locs(refused) == [["body", "defaultValue"]]
    changed = await events.call(
        contract.UPDATE_FIELD_DEFINITION,
        {
            "id": field.id,
            "label": "Years",
            "isRequired": True,
            "validation": [{"rule": "max", "value": 20}],
            "defaultValue": None,
        },
        if_match=etag_of(field.updated_at),
    )
    assert (changed.name, changed.data_type, changed.entity_type) == ("age", "NUMBER", "Participant")
    assert (changed.label, changed.is_required, changed.default_value) == ("Years", True, None)
    assert [(r.rule, r.value) for r in changed.validation] == [("max", 20)]
    assert await events.call(contract.GET_FIELD_DEFINITION, {"id": field.id}) == changed
    (updated,) = await events.events(contract.FIELD_DEFINITION_UPDATED)
    assert updated["fieldDefinition"]["label"] == "Years"


async def test_a_deleted_field_and_a_deleted_events_fields_are_not_found(events):
    summit = await events.event()
    kept, gone = await _field(events, "seat", eventId=summit.id), await _field(events, "hotel")
    assert await events.call(contract.DELETE_FIELD_DEFINITION, {"id": gone.id}) == contract.FieldDefinitionRef(
        id=gone.id
    )
    (deleted,) = await events.events(contract.FIELD_DEFINITION_DELETED)
    assert deleted["fieldDefinition"]["name"] == "hotel"
    with pytest.raises(NotFound):
        await events.call(contract.GET_FIELD_DEFINITION, {"id": gone.id})
    with pytest.raises(NotFound):
        await events.call(contract.GET_FIELD_DEFINITION, {"id": kept.id}, tenant=OTHER_TENANT)
    await events.call(contract.DELETE_EVENT, {"id": summit.id})
    for spec, body in [
        (contract.GET_FIELD_DEFINITION, {"id": kept.id}),
        (contract.UPDATE_FIELD_DEFINITION, {"id": kept.id, "label": "x"}),
        (contract.DELETE_FIELD_DEFINITION, {"id": kept.id}),
    ]:
        with pytest.raises(NotFound):
            await events.call(spec, body)


async def test_the_event_schema_holds_the_types_and_effective_participant_fields_by_sort_order(events):
    summit, forum = await events.event("Summit"), await events.event("Forum")
    delegate = await events.call(
        contract.CREATE_PARTICIPANT_TYPE, {"eventId": summit.id, "name": "Delegate", "code": "DEL"}
    )
    await events.call(contract.CREATE_PARTICIPANT_TYPE, {"eventId": forum.id, "name": "Press", "code": "PRE"})
    await _field(events, "passport", sortOrder=2)
    await _field(events, "seat", eventId=summit.id, sortOrder=1)
    await _field(events, "hotel", eventId=forum.id)
    await _field(events, "sector", entityType="Organization")

    schema = await events.call(contract.GET_EVENT_SCHEMA, {"eventId": summit.id})
    assert schema.event.id == summit.id and schema.participant_types == [delegate]
    assert [f.name for f in schema.field_definitions] == ["seat", "passport"]
    for tenant, event_id in [("tenant-a", "no-such-event"), (OTHER_TENANT, summit.id)]:
        with pytest.raises(NotFound):
            await events.call(contract.GET_EVENT_SCHEMA, {"eventId": event_id}, tenant=tenant)
