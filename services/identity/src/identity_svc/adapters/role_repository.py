"""Roles a caller may see: the system roles and its tenant's own, each with the permissions it grants."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import RoleScope
from plenary_contracts.listing import ListQuery, PageMeta
from plenary_kit.db import fetch_page

from .tables import permission, role, role_permission

SORTABLE = {
    "name": role.c.name,
    "scope": role.c.scope,
    "createdAt": role.c.created_at,
    "updatedAt": role.c.updated_at,
}


@dataclass(frozen=True)
class RoleRecord:
    id: str
    name: str
    scope: RoleScope


def _visible(tenant_id: str | None) -> sa.ColumnElement[bool]:
    """The system roles, and the tenant's own when there is a tenant."""
    system = role.c.tenant_id.is_(None)
    return system if tenant_id is None else sa.or_(system, role.c.tenant_id == tenant_id)


async def find(db: AsyncSession, ref: str, tenant_id: str | None) -> RoleRecord | None:
    """A role by id or name among the system roles and the tenant's own (its own first)."""
    query = (
        sa.select(role.c.id, role.c.name, role.c.scope)
        .where(_visible(tenant_id), sa.or_(role.c.id == ref, role.c.name == ref))
        .order_by(role.c.tenant_id.is_(None))
        .limit(1)
    )
    row = (await db.execute(query)).first()
    return RoleRecord(row.id, row.name, row.scope) if row is not None else None


async def page(db: AsyncSession, tenant_id: str | None, request: ListQuery) -> tuple[list[contract.Role], PageMeta]:
    rows, meta = await fetch_page(db, sa.select(role).where(_visible(tenant_id)), request, SORTABLE, role.c.id)
    granted = await db.execute(
        sa.select(
            role_permission.c.role_id,
            (permission.c.resource + ":" + permission.c.action).label("permission"),
            role_permission.c.access,
        )
        .join(permission, permission.c.id == role_permission.c.permission_id)
        .where(role_permission.c.role_id.in_([r.id for r in rows]))
        .order_by(permission.c.resource, permission.c.action)
    )
    by_role: dict[str, list[contract.RolePermission]] = {r.id: [] for r in rows}
    for g in granted:
        by_role[g.role_id].append(contract.RolePermission(permission=g.permission, access=g.access))
    return [_role(r, by_role[r.id]) for r in rows], meta


def _role(row: sa.Row[Any], permissions: list[contract.RolePermission]) -> contract.Role:
    return contract.Role.model_validate(dict(row._mapping) | {"permissions": permissions})
