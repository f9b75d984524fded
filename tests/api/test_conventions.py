"""The conventions every route shares: idempotency, ETags, listing, problems, request context, outages."""

import asyncio
import json
import math
import uuid

import httpx

from plenary_contracts import streams
from plenary_contracts.operations import SHOWN_ONCE
from plenary_kit.bus.connection import connect
from plenary_kit.testing.api import Api

from .conftest import Tenant
from .test_authentication import _problem


def test_a_retried_post_with_the_same_idempotency_key_replays_the_first_reply_and_creates_once(api: Api, acme: Tenant):
    body = {"name": f"idem-{uuid.uuid4().hex[:8]}", "permissions": ["user:read"]}
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    first = api.request("POST", "/api/v1/api-keys", token=acme.admin_token, json=body, headers=headers)
    again = api.request("POST", "/api/v1/api-keys", token=acme.admin_token, json=body, headers=headers, gateway=1)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    # the same reply, but the new key's raw value, which is shown once, is not shown again
    replayed, original = again.json(), first.json()
    assert replayed["data"].pop("rawKey") == SHOWN_ONCE and original["data"].pop("rawKey") != SHOWN_ONCE
    assert replayed == original
    changed = api.request(
        "POST", "/api/v1/api-keys", token=acme.admin_token, json=body | {"name": "other"}, headers=headers
    )
    _problem(changed, 422, "IDEMPOTENCY_KEY_REUSED")
    listed = api.ok("GET", "/api/v1/api-keys?pageSize=100", token=acme.admin_token)["data"]
    assert [k["name"] for k in listed].count(body["name"]) == 1


async def _in_flight_duplicate(api: Api, acme: Tenant) -> httpx.Response:
    nc = await connect(api.nats_url, "test-idempotency")
    kv = await nc.jetstream().key_value(streams.IDEMPOTENCY_BUCKET.name)

    async def keys() -> set[str]:
        try:
            return set(await kv.keys())
        except Exception:  # nats-py raises when the bucket is empty
            return set()

    before = await keys()
    body = {"name": "in-flight", "permissions": ["user:read"]}
    headers = {"Idempotency-Key": "in-flight-1", "Authorization": f"Bearer {acme.admin_token}"}
    url = f"{api.gateways[0]}/api/v1/api-keys"
    identity = api.processes["identity"]
    async with httpx.AsyncClient(timeout=60) as client:
        identity.pause()
        try:
            first = asyncio.create_task(client.post(url, json=body, headers=headers))
            for _ in range(200):
                if await keys() - before:
                    break
                await asyncio.sleep(0.05)
            duplicate = await client.post(url.replace(api.gateways[0], api.gateways[1]), json=body, headers=headers)
        finally:
            identity.resume()
        await first
    await nc.drain()
    return duplicate


def test_a_duplicate_while_the_first_is_in_flight_is_409_with_retry_after(api: Api, acme: Tenant):
    duplicate = asyncio.run(_in_flight_duplicate(api, acme))
    _problem(duplicate, 409, "CONFLICT")
    assert int(duplicate.headers["Retry-After"]) >= 1
    # the first request reached identity (which was paused); a retry now gets its one result
    retried = api.request(
        "POST",
        "/api/v1/api-keys",
        token=acme.admin_token,
        json={"name": "in-flight", "permissions": ["user:read"]},
        headers={"Idempotency-Key": "in-flight-1"},
    )
    assert retried.status_code == 201, retried.text
    listed = api.ok("GET", "/api/v1/api-keys?pageSize=100", token=acme.admin_token)["data"]
    assert [k["name"] for k in listed].count("in-flight") == 1


