"""Index a fetched batch of stream messages: one entry per event of a tenant, one statement per batch."""

from plenary_contracts.catalog import identity
from plenary_kit.bus.consuming import StreamEvent
from plenary_kit.db.uow import UnitOfWork

from ..adapters import entry_repository
from ..domain.entries import Entry, entity_of


def entry_of(message: StreamEvent) -> Entry | None:
    """None for an event of no tenant (platform-wide work): no tenant's log shows it; none either for a tenant's
    deletion, which would otherwise outlive the cleanup it causes (nobody reads a deleted tenant's log)."""
    event = message.event
    if not event.tenantid or event.type == identity.TENANT_DELETED.type:
        return None
    return Entry(
        stream=message.stream,
        stream_seq=message.sequence,
        tenant_id=event.tenantid,
        occurred_at=event.time,
        type=event.type,
        entity_id=entity_of(event.subject, event.data),
        actor_id=event.actorid,
        event_id=event.id,
    )


async def index_batch(uow: UnitOfWork, messages: list[StreamEvent]) -> None:
    entries = [entry for message in messages if (entry := entry_of(message)) is not None]
    await entry_repository.add_many(uow.session, entries)
