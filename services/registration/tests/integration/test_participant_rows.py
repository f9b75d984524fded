"""An event's participants by the list query language over the bus: extras are fields, pages are keyset pages,
groups count in one statement, and only the caller's tenant's event, read with the right grant, answers."""

import pytest

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import PermissionAccess, RoleScope
from plenary_contracts.errors import Forbidden, NotFound, ValidationFailed

from .conftest import OTHER_TENANT

FIELDS = (
    {"name": "dietary", "dataType": "ENUM", "config": {"options": [{"value": "veg"}, {"value": "none"}]}},
    {"name": "seat", "dataType": "NUMBER"},
    {"name": "arrival", "dataType": "DATE"},
)
PEOPLE = [  # first name, dietary, seat, arrival
    ("Ada", "veg", 3, "2027-05-01"),
    ("Bob", "none", 1, "2027-05-02"),
    ("Cy", "veg", 2, None),
    ("Di", None, 5, "2027-05-01"),
    ("Ed", "veg", 4, "2027-05-03"),
]


def _simple(field, operator, value=None):
    return {"type": "simple", "field": field, "operator": operator, "value": value}


async def _register(registration, event):
    ids = {}
    for name, dietary, seat, arrival in PEOPLE:
        extras = {k: v for k, v in (("dietary", dietary), ("seat", seat), ("arrival", arrival)) if v is not None}
        body = {"eventId": event.id, "participantTypeId": event.type_id, "firstName": name, "lastName": "Tester",
                "email": f"{name.lower()}@example.org", "extras": extras}  # fmt: skip
        ids[name] = (await registration.call(contract.REGISTER_PARTICIPANT, body)).id
    return ids


async def test_participants_filter_on_extras_page_by_keyset_and_group_in_counts(registration):
    event = await registration.seed_event(fields=FIELDS)
    ids = await _register(registration, event)
    names = {v: k for k, v in ids.items()}

    vegetarians = await registration.call(
        contract.QUERY_PARTICIPANT_ROWS,
        {"eventId": event.id, "filter": {"type": "compound", "operator": "and", "conditions": [
            _simple("dietary", "eq", "VEG"), _simple("status", "eq", "pending"), _simple("seat", "gte", 3)]},
         "columns": ["firstName", "dietary", "seat", "arrival"], "sort": [{"field": "seat", "direction": "desc"}]},
    )  # fmt: skip
    assert vegetarians.rows == [
        {"id": ids["Ed"], "firstName": "Ed", "dietary": "veg", "seat": 4, "arrival": "2027-05-03"},
        {"id": ids["Ada"], "firstName": "Ada", "dietary": "veg", "seat": 3, "arrival": "2027-05-01"},
    ]
    assert vegetarians.next is None

    seen, after = [], None
    while True:
        page = await registration.call(
            contract.QUERY_PARTICIPANT_ROWS,
            {"eventId": event.id, "sort": [{"field": "arrival"}], "columns": ["arrival"], "limit": 2, "after": after},
        )
        seen += [names[r["id"]] for r in page.rows]
        if page.next is None:
            break
        after = page.next
    assert seen[:2] in (["Ada", "Di"], ["Di", "Ada"]) and seen[2:] == ["Bob", "Ed", "Cy"]  # no arrival: last

    groups = await registration.call(
        contract.QUERY_PARTICIPANT_GROUPS,
        {"eventId": event.id, "groupBy": "dietary", "perGroup": 2, "columns": ["firstName"],
         "sort": [{"field": "firstName"}]},
    )  # fmt: skip
    assert [(g.value, g.count, [r["firstName"] for r in g.rows], g.next is not None) for g in groups.groups] == [
        ("none", 1, ["Bob"], False),
        ("veg", 3, ["Ada", "Cy"], True),
        (None, 1, ["Di"], False),
    ]
    rest = await registration.call(
        contract.QUERY_PARTICIPANT_ROWS,
        {"eventId": event.id, "filter": _simple("dietary", "eq", "veg"), "columns": ["firstName"],
         "sort": [{"field": "firstName"}], "after": groups.groups[1].next},
    )  # fmt: skip
    assert [r["firstName"] for r in rest.rows] == ["Ed"]

    fields = await registration.call(contract.PARTICIPANT_FIELDS, {"eventId": event.id})
    by_name = {f.name: f for f in fields.fields}
    assert (by_name["dietary"].type, by_name["dietary"].options, by_name["dietary"].groupable) == (
        "ENUM",
        ["veg", "none"],
        True,
    )
    assert by_name["seat"].type == "NUMBER" and by_name["status"].groupable
    assert [k.field for k in fields.default_sort] == ["createdAt"]


async def test_an_unknown_field_another_tenants_event_and_another_events_grant_are_refused(registration):
    event = await registration.seed_event(fields=FIELDS)
    foreign = await registration.seed_event(tenant=OTHER_TENANT)

    with pytest.raises(ValidationFailed) as refused:
        await registration.call(
            contract.QUERY_PARTICIPANT_ROWS, {"eventId": event.id, "filter": _simple("vanished", "eq", "x")}
        )
    assert refused.value.details["field"] == "vanished"
    assert refused.value.errors[0].loc == ["filter", "field"]
    with pytest.raises(ValidationFailed) as refused:
        await registration.call(contract.QUERY_PARTICIPANT_GROUPS, {"eventId": event.id, "groupBy": "email"})
    assert refused.value.errors[0].loc == ["groupBy"]

    queries = (
        (contract.QUERY_PARTICIPANT_ROWS, {}),
        (contract.QUERY_PARTICIPANT_GROUPS, {"groupBy": "status"}),
        (contract.PARTICIPANT_FIELDS, {}),
    )
    for spec, body in queries:
        with pytest.raises(NotFound):
            await registration.call(spec, {"eventId": foreign.id, **body})
        with pytest.raises(NotFound):
            await registration.call(spec, {"eventId": "made-up", **body})

    elsewhere = encode_grants([Grant("participant:read", PermissionAccess.ANY, RoleScope.EVENT, foreign.id)])
    with pytest.raises(Forbidden):
        await registration.call(contract.QUERY_PARTICIPANT_ROWS, {"eventId": event.id}, grants=elsewhere)
    here = encode_grants([Grant("participant:read", PermissionAccess.ANY, RoleScope.EVENT, event.id)])
    assert (await registration.call(contract.QUERY_PARTICIPANT_ROWS, {"eventId": event.id}, grants=here)).rows == []
