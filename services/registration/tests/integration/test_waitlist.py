"""The waitlist over the real bus: joining and rejoining, queue order, offers
that skip people already holding one, confirmation through the registration path, late answers, the
cascades on decline and expiry (driven by running the timer's sweep by hand), freed slots from the bus,
replicas offering at once, statistics, tenancy and event-scoped roles."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from registration_svc.adapters.tables import participant, waitlist_entry, waitlist_promotion
from registration_svc.bootstrap import offers_of

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import events as events_catalog
from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import RoleScope
from plenary_contracts.errors import BadRequest, Conflict, FeatureDisabled, Forbidden, NotFound, ValidationFailed
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit import context as ctx
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.plugin import eventually

from .conftest import ADMIN, OTHER_TENANT, TENANT, SeededEvent


@pytest.fixture
async def waitlist(registration) -> SeededEvent:
    """FF_WAITLIST on for the tenant, and an event with two participant types."""
    await registration.flags(FlagKey.WAITLIST)
    return await registration.seed_event(types=("DELEGATE", "PRESS"))


def _person(event: SeededEvent, first: str, *, code: str = "DELEGATE", **fields: Any) -> dict[str, Any]:
    return {
        "participantTypeId": event.types[code],
        "firstName": first,
        "lastName": "Okafor",
        "email": f"{first.lower()}@example.org",
        **fields,
    }


async def _add(registration, event: SeededEvent, first: str, priority: str = "STANDARD", **fields: Any):
    body = {"eventId": event.id, "priority": priority, "registration": _person(event, first, **fields)}
    return await registration.call(contract.ADD_TO_WAITLIST, body)


async def _promote(registration, event: SeededEvent, slots: int = 1, code: str = "DELEGATE") -> list[Any]:
    body = {"eventId": event.id, "participantTypeId": event.types[code], "slots": slots}
    return (await registration.call(contract.PROMOTE_FROM_WAITLIST, body)).entries


async def _get(registration, entry_id: str) -> contract.WaitlistEntry:
    return await registration.call(contract.GET_WAITLIST_ENTRY, {"id": entry_id})


async def _list(registration, event: SeededEvent, **query: Any) -> list[contract.WaitlistEntry]:
    return (await registration.call(contract.LIST_WAITLIST, {"eventId": event.id, **query})).data


async def sweep(runtime) -> dict[str, int]:
    """One run of the offers' timer, as a replica's own offers run it."""
    return await offers_of(runtime).sweep()


async def _offers_of(registration, entry_id: str) -> list[Any]:
    rows = await registration.execute(sa.select(waitlist_promotion).where(waitlist_promotion.c.entry_id == entry_id))
    return list(rows.all())


async def _move_offer(registration, entry_id: str, *, hours_ago: float) -> None:
    """Shift the entry's offer into the past: made ``hours_ago``, still lasting 48 h from then."""
    shift = timedelta(hours=hours_ago)
    for table in (waitlist_entry, waitlist_promotion):
        key = table.c.id if table is waitlist_entry else table.c.entry_id
        deadline = table.c.promotion_deadline if table is waitlist_entry else table.c.deadline
        await registration.execute(
            sa.update(table)
            .where(key == entry_id)
            .values({table.c.promoted_at: table.c.promoted_at - shift, deadline: deadline - shift})
        )


async def _published(registration, spec) -> list[str]:
    """Entry ids of the committed events of one kind, oldest first."""
    return [e["entry"]["id"] for e in await registration.events(spec)]


# --- the flag, joining, rejoining ----------------------------------------------------------------


async def test_the_waitlist_is_feature_disabled_while_its_flag_is_off(registration):
    event = await registration.seed_event()
    with pytest.raises(FeatureDisabled):
        await _add(registration, event, "Ada")
    with pytest.raises(FeatureDisabled):
        await registration.call(contract.LIST_WAITLIST, {"eventId": event.id})


