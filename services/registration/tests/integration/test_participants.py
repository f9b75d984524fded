"""Participants through the bus as the gateway calls them: the one registration path with extras checked
against the event's fields, codes unique per event, tenancy, If-Match, and the slots a cancellation frees."""

import asyncio
import re

import pytest
import sqlalchemy as sa
from registration_svc.adapters import tables
from registration_svc.application.directory import EventDirectory
from registration_svc.application.registrar import Draft, Refused, Registered, Registrar

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from plenary_kit import context as ctx
from plenary_kit.testing.plugin import eventually

from .conftest import OTHER_TENANT, TENANT

FIELDS = (
    {"name": "dietary", "dataType": "ENUM", "config": {"options": [{"value": "veg"}, {"value": "none"}]}},
    {"name": "badgeName", "dataType": "TEXT", "isRequired": True, "validation": [{"rule": "maxLength", "value": 10}]},
    {"name": "shirt", "dataType": "TEXT", "defaultValue": "M"},
    {"name": "seat", "dataType": "NUMBER", "validation": [{"rule": "min", "value": 1, "message": "seats start at 1"}]},
)


def _body(event, **fields):
    return {
        "eventId": event.id,
        "participantTypeId": event.type_id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.org",
        "extras": {"badgeName": "Ada"},
        **fields,
    }


async def test_a_registration_is_stored_pending_with_its_extras_and_announced(registration):
    event = await registration.seed_event(fields=FIELDS)

    registered = await registration.call(
        contract.REGISTER_PARTICIPANT,
        _body(event, registrationCode="A-1", extras={"badgeName": "Ada", "dietary": "veg", "seat": 3}),
    )

    assert (registered.status, registered.registration_code, registered.participant_type_code) == (
        "PENDING",
        "A-1",
        "DELEGATE",
    )
    assert registered.extras == {"badgeName": "Ada", "dietary": "veg", "seat": 3, "shirt": "M"}
    assert registered.screening.risk == "PASS" and not registered.flagged
    (announced,) = await registration.events(contract.PARTICIPANT_REGISTERED)
    assert announced["participant"]["id"] == registered.id
    assert announced["participant"]["participantTypeCode"] == "DELEGATE"
    fetched = await registration.call(contract.GET_PARTICIPANT, {"eventId": event.id, "id": registered.id})
    assert fetched.extras == registered.extras and fetched.screening is None


async def test_a_registration_without_a_code_gets_a_generated_one(registration):
    event = await registration.seed_event(fields=FIELDS)

    registered = await registration.call(contract.REGISTER_PARTICIPANT, _body(event))

    assert re.fullmatch(r"REG-[A-Z2-7]{8}", registered.registration_code)


async def test_extras_that_break_the_fields_are_refused_field_by_field(registration):
    event = await registration.seed_event(fields=FIELDS)
    bad = {"dietary": "meat", "seat": 0, "nickname": "Addy", "dateOfBirth": "10/12/1815"}

    with pytest.raises(ValidationFailed) as refused:
        await registration.call(contract.REGISTER_PARTICIPANT, _body(event, extras=bad))

    found = {tuple(e.loc): e.msg for e in refused.value.errors}
    assert found == {
        ("extras", "dietary"): "must be one of: veg, none",
        ("extras", "seat"): "seats start at 1",
        ("extras", "nickname"): "is not a field of this event",
        ("extras", "dateOfBirth"): "must be a date (YYYY-MM-DD)",
        ("extras", "badgeName"): "Badgename is required",
    }
    assert await registration.events(contract.PARTICIPANT_REGISTERED) == []


async def test_a_registration_code_is_unique_in_its_event_only(registration):
    event = await registration.seed_event(fields=FIELDS)
    other = await registration.seed_event()
    await registration.call(contract.REGISTER_PARTICIPANT, _body(event, registrationCode="X-1"))

    with pytest.raises(Conflict):
        await registration.call(
            contract.REGISTER_PARTICIPANT, _body(event, registrationCode="X-1", firstName="Bob", email="bob@x.org")
        )
    elsewhere = await registration.call(
        contract.REGISTER_PARTICIPANT,
        _body(other, registrationCode="X-1", firstName="Bob", email="bob@x.org", extras={}),
    )
    assert elsewhere.registration_code == "X-1"


