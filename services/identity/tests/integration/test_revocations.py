"""Access tokens that stop working before they expire: each change that ends a session, takes grants away
or removes a tenant puts a revocation into the gateways' bucket, at once and again through its consumer."""

from uuid import UUID

import pytest
import sqlalchemy as sa
from identity_svc.adapters.tables import user
from identity_svc.application.revocations import mirror_revocation
from nats.js.errors import KeyNotFoundError

from plenary_contracts.catalog import identity as contract
from plenary_contracts.credentials import AccessClaims, TokenRevocation
from plenary_contracts.errors import Unauthorized
from plenary_contracts.streams import TOKEN_REVOCATIONS_BUCKET
from plenary_kit.testing.plugin import eventually

from .conftest import Identity


async def _revocation(identity: Identity, key: str) -> TokenRevocation | None:
    kv = await identity.nc.jetstream().key_value(TOKEN_REVOCATIONS_BUCKET.name)
    try:
        entry = await kv.get(key)
    except KeyNotFoundError:
        return None
    return TokenRevocation.model_validate_json(entry.value) if entry.value else None


async def _refused(identity: Identity, key: str, access_token: str) -> TokenRevocation:
    claims = AccessClaims.model_validate(await identity.claims(access_token))

    async def refusing() -> TokenRevocation | None:
        found = await _revocation(identity, key)
        return found if found is not None and found.refuses(claims) else None

    return await eventually(refusing, timeout=1.0)


async def _accepted(identity: Identity, key: str, access_token: str) -> bool:
    revocation = await _revocation(identity, key)
    claims = AccessClaims.model_validate(await identity.claims(access_token))
    return revocation is None or not revocation.refuses(claims)


def _sid(pair: contract.TokenPair) -> str:
    return pair.refresh_token.split(".")[0]


async def test_logout_and_a_reused_refresh_token_revoke_that_session_only(identity):
    await identity.user(None, "two-sessions")
    leaving, reused, staying = [await identity.login("two-sessions") for _ in range(3)]
    await identity.call(contract.LOGOUT, {"refreshToken": leaving.refresh_token})
    await _refused(identity, f"session.{_sid(leaving)}", leaving.access_token)

    await identity.call(contract.REFRESH_SESSION, {"refreshToken": reused.refresh_token})
    with pytest.raises(Unauthorized):
        await identity.call(contract.REFRESH_SESSION, {"refreshToken": reused.refresh_token})
    await _refused(identity, f"session.{_sid(reused)}", reused.access_token)

    assert await _revocation(identity, f"session.{_sid(staying)}") is None
    reasons = [e["data"]["reason"] for e in await identity.events(contract.TOKENS_REVOKED)]
    assert reasons == ["logged_out", "refresh_token_reused"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"status": "SUSPENDED"}, "status_suspended"), ({"password": "another-long-password"}, "password_changed")],
)
async def test_suspending_a_user_or_changing_its_password_revokes_its_tokens(identity, change, reason):
    acme = await identity.tenant("acme")
    member = await identity.user(acme.id, "changing")
    pair = await identity.login("changing")
    await identity.as_admin(contract.UPDATE_USER, {"id": member.id} | change)
    revocation = await _refused(identity, f"user.{member.id}", pair.access_token)
    assert revocation.generation == 1
    (event,) = await identity.events(contract.TOKENS_REVOKED)
    assert (event["tenantid"], event["data"]["reason"]) == (acme.id, reason)


async def test_deleting_a_user_revokes_its_tokens(identity):
    member = await identity.user(None, "deleted-member")
    pair = await identity.login("deleted-member")
    await identity.as_admin(contract.DELETE_USER, {"id": member.id})
    await _refused(identity, f"user.{member.id}", pair.access_token)


async def test_a_removed_role_revokes_the_old_token_and_the_refreshed_one_has_the_new_generation(identity):
    acme = await identity.tenant("acme")
    member = await identity.user(acme.id, "losing-a-role", ("VALIDATOR",))
    before = await identity.login("losing-a-role")
    assert (await identity.claims(before.access_token))["gen"] == 0
    (assignment,) = (await identity.as_admin(contract.GET_USER, {"id": member.id})).roles

    await identity.as_admin(contract.UNASSIGN_ROLE, {"userId": member.id, "assignmentId": assignment.id})
    await _refused(identity, f"user.{member.id}", before.access_token)
    after = await identity.call(contract.REFRESH_SESSION, {"refreshToken": before.refresh_token})
    claims = await identity.claims(after.access_token)
    # Issued within the same second as the removal or not, the generation tells them apart.
    assert (claims["gen"], claims["roles"], claims["grants"]) == (1, [], [])
    assert await _accepted(identity, f"user.{member.id}", after.access_token)


