"""When a failed delivery is tried again, and when it is given up (dead letter).

A delivery is tried at once, then after each step of its subscription's schedule (by default 5 s, 5 min,
30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about 27 hours); when the last one fails it is a dead
letter. An answer's ``Retry-After`` (seconds or an HTTP date) is honoured when it asks for longer than the
schedule, up to a day.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

DEFAULT_SCHEDULE_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_RETRY_AFTER = timedelta(days=1)


def max_attempts(schedule: Sequence[int]) -> int:
    return len(schedule) + 1


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """The wait a ``Retry-After`` header asks for; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(timedelta(seconds=int(text)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)


def next_retry(
    attempts_made: int, schedule: Sequence[int], now: datetime, asked: timedelta | None = None
) -> datetime | None:
    """When to try again after ``attempts_made`` attempts all failed; None: no retry is left (dead letter)."""
    if attempts_made < 1 or attempts_made > len(schedule):
        return None
    wait = timedelta(seconds=schedule[attempts_made - 1])
    if asked is not None and asked > wait:
        wait = asked
    return now + wait
