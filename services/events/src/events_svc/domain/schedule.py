"""An event's place in time: its dates in order, its IANA timezone, and versions that always move."""

import zoneinfo
from datetime import datetime, timedelta
from functools import cache

# Files in the zone database that are not zones one would name an event's place by.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_TICK = timedelta(milliseconds=1)  # ETags are epoch milliseconds


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA timezone (``Europe/Paris``, ``UTC``), or None when it is one."""
    if name in _zones():
        return None
    return f"{name!r} is not an IANA timezone such as Europe/Paris or UTC"


def dates_problem(start: datetime, end: datetime) -> str | None:
    return "endDate must not be before startDate" if end < start else None


def next_version(previous: datetime, now: datetime) -> datetime:
    """The ``updated_at`` of a change: now, but always after the previous one as an ETag sees it, so two
    changes within one millisecond still tell apart."""
    return max(now, previous + _TICK)
