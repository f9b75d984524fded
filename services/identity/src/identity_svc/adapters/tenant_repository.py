import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import identity as contract

from .tables import tenant

UNIQUE_FIELDS = {"uq_tenant_name": "name", "uq_tenant_slug": "slug", "uq_tenant_email": "email"}
SORTABLE = {
    "createdAt": tenant.c.created_at,
    "updatedAt": tenant.c.updated_at,
    "name": tenant.c.name,
    "slug": tenant.c.slug,
}


def to_tenant(row: sa.Row) -> contract.Tenant:  # type: ignore[type-arg]
    return contract.Tenant.model_validate(dict(row._mapping))


async def get(session: AsyncSession, tenant_id: str, *, for_update: bool = False) -> sa.Row | None:  # type: ignore[type-arg]
    query = sa.select(tenant).where(tenant.c.id == tenant_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def exists(session: AsyncSession, tenant_id: str) -> bool:
    return (await session.execute(sa.select(tenant.c.id).where(tenant.c.id == tenant_id))).first() is not None