def test_a_stale_if_match_is_412_and_the_current_etag_updates(api: Api, acme: Tenant):
    key, _ = api.create_key(acme.admin_token, name="etag")
    got = api.request("GET", f"/api/v1/api-keys/{key['id']}", token=acme.admin_token)
    etag = got.headers["ETag"]
    assert (
        api.request(
            "GET", f"/api/v1/api-keys/{key['id']}", token=acme.admin_token, headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    updated = api.request(
        "PATCH",
        f"/api/v1/api-keys/{key['id']}",
        token=acme.admin_token,
        json={"name": "etag 2"},
        headers={"If-Match": etag},
    )
    assert updated.status_code == 200 and updated.headers["ETag"] != etag
    stale = api.request(
        "PATCH",
        f"/api/v1/api-keys/{key['id']}",
        token=acme.admin_token,
        json={"name": "etag 3"},
        headers={"If-Match": etag},
    )
    _problem(stale, 412, "PRECONDITION_FAILED")
    assert api.ok("GET", f"/api/v1/api-keys/{key['id']}", token=acme.admin_token)["data"]["name"] == "etag 2"


def test_lists_page_sort_and_trim_fields_with_a_meta_block(api: Api, acme: Tenant):
    for name in ("list-a", "list-b", "list-c"):
        api.create_user(acme.id, name, ["VIEWER"])
    page = api.ok("GET", "/api/v1/users?pageSize=2&page=2&sort=username:asc&fields=username", token=acme.admin_token)
    total = page["meta"]["total"]
    assert page["meta"] == {"page": 2, "pageSize": 2, "total": total, "totalPages": math.ceil(total / 2)}
    assert all(set(item) == {"id", "username"} for item in page["data"])
    everyone = api.ok("GET", "/api/v1/users?pageSize=100&sort=username:asc", token=acme.admin_token)["data"]
    assert [u["username"] for u in page["data"]] == [u["username"] for u in everyone][2:4]
    too_big = api.request("GET", "/api/v1/users?pageSize=101", token=acme.admin_token)
    assert _problem(too_big, 422, "VALIDATION_ERROR")["errors"][0]["loc"][-1] == "pageSize"
    bad_sort = api.request("GET", "/api/v1/users?sort=password:asc", token=acme.admin_token)
    assert _problem(bad_sort, 422, "VALIDATION_ERROR")["errors"][0]["loc"][-1] == "sort"


def test_bad_input_is_a_problem_with_field_errors_and_the_service_keeps_serving(api: Api, acme: Tenant):
    missing = api.request("POST", "/api/v1/api-keys", token=acme.admin_token, json={"permissions": ["nope:*x"]})
    errors = _problem(missing, 422, "VALIDATION_ERROR")["errors"]
    assert {tuple(e["loc"][-1:]) for e in errors} >= {("name",)}
    garbled = api.request(
        "POST",
        "/api/v1/api-keys",
        token=acme.admin_token,
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    _problem(garbled, 400, "BAD_REQUEST")
    _problem(api.request("GET", "/api/v1/no-such-route", token=acme.admin_token), 404, "NOT_FOUND")
    api.ok("GET", "/api/v1/auth/me", token=acme.admin_token)


async def _last_event(nats_url: str, subject: str) -> dict[str, str]:
    nc = await connect(nats_url, "test-audit")
    try:
        msg = await nc.jetstream().get_last_msg(streams.event_stream_name("identity"), subject)
        return dict(msg.headers or {}) | {"data": json.loads(msg.data)}
    finally:
        await nc.drain()


def test_a_request_carries_its_correlation_actor_ip_and_agent_into_the_events_it_causes(api: Api, acme: Tenant):
    correlation = f"audit-{uuid.uuid4().hex}"
    response = api.request(
        "POST",
        "/api/v1/api-keys",
        token=acme.admin_token,
        json={"name": "audited", "permissions": ["user:read"]},
        headers={"X-Correlation-Id": correlation, "User-Agent": "audit-test/1.0"},
    )
    assert response.status_code == 201 and response.headers["X-Correlation-Id"] == correlation
    me = api.ok("GET", "/api/v1/auth/me", token=acme.admin_token)["data"]

    def event() -> dict | None:
        headers = asyncio.run(_last_event(api.nats_url, "evt.identity.api_key.created"))
        return headers if headers.get("ce-correlationid") == correlation else None

    headers = api.until(event)
    assert headers["ce-tenantid"] == acme.id and headers["ce-actorid"] == me["id"]
    assert headers["ce-clientip"] == "127.0.0.1" and headers["ce-useragent"] == "audit-test/1.0"
    assert headers["ce-credential"].startswith("session:")
    assert "keyHash" not in headers["data"]["apiKey"]


def test_a_paused_service_is_504_and_a_missing_one_503_never_a_hang(api: Api, acme: Tenant):
    identity = api.processes["identity"]
    identity.pause()
    try:
        _problem(api.request("GET", "/api/v1/auth/me", token=acme.admin_token), 504, "TIMEOUT")
    finally:
        identity.resume()
    identity.stop()
    try:
        _problem(api.request("GET", "/api/v1/auth/me", token=acme.admin_token), 503, "SERVICE_UNAVAILABLE")
    finally:
        identity.start()
        identity.wait_ready()
    api.ok("GET", "/api/v1/auth/me", token=acme.admin_token)
