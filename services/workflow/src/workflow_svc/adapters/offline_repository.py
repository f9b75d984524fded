"""Offline mutations: each client mutation id is applied once per tenant, and its result kept for replays."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .records import OfflineMutation, from_row
from .tables import offline_mutation


async def claim(db: AsyncSession, tenant_id: str, mutation_id: str, participant_id: str, kind: str) -> bool:
    """Take the mutation id; False when it was taken before."""
    claimed = await db.execute(
        insert(offline_mutation)
        .values(tenant_id=tenant_id, mutation_id=mutation_id, participant_id=participant_id, type=kind)
        .on_conflict_do_nothing()
        .returning(offline_mutation.c.mutation_id)
    )
    return claimed.first() is not None


async def keep_result(db: AsyncSession, tenant_id: str, mutation_id: str, result: dict[str, Any]) -> None:
    await db.execute(
        sa.update(offline_mutation)
        .where(offline_mutation.c.tenant_id == tenant_id, offline_mutation.c.mutation_id == mutation_id)
        .values(result=result)
    )


async def get(db: AsyncSession, tenant_id: str, mutation_id: str) -> OfflineMutation:
    """A claimed mutation id's first mutation."""
    query = sa.select(offline_mutation.c.participant_id, offline_mutation.c.type, offline_mutation.c.result).where(
        offline_mutation.c.tenant_id == tenant_id, offline_mutation.c.mutation_id == mutation_id
    )
    return from_row(OfflineMutation, (await db.execute(query)).one())
