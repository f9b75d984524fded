import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import ParticipantStatus, QueueStatus
from plenary_contracts.errors import Conflict, FeatureDisabled, NotFound
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.ids import new_id
from plenary_kit.testing.flags import put_flag

from .conftest import OTHER_TENANT, TENANT, eventually

ticket = tables.queue_ticket.c


@pytest.fixture
async def queue(checkin):
    await checkin.flags(FlagKey.KIOSK_MODE, tenant=TENANT)
    return checkin


async def both_tenants_in_kiosk_mode(checkin) -> None:
    """The flag on for the other tenant too, so its refusals are the data's, not the flag's."""
    await put_flag(checkin.nc, FlagKey.KIOSK_MODE, tenants=(TENANT, OTHER_TENANT))
    on = FlagContext(tenant_id=OTHER_TENANT)
    await eventually(lambda: checkin.runtime.flags.is_enabled(FlagKey.KIOSK_MODE, on))


async def _join(checkin, participant, priority: int = 0, *, tenant: str = TENANT) -> contract.QueueTicket:
    body = {"eventId": participant.event_id, "participantId": participant.id, "priority": priority}
    return await checkin.call(contract.JOIN_QUEUE, body, tenant=tenant)


async def _call_next(checkin, event_id: str, counter: int = 1) -> contract.QueueTicket | None:
    called = await checkin.call(contract.CALL_NEXT, {"eventId": event_id, "counterNumber": counter})
    return called.ticket


async def _set(checkin, ticket_id: str, **values) -> None:
    await checkin.execute(sa.update(tables.queue_ticket).where(ticket.id == ticket_id).values(**values))


# --- joining --------------------------------------------------------------------------------------


async def test_tickets_are_numbered_per_day_in_the_events_timezone_and_day_two_restarts_at_a001(queue):
    zone = "Pacific/Kiritimati"  # UTC+14: its calendar day differs from UTC's for 14 hours of every day
    event = await queue.seed_event(timezone=zone)
    ada, bob, cyd = [await queue.register(event) for _ in range(3)]

    first, second = await _join(queue, ada), await _join(queue, bob)
    today = datetime.now(ZoneInfo(zone)).date()
    assert (first.ticket_number, second.ticket_number) == ("A001", "A002")
    assert first.ticket_date == second.ticket_date == today
    assert (first.status, first.estimated_wait, second.estimated_wait) == (QueueStatus.WAITING, 0, 5)

    # yesterday's tickets (A001, A002) stay in the table; today's numbering starts again beside them
    for held in (first, second):
        await _set(queue, held.id, ticket_date=today - timedelta(days=1), joined_at=held.joined_at - timedelta(days=1))
    await queue.call(contract.CANCEL_TICKET, {"id": first.id})
    day_two = await _join(queue, cyd)
    assert (day_two.ticket_number, day_two.ticket_date) == ("A001", today)
    assert await queue.count(tables.queue_ticket, ticket.event_id == event.id, ticket.ticket_number == "A001") == 2
    (joined, *_) = await queue.events(contract.QUEUE_TICKET_JOINED)
    assert joined["ticket"]["ticketNumber"] == "A001" and joined["ticket"]["id"] == first.id


async def test_joins_at_the_same_moment_draw_consecutive_numbers(queue):
    event = await queue.seed_event()
    people = [await queue.register(event) for _ in range(12)]
    taken = await asyncio.gather(*(_join(queue, p) for p in people))
    assert sorted(t.ticket_number for t in taken) == [f"A{n:03d}" for n in range(1, 13)]


async def test_a_participant_holds_one_live_ticket_per_event(queue):
    event = await queue.seed_event()
    ada = await queue.register(event)
    held = await _join(queue, ada)
    for status in (QueueStatus.WAITING, QueueStatus.CALLED, QueueStatus.SERVING):
        await _set(queue, held.id, status=status)
        with pytest.raises(Conflict) as refused:
            await _join(queue, ada)
        assert refused.value.details == {"ticketId": held.id}
    await queue.call(contract.COMPLETE_TICKET, {"id": held.id})
    again = await _join(queue, ada)  # served: they may queue again, with the day's next number
    assert again.ticket_number == "A002"


async def test_joining_names_a_participant_and_an_event_of_the_callers_tenant(queue):
    event, elsewhere = await queue.seed_event(), await queue.seed_event()
    stranger_event = await queue.seed_event(tenant=OTHER_TENANT)
    ada = await queue.register(event)
    with pytest.raises(NotFound):  # a participant of another event
        await queue.call(contract.JOIN_QUEUE, {"eventId": elsewhere.id, "participantId": ada.id})
    with pytest.raises(NotFound):
        await queue.call(contract.JOIN_QUEUE, {"eventId": event.id, "participantId": new_id()})
    with pytest.raises(NotFound):  # the event exists, in another tenant
        await queue.call(contract.JOIN_QUEUE, {"eventId": stranger_event.id, "participantId": ada.id})
    assert await queue.count(tables.queue_ticket) == 0


