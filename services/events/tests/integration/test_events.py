"""Events over the bus: create, list, read with expansions, partial update with If-Match, soft delete,
tenancy and event-scoped grants."""

from datetime import UTC, datetime, timedelta

import pytest

from plenary_contracts.access import Grant, encode_grants, etag_of
from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import PermissionAccess, RoleScope
from plenary_contracts.errors import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed

from .conftest import OTHER_TENANT, TENANT


def _locs(error: pytest.ExceptionInfo) -> list[list]:
    return [e.loc for e in error.value.errors]


async def test_an_event_is_created_as_a_draft_in_utc_and_announced_with_its_full_record(events):
    created = await events.event(description="Heads of state", extras={"venue": "KICC"})
    assert (created.status, created.timezone, created.tenant_id) == ("DRAFT", "UTC", TENANT)
    assert created.extras == {"venue": "KICC"} and created.participant_types is None
    got = await events.call(contract.GET_EVENT, {"id": created.id})
    assert got == created
    (announced,) = await events.events(contract.EVENT_CREATED)
    assert contract.Event.model_validate(announced["event"]) == created


async def test_an_event_name_is_unique_per_tenant_among_live_events(events):
    first = await events.event("Congress")
    with pytest.raises(Conflict) as clash:
        await events.event("Congress")
    assert "already has this name" in clash.value.message
    await events.event("Congress", tenant=OTHER_TENANT)
    other = await events.event("Other")
    with pytest.raises(Conflict):
        await events.call(contract.UPDATE_EVENT, {"id": other.id, "name": "Congress"})
    await events.call(contract.DELETE_EVENT, {"id": first.id})
    assert (await events.event("Congress")).name == "Congress"  # a deleted event's name is free again


async def test_an_unknown_timezone_and_dates_out_of_order_are_refused_with_their_field(events):
    with pytest.raises(ValidationFailed) as refused:
        await events.event(timezone="Mars/Olympus_Mons")
    assert _locs(refused) == [["body", "timezone"]]
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    for start_date, end_date in [(start, start - timedelta(days=1)), (start.replace(tzinfo=None), start)]:
        unchecked = contract.CreateEvent.model_construct(name="x", start_date=start_date, end_date=end_date)
        with pytest.raises(ValidationFailed):  # sent unchecked to reach the service
            await events.call(contract.CREATE_EVENT, unchecked)
    created = await events.event(timezone="Africa/Nairobi")
    with pytest.raises(ValidationFailed) as refused:
        await events.call(contract.UPDATE_EVENT, {"id": created.id, "endDate": "2026-04-01T00:00:00Z"})
    assert _locs(refused) == [["body", "endDate"]]
    with pytest.raises(ValidationFailed) as refused:
        await events.call(contract.UPDATE_EVENT, {"id": created.id, "startDate": "2026-06-01T00:00:00Z"})
    assert _locs(refused) == [["body", "startDate"]]
    with pytest.raises(ValidationFailed) as refused:
        await events.call(contract.UPDATE_EVENT, {"id": created.id, "timezone": "Nairobi"})
    assert _locs(refused) == [["body", "timezone"]]
    assert await events.events(contract.EVENT_UPDATED) == []


async def test_a_partial_update_keeps_what_was_left_out_honours_if_match_and_moves_the_version(events):
    created = await events.event(description="First", extras={"a": 1})
    with pytest.raises(PreconditionFailed):
        await events.call(contract.UPDATE_EVENT, {"id": created.id, "status": "PUBLISHED"}, if_match='"1"')
    published = await events.call(
        contract.UPDATE_EVENT,
        {"id": created.id, "status": "PUBLISHED", "endDate": "2026-05-04T18:00:00Z"},
        if_match=etag_of(created.updated_at),
    )
    assert (published.status, published.description, published.extras) == ("PUBLISHED", "First", {"a": 1})
    assert published.end_date.day == 4 and published.updated_at > created.updated_at
    assert etag_of(published.updated_at) != etag_of(created.updated_at)
    with pytest.raises(PreconditionFailed) as stale:
        await events.call(contract.UPDATE_EVENT, {"id": created.id, "name": "x"}, if_match=etag_of(created.updated_at))
    assert stale.value.details == {"etag": etag_of(published.updated_at)}
    unchanged = await events.call(contract.UPDATE_EVENT, {"id": created.id})
    assert unchanged.updated_at == published.updated_at
    (update,) = await events.events(contract.EVENT_UPDATED)
    assert update["event"]["status"] == "PUBLISHED" and update["event"]["description"] == "First"


async def test_events_list_by_status_and_name_sorted_and_paged(events):
    for name, status in [("Beta 100% Summit", "PUBLISHED"), ("Alpha forum", "DRAFT"), ("Gamma summit", "PUBLISHED")]:
        await events.event(name, status=status)
    await events.event("Their summit", tenant=OTHER_TENANT)

    by_name = await events.call(contract.LIST_EVENTS, {"sort": "name:asc"})
    assert [e.name for e in by_name.data] == ["Alpha forum", "Beta 100% Summit", "Gamma summit"]
    published = await events.call(contract.LIST_EVENTS, {"status": "PUBLISHED", "sort": "name:desc"})
    assert [e.name for e in published.data] == ["Gamma summit", "Beta 100% Summit"]
    assert [e.name for e in (await events.call(contract.LIST_EVENTS, {"q": "SUMMIT", "sort": "name:asc"})).data] == [
        "Beta 100% Summit",
        "Gamma summit",
    ]
    assert [e.name for e in (await events.call(contract.LIST_EVENTS, {"q": "0%"})).data] == ["Beta 100% Summit"]
    page = await events.call(contract.LIST_EVENTS, {"pageSize": 2, "page": 2, "sort": "startDate:asc"})
    assert len(page.data) == 1 and (page.meta.total, page.meta.total_pages) == (3, 2)
    with pytest.raises(ValidationFailed):
        await events.call(contract.LIST_EVENTS, {"sort": "status:asc"})


