"""The events service's events, participant types and fields as registration knows them: a read model
kept from its events, filled on a miss by asking the events service, and cached in each process."""

from collections.abc import Awaitable, Callable, Collection

from plenary_contracts.catalog import registration as contract
from plenary_contracts.catalog.events import (
    EventChanged,
    EventDeleted,
    EventSchema,
    FieldDefinitionChanged,
    ParticipantType,
    ParticipantTypeChanged,
)
from plenary_contracts.errors import NotFound
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import directory_repository as read_model
from ..adapters import participant_repository as participant_store
from ..adapters import screening_repository as screening_store
from ..adapters import waitlist_repository as waitlist_store
from ..domain.extras import CONVENTIONAL, FieldSpec, Rule
from .reference_cache import ReferenceCache

FetchSchema = Callable[[str, str], Awaitable[EventSchema | None]]  # (tenant_id, event_id)


class EventDirectory:
    def __init__(self, fetch: FetchSchema, cache: ReferenceCache | None = None) -> None:
        self.fetch = fetch
        self.cache = cache or ReferenceCache()

    async def schema(
        self,
        uow: UnitOfWork,
        tenant_id: str,
        event_id: str,
        *,
        type_ids: Collection[str] = (),
        field_names: Collection[str] = (),
    ) -> EventSchema:
        """The event (not deleted) with its participant types and effective Participant fields by sort
        order; NotFound when neither the read model nor the events service knows it.

        When the read model lacks a participant type or field the caller names, the events service is
        asked once more: a type created a moment ago may still be on its way here as an event.
        """
        cached: EventSchema | None = self.cache.get(tenant_id, ("schema", event_id))
        if cached is not None and not _lacks(cached, type_ids, field_names):
            return cached
        token = self.cache.token(tenant_id)
        known = await read_model.get_event(uow.session, tenant_id, event_id)
        if known is None:
            if not await self._refresh(uow, tenant_id, event_id):
                raise NotFound(f"event {event_id} not found")
            known = await read_model.get_event(uow.session, tenant_id, event_id)
        if known is None or known.deleted:
            raise NotFound(f"event {event_id} not found")
        held = await read_model.schema_held(uow.session, known.event)
        if _lacks(held, type_ids, field_names) and await self._refresh(uow, tenant_id, event_id):
            held = await read_model.schema_held(uow.session, known.event)
        self.cache.put(tenant_id, ("schema", event_id), held, token)
        return held

    async def scope(self, uow: UnitOfWork, schema: EventSchema) -> frozenset[str]:
        """The event and the tenant's live events whose dates overlap it: where its duplicates are looked for."""
        event = schema.event

        async def read() -> frozenset[str]:
            found = await read_model.overlapping_event_ids(
                uow.session, event.tenant_id, event.start_date, event.end_date
            )
            return frozenset({*found, event.id})

        return await self.cache.load(event.tenant_id, ("scope", event.id), read)

    async def _refresh(self, uow: UnitOfWork, tenant_id: str, event_id: str) -> bool:
        fetched = await self.fetch(tenant_id, event_id)
        if fetched is None or fetched.event.tenant_id != tenant_id:
            return False
        await read_model.store_schema(uow.session, fetched)
        self.cache.changed(uow, tenant_id)
        return True


def _lacks(schema: EventSchema, type_ids: Collection[str], field_names: Collection[str]) -> bool:
    types = {t.id for t in schema.participant_types}
    fields = {f.name for f in schema.field_definitions} | set(CONVENTIONAL)
    return any(t not in types for t in type_ids) or any(f not in fields for f in field_names)


def field_specs(schema: EventSchema) -> list[FieldSpec]:
    """The effective fields as the extras rules read them."""
    return [
        FieldSpec(
            name=f.name,
            label=f.label,
            data_type=f.data_type,
            required=f.is_required,
            unique=f.is_unique,
            options=tuple(option.value for option in f.config.options or ()),
            rules=tuple(Rule(r.rule, r.value, r.message) for r in f.validation),
            default=f.default_value,
        )
        for f in schema.field_definitions
    ]


def participant_type(schema: EventSchema, type_id: str) -> ParticipantType:
    for each in schema.participant_types:
        if each.id == type_id:
            return each
    raise NotFound(f"participant type {type_id} not found in event {schema.event.id}")


# --- kept from the events service's events -------------------------------------------------------


async def event_changed(uow: UnitOfWork, cache: ReferenceCache, payload: EventChanged) -> None:
    await read_model.upsert_event(uow.session, payload.event)
    cache.changed(uow, payload.event.tenant_id)


async def event_deleted(uow: UnitOfWork, cache: ReferenceCache, tenant_id: str, payload: EventDeleted) -> None:
    """The event and its participants go (soft). No event per participant: workflow handles the
    event's deletion itself. Its waitlist is cancelled, each entry announced (nobody waits for nothing)."""
    cache.changed(uow, tenant_id)
    now = utcnow()
    await read_model.delete_event(uow.session, tenant_id, payload.event_id, now)
    gone = await participant_store.soft_delete_of_event(uow.session, tenant_id, payload.event_id, now)
    await screening_store.delete_keys(uow.session, gone)
    for entry_id in await waitlist_store.cancel_event_entries(uow.session, tenant_id, payload.event_id, now):
        entry = await waitlist_store.load_entry(uow.session, entry_id)
        uow.publish(contract.WAITLIST_CANCELLED, contract.WaitlistChanged(entry=entry), subject=entry_id)


async def participant_type_changed(
    uow: UnitOfWork, cache: ReferenceCache, payload: ParticipantTypeChanged, *, deleted: bool
) -> None:
    await read_model.upsert_participant_type(
        uow.session, payload.participant_type, deleted_at=utcnow() if deleted else None
    )
    cache.changed(uow, payload.participant_type.tenant_id)


async def field_definition_changed(
    uow: UnitOfWork, cache: ReferenceCache, payload: FieldDefinitionChanged, *, deleted: bool
) -> None:
    await read_model.upsert_field_definition(
        uow.session, payload.field_definition, deleted_at=utcnow() if deleted else None
    )
    cache.changed(uow, payload.field_definition.tenant_id)
