"""What other services' events keep here, so a scan decides from local rows and asks nobody.

- registration's participants (type, code, names, e-mail, status): an update older than the held one is
  ignored; a deletion keeps the participant's scans (no longer naming anyone) and drops its tickets; a merge
  moves the merged participants' scans, tickets and kiosk sessions to the survivor.
- workflow's status decisions, ordered by their ``version``: a rejection answers REVOKED at the gate. A
  decision about a participant not held yet is dropped: registration's event brings the participant with
  registration's own status, which follows workflow's.
- the events service's events (end and timezone); a deleted event takes every check-in row of it along.

Redelivered events are dropped by the consumer's inbox before they reach these use cases.
"""

from plenary_contracts.catalog import events, registration, workflow
from plenary_contracts.errors import NotFound
from plenary_kit.db import UnitOfWork, same_tenant
from plenary_kit.logging import get_logger

from ..adapters import directory_repository as read_model

log = get_logger(__name__)


async def known_event(uow: UnitOfWork, tenant_id: str, event_id: str) -> read_model.HeldEvent:
    """The tenant's event as checkin holds it (end, timezone): how an operation checks the event it names.
    404 when checkin has not heard of it in this tenant (unknown, deleted, another tenant's)."""
    found = await read_model.get_event(uow.session, tenant_id, event_id)
    if found is None:
        raise NotFound(f"event {event_id} not found")
    return found


async def participant_changed(uow: UnitOfWork, tenant_id: str | None, payload: registration.ParticipantChanged) -> None:
    record = payload.participant
    if same_tenant(tenant_id, record.tenant_id, "participant", record.id):
        await read_model.upsert_participant(uow.session, record)


async def participant_deleted(uow: UnitOfWork, tenant_id: str | None, payload: registration.ParticipantDeleted) -> None:
    if tenant_id is None:
        log.warning("participant deletion without a tenant; ignored", participant_id=payload.participant_id)
        return
    await read_model.delete_participant(uow.session, tenant_id, payload.participant_id)


async def participants_merged(uow: UnitOfWork, tenant_id: str | None, payload: registration.ParticipantMerged) -> None:
    merged = [pid for pid in payload.merged_ids if pid != payload.survivor_id]
    if tenant_id is None or not merged:
        return
    await read_model.merge_participants(uow.session, tenant_id, payload.survivor_id, merged)


async def status_changed(uow: UnitOfWork, tenant_id: str | None, payload: workflow.ParticipantActed) -> None:
    if tenant_id is None:
        log.warning("status change without a tenant; ignored", participant_id=payload.participant_id)
        return
    await read_model.mirror_status(uow.session, tenant_id, payload.participant_id, payload.status, payload.version)


async def event_changed(uow: UnitOfWork, tenant_id: str | None, payload: events.EventChanged) -> None:
    record = payload.event
    if same_tenant(tenant_id, record.tenant_id, "event", record.id):
        await read_model.upsert_event(uow.session, record)


async def event_deleted(uow: UnitOfWork, tenant_id: str | None, payload: events.EventDeleted) -> None:
    """Every check-in row of the event goes in this transaction. The API keys of the event's scanners and
    kiosks, scoped to it alone, are revoked by identity, which consumes the same event."""
    if tenant_id is None:
        log.warning("event deletion without a tenant; ignored", event_id=payload.event_id)
        return
    await read_model.delete_event(uow.session, tenant_id, payload.event_id)
