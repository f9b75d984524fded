"""Unit of work: a state change, its events (outbox) and its inbox mark commit together."""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any, Self
from uuid import UUID

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec

from .. import context as ctx
from .messaging import MessagingTables


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], tables: MessagingTables) -> None:
        self._session_factory = session_factory
        self.tables = tables
        self._pending: list[tuple[str, CloudEvent]] = []

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        await self.session.begin()
        self._pending = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.session.in_transaction():
            await self.session.rollback()
        await self.session.close()

    def publish(self, spec: EventSpec, payload: BaseModel, *, subject: str | None = None) -> CloudEvent:
        """Record an event to publish once this unit commits; tenant, actor and ids come from context."""
        context = ctx.current()
        event = CloudEvent(
            source=spec.source,
            type=spec.type,
            subject=subject,
            dataschema=spec.dataschema,
            tenantid=context.tenant_id,
            actorid=context.actor_id,
            correlationid=context.correlation_id,
            causationid=context.causation_id,
            credential=context.credential,
            clientip=context.client_ip,
            useragent=context.user_agent,
            data=payload.model_dump(mode="json"),
        )
        self._pending.append((spec.subject, event))
        return event

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction: when the block raises, its writes and the events it recorded both go."""
        mark = len(self._pending)
        nested = await self.session.begin_nested()
        try:
            yield
        except BaseException:
            await nested.rollback()
            del self._pending[mark:]
            raise
        await nested.commit()

    async def claim(self, consumer: str, event_id: UUID, event_type: str) -> bool:
        """Mark an event as handled by ``consumer``; False when it already was (ack and move on)."""
        inbox = self.tables.inbox
        result = await self.session.execute(
            insert(inbox)
            .values(consumer=consumer, event_id=event_id, event_type=event_type)
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        return result.first() is not None

    async def commit(self) -> None:
        if self._pending:
            await self.session.execute(
                sa.insert(self.tables.outbox),
                [
                    {"id": event.id, "subject": subject, "envelope": event.model_dump(mode="json")}
                    for subject, event in self._pending
                ],
            )
            await self.session.execute(sa.select(sa.func.pg_notify(self.tables.notify_channel, "")))
        await self.session.commit()
        self._pending = []

    async def rollback(self) -> None:
        await self.session.rollback()
        self._pending = []


async def drain(
    new_uow: Callable[[], UnitOfWork], step: Callable[[UnitOfWork], Awaitable[Any]], limit: int = 1000
) -> int:
    """Run one due item per unit of work until none is due (or ``limit``); returns how many ran.

    The way timers work through due rows: each ``step`` claims one (``FOR UPDATE SKIP LOCKED``), acts and
    says whether it found one; every item commits on its own, so replicas share the work.
    """
    done = 0
    while done < limit:
        async with new_uow() as uow:
            if not await step(uow):
                return done
            await uow.commit()
        done += 1
    return done
