"""Permissions, global-only operations, feature flags and tenant isolation."""

from plenary_kit.testing.api import Api

from .conftest import Tenant
from .test_authentication import _problem


def test_a_user_without_the_permission_is_403_naming_it(api: Api, acme: Tenant):
    api.create_user(acme.id, "acme-viewer", ["VIEWER"])
    viewer = api.login("acme-viewer")["accessToken"]
    body = _problem(api.request("GET", "/api/v1/api-keys", token=viewer), 403, "FORBIDDEN")
    assert "api-keys:manage" in body["detail"]


def test_a_tenant_admin_cannot_manage_tenants_or_global_flags(api: Api, acme: Tenant):
    _problem(api.request("GET", "/api/v1/tenants", token=acme.admin_token), 403, "FORBIDDEN")
    patch = {"enabled": True}
    _problem(
        api.request("PATCH", "/api/v1/feature-flags/FF_WAITLIST", token=acme.admin_token, json=patch), 403, "FORBIDDEN"
    )


def test_another_tenants_key_and_user_are_404_not_403(api: Api, acme: Tenant, globex: Tenant):
    _problem(api.request("GET", f"/api/v1/api-keys/{globex.key_id}", token=acme.admin_token), 404, "NOT_FOUND")
    _problem(api.request("GET", f"/api/v1/api-keys/{globex.key_id}", key=acme.key), 404, "NOT_FOUND")
    globex_user = api.ok("GET", "/api/v1/users", token=globex.admin_token)["data"][0]["id"]
    _problem(api.request("GET", f"/api/v1/users/{globex_user}", token=acme.admin_token), 404, "NOT_FOUND")
    listed = api.ok("GET", "/api/v1/api-keys", token=acme.admin_token)["data"]
    assert globex.key_id not in {k["id"] for k in listed}


def test_a_key_is_held_to_its_permission_list_with_wildcards(api: Api, acme: Tenant, key_usable):
    _, users_only = api.create_key(acme.admin_token, permissions=["user:*"])
    key_usable(users_only)
    api.ok("GET", "/api/v1/users", key=users_only)
    body = _problem(api.request("GET", "/api/v1/api-keys", key=users_only), 403, "FORBIDDEN")
    assert "api-keys:manage" in body["detail"]


def test_a_global_admin_acts_inside_a_tenant_with_x_tenant_id_and_others_cannot(api: Api, acme: Tenant, globex: Tenant):
    listed = api.ok("GET", "/api/v1/api-keys", token=api.admin, headers={"X-Tenant-Id": acme.id})["data"]
    assert acme.key_id in {k["id"] for k in listed}
    _problem(
        api.request("GET", "/api/v1/api-keys", token=acme.admin_token, headers={"X-Tenant-Id": globex.id}),
        403,
        "FORBIDDEN",
    )


def test_rest_api_flag_off_for_a_tenant_hides_the_api_from_its_keys(api: Api, acme: Tenant, globex: Tenant):
    api.ok("GET", "/api/v1/auth/me", key=globex.key)
    api.enable_rest_api([acme.id])
    try:
        api.until(lambda: api.request("GET", "/api/v1/auth/me", key=globex.key).status_code == 404)
        _problem(api.request("GET", "/api/v1/auth/me", key=globex.key, gateway=1), 404, "NOT_FOUND")
        api.ok("GET", "/api/v1/auth/me", key=acme.key)
        api.ok("GET", "/api/v1/auth/me", token=globex.admin_token)  # user sessions are not the REST API flag's
    finally:
        api.enable_rest_api([acme.id, globex.id])
    api.until(lambda: api.request("GET", "/api/v1/auth/me", key=globex.key, gateway=1).status_code == 200)


def test_a_role_given_after_login_counts_from_the_next_token(api: Api, acme: Tenant):
    user_id = api.create_user(acme.id, "acme-late", [])
    before = api.login("acme-late")["accessToken"]
    _problem(api.request("GET", "/api/v1/users", token=before), 403, "FORBIDDEN")
    api.ok("POST", f"/api/v1/users/{user_id}/roles", 201, token=acme.admin_token, json={"role": "TENANT_ADMIN"})
    after = api.login("acme-late")["accessToken"]
    api.ok("GET", "/api/v1/users", token=after)
