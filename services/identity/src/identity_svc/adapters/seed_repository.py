"""The statements of `plenary seed`: idempotent inserts (what exists stays as it is) and the counts it reports."""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from plenary_contracts.enums import UserStatus
from plenary_contracts.flags import FlagState
from plenary_contracts.permissions import Permission, RoleSeed
from plenary_kit.ids import new_id

from .tables import feature_flag, permission, role, role_permission, user, user_role

# The seed runs in one transaction of its own, outside any unit of work.
Connection = AsyncConnection


async def add_permissions(conn: AsyncConnection, permissions: Iterable[Permission]) -> dict[tuple[str, str], str]:
    """Every permission's id by (resource, action), those already there included."""
    for p in permissions:
        await conn.execute(
            insert(permission)
            .values(id=new_id(), resource=p.resource, action=p.action, description=p.code)
            .on_conflict_do_nothing(index_elements=["resource", "action"])
        )
    rows = await conn.execute(sa.select(permission.c.id, permission.c.resource, permission.c.action))
    return {(r.resource, r.action): r.id for r in rows}


async def add_roles(
    conn: AsyncConnection, roles: Iterable[RoleSeed], permission_ids: dict[tuple[str, str], str]
) -> None:
    """The system roles (no tenant) and their grants; a grant already there keeps its access."""
    for seed in roles:
        await conn.execute(
            insert(role)
            .values(id=new_id(), tenant_id=None, name=seed.name, scope=seed.scope.value)
            .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
        )
        role_id = await system_role_id(conn, seed.name)
        for grant in seed.grants:
            await conn.execute(
                insert(role_permission)
                .values(
                    id=new_id(),
                    role_id=role_id,
                    permission_id=permission_ids[grant.permission],
                    access=grant.access.value,
                )
                .on_conflict_do_nothing(index_elements=["role_id", "permission_id"])
            )


async def system_role_id(conn: AsyncConnection, name: str) -> str:
    query = sa.select(role.c.id).where(role.c.tenant_id.is_(None), role.c.name == name)
    return (await conn.execute(query)).scalar_one()


async def add_flags(conn: AsyncConnection, flags: Iterable[FlagState]) -> None:
    """Each flag, off; a flag already there keeps its state."""
    for state in flags:
        await conn.execute(
            insert(feature_flag)
            .values(id=new_id(), key=state.key, description=state.description, enabled=False)
            .on_conflict_do_nothing(index_elements=["key"])
        )


async def add_system_user(conn: AsyncConnection, user_id: str, email: str) -> None:
    """The user that acts for the platform itself; it has no password and never signs in."""
    await conn.execute(
        insert(user).values(id=user_id, email=email, username=user_id, name="System").on_conflict_do_nothing()
    )


async def username_taken(conn: AsyncConnection, username: str) -> bool:
    return (await conn.execute(sa.select(user.c.id).where(user.c.username == username))).first() is not None


async def add_global_admin(
    conn: AsyncConnection, *, email: str, username: str, password_hash: str, role_name: str
) -> bool:
    """A global (no tenant) ACTIVE user holding the system role ``role_name``; False when another seed
    created it a moment ago."""
    admin_id = (
        await conn.execute(
            insert(user)
            .values(
                id=new_id(),
                email=email,
                username=username,
                name="Administrator",
                status=UserStatus.ACTIVE,
                tenant_id=None,
                password_hash=password_hash,
            )
            .on_conflict_do_nothing()
            .returning(user.c.id)
        )
    ).scalar_one_or_none()
    if admin_id is None:
        return False
    role_id = await system_role_id(conn, role_name)
    await conn.execute(insert(user_role).values(id=new_id(), user_id=admin_id, role_id=role_id))
    return True


async def counts(conn: AsyncConnection) -> dict[str, int]:
    """How many permissions, roles and flags there are."""
    return {
        name: (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
        for name, table in (("permissions", permission), ("roles", role), ("flags", feature_flag))
    }