async def test_a_person_waits_once_and_rejoins_at_the_back_of_the_queue_after_withdrawing(registration, waitlist):
    ada = await _add(registration, waitlist, "Ada", organization="Met Office")
    assert (ada.status, ada.position, ada.priority, ada.offer) == ("ACTIVE", 1, "STANDARD", None)
    assert ada.registration_data.organization == "Met Office" and ada.participant_id is None
    ben = await _add(registration, waitlist, "Ben")
    assert ben.position == 2

    with pytest.raises(Conflict) as again:  # the same e-mail, whatever its case
        await _add(registration, waitlist, "Ada", email=" ADA@example.org ")
    assert again.value.details["entryId"] == ada.id

    gone = await registration.call(contract.WITHDRAW_FROM_WAITLIST, {"id": ada.id})
    assert gone.status == "WITHDRAWN" and gone.position is None and gone.withdrawn_at is not None
    assert (await _get(registration, ben.id)).position == 1
    with pytest.raises(BadRequest):
        await registration.call(contract.WITHDRAW_FROM_WAITLIST, {"id": ada.id})

    back = await _add(registration, waitlist, "Ada", "HIGH", organization="ECMWF")
    assert back.id == ada.id and back.status == "ACTIVE" and back.withdrawn_at is None
    assert back.created_at > ada.created_at and back.registration_data.organization == "ECMWF"
    assert back.priority == "HIGH" and back.position == 1  # the back of the HIGH tier, ahead of STANDARD
    assert await _published(registration, contract.WAITLIST_ADDED) == [ada.id, ben.id, ada.id]
    assert await _published(registration, contract.WAITLIST_WITHDRAWN) == [ada.id]


async def test_a_person_without_an_email_is_known_by_their_full_name(registration, waitlist):
    await _add(registration, waitlist, "Chidi", email=None)
    with pytest.raises(Conflict):
        await _add(registration, waitlist, "CHIDI", email=None, lastName="  okafor ")


async def test_joining_is_checked_as_registering_would_be_and_stores_nothing_when_refused(registration, waitlist):
    unknown_type = {**_person(waitlist, "Ada"), "participantTypeId": "no-such-type"}
    with pytest.raises((ValidationFailed, NotFound)):
        await registration.call(contract.ADD_TO_WAITLIST, {"eventId": waitlist.id, "registration": unknown_type})
    with pytest.raises(NotFound):
        await registration.call(
            contract.ADD_TO_WAITLIST, {"eventId": "no-such-event", "registration": _person(waitlist, "Ada")}
        )
    assert await _list(registration, waitlist) == []
    assert await registration.events(contract.WAITLIST_ADDED) == []


# --- order and positions -------------------------------------------------------------------------


async def test_the_queue_runs_vip_then_high_then_standard_then_first_come_and_each_type_apart(registration, waitlist):
    s1 = await _add(registration, waitlist, "Sam")
    h1 = await _add(registration, waitlist, "Hana", "HIGH")
    v1 = await _add(registration, waitlist, "Vera", "VIP")
    s2 = await _add(registration, waitlist, "Sol")
    press = await _add(registration, waitlist, "Pia", "STANDARD", code="PRESS")

    listed = await _list(registration, waitlist)  # positions count within each type
    assert [(e.id, e.position) for e in listed] == [(v1.id, 1), (h1.id, 2), (s1.id, 3), (s2.id, 4), (press.id, 1)]
    delegates = await _list(registration, waitlist, participantTypeId=waitlist.types["DELEGATE"])
    assert [(e.id, e.position) for e in delegates] == [(v1.id, 1), (h1.id, 2), (s1.id, 3), (s2.id, 4)]
    assert (await _get(registration, press.id)).position == 1
    by_arrival = await _list(registration, waitlist, sort="createdAt:asc")
    assert [e.id for e in by_arrival] == [s1.id, h1.id, v1.id, s2.id, press.id]
    backwards = await _list(registration, waitlist, sort="queue:desc", participantTypeId=s1.participant_type_id)
    assert [e.id for e in backwards] == [s2.id, s1.id, h1.id, v1.id]
    with pytest.raises(ValidationFailed):
        await _list(registration, waitlist, sort="position:asc")

    moved = await registration.call(contract.UPDATE_WAITLIST_PRIORITY, {"id": s2.id, "priority": "VIP"})
    assert moved.priority == "VIP" and moved.position == 2  # behind the VIP who came first
    assert (await _get(registration, s1.id)).position == 4
    assert await _published(registration, contract.WAITLIST_REPRIORITIZED) == [s2.id]

    await registration.call(contract.CANCEL_WAITLIST_ENTRY, {"id": v1.id})
    assert (await _get(registration, s2.id)).position == 1
    with pytest.raises(BadRequest):
        await registration.call(contract.UPDATE_WAITLIST_PRIORITY, {"id": v1.id, "priority": "HIGH"})
    cancelled = await _list(registration, waitlist, status="CANCELLED")
    assert [(e.id, e.position) for e in cancelled] == [(v1.id, None)]


