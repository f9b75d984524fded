"""Unit of work: a state change, its events (outbox) and its inbox mark commit together.

A query's unit of work only reads: it runs on a plain connection (no ORM session) in the driver's
autocommit, so no BEGIN and no ROLLBACK travel to the server. Under READ COMMITTED each statement of a
transaction takes its own snapshot anyway, so its reads see what they would have seen in one.
"""

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from types import TracebackType
from typing import Any, Self
from uuid import UUID

import psycopg
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_contracts.streams import lane_subject

from .. import context as ctx
from ..personal_keys import PersonKeys, PersonKeysUnavailable, sealed_by_type
from .messaging import MessagingTables
from .raw import SAVEPOINT, begin_is_deferred, defer, driver_connection, withdraw


def _table(table: sa.Table) -> str:
    return f'"{table.schema}"."{table.name}"'


class ReadOnlyUnitOfWork(RuntimeError):
    """A query tried to change something: it has no transaction to commit its change and events with."""


class UnitOfWork:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        *,
        read_only: bool = False,
        person_keys: PersonKeys | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.tables = tables
        self.read_only = read_only
        self.person_keys = person_keys  # seals the personal data of the events this unit records
        self._pending: list[tuple[str, CloudEvent]] = []
        self._after_commit: list[Callable[[], None]] = []
        self._before_commit: list[Callable[[], Awaitable[None]]] = []

    def for_reading(self) -> Self:
        """This unit of work, made one that only reads (call before entering it)."""
        self.read_only = True
        return self

    async def __aenter__(self) -> Self:
        if self.read_only:
            # A plain pooled connection: a query needs none of a Session's bookkeeping, which cost more than the
            # query's own round trip. Repositories call the same ``execute``, ``scalar`` and ``stream`` on it.
            self.session = await self._session_factory.kw["bind"].connect()  # type: ignore[assignment]
        else:
            self.session = self._session_factory()
            await self.session.begin()
        self._pending = []
        self._after_commit = []
        self._before_commit = []
        return self

    def _refuse_if_read_only(self, what: str) -> None:
        if self.read_only:
            raise ReadOnlyUnitOfWork(f"a query's unit of work cannot {what}")

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.read_only and self.session.in_transaction():
            await self.session.rollback()
        await self.session.close()  # a query's connection: back to the pool, with nothing sent

    def publish(self, spec: EventSpec, payload: BaseModel, *, subject: str | None = None) -> CloudEvent:
        """Record an event to publish once this unit commits; tenant, actor and ids come from context."""
        self._refuse_if_read_only("publish an event")
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
            lane=context.lane,
            data=payload.model_dump(mode="json"),
        )
        self._pending.append((lane_subject(spec.subject, context.lane), event))
        return event

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this unit has committed, never if it rolls back (or the savepoint or checkpoint
        around the call does): how a use case wakes a local worker for the rows it wrote."""
        self._refuse_if_read_only("act after a commit")
        self._after_commit.append(callback)

    def before_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Await ``callback`` in this unit's transaction just before it commits (dropped like ``after_commit`` when
        the block around the call rolls back): how a consumer writes what a whole batch accumulated at once."""
        self._refuse_if_read_only("act before a commit")
        self._before_commit.append(callback)

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction: when the block raises, its writes and the events it recorded both go."""
        self._refuse_if_read_only("open a savepoint")
        mark, callbacks, before = len(self._pending), len(self._after_commit), len(self._before_commit)
        nested = await self.session.begin_nested()
        try:
            yield
        except BaseException:
            await nested.rollback()
            del self._pending[mark:]
            del self._after_commit[callbacks:]
            del self._before_commit[before:]
            raise
        await nested.commit()

    @contextlib.asynccontextmanager
    async def checkpoint(self) -> AsyncIterator[None]:
        """``savepoint`` for a block that writes with Core statements only (no ORM objects), at the cost of at
        most one round trip and none of the session's bookkeeping: when the block raises, the database goes
        back to it and the events the block recorded go. The transaction's end releases it.

        The SAVEPOINT is sent just before the block's first statement (``deferred_savepoint``), so a block
        that reads and writes nothing, like a consumer's handler for an event it ignores, costs no round
        trip. A block that reaches the driver's connection itself takes it through ``driver_connection``."""
        self._refuse_if_read_only("open a savepoint")
        mark, callbacks, before = len(self._pending), len(self._after_commit), len(self._before_commit)
        connection = await self.session.connection()
        defer(connection.info, SAVEPOINT)
        try:
            yield
        except BaseException:
            if not withdraw(connection.info, SAVEPOINT):  # sent: the block ran a statement
                await connection.exec_driver_sql("ROLLBACK TO SAVEPOINT uow_checkpoint")  # the latest of that name
            del self._pending[mark:]
            del self._after_commit[callbacks:]
            del self._before_commit[before:]
            raise
        withdraw(connection.info, SAVEPOINT)

    async def claim(self, consumer: str, event_id: UUID, event_type: str) -> bool:
        """Mark an event as handled by ``consumer``; False when it already was (ack and move on)."""
        return event_id in await self.claim_many(consumer, [(event_id, event_type)])

    async def limit_lock_waits(self, milliseconds: int) -> None:
        """Fail a statement that waits longer than this for a lock, for the rest of this unit of work."""
        self._refuse_if_read_only("limit lock waits")
        defer((await self.session.connection()).info, f"SET LOCAL lock_timeout = {int(milliseconds)}")

    async def claim_many(self, consumer: str, events: Sequence[tuple[UUID, str]]) -> set[UUID]:
        """Mark a batch of events as handled by ``consumer`` in one statement; returns the ids that were new."""
        self._refuse_if_read_only("claim an event")
        unique = dict(events)  # an event delivered twice in one batch is claimed once
        if not unique:
            return set()
        inbox = self.tables.inbox
        # unnest: one statement text whatever the batch size, so it is compiled and prepared once
        result = await self.session.execute(
            sa.text(
                f"INSERT INTO {_table(inbox)} (consumer, event_id, event_type)"
                " SELECT :consumer, id, type FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[])) AS e(id, type)"
                " ON CONFLICT DO NOTHING RETURNING event_id"
            ),
            {"consumer": consumer, "ids": list(unique), "types": list(unique.values())},
        )
        return set(result.scalars())

    async def unclaim(self, consumer: str, event_id: UUID) -> None:
        """Take back a claim made in this unit of work: the event was not handled, and comes again."""
        self._refuse_if_read_only("unclaim an event")
        inbox = self.tables.inbox
        await self.session.execute(sa.delete(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id))

    async def forget_stored_replies(self, tenant_id: str, mentioning: Collection[str | None]) -> int:
        """Delete the tenant's stored command replies (kept to answer a retry with the same Idempotency-Key)
        whose JSON mentions any of ``mentioning`` (ids, an e-mail: in any case); how many went. A reply can
        hold a copy of a person's data, so erasing a person forgets them; a retry afterwards runs again."""
        self._refuse_if_read_only("forget stored replies")
        wanted = sorted({needle.lower() for needle in mentioning if needle})
        if not wanted:
            return 0
        replies = self.tables.idempotency
        text = sa.func.lower(sa.cast(replies.c.reply, sa.Text))
        deleted = await self.session.execute(
            sa.delete(replies)
            .where(replies.c.tenant_id == tenant_id, sa.or_(*(sa.func.strpos(text, needle) > 0 for needle in wanted)))
            .returning(replies.c.key)
        )
        return len(deleted.all())

    async def commit(self) -> None:
        self._refuse_if_read_only("commit")
        before, self._before_commit = self._before_commit, []
        for callback in before:
            await callback()
        if self._pending:
            await self._seal_personal_data()
            await self.session.flush()  # ORM changes go in before the COMMIT that travels with the events
            await self._record_outbox_and_commit()
        await self.session.commit()  # the bookkeeping: the driver finds no transaction left and sends nothing
        self._pending = []
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    async def _seal_personal_data(self) -> None:
        """Seal the personal values of the recorded events with their persons' keys, all keys in one go."""
        events = [event for _, event in self._pending]
        if self.person_keys is None:
            if any(sealed_by_type(event.type) for event in events):
                raise PersonKeysUnavailable("an event with personal data needs the person key store to be recorded")
            return
        await self.person_keys.seal(events)

    async def _record_outbox_and_commit(self) -> None:
        """Insert the pending events, wake the relay and commit, in one round trip.

        One query text of two statements (simple query protocol, values bound by the driver): the insert
        with its NOTIFY, then COMMIT. If the insert fails, the server skips the COMMIT and the transaction
        is left to roll back. The events travel as one JSON text (``[[subject, envelope], ...]``): an array
        parameter of JSON texts costs the driver an escaping pass over every envelope. ``created_at`` steps
        by a microsecond per event, so the relay, which publishes in ``created_at`` order, keeps the order
        in which this unit recorded them. A data-modifying WITH runs to completion whatever the outer query
        reads: every row is inserted, one NOTIFY is sent."""
        rows = ",".join(f"[{json.dumps(subject)},{event.model_dump_json()}]" for subject, event in self._pending)
        # A unit that has sent nothing yet (its BEGIN deferred) needs no transaction block: the insert is it.
        alone = begin_is_deferred((await self.session.connection()).info)
        driver = await driver_connection(self.session)
        async with psycopg.AsyncClientCursor(driver) as cursor:
            await cursor.execute(
                f"WITH inserted AS (INSERT INTO {_table(self.tables.outbox)} (id, subject, envelope, created_at)"
                " SELECT (e.row->1->>'id')::uuid, e.row->>0, e.row->1, now() + (e.n - 1) * interval '1 microsecond'"
                " FROM jsonb_array_elements(%(rows)s::jsonb) WITH ORDINALITY AS e(row, n) RETURNING 1)"
                " SELECT pg_notify(%(channel)s, '') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_row"
                + ("" if alone else "; COMMIT"),
                {"rows": f"[{rows}]", "channel": self.tables.notify_channel},
            )

    async def rollback(self) -> None:
        await self.session.rollback()
        self._pending = []
        self._after_commit = []
        self._before_commit = []


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
