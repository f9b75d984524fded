"""Users and their role assignments: rows ↔ records and contract models."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import UserStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import contains_any, driver_connection, execute_unique, fetch_page
from plenary_kit.ids import new_id

from ..domain.accounts import Account
from ..domain.grants import HeldPermission
from .tables import permission, role, role_permission, session, user, user_role
from .unique import field_conflicts

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


def _assignments_as_json() -> sa.ScalarSelect[Any]:
    """The user's role assignments as one JSON array, in the order ``assignments`` lists them (null: none).

    A column of the user's own row, so reading a user with its roles is one statement."""
    fields = {
        "id": user_role.c.id,
        "role_id": user_role.c.role_id,
        "role_name": role.c.name,
        "scope": role.c.scope,
        "event_id": user_role.c.event_id,
        "step_id": user_role.c.step_id,
    }
    # keys as literals: a bound parameter would reach json_build_object with no type
    pairs = [part for key, column in fields.items() for part in (sa.literal_column(f"'{key}'"), column)]
    ordered = aggregate_order_by(sa.func.json_build_object(*pairs), role.c.name, user_role.c.created_at, user_role.c.id)
    return (
        sa.select(sa.func.json_agg(ordered))
        .select_from(user_role.join(role, role.c.id == user_role.c.role_id))
        .where(user_role.c.user_id == user.c.id)
        .scalar_subquery()
    )


ROLES = _assignments_as_json().label("roles")
# Built once: the current user is read on every authenticated request.
LIVE_USER = sa.select(*COLUMNS, ROLES).where(user.c.id == sa.bindparam("user_id"), user.c.deleted_at.is_(None))
# ... and compiled once, run straight on the driver: the session's execution machinery costs more CPU
# than the statement itself.
_LIVE_USER_SQL = str(LIVE_USER.compile(dialect=postgresql.psycopg.dialect()))
_LIVE_USER_NAMES = [c.name for c in COLUMNS] + ["roles"]


@dataclass(frozen=True)
class UserRecord:
    """A user as stored (a deleted user is never read into one)."""

    id: str
    email: str
    username: str
    name: str | None
    status: UserStatus
    tenant_id: str | None
    password_hash: str | None
    failed_logins: int
    locked_until: datetime | None
    token_generation: int
    created_at: datetime
    updated_at: datetime


def _record(row: sa.Row[Any] | None) -> UserRecord | None:
    if row is None:
        return None
    values = row._mapping
    return UserRecord(**{name: values[name] for name in UserRecord.__dataclass_fields__})


def in_scope(tenant_id: str | None) -> sa.ColumnElement[bool]:
    """The live users a caller of ``tenant_id`` sees: its tenant's, or the global ones for no tenant."""
    same_tenant = user.c.tenant_id.is_(None) if tenant_id is None else user.c.tenant_id == tenant_id
    return sa.and_(same_tenant, user.c.deleted_at.is_(None))


def account_of(found: UserRecord) -> Account:
    return Account(found.status, found.failed_logins, found.locked_until, found.password_hash is not None)


async def get(db: AsyncSession, user_id: str, tenant_id: str | None, *, for_update: bool = False) -> UserRecord | None:
    query = sa.select(user).where(user.c.id == user_id, in_scope(tenant_id))
    if for_update:
        query = query.with_for_update()
    return _record((await db.execute(query)).first())


