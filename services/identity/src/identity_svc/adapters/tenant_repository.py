"""Tenants: rows ↔ contract models."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import identity as contract
from plenary_contracts.listing import PageMeta
from plenary_kit.db import contains_any, execute_unique, fetch_page

from .tables import tenant
from .unique import field_conflicts

UNIQUE_FIELDS = {"uq_tenant_name": "name", "uq_tenant_slug": "slug", "uq_tenant_email": "email"}
SORTABLE = {
    "createdAt": tenant.c.created_at,
    "updatedAt": tenant.c.updated_at,
    "name": tenant.c.name,
    "slug": tenant.c.slug,
}


def to_tenant(row: sa.Row[Any]) -> contract.Tenant:
    return contract.Tenant.model_validate(dict(row._mapping))


async def get(session: AsyncSession, tenant_id: str, *, for_update: bool = False) -> contract.Tenant | None:
    query = sa.select(tenant).where(tenant.c.id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return to_tenant(row) if row is not None else None


async def exists(session: AsyncSession, tenant_id: str) -> bool:
    return (await session.execute(sa.select(tenant.c.id).where(tenant.c.id == tenant_id))).first() is not None


async def insert(session: AsyncSession, values: Mapping[str, Any]) -> contract.Tenant:
    """A taken name, slug or e-mail is a Conflict naming the field."""
    statement = sa.insert(tenant).values(**values).returning(tenant)
    return to_tenant((await execute_unique(session, statement, field_conflicts("tenant", UNIQUE_FIELDS))).one())


async def update(session: AsyncSession, tenant_id: str, changes: Mapping[str, Any], now: datetime) -> contract.Tenant:
    statement = sa.update(tenant).where(tenant.c.id == tenant_id).values(**changes, updated_at=now).returning(tenant)
    return to_tenant((await execute_unique(session, statement, field_conflicts("tenant", UNIQUE_FIELDS))).one())


async def page(session: AsyncSession, request: contract.ListTenants) -> tuple[list[contract.Tenant], PageMeta]:
    query = sa.select(tenant)
    if request.search:
        query = query.where(contains_any(request.search, tenant.c.name, tenant.c.slug, tenant.c.email))
    rows, meta = await fetch_page(session, query, request, SORTABLE, tenant.c.id)
    return [to_tenant(r) for r in rows], meta


async def delete(session: AsyncSession, tenant_id: str) -> None:
    """Its users, roles, sessions and keys go with it (the foreign keys cascade)."""
    await session.execute(sa.delete(tenant).where(tenant.c.id == tenant_id))
