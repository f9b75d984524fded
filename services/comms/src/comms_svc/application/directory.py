"""What other services' events keep here, so an audience is resolved and a message rendered from local rows.

- registration's participants (names, e-mail, status, type, extras, registration time): an update older than
  the held one is ignored; a deletion drops the participant and the deliveries addressed to it; a merge
  re-points the merged participants' deliveries to the survivor (one that would reach the survivor twice for
  the same broadcast and channel is dropped).
- the events service's events (name, start, timezone) and participant types (names); a deleted event's
  broadcasts stay as history, no longer naming it.
- identity's users (e-mail): an in-app broadcast finds the user by address, a platform notice e-mails them;
  a deleted user's notifications go.
- a new tenant gets the system templates; a deleted tenant's rows all go.

Redelivered events are dropped by the consumer's inbox before they reach these use cases.
"""

from plenary_contracts.catalog import events, identity, registration, workflow
from plenary_kit.db import UnitOfWork, same_tenant

from ..adapters import broadcast_repository as broadcasts
from ..adapters import directory_repository as read_model
from . import system_templates


async def participant_changed(uow: UnitOfWork, tenant_id: str | None, payload: registration.ParticipantChanged) -> None:
    record = payload.participant
    if same_tenant(tenant_id, record.tenant_id, "participant", record.id):
        await read_model.upsert_participant(uow.session, record)


async def status_changed(uow: UnitOfWork, tenant_id: str | None, payload: workflow.ParticipantActed) -> None:
    """Workflow's decision: an audience filtered on status (the approved) follows it."""
    if tenant_id is not None:
        await read_model.mirror_status(uow.session, tenant_id, payload.participant_id, payload.status, payload.version)


async def participant_deleted(uow: UnitOfWork, tenant_id: str | None, payload: registration.ParticipantDeleted) -> None:
    if tenant_id is not None:
        await read_model.delete_participant(uow.session, tenant_id, payload.participant_id)


async def participants_merged(uow: UnitOfWork, tenant_id: str | None, payload: registration.ParticipantMerged) -> None:
    merged = [pid for pid in payload.merged_ids if pid != payload.survivor_id]
    if tenant_id is not None and merged:
        await read_model.merge_participants(uow.session, tenant_id, payload.survivor_id, merged)


async def event_changed(uow: UnitOfWork, tenant_id: str | None, payload: events.EventChanged) -> None:
    record = payload.event
    if same_tenant(tenant_id, record.tenant_id, "event", record.id):
        await read_model.upsert_event(uow.session, record)


async def event_deleted(uow: UnitOfWork, tenant_id: str | None, payload: events.EventDeleted) -> None:
    if tenant_id is not None:
        await read_model.delete_event(uow.session, tenant_id, payload.event_id)
        await broadcasts.forget_event(uow.session, tenant_id, payload.event_id)


async def participant_type_changed(
    uow: UnitOfWork, tenant_id: str | None, payload: events.ParticipantTypeChanged
) -> None:
    record = payload.participant_type
    if same_tenant(tenant_id, record.tenant_id, "participant type", record.id):
        await read_model.upsert_participant_type(uow.session, record)


async def participant_type_deleted(
    uow: UnitOfWork, tenant_id: str | None, payload: events.ParticipantTypeChanged
) -> None:
    if tenant_id is not None:
        await read_model.delete_participant_type(uow.session, tenant_id, payload.participant_type.id)


async def user_changed(uow: UnitOfWork, tenant_id: str | None, payload: identity.UserChanged) -> None:
    await read_model.upsert_user(uow.session, payload.user)


async def user_deleted(uow: UnitOfWork, tenant_id: str | None, payload: identity.UserDeleted) -> None:
    await read_model.delete_user(uow.session, payload.user_id)


async def tenant_created(uow: UnitOfWork, tenant_id: str) -> None:
    await system_templates.ensure(uow.session, tenant_id)


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await read_model.purge(uow.session, tenant_id)
