"""Retry-with-delay and dead letters for JetStream consumers.

A failure is transient unless it says otherwise: it is nak'ed with an exponential delay, so a bug
or an outage gets ``max_deliver`` chances. A permanent failure (``is_permanent``: a payload that will
never parse, an unknown event version, a typed refusal such as NotFound or Conflict), or a transient
one on the last allowed delivery, is copied to ``dlq.<service>.<durable>`` with its error and terminated.
"""

import json
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.aio.msg import Msg
from pydantic import ValidationError

from plenary_contracts import streams
from plenary_contracts.errors import HTTP_STATUS, ErrorCode, PlenaryError

from ..logging import get_logger
from ..metrics import DEAD_LETTERS

log = get_logger(__name__)

PublishDeadLetter = Callable[[str, bytes, dict[str, str]], Awaitable[None]]


class PermanentError(Exception):
    """Raise from a consumer for failures that no retry will cure."""


# Typed errors that will answer the same on every retry: the caller's mistake, not the moment's.
# Throttling, timeouts, an unavailable service and internal errors (5xx) may pass; they are retried.
REFUSALS = frozenset(code for code, status in HTTP_STATUS.items() if 400 <= status < 500) - {ErrorCode.RATE_LIMITED}


def is_permanent(error: BaseException) -> bool:
    """Whether no retry can cure ``error``. A bare ``KeyError`` or ``ValueError`` is a bug to retry, not a verdict."""
    if isinstance(error, PlenaryError):
        return error.code in REFUSALS
    return isinstance(error, PermanentError | ValidationError | json.JSONDecodeError)


def retry_delay(deliveries: int, base: float, cap: float) -> float:
    return float(min(cap, base * 2 ** max(0, deliveries - 1)))


def should_dead_letter(error: BaseException, deliveries: int, max_deliver: int) -> bool:
    """A permanent failure goes at once; a transient one once it has used its last delivery."""
    return is_permanent(error) or deliveries >= max_deliver


def dead_letter_headers(
    headers: dict[str, str] | None, subject: str, durable: str, deliveries: int, error: BaseException
) -> dict[str, str]:
    """The failed message's headers plus why it failed; without ``Nats-Msg-Id``, so the copy is never deduplicated."""
    copied = dict(headers or {})
    copied.pop("Nats-Msg-Id", None)
    copied[streams.DEAD_LETTER_ERROR] = "".join(traceback.format_exception_only(error)).strip()[:2000]
    copied[streams.DEAD_LETTER_CONSUMER] = durable
    copied[streams.DEAD_LETTER_DELIVERIES] = str(deliveries)
    copied[streams.DEAD_LETTER_SUBJECT] = subject
    return copied


@dataclass(frozen=True)
class RetryPolicy:
    """What a consumer does with a message that failed: nak it with a delay, or dead-letter and terminate it."""

    service: str
    publish: PublishDeadLetter
    base: float
    cap: float

    async def settle_failure(self, msg: Msg, consumer: streams.ConsumerSpec, error: BaseException) -> None:
        deliveries = msg.metadata.num_delivered
        if should_dead_letter(error, deliveries, consumer.max_deliver):
            headers = dead_letter_headers(msg.headers, msg.subject, consumer.durable, deliveries, error)
            try:
                await self.publish(streams.dead_letter_subject(self.service, consumer.durable), msg.data, headers)
            except Exception as publishing:
                # Never terminate a message whose copy was not kept: it comes back and is tried again.
                log.warning("dead letter not published", consumer=consumer.durable, error=repr(publishing))
                await msg.nak(delay=retry_delay(deliveries, self.base, self.cap))
                return
            await msg.term()
            DEAD_LETTERS.labels(consumer.durable).inc()
            log.error(
                "message dead-lettered",
                consumer=consumer.durable,
                deliveries=deliveries,
                permanent=is_permanent(error),
                error=repr(error),
            )
            return
        delay = retry_delay(deliveries, self.base, self.cap)
        log.warning(
            "message failed, retrying", consumer=consumer.durable, deliveries=deliveries, delay=delay, error=repr(error)
        )
        await msg.nak(delay=delay)
