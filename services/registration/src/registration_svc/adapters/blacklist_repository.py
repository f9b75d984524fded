"""Blacklist entries: a tenant's own (tenant_id set) and the global ones (tenant_id NULL)."""

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_kit.db import contains_any

from .tables import blacklist

Row = sa.Row[Any]
Scope = Literal["all", "tenant", "global"]

SORTABLE = {
    "createdAt": blacklist.c.created_at,
    "updatedAt": blacklist.c.updated_at,
    "name": blacklist.c.name,
    "expiresAt": blacklist.c.expires_at,
}


def owned_by(tenant_id: str | None) -> sa.ColumnElement[bool]:
    """Entries the caller manages: their tenant's, or the global ones for a caller without a tenant."""
    return blacklist.c.tenant_id.is_(None) if tenant_id is None else blacklist.c.tenant_id == tenant_id


def visible_to(tenant_id: str | None, scope: Scope = "all") -> sa.ColumnElement[bool]:
    """Entries the caller reads: a tenant sees its own and the global ones; a caller without a tenant, the
    global ones."""
    own, shared = owned_by(tenant_id), blacklist.c.tenant_id.is_(None)
    if scope == "global":
        return shared
    if scope == "tenant":
        return own if tenant_id is not None else sa.false()
    return sa.or_(own, shared)


def entries_query(tenant_id: str | None, scope: Scope) -> sa.Select[Any]:
    return sa.select(blacklist).where(visible_to(tenant_id, scope))


def matching(text: str) -> sa.ColumnElement[bool]:
    """Name, e-mail, passport, organization or a name variation contains ``text`` (case-insensitive, literally)."""
    variations = sa.func.array_to_string(blacklist.c.name_variations, "\x1f")
    columns = (blacklist.c.name, blacklist.c.email, blacklist.c.passport_number, blacklist.c.organization, variations)
    return contains_any(text, *columns)


async def get(
    session: AsyncSession, entry_id: str, tenant_id: str | None, *, owned: bool = False, for_update: bool = False
) -> Row | None:
    """An entry the caller may read, or with ``owned`` only one they may change."""
    scope = owned_by(tenant_id) if owned else visible_to(tenant_id)
    query = sa.select(blacklist).where(blacklist.c.id == entry_id, scope)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


def to_entry(row: Row) -> contract.BlacklistEntry:
    return contract.BlacklistEntry.model_validate(dict(row._mapping))
