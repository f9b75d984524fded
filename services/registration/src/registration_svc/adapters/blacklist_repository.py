"""Blacklist entries: a tenant's own (tenant_id set) and the global ones (tenant_id NULL)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import BlacklistType
from plenary_contracts.listing import PageMeta
from plenary_kit.db import contains_any, fetch_page

from .rows import row_as, values_of
from .tables import blacklist

Scope = Literal["all", "tenant", "global"]


@dataclass(frozen=True)
class StoredEntry:
    """A blacklist entry; ``tenant_id`` None for a global one."""

    id: str
    tenant_id: str | None
    type: BlacklistType
    name: str | None
    name_variations: list[str] | None
    passport_number: str | None
    email: str | None
    date_of_birth: date | None
    nationality: str | None
    organization: str | None
    reason: str
    source: str | None
    added_by: str
    expires_at: datetime | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


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


async def page(
    session: AsyncSession, tenant_id: str | None, request: contract.ListBlacklist
) -> tuple[list[contract.BlacklistEntry], PageMeta]:
    """One page of the entries the caller reads in the request's scope, filtered by type, activity and ``q``."""
    query = entries_query(tenant_id, request.scope)
    if request.type is not None:
        query = query.where(blacklist.c.type == request.type)
    if request.is_active is not None:
        query = query.where(blacklist.c.is_active.is_(request.is_active))
    if request.q:
        query = query.where(matching(request.q))
    rows, meta = await fetch_page(session, query, request, SORTABLE, blacklist.c.id)
    return [to_entry(row_as(StoredEntry, r)) for r in rows], meta


async def get(
    session: AsyncSession, entry_id: str, tenant_id: str | None, *, owned: bool = False, for_update: bool = False
) -> StoredEntry | None:
    """An entry the caller may read, or with ``owned`` only one they may change."""
    scope = owned_by(tenant_id) if owned else visible_to(tenant_id)
    query = sa.select(blacklist).where(blacklist.c.id == entry_id, scope)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else row_as(StoredEntry, row)


async def insert(session: AsyncSession, **values: Any) -> None:
    await session.execute(sa.insert(blacklist).values(**values))


async def update(session: AsyncSession, entry_id: str, **values: Any) -> None:
    await session.execute(sa.update(blacklist).where(blacklist.c.id == entry_id).values(**values))


async def delete(session: AsyncSession, entry_id: str) -> None:
    await session.execute(sa.delete(blacklist).where(blacklist.c.id == entry_id))


def to_entry(stored: StoredEntry) -> contract.BlacklistEntry:
    return contract.BlacklistEntry.model_validate(values_of(stored))
