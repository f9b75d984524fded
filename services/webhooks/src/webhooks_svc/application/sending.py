"""One attempt of one delivery: the body and headers built, signed, POSTed through the kit's outbound client."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from plenary_kit.acting import utcnow
from plenary_kit.outbound import OutboundClient, OutboundError, OutboundResponse
from plenary_kit.sealing import Sealer

from ..adapters.delivery_repository import Due
from ..domain import signing
from ..domain.outcomes import Outcome
from ..domain.retries import retry_after

KEEP_BODY_BYTES = 1024


@dataclass(frozen=True)
class Sent:
    due: Due
    attempted_at: datetime
    outcome: Outcome
    response: OutboundResponse | None


class Sender:
    def __init__(self, client: OutboundClient, sealer: Sealer, clock: Callable[[], datetime] = utcnow) -> None:
        self.client = client
        self.sealer = sealer
        self.clock = clock
        self._opened: dict[str, str] = {}  # sealed → secret: unsealing costs more than signing

    def secret(self, sealed: str) -> str:
        found = self._opened.get(sealed)
        if found is None:
            if len(self._opened) > 10_000:
                self._opened.clear()
            found = self._opened[sealed] = self.sealer.unseal(sealed)
        return found

    def secrets(self, due: Due, now: datetime) -> list[str]:
        """The secrets signing now: the current one, and the previous one while it overlaps."""
        found = [self.secret(due.secret)]
        if due.previous_secret and due.previous_secret_expires_at and due.previous_secret_expires_at > now:
            found.append(self.secret(due.previous_secret))
        return found

    async def send(self, due: Due) -> Sent:
        now = self.clock()
        event_id = str(due.event_id)
        payload = signing.body(due.version, event_id, due.event_type, due.occurred_at, due.payload)
        headers = signing.headers(
            secrets=self.secrets(due, now),
            version=due.version,
            event_id=event_id,
            event_type=due.event_type,
            delivery_id=due.id,
            timestamp=int(now.timestamp()),
            payload=payload,
            custom=due.headers,
        )
        started = time.perf_counter()
        try:
            response = await self.client.post(due.url, payload, headers, timeout=due.timeout_ms / 1000)
        except OutboundError as error:
            elapsed = round((time.perf_counter() - started) * 1000)
            return Sent(due, now, Outcome(None, elapsed, error=str(error)[:1000]), None)
        asked = retry_after(response.headers.get("retry-after"), now)
        return Sent(due, now, Outcome(response.status, response.elapsed_ms, retry_after=asked), response)


def response_text(response: OutboundResponse | None) -> str | None:
    if response is None:
        return None
    return response.body[:KEEP_BODY_BYTES].decode("utf-8", errors="replace")
