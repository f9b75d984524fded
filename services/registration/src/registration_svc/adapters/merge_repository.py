"""Merges: their history, and re-pointing registration's own rows from a merged participant to its survivor."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import DuplicateStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page

from . import candidate_repository as candidates
from .screening_repository import ordered_pair
from .tables import duplicate_candidate, merge_history, waitlist_entry

Row = sa.Row[Any]

SORTABLE = {"mergedAt": merge_history.c.merged_at}


def history_query(tenant_id: str) -> sa.Select[Any]:
    return sa.select(merge_history).where(merge_history.c.tenant_id == tenant_id)


def naming(participant_id: str) -> sa.ColumnElement[bool]:
    c = merge_history.c
    return sa.or_(c.surviving_id == participant_id, c.merged_id == participant_id)


def to_record(row: Row) -> contract.MergeRecord:
    return contract.MergeRecord.model_validate(dict(row._mapping))


async def page(
    session: AsyncSession, tenant_id: str, request: contract.ListMergeHistory
) -> tuple[list[contract.MergeRecord], PageMeta]:
    """One page of the tenant's merges, of one participant (as survivor or merged) when the request names one."""
    query = history_query(tenant_id)
    if request.participant_id is not None:
        query = query.where(naming(request.participant_id))
    rows, meta = await fetch_page(session, query, request, SORTABLE, merge_history.c.id)
    return [to_record(r) for r in rows], meta


async def move_waitlist_entry(session: AsyncSession, survivor_id: str, merged_id: str) -> int:
    """The merged participant's waitlist entry becomes the survivor's, unless the survivor has its own."""
    survivor_has_one = sa.exists().where(waitlist_entry.c.participant_id == survivor_id)
    result = await session.execute(
        sa.update(waitlist_entry)
        .where(waitlist_entry.c.participant_id == merged_id, ~survivor_has_one)
        .values(participant_id=survivor_id, updated_at=sa.func.now())
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def move_candidates(session: AsyncSession, survivor_id: str, merged_id: str, now: Any) -> int:
    """Candidates between the two that still matter become MERGED; the merged participant's others move
    to the survivor where it has no candidate with that person yet. Returns how many moved."""
    moved = 0
    for row in await candidates.of_participant(session, merged_id):
        other = row.participant_b_id if row.participant_a_id == merged_id else row.participant_a_id
        if other == survivor_id:
            if row.status in candidates.LIVE:
                await session.execute(
                    sa.update(duplicate_candidate)
                    .where(duplicate_candidate.c.id == row.id)
                    .values(status=DuplicateStatus.MERGED, updated_at=now)
                )
            continue
        if await candidates.pair(session, survivor_id, other) is not None:
            continue
        a, b = ordered_pair(survivor_id, other)
        try:  # screening may have just written that pair: then it stays the merged participant's
            async with session.begin_nested():
                await session.execute(
                    sa.update(duplicate_candidate)
                    .where(duplicate_candidate.c.id == row.id)
                    .values(participant_a_id=a, participant_b_id=b, updated_at=now)
                )
        except IntegrityError:
            continue
        moved += 1
    return moved


async def add_history(session: AsyncSession, values: dict[str, Any]) -> contract.MergeRecord:
    await session.execute(sa.insert(merge_history).values(**values))
    return to_record((await session.execute(sa.select(merge_history).where(merge_history.c.id == values["id"]))).one())
