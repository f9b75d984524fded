"""The tenant's log: entries from the index, each event read from its stream; and one event's trace."""

import asyncio

from plenary_contracts.catalog import audit as contract
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit.acting import field_error, refuse, tenant, utcnow
from plenary_kit.db.uow import UnitOfWork

from ..adapters import entry_repository
from ..adapters.handlers_client import HandlersClient
from ..adapters.stream_reader import StoredEvent, StreamReader
from ..adapters.webhooks_client import WebhooksClient
from ..domain.filters import LogFilter
from ..domain.window import Position, decode_cursor, encode_cursor, window


def _shown(event: StoredEvent) -> contract.AuditEvent:
    return contract.AuditEvent(
        stream=event.stream, sequence=event.sequence, subject=event.subject, event=event.envelope
    )


class AuditLog:
    def __init__(self, reader: StreamReader, handlers: HandlersClient, webhooks: WebhooksClient) -> None:
        self.reader = reader
        self.handlers = handlers
        self.webhooks = webhooks

    async def list_events(self, request: contract.ListAuditEvents, uow: UnitOfWork) -> contract.AuditEventPage:
        tenant_id = tenant()
        span = window(request.from_, request.to, utcnow())
        if isinstance(span, tuple):
            loc, message = span
            refuse("the time window is not valid", [field_error(["query", loc], message)])
        assert not isinstance(span, tuple)
        after = None
        if request.after is not None:
            after = decode_cursor(request.after)
            if after is None:
                raise BadRequest("after is not a cursor this log gave (pass a reply's nextCursor)")
        terms = LogFilter(
            tenant_id=tenant_id,
            window=span,
            types=tuple(request.types or ()),
            entity_id=request.entity_id,
            actor_id=request.actor_id,
            newest_first=request.order == "newest",
            after=after,
        )
        found = await entry_repository.page(uow.session, terms, request.limit + 1)
        more = len(found) > request.limit
        found = found[: request.limit]
        # The index and the envelope agree on the tenant; the check costs nothing and guards the log itself.
        events = [e for e in await self.reader.read(found) if e.tenant_id == tenant_id]
        cursor = None
        if more:
            last = found[-1]
            cursor = encode_cursor(Position(last.occurred_at, last.stream, last.stream_seq))
        return contract.AuditEventPage(
            data=[_shown(e) for e in events], next_cursor=cursor, from_=span.since, to=span.until
        )

    async def trace(self, request: contract.TraceRef, uow: UnitOfWork) -> contract.DeliveryTrace:
        tenant_id = tenant()
        entry = await entry_repository.find_event(uow.session, tenant_id, request.event_id)
        stored = await self.reader.read([entry]) if entry is not None else []
        if not stored or stored[0].tenant_id != tenant_id:
            raise NotFound("no event with this id in the tenant's log")
        replies, deliveries = await asyncio.gather(
            self.handlers.handled(request.event_id), self.webhooks.deliveries_of(request.event_id)
        )
        handled = sorted((row for reply in replies for row in reply.handled), key=lambda row: row.received_at)
        return contract.DeliveryTrace(
            event=_shown(stored[0]),
            handled=handled,
            answered=[reply.service for reply in replies],
            webhook_deliveries=deliveries,
        )
