"""The outbox relay: publishes committed events to JetStream, then marks them published.

It takes unpublished rows with ``FOR UPDATE SKIP LOCKED`` (replicas share the work; a late commit is
never skipped, as it would be by tailing ids), publishes each with ``Nats-Msg-Id`` and a timeout,
and marks it on PubAck; a duplicate ack counts as success. LISTEN/NOTIFY wakes it, a poll is the
safety net. A crash between publish and mark republishes the event, and JetStream drops the copy.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import psycopg
import sqlalchemy as sa
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from plenary_contracts.envelope import CloudEvent

from .db.messaging import MessagingTables
from .logging import get_logger
from .metrics import OUTBOX_OLDEST_SECONDS, OUTBOX_PUBLISHED
from .settings import libpq_url

log = get_logger(__name__)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        database_url: str,
        tables: MessagingTables,
        js: JetStreamContext,
        *,
        batch_size: int = 100,
        poll_seconds: float = 1.0,
        publish_timeout: float = 5.0,
        after_publish: Callable[[CloudEvent], Awaitable[None]] | None = None,
    ) -> None:
        self.engine = engine
        self.database_url = database_url
        self.tables = tables
        self.js = js
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.publish_timeout = publish_timeout
        self.after_publish = after_publish
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
                    sa.select(outbox.c.id, outbox.c.subject, outbox.c.envelope, outbox.c.created_at)
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
            done = []
            for row in rows:
                event = CloudEvent.model_validate(row.envelope)
                try:
                    await self.js.publish(
                        row.subject,
                        event.to_nats_payload(),
                        timeout=self.publish_timeout,
                        headers=event.to_nats_headers(),
                    )
                except Exception as error:
                    await conn.execute(
                        sa.update(outbox)
                        .where(outbox.c.id == row.id)
                        .values(attempts=outbox.c.attempts + 1, last_error=repr(error)[:1000])
                    )
                    log.warning("outbox publish failed", event_id=str(row.id), error=repr(error))
                    break
                if self.after_publish is not None:
                    await self.after_publish(event)
                done.append(row.id)
            if done:
                await conn.execute(sa.update(outbox).where(outbox.c.id.in_(done)).values(published_at=sa.func.now()))
                OUTBOX_PUBLISHED.labels(self.tables.schema).inc(len(done))
            return len(done)

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
