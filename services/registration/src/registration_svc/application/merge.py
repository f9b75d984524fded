"""Merging a duplicate into its survivor, in one transaction, and the history of merges.

Registration re-points its own rows (the waitlist entry, duplicate candidates); the services holding
other rows of the merged participant (workflow's approvals, branches and assignments; later check-in
and deliveries) re-point them on ``participant.merged``.
"""

from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import BadRequest, Conflict, NotFound
from plenary_kit.acting import actor, field_error, refuse, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import candidate_repository as candidates
from ..adapters import merge_repository as merges
from ..adapters import participant_repository as participant_store
from ..adapters.screening_repository import delete_keys, index_keys, person_of
from ..domain import merge as resolution
from .slots import CLOSED, slots_freed


def _mergeable(row: participant_store.StoredParticipant) -> resolution.Person:
    return resolution.Person(
        fields={attribute: getattr(row, attribute) for attribute in resolution.FIXED_FIELDS.values()},
        extras=dict(row.extras or {}),
    )


async def _lock_both(
    uow: UnitOfWork, tenant_id: str, survivor_id: str, merged_id: str
) -> tuple[participant_store.StoredParticipant, participant_store.StoredParticipant]:
    """Both live participants of the tenant, locked in id order so opposite merges cannot deadlock."""
    locked: dict[str, participant_store.StoredParticipant] = {}
    for pid in sorted((survivor_id, merged_id), key=str.encode):
        row = await participant_store.get(uow.session, tenant_id, pid, for_update=True)
        if row is None:
            raise NotFound(f"participant {pid} not found")
        locked[pid] = row
    return locked[survivor_id], locked[merged_id]


async def merge_participants(request: contract.MergeParticipants, uow: UnitOfWork) -> contract.MergeResult:
    if request.survivor_id == request.merged_id:
        raise BadRequest("a participant cannot be merged into itself")
    tenant_id = tenant()
    survivor, merged = await _lock_both(uow, tenant_id, request.survivor_id, request.merged_id)
    require_grant(contract.MERGE_PARTICIPANTS.permission, survivor.event_id)  # type: ignore[arg-type]
    if survivor.event_id != merged.event_id:
        raise BadRequest("only participants of the same event can be merged")
    if survivor.erased_at is not None or merged.erased_at is not None:
        raise Conflict("an erased participant cannot be merged: its data is gone")
    keeping, leaving = _mergeable(survivor), _mergeable(merged)
    refuse(
        "unknown fields in fieldResolution",
        (
            field_error(["fieldResolution", key], "neither a participant field nor an extras key of either participant")
            for key in resolution.unknown_fields(request.field_resolution, keeping, leaving)
        ),
    )
    changes = resolution.resolve(request.field_resolution, keeping, leaving)

    now, session = utcnow(), uow.session
    await participant_store.change(session, merged.id, {"deleted_at": now, "updated_at": now})
    await delete_keys(session, [merged.id])
    await participant_store.change(session, survivor.id, {**changes, "updated_at": now})
    repointed = await merges.move_waitlist_entry(session, survivor.id, merged.id)
    repointed += await merges.move_candidates(session, survivor.id, merged.id, now)
    await candidates.refresh_flag(session, survivor.id)

    updated = await participant_store.get(session, tenant_id, survivor.id)
    assert updated is not None  # locked and live
    await index_keys(
        session,
        participant_id=survivor.id,
        tenant_id=tenant_id,
        event_id=survivor.event_id,
        person=person_of(updated),
    )
    history = await merges.add_history(
        session,
        {
            "id": new_id(),
            "tenant_id": tenant_id,
            "surviving_id": survivor.id,
            "merged_id": merged.id,
            "field_resolution": dict(request.field_resolution),
            "approvals_migrated": repointed,
            "merged_by": actor(),
            "merged_at": now,
        },
    )

    record = participant_store.to_record(updated)
    uow.publish(contract.PARTICIPANT_UPDATED, contract.ParticipantChanged(participant=record), subject=survivor.id)
    uow.publish(
        contract.PARTICIPANT_MERGED,
        contract.ParticipantMerged(survivor_id=survivor.id, merged_ids=[merged.id], event_id=survivor.event_id),
        subject=survivor.id,
    )
    if merged.status not in CLOSED:
        slots_freed(uow, merged, "merged", survivor_id=survivor.id)
    return contract.MergeResult(survivor=participant_store.to_participant(updated), history=history)


async def list_merge_history(request: contract.ListMergeHistory, uow: UnitOfWork) -> contract.MergePage:
    found, meta = await merges.page(uow.session, tenant(), request)
    return contract.MergePage(data=found, meta=meta)
