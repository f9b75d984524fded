"""A definition's records through the shared list query language: filters on custom fields of each kind,
sorts and keyset pages, kanban groups with counts, the fields a query may name, a removed field named in
the 422, another tenant's definition not found."""

import pytest

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.errors import NotFound, ValidationFailed

from .conftest import OTHER_TENANT, CustomObjectsService

FIELDS = [
    {"name": "name", "label": "Name", "dataType": "TEXT", "required": True},
    {"name": "stars", "label": "Stars", "dataType": "NUMBER"},
    {"name": "kind", "label": "Kind", "dataType": "ENUM", "options": ["hotel", "hostel", "lodge"]},
    {"name": "open", "label": "Open", "dataType": "BOOLEAN"},
    {"name": "opened", "label": "Opened", "dataType": "DATE"},
    {"name": "amenities", "label": "Amenities", "dataType": "MULTI_ENUM", "options": ["wifi", "pool"]},
    {"name": "score", "label": "Score", "dataType": "FORMULA"},
]


def _eq(field: str, value) -> dict:
    return {"type": "simple", "field": field, "operator": "eq", "value": value}


async def _hotels(service: CustomObjectsService) -> list[contract.CustomObjectRecord]:
    await service.definition("Hotels", fields=FIELDS)
    made = []
    for n in range(9):
        data = {"name": f"Hotel {n}", "stars": n % 5, "kind": ("hotel", "hostel", "lodge")[n % 3], "open": n % 2 == 0}
        made.append(await service.record("hotels", data | {"opened": f"2020-01-0{n + 1}"}))
    return made


async def test_the_natural_order_is_newest_first_with_keyset_pages(service):
    made = await _hotels(service)
    first = await service.call(contract.QUERY_RECORD_ROWS, {"definitionId": "hotels", "limit": 5})
    second = await service.call(contract.QUERY_RECORD_ROWS, {"definitionId": "hotels", "limit": 5, "after": first.next})
    newest_first = [r.id for r in reversed(made)]
    assert [r["id"] for r in first.rows + second.rows] == newest_first and second.next is None
    assert set(first.rows[0]) == {
        "id",
        "createdAt",
        "updatedAt",
        "name",
        "stars",
        "kind",
        "open",
        "opened",
        "amenities",
    }


async def test_filters_on_custom_fields_and_a_sort_on_one(service):
    await _hotels(service)
    query = {
        "definitionId": "hotels",
        "filter": {
            "type": "compound",
            "operator": "and",
            "conditions": [
                {"type": "simple", "field": "kind", "operator": "in", "value": ["hotel", "lodge"]},
                {"type": "simple", "field": "stars", "operator": "gte", "value": 2},
            ],
        },
        "sort": [{"field": "stars", "direction": "desc"}],
        "columns": ["name", "stars"],
        "limit": 2,
    }
    first = await service.call(contract.QUERY_RECORD_ROWS, query)
    rest = await service.call(contract.QUERY_RECORD_ROWS, query | {"after": first.next})
    rows = first.rows + rest.rows
    assert [r["stars"] for r in rows] == [3, 3, 2]
    assert {r["name"] for r in rows} == {"Hotel 2", "Hotel 3", "Hotel 8"}
    assert set(rows[0]) == {"id", "name", "stars"}
    opened = await service.call(
        contract.QUERY_RECORD_ROWS,
        {
            "definitionId": "hotels",
            "filter": {"type": "simple", "field": "opened", "operator": "lt", "value": "2020-01-03"},
        },
    )
    assert sorted(r["name"] for r in opened.rows) == ["Hotel 0", "Hotel 1"]


async def test_groups_count_each_value_and_hold_its_first_rows(service):
    await _hotels(service)
    page = await service.call(
        contract.QUERY_RECORD_GROUPS,
        {"definitionId": "hotels", "groupBy": "kind", "perGroup": 2, "filter": _eq("open", True)},
    )
    assert [(g.value, g.count, len(g.rows)) for g in page.groups] == [
        ("hostel", 1, 1),
        ("hotel", 2, 2),
        ("lodge", 2, 2),
    ]


async def test_the_fields_are_the_definitions_in_their_order_and_the_records_dates(service):
    await service.definition("Hotels", fields=FIELDS)
    described = await service.call(contract.RECORD_FIELDS, {"definitionId": "hotels"})
    by_name = {f.name: f for f in described.fields}
    assert list(by_name) == ["createdAt", "updatedAt", "amenities", "kind", "name", "open", "opened", "stars"]
    assert by_name["kind"].groupable and by_name["kind"].options == ["hotel", "hostel", "lodge"]
    assert not by_name["name"].groupable
    assert [(k.field, k.direction) for k in described.default_sort] == [("createdAt", "desc")]


async def test_a_removed_field_is_an_unknown_field_named_in_the_problem(service):
    await _hotels(service)
    without_stars = [f for f in FIELDS if f["name"] != "stars"]
    await service.call(contract.UPDATE_DEFINITION, {"id": "hotels", "fields": without_stars})
    with pytest.raises(ValidationFailed) as refused:
        await service.call(contract.QUERY_RECORD_ROWS, {"definitionId": "hotels", "sort": [{"field": "stars"}]})
    assert refused.value.details["field"] == "stars"
    assert [e.loc for e in refused.value.errors] == [["sort", 0, "field"]]


async def test_another_tenants_definition_is_not_found_and_a_query_names_its_definition(service):
    await service.definition("Hotels", fields=FIELDS, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await service.call(contract.QUERY_RECORD_ROWS, {"definitionId": "hotels"})
    with pytest.raises(NotFound):
        await service.call(contract.QUERY_RECORD_GROUPS, {"definitionId": "hotels", "groupBy": "kind"})
    with pytest.raises(ValidationFailed) as refused:
        await service.call(contract.RECORD_FIELDS, {})
    assert [e.loc for e in refused.value.errors] == [["definitionId"]]
