"""A subscription's circuit breaker: an endpoint that keeps failing is left alone for a while.

- Closed: each failure counts; the 10th in a row opens the breaker for 1 hour (a trip).
- Open: nothing is sent before the reset time; the deliveries due meanwhile wait for it, none is lost.
- After the reset time one delivery goes alone as a probe. Its success closes the breaker and clears the
  failures and the trips; its failure opens the breaker again for 2 hours more, and counts as a trip.
- The third trip suspends the subscription: nothing more is sent until someone resumes it.
Any success closes the breaker and clears failures and trips.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

FAILURES_TO_OPEN = 10
FIRST_OPENING = timedelta(hours=1)
AFTER_FAILED_PROBE = timedelta(hours=2)
TRIPS_TO_SUSPEND = 3


class Gate(StrEnum):
    CLOSED = "closed"  # send
    OPEN = "open"  # wait for the reset time
    PROBE = "probe"  # send one, alone


@dataclass(frozen=True)
class Breaker:
    consecutive_failures: int = 0
    open: bool = False
    reset_at: datetime | None = None
    trips: int = 0

    def gate(self, now: datetime) -> Gate:
        if not self.open:
            return Gate.CLOSED
        if self.reset_at is not None and now < self.reset_at:
            return Gate.OPEN
        return Gate.PROBE


@dataclass(frozen=True)
class Change:
    """What one attempt's outcome did to the breaker."""

    breaker: Breaker
    opened: bool = False  # tripped now (the first opening or a failed probe)
    suspend: bool = False  # this trip was the third


def succeeded(breaker: Breaker) -> Change:
    return Change(Breaker())


def failed(breaker: Breaker, now: datetime) -> Change:
    failures = breaker.consecutive_failures + 1
    if breaker.open:
        if breaker.reset_at is not None and now < breaker.reset_at:
            return Change(replace(breaker, consecutive_failures=failures))  # an attempt already in flight
        return _trip(breaker, failures, now + AFTER_FAILED_PROBE)
    if failures >= FAILURES_TO_OPEN:
        return _trip(breaker, failures, now + FIRST_OPENING)
    return Change(replace(breaker, consecutive_failures=failures))


def _trip(breaker: Breaker, failures: int, reset_at: datetime) -> Change:
    trips = breaker.trips + 1
    opened = Breaker(consecutive_failures=failures, open=True, reset_at=reset_at, trips=trips)
    return Change(opened, opened=True, suspend=trips >= TRIPS_TO_SUSPEND)
