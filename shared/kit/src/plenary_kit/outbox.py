"""The outbox relay: publishes committed events to JetStream, then marks them published.

It claims a batch of unpublished rows in ``created_at`` order with ``FOR UPDATE SKIP LOCKED`` (replicas
share the work; a late commit is never skipped, as it would be by tailing ids), sends every publish of
the batch at once with ``Nats-Msg-Id`` and gathers the PubAcks in order (a duplicate ack counts as
success), then marks the published prefix in one UPDATE: a failure leaves that event and every later one
for the next pass, so order is kept. LISTEN/NOTIFY wakes it, a poll is the safety net. A crash between
publish and mark republishes the events, and JetStream drops the copies.

``after_publish`` runs for each published event once its PubAck is in. A hook that sees every event
runs before the next event is even sent (one publish at a time); given the event types it cares
about, the batch stays pipelined and the hook runs for those events after the batch's acks.
"""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from nats.js import JetStreamContext
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from plenary_contracts.envelope import CloudEvent, nats_headers

from .db.messaging import MessagingTables
from .logging import get_logger
from .metrics import OUTBOX_OLDEST_SECONDS, OUTBOX_PUBLISHED
from .settings import libpq_url

log = get_logger(__name__)

# An envelope goes out as stored, never rebuilt as a model: its attributes become headers, its data the payload.
_ATTRIBUTES = sa.literal_column("envelope - 'data'", JSONB).label("attributes")
_DATA = sa.literal_column("(envelope -> 'data')::text", sa.Text).label("data")


def _event_of(row: Row) -> CloudEvent:
    return CloudEvent.model_validate({**row.attributes, "data": json.loads(row.data)})


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        database_url: str,
        tables: MessagingTables,
        js: JetStreamContext,
        *,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        publish_timeout: float = 5.0,
        after_publish: Callable[[CloudEvent], Awaitable[None]] | None = None,
        after_publish_types: Collection[str] | None = None,
    ) -> None:
        self.engine = engine
        self.database_url = database_url
        self.tables = tables
        self.js = js
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.publish_timeout = publish_timeout
        self.after_publish = after_publish
        self.after_publish_types = None if after_publish_types is None else frozenset(after_publish_types)
        self._wake = asyncio.Event()

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen())
        try:
            while True:
                try:
                    published = await self.relay_once()
                except Exception as error:
                    log.warning("outbox relay pass failed", error=repr(error))
                    published = 0
                if published == self.batch_size:
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows it marked published."""
        outbox = self.tables.outbox
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    sa.select(outbox.c.id, outbox.c.subject, _ATTRIBUTES, _DATA, outbox.c.created_at)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.created_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if rows:
                OUTBOX_OLDEST_SECONDS.labels(self.tables.schema).set(
                    (datetime.now(UTC) - rows[0].created_at).total_seconds()
                )
            else:
                OUTBOX_OLDEST_SECONDS.labels(self.tables.schema).set(0)
            published = await self._publish(conn, rows)
            if published:
                ids = [row.id for row in rows[:published]]
                marked = outbox.c.id == sa.any_(sa.cast(sa.bindparam("ids"), ARRAY(UUID(as_uuid=True))))
                await conn.execute(sa.update(outbox).where(marked).values(published_at=sa.func.now()), {"ids": ids})
                OUTBOX_PUBLISHED.labels(self.tables.schema).inc(published)
            return published

    async def _publish(self, conn: AsyncConnection, rows: Sequence[Row]) -> int:
        """Publish ``rows`` in order; returns the length of the prefix JetStream acknowledged."""
        window = 1 if self.after_publish is not None and self.after_publish_types is None else max(1, len(rows))
        published = 0
        for start in range(0, len(rows), window):
            sending = rows[start : start + window]
            acked = await self._publish_window(conn, sending)
            if self.after_publish is not None:
                for row in sending[:acked]:
                    if self.after_publish_types is None or row.attributes["type"] in self.after_publish_types:
                        await self.after_publish(_event_of(row))
            published += acked
            if acked < len(sending):
                break
        return published

    async def _publish_window(self, conn: AsyncConnection, rows: Sequence[Row]) -> int:
        """Send every publish, then wait for the acks; returns how many in a row were acknowledged."""
        acks: list[asyncio.Future[Any]] = []
        error: BaseException | None = None
        try:
            for row in rows:
                acks.append(
                    await self.js.publish_async(row.subject, row.data.encode(), headers=nats_headers(row.attributes))
                )
        except Exception as sending:
            error = sending
        if acks:
            await asyncio.wait(acks, timeout=self.publish_timeout)
        acked = 0
        for ack in acks:
            if not ack.done():
                error = TimeoutError(f"no PubAck within {self.publish_timeout}s")
                break
            if ack.exception() is not None:
                error = ack.exception()
                break
            acked += 1
        for ack in acks[acked:]:
            ack.cancel()
        if error is not None:
            outbox = self.tables.outbox
            failed = rows[acked]
            await conn.execute(
                sa.update(outbox)
                .where(outbox.c.id == failed.id)
                .values(attempts=outbox.c.attempts + 1, last_error=repr(error)[:1000])
            )
            log.warning("outbox publish failed", event_id=str(failed.id), error=repr(error))
        return acked

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(libpq_url(self.database_url), autocommit=True) as conn:
                    await conn.execute(f'LISTEN "{self.tables.notify_channel}"')
                    self._wake.set()
                    async for _ in conn.notifies():
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("outbox listener lost its connection", error=repr(error))
                await asyncio.sleep(self.poll_seconds)