# --- offers --------------------------------------------------------------------------------------


async def test_promotion_offers_the_first_waiting_people_and_skips_anyone_holding_a_live_offer(registration, waitlist):
    first = await _add(registration, waitlist, "Ada", "HIGH")
    second = await _add(registration, waitlist, "Ben")
    third = await _add(registration, waitlist, "Cy")

    [offered] = await _promote(registration, waitlist)
    assert offered.id == first.id and offered.status == "ACTIVE" and offered.notifications_sent == 1
    offer = offered.offer
    assert offer is not None and offer.triggered_by == ADMIN and offer.promoted_by == ADMIN
    assert offer.deadline - offer.promoted_at == timedelta(hours=48) and offered.promotion_deadline == offer.deadline

    again = await _promote(registration, waitlist, slots=5)
    assert [e.id for e in again] == [second.id, third.id]  # never a second offer to the first
    assert await _promote(registration, waitlist) == []
    assert await _published(registration, contract.WAITLIST_PROMOTED) == [first.id, second.id, third.id]
    assert len(await _offers_of(registration, first.id)) == 1
    assert await _promote(registration, waitlist, code="PRESS") == []

    with pytest.raises(ValidationFailed):
        await registration.call(
            contract.PROMOTE_FROM_WAITLIST, {"eventId": waitlist.id, "participantTypeId": "not-of-this-event"}
        )


async def test_confirming_an_offer_registers_the_person_who_then_enters_the_workflow(registration, waitlist):
    ada = await _add(registration, waitlist, "Ada", registrationCode="WL-001", organization="Met Office")
    with pytest.raises(BadRequest):  # nothing offered yet
        await registration.call(contract.CONFIRM_WAITLIST_OFFER, {"id": ada.id})
    await _promote(registration, waitlist)

    confirmed = await registration.call(contract.CONFIRM_WAITLIST_OFFER, {"id": ada.id})
    person, entry = confirmed.participant, confirmed.entry
    assert (person.first_name, person.registration_code, person.event_id) == ("Ada", "WL-001", waitlist.id)
    assert person.participant_type_id == waitlist.types["DELEGATE"] and person.organization == "Met Office"
    assert entry.status == "PROMOTED" and entry.participant_id == person.id and entry.position is None
    assert entry.offer is not None and entry.offer.confirmed_at is not None
    row = (await registration.execute(sa.select(participant).where(participant.c.id == person.id))).one()
    assert row.tenant_id == TENANT and row.email == "ada@example.org"

    registered = await registration.events(contract.PARTICIPANT_REGISTERED)
    assert [e["participant"]["id"] for e in registered] == [person.id]  # workflow enters it from this event
    assert await _published(registration, contract.WAITLIST_CONFIRMED) == [ada.id]

    for spec in (contract.CONFIRM_WAITLIST_OFFER, contract.DECLINE_WAITLIST_OFFER, contract.WITHDRAW_FROM_WAITLIST):
        with pytest.raises(BadRequest):
            await registration.call(spec, {"id": ada.id})
    with pytest.raises(Conflict):  # registered from the list: not again
        await _add(registration, waitlist, "Ada")


