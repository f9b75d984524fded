"""`plenary seed` for identity: idempotent inserts, then the flags mirrored into the KV bucket."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from plenary_kit.bus.connection import connect
from plenary_kit.db import create_engine_for
from plenary_kit.ids import new_id
from plenary_kit.settings import ServiceSettings

from ..adapters import flag_mirror, flag_repository
from ..adapters.tables import feature_flag, permission, role, role_permission, user
from . import seed_data as seeds


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
            counts = {
                name: (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
                for name, table in (("permissions", permission), ("roles", role), ("flags", feature_flag))
            }
            states = await flag_repository.list_all(conn)
        nc = await connect(service.nats_url, "plenary-seed")
        try:
            await flag_mirror.put(nc.jetstream(), states)
        finally:
            await nc.drain()
        permissions, roles, flags = counts["permissions"], counts["roles"], counts["flags"]
        return [f"{permissions} permissions, {roles} roles, {flags} flags (mirrored)"]
    finally:
        await engine.dispose()
