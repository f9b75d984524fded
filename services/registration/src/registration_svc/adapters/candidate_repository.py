"""Duplicate candidates as reviewers and merges meet them (the registrar writes them while screening)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import DuplicateStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page

from .rows import row_as, values_of
from .screening_repository import ordered_pair
from .tables import duplicate_candidate, participant

Row = sa.Row[Any]


@dataclass(frozen=True)
class StoredCandidate:
    id: str
    tenant_id: str
    event_id: str | None
    participant_a_id: str
    participant_b_id: str
    confidence_score: float
    match_fields: list[dict[str, Any]]
    status: DuplicateStatus
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_notes: str | None
    created_at: datetime
    updated_at: datetime


SORTABLE = {
    "confidenceScore": duplicate_candidate.c.confidence_score,
    "createdAt": duplicate_candidate.c.created_at,
    "updatedAt": duplicate_candidate.c.updated_at,
}
LIVE = (DuplicateStatus.PENDING_REVIEW, DuplicateStatus.CONFIRMED_DUPLICATE)


def naming(participant_id: str) -> sa.ColumnElement[bool]:
    c = duplicate_candidate.c
    return sa.or_(c.participant_a_id == participant_id, c.participant_b_id == participant_id)


def candidates_query(tenant_id: str) -> sa.Select[Any]:
    return sa.select(duplicate_candidate).where(duplicate_candidate.c.tenant_id == tenant_id)


def still_open() -> sa.ColumnElement[bool]:
    """Merged pairs stay as history; any other pair is shown only while neither participant is deleted."""
    c = duplicate_candidate.c
    deleted = sa.exists().where(
        participant.c.id.in_((c.participant_a_id, c.participant_b_id)), participant.c.deleted_at.is_not(None)
    )
    return sa.or_(c.status == DuplicateStatus.MERGED, ~deleted)


async def page(
    session: AsyncSession, tenant_id: str, request: contract.ListDuplicates
) -> tuple[list[contract.DuplicateCandidate], PageMeta]:
    """One page of the tenant's candidates still open, filtered by event, status and participant."""
    query = candidates_query(tenant_id).where(still_open())
    if request.event_id is not None:
        query = query.where(duplicate_candidate.c.event_id == request.event_id)
    if request.status is not None:
        query = query.where(duplicate_candidate.c.status == request.status)
    if request.participant_id is not None:
        query = query.where(naming(request.participant_id))
    rows, meta = await fetch_page(session, query, request, SORTABLE, duplicate_candidate.c.id)
    return [to_candidate(row_as(StoredCandidate, r)) for r in rows], meta


async def get(
    session: AsyncSession, candidate_id: str, tenant_id: str, *, for_update: bool = False
) -> StoredCandidate | None:
    query = candidates_query(tenant_id).where(duplicate_candidate.c.id == candidate_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else row_as(StoredCandidate, row)


async def record_review(
    session: AsyncSession,
    candidate_id: str,
    status: DuplicateStatus,
    notes: str | None,
    reviewed_by: str,
    reviewed_at: datetime,
) -> None:
    await session.execute(
        sa.update(duplicate_candidate)
        .where(duplicate_candidate.c.id == candidate_id)
        .values(
            status=status, review_notes=notes, reviewed_by=reviewed_by, reviewed_at=reviewed_at, updated_at=reviewed_at
        )
    )


async def of_participant(session: AsyncSession, participant_id: str) -> list[Row]:
    """Every candidate naming the participant, locked, in id order."""
    query = (
        sa.select(duplicate_candidate)
        .where(naming(participant_id))
        .order_by(duplicate_candidate.c.id)
        .with_for_update()
    )
    return list((await session.execute(query)).all())


async def pair(session: AsyncSession, one: str, other: str) -> Row | None:
    a, b = ordered_pair(one, other)
    c = duplicate_candidate.c
    return (
        await session.execute(sa.select(duplicate_candidate).where(c.participant_a_id == a, c.participant_b_id == b))
    ).first()


async def lock_participants(session: AsyncSession, participant_ids: Collection[str]) -> None:
    """Lock participants in id order, as merges do, before touching their candidates: no deadlock."""
    for pid in sorted(set(participant_ids), key=str.encode):
        await session.execute(sa.select(participant.c.id).where(participant.c.id == pid).with_for_update())


def _pending_of(participant_id: Any) -> sa.Exists:
    c = duplicate_candidate.c
    return sa.exists().where(
        sa.or_(c.participant_a_id == participant_id, c.participant_b_id == participant_id),
        c.status == DuplicateStatus.PENDING_REVIEW,
    )


async def clear_flags(session: AsyncSession, participant_ids: Collection[str]) -> None:
    """Unflag the participants none of whose candidates awaits review any more."""
    await session.execute(
        sa.update(participant)
        .where(participant.c.id.in_(participant_ids), participant.c.flagged, ~_pending_of(participant.c.id))
        .values(flagged=False)
    )


async def refresh_flag(session: AsyncSession, participant_id: str) -> None:
    """Flag the participant exactly when one of its candidates awaits review."""
    await session.execute(
        sa.update(participant).where(participant.c.id == participant_id).values(flagged=_pending_of(participant.c.id))
    )


def to_candidate(stored: StoredCandidate) -> contract.DuplicateCandidate:
    return contract.DuplicateCandidate.model_validate(values_of(stored))