async def test_a_confirmation_registration_refuses_changes_nothing(registration, waitlist):
    first = await _add(registration, waitlist, "Ada", registrationCode="TAKEN-1")
    await _add(registration, waitlist, "Ben", registrationCode="TAKEN-1")
    await _promote(registration, waitlist, slots=2)
    await registration.call(contract.CONFIRM_WAITLIST_OFFER, {"id": first.id})
    second = (await _list(registration, waitlist, status="ACTIVE"))[0]

    with pytest.raises(Conflict):  # the code went to the first person meanwhile
        await registration.call(contract.CONFIRM_WAITLIST_OFFER, {"id": second.id})
    still = await _get(registration, second.id)
    assert still.status == "ACTIVE" and still.offer is not None and still.offer.confirmed_at is None
    assert len(await registration.events(contract.PARTICIPANT_REGISTERED)) == 1


async def test_a_late_confirmation_is_refused_and_the_offer_expires_passing_the_place_on(registration, waitlist):
    ada = await _add(registration, waitlist, "Ada")
    ben = await _add(registration, waitlist, "Ben")
    await _promote(registration, waitlist)
    await _move_offer(registration, ada.id, hours_ago=49)

    with pytest.raises(BadRequest) as late:
        await registration.call(contract.CONFIRM_WAITLIST_OFFER, {"id": ada.id})
    assert "deadline" in late.value.message
    expired = await _get(registration, ada.id)
    assert expired.status == "EXPIRED" and expired.offer.expired_at is not None and expired.expired_at is not None
    assert await registration.events(contract.PARTICIPANT_REGISTERED) == []
    following = await _get(registration, ben.id)
    assert following.offer is not None and following.offer.triggered_by == "expiry_cascade"
    assert following.offer.trigger_entity_id == ada.id
    with pytest.raises(BadRequest):
        await registration.call(contract.CONFIRM_WAITLIST_OFFER, {"id": ada.id})

    back = await _add(registration, waitlist, "Ada")  # rejoining clears the old offer's traces
    assert back.status == "ACTIVE" and back.promotion_deadline is None and back.expired_at is None


async def test_a_declined_offer_passes_to_the_next_person_once(registration, waitlist):
    ada, ben, cy = [await _add(registration, waitlist, name) for name in ("Ada", "Ben", "Cy")]
    await _promote(registration, waitlist)

    declined = await registration.call(contract.DECLINE_WAITLIST_OFFER, {"id": ada.id})
    assert declined.status == "WITHDRAWN" and declined.offer.declined_at is not None
    following = await _get(registration, ben.id)
    assert following.offer.triggered_by == "decline_cascade" and following.offer.trigger_entity_id == ada.id
    assert (await _get(registration, cy.id)).offer is None
    with pytest.raises(BadRequest):
        await registration.call(contract.DECLINE_WAITLIST_OFFER, {"id": ada.id})
    assert await _published(registration, contract.WAITLIST_PROMOTED) == [ada.id, ben.id]
    assert await _published(registration, contract.WAITLIST_DECLINED) == [ada.id]


async def test_withdrawing_or_removing_someone_holding_an_offer_passes_it_on(registration, waitlist):
    ada, ben, cy = [await _add(registration, waitlist, name) for name in ("Ada", "Ben", "Cy")]
    await _promote(registration, waitlist)
    await registration.call(contract.WITHDRAW_FROM_WAITLIST, {"id": ada.id})
    assert (await _get(registration, ada.id)).offer.declined_at is not None
    await registration.call(contract.CANCEL_WAITLIST_ENTRY, {"id": ben.id})
    assert (await _get(registration, cy.id)).offer.triggered_by == "decline_cascade"
    assert await _published(registration, contract.WAITLIST_PROMOTED) == [ada.id, ben.id, cy.id]
    assert await _published(registration, contract.WAITLIST_CANCELLED) == [ben.id]


# --- the timer -----------------------------------------------------------------------------------


