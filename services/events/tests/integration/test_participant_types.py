"""Participant types of an event over the bus: code unique per event, If-Match, hard delete."""

import pytest

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import events as contract
from plenary_contracts.errors import Conflict, NotFound, PreconditionFailed

from .conftest import OTHER_TENANT


async def _type(events, event_id: str, code: str, **fields) -> contract.ParticipantType:
    body = {"eventId": event_id, "name": f"Type {code}", "code": code} | fields
    return await events.call(contract.CREATE_PARTICIPANT_TYPE, body)


async def test_participant_types_are_created_listed_changed_and_removed_with_their_events(events):
    event = await events.event()
    delegate = await _type(events, event.id, " DEL ", description="Official delegates")
    assert (delegate.code, delegate.event_id, delegate.description) == ("DEL", event.id, "Official delegates")
    media = await _type(events, event.id, "MED")

    listed = await events.call(contract.LIST_PARTICIPANT_TYPES, {"eventId": event.id, "sort": "code:asc"})
    assert [t.code for t in listed.data] == ["DEL", "MED"] and listed.meta.total == 2

    with pytest.raises(PreconditionFailed):
        await events.call(
            contract.UPDATE_PARTICIPANT_TYPE, {"eventId": event.id, "id": delegate.id, "name": "x"}, if_match='"1"'
        )
    changed = await events.call(
        contract.UPDATE_PARTICIPANT_TYPE,
        {"eventId": event.id, "id": delegate.id, "name": "Delegate", "description": None},
        if_match=etag_of(delegate.updated_at),
    )
    assert (changed.name, changed.code, changed.description) == ("Delegate", "DEL", None)
    assert changed.updated_at > delegate.updated_at

    removed = await events.call(contract.DELETE_PARTICIPANT_TYPE, {"eventId": event.id, "id": media.id})
    assert removed == contract.ParticipantTypeRef(event_id=event.id, id=media.id)
    with pytest.raises(NotFound):
        await events.call(contract.DELETE_PARTICIPANT_TYPE, {"eventId": event.id, "id": media.id})
    assert [t.id for t in (await events.call(contract.LIST_PARTICIPANT_TYPES, {"eventId": event.id})).data] == [
        delegate.id
    ]
    assert [e["participantType"]["code"] for e in await events.events(contract.PARTICIPANT_TYPE_CREATED)] == [
        "DEL",
        "MED",
    ]
    (updated,) = await events.events(contract.PARTICIPANT_TYPE_UPDATED)
    assert updated["participantType"]["name"] == "Delegate"
    (deleted,) = await events.events(contract.PARTICIPANT_TYPE_DELETED)
    assert deleted["participantType"]["id"] == media.id and deleted["participantType"]["code"] == "MED"
    assert await events.events(contract.EVENT_UPDATED) == []  # a type's change is not the event's


async def test_a_code_is_unique_per_event(events):
    first, second = await events.event("First"), await events.event("Second")
    await _type(events, first.id, "DEL")
    with pytest.raises(Conflict) as clash:
        await _type(events, first.id, "DEL")
    assert "already has this code" in clash.value.message
    await _type(events, second.id, "DEL")
    media = await _type(events, first.id, "MED")
    with pytest.raises(Conflict):
        await events.call(contract.UPDATE_PARTICIPANT_TYPE, {"eventId": first.id, "id": media.id, "code": "DEL"})


async def test_a_type_belongs_to_an_existing_event_of_the_tenant(events):
    with pytest.raises(NotFound):
        await _type(events, "no-such-event", "DEL")
    event = await events.event()
    delegate = await _type(events, event.id, "DEL")
    elsewhere = await events.event("Elsewhere")
    with pytest.raises(NotFound):  # the type is not one of this event's
        await events.call(contract.UPDATE_PARTICIPANT_TYPE, {"eventId": elsewhere.id, "id": delegate.id, "name": "x"})
    as_other = {"tenant": OTHER_TENANT}
    for spec, body in [
        (contract.LIST_PARTICIPANT_TYPES, {"eventId": event.id}),
        (contract.UPDATE_PARTICIPANT_TYPE, {"eventId": event.id, "id": delegate.id, "name": "x"}),
        (contract.DELETE_PARTICIPANT_TYPE, {"eventId": event.id, "id": delegate.id}),
    ]:
        with pytest.raises(NotFound):
            await events.call(spec, body, **as_other)
