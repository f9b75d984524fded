"""checkin: the kiosk queue of an event: tickets A001... per day in the event's timezone, priority higher first."""

from datetime import date, datetime

from pydantic import Field

from ...enums import QueueStatus
from ...fields import Id
from ...model import Model
from ._common import _KIOSKS, _NOT_FOUND, _STATE_ERRORS, _WRITE_ERRORS, _cmd, _event, _qry, _route


class QueueTicket(Model):
    id: str
    tenant_id: str
    event_id: str
    participant_id: str
    ticket_number: str
    ticket_date: date
    counter_number: int | None = None
    status: QueueStatus
    priority: int
    estimated_wait: int | None = Field(None, description="Minutes, estimated when the ticket was taken.")
    joined_at: datetime
    called_at: datetime | None = None
    served_at: datetime | None = None
    completed_at: datetime | None = None


class JoinQueue(Model):
    event_id: Id
    participant_id: Id
    priority: int = Field(0, ge=0, le=100)


class CallNext(Model):
    event_id: Id
    counter_number: int = Field(ge=1, le=999)


class CalledTicket(Model):
    ticket: QueueTicket | None = Field(None, description="None when nobody waits.")


class TicketRef(Model):
    id: Id


class CancelTicket(Model):
    id: Id
    no_show: bool = False


class QueueStatusQuery(Model):
    event_id: Id


class QueueBoard(Model):
    now_serving: list[QueueTicket] = Field(description="CALLED or SERVING, by counter.")
    next_up: list[QueueTicket] = Field(description="The next 5 to be called.")
    waiting_count: int
    average_wait_minutes: float | None = Field(None, description="Mean of served minus joined over today's completed.")


class EstimateWait(Model):
    event_id: Id
    priority: int = Field(0, ge=0, le=100)


class WaitEstimate(Model):
    ahead: int
    minutes: int


class QueueTicketChanged(Model):
    ticket: QueueTicket


# --- domain events -------------------------------------------------------------------------------

QUEUE_TICKET_JOINED = _event("queue_ticket", "joined", QueueTicketChanged, "A ticket was taken.")
QUEUE_TICKET_CALLED = _event("queue_ticket", "called", QueueTicketChanged, "A ticket was called to a counter.")
QUEUE_TICKET_UPDATED = _event("queue_ticket", "updated", QueueTicketChanged, "Serving started, completed or cancelled.")

# --- operations ----------------------------------------------------------------------------------

JOIN_QUEUE = _cmd(
    "join_queue", JoinQueue, QueueTicket, "Take a ticket for a participant (numbered per event and day).",
    errors=_WRITE_ERRORS, **_KIOSKS, http=_route("POST", "/events/{eventId}/queue", "Join the queue", "queue", 201),
)  # fmt: skip
CALL_NEXT = _cmd(
    "call_next", CallNext, CalledTicket, "Call the next waiting ticket (priority, then arrival) to a counter.",
    errors=_NOT_FOUND, **_KIOSKS,
    http=_route("POST", "/events/{eventId}/queue/call-next", "Call the next ticket", "queue"),
)  # fmt: skip
START_SERVING = _cmd(
    "start_serving", TicketRef, QueueTicket, "A called ticket is being served.",
    errors=_STATE_ERRORS, **_KIOSKS, http=_route("POST", "/queue-tickets/{id}/start", "Start serving", "queue"),
)  # fmt: skip
COMPLETE_TICKET = _cmd(
    "complete_ticket", TicketRef, QueueTicket, "A ticket was served.",
    errors=_STATE_ERRORS, **_KIOSKS, http=_route("POST", "/queue-tickets/{id}/complete", "Complete a ticket", "queue"),
)  # fmt: skip
CANCEL_TICKET = _cmd(
    "cancel_ticket", CancelTicket, QueueTicket, "Cancel a ticket, or mark a no-show.",
    errors=_STATE_ERRORS, **_KIOSKS, http=_route("POST", "/queue-tickets/{id}/cancel", "Cancel a ticket", "queue"),
)  # fmt: skip
GET_TICKET = _qry(
    "get_ticket", TicketRef, QueueTicket, "One ticket.",
    errors=_NOT_FOUND, **_KIOSKS, http=_route("GET", "/queue-tickets/{id}", "Get a ticket", "queue"),
)  # fmt: skip
QUEUE_STATUS = _qry(
    "queue_status", QueueStatusQuery, QueueBoard, "The status board: now serving, next 5, waiting, average wait.",
    errors=_NOT_FOUND, **_KIOSKS, http=_route("GET", "/events/{eventId}/queue", "Queue status board", "queue"),
)  # fmt: skip
ESTIMATE_WAIT = _qry(
    "estimate_wait", EstimateWait, WaitEstimate, "Minutes a new ticket of this priority would wait.",
    errors=_NOT_FOUND, **_KIOSKS, http=_route("GET", "/events/{eventId}/queue/estimate", "Estimate the wait", "queue"),
)  # fmt: skip
