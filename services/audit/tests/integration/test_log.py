from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from audit_svc.application.indexing import index_batch

from plenary_contracts.catalog import audit as contract
from plenary_contracts.catalog import checkin, identity, registration, workflow
from plenary_contracts.errors import BadRequest, NotFound, ValidationFailed
from plenary_kit.bus.consuming import StreamEvent

from .conftest import OTHER_TENANT, TENANT, eventually, stored

HOUR = timedelta(hours=1)


async def _log(audit, tenant=TENANT, **query):
    return await audit.call(contract.LIST_EVENTS, query, tenant=tenant)


async def test_a_tenants_log_holds_its_own_events_exactly_as_published_and_never_another_tenants(audit):
    ours = [
        await audit.emit(registration.PARTICIPANT_REGISTERED, {"participant": {"id": "p1", "x": 1}}),
        await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p1", "note": "é"}),
        await audit.emit(checkin.KIOSK_REGISTERED, {"kiosk": {"id": "k1"}}, subject="k1"),
    ]
    theirs = await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p9"}, tenant=OTHER_TENANT)
    await eventually(lambda: _count_is(audit, 4))

    page = await _log(audit, order="oldest")
    assert [e.event for e in page.data] == [stored(e) for e in ours]
    assert {e.stream for e in page.data} == {"EVT_REGISTRATION", "EVT_WORKFLOW", "EVT_CHECKIN"}
    specs = (registration.PARTICIPANT_REGISTERED, workflow.PARTICIPANT_APPROVED, checkin.KIOSK_REGISTERED)
    assert [e.subject for e in page.data] == [spec.subject for spec in specs]
    other = await _log(audit, tenant=OTHER_TENANT)
    assert [e.event for e in other.data] == [stored(theirs)]
    assert page.next_cursor is None


async def _count_is(audit, n):
    return await audit.indexed() == n


async def test_the_log_filters_by_type_entity_actor_and_time_and_pages_by_cursor(audit):
    now = datetime.now(UTC)
    first = await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p1"}, subject="p1", time=now - 3 * HOUR)
    second = await audit.emit(workflow.PARTICIPANT_REJECTED, {"participantId": "p2"}, subject="p2", time=now - 2 * HOUR)
    third = await audit.emit(
        workflow.PARTICIPANT_APPROVED, {"participantId": "p2"}, subject="p2", actor="someone", time=now - HOUR
    )
    await eventually(lambda: _count_is(audit, 3))

    def ids(page):
        return [e.event["id"] for e in page.data]

    assert ids(await _log(audit, types=[workflow.PARTICIPANT_APPROVED.type])) == [str(third.id), str(first.id)]
    assert ids(await _log(audit, entityId="p2", order="oldest")) == [str(second.id), str(third.id)]
    assert ids(await _log(audit, actorId="someone")) == [str(third.id)]
    window = {
        "from": (now - 150 * timedelta(minutes=1)).isoformat(),
        "to": (now - 90 * timedelta(minutes=1)).isoformat(),
    }
    assert ids(await _log(audit, **window)) == [str(second.id)]

    walked, after = [], None
    while True:
        page = await _log(audit, limit=1, **({"after": after} if after else {}))
        walked += ids(page)
        after = page.next_cursor
        if after is None:
            break
    assert walked == [str(third.id), str(second.id), str(first.id)]


async def test_a_redelivered_batch_is_indexed_once(audit):
    event = await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p1"})
    await eventually(lambda: _count_is(audit, 1))
    again = StreamEvent("EVT_WORKFLOW", 1, workflow.PARTICIPANT_APPROVED.subject, event)
    async with audit.runtime.uow() as uow:
        await index_batch(uow, [again, again])
        await uow.commit()
    assert await audit.indexed() == 1


async def test_an_event_of_no_tenant_is_in_no_tenants_log(audit):
    await audit.emit(identity.TENANT_CREATED, {"tenant": {"id": "t"}}, tenant=None)
    marker = await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p1"})
    await eventually(lambda: _count_is(audit, 1))
    assert [e.event["id"] for e in (await _log(audit)).data] == [str(marker.id)]


async def test_a_bad_window_is_a_422_on_from_and_a_foreign_cursor_a_400(audit):
    now = datetime.now(UTC)
    with pytest.raises(ValidationFailed) as backwards:
        await _log(audit, **{"from": now.isoformat(), "to": (now - HOUR).isoformat()})
    assert backwards.value.errors[0].loc == ["query", "from"]
    with pytest.raises(ValidationFailed):
        await _log(audit, **{"from": (now - timedelta(days=40)).isoformat()})
    with pytest.raises(BadRequest):
        await _log(audit, after="bm90IGEgY3Vyc29y")


async def test_a_deleted_tenants_index_entries_go_and_the_others_stay(audit):
    await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p1"})
    await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p2"}, tenant=OTHER_TENANT)
    await eventually(lambda: _count_is(audit, 2))
    await audit.publish(identity.TENANT_DELETED, {"tenantId": TENANT})

    async def forgotten():
        return await audit.indexed(TENANT) == 0 and await audit.indexed(OTHER_TENANT) == 1

    await eventually(forgotten)


async def test_a_trace_of_another_tenants_or_an_unknown_event_is_a_404(audit):
    theirs = await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p9"}, tenant=OTHER_TENANT)
    await eventually(lambda: _count_is(audit, 1))
    for event_id in (theirs.id, uuid4()):
        with pytest.raises(NotFound):
            await audit.call(contract.GET_TRACE, {"eventId": str(event_id)})


async def test_plenary_replay_prints_the_tenants_events_as_json_lines_across_pages(audit, plenary_settings):
    import json

    from plenary_cli import replay

    ours = [await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": f"p{n}"}) for n in range(3)]
    await audit.emit(workflow.PARTICIPANT_APPROVED, {"participantId": "p9"}, tenant=OTHER_TENANT)
    await eventually(lambda: _count_is(audit, 4))
    request = replay.request_of(
        since=None,
        until=None,
        types=[workflow.PARTICIPANT_APPROVED.type],
        entity_id=None,
        actor_id=None,
        newest_first=False,
    )
    lines: list[str] = []
    printed = await replay.replay(plenary_settings, TENANT, {**request, "limit": 2}, lines.append)
    assert printed == 3
    assert [json.loads(line) for line in lines] == [stored(e) for e in ours]
