"""Who handled an event, asked of every running service at once (see ``plenary_contracts.inbox_trace``).

Every ``Runtime`` answers ``INBOX_TRACE_SUBJECT`` with its inbox rows for the event id, in its service's queue
group (the inbox is the service's, whichever replica reads it). ``gather_inbox_rows`` scatters one request and
gathers the answers until every service answered or the deadline passed: a service not running, or too slow,
is missing from the answers, never an error.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from uuid import UUID

import sqlalchemy as sa
from nats.aio.client import Client
from nats.aio.msg import Msg
from sqlalchemy.ext.asyncio import AsyncEngine

from plenary_contracts.inbox_trace import INBOX_TRACE_SUBJECT, HandledBy, InboxTraceReply, InboxTraceRequest

from ..db.messaging import MessagingTables

DEADLINE_SECONDS = 0.5


def inbox_trace_responder(
    service: str, engine: AsyncEngine, messaging: MessagingTables
) -> Callable[[dict[str, str] | None, bytes], Awaitable[bytes]]:
    inbox = messaging.inbox

    async def respond(headers: dict[str, str] | None, body: bytes) -> bytes:
        event_id = InboxTraceRequest.model_validate_json(body).event_id
        query = (
            sa.select(inbox.c.consumer, inbox.c.event_type, inbox.c.received_at)
            .where(inbox.c.event_id == event_id)
            .order_by(inbox.c.received_at)
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        handled = [
            HandledBy(service=service, consumer=r.consumer, event_type=r.event_type, received_at=r.received_at)
            for r in rows
        ]
        return InboxTraceReply(service=service, handled=handled).model_dump_json().encode()

    return respond


async def gather_inbox_rows(
    nc: Client, event_id: UUID, *, expected: int, deadline: float = DEADLINE_SECONDS
) -> list[InboxTraceReply]:
    """The answers of the services that answered within ``deadline`` (at most ``expected`` of them)."""
    replies: list[InboxTraceReply] = []
    everyone = asyncio.Event()

    async def collect(msg: Msg) -> None:
        with contextlib.suppress(ValueError):
            replies.append(InboxTraceReply.model_validate_json(msg.data))
        if len(replies) >= expected:
            everyone.set()

    inbox = nc.new_inbox()
    subscription = await nc.subscribe(inbox, cb=collect)
    try:
        await nc.publish(
            INBOX_TRACE_SUBJECT, InboxTraceRequest(event_id=event_id).model_dump_json().encode(), reply=inbox
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everyone.wait(), deadline)
    finally:
        await subscription.unsubscribe()
    return sorted(replies, key=lambda reply: reply.service)