async def test_an_unknown_event_or_participant_type_is_not_found(registration):
    event = await registration.seed_event(fields=FIELDS)

    with pytest.raises(NotFound):
        await registration.call(contract.REGISTER_PARTICIPANT, {**_body(event), "eventId": "no-such-event"})
    with pytest.raises(NotFound):
        await registration.call(contract.REGISTER_PARTICIPANT, _body(event, participantTypeId="no-such-type"))
    with pytest.raises(NotFound):
        await registration.call(contract.LIST_PARTICIPANTS, {"eventId": "no-such-event"})


async def test_another_tenants_event_and_participants_are_not_found(registration):
    event = await registration.seed_event(fields=FIELDS)
    mine = await registration.call(contract.REGISTER_PARTICIPANT, _body(event))
    ref = {"eventId": event.id, "id": mine.id}

    for spec, body in (
        (contract.GET_PARTICIPANT, ref),
        (contract.UPDATE_PARTICIPANT, {**ref, "firstName": "Eve"}),
        (contract.DELETE_PARTICIPANT, ref),
        (contract.REGISTER_PARTICIPANT, _body(event, email="eve@x.org")),
    ):
        with pytest.raises(NotFound):
            await registration.call(spec, body, tenant=OTHER_TENANT)


async def test_a_participant_of_another_event_is_not_found_under_this_one(registration):
    event = await registration.seed_event(fields=FIELDS)
    other = await registration.seed_event()
    mine = await registration.call(contract.REGISTER_PARTICIPANT, _body(event))

    with pytest.raises(NotFound):
        await registration.call(contract.GET_PARTICIPANT, {"eventId": other.id, "id": mine.id})


async def test_a_list_filters_by_status_type_flag_and_text_and_sorts(registration):
    event = await registration.seed_event(types=("DELEGATE", "PRESS"))
    people = [("Ada", "Lovelace", "DELEGATE"), ("Grace", "Hopper", "PRESS"), ("Alan", "Turing", "DELEGATE")]
    for first, last, code in people:
        await registration.call(
            contract.REGISTER_PARTICIPANT,
            _body(event, firstName=first, lastName=last, email=f"{first}@x.org", extras={},
                  participantTypeId=event.types[code], registrationCode=f"C-{last}"),
        )  # fmt: skip

    async def names(**query) -> list[str]:  # type: ignore[no-untyped-def]
        page = await registration.call(contract.LIST_PARTICIPANTS, {"eventId": event.id, **query})
        return [p.last_name for p in page.data]

    assert await names(sort="lastName:asc") == ["Hopper", "Lovelace", "Turing"]
    assert await names(participantTypeId=event.types["PRESS"]) == ["Hopper"]
    assert sorted(await names(q="a lov")) == ["Lovelace"]
    assert await names(q="c-tur") == ["Turing"]
    assert await names(q="GRACE@") == ["Hopper"]
    assert await names(status="CANCELLED") == []
    assert len(await names(flagged=False)) == 3
    page = await registration.call(contract.LIST_PARTICIPANTS, {"eventId": event.id, "pageSize": 2})
    assert (page.meta.total, page.meta.total_pages, len(page.data)) == (3, 2, 2)
    with pytest.raises(ValidationFailed):
        await registration.call(contract.LIST_PARTICIPANTS, {"eventId": event.id, "sort": "email:asc"})


async def test_an_update_is_partial_merges_extras_and_needs_a_fresh_if_match(registration):
    event = await registration.seed_event(fields=FIELDS)
    mine = await registration.call(
        contract.REGISTER_PARTICIPANT, _body(event, extras={"badgeName": "Ada", "dietary": "veg"})
    )
    ref = {"eventId": event.id, "id": mine.id}

    updated = await registration.call(
        contract.UPDATE_PARTICIPANT,
        {**ref, "lastName": "King", "organization": "Analytical", "extras": {"dietary": None, "seat": 2}},
        if_match=etag_of(mine.updated_at),
    )

    assert (updated.first_name, updated.last_name, updated.organization) == ("Ada", "King", "Analytical")
    assert updated.extras == {"badgeName": "Ada", "shirt": "M", "seat": 2}
    (announced,) = await registration.events(contract.PARTICIPANT_UPDATED)
    assert announced["participant"]["lastName"] == "King"
    keys = await registration.execute(
        sa.select(tables.blocking_key.c.key).where(tables.blocking_key.c.participant_id == mine.id)
    )
    indexed = set(keys.scalars())
    assert "soundex:A300:K520" in indexed and "soundex:A300:L145" not in indexed
    with pytest.raises(PreconditionFailed):
        await registration.call(
            contract.UPDATE_PARTICIPANT, {**ref, "firstName": "Eve"}, if_match=etag_of(mine.updated_at)
        )
    with pytest.raises(ValidationFailed) as refused:
        await registration.call(contract.UPDATE_PARTICIPANT, {**ref, "firstName": None, "extras": {"badgeName": None}})
    assert {tuple(e.loc) for e in refused.value.errors} == {("firstName",), ("extras", "badgeName")}