async def test_an_expired_offer_passes_to_the_next_person_once_however_often_the_timer_runs(registration, waitlist):
    ada, ben, cy = [await _add(registration, waitlist, name) for name in ("Ada", "Ben", "Cy")]
    await _promote(registration, waitlist)
    assert await sweep(registration.runtime) == {"expired": 0, "reminded": 0}
    await _move_offer(registration, ada.id, hours_ago=49)

    assert (await sweep(registration.runtime))["expired"] == 1
    assert (await sweep(registration.runtime))["expired"] == 0
    expired = await _get(registration, ada.id)
    assert expired.status == "EXPIRED" and expired.expired_at is not None and expired.offer.expired_at is not None
    assert (await _get(registration, ben.id)).offer.triggered_by == "expiry_cascade"
    assert (await _get(registration, cy.id)).offer is None
    assert await _published(registration, contract.WAITLIST_EXPIRED) == [ada.id]
    assert await _published(registration, contract.WAITLIST_PROMOTED) == [ada.id, ben.id]


async def test_a_reminder_goes_out_once_half_way_to_the_deadline(registration, waitlist):
    ada = await _add(registration, waitlist, "Ada")
    await _promote(registration, waitlist)
    await _move_offer(registration, ada.id, hours_ago=23)
    assert (await sweep(registration.runtime))["reminded"] == 0

    await _move_offer(registration, ada.id, hours_ago=2)  # 25 h of 48 gone
    assert [(await sweep(registration.runtime))["reminded"] for _ in range(2)] == [1, 0]
    reminded = await _get(registration, ada.id)
    assert reminded.status == "ACTIVE" and reminded.notifications_sent == 2
    assert await _published(registration, contract.WAITLIST_REMINDED) == [ada.id]


# --- freed slots and replicas --------------------------------------------------------------------


async def test_slots_freed_on_the_bus_are_offered_in_queue_order(registration, waitlist):
    ada = await _add(registration, waitlist, "Ada")
    ben = await _add(registration, waitlist, "Ben", "VIP")
    freed = {
        "eventId": waitlist.id,
        "participantTypeId": waitlist.types["DELEGATE"],
        "slots": 1,
        "reason": "participant_cancelled",
        "triggerEntityId": "participant-42",
    }
    await registration.publish(contract.SLOTS_FREED, freed)

    offered = await eventually(lambda: _offered(registration, ben.id), timeout=20)
    assert offered.triggered_by == "participant_cancelled" and offered.trigger_entity_id == "participant-42"
    assert offered.promoted_by is None
    assert (await _get(registration, ada.id)).offer is None


async def _offered(registration, entry_id: str) -> contract.WaitlistOffer | None:
    return (await _get(registration, entry_id)).offer


async def test_replicas_promoting_at_once_never_offer_one_person_twice(registration, waitlist):
    entries = [await _add(registration, waitlist, f"P{n}") for n in range(5)]
    offers = offers_of(registration.runtime)  # as each replica's own would

    async def promote_as_a_replica() -> int:
        token = ctx.use(ctx.Context(tenant_id=TENANT, actor_id=ADMIN))
        try:
            async with registration.runtime.uow() as uow:
                offered = await offers.offer(
                    uow, TENANT, waitlist.id, waitlist.types["DELEGATE"], 2, triggered_by=ADMIN
                )
                await asyncio.sleep(0.05)  # hold the locks while the others try
                await uow.commit()
                return len(offered)
        finally:
            ctx.reset(token)

    counts = await asyncio.gather(*(promote_as_a_replica() for _ in range(4)))
    assert sum(counts) == len(entries)
    rows = (await registration.execute(sa.select(waitlist_promotion.c.entry_id))).all()
    assert sorted(r.entry_id for r in rows) == sorted(e.id for e in entries)


# --- statistics, tenancy, roles ------------------------------------------------------------------


