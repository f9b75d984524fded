"""Handheld scanners: paired with an identity API key shown once, listed, revoked at identity. identity runs
beside checkin here, with the test tenants in its own tables."""

import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import checkin as contract
from plenary_contracts.credentials import parse_api_key
from plenary_contracts.enums import ApiKeyStatus, PermissionAccess, RoleScope
from plenary_contracts.errors import Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from plenary_kit.bus.rpc import call
from plenary_kit.context import Context
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime

from .conftest import ADMIN, OTHER_TENANT, TENANT


async def _key_at_identity(identity: Runtime, api_key_id: str) -> sa.Row:
    api_key = identity.spec.metadata.tables["identity.api_key"]
    async with identity.engine.connect() as conn:
        return (await conn.execute(sa.select(api_key).where(api_key.c.id == api_key_id))).one()


async def _keys_at_identity(identity: Runtime) -> list[sa.Row]:
    api_key = identity.spec.metadata.tables["identity.api_key"]
    async with identity.engine.connect() as conn:
        return list((await conn.execute(sa.select(api_key))).all())


async def _pair(checkin, event, *, name: str = "Scanner 1", tenant: str = TENANT) -> contract.PairedDevice:
    return await checkin.call(contract.PAIR_DEVICE, {"eventId": event.id, "name": name}, tenant=tenant)


async def test_pairing_returns_a_key_once_limited_to_scanning_at_the_event(checkin, identity):
    event = await checkin.seed_event()
    paired = await _pair(checkin, event)

    device = paired.device
    assert (device.tenant_id, device.event_id, device.name, device.paired_by) == (
        TENANT,
        event.id,
        "Scanner 1",
        "admin-user",
    )
    assert device.revoked_at is None and device.last_seen_at is None
    key = await _key_at_identity(identity, device.api_key_id)
    assert (key.tenant_id, key.status, key.permissions) == (TENANT, ApiKeyStatus.ACTIVE, ["check-in:scan"])
    assert key.scopes["eventIds"] == [event.id]
    parsed = parse_api_key(paired.device_key)
    assert parsed is not None and (parsed.lookup_id, parsed.display_prefix) == (key.lookup_id, device.key_prefix)

    # The raw key is in the reply only: not in checkin's row, not in the event
    row = (await checkin.execute(sa.select(tables.device).where(tables.device.c.id == device.id))).one()
    assert paired.device_key not in str(tuple(row))
    announced = await checkin.events(contract.DEVICE_PAIRED)
    assert [e["device"]["id"] for e in announced] == [device.id]
    assert paired.device_key not in str(announced)


async def test_a_tenants_first_scanner_finds_a_badge_key_to_verify_with(checkin, identity):
    assert (await checkin.call(contract.LIST_BADGE_KEYS, {})).keys == []
    await _pair(checkin, await checkin.seed_event())
    (key,) = (await checkin.call(contract.LIST_BADGE_KEYS, {})).keys
    await _pair(checkin, await checkin.seed_event(), name="Scanner 2")
    assert (await checkin.call(contract.LIST_BADGE_KEYS, {})).keys == [key], "made once, then the same"


async def test_pairing_for_an_unknown_or_another_tenants_event_issues_no_key(checkin, identity):
    theirs = await checkin.seed_event(tenant=OTHER_TENANT)
    for event_id in (theirs.id, new_id()):
        with pytest.raises(NotFound):
            await checkin.call(contract.PAIR_DEVICE, {"eventId": event_id, "name": "Scanner"})
    assert await _keys_at_identity(identity) == []
    assert await checkin.count(tables.device) == 0


async def test_a_key_issued_for_a_device_that_cannot_be_stored_is_revoked_again(checkin, identity):
    event = await checkin.seed_event()
    # A rule of the data the insert breaks, for this test only
    await checkin.execute(sa.text("ALTER TABLE checkin.device ADD CONSTRAINT test_refused CHECK (name <> 'Refused')"))

    with pytest.raises(ValidationFailed):
        # A longer wait than a call's: the service logs the violation with its traceback, slow on a busy machine
        body = {"eventId": event.id, "name": "Refused"}
        await call(
            checkin.nc, contract.PAIR_DEVICE, body, context=Context(tenant_id=TENANT, actor_id=ADMIN), timeout=60
        )

    assert await checkin.count(tables.device) == 0
    (issued,) = await _keys_at_identity(identity)
    assert issued.status is ApiKeyStatus.REVOKED


async def test_pairing_fails_cleanly_while_identity_is_down(checkin):
    event = await checkin.seed_event()
    with pytest.raises(ServiceUnavailable):
        await _pair(checkin, event)
    assert await checkin.count(tables.device) == 0


async def test_revoking_revokes_the_key_at_identity_once(checkin, identity):
    event = await checkin.seed_event()
    paired = await _pair(checkin, event)

    revoked = await checkin.call(contract.REVOKE_DEVICE, {"id": paired.device.id})
    again = await checkin.call(contract.REVOKE_DEVICE, {"id": paired.device.id})

    assert revoked.revoked_at is not None and again == revoked
    key = await _key_at_identity(identity, paired.device.api_key_id)
    assert key.status is ApiKeyStatus.REVOKED
    announced = await checkin.events(contract.DEVICE_REVOKED)
    assert [e["device"]["id"] for e in announced] == [paired.device.id]


async def test_another_tenants_or_another_events_device_cannot_be_revoked(checkin, identity):
    event, other = await checkin.seed_event(), await checkin.seed_event()
    theirs = await checkin.seed_event(tenant=OTHER_TENANT)
    their_device = (await _pair(checkin, theirs, tenant=OTHER_TENANT)).device
    device = (await _pair(checkin, event)).device

    for device_id in (their_device.id, new_id()):
        with pytest.raises(NotFound):
            await checkin.call(contract.REVOKE_DEVICE, {"id": device_id})
    bound_elsewhere = encode_grants([Grant("check-in:scan", PermissionAccess.ANY, RoleScope.EVENT, other.id)])
    with pytest.raises(Forbidden):
        await checkin.call(contract.REVOKE_DEVICE, {"id": device.id}, grants=bound_elsewhere)

    for each in (their_device, device):
        assert (await _key_at_identity(identity, each.api_key_id)).status is ApiKeyStatus.ACTIVE
    assert await checkin.count(tables.device, tables.device.c.revoked_at.is_not(None)) == 0


async def test_an_events_devices_are_listed_and_filtered_by_revocation(checkin, identity):
    event, other = await checkin.seed_event(), await checkin.seed_event()
    first, second = (await _pair(checkin, event, name="A")).device, (await _pair(checkin, event, name="B")).device
    await _pair(checkin, other, name="Elsewhere")
    await checkin.call(contract.REVOKE_DEVICE, {"id": first.id})

    listed = await checkin.call(contract.LIST_DEVICES, {"eventId": event.id, "sort": "name:asc"})
    assert [d.id for d in listed.data] == [first.id, second.id] and listed.meta.total == 2
    live = await checkin.call(contract.LIST_DEVICES, {"eventId": event.id, "revoked": False})
    assert [d.id for d in live.data] == [second.id]
    revoked = await checkin.call(contract.LIST_DEVICES, {"eventId": event.id, "revoked": True})
    assert [d.id for d in revoked.data] == [first.id]

    theirs = await checkin.seed_event(tenant=OTHER_TENANT)
    for event_id in (theirs.id, new_id()):
        with pytest.raises(NotFound):
            await checkin.call(contract.LIST_DEVICES, {"eventId": event_id})
