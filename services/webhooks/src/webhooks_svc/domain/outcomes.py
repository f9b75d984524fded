"""What an attempt's outcome makes of its delivery.

A 2xx delivers. 410 Gone dead-letters the delivery and disables the subscription (the endpoint says it is
gone for good; its other deliveries wait for someone to resume it). Any other answer, a redirect included
(redirects are not followed), is an HTTP error; no answer at all (refused destination, DNS, connection,
TLS, timeout) is a network error. Both are retried on the schedule until the last attempt, which makes a dead
letter.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from plenary_contracts.enums import DeliveryStatus, WebhookErrorType

from .retries import next_retry

GONE = 410


@dataclass(frozen=True)
class Outcome:
    status_code: int | None  # None: no HTTP answer
    latency_ms: int
    error: str | None = None  # why there was no answer
    retry_after: timedelta | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Settled:
    status: DeliveryStatus
    attempts: int
    next_retry_at: datetime | None = None
    error_type: WebhookErrorType | None = None
    error_message: str | None = None
    gone: bool = False  # the subscription is to be disabled


def settle(
    outcome: Outcome, attempts_before: int, max_attempts: int, schedule: Sequence[int], now: datetime
) -> Settled:
    attempts = attempts_before + 1
    if outcome.ok:
        return Settled(DeliveryStatus.DELIVERED, attempts)
    if outcome.status_code is None:
        error_type, message = WebhookErrorType.NETWORK_ERROR, outcome.error or "no answer"
    else:
        error_type, message = WebhookErrorType.HTTP_ERROR, f"HTTP {outcome.status_code}"
    if outcome.status_code == GONE:
        return Settled(DeliveryStatus.DEAD_LETTER, attempts, None, error_type, message, gone=True)
    retry_at = next_retry(attempts, schedule, now, outcome.retry_after) if attempts < max_attempts else None
    if retry_at is None:
        return Settled(DeliveryStatus.DEAD_LETTER, attempts, None, error_type, message)
    return Settled(DeliveryStatus.RETRYING, attempts, retry_at, error_type, message)