async def test_an_update_to_a_taken_code_conflicts(registration):
    event = await registration.seed_event(fields=FIELDS)
    await registration.call(contract.REGISTER_PARTICIPANT, _body(event, registrationCode="T-1"))
    mine = await registration.call(
        contract.REGISTER_PARTICIPANT, _body(event, firstName="Bob", email="bob@x.org", registrationCode="T-2")
    )

    with pytest.raises(Conflict):
        await registration.call(
            contract.UPDATE_PARTICIPANT, {"eventId": event.id, "id": mine.id, "registrationCode": "T-1"}
        )


async def test_cancelling_frees_the_slot_once_and_deleting_a_cancelled_one_frees_nothing_more(registration):
    event = await registration.seed_event(fields=FIELDS)
    mine = await registration.call(contract.REGISTER_PARTICIPANT, _body(event))
    ref = {"eventId": event.id, "id": mine.id}

    cancelled = await registration.call(contract.UPDATE_PARTICIPANT, {**ref, "status": "CANCELLED"})
    await registration.call(contract.UPDATE_PARTICIPANT, {**ref, "nationality": "GB"})
    await registration.call(contract.DELETE_PARTICIPANT, ref)

    assert cancelled.status == "CANCELLED"
    (freed,) = await registration.events(contract.SLOTS_FREED)
    assert freed == {
        "eventId": event.id,
        "participantTypeId": event.type_id,
        "slots": 1,
        "reason": "cancelled",
        "triggerEntityId": mine.id,
        "survivorId": None,
    }
    (deleted,) = await registration.events(contract.PARTICIPANT_DELETED)
    assert deleted == {"participantId": mine.id, "eventId": event.id}
    with pytest.raises(NotFound):
        await registration.call(contract.GET_PARTICIPANT, ref)


async def test_deleting_a_live_participant_frees_its_slot_and_its_blocking_keys(registration):
    event = await registration.seed_event(fields=FIELDS)
    mine = await registration.call(contract.REGISTER_PARTICIPANT, _body(event))

    await registration.call(contract.DELETE_PARTICIPANT, {"eventId": event.id, "id": mine.id})

    (freed,) = await registration.events(contract.SLOTS_FREED)
    assert freed["reason"] == "deleted"
    keys = await registration.execute(sa.select(sa.func.count()).where(tables.blocking_key.c.participant_id == mine.id))
    assert keys.scalar_one() == 0


async def test_a_code_taken_by_a_concurrent_registration_refuses_only_that_draft(registration):
    event = await registration.seed_event()
    registrar = Registrar(EventDirectory(_unknown), registration.runtime.uow)

    def draft(code: str, first: str) -> Draft:
        details = contract.ParticipantDetails(
            participant_type_id=event.type_id, first_name=first, last_name="Racer", registration_code=code
        )
        return Draft(event.id, details, "import")

    async def batch() -> list:  # type: ignore[type-arg]
        async with registration.runtime.uow() as uow:
            outcomes = await registrar.register(uow, [draft("R-1", "Second"), draft("R-2", "Third")])
            await uow.commit()
            return outcomes

    token = ctx.use(ctx.Context(tenant_id=TENANT))
    try:
        async with registration.runtime.uow() as first:
            await registrar.register(first, [draft("R-1", "First")])
            racing = asyncio.create_task(batch())  # checks codes before the first commits, then waits on its lock

            async def waiting_on_the_lock() -> bool:
                rows = await registration.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                )
                return rows.scalar_one() > 0

            await eventually(waiting_on_the_lock, timeout=20)
            await first.commit()
        taken, registered = await racing
    finally:
        ctx.reset(token)

    assert isinstance(taken, Refused) and isinstance(taken.error, Conflict)
    assert isinstance(registered, Registered) and registered.participant.registration_code == "R-2"
    codes = await registration.execute(
        sa.select(tables.participant.c.registration_code, tables.participant.c.first_name).order_by("registration_code")
    )
    assert [tuple(r) for r in codes] == [("R-1", "First"), ("R-2", "Third")]


async def _unknown(tenant_id: str, event_id: str) -> None:
    return None