# --- calling and serving --------------------------------------------------------------------------


async def test_the_next_ticket_is_the_highest_priority_then_the_earliest(queue):
    event = await queue.seed_event()
    people = [await queue.register(event) for _ in range(4)]
    taken = [await _join(queue, p, priority) for p, priority in zip(people, (0, 5, 0, 5), strict=True)]

    called = [await _call_next(queue, event.id, counter) for counter in (1, 2, 3, 1)]
    assert [c.id for c in called] == [taken[1].id, taken[3].id, taken[0].id, taken[2].id]
    assert [c.counter_number for c in called] == [1, 2, 3, 1]
    assert all(c.status is QueueStatus.CALLED and c.called_at is not None for c in called)
    assert await _call_next(queue, event.id) is None
    published = await queue.events(contract.QUEUE_TICKET_CALLED)
    assert [e["ticket"]["id"] for e in published] == [c.id for c in called]
    assert taken[3].estimated_wait == 5  # one ticket of priority ≥ 5 waited ahead of it


async def test_a_ticket_moves_only_along_its_states(queue):
    event = await queue.seed_event()
    ada, bob, cyd = [await queue.register(event) for _ in range(3)]
    waiting = await _join(queue, ada)
    with pytest.raises(Conflict):
        await queue.call(contract.START_SERVING, {"id": waiting.id})
    with pytest.raises(Conflict):
        await queue.call(contract.COMPLETE_TICKET, {"id": waiting.id})

    await _call_next(queue, event.id, 4)
    serving = await queue.call(contract.START_SERVING, {"id": waiting.id})
    assert (serving.status, serving.counter_number) == (QueueStatus.SERVING, 4) and serving.served_at is not None
    with pytest.raises(Conflict):
        await queue.call(contract.START_SERVING, {"id": waiting.id})
    done = await queue.call(contract.COMPLETE_TICKET, {"id": waiting.id})
    assert done.status is QueueStatus.COMPLETED and done.completed_at is not None
    for refused_after_end in (contract.COMPLETE_TICKET, contract.START_SERVING):
        with pytest.raises(Conflict):
            await queue.call(refused_after_end, {"id": waiting.id})
    with pytest.raises(Conflict):
        await queue.call(contract.CANCEL_TICKET, {"id": waiting.id})

    quick = await _join(queue, bob)  # completed straight from CALLED: a quick answer at the counter
    await _call_next(queue, event.id)
    assert (await queue.call(contract.COMPLETE_TICKET, {"id": quick.id})).status is QueueStatus.COMPLETED

    no_show = await _join(queue, cyd)
    await _call_next(queue, event.id)
    cancelled = await queue.call(contract.CANCEL_TICKET, {"id": no_show.id, "noShow": True})
    assert cancelled.status is QueueStatus.CANCELLED
    with pytest.raises(Conflict):
        await queue.call(contract.CANCEL_TICKET, {"id": no_show.id})
    updates = await queue.events(contract.QUEUE_TICKET_UPDATED)
    assert [u["ticket"]["status"] for u in updates] == ["SERVING", "COMPLETED", "COMPLETED", "CANCELLED"]
    assert await queue.call(contract.GET_TICKET, {"id": no_show.id}) == cancelled


async def test_another_tenants_tickets_and_queues_are_not_found(queue):
    await both_tenants_in_kiosk_mode(queue)
    event = await queue.seed_event()
    held = await _join(queue, await queue.register(event))
    for spec in (contract.GET_TICKET, contract.START_SERVING, contract.COMPLETE_TICKET, contract.CANCEL_TICKET):
        with pytest.raises(NotFound):
            await queue.call(spec, {"id": held.id}, tenant=OTHER_TENANT)
    for spec, body in (
        (contract.CALL_NEXT, {"eventId": event.id, "counterNumber": 1}),
        (contract.QUEUE_STATUS, {"eventId": event.id}),
        (contract.ESTIMATE_WAIT, {"eventId": event.id}),
    ):
        with pytest.raises(NotFound):
            await queue.call(spec, body, tenant=OTHER_TENANT)
    assert (await queue.call(contract.GET_TICKET, {"id": held.id})).status is QueueStatus.WAITING


async def test_the_queue_is_off_without_kiosk_mode(checkin):
    event = await checkin.seed_event()
    ada = await checkin.register(event)
    with pytest.raises(FeatureDisabled):
        await _join(checkin, ada)
    with pytest.raises(FeatureDisabled):
        await checkin.call(contract.QUEUE_STATUS, {"eventId": event.id})


# --- the board and the estimate -------------------------------------------------------------------


