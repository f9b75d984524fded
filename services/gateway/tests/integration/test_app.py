"""The whole gateway app in-process (real runtime, NATS and buckets) in front of a fake identity."""

import asyncio
import json

import pytest

from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import ApiKeyStatus, RateLimitTier
from plenary_contracts.errors import NotFound, PreconditionFailed
from plenary_contracts.feeds import CLOSED_EVENT
from plenary_contracts.registry import FEEDS, OPERATIONS
from plenary_contracts.streams import API_KEYS_BUCKET
from plenary_kit.testing.plugin import eventually

from .app_harness import TENANT, Edge, client_for, problem, put_key, user

pytestmark = pytest.mark.integration


async def _usable(edge: Edge, raw: str) -> None:
    """Wait until the gateway's mirror has the key (one accepted request)."""

    async def accepted() -> bool:
        response = await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": raw})
        return response.status_code == 200

    await eventually(accepted)


async def test_the_document_is_openapi_3_1_with_every_contract_route_and_docs_are_served(edge):
    document = (await edge.client.get("/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    routed = {(op.http.method.lower(), "/api/v1" + op.http.path) for op in OPERATIONS if op.http}
    assert routed <= {(m, p) for p, item in document["paths"].items() for m in item}
    assert set(document["components"]["securitySchemes"]) == {"ApiKeyAuth", "BearerAuth", "AccessTokenQuery"}
    for feed in FEEDS:  # the live feeds too, as event streams
        streamed = document["paths"]["/api/v1" + feed.path]["get"]
        assert "text/event-stream" in streamed["responses"]["200"]["content"]
        assert {"AccessTokenQuery": []} in streamed["security"]
        assert set(streamed["x-sse-events"]) == {*(each.name for each in feed.events), CLOSED_EVENT}
    feed_paths = {"/api/v1" + feed.path for feed in FEEDS}
    in_urls = [path for path, item in document["paths"].items() if "AccessTokenQuery" in json.dumps(item)]
    assert set(in_urls) == feed_paths  # a token in the URL is for feeds only
    assert (await edge.client.get("/docs")).status_code == 200


async def test_an_api_key_request_reaches_the_service_with_its_context(edge):
    raw, key = await put_key(edge.nc, edge.secret)
    await eventually(lambda: edge.gateway.keys.get(key.lookup_id) is not None)
    response = await edge.client.get(
        "/api/v1/users/u7",
        headers={"X-API-Key": raw, "X-Request-Id": "req-42", "User-Agent": "tests\x01/1", "X-Forwarded-For": "1.2.3.4"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": user("u7")}
    assert response.headers["X-Correlation-Id"] == "req-42"
    assert response.headers["ETag"].startswith('"') and response.headers["X-RateLimit-Limit"] == "100"
    assert response.headers["RateLimit-Policy"] == '"STANDARD";q=100;w=60'
    (call,) = edge.services.calls_to(contract.GET_USER)
    context = call.context
    assert (context.tenant_id, context.actor_id, context.credential) == (TENANT, "creator1", f"api_key:{key.id}")
    assert (context.client_ip, context.user_agent, context.correlation_id) == ("203.0.113.5", "tests/1", "req-42")
    assert context.grants == "user:read;any;TENANT;"


async def test_a_matching_if_none_match_is_304(edge):
    token = edge.tokens.issue(grants=("user:read;any;TENANT;",))
    first = await edge.client.get("/api/v1/users/u1", headers={"Authorization": f"Bearer {token}"})
    again = await edge.client.get(
        "/api/v1/users/u1", headers={"Authorization": f"Bearer {token}", "If-None-Match": first.headers["ETag"]}
    )
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", first.headers["ETag"])


async def test_every_way_of_presenting_a_bad_credential_is_a_401problem(edge):
    raw, _ = await put_key(edge.nc, edge.secret)
    revoked, _ = await put_key(edge.nc, edge.secret, status=ApiKeyStatus.REVOKED)
    await _usable(edge, raw)
    wrong_secret = raw[:-4] + ("0000" if not raw.endswith("0000") else "1111")
    details = set()
    for headers in ({"X-API-Key": "nope"}, {"X-API-Key": wrong_secret}, {"X-API-Key": revoked}):
        details.add(problem(await edge.client.get("/api/v1/users/u1", headers=headers), 401, "UNAUTHORIZED")["detail"])
    assert details == {"invalid API key"}
    missing = await edge.client.get("/api/v1/users/u1")
    problem(missing, 401, "UNAUTHORIZED")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    expired = edge.tokens.issue(expires_in=-120)
    for bad in (expired, "garbage", edge.tokens.issue()[:-3] + "AAA"):
        response = await edge.client.get("/api/v1/users/u1", headers={"Authorization": f"Bearer {bad}"})
        problem(response, 401, "UNAUTHORIZED")
    both = await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": raw, "Authorization": "Bearer x"})
    problem(both, 400, "BAD_REQUEST")


async def test_the_rest_api_flag_ip_list_origin_and_permissions_hold_a_key_back(edge):
    other_tenant, _ = await put_key(edge.nc, edge.secret, tenant_id="tenant2")
    elsewhere, _ = await put_key(edge.nc, edge.secret, allowed_ips=["198.51.100.0/24"])
    network, _ = await put_key(edge.nc, edge.secret, allowed_ips=["203.0.113.0/24"])
    reader, _ = await put_key(edge.nc, edge.secret, permissions=["api-keys:*"], allowed_origins=["https://app.test"])
    await _usable(edge, network)
    problem(await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": other_tenant}), 404, "NOT_FOUND")
    problem(await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": elsewhere}), 403, "FORBIDDEN")
    denied = await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": reader, "Origin": "https://app.test"})
    assert "lacks required permission: user:read" in problem(denied, 403, "FORBIDDEN")["detail"]
    assert denied.headers["Access-Control-Allow-Origin"] == "https://app.test"
    foreign = await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": reader, "Origin": "https://evil.test"})
    problem(foreign, 403, "FORBIDDEN")


async def test_global_only_operations_and_tenant_overrides(edge):
    tenant_admin = edge.tokens.issue(grants=("tenant:manage;any;GLOBAL;", "user:read;any;TENANT;"))
    global_admin = edge.tokens.issue(
        sub="admin", tid=None, grants=("tenant:manage;any;GLOBAL;", "user:read;any;GLOBAL;")
    )
    problem(
        await edge.client.get("/api/v1/tenants", headers={"Authorization": f"Bearer {tenant_admin}"}), 403, "FORBIDDEN"
    )
    raw, _ = await put_key(edge.nc, edge.secret)
    await _usable(edge, raw)
    by_key = await edge.client.get("/api/v1/tenants", headers={"X-API-Key": raw})
    assert problem(by_key, 401, "UNAUTHORIZED")["detail"].startswith("this operation needs a user's access token")
    moved = await edge.client.get(
        "/api/v1/users/u1", headers={"Authorization": f"Bearer {tenant_admin}", "X-Tenant-Id": "tenant2"}
    )
    problem(moved, 403, "FORBIDDEN")
    acting = await edge.client.get(
        "/api/v1/users/u1", headers={"Authorization": f"Bearer {global_admin}", "X-Tenant-Id": "tenant2"}
    )
    assert acting.status_code == 200
    context = edge.services.calls_to(contract.GET_USER)[-1].context
    assert (context.tenant_id, context.actor_id, context.credential) == ("tenant2", "admin", "session:s-admin")


async def test_validation_errors_name_where_the_field_was(edge):
    token = edge.tokens.issue(sub="admin", tid=None, grants=("user:read;any;GLOBAL;", "user:create;any;GLOBAL;"))
    auth = {"Authorization": f"Bearer {token}"}
    query = problem(await edge.client.get("/api/v1/users?pageSize=101&page=x", headers=auth), 422, "VALIDATION_ERROR")
    assert {tuple(e["loc"]) for e in query["errors"]} == {("query", "pageSize"), ("query", "page")}
    path = problem(await edge.client.get("/api/v1/users/bad%20id", headers=auth), 422, "VALIDATION_ERROR")
    assert path["errors"][0]["loc"] == ["path", "id"]
    body = problem(await edge.client.post("/api/v1/users", json={"email": 5}, headers=auth), 422, "VALIDATION_ERROR")
    assert ["body", "email"] in [e["loc"] for e in body["errors"]] and ["body", "username"] in [
        e["loc"] for e in body["errors"]
    ]
    problem(await edge.client.post("/api/v1/users", content=b"{no", headers=auth), 400, "BAD_REQUEST")
    problem(await edge.client.post("/api/v1/users", content=b" ", headers=auth), 400, "BAD_REQUEST")
    nul = {"email": "a\u0000@example.test", "username": "abc", "password": "a-long-password"}
    stored = await edge.client.post("/api/v1/users", content=json.dumps(nul).encode(), headers=auth)
    assert problem(stored, 422, "VALIDATION_ERROR")["errors"][0]["loc"] == ["body", "email"]
    problem(await edge.client.post("/api/v1/users", json=[1], headers=auth), 422, "VALIDATION_ERROR")
    huge = b'{"name": "' + b"x" * 1_100_000 + b'"}'
    problem(await edge.client.post("/api/v1/users", content=huge, headers=auth), 413, "PAYLOAD_TOO_LARGE")


async def test_unknown_routes_and_methods_are_problems_too(edge):
    missing = await edge.client.get("/api/v1/nothing-here")
    problem(missing, 404, "NOT_FOUND")
    wrong = await edge.client.put("/api/v1/users")
    problem(wrong, 405, "METHOD_NOT_ALLOWED")
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "POST", "OPTIONS"}


async def test_a_retried_post_is_replayed_a_different_body_refused_and_a_duplicate_in_flight_is_409(edge):
    release = asyncio.Event()
    created = []

    async def create_user(body):  # type: ignore[no-untyped-def]
        created.append(body)
        await release.wait()
        return user("new1")

    await edge.services.answer(contract.CREATE_USER, create_user)
    token = edge.tokens.issue(grants=("user:create;any;TENANT;",))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "create-1"}
    body = {"email": "new1@example.test", "username": "new1", "password": "a-long-password"}
    first = asyncio.create_task(edge.client.post("/api/v1/users", json=body, headers=headers))
    await eventually(lambda: created)
    duplicate = await edge.client.post("/api/v1/users", json=body, headers=headers)
    problem(duplicate, 409, "CONFLICT")
    assert duplicate.headers["Retry-After"] == "1"
    release.set()
    original = await first
    assert original.status_code == 201
    replay = await edge.client.post("/api/v1/users", json=dict(reversed(body.items())), headers=headers)
    assert (replay.status_code, replay.json(), replay.headers["Idempotent-Replayed"]) == (201, original.json(), "true")
    assert replay.headers["ETag"] == original.headers["ETag"]
    assert len(created) == 1
    assert edge.services.calls_to(contract.CREATE_USER)[0].context.idempotency_key == "session:s-u1:create-1"
    reused = await edge.client.post("/api/v1/users", json=body | {"username": "other"}, headers=headers)
    problem(reused, 422, "IDEMPOTENCY_KEY_REUSED")


async def test_service_errors_pass_through_as_problems_and_try_again_answers_are_not_kept(edge):
    outcomes = [PreconditionFailed("stale"), NotFound("no such user")]

    def update_user(body):  # type: ignore[no-untyped-def]
        raise outcomes.pop(0)

    await edge.services.answer(contract.UPDATE_USER, update_user)
    token = edge.tokens.issue(grants=("user:update;any;TENANT;",))
    headers = {"Authorization": f"Bearer {token}", "If-Match": '"1"', "Idempotency-Key": "u-1"}
    problem(
        await edge.client.patch("/api/v1/users/u1", json={"name": "N"}, headers=headers), 412, "PRECONDITION_FAILED"
    )
    assert edge.services.calls_to(contract.UPDATE_USER)[0].context.if_match == '"1"'
    replay = await edge.client.patch("/api/v1/users/u1", json={"name": "N"}, headers=headers)
    assert replay.status_code == 412 and replay.headers["Idempotent-Replayed"] == "true"
    problem(
        await edge.client.patch("/api/v1/users/u1", json={"name": "N"}, headers=headers | {"Idempotency-Key": "u-2"}),
        404,
        "NOT_FOUND",
    )


async def test_a_service_that_is_not_there_is_503(edge):
    token = edge.tokens.issue(grants=("role:read;any;TENANT;",))
    problem(
        await edge.client.get("/api/v1/roles", headers={"Authorization": f"Bearer {token}"}), 503, "SERVICE_UNAVAILABLE"
    )


async def test_a_key_over_its_limit_is_429_with_retry_after_and_usage_is_sent_after_the_fact(edge):
    raw, key = await put_key(edge.nc, edge.secret, rate_limit_tier=RateLimitTier.CUSTOM, rate_limit_custom=3)
    await _usable(edge, raw)
    responses = [await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": raw}) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 429, 429]  # _usable spent one
    limited = responses[-1]
    problem(limited, 429, "RATE_LIMITED")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60 and limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["RateLimit"].startswith('"CUSTOM";r=0;t=')

    def counted() -> int:
        calls = edge.services.calls_to(contract.RECORD_API_KEY_USAGE)
        return sum(u["count"] for c in calls for u in c.body["usages"] if u["keyId"] == key.id)

    await eventually(lambda: counted() == 3)


async def test_anonymous_calls_to_public_operations_are_limited_per_address(edge):
    statuses = [(await edge.client.get("/api/v1/auth/jwks")).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    elsewhere = client_for(edge.client._transport.app, address="198.51.100.20")
    async with elsewhere:
        assert (await elsewhere.get("/api/v1/auth/jwks")).json() == {"data": edge.tokens.key_set}


async def test_cors_preflight_is_answered_for_origins_some_key_allows(edge):
    raw, _ = await put_key(edge.nc, edge.secret, allowed_origins=["https://app.test"])
    await _usable(edge, raw)
    asked = {"Origin": "https://app.test", "Access-Control-Request-Method": "GET"}
    allowed = await edge.client.options("/api/v1/users/u1", headers=asked)
    assert allowed.status_code == 204 and allowed.headers["Access-Control-Allow-Origin"] == "https://app.test"
    assert "X-API-Key" in allowed.headers["Access-Control-Allow-Headers"]
    refused = await edge.client.options("/api/v1/users/u1", headers=asked | {"Origin": "https://evil.test"})
    problem(refused, 403, "FORBIDDEN")


async def test_the_gateway_forgets_a_key_deleted_from_the_bucket(edge):
    raw, key = await put_key(edge.nc, edge.secret)
    await _usable(edge, raw)
    kv = await edge.nc.jetstream().key_value(API_KEYS_BUCKET.name)
    await kv.delete(key.lookup_id)
    await eventually(lambda: edge.gateway.keys.get(key.lookup_id) is None)
    problem(await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": raw}), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("flush_seconds", [3600.0])
async def test_usage_counted_before_shutdown_is_sent_when_the_gateway_stops(edge):
    raw, key = await put_key(edge.nc, edge.secret)
    await _usable(edge, raw)
    assert (await edge.client.get("/api/v1/users/u1", headers={"X-API-Key": raw})).status_code == 200
    assert not edge.services.calls_to(contract.RECORD_API_KEY_USAGE)
    await edge.runtime.stop()
    (call,) = edge.services.calls_to(contract.RECORD_API_KEY_USAGE)
    assert [(u["keyId"], u["count"], u["lastUsedIp"]) for u in call.body["usages"]] == [(key.id, 2, "203.0.113.5")]
