import dataclasses

import pytest
from identity_svc.bootstrap import SERVICE as IDENTITY

from plenary_contracts.catalog import identity as contract
from plenary_contracts.errors import ErrorCode, NotFound
from plenary_contracts.flags import FlagContext
from plenary_contracts.operations import Reply
from plenary_kit import context as ctx
from plenary_kit import provision
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.discovery import load_services
from plenary_kit.service import Runtime
from plenary_kit.testing.plugin import eventually


@pytest.fixture
async def running(plenary_settings):
    await provision.seed(plenary_settings, [IDENTITY])
    (views,) = load_services(["views"])
    identity = Runtime(IDENTITY, plenary_settings)
    other = Runtime(dataclasses.replace(views), plenary_settings)
    await identity.start()
    await other.start()
    nc = await connect(plenary_settings.nats_url, "test-client")
    yield identity, other, nc
    await nc.drain()
    await other.stop()
    await identity.stop()


async def test_a_flag_change_reaches_a_running_service_without_restart(running):
    _, views, nc = running
    t1, t2 = FlagContext(tenant_id="t1"), FlagContext(tenant_id="t2")
    await eventually(lambda: views.flags.loaded.is_set() and "FF_WAITLIST" in views.flags.snapshot())
    assert not views.flags.is_enabled("FF_WAITLIST", t1)

    await call(nc, contract.SET_FEATURE_FLAG, contract.SetFeatureFlag(key="FF_WAITLIST", enabled_for_tenants=["t1"]))

    await eventually(lambda: views.flags.is_enabled("FF_WAITLIST", t1))
    assert not views.flags.is_enabled("FF_WAITLIST", t2)


async def test_flag_commands_answer_typed_errors_and_the_service_keeps_serving(running):
    _, _, nc = running
    for body, loc in ((b'{"key": "FF_WAITLIST", "enabled": "maybe"}', ["enabled"]), (b"{not json", [])):
        raw = await nc.request(contract.SET_FEATURE_FLAG.subject, body, timeout=5)
        reply = Reply.model_validate_json(raw.data)
        assert not reply.ok and reply.error.code == ErrorCode.VALIDATION_ERROR and reply.error.status == 422
        assert reply.error.errors[0].loc[: len(loc)] == loc
    listed = await call(nc, contract.LIST_FEATURE_FLAGS, contract.ListFeatureFlags())
    assert len(listed.data) == 23


async def test_a_flag_missing_from_the_database_is_a_not_found_reply(running, plenary_settings):
    identity, _, nc = running
    async with identity.engine.begin() as conn:
        from identity_svc.adapters.tables import feature_flag

        await conn.execute(feature_flag.delete().where(feature_flag.c.key == "FF_PWA"))
    with pytest.raises(NotFound):
        await call(nc, contract.SET_FEATURE_FLAG, contract.SetFeatureFlag(key="FF_PWA", enabled=True))


async def test_a_retried_command_with_the_same_idempotency_key_is_applied_once(running):
    identity, _, nc = running
    context = ctx.Context(tenant_id="t1", idempotency_key="retry-1")
    request = contract.SetFeatureFlag(key="FF_KIOSK_MODE", enabled_for_users=["u1"])
    first = await call(nc, contract.SET_FEATURE_FLAG, request, context=context)
    second = await call(nc, contract.SET_FEATURE_FLAG, request, context=context)
    assert first == second
    async with identity.engine.connect() as conn:
        outbox = IDENTITY.messaging.outbox
        changes = (
            await conn.execute(outbox.select().where(outbox.c.subject == "evt.identity.feature_flag.changed"))
        ).all()
    assert len(changes) == 1