async def test_deleting_a_tenant_revokes_its_users_tokens(identity):
    acme = await identity.tenant("acme")
    await identity.user(acme.id, "acme-leaving")
    pair = await identity.login("acme-leaving")
    await identity.as_admin(contract.DELETE_TENANT, {"id": acme.id})
    await _refused(identity, f"tenant.{acme.id}", pair.access_token)


async def test_the_consumer_puts_a_missed_revocation_back_and_never_lowers_a_users_generation(identity):
    member = await identity.user(None, "healed")
    await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "status": "SUSPENDED"})
    await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "status": "ACTIVE"})
    await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "password": "yet-another-password"})
    first, second = await identity.events(contract.TOKENS_REVOKED)
    await eventually(lambda: _generation_is(identity, member.id, 2))

    def consumed() -> bool:
        return _consumed(identity, [first["id"], second["id"]])

    await eventually(consumed)  # the durable consumer wrote both too
    kv = await identity.nc.jetstream().key_value(TOKEN_REVOCATIONS_BUCKET.name)
    await kv.purge(f"user.{member.id}")  # a write that never happened
    async with identity.runtime.uow() as uow:  # the first event again, late
        await mirror_revocation(uow, contract.TokensRevoked.model_validate(first["data"]), identity.nc.jetstream())
    assert await _revocation(identity, f"user.{member.id}") == TokenRevocation(generation=2)


async def _generation_is(identity: Identity, user_id: str, generation: int) -> bool:
    return await _revocation(identity, f"user.{user_id}") == TokenRevocation(generation=generation)


async def _consumed(identity: Identity, event_ids: list[str]) -> bool:
    inbox = identity.runtime.spec.messaging.inbox
    rows = await identity.execute(
        sa.select(sa.func.count())
        .select_from(inbox)
        .where(inbox.c.consumer == "identity_token_revocations", inbox.c.event_id.in_(map(UUID, event_ids)))
    )
    return rows.scalar_one() == len(event_ids)


async def test_a_suspended_or_deleted_users_refresh_fails(identity):
    suspended, deleted = await identity.user(None, "refresh-suspended"), await identity.user(None, "refresh-deleted")
    pairs = {u.id: await identity.login(u.username) for u in (suspended, deleted)}
    await identity.as_admin(contract.UPDATE_USER, {"id": suspended.id, "status": "SUSPENDED"})
    await identity.as_admin(contract.DELETE_USER, {"id": deleted.id})
    for pair in pairs.values():
        with pytest.raises(Unauthorized):
            await identity.call(contract.REFRESH_SESSION, {"refreshToken": pair.refresh_token})
    generations = await identity.execute(sa.select(user.c.token_generation).where(user.c.id.in_(list(pairs))))
    assert sorted(generations.scalars()) == [1, 1]


async def test_a_key_the_gateway_has_not_mirrored_yet_is_found_while_usable(identity):
    acme = await identity.tenant("acme")
    created = await identity.as_admin(
        contract.CREATE_API_KEY, {"name": "fresh", "permissions": ["user:*"]}, tenant=acme.id
    )
    lookup_id = created.api_key.key_prefix.rsplit("_", 1)[-1]
    found = await identity.call(contract.FIND_API_KEY_CREDENTIAL, {"lookupId": lookup_id})
    assert found.credential is not None and found.credential.id == created.api_key.id
    await identity.as_admin(contract.REVOKE_API_KEY, {"id": created.api_key.id}, tenant=acme.id)
    assert (await identity.call(contract.FIND_API_KEY_CREDENTIAL, {"lookupId": lookup_id})).credential is None
    unknown = await identity.call(contract.FIND_API_KEY_CREDENTIAL, {"lookupId": "0123456789abcdef"})
    assert unknown.credential is None


async def test_whether_a_tenant_exists_is_answered_without_a_caller(identity):
    acme = await identity.tenant("acme")
    assert (await identity.call(contract.TENANT_EXISTS, {"id": acme.id})).exists
    assert not (await identity.call(contract.TENANT_EXISTS, {"id": "no-such-tenant"})).exists
