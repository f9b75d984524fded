"""An event's queue: tickets ``A001``… per event and day in the event's timezone, called to counters by
priority (higher first) then arrival, served, completed or cancelled; a status board and a wait estimate.

Staff work the queue (``kiosk:manage``); a kiosk takes tickets for the visitors of its own event through
``take``. Every ticket's change is published, so a display or a notifier can follow the queue.
"""

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import QueueStatus
from plenary_contracts.errors import Conflict, NotFound
from plenary_contracts.events import EventSpec
from plenary_kit.acting import require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import queue_repository as tickets
from ..domain.queue import (
    estimate_wait_minutes,
    may_cancel,
    may_complete,
    may_start_serving,
    ticket_day,
    ticket_number,
)

MANAGE = contract.JOIN_QUEUE.permission


async def _timezone(uow: UnitOfWork, tenant_id: str, event_id: str) -> str:
    timezone = await tickets.event_timezone(uow.session, tenant_id, event_id)
    if timezone is None:
        raise NotFound(f"event {event_id} not found")
    return timezone


def _publish(uow: UnitOfWork, spec: EventSpec, ticket: contract.QueueTicket) -> contract.QueueTicket:
    uow.publish(spec, contract.QueueTicketChanged(ticket=ticket), subject=ticket.id)
    return ticket


class Queue:
    """The queue's operations, as the bus serves them."""

    async def take(
        self, uow: UnitOfWork, tenant_id: str, event_id: str, participant_id: str, priority: int
    ) -> contract.QueueTicket:
        """A ticket for a participant of the event, numbered after the day's last one. Joins of one event and
        day are serialised (the numbering lock), so two at once never draw one number, and the check that the
        person holds no live ticket yet cannot pass for both of two joins of theirs."""
        timezone = await _timezone(uow, tenant_id, event_id)
        if not await tickets.participant_in_event(uow.session, tenant_id, event_id, participant_id):
            raise NotFound(f"participant {participant_id} not found in event {event_id}")
        now = utcnow()
        day = ticket_day(now, timezone)
        # the estimate is read before the lock: the lock holds only what must not interleave
        ahead = await tickets.waiting_ahead(uow.session, tenant_id, event_id, priority)
        averages = await tickets.day_averages(uow.session, tenant_id, event_id, day)
        await tickets.lock_numbering(uow.session, tenant_id, event_id, day)
        held = await tickets.live_ticket(uow.session, tenant_id, event_id, participant_id)
        if held is not None:
            raise Conflict("this participant already holds a ticket in the event's queue", details={"ticketId": held})
        ticket = await tickets.insert_ticket(
            uow.session,
            {
                "id": new_id(),
                "tenant_id": tenant_id,
                "event_id": event_id,
                "participant_id": participant_id,
                "ticket_number": ticket_number(await tickets.next_position(uow.session, tenant_id, event_id, day)),
                "ticket_date": day,
                "status": QueueStatus.WAITING,
                "priority": priority,
                "estimated_wait": estimate_wait_minutes(ahead, averages.service_minutes),
                "joined_at": now,
            },
        )
        return _publish(uow, contract.QUEUE_TICKET_JOINED, ticket)

    async def join(self, request: contract.JoinQueue, uow: UnitOfWork) -> contract.QueueTicket:
        return await self.take(uow, tenant(), request.event_id, request.participant_id, request.priority)

    async def call_next(self, request: contract.CallNext, uow: UnitOfWork) -> contract.CalledTicket:
        tenant_id = tenant()
        await _timezone(uow, tenant_id, request.event_id)
        called = await tickets.call_next(uow.session, tenant_id, request.event_id, request.counter_number, utcnow())
        if called is None:
            return contract.CalledTicket(ticket=None)
        return contract.CalledTicket(ticket=_publish(uow, contract.QUEUE_TICKET_CALLED, called))

    async def _locked(self, uow: UnitOfWork, ticket_id: str) -> contract.QueueTicket:
        ticket = await tickets.get_ticket(uow.session, tenant(), ticket_id, for_update=True)
        if ticket is None:
            raise NotFound(f"ticket {ticket_id} not found")
        require_grant(MANAGE, ticket.event_id)  # type: ignore[arg-type]
        return ticket

    async def start_serving(self, request: contract.TicketRef, uow: UnitOfWork) -> contract.QueueTicket:
        ticket = await self._locked(uow, request.id)
        if not may_start_serving(ticket.status):
            raise Conflict(f"only a called ticket can be served; this one is {ticket.status.value}")
        served = await tickets.update_ticket(
            uow.session, ticket.id, {"status": QueueStatus.SERVING, "served_at": utcnow()}
        )
        return _publish(uow, contract.QUEUE_TICKET_UPDATED, served)

    async def complete(self, request: contract.TicketRef, uow: UnitOfWork) -> contract.QueueTicket:
        ticket = await self._locked(uow, request.id)
        if not may_complete(ticket.status):
            raise Conflict(f"only a called or served ticket can be completed; this one is {ticket.status.value}")
        values = {"status": QueueStatus.COMPLETED, "completed_at": utcnow()}
        return _publish(uow, contract.QUEUE_TICKET_UPDATED, await tickets.update_ticket(uow.session, ticket.id, values))

    async def cancel(self, request: contract.CancelTicket, uow: UnitOfWork) -> contract.QueueTicket:
        """Cancel a ticket, or mark its holder a no-show when called: either way it leaves the queue."""
        ticket = await self._locked(uow, request.id)
        if not may_cancel(ticket.status):
            raise Conflict(f"the ticket has ended already; it is {ticket.status.value}")
        values = {"status": QueueStatus.CANCELLED}  # completedAt stays empty: it was not served
        return _publish(uow, contract.QUEUE_TICKET_UPDATED, await tickets.update_ticket(uow.session, ticket.id, values))

    async def get(self, request: contract.TicketRef, uow: UnitOfWork) -> contract.QueueTicket:
        ticket = await tickets.get_ticket(uow.session, tenant(), request.id)
        if ticket is None:
            raise NotFound(f"ticket {request.id} not found")
        require_grant(MANAGE, ticket.event_id)  # type: ignore[arg-type]
        return ticket

    async def status(self, request: contract.QueueStatusQuery, uow: UnitOfWork) -> contract.QueueBoard:
        """The board a display polls: who is at which counter, the next five, how many wait, and today's mean
        wait (joined → service started) over today's completed tickets."""
        tenant_id = tenant()
        timezone = await _timezone(uow, tenant_id, request.event_id)
        serving = await tickets.now_serving(uow.session, tenant_id, request.event_id)
        upcoming, waiting = await tickets.next_up(uow.session, tenant_id, request.event_id)
        today = ticket_day(utcnow(), timezone)
        averages = await tickets.day_averages(uow.session, tenant_id, request.event_id, today)
        return contract.QueueBoard(
            now_serving=serving, next_up=upcoming, waiting_count=waiting, average_wait_minutes=averages.wait_minutes
        )

    async def estimate(self, request: contract.EstimateWait, uow: UnitOfWork) -> contract.WaitEstimate:
        """What a ticket of this priority taken now would wait: the waiting tickets of the same or a higher
        priority times today's mean service time (5 minutes until today has one)."""
        tenant_id = tenant()
        timezone = await _timezone(uow, tenant_id, request.event_id)
        ahead = await tickets.waiting_ahead(uow.session, tenant_id, request.event_id, request.priority)
        averages = await tickets.day_averages(uow.session, tenant_id, request.event_id, ticket_day(utcnow(), timezone))
        return contract.WaitEstimate(ahead=ahead, minutes=estimate_wait_minutes(ahead, averages.service_minutes))
