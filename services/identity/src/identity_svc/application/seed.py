"""`plenary seed` for identity: idempotent inserts, then flags and usable API keys mirrored into their
KV buckets (so a wiped bucket is repaired by seeding again)."""

import secrets

from plenary_kit.acting import utcnow
from plenary_kit.bus.connection import connect
from plenary_kit.db import create_engine_for
from plenary_kit.settings import ServiceSettings

from ..adapters import api_key_mirror, flag_mirror, flag_repository
from ..adapters import api_key_repository as api_keys
from ..adapters import seed_repository as seeding
from ..adapters.passwords import Passwords
from ..adapters.signing_keys import ensure_key
from . import seed_data as seeds


async def _ensure_admin(conn: seeding.Connection, configured_password: str | None) -> str | None:
    """Create the global admin once; returns the report line when it was created now."""
    if await seeding.username_taken(conn, seeds.ADMIN_USERNAME):
        return None
    password = configured_password or secrets.token_urlsafe(18)
    created = await seeding.add_global_admin(
        conn,
        email=seeds.ADMIN_EMAIL,
        username=seeds.ADMIN_USERNAME,
        password_hash=await Passwords().hash(password),
        role_name=seeds.ADMIN_ROLE,
    )
    if not created:  # another seed created it a moment ago
        return None
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
            permission_ids = await seeding.add_permissions(conn, seeds.permissions())
            await seeding.add_roles(conn, seeds.roles(), permission_ids)
            await seeding.add_flags(conn, seeds.flags())
            await seeding.add_system_user(conn, seeds.SYSTEM_USER_ID, seeds.SYSTEM_USER_EMAIL)
            admin_line = await _ensure_admin(conn, service.base.admin_password)
            await ensure_key(conn)
            counts = await seeding.counts(conn)
            states = await flag_repository.list_all(conn)
            candidates = [api_keys.to_credential(k) for k in await api_keys.usable_candidates(conn)]
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
