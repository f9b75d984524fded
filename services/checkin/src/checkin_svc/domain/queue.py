"""The kiosk queue's numbering and estimates.

Tickets are numbered per event and per day in the event's timezone: ``A001`` is the first of the day, and
day two starts again at ``A001`` without colliding with day one's (the day is part of the ticket's key).
Past 999 the number simply grows (``A1000``) rather than wrapping onto a ticket still in the queue.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

PREFIX = "A"
DEFAULT_SERVICE_MINUTES = 5.0


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