async def test_get_expands_participant_types_and_workflows_on_request(events):
    created = await events.event()
    delegate = await events.call(
        contract.CREATE_PARTICIPANT_TYPE, {"eventId": created.id, "name": "Delegate", "code": "DEL"}
    )
    plain = await events.call(contract.GET_EVENT, {"id": created.id})
    assert (plain.participant_types, plain.workflows) == (None, None)
    typed = await events.call(contract.GET_EVENT, {"id": created.id, "expand": "participantTypes"})
    assert typed.participant_types == [delegate] and typed.workflows is None
    both = await events.call(contract.GET_EVENT, {"id": created.id, "expand": "participantTypes,workflows"})
    assert both.participant_types == [delegate] and both.workflows == []
    with pytest.raises(ValidationFailed):
        await events.call(contract.GET_EVENT, contract.GetEvent.model_construct(id=created.id, expand="participants"))


async def test_a_deleted_event_is_not_found_anywhere_after(events):
    created = await events.event()
    await events.call(contract.CREATE_PARTICIPANT_TYPE, {"eventId": created.id, "name": "Delegate", "code": "DEL"})
    assert await events.call(contract.DELETE_EVENT, {"id": created.id}) == contract.EventRef(id=created.id)
    series = await events.call(contract.CREATE_SERIES, {"name": "Summits"})
    for spec, body in [
        (contract.GET_EVENT, {"id": created.id}),
        (contract.UPDATE_EVENT, {"id": created.id, "name": "x"}),
        (contract.DELETE_EVENT, {"id": created.id}),
        (contract.GET_EVENT_SCHEMA, {"eventId": created.id}),
        (contract.LIST_PARTICIPANT_TYPES, {"eventId": created.id}),
        (contract.CREATE_PARTICIPANT_TYPE, {"eventId": created.id, "name": "x", "code": "X"}),
        (contract.CREATE_FIELD_DEFINITION, {"eventId": created.id, "name": "x", "label": "x", "dataType": "TEXT"}),
        (contract.LIST_FIELD_DEFINITIONS, {"eventId": created.id}),
        (contract.ADD_EDITION, {"seriesId": series.id, "eventId": created.id, "editionNumber": 1, "year": 2026}),
    ]:
        with pytest.raises(NotFound):
            await events.call(spec, body)
    assert (await events.call(contract.LIST_EVENTS, {})).data == []
    (deleted,) = await events.events(contract.EVENT_DELETED)
    assert deleted == {"eventId": created.id}


async def test_another_tenants_event_is_not_found(events):
    theirs = await events.event(tenant=OTHER_TENANT)
    for spec, body in [
        (contract.GET_EVENT, {"id": theirs.id}),
        (contract.UPDATE_EVENT, {"id": theirs.id, "name": "Mine"}),
        (contract.DELETE_EVENT, {"id": theirs.id}),
        (contract.GET_EVENT_SCHEMA, {"eventId": theirs.id}),
        (contract.CREATE_PARTICIPANT_TYPE, {"eventId": theirs.id, "name": "x", "code": "X"}),
    ]:
        with pytest.raises(NotFound):
            await events.call(spec, body)
    assert (await events.call(contract.LIST_EVENTS, {})).data == []


async def test_a_global_admin_must_choose_a_tenant(events):
    with pytest.raises(BadRequest):
        await events.event(tenant=None)


async def test_an_event_scoped_grant_reaches_only_its_event(events):
    mine, other = await events.event("Mine"), await events.event("Other")

    def bound_to(permission: str) -> str:
        return encode_grants([Grant(permission, PermissionAccess.ANY, RoleScope.EVENT, mine.id)])

    reader = {"grants": bound_to("event:read")}
    assert (await events.call(contract.GET_EVENT, {"id": mine.id}, **reader)).id == mine.id
    with pytest.raises(Forbidden):
        await events.call(contract.GET_EVENT, {"id": other.id}, **reader)
    assert [e.id for e in (await events.call(contract.LIST_EVENTS, {}, **reader)).data] == [mine.id]
    with pytest.raises(Forbidden):
        await events.call(contract.UPDATE_EVENT, {"id": other.id, "name": "x"}, grants=bound_to("event:update"))
    with pytest.raises(Forbidden):
        await events.call(contract.DELETE_EVENT, {"id": other.id}, grants=bound_to("event:delete"))
    tenant_wide = encode_grants([Grant("event:read", PermissionAccess.ANY, RoleScope.TENANT)])
    assert len((await events.call(contract.LIST_EVENTS, {}, grants=tenant_wide)).data) == 2
