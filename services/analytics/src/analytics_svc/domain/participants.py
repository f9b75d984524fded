"""A participant's state as the owners' events describe it, whatever order they arrive in, and the bucket it
counts in: registration owns the record (its ``updatedAt`` orders its changes), workflow decides the status
(its event time, then its progress version, order those); deletion and merging are final."""

from dataclasses import dataclass, replace
from datetime import date, datetime

from .facts import ParticipantGone, ParticipantSeen, StatusDecided

DECIDED = frozenset({"APPROVED", "REJECTED", "PRINTED"})


@dataclass(frozen=True)
class Bucket:
    tenant_id: str
    event_id: str
    participant_type_id: str
    status: str
    day: date


@dataclass(frozen=True)
class ParticipantState:
    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str
    status: str
    registered_at: datetime | None  # None: workflow or a deletion spoke of it before its registration came
    status_at: datetime
    progress_version: int
    decided_at: datetime | None
    deleted: bool

    def bucket(self) -> Bucket | None:
        """Where it counts; None when it does not (deleted, or not registered yet as far as we know)."""
        if self.deleted or self.registered_at is None:
            return None
        return Bucket(self.tenant_id, self.event_id, self.participant_type_id, self.status, self.registered_at.date())

    def processing_seconds(self) -> float:
        """Registration to decision, for a decided participant; 0 otherwise."""
        if self.decided_at is None or self.registered_at is None or self.status not in DECIDED:
            return 0.0
        return max((self.decided_at - self.registered_at).total_seconds(), 0.0)


def _decided_at(status: str, previous: datetime | None, at: datetime) -> datetime | None:
    if status not in DECIDED:
        return None
    return previous or at


def seen(state: ParticipantState | None, fact: ParticipantSeen) -> ParticipantState:
    if state is None:
        return ParticipantState(
            id=fact.participant_id,
            tenant_id=fact.tenant_id,
            event_id=fact.event_id,
            participant_type_id=fact.participant_type_id,
            status=fact.status,
            registered_at=fact.registered_at,
            status_at=fact.at,
            progress_version=0,
            decided_at=_decided_at(fact.status, None, fact.at),
            deleted=False,
        )
    known = replace(
        state, event_id=fact.event_id, participant_type_id=fact.participant_type_id, registered_at=fact.registered_at
    )
    if fact.at < state.status_at:
        return known  # an older record than the status held: keep its identity, not its status
    return replace(
        known, status=fact.status, status_at=fact.at, decided_at=_decided_at(fact.status, state.decided_at, fact.at)
    )


def decided(state: ParticipantState | None, fact: StatusDecided) -> ParticipantState:
    if state is None:
        return _unregistered(fact, fact.status, fact.version, deleted=False)
    if fact.at < state.status_at or (fact.at == state.status_at and fact.version <= state.progress_version):
        return state
    if fact.version < state.progress_version:
        return state  # workflow's own later change already held
    return replace(
        state,
        status=fact.status,
        status_at=fact.at,
        progress_version=fact.version,
        decided_at=_decided_at(fact.status, state.decided_at, fact.at),
    )


def gone(state: ParticipantState | None, fact: ParticipantGone) -> ParticipantState:
    if state is None:
        return _unregistered(fact, "PENDING", 0, deleted=True)
    return replace(state, deleted=True)


def _unregistered(
    fact: StatusDecided | ParticipantGone, status: str, version: int, *, deleted: bool
) -> ParticipantState:
    """A participant workflow or a deletion spoke of before its registration came: counted nowhere yet."""
    return ParticipantState(
        id=fact.participant_id,
        tenant_id=fact.tenant_id,
        event_id=fact.event_id,
        participant_type_id="",
        status=status,
        registered_at=None,
        status_at=fact.at,
        progress_version=version,
        decided_at=_decided_at(status, None, fact.at),
        deleted=deleted,
    )


def apply(state: ParticipantState | None, fact: ParticipantSeen | StatusDecided | ParticipantGone) -> ParticipantState:
    if isinstance(fact, ParticipantSeen):
        return seen(state, fact)
    if isinstance(fact, StatusDecided):
        return decided(state, fact)
    return gone(state, fact)


def moves(before: ParticipantState | None, after: ParticipantState) -> list[tuple[Bucket, int, float]]:
    """The count changes from ``before`` to ``after``: (bucket, count delta, processing seconds delta)."""
    old = before.bucket() if before is not None else None
    new = after.bucket()
    old_seconds = before.processing_seconds() if before is not None else 0.0
    if old == new and old_seconds == after.processing_seconds():
        return []
    out: list[tuple[Bucket, int, float]] = []
    if old is not None:
        out.append((old, -1, -old_seconds))
    if new is not None:
        out.append((new, 1, after.processing_seconds()))
    return out
