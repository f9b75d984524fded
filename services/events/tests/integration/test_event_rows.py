"""The tenant's events by the list query language over the bus: filters, keyset pages, groups, and the reach of
an event-scoped caller."""

import pytest

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import PermissionAccess, RoleScope
from plenary_contracts.errors import ValidationFailed

from .conftest import OTHER_TENANT


def _simple(field, operator, value=None):
    return {"type": "simple", "field": field, "operator": operator, "value": value}


async def test_events_filter_page_by_keyset_group_and_stay_in_the_callers_reach(events):
    made = {}
    for day, name in enumerate(["Alpha", "Beta", "Gamma", "Delta"], start=1):
        made[name] = await events.event(
            name, startDate=f"2026-06-0{day}T09:00:00Z", endDate=f"2026-06-0{day}T18:00:00Z"
        )
    await events.event("Foreign", tenant=OTHER_TENANT)

    later = await events.call(
        contract.QUERY_EVENT_ROWS,
        {"filter": _simple("startDate", "gte", "2026-06-02"), "columns": ["name"], "sort": [{"field": "startDate"}]},
    )
    assert [r["name"] for r in later.rows] == ["Beta", "Gamma", "Delta"]

    names, after = [], None
    while True:
        page = await events.call(contract.QUERY_EVENT_ROWS, {"columns": ["name"], "limit": 3, "after": after})
        names += [r["name"] for r in page.rows]
        if page.next is None:
            break
        after = page.next
    assert names == ["Delta", "Gamma", "Beta", "Alpha"]  # the natural order: latest start first

    groups = await events.call(contract.QUERY_EVENT_GROUPS, {"groupBy": "status", "perGroup": 1, "columns": ["name"]})
    assert [(g.value, g.count, len(g.rows)) for g in groups.groups] == [("DRAFT", 4, 1)]

    scoped = encode_grants([Grant("event:read", PermissionAccess.ANY, RoleScope.EVENT, made["Beta"].id)])
    seen = await events.call(contract.QUERY_EVENT_ROWS, {"columns": ["name"]}, grants=scoped)
    assert [r["name"] for r in seen.rows] == ["Beta"]

    fields = await events.call(contract.EVENT_FIELDS, {})
    assert {f.name for f in fields.fields} >= {"name", "status", "startDate", "endDate"}

    with pytest.raises(ValidationFailed) as refused:
        await events.call(contract.QUERY_EVENT_ROWS, {"sort": [{"field": "venue"}]})
    assert refused.value.details["field"] == "venue"
