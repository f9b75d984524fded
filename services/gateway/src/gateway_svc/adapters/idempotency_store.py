"""Idempotency records in a NATS KV bucket, claimed with create (first wins) and finished by revision."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.js.errors import BadRequestError, KeyNotFoundError, KeyWrongLastSequenceError

from plenary_contracts.errors import Conflict, IdempotencyKeyReused
from plenary_contracts.streams import IDEMPOTENCY_BUCKET
from plenary_kit.logging import get_logger

from ..domain.idempotency import Decision, Record, decide, storable
from .kv import Buckets

log = get_logger(__name__)

_MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Claim:
    """This request runs; ``finish`` stores its response (or frees the key)."""

    key: str
    revision: int
    record: Record


@dataclass(frozen=True)
class Replay:
    record: Record


class InFlight(Conflict):
    """The first request with this key has not finished yet."""


class IdempotencyStore:
    def __init__(
        self, buckets: Buckets, bucket: str = IDEMPOTENCY_BUCKET.name, clock: Callable[[], float] = time.time
    ) -> None:
        self._buckets = buckets
        self._bucket = bucket
        self._clock = clock

    async def begin(self, key: str, fingerprint: str, timeout_seconds: float) -> Claim | Replay:
        kv = await self._buckets.get(self._bucket)
        mine = Record(fingerprint, self._clock())
        for _ in range(_MAX_ATTEMPTS):
            try:
                return Claim(key, await kv.create(key, mine.to_bytes()), mine)
            except KeyWrongLastSequenceError:
                pass
            try:
                entry = await kv.get(key)
            except KeyNotFoundError:
                continue  # finished and freed meanwhile: try to claim again
            decision = decide(Record.from_bytes(entry.value or b""), fingerprint, self._clock(), timeout_seconds)
            if decision is Decision.REUSED:
                raise IdempotencyKeyReused("this Idempotency-Key was already used with a different request")
            if decision is Decision.REPLAY:
                record = Record.from_bytes(entry.value or b"")
                assert record is not None
                return Replay(record)
            if decision is Decision.IN_FLIGHT:
                raise InFlight("a request with this Idempotency-Key is still in progress")
            try:
                return Claim(key, await kv.update(key, mine.to_bytes(), last=entry.revision), mine)
            except KeyWrongLastSequenceError:
                continue
        raise InFlight("a request with this Idempotency-Key is still in progress")

    async def finish(self, claim: Claim, status: int, body: str | None, headers: dict[str, str]) -> None:
        """Keep the response for replays, or free the key when the response says "try again"."""
        kv = await self._buckets.get(self._bucket)
        try:
            if storable(status):
                done = claim.record.completed_with(status, body, headers)
                await kv.update(claim.key, done.to_bytes(), last=claim.revision)
            else:
                await kv.delete(claim.key, last=claim.revision)
        except BadRequestError:  # a wrong last revision; delete does not name it
            log.warning("idempotency record was taken over before this request finished", key=claim.key)

    async def abandon(self, claim: Claim) -> None:
        kv = await self._buckets.get(self._bucket)
        try:
            await kv.delete(claim.key, last=claim.revision)
        except BadRequestError:
            log.warning("idempotency record was taken over before this request gave up", key=claim.key)