async def get_live(db: AsyncSession, user_id: str, *, for_update: bool = False) -> UserRecord | None:
    """A user that is not deleted, whatever its tenant (sign-in, refresh, "me")."""
    query = sa.select(user).where(user.c.id == user_id, user.c.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return _record((await db.execute(query)).first())


async def find_for_login(db: AsyncSession, identifier: str) -> UserRecord | None:
    """By e-mail (has an @, compared lower-case) or username (never has one); locked for the update."""
    match = user.c.email == identifier.lower() if "@" in identifier else user.c.username == identifier
    query = sa.select(user).where(match, user.c.deleted_at.is_(None)).with_for_update()
    return _record((await db.execute(query)).first())


async def insert(
    db: AsyncSession,
    *,
    user_id: str,
    email: str,
    username: str,
    name: str | None,
    tenant_id: str | None,
    password_hash: str,
    now: datetime,
) -> None:
    """A new ACTIVE user; a taken e-mail or username is a Conflict naming the field."""
    statement = sa.insert(user).values(
        id=user_id,
        email=email,
        username=username,
        name=name,
        status=UserStatus.ACTIVE,
        tenant_id=tenant_id,
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    await execute_unique(db, statement, field_conflicts("user", UNIQUE_FIELDS))


async def update(db: AsyncSession, user_id: str, values: Mapping[str, object]) -> None:
    """Change the columns named in ``values``; a taken e-mail is a Conflict naming the field."""
    statement = sa.update(user).where(user.c.id == user_id).values(**values)
    await execute_unique(db, statement, field_conflicts("user", UNIQUE_FIELDS))


async def mark_deleted(db: AsyncSession, user_id: str, now: datetime) -> None:
    await db.execute(sa.update(user).where(user.c.id == user_id).values(deleted_at=now, updated_at=now))


async def replace_password_hash(db: AsyncSession, user_id: str, password_hash: str) -> None:
    """A stronger hash of the same password: not a visible change, so ``updated_at`` (the ETag) stays."""
    await db.execute(
        sa.update(user).where(user.c.id == user_id).values(password_hash=password_hash, updated_at=user.c.updated_at)
    )


async def page(
    db: AsyncSession, tenant_id: str | None, request: contract.ListUsers
) -> tuple[list[contract.User], PageMeta]:
    """One page of the users a caller of ``tenant_id`` sees, filtered by status and ``search``."""
    query = sa.select(*COLUMNS, ROLES).where(in_scope(tenant_id))
    if request.status is not None:
        query = query.where(user.c.status == request.status)
    if request.search:
        query = query.where(contains_any(request.search, user.c.email, user.c.username, user.c.name))
    rows, meta = await fetch_page(db, query, request, SORTABLE, user.c.id)
    return [_user(r._mapping) for r in rows], meta


async def assign(db: AsyncSession, user_id: str, role_id: str, event_id: str | None, step_id: str | None) -> str:
    """Give the user the role (bound to an event or step when given); the same binding twice is a Conflict."""
    assignment_id = new_id()
    statement = sa.insert(user_role).values(
        id=assignment_id, user_id=user_id, role_id=role_id, event_id=event_id, step_id=step_id
    )
    await execute_unique(db, statement, field_conflicts("assignment", {ASSIGNMENT_UNIQUE: "role"}))
    return assignment_id


async def unassign(db: AsyncSession, assignment_id: str) -> None:
    await db.execute(sa.delete(user_role).where(user_role.c.id == assignment_id))


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


def _user(values: Mapping[str, Any]) -> contract.User:
    return contract.User.model_validate({c.name: values[c.name] for c in COLUMNS} | {"roles": values["roles"] or []})


async def view_live(db: AsyncSession, user_id: str) -> contract.User | None:
    """A user that is not deleted, whatever its tenant, with its roles: one statement."""
    row = (await db.execute(LIVE_USER, {"user_id": user_id})).first()
    return _user(row._mapping) if row is not None else None


async def read_live(db: AsyncSession, user_id: str) -> contract.User | None:
    """``view_live`` for a query's unit of work (no transaction to keep in step with): the statement runs
    straight on the driver's connection, prepared once per connection."""
    driver = await driver_connection(db)
    async with driver.cursor() as cursor:
        await cursor.execute(_LIVE_USER_SQL, {"user_id": user_id}, prepare=True)
        row = await cursor.fetchone()
    return _user(dict(zip(_LIVE_USER_NAMES, row, strict=True))) if row is not None else None


async def view(db: AsyncSession, user_id: str, tenant_id: str | None) -> contract.User | None:
    """A user a caller of ``tenant_id`` sees, with its roles: one statement."""
    row = (await db.execute(sa.select(*COLUMNS, ROLES).where(user.c.id == user_id, in_scope(tenant_id)))).first()
    return _user(row._mapping) if row is not None else None


async def held_permissions(db: AsyncSession, user_id: str) -> tuple[list[str], list[HeldPermission]]:
    """The user's role names and every permission its roles grant, in one statement (a role that grants
    nothing still gives its name)."""
    rows = await db.execute(
        sa.select(
            role.c.name,
            (permission.c.resource + ":" + permission.c.action).label("code"),
            role_permission.c.access,
            role.c.scope,
            user_role.c.event_id,
        )
        .select_from(user_role)
        .join(role, role.c.id == user_role.c.role_id)
        .outerjoin(role_permission, role_permission.c.role_id == role.c.id)
        .outerjoin(permission, permission.c.id == role_permission.c.permission_id)
        .where(user_role.c.user_id == user_id)
    )
    found = rows.all()
    held = [HeldPermission(r.code, r.access, r.scope, r.event_id) for r in found if r.code is not None]
    return [r.name for r in found], held


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