async def test_stats_count_each_status_the_mean_wait_to_confirm_and_the_success_rate(registration, waitlist):
    ada, ben, cy, dee = [await _add(registration, waitlist, name) for name in ("Ada", "Ben", "Cy", "Dee")]
    await _promote(registration, waitlist, slots=2)
    await registration.call(contract.CONFIRM_WAITLIST_OFFER, {"id": ada.id})
    await registration.execute(
        sa.update(waitlist_promotion)
        .where(waitlist_promotion.c.entry_id == ada.id)
        .values(promoted_at=waitlist_promotion.c.confirmed_at - timedelta(hours=3))
    )
    await registration.call(contract.DECLINE_WAITLIST_OFFER, {"id": ben.id})  # Cy is offered the place
    await registration.call(contract.CANCEL_WAITLIST_ENTRY, {"id": dee.id})

    stats = await registration.call(contract.WAITLIST_STATS, {"eventId": waitlist.id})
    assert stats.by_status == {"ACTIVE": 1, "PROMOTED": 1, "EXPIRED": 0, "WITHDRAWN": 1, "CANCELLED": 1}
    assert (stats.total, stats.average_wait_hours, stats.promotion_success_rate) == (4, 3.0, 25)
    press = await registration.call(
        contract.WAITLIST_STATS, {"eventId": waitlist.id, "participantTypeId": waitlist.types["PRESS"]}
    )
    assert (press.total, press.average_wait_hours, press.promotion_success_rate) == (0, None, 0)
    assert (await _get(registration, cy.id)).offer is not None
    with pytest.raises(NotFound):
        await registration.call(contract.WAITLIST_STATS, {"eventId": "no-such-event"})


async def test_another_tenants_entry_is_not_found(registration, waitlist):
    await put_flag(registration.nc, FlagKey.WAITLIST, tenants=(TENANT, OTHER_TENANT))
    await eventually(
        lambda: registration.runtime.flags.is_enabled(FlagKey.WAITLIST, FlagContext(tenant_id=OTHER_TENANT))
    )
    ada = await _add(registration, waitlist, "Ada")
    await _promote(registration, waitlist)
    for spec in (
        contract.GET_WAITLIST_ENTRY,
        contract.WITHDRAW_FROM_WAITLIST,
        contract.CANCEL_WAITLIST_ENTRY,
        contract.CONFIRM_WAITLIST_OFFER,
        contract.DECLINE_WAITLIST_OFFER,
    ):
        with pytest.raises(NotFound):
            await registration.call(spec, {"id": ada.id}, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await registration.call(contract.LIST_WAITLIST, {"eventId": waitlist.id}, tenant=OTHER_TENANT)
    assert (await _get(registration, ada.id)).status == "ACTIVE"


async def test_a_role_bound_to_another_event_may_not_touch_an_entry(registration, waitlist):
    ada = await _add(registration, waitlist, "Ada")

    def bound_to(event_id: str) -> str:
        return encode_grants([Grant("waitlist:manage", scope=RoleScope.EVENT, event_id=event_id)])

    with pytest.raises(Forbidden):
        await registration.call(contract.GET_WAITLIST_ENTRY, {"id": ada.id}, grants=bound_to("another-event"))
    with pytest.raises(Forbidden):
        await registration.call(contract.WITHDRAW_FROM_WAITLIST, {"id": ada.id}, grants=bound_to("another-event"))
    seen = await registration.call(contract.GET_WAITLIST_ENTRY, {"id": ada.id}, grants=bound_to(waitlist.id))
    assert seen.status == "ACTIVE"


async def test_deleting_the_event_cancels_its_waitlist_and_declines_the_live_offer(registration, waitlist):
    offered, waiting = await _add(registration, waitlist, "Ada"), await _add(registration, waitlist, "Ben")
    elsewhere = await registration.seed_event()
    kept = await _add(registration, elsewhere, "Cy")
    await _promote(registration, waitlist)

    await registration.publish(events_catalog.EVENT_DELETED, {"eventId": waitlist.id})
    await registration.caught_up("registration_event_directory")

    ada, ben = await _get(registration, offered.id), await _get(registration, waiting.id)
    assert (ada.status, ben.status) == ("CANCELLED", "CANCELLED")
    assert ada.offer is not None and ada.offer.declined_at is not None
    announced = await registration.events(contract.WAITLIST_CANCELLED)
    assert sorted(e["entry"]["id"] for e in announced) == sorted([offered.id, waiting.id])
    assert (await _get(registration, kept.id)).status == "ACTIVE"
