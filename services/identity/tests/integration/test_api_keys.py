import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from identity_svc.adapters.tables import api_key
from identity_svc.application.api_keys import sweep_expired_keys
from identity_svc.bootstrap import SERVICE as IDENTITY
from nats.js.errors import KeyNotFoundError

from plenary_contracts import credentials
from plenary_contracts.access import etag_of
from plenary_contracts.catalog import events
from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import ApiKeyStatus
from plenary_contracts.errors import BadRequest, NotFound, PreconditionFailed, ValidationFailed
from plenary_contracts.operations import SHOWN_ONCE
from plenary_contracts.streams import API_KEYS_BUCKET
from plenary_kit import provision
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.producing import produced, publish_event


@pytest.fixture
async def acme(identity) -> contract.Tenant:
    return await identity.tenant("acme")


async def _create(identity, tenant: contract.Tenant, **fields) -> contract.ApiKeyCreated:
    body = {"name": "integration", "permissions": ["user:*"]} | fields
    return await identity.as_admin(contract.CREATE_API_KEY, body, tenant=tenant.id)


async def _mirrored(identity, lookup_id: str) -> dict | None:
    kv = await identity.nc.jetstream().key_value(API_KEYS_BUCKET.name)
    try:
        entry = await kv.get(lookup_id)
    except KeyNotFoundError:
        return None
    return json.loads(entry.value) if entry.value else None


def _status_is(identity, lookup: str, status: str):  # type: ignore[no-untyped-def]
    async def check() -> bool:
        entry = await _mirrored(identity, lookup)
        return entry is not None and entry["status"] == status

    return check


def _gone(identity, lookup: str):  # type: ignore[no-untyped-def]
    async def check() -> bool:
        return await _mirrored(identity, lookup) is None

    return check


async def _expire(identity, key_id: str, **values) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    await identity.execute(sa.update(api_key).where(api_key.c.id == key_id).values(**({"expires_at": past} | values)))


async def test_the_raw_key_is_shown_once_and_no_reply_or_event_carries_the_hash(identity, acme):
    created = await _create(identity, acme, allowedIps=["10.0.0.0/8", "192.0.2.7"], rateLimitTier="ELEVATED")
    parsed = credentials.parse_api_key(created.raw_key)
    assert parsed is not None and parsed.display_prefix == created.api_key.key_prefix
    assert created.raw_key.startswith(f"ak_{acme.id[:4]}_")
    stored = (await identity.execute(sa.select(api_key).where(api_key.c.id == created.api_key.id))).one()
    assert credentials.api_key_matches(identity.settings.api_key_secret, created.raw_key, stored.key_hash)
    assert (stored.lookup_id, stored.created_by) == (parsed.lookup_id, identity.admin_id)

    listed = await identity.as_admin(contract.LIST_API_KEYS, {}, tenant=acme.id)
    got = await identity.as_admin(contract.GET_API_KEY, {"id": created.api_key.id}, tenant=acme.id)
    assert listed.data == [got] == [created.api_key]
    (event,) = await identity.events(contract.API_KEY_CREATED)
    for shown in (got.model_dump(), event["data"]["apiKey"]):
        assert not {"keyHash", "key_hash", "lookupId", "lookup_id", "rawKey"} & set(shown)
    assert (event["tenantid"], event["actorid"]) == (acme.id, identity.admin_id)


async def test_a_global_admin_must_choose_a_tenant_for_keys(identity):
    with pytest.raises(BadRequest) as refused:
        await identity.as_admin(contract.CREATE_API_KEY, {"name": "x", "permissions": ["*"]})
    assert "X-Tenant-Id" in refused.value.message


