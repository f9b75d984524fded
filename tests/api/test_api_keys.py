"""API keys through the gateways: revocation, rotation grace, expiry, IP allow-list, usage, rate limits."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from plenary_kit.testing.api import Api

from .conftest import Tenant
from .test_authentication import _problem


def _status(api: Api, raw: str, gateway: int = 0) -> int:
    return api.request("GET", "/api/v1/auth/me", key=raw, gateway=gateway).status_code


def test_a_revoked_key_is_refused_on_every_gateway(api: Api, acme: Tenant, key_usable):
    key, raw = api.create_key(acme.admin_token)
    key_usable(raw)
    revoked = api.ok("POST", f"/api/v1/api-keys/{key['id']}/revoke", token=acme.admin_token)["data"]
    assert revoked["status"] == "REVOKED" and revoked["revokedAt"]
    for gateway in (0, 1):
        api.until(lambda g=gateway: _status(api, raw, g) == 401)
    _problem(api.request("POST", f"/api/v1/api-keys/{key['id']}/revoke", token=acme.admin_token), 400, "BAD_REQUEST")


def test_rotation_keeps_the_old_key_only_for_its_grace_period(api: Api, acme: Tenant, key_usable):
    key, old = api.create_key(acme.admin_token, permissions=["user:read"], allowedIps=["127.0.0.1"])
    key_usable(old)
    rotated = api.ok(
        "POST", f"/api/v1/api-keys/{key['id']}/rotate", 201, token=acme.admin_token, json={"graceHours": 1}
    )
    new, new_raw = rotated["data"]["apiKey"], rotated["data"]["rawKey"]
    assert (new["rotatedFromId"], new["permissions"], new["allowedIps"]) == (key["id"], ["user:read"], ["127.0.0.1"])
    key_usable(new_raw)
    assert _status(api, old) == 200  # inside the grace period
    assert api.ok("GET", f"/api/v1/api-keys/{key['id']}", token=acme.admin_token)["data"]["status"] == "ROTATED"

    again = api.ok("POST", f"/api/v1/api-keys/{new['id']}/rotate", 201, token=acme.admin_token, json={"graceHours": 0})
    newest = again["data"]["rawKey"]
    key_usable(newest)
    for gateway in (0, 1):
        api.until(lambda g=gateway: _status(api, new_raw, g) == 401)
    _problem(
        api.request("POST", f"/api/v1/api-keys/{key['id']}/rotate", token=acme.admin_token, json={}), 400, "BAD_REQUEST"
    )


def test_an_expired_key_is_refused_and_the_sweeper_marks_it_expired(api: Api, acme: Tenant, key_usable):
    expires = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    key, raw = api.create_key(acme.admin_token, expiresAt=expires)
    key_usable(raw)
    api.until(lambda: _status(api, raw) == 401, timeout=20)
    api.until(
        lambda: api.ok("GET", f"/api/v1/api-keys/{key['id']}", token=acme.admin_token)["data"]["status"] == "EXPIRED",
        timeout=20,
    )


def test_a_key_with_an_ip_allow_list_works_only_from_those_addresses(api: Api, acme: Tenant, key_usable):
    _, local = api.create_key(acme.admin_token, allowedIps=["127.0.0.0/8"])
    key_usable(local)
    _, remote = api.create_key(acme.admin_token, allowedIps=["203.0.113.7"])
    api.until(lambda: _status(api, remote) == 403)
    _problem(api.request("GET", "/api/v1/auth/me", key=remote), 403, "FORBIDDEN")


def test_usage_is_counted_after_the_fact(api: Api, acme: Tenant, key_usable):
    key, raw = api.create_key(acme.admin_token)
    key_usable(raw)
    for gateway in (0, 1, 0):
        api.ok("GET", "/api/v1/auth/me", key=raw, gateway=gateway)

    def counted() -> dict | None:
        data = api.ok("GET", f"/api/v1/api-keys/{key['id']}", token=acme.admin_token)["data"]
        return data if data["usageCount"] >= 3 + 2 else None  # 2 gateways' readiness probes by key_usable

    data = api.until(counted)
    assert data["lastUsedIp"] == "127.0.0.1" and data["lastUsedAt"]


async def _burst(api: Api, raw: str, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=60) as client:
        return await asyncio.gather(
            *(client.get(f"{api.gateways[i % 2]}/api/v1/api-keys", headers={"X-API-Key": raw}) for i in range(count))
        )


def test_a_standard_key_gets_exactly_100_requests_a_minute_across_two_gateways(api: Api, acme: Tenant):
    _, raw = api.create_key(acme.admin_token, permissions=["api-keys:manage"])
    # wait for the mirrors: an unknown key is 401 and not counted; the one successful probe per gateway is
    for gateway in (0, 1):
        api.until(lambda g=gateway: _status(api, raw, g) != 401)
    used = 2
    responses = asyncio.run(_burst(api, raw, 150))
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 100 - used and statuses.count(429) == 50 + used, statuses
    limited = next(r for r in responses if r.status_code == 429)
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert limited.json()["code"] == "RATE_LIMITED"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Limit"] == "100" and limited.headers["X-RateLimit-Remaining"] == "0"
    accepted = next(r for r in responses if r.status_code == 200)
    assert "q=100" in accepted.headers["RateLimit-Policy"] and "r=" in accepted.headers["RateLimit"]
    # rejected requests were not counted: the limit is still exactly spent, not over-spent
    again = api.request("GET", "/api/v1/api-keys", key=raw, gateway=1)
    assert again.status_code == 429 and again.headers["X-RateLimit-Remaining"] == "0"
