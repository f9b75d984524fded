"""Retry-with-delay and dead letters for JetStream consumers.

A failure is transient unless it says otherwise: it is nak'ed with an exponential delay, so a bug
or an outage gets ``max_deliver`` chances. A permanent failure (``is_permanent``: a payload that will
never parse, an unknown event version, a typed refusal such as NotFound or Conflict), or a transient
one on the last allowed delivery, is copied to ``dlq.<service>.<durable>`` with its error and terminated.
"""

import json
import traceback
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from faststream import BaseMiddleware
from faststream.exceptions import NackMessage, RejectMessage
from pydantic import ValidationError

from plenary_contracts import streams
from plenary_contracts.errors import HTTP_STATUS, ErrorCode, PlenaryError

from ..logging import get_logger
from ..metrics import DEAD_LETTERS

log = get_logger(__name__)


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


def _jetstream_metadata(msg: Any) -> Any | None:
    raw = getattr(msg, "raw_message", None)
    if raw is None or not getattr(raw, "reply", None) or not str(raw.reply).startswith("$JS.ACK"):
        return None
    return raw.metadata


class RetryMiddleware(BaseMiddleware):
    def __init__(
        self,
        msg: Any,
        /,
        *,
        context: Any,
        service: str,
        consumers: Mapping[str, streams.ConsumerSpec],
        publish: Callable[..., Any],
        base: float,
        cap: float,
    ) -> None:
        super().__init__(msg, context=context)
        self.service = service
        self.consumers = consumers
        self.publish = publish
        self.base = base
        self.cap = cap

    async def consume_scope(self, call_next: Any, msg: Any) -> Any:
        metadata = _jetstream_metadata(msg)
        if metadata is None:
            return await call_next(msg)
        try:
            return await call_next(msg)
        except (NackMessage, RejectMessage):
            raise
        except Exception as error:
            durable = metadata.consumer
            deliveries = metadata.num_delivered
            permanent = is_permanent(error)
            if permanent or deliveries >= self._max_deliver(durable):
                await self._dead_letter(msg, durable, deliveries, error)
                DEAD_LETTERS.labels(durable).inc()
                log.error(
                    "message dead-lettered",
                    consumer=durable,
                    deliveries=deliveries,
                    permanent=permanent,
                    error=repr(error),
                )
                raise RejectMessage() from error
            delay = retry_delay(deliveries, self.base, self.cap)
            log.warning(
                "message failed, retrying",
                consumer=durable,
                deliveries=deliveries,
                delay=delay,
                error=repr(error),
            )
            raise NackMessage(delay=delay) from error

    def _max_deliver(self, durable: str) -> int:
        spec = self.consumers.get(durable)
        return spec.max_deliver if spec else 1

    async def _dead_letter(self, msg: Any, durable: str, deliveries: int, error: Exception) -> None:
        raw = msg.raw_message
        headers = dict(raw.headers or {})
        headers.pop("Nats-Msg-Id", None)
        headers[streams.DEAD_LETTER_ERROR] = "".join(traceback.format_exception_only(error)).strip()[:2000]
        headers[streams.DEAD_LETTER_CONSUMER] = durable
        headers[streams.DEAD_LETTER_DELIVERIES] = str(deliveries)
        headers[streams.DEAD_LETTER_SUBJECT] = raw.subject
        await self.publish(streams.dead_letter_subject(self.service, durable), raw.data, headers)


def retry_middleware(
    service: str,
    consumers: Mapping[str, streams.ConsumerSpec],
    publish: Callable[..., Any],
    base: float,
    cap: float,
) -> Callable[..., Any]:
    return partial(RetryMiddleware, service=service, consumers=consumers, publish=publish, base=base, cap=cap)
