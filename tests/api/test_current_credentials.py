"""What a gateway decides without asking identity stays current on every replica: an ended session or a
grant taken away stops an access token within a second, a key works the moment it is made, and a global
admin's X-Tenant-Id must name a tenant that exists."""

from typing import Any

import httpx

from plenary_kit.testing.api import PASSWORD, Api

from .conftest import Tenant

WITHIN_A_SECOND = 1.0


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


def _status(api: Api, token: str, gateway: int = 0) -> int:
    return api.request("GET", "/api/v1/users", gateway=gateway, token=token).status_code


def _signed_in(api: Api, tenant: Tenant, username: str, roles: tuple[str, ...] = ("TENANT_ADMIN",)):  # type: ignore[no-untyped-def]
    user_id = api.create_user(tenant.id, username, list(roles))
    pair = api.login(username)
    assert [_status(api, pair["accessToken"], g) for g in range(len(api.gateways))] == [200] * len(api.gateways)
    return user_id, pair


def _refused_everywhere(api: Api, token: str) -> None:
    for gateway in range(len(api.gateways)):
        api.until(lambda g=gateway: _status(api, token, g) == 401, timeout=WITHIN_A_SECOND)
    response = api.request("GET", "/api/v1/users", token=token)
    assert "revoked" in _problem(response, 401, "UNAUTHORIZED")["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_suspended_users_token_is_refused_within_a_second_on_every_gateway(api: Api, acme: Tenant):
    user_id, pair = _signed_in(api, acme, "rv-suspended")
    api.ok("PATCH", f"/api/v1/users/{user_id}", token=acme.admin_token, json={"status": "SUSPENDED"})
    _refused_everywhere(api, pair["accessToken"])
    escalation = {"email": "rv-x@users.test", "username": "rv-x", "password": PASSWORD}
    escalation["roles"] = [{"role": "TENANT_ADMIN"}]
    _problem(api.request("POST", "/api/v1/users", token=pair["accessToken"], json=escalation), 401, "UNAUTHORIZED")
    refreshed = api.request("POST", "/api/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    _problem(refreshed, 401, "UNAUTHORIZED")


def test_a_deleted_users_token_is_refused_within_a_second(api: Api, acme: Tenant):
    user_id, pair = _signed_in(api, acme, "rv-deleted")
    api.ok("DELETE", f"/api/v1/users/{user_id}", 204, token=acme.admin_token)
    _refused_everywhere(api, pair["accessToken"])
    refreshed = api.request("POST", "/api/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    _problem(refreshed, 401, "UNAUTHORIZED")


def test_a_logged_out_sessions_token_is_refused_and_the_users_other_session_still_works(api: Api, acme: Tenant):
    _, leaving = _signed_in(api, acme, "rv-two-sessions")
    staying = api.login("rv-two-sessions")
    api.ok("POST", "/api/v1/auth/logout", 204, json={"refreshToken": leaving["refreshToken"]})
    _refused_everywhere(api, leaving["accessToken"])
    assert _status(api, staying["accessToken"]) == 200


def test_a_password_change_refuses_the_old_token(api: Api, acme: Tenant):
    user_id, pair = _signed_in(api, acme, "rv-new-password")
    api.ok("PATCH", f"/api/v1/users/{user_id}", token=acme.admin_token, json={"password": "a-brand-new-password"})
    _refused_everywhere(api, pair["accessToken"])
    assert _status(api, api.login("rv-new-password", "a-brand-new-password")["accessToken"]) == 200


def test_reusing_a_refresh_token_refuses_the_sessions_access_tokens(api: Api, acme: Tenant):
    _, first = _signed_in(api, acme, "rv-reuse")
    second = api.ok("POST", "/api/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})["data"]
    reused = api.request("POST", "/api/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    _problem(reused, 401, "UNAUTHORIZED")
    _refused_everywhere(api, second["accessToken"])


def test_a_removed_role_refuses_the_old_token_and_a_refresh_gives_one_without_its_grants(api: Api, acme: Tenant):
    user_id, pair = _signed_in(api, acme, "rv-demoted")
    user = api.ok("GET", f"/api/v1/users/{user_id}", token=acme.admin_token)["data"]
    (assignment,) = user["roles"]
    api.ok("DELETE", f"/api/v1/users/{user_id}/roles/{assignment['id']}", token=acme.admin_token)
    _refused_everywhere(api, pair["accessToken"])
    renewed = api.ok("POST", "/api/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})["data"]
    for gateway in range(len(api.gateways)):
        denied = api.request("GET", "/api/v1/users", gateway=gateway, token=renewed["accessToken"])
        assert "lacks required permission: user:read" in _problem(denied, 403, "FORBIDDEN")["detail"]


def test_a_new_api_key_works_at_once_on_every_gateway(api: Api, acme: Tenant):
    for gateway in range(len(api.gateways)):
        _, raw = api.create_key(acme.admin_token, name=f"rv-fresh-{gateway}")
        response = api.request("GET", "/api/v1/auth/me", gateway=gateway, key=raw)
        assert response.status_code == 200, response.text


def test_a_global_admins_x_tenant_id_naming_no_tenant_is_404(api: Api, acme: Tenant):
    missing = api.request("GET", "/api/v1/users", token=api.admin, headers={"X-Tenant-Id": "no-such-tenant"})
    assert _problem(missing, 404, "NOT_FOUND")["detail"] == "tenant no-such-tenant not found"
    acting = api.ok("GET", "/api/v1/users", token=api.admin, headers={"X-Tenant-Id": acme.id})["data"]
    assert {u["tenantId"] for u in acting} == {acme.id}


def test_a_deleted_tenant_cannot_be_named_and_its_users_tokens_are_refused(api: Api):
    doomed = Tenant(api.create_tenant("rv-doomed"), "", "", "")
    _, pair = _signed_in(api, doomed, "rv-doomed-admin")
    for gateway in range(len(api.gateways)):  # each gateway knows the tenant exists
        named = api.request(
            "GET", "/api/v1/users", gateway=gateway, token=api.admin, headers={"X-Tenant-Id": doomed.id}
        )
        assert named.status_code == 200, named.text
    api.ok("DELETE", f"/api/v1/tenants/{doomed.id}", 204, token=api.admin)
    _refused_everywhere(api, pair["accessToken"])
    for gateway in range(len(api.gateways)):
        gone = api.request("GET", "/api/v1/users", gateway=gateway, token=api.admin, headers={"X-Tenant-Id": doomed.id})
        _problem(gone, 404, "NOT_FOUND")


def test_a_global_admin_reads_changes_and_deletes_a_tenants_user_without_x_tenant_id(api: Api, acme: Tenant):
    user_id = api.create_user(acme.id, "rv-anyone", ["VALIDATOR"])
    found = api.ok("GET", f"/api/v1/users/{user_id}", token=api.admin)["data"]
    assert (found["id"], found["tenantId"]) == (user_id, acme.id)
    renamed = api.ok("PATCH", f"/api/v1/users/{user_id}", token=api.admin, json={"name": "Anyone Else"})["data"]
    assert renamed["name"] == "Anyone Else"
    api.ok("DELETE", f"/api/v1/users/{user_id}", 204, token=api.admin)
    _problem(api.request("GET", f"/api/v1/users/{user_id}", token=api.admin), 404, "NOT_FOUND")
