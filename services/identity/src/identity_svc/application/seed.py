"""`plenary seed` for identity: idempotent inserts, then flags and usable API keys mirrored into their
KV buckets (so a wiped bucket is repaired by seeding again)."""

import secrets

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from plenary_contracts.enums import UserStatus
from plenary_kit.bus.connection import connect
from plenary_kit.db import create_engine_for
from plenary_kit.ids import new_id
from plenary_kit.settings import ServiceSettings

from ..adapters import api_key_mirror, flag_mirror, flag_repository
from ..adapters import api_key_repository as api_keys
from ..adapters.passwords import Passwords
from ..adapters.signing_keys import ensure_key
from ..adapters.tables import feature_flag, permission, role, role_permission, user, user_role
from . import seed_data as seeds
from .acting import utcnow


async def _ensure_admin(conn: AsyncConnection, configured_password: str | None) -> str | None:
    """Create the global admin once; returns the report line when it was created now."""
    exists = await conn.execute(sa.select(user.c.id).where(user.c.username == seeds.ADMIN_USERNAME))
    if exists.first() is not None:
        return None
    password = configured_password or secrets.token_urlsafe(18)
    admin_id = (
        await conn.execute(
            insert(user)
            .values(
                id=new_id(),
                email=seeds.ADMIN_EMAIL,
                username=seeds.ADMIN_USERNAME,
                name="Administrator",
                status=UserStatus.ACTIVE,
                tenant_id=None,
                password_hash=await Passwords().hash(password),
            )
            .on_conflict_do_nothing()
            .returning(user.c.id)
        )
    ).scalar_one_or_none()
    if admin_id is None:  # another seed created it a moment ago
        return None
    admin_role = (
        await conn.execute(sa.select(role.c.id).where(role.c.tenant_id.is_(None), role.c.name == seeds.ADMIN_ROLE))
    ).scalar_one()
    await conn.execute(insert(user_role).values(id=new_id(), user_id=admin_id, role_id=admin_role))
    if configured_password:
        return f"admin created: username {seeds.ADMIN_USERNAME}, password from PLENARY_ADMIN_PASSWORD"
    return (
        f"admin created: username {seeds.ADMIN_USERNAME}, password {password} "
        "(shown once: keep it now; set PLENARY_ADMIN_PASSWORD to choose it instead)"
    )


async def seed_identity(service: ServiceSettings) -> list[str]:
    engine = create_engine_for(service.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            for p in seeds.permissions():
                await conn.execute(
                    insert(permission)
                    .values(id=new_id(), resource=p.resource, action=p.action, description=p.code)
                    .on_conflict_do_nothing(index_elements=["resource", "action"])
                )
            permission_ids = {
                (r.resource, r.action): r.id
                for r in (await conn.execute(sa.select(permission.c.id, permission.c.resource, permission.c.action)))
            }
            for seed in seeds.roles():
                await conn.execute(
                    insert(role)
                    .values(id=new_id(), tenant_id=None, name=seed.name, scope=seed.scope.value)
                    .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
                )
                role_id = (
                    await conn.execute(sa.select(role.c.id).where(role.c.tenant_id.is_(None), role.c.name == seed.name))
                ).scalar_one()
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
            for state in seeds.flags():
                await conn.execute(
                    insert(feature_flag)
                    .values(id=new_id(), key=state.key, description=state.description, enabled=False)
                    .on_conflict_do_nothing(index_elements=["key"])
                )
            await conn.execute(
                insert(user)
                .values(
                    id=seeds.SYSTEM_USER_ID,
                    email=seeds.SYSTEM_USER_EMAIL,
                    username=seeds.SYSTEM_USER_ID,
                    name="System",
                )
                .on_conflict_do_nothing()
            )
            admin_line = await _ensure_admin(conn, service.base.admin_password)
            await ensure_key(conn)
            counts = {
                name: (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
                for name, table in (("permissions", permission), ("roles", role), ("flags", feature_flag))
            }
            states = await flag_repository.list_all(conn)
            candidates = [api_keys.to_credential(row) for row in await api_keys.usable_candidates(conn)]
        nc = await connect(service.nats_url, "plenary-seed")
        try:
            js = nc.jetstream()
            await flag_mirror.put(js, states)
            now = utcnow()
            for credential in candidates:
                await api_key_mirror.reflect(js, credential, "", now)
        finally:
            await nc.drain()
        permissions, roles, flags = counts["permissions"], counts["roles"], counts["flags"]
        usable = sum(1 for c in candidates if c.usable_at(now))
        lines = [
            f"{permissions} permissions, {roles} roles, {flags} flags (mirrored), {usable} usable API keys (mirrored)"
        ]
        return lines + ([admin_line] if admin_line else [])
    finally:
        await engine.dispose()
