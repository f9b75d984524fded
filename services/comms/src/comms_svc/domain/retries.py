"""What a failed delivery attempt leads to: again in 1 minute, then in 5 minutes, then FAILED (3 attempts).

A permanent failure (a refused address, a message too long for its channel) is FAILED at once: sending it
again would fail the same way.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from plenary_contracts.enums import MessageStatus

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5))


@dataclass(frozen=True)
class AfterFailure:
    status: MessageStatus
    retry_count: int
    next_retry_at: datetime | None


def after_failure(
    retry_count: int, now: datetime, *, permanent: bool = False, delays: tuple[timedelta, ...] = RETRY_DELAYS
) -> AfterFailure:
    """``retry_count``: the retries made before this attempt (0 for the first attempt)."""
    if permanent or retry_count >= len(delays):
        return AfterFailure(MessageStatus.FAILED, retry_count, None)
    return AfterFailure(MessageStatus.QUEUED, retry_count + 1, now + delays[retry_count])
