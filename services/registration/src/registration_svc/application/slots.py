"""A participant's place in the event: which statuses no longer hold one, and announcing a place that
opened up (``slots.freed``; the waitlist offers it to the next person)."""

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import ParticipantStatus
from plenary_kit.db import UnitOfWork

from ..adapters.participant_repository import StoredParticipant

CLOSED = (ParticipantStatus.CANCELLED, ParticipantStatus.REJECTED)


def slots_freed(uow: UnitOfWork, row: StoredParticipant, reason: str, survivor_id: str | None = None) -> None:
    """The participant's place opened up (the waitlist offers it); a merge names the survivor, which keeps
    what the merged participant held elsewhere (its delegation)."""
    freed = contract.SlotsFreed(
        event_id=row.event_id,
        participant_type_id=row.participant_type_id,
        slots=1,
        reason=reason,
        trigger_entity_id=row.id,
        survivor_id=survivor_id,
    )
    uow.publish(contract.SLOTS_FREED, freed, subject=row.event_id)
