import sqlalchemy as sa
from identity_svc.adapters.tables import feature_flag, permission, role, role_permission, user

from plenary_contracts.streams import FLAGS_BUCKET
from plenary_kit import provision
from plenary_kit.bus.connection import connect
from plenary_kit.db import create_engine_for
from plenary_kit.discovery import load_services


async def _counts(settings):
    engine = create_engine_for(settings.service("identity").database_url)
    try:
        async with engine.connect() as conn:
            counts = {}
            for table in (permission, role, role_permission, feature_flag, user):
                counts[table.name] = (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
            counts["flags_on"] = (
                await conn.execute(sa.select(sa.func.count()).where(feature_flag.c.enabled))
            ).scalar_one()
            return counts
    finally:
        await engine.dispose()


async def test_seed_creates_43_permissions_7_roles_23_flags_off_and_is_idempotent(plenary_settings):
    specs = load_services()
    await provision.seed(plenary_settings, specs)
    first = await _counts(plenary_settings)
    await provision.seed(plenary_settings, specs)
    assert await _counts(plenary_settings) == first
    assert first["permission"] == 43
    assert first["role"] == 7
    # ADMIN and TENANT_ADMIN: 43 each; VALIDATOR 4, PRINTER 2, DISPATCHER 2, VIEWER 5, USER 2
    assert first["role_permission"] == 43 * 2 + 4 + 2 + 2 + 5 + 2
    assert first["feature_flag"] == 23
    assert first["flags_on"] == 0
    assert first["user"] == 1  # the system user


async def test_seed_mirrors_every_flag_into_the_kv_bucket(plenary_settings):
    await provision.seed(plenary_settings, load_services(["identity"]))
    nc = await connect(plenary_settings.nats_url, "test")
    try:
        kv = await nc.jetstream().key_value(FLAGS_BUCKET.name)
        assert len(await kv.keys()) == 23
    finally:
        await nc.drain()
