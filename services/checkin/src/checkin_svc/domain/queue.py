"""The kiosk queue's numbering and estimates.

Tickets are numbered per event and per day in the event's timezone: ``A001`` is the first of the day, and
day two starts again at ``A001`` without colliding with day one's (the day is part of the ticket's key).
Past 999 the number simply grows (``A1000``) rather than wrapping onto a ticket still in the queue.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from plenary_contracts.enums import QueueStatus

PREFIX = "A"
DEFAULT_SERVICE_MINUTES = 5.0
NEXT_UP = 5  # how many waiting tickets the status board shows

# A live ticket still holds its place: a participant has at most one per event.
LIVE = frozenset({QueueStatus.WAITING, QueueStatus.CALLED, QueueStatus.SERVING})
ENDED = frozenset({QueueStatus.COMPLETED, QueueStatus.CANCELLED})


def ticket_day(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def ticket_number(position: int) -> str:
    """The ticket of the ``position``-th person to join today (1-based)."""
    if position < 1:
        raise ValueError("positions start at 1")
    return f"{PREFIX}{position:03d}"


def estimate_wait_minutes(ahead: int, average_service_minutes: float | None) -> int:
    """Minutes until a new ticket is called: the tickets waiting ahead of it (same or higher priority) times
    today's average service time, 5 minutes until today has one."""
    per_ticket = DEFAULT_SERVICE_MINUTES if average_service_minutes is None else average_service_minutes
    return round(ahead * per_ticket)


def may_start_serving(status: QueueStatus) -> bool:
    """Serving starts only at the counter the ticket was called to: a waiting ticket is called first."""
    return status is QueueStatus.CALLED


def may_complete(status: QueueStatus) -> bool:
    """A called ticket may be completed without a recorded start of service (a quick answer at the counter)."""
    return status in (QueueStatus.CALLED, QueueStatus.SERVING)


def may_cancel(status: QueueStatus) -> bool:
    """Cancelling (the person left, or a no-show when called) ends any live ticket; an ended one stays as it is."""
    return status not in ENDED