async def test_the_board_shows_counters_the_next_five_the_waiting_count_and_todays_mean_wait(queue):
    event = await queue.seed_event(timezone="America/New_York")
    people = [await queue.register(event) for _ in range(9)]
    taken = [await _join(queue, p) for p in people]
    empty = await queue.call(contract.QUEUE_STATUS, {"eventId": event.id})
    assert (empty.now_serving, empty.waiting_count, empty.average_wait_minutes) == ([], 9, None)

    at_two, at_one = await _call_next(queue, event.id, 2), await _call_next(queue, event.id, 1)
    await queue.call(contract.START_SERVING, {"id": at_one.id})
    # two served today: joined 10 and 20 minutes before their service started, served for 4 and 6 minutes
    now = datetime.now(UTC)
    for held, waited, served in ((taken[7], 10, 4), (taken[8], 20, 6)):
        started = now - timedelta(minutes=served)
        await _set(
            queue,
            held.id,
            status=QueueStatus.COMPLETED,
            joined_at=started - timedelta(minutes=waited),
            called_at=started,
            served_at=started,
            completed_at=now,
            counter_number=3,
        )

    board = await queue.call(contract.QUEUE_STATUS, {"eventId": event.id})
    assert [(t.id, t.counter_number, t.status) for t in board.now_serving] == [
        (at_one.id, 1, QueueStatus.SERVING),
        (at_two.id, 2, QueueStatus.CALLED),
    ]
    assert [t.id for t in board.next_up] == [t.id for t in taken[2:7]]
    assert board.waiting_count == 5
    assert board.average_wait_minutes == pytest.approx(15.0)

    estimate = await queue.call(contract.ESTIMATE_WAIT, {"eventId": event.id})
    assert (estimate.ahead, estimate.minutes) == (5, 25)  # 5 waiting, 5 minutes of mean service each
    await _set(queue, taken[6].id, priority=9)
    urgent = await queue.call(contract.ESTIMATE_WAIT, {"eventId": event.id, "priority": 9})
    assert (urgent.ahead, urgent.minutes) == (1, 5)


async def test_the_day_mean_ignores_other_days_and_the_estimate_starts_at_five_minutes(queue):
    event = await queue.seed_event()
    ada, bob = await queue.register(event), await queue.register(event)
    old = await _join(queue, ada)
    yesterday = old.ticket_date - timedelta(days=1)
    now = datetime.now(UTC)
    await _set(
        queue,
        old.id,
        ticket_date=yesterday,
        status=QueueStatus.COMPLETED,
        joined_at=now - timedelta(days=1, minutes=90),
        served_at=now - timedelta(days=1, minutes=30),
        completed_at=now - timedelta(days=1),
    )
    await _join(queue, bob)
    board = await queue.call(contract.QUEUE_STATUS, {"eventId": event.id})
    assert (board.waiting_count, board.average_wait_minutes) == (1, None)
    estimate = await queue.call(contract.ESTIMATE_WAIT, {"eventId": event.id})
    assert (estimate.ahead, estimate.minutes) == (1, 5)


# --- two counters at once -------------------------------------------------------------------------


async def test_two_counters_calling_at_once_never_get_the_same_ticket(queue):
    event = await queue.seed_event()
    # 200 participants straight into the read model (the registration events' path is tested elsewhere)
    now = datetime.now(UTC)
    people = [new_id() for _ in range(200)]
    await queue.execute(
        sa.insert(tables.participant),
        [
            {
                "id": pid,
                "tenant_id": TENANT,
                "event_id": event.id,
                "registration_code": f"REG-{pid[-8:]}",
                "first_name": "Visitor",
                "last_name": str(n),
                "status": ParticipantStatus.APPROVED,
                "source_updated_at": now,
            }
            for n, pid in enumerate(people)
        ],
    )
    joining = asyncio.Semaphore(8)  # several at once, as at a few kiosks, without queueing 200 behind one lock

    async def join(pid: str) -> contract.QueueTicket:
        async with joining:
            return await queue.call(contract.JOIN_QUEUE, {"eventId": event.id, "participantId": pid})

    joined = await asyncio.gather(*(join(pid) for pid in people))
    assert sorted(t.ticket_number for t in joined) == [f"A{n:03d}" for n in range(1, 201)]

    async def counter(number: int) -> list[str]:
        called = []
        for _ in range(200):
            got = await _call_next(queue, event.id, number)
            if got is not None:
                assert got.counter_number == number
                called.append(got.id)
        return called

    first, second = await asyncio.gather(counter(1), counter(2))
    everyone = first + second
    assert len(everyone) == len(set(everyone)) == 200
    assert set(everyone) == {t.id for t in joined}
    assert first and second  # both counters were served, not one then the other
    rows = (await queue.execute(sa.select(ticket.id, ticket.counter_number, ticket.status))).all()
    by_counter = {row.id: row.counter_number for row in rows}
    assert all(row.status is QueueStatus.CALLED for row in rows)
    assert all(by_counter[i] == 1 for i in first) and all(by_counter[i] == 2 for i in second)
    assert len(await queue.events(contract.QUEUE_TICKET_CALLED)) == 200
