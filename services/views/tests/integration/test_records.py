"""A view of a custom object's records, run on custom-objects: filtered and sorted on custom fields, grouped
by an ENUM field; once a field it names is removed from the definition, the view answers a conflict naming it
(never a 500), and saving a view on that field is refused."""

import pytest

from plenary_contracts.catalog import custom_objects
from plenary_contracts.catalog import views as contract
from plenary_contracts.errors import Conflict, ValidationFailed

FIELDS = [
    {"name": "category", "label": "Category", "dataType": "ENUM", "options": ["HOTEL", "VEHICLE"]},
    {"name": "capacity", "label": "Capacity", "dataType": "NUMBER"},
]


async def _definition_with_records(views) -> tuple[str, dict[str, str]]:
    definition = await views.call(custom_objects.CREATE_DEFINITION, {"name": "Assets", "fields": FIELDS})
    ids = {}
    for name, category, capacity in (("hilton", "HOTEL", 300), ("bus", "VEHICLE", 50), ("ritz", "HOTEL", 120)):
        body = {"definitionId": definition.id, "data": {"category": category, "capacity": capacity}}
        ids[name] = (await views.call(custom_objects.CREATE_RECORD, body)).id
    return definition.id, ids


async def test_a_records_view_filters_and_sorts_on_custom_fields_and_groups_by_one(with_custom_objects):
    views = with_custom_objects
    definition, ids = await _definition_with_records(views)
    hotels = await views.call(
        contract.CREATE_VIEW,
        {
            "name": "Hotels by size",
            "entityType": "record",
            "filters": [{"type": "simple", "field": "category", "operator": "eq", "value": "HOTEL"}],
            "sorts": [{"field": "capacity", "direction": "desc"}],
            "columns": [{"field": "capacity", "label": "Beds"}],
            "config": {"definitionId": definition},
        },
    )
    page = await views.call(contract.RUN_VIEW, {"id": hotels.id})
    assert [(r["id"], r["capacity"]) for r in page.rows] == [(ids["hilton"], 300), (ids["ritz"], 120)]
    board = await views.call(
        contract.CREATE_VIEW,
        {
            "name": "Board",
            "entityType": "record",
            "viewType": "KANBAN",
            "config": {"definitionId": definition, "groupBy": "category"},
        },
    )
    groups = (await views.call(contract.RUN_VIEW, {"id": board.id})).groups
    assert {g.value: g.count for g in groups} == {"HOTEL": 2, "VEHICLE": 1}
    with pytest.raises(ValidationFailed) as missing:
        await views.call(
            contract.CREATE_VIEW, {"name": "x", "entityType": "record", "config": {"definitionId": "nope"}}
        )
    assert [tuple(e.loc) for e in missing.value.errors] == [("body", "config", "definitionId")]


async def test_a_view_whose_custom_field_was_removed_answers_a_conflict_naming_it(with_custom_objects):
    views = with_custom_objects
    definition, _ = await _definition_with_records(views)
    body = {
        "name": "Big",
        "entityType": "record",
        "filters": [{"type": "simple", "field": "capacity", "operator": "gte", "value": 100}],
        "config": {"definitionId": definition},
    }
    big = await views.call(contract.CREATE_VIEW, body)
    assert len((await views.call(contract.RUN_VIEW, {"id": big.id})).rows) == 2
    await views.call(custom_objects.UPDATE_DEFINITION, {"id": definition, "fields": FIELDS[:1]})
    with pytest.raises(Conflict) as stale:
        await views.call(contract.RUN_VIEW, {"id": big.id})
    assert stale.value.details["fields"] == ["capacity"] and "'capacity'" in stale.value.message
    with pytest.raises(ValidationFailed) as refused:
        await views.call(contract.CREATE_VIEW, body | {"name": "Again"})
    assert refused.value.details["fields"] == ["capacity"]
