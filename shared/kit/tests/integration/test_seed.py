import sqlalchemy as sa
from identity_svc.adapters.tables import feature_flag, permission, role, role_permission, signing_key, user, user_role

from plenary_contracts.catalog.identity import ADMIN_USERNAME
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
            for table in (permission, role, role_permission, feature_flag, user, user_role, signing_key):
                counts[table.name] = (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
            counts["flags_on"] = (
                await conn.execute(sa.select(sa.func.count()).where(feature_flag.c.enabled))
            ).scalar_one()
            return counts
    finally:
        await engine.dispose()


async def test_seed_creates_54_permissions_7_roles_23_flags_off_the_admin_and_is_idempotent(plenary_settings):
    specs = load_services()
    first_report = await provision.seed(plenary_settings, specs)
    first = await _counts(plenary_settings)
    second_report = await provision.seed(plenary_settings, specs)
    assert await _counts(plenary_settings) == first
    assert first["permission"] == 54
    assert first["role"] == 7
    # ADMIN 54, TENANT_ADMIN 53 (no tenant:manage); VALIDATOR 4, PRINTER 2, DISPATCHER 2, VIEWER 5, USER 2
    assert first["role_permission"] == 54 + 53 + 4 + 2 + 2 + 5 + 2
    assert first["feature_flag"] == 23
    assert first["flags_on"] == 0
    assert first["user"] == 2  # the system user and the global admin
    assert first["user_role"] == 1  # the admin is ADMIN
    assert first["signing_key"] == 1
    # a generated admin password is reported once, on the run that created the admin
    created = [line for line in first_report if "admin created" in line]
    assert len(created) == 1 and f"username {ADMIN_USERNAME}, password " in created[0]
    assert not [line for line in second_report if "admin" in line]


async def test_a_configured_admin_password_is_used_and_never_printed(plenary_settings):
    settings = plenary_settings.model_copy(update={"admin_password": "configured-admin-password"})
    report = await provision.seed(settings, load_services(["identity"]))
    assert "configured-admin-password" not in " ".join(report)
    assert any("password from PLENARY_ADMIN_PASSWORD" in line for line in report)


async def test_seed_mirrors_every_flag_into_the_kv_bucket(plenary_settings):
    await provision.seed(plenary_settings, load_services(["identity"]))
    nc = await connect(plenary_settings.nats_url, "test")
    try:
        kv = await nc.jetstream().key_value(FLAGS_BUCKET.name)
        assert len(await kv.keys()) == 23
    finally:
        await nc.drain()
