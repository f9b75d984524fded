"""Running saved views over the bus on the owner of their list (events, beside views here): a keyset page with
the view's filters and columns, a kanban's columns with counts and one column paged, a calendar's range, the
list's own read permission; a view of an event's participants on registration, whose extras field, once
removed, makes the view answer a conflict naming it."""

import pytest

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import events as events_contract
from plenary_contracts.catalog import registration
from plenary_contracts.catalog import views as contract
from plenary_contracts.errors import BadRequest, Conflict, Forbidden, ValidationFailed
from plenary_kit.testing.plugin import eventually

PUBLISHED = {"type": "simple", "field": "status", "operator": "eq", "value": "PUBLISHED"}
ONLY_VIEWS = encode_grants([Grant("views:create")])


async def _three_events(views) -> list[str]:
    made = [
        await views.event("Alpha", "2026-05-01T09:00:00Z"),
        await views.event("Beta", "2026-05-20T09:00:00Z"),
        await views.event("Draft", "2026-06-10T09:00:00Z", status="DRAFT"),
    ]
    return [e.id for e in made]


async def _run(views, view_id: str, **params):
    return await views.call(contract.RUN_VIEW, {"id": view_id, **params})


async def test_a_table_view_pages_by_keyset_with_its_filters_sorts_and_columns(views):
    alpha, beta, _ = await _three_events(views)
    view = await views.view(
        filters=[PUBLISHED],
        sorts=[{"field": "startDate", "direction": "asc"}],
        columns=[{"field": "name", "label": "Name"}, {"field": "status", "label": "Status", "visible": False}],
    )
    first = await _run(views, view.id, limit=1)
    assert first.view_type == "TABLE" and [r["id"] for r in first.rows] == [alpha]
    assert set(first.rows[0]) == {"id", "name"}
    second = await _run(views, view.id, limit=1, after=first.next)
    assert [r["name"] for r in second.rows] == ["Beta"] and [r["id"] for r in second.rows] == [beta]
    assert second.next is None
    with pytest.raises(ValidationFailed) as foreign:
        await _run(views, view.id, after="not-a-cursor")
    assert [tuple(e.loc) for e in foreign.value.errors] == [("query", "after")]


async def test_a_kanban_counts_each_column_and_pages_through_one(views):
    await _three_events(views)
    board = await views.view("Board", viewType="KANBAN", config={"groupBy": "status"})
    columns = await _run(views, board.id, limit=1)
    assert columns.view_type == "KANBAN" and columns.rows is None
    counts = {g.value: g.count for g in columns.groups}
    assert counts == {"DRAFT": 1, "PUBLISHED": 2}
    published = next(g for g in columns.groups if g.value == "PUBLISHED")
    assert len(published.rows) == 1 and published.next
    rest = await _run(views, board.id, group="PUBLISHED", limit=1, after=published.next)
    assert len(rest.rows) == 1 and rest.rows[0]["id"] != published.rows[0]["id"]
    none = await _run(views, board.id, emptyGroup=True)
    assert none.rows == []


async def test_a_calendar_shows_the_rows_dated_in_its_range_and_needs_both_ends(views):
    alpha, beta, _ = await _three_events(views)
    calendar = await views.view("May", viewType="CALENDAR", config={"dateField": "startDate"})
    may = await _run(views, calendar.id, **{"from": "2026-05-01", "to": "2026-06-01"})
    assert [r["id"] for r in may.rows] == [alpha, beta]
    late_may = await _run(views, calendar.id, **{"from": "2026-05-02T00:00:00Z", "to": "2026-06-01"})
    assert [r["id"] for r in late_may.rows] == [beta]
    with pytest.raises(ValidationFailed) as open_ended:
        await _run(views, calendar.id, **{"from": "2026-05-01"})
    assert [tuple(e.loc) for e in open_ended.value.errors] == [("query", "to")]
    with pytest.raises(ValidationFailed):
        await _run(views, calendar.id, **{"from": "2026-06-01", "to": "2026-05-01"})


async def test_a_view_runs_only_for_a_caller_who_may_read_its_list_and_moves_only_kanban_cards(views):
    view = await views.view(filters=[PUBLISHED])
    with pytest.raises(Forbidden, match="event:read"):
        await views.call(contract.RUN_VIEW, {"id": view.id}, grants=ONLY_VIEWS)
    with pytest.raises(BadRequest):
        await views.call(contract.MOVE_CARD, {"id": view.id, "rowId": "x", "to": "APPROVED"})
    board = await views.view("Board", viewType="KANBAN", config={"groupBy": "status"})
    with pytest.raises(BadRequest, match="cannot be moved"):
        await views.call(contract.MOVE_CARD, {"id": board.id, "rowId": "x", "to": "PUBLISHED"})


async def test_a_participants_view_on_an_extras_field_answers_a_conflict_once_the_field_is_removed(
    with_registration,
):
    views = with_registration
    event = await views.event("Summit", "2026-05-01T09:00:00Z")
    kind = await views.call(
        events_contract.CREATE_PARTICIPANT_TYPE, {"eventId": event.id, "name": "Delegate", "code": "D"}
    )
    field = await views.call(
        events_contract.CREATE_FIELD_DEFINITION,
        {
            "eventId": event.id,
            "name": "dietaryNeeds",
            "label": "Dietary needs",
            "dataType": "ENUM",
            "config": {"options": [{"value": "VEGAN"}, {"value": "NONE"}]},
        },
    )

    async def registered(first: str, diet: str) -> str:
        body = {"eventId": event.id, "participantTypeId": kind.id, "firstName": first, "lastName": "Doe"}
        made = await eventually(
            lambda: views.call(registration.REGISTER_PARTICIPANT, body | {"extras": {"dietaryNeeds": diet}}), timeout=20
        )
        return made.id

    vegan = await registered("Ada", "VEGAN")
    await registered("Alan", "NONE")
    body = {
        "name": "Vegans",
        "entityType": "participant",
        "filters": [{"type": "simple", "field": "dietaryNeeds", "operator": "eq", "value": "VEGAN"}],
        "config": {"eventId": event.id},
    }
    view = await views.call(contract.CREATE_VIEW, body)
    assert [r["id"] for r in (await _run(views, view.id)).rows] == [vegan]
    await views.call(events_contract.DELETE_FIELD_DEFINITION, {"id": field.id})

    async def stale() -> Conflict | None:
        try:
            await _run(views, view.id)
        except Conflict as error:
            return error
        return None

    conflict = await eventually(stale, timeout=20)
    assert conflict.details["fields"] == ["dietaryNeeds"] and "dietaryNeeds" in conflict.message
