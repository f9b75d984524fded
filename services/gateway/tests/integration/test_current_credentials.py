"""What the gateway decides on its own stays current: revoked access tokens are refused, a key made a
moment ago works, and a global admin's X-Tenant-Id must name a tenant that exists."""

import pytest

from plenary_contracts.catalog import identity as contract
from plenary_contracts.credentials import new_api_key
from plenary_kit.testing.plugin import eventually

from .app_harness import Edge, made_key, problem, revoke

pytestmark = pytest.mark.integration

READER = ("user:read;any;TENANT;",)
GLOBAL_READER = ("user:read;any;GLOBAL;",)


async def _status(edge: Edge, token: str, **headers: str) -> int:
    response = await edge.client.get("/api/v1/users/u1", headers={"Authorization": f"Bearer {token}", **headers})
    return response.status_code


async def _refused(edge: Edge, token: str) -> None:
    """Wait for the gateway's revocation mirror (the write reaches it by subscription), then check the answer."""
    await eventually(lambda: _is(edge, token, 401), timeout=1.0)
    response = await edge.client.get("/api/v1/users/u1", headers={"Authorization": f"Bearer {token}"})
    assert "revoked" in problem(response, 401, "UNAUTHORIZED")["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


async def _is(edge: Edge, token: str, status: int) -> bool:
    return await _status(edge, token) == status


async def test_a_token_of_an_ended_session_is_refused_and_other_sessions_are_not(edge):
    ended = edge.tokens.issue(sub="u2", sid="session-ended", grants=READER)
    other = edge.tokens.issue(sub="u2", sid="session-other", grants=READER)
    assert await _status(edge, ended) == 200

    await revoke(edge.nc, "session", "session-ended")
    await _refused(edge, ended)
    assert await _status(edge, other) == 200


async def test_a_users_tokens_of_an_older_generation_are_refused_and_the_new_generation_works(edge):
    old = edge.tokens.issue(sub="u3", gen=4, grants=READER)
    bystander = edge.tokens.issue(sub="u4", gen=0, grants=READER)
    assert await _status(edge, old) == 200

    await revoke(edge.nc, "user", "u3", generation=5)
    await _refused(edge, old)
    # issued after the change (its generation), whatever second it was issued in
    assert await _status(edge, edge.tokens.issue(sub="u3", gen=5, grants=READER)) == 200
    assert await _status(edge, bystander) == 200


async def test_a_deleted_tenants_tokens_are_refused_and_a_global_admin_can_no_longer_name_it(edge):
    member = edge.tokens.issue(sub="m1", tid="tenant2", grants=READER)
    admin = edge.tokens.issue(sub="admin", tid=None, grants=GLOBAL_READER)
    assert await _status(edge, member) == 200
    assert await _status(edge, admin, **{"X-Tenant-Id": "tenant2"}) == 200  # known, and remembered

    await revoke(edge.nc, "tenant", "tenant2")
    await _refused(edge, member)
    gone = await edge.client.get(
        "/api/v1/users/u1", headers={"Authorization": f"Bearer {admin}", "X-Tenant-Id": "tenant2"}
    )
    assert problem(gone, 404, "NOT_FOUND")["detail"] == "tenant tenant2 not found"


async def test_a_global_admins_x_tenant_id_naming_no_tenant_is_404_and_identity_is_asked_once(edge):
    admin = {"Authorization": f"Bearer {edge.tokens.issue(sub='admin', tid=None, grants=GLOBAL_READER)}"}
    for _ in range(3):
        missing = await edge.client.get("/api/v1/users", headers=admin | {"X-Tenant-Id": "no-such-tenant"})
        assert problem(missing, 404, "NOT_FOUND")["detail"] == "tenant no-such-tenant not found"
    for _ in range(3):
        acting = await edge.client.get("/api/v1/users/u1", headers=admin | {"X-Tenant-Id": "tenant2"})
        assert acting.status_code == 200
    asked = [call.body["id"] for call in edge.services.calls_to(contract.TENANT_EXISTS)]
    assert asked == ["no-such-tenant", "tenant2"]
    assert not edge.services.calls_to(contract.LIST_USERS)  # refused before the call

    member = {"Authorization": f"Bearer {edge.tokens.issue(grants=READER)}"}
    own = await edge.client.get("/api/v1/users/u1", headers=member | {"X-Tenant-Id": "tenant1"})
    assert own.status_code == 200 and len(edge.services.calls_to(contract.TENANT_EXISTS)) == 2  # not asked


async def test_a_key_the_mirror_has_not_received_yet_works_at_once(edge):
    raw, credential = made_key(edge.secret)
    edge.unmirrored_keys[credential.lookup_id] = credential  # committed by identity, not yet in the bucket

    response = await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": raw})
    assert response.status_code == 200, response.text
    assert edge.services.calls_to(contract.GET_USER)[-1].context.credential == f"api_key:{credential.id}"
    (asked,) = edge.services.calls_to(contract.FIND_API_KEY_CREDENTIAL)
    assert asked.body == {"lookupId": credential.lookup_id}


async def test_a_made_up_key_is_refused_after_asking_identity_once(edge):
    made_up, _ = new_api_key("tenant1")
    for _ in range(3):
        response = await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": made_up})
        assert problem(response, 401, "UNAUTHORIZED")["detail"] == "invalid API key"
    assert len(edge.services.calls_to(contract.FIND_API_KEY_CREDENTIAL)) == 1
    problem(await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": "ak_malformed"}), 401, "UNAUTHORIZED")
    assert len(edge.services.calls_to(contract.FIND_API_KEY_CREDENTIAL)) == 1  # never asked about a malformed one
