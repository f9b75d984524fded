from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import identity as contract

from ..domain.accounts import Account
from ..domain.grants import HeldPermission
from .tables import permission, role, role_permission, session, user, user_role

UNIQUE_FIELDS = {"uq_user_email": "email", "uq_user_username": "username"}
ASSIGNMENT_UNIQUE = "uq_user_role_user_id_role_id_event_id_step_id"
SORTABLE = {
    "createdAt": user.c.created_at,
    "updatedAt": user.c.updated_at,
    "email": user.c.email,
    "username": user.c.username,
    "name": user.c.name,
}
COLUMNS = (
    user.c.id,
    user.c.email,
    user.c.username,
    user.c.name,
    user.c.status,
    user.c.tenant_id,
    user.c.created_at,
    user.c.updated_at,
)


def in_scope(tenant_id: str | None) -> sa.ColumnElement[bool]:
    """The live users a caller of ``tenant_id`` sees: its tenant's, or the global ones for no tenant."""
    same_tenant = user.c.tenant_id.is_(None) if tenant_id is None else user.c.tenant_id == tenant_id
    return sa.and_(same_tenant, user.c.deleted_at.is_(None))


def account_of(row: sa.Row) -> Account:  # type: ignore[type-arg]
    return Account(row.status, row.failed_logins, row.locked_until, row.password_hash is not None)


async def get(db: AsyncSession, user_id: str, tenant_id: str | None, *, for_update: bool = False) -> sa.Row | None:  # type: ignore[type-arg]
    query = sa.select(user).where(user.c.id == user_id, in_scope(tenant_id))
    if for_update:
        query = query.with_for_update()
    return (await db.execute(query)).first()


async def get_live(db: AsyncSession, user_id: str, *, for_update: bool = False) -> sa.Row | None:  # type: ignore[type-arg]
    """A user that is not deleted, whatever its tenant (sign-in, refresh, "me")."""
    query = sa.select(user).where(user.c.id == user_id, user.c.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return (await db.execute(query)).first()


async def find_for_login(db: AsyncSession, identifier: str) -> sa.Row | None:  # type: ignore[type-arg]
    """By e-mail (has an @, compared lower-case) or username (never has one); locked for the update."""
    match = user.c.email == identifier.lower() if "@" in identifier else user.c.username == identifier
    query = sa.select(user).where(match, user.c.deleted_at.is_(None)).with_for_update()
    return (await db.execute(query)).first()


async def save_account(db: AsyncSession, user_id: str, account: Account, *, changed_at: datetime | None) -> None:
    """Store the sign-in counters; ``changed_at`` is given when the status changed (a visible change)."""
    await db.execute(
        sa.update(user)
        .where(user.c.id == user_id)
        .values(
            status=account.status,
            failed_logins=account.failed_logins,
            locked_until=account.locked_until,
            updated_at=changed_at if changed_at is not None else user.c.updated_at,
        )
    )


async def assignments(db: AsyncSession, user_ids: Iterable[str]) -> dict[str, list[contract.RoleAssignment]]:
    ids = list(user_ids)
    found: dict[str, list[contract.RoleAssignment]] = defaultdict(list)
    if not ids:
        return found
    rows = await db.execute(
        sa.select(
            user_role.c.user_id,
            user_role.c.id,
            user_role.c.role_id,
            role.c.name.label("role_name"),
            role.c.scope,
            user_role.c.event_id,
            user_role.c.step_id,
        )
        .join(role, role.c.id == user_role.c.role_id)
        .where(user_role.c.user_id.in_(ids))
        .order_by(role.c.name, user_role.c.created_at, user_role.c.id)
    )
    for row in rows:
        found[row.user_id].append(contract.RoleAssignment.model_validate(dict(row._mapping)))
    return found


async def to_users(db: AsyncSession, rows: list[sa.Row]) -> list[contract.User]:  # type: ignore[type-arg]
    roles = await assignments(db, [r.id for r in rows])
    return [
        contract.User.model_validate({c.name: r._mapping[c.name] for c in COLUMNS} | {"roles": roles.get(r.id, [])})
        for r in rows
    ]


async def to_user(db: AsyncSession, row: sa.Row) -> contract.User:  # type: ignore[type-arg]
    return (await to_users(db, [row]))[0]


async def held_permissions(db: AsyncSession, user_id: str) -> tuple[list[str], list[HeldPermission]]:
    """The user's role names and every permission its roles grant."""
    names = (
        await db.execute(
            sa.select(role.c.name)
            .join(user_role, user_role.c.role_id == role.c.id)
            .where(user_role.c.user_id == user_id)
        )
    ).scalars()
    rows = await db.execute(
        sa.select(
            (permission.c.resource + ":" + permission.c.action).label("code"),
            role_permission.c.access,
            role.c.scope,
            user_role.c.event_id,
        )
        .select_from(user_role)
        .join(role, role.c.id == user_role.c.role_id)
        .join(role_permission, role_permission.c.role_id == role.c.id)
        .join(permission, permission.c.id == role_permission.c.permission_id)
        .where(user_role.c.user_id == user_id)
    )
    return list(names), [HeldPermission(r.code, r.access, r.scope, r.event_id) for r in rows]


async def find_role(db: AsyncSession, ref: str, tenant_id: str | None) -> sa.Row | None:  # type: ignore[type-arg]
    """A role by id or name among the system roles and the tenant's own (its own first)."""
    visible = (
        role.c.tenant_id.is_(None)
        if tenant_id is None
        else sa.or_(role.c.tenant_id.is_(None), role.c.tenant_id == tenant_id)
    )
    query = (
        sa.select(role)
        .where(visible, sa.or_(role.c.id == ref, role.c.name == ref))
        .order_by(role.c.tenant_id.is_(None))
        .limit(1)
    )
    return (await db.execute(query)).first()


async def revoke_sessions(db: AsyncSession, user_id: str, now: datetime) -> None:
    await db.execute(
        sa.update(session)
        .where(session.c.user_id == user_id, session.c.revoked_at.is_(None))
        .values(revoked_at=now, updated_at=now)
    )


async def touch(db: AsyncSession, user_id: str, now: datetime) -> None:
    """Mark a change of what the user looks like (its roles), so its ETag changes."""
    await db.execute(sa.update(user).where(user.c.id == user_id).values(updated_at=now))


async def next_token_generation(db: AsyncSession, user_id: str) -> int:
    """Start the user's next token generation; the tokens of every earlier one are stale."""
    result = await db.execute(
        sa.update(user)
        .where(user.c.id == user_id)
        .values(token_generation=user.c.token_generation + 1)
        .returning(user.c.token_generation)
    )
    return result.scalar_one()


async def token_generation(db: AsyncSession, user_id: str) -> int | None:
    """Whatever the user's state (a deleted user's tokens stay refused)."""
    return (await db.execute(sa.select(user.c.token_generation).where(user.c.id == user_id))).scalar()