async def test_invalid_settings_are_field_errors_naming_each_field(identity, acme):
    with pytest.raises(ValidationFailed) as refused:
        await _create(
            identity,
            acme,
            permissions=["user:read", "nope:read", "participant:*", "ghost:*"],
            rateLimitTier="CUSTOM",
            allowedIps=["10.0.0.1/8", "::1"],
            expiresAt=(datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        )
    assert sorted(tuple(e.loc) for e in refused.value.errors) == sorted(
        [("permissions", 1), ("permissions", 3), ("rateLimitCustom",), ("allowedIps", 0), ("expiresAt",)]
    )
    with pytest.raises(ValidationFailed):
        await _create(identity, acme, rateLimitTier="PREMIUM", rateLimitCustom=10)
    custom = await _create(identity, acme, rateLimitTier="CUSTOM", rateLimitCustom=10)
    assert custom.api_key.rate_limit_custom == 10


async def test_another_tenants_key_is_not_found_for_every_operation(identity, acme):
    globex = await identity.tenant("globex")
    theirs = (await _create(identity, globex)).api_key
    for spec, body in (
        (contract.GET_API_KEY, {"id": theirs.id}),
        (contract.UPDATE_API_KEY, {"id": theirs.id, "name": "mine"}),
        (contract.REVOKE_API_KEY, {"id": theirs.id}),
        (contract.ROTATE_API_KEY, {"id": theirs.id}),
    ):
        with pytest.raises(NotFound):
            await identity.as_admin(spec, body, tenant=acme.id)
    assert (await identity.as_admin(contract.LIST_API_KEYS, {}, tenant=acme.id)).data == []


async def test_update_changes_an_active_key_honours_if_match_and_refuses_other_states(identity, acme):
    key = (await _create(identity, acme, rateLimitTier="CUSTOM", rateLimitCustom=5, description="d")).api_key
    updated = await identity.as_admin(
        contract.UPDATE_API_KEY,
        {"id": key.id, "name": "renamed", "rateLimitTier": "PREMIUM", "description": None},
        tenant=acme.id,
        if_match=etag_of(key.updated_at),
    )
    assert (updated.name, updated.rate_limit_tier, updated.rate_limit_custom, updated.description) == (
        "renamed",
        "PREMIUM",
        None,
        None,
    )
    assert updated.permissions == key.permissions
    with pytest.raises(PreconditionFailed):
        await identity.as_admin(
            contract.UPDATE_API_KEY, {"id": key.id, "name": "late"}, tenant=acme.id, if_match=etag_of(key.updated_at)
        )
    with pytest.raises(ValidationFailed):
        await identity.as_admin(contract.UPDATE_API_KEY, {"id": key.id, "permissions": ["nope:nope"]}, tenant=acme.id)

    await identity.as_admin(contract.REVOKE_API_KEY, {"id": key.id}, tenant=acme.id)
    with pytest.raises(BadRequest):
        await identity.as_admin(contract.UPDATE_API_KEY, {"id": key.id, "name": "too late"}, tenant=acme.id)


async def test_revoking_sets_the_time_and_revoking_again_is_a_bad_request(identity, acme):
    key = (await _create(identity, acme)).api_key
    revoked = await identity.as_admin(contract.REVOKE_API_KEY, {"id": key.id}, tenant=acme.id)
    assert revoked.status is ApiKeyStatus.REVOKED and revoked.revoked_at is not None
    with pytest.raises(BadRequest):
        await identity.as_admin(contract.REVOKE_API_KEY, {"id": key.id}, tenant=acme.id)
    other = (await _create(identity, acme)).api_key
    with pytest.raises(PreconditionFailed):
        await identity.as_admin(contract.REVOKE_API_KEY, {"id": other.id}, tenant=acme.id, if_match='"1"')


async def test_rotation_copies_every_setting_and_keeps_the_old_key_only_for_its_grace(identity, acme):
    settings = {
        "permissions": ["user:read", "participant:*"],
        "allowedIps": ["127.0.0.1"],
        "allowedOrigins": ["https://acme.test"],
        "rateLimitTier": "CUSTOM",
        "rateLimitCustom": 42,
        "scopes": {"eventIds": ["ev1"]},
        "expiresAt": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "description": "for the portal",
    }
    old = (await _create(identity, acme, **settings)).api_key
    rotated = await identity.as_admin(contract.ROTATE_API_KEY, {"id": old.id, "graceHours": 2}, tenant=acme.id)
    new = rotated.api_key
    copied = ("permissions", "allowed_ips", "allowed_origins", "rate_limit_tier", "rate_limit_custom", "scopes")
    assert [getattr(new, f) for f in copied] == [getattr(old, f) for f in copied]
    assert (new.expires_at, new.description, new.name, new.created_by) == (
        old.expires_at,
        old.description,
        old.name,
        old.created_by,
    )
    assert (new.rotated_from_id, new.status, new.id != old.id) == (old.id, ApiKeyStatus.ACTIVE, True)
    assert rotated.raw_key.startswith(new.key_prefix) and new.key_prefix != old.key_prefix

    before = await identity.as_admin(contract.GET_API_KEY, {"id": old.id}, tenant=acme.id)
    assert before.status is ApiKeyStatus.ROTATED
    grace = before.rotation_grace_end - before.updated_at
    assert grace == timedelta(hours=2)
    (event,) = await identity.events(contract.API_KEY_ROTATED)
    assert (event["data"]["oldKey"]["id"], event["data"]["newKey"]["id"]) == (old.id, new.id)
    with pytest.raises(BadRequest):
        await identity.as_admin(contract.ROTATE_API_KEY, {"id": old.id}, tenant=acme.id)


async def test_the_sweeper_expires_keys_past_expiry_and_ends_rotation_grace_once(identity, acme):
    expiring = (await _create(identity, acme, name="expiring")).api_key
    graced = (await _create(identity, acme, name="graced")).api_key
    await identity.as_admin(contract.ROTATE_API_KEY, {"id": graced.id, "graceHours": 0}, tenant=acme.id)
    in_grace = (await _create(identity, acme, name="in grace")).api_key
    await identity.as_admin(contract.ROTATE_API_KEY, {"id": in_grace.id, "graceHours": 1}, tenant=acme.id)
    await _expire(identity, expiring.id)

    assert await sweep_expired_keys(identity.runtime.uow) == 2
    assert await sweep_expired_keys(identity.runtime.uow) == 0
    statuses = {
        k.name + (" (new)" if k.rotated_from_id else ""): k.status
        for k in (await identity.as_admin(contract.LIST_API_KEYS, {"pageSize": 100}, tenant=acme.id)).data
    }
    assert statuses == {
        "expiring": ApiKeyStatus.EXPIRED,
        "graced": ApiKeyStatus.EXPIRED,
        "graced (new)": ApiKeyStatus.ACTIVE,
        "in grace": ApiKeyStatus.ROTATED,
        "in grace (new)": ApiKeyStatus.ACTIVE,
    }
    expired = await identity.events(contract.API_KEY_EXPIRED)
    assert sorted(e["data"]["apiKey"]["id"] for e in expired) == sorted([expiring.id, graced.id])
    assert {e["tenantid"] for e in expired} == {acme.id}


async def test_the_mirror_holds_exactly_the_usable_keys(identity, acme):
    created = await _create(identity, acme, allowedIps=["127.0.0.1"])
    lookup = credentials.parse_api_key(created.raw_key).lookup_id
    mirrored = await eventually(lambda: _mirrored(identity, lookup))
    assert (mirrored["id"], mirrored["tenantId"], mirrored["allowedIps"], mirrored["status"]) == (
        created.api_key.id,
        acme.id,
        ["127.0.0.1"],
        "ACTIVE",
    )
    assert credentials.api_key_matches(identity.settings.api_key_secret, created.raw_key, mirrored["keyHash"])

    rotated = await identity.as_admin(contract.ROTATE_API_KEY, {"id": created.api_key.id}, tenant=acme.id)
    new_lookup = credentials.parse_api_key(rotated.raw_key).lookup_id
    await eventually(lambda: _mirrored(identity, new_lookup))
    await eventually(_status_is(identity, lookup, "ROTATED"))  # the old key works through its grace

    await identity.as_admin(contract.REVOKE_API_KEY, {"id": created.api_key.id}, tenant=acme.id)
    await eventually(_gone(identity, lookup))
    assert await _mirrored(identity, new_lookup) is not None

    expiring = await _create(identity, acme)
    expiring_lookup = credentials.parse_api_key(expiring.raw_key).lookup_id
    await eventually(lambda: _mirrored(identity, expiring_lookup))
    await _expire(identity, expiring.api_key.id)
    await sweep_expired_keys(identity.runtime.uow)
    await eventually(_gone(identity, expiring_lookup))


async def test_seeding_again_repairs_a_wiped_key_bucket(identity, acme):
    created = await _create(identity, acme)
    revoked = await _create(identity, acme)
    await identity.as_admin(contract.REVOKE_API_KEY, {"id": revoked.api_key.id}, tenant=acme.id)
    lookup = credentials.parse_api_key(created.raw_key).lookup_id
    await eventually(lambda: _mirrored(identity, lookup))
    kv = await identity.nc.jetstream().key_value(API_KEYS_BUCKET.name)
    await kv.purge(lookup)
    assert await _mirrored(identity, lookup) is None

    await provision.seed(identity.settings, [IDENTITY])
    assert (await _mirrored(identity, lookup))["id"] == created.api_key.id
    assert await _mirrored(identity, credentials.parse_api_key(revoked.raw_key).lookup_id) is None


async def test_usage_batches_add_counts_keep_the_latest_use_and_leave_the_etag(identity, acme):
    first, second = (await _create(identity, acme)).api_key, (await _create(identity, acme)).api_key
    now = datetime.now(UTC)
    earlier, later = now - timedelta(minutes=5), now
    batch = {
        "usages": [
            {"keyId": first.id, "count": 3, "lastUsedAt": earlier.isoformat(), "lastUsedIp": "10.0.0.1"},
            {"keyId": first.id, "count": 2, "lastUsedAt": later.isoformat(), "lastUsedIp": "10.0.0.2"},
            {"keyId": second.id, "count": 1, "lastUsedAt": later.isoformat()},
            {"keyId": "no-such-key", "count": 9, "lastUsedAt": later.isoformat()},
        ]
    }
    recorded = await identity.call(contract.RECORD_API_KEY_USAGE, batch)
    assert recorded.keys == 2
    older = {"usages": [{"keyId": first.id, "count": 4, "lastUsedAt": earlier.isoformat(), "lastUsedIp": "10.9.9.9"}]}
    await identity.call(contract.RECORD_API_KEY_USAGE, older)

    got = await identity.as_admin(contract.GET_API_KEY, {"id": first.id}, tenant=acme.id)
    assert (got.usage_count, got.last_used_at, got.last_used_ip) == (9, later, "10.0.0.2")
    assert got.updated_at == first.updated_at
    other = await identity.as_admin(contract.GET_API_KEY, {"id": second.id}, tenant=acme.id)
    assert (other.usage_count, other.last_used_ip) == (1, None)
    assert await identity.events(contract.API_KEY_UPDATED) == []


async def test_a_retried_key_creation_replays_the_key_without_its_secret_and_keeps_no_secret(identity, acme):
    body = {"name": "retried", "permissions": ["user:*"]}
    first, again = [
        await identity.as_admin(contract.CREATE_API_KEY, body, tenant=acme.id, idempotency_key="create-key-1")
        for _ in range(2)
    ]
    assert again.api_key == first.api_key and credentials.parse_api_key(first.raw_key) is not None
    assert again.raw_key == SHOWN_ONCE  # the one created, never a second key nor the secret again
    assert len((await identity.as_admin(contract.LIST_API_KEYS, {}, tenant=acme.id)).data) == 1
    kept = (await identity.execute(sa.text("SELECT reply::text FROM identity.idempotency_key"))).scalar_one()
    assert first.raw_key not in kept and SHOWN_ONCE in kept


async def test_a_deleted_event_revokes_the_keys_scoped_to_it_alone_and_narrows_the_others(identity, acme):
    scanner = await _create(identity, acme, scopes={"eventIds": ["ev-gone"]})
    shared = await _create(identity, acme, scopes={"eventIds": ["ev-gone", "ev-kept"]})
    unscoped = await _create(identity, acme)
    elsewhere = await _create(identity, await identity.tenant("globex"), scopes={"eventIds": ["ev-gone"]})
    lookup = credentials.parse_api_key(scanner.raw_key).lookup_id
    await eventually(lambda: _mirrored(identity, lookup))
    deleted = produced(events.EVENT_DELETED, {"eventId": "ev-gone"}, tenant=acme.id)
    for _ in range(2):  # a redelivery changes nothing more
        await publish_event(identity.nc, events.EVENT_DELETED, deleted)

    async def keys_now() -> dict[str, tuple[str, dict | None]]:
        rows = await identity.execute(sa.select(api_key.c.id, api_key.c.status, api_key.c.scopes))
        return {row.id: (row.status.value, row.scopes) for row in rows}

    async def settled() -> dict[str, tuple[str, dict | None]] | None:
        now = await keys_now()
        narrowed = now[shared.api_key.id][1] != {"eventIds": ["ev-gone", "ev-kept"]}
        return now if now[scanner.api_key.id][0] == "REVOKED" and narrowed else None

    now = await eventually(settled)
    assert now[shared.api_key.id] == ("ACTIVE", {"eventIds": ["ev-kept"]})
    assert now[unscoped.api_key.id][0] == "ACTIVE"
    assert now[elsewhere.api_key.id] == ("ACTIVE", {"eventIds": ["ev-gone"]})  # another tenant's event id
    await eventually(_gone(identity, lookup))  # the gateways stop taking it
    assert len(await identity.events(contract.API_KEY_REVOKED)) == 1
