"""An authenticated read (GET /api/v1/auth/me) through one gateway process to identity, by API key and by
bearer token, driven by wrk with 64 connections; the servers' CPU per request (gateway and identity, every
thread and child, from /proc) and the in-process cost of verifying each credential."""

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import jwt
import nats

from plenary_contracts.catalog.identity import ApiKeyCredential
from plenary_contracts.credentials import (
    TOKEN_ALGORITHM,
    TOKEN_AUDIENCE,
    TOKEN_ISSUER,
    api_key_hash,
    api_key_matches,
    parse_api_key,
)
from plenary_contracts.streams import RATE_LIMITS_BUCKET
from plenary_kit.settings import Settings

from . import raw, wrk
from .context import Bench
from .proc import cpu_seconds
from .report import Figure, at_least, at_most, below
from .services import peak_memory_mib, pids, processes

AREA = "gateway"
CONNECTIONS = 64
WARM_UP_SECONDS = 2


def _per_call(fn: Callable[[], None], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - started) / rounds


def _verification_us(raw_key: str, token: str, key_set: dict[str, Any]) -> tuple[float, float]:
    """What trusting each credential costs in-process, without the network around it (µs)."""
    secret = Settings().api_key_secret
    parsed = parse_api_key(raw_key)
    assert parsed is not None
    now = datetime.now(UTC)
    mirror = {
        parsed.lookup_id: ApiKeyCredential(
            id="k", lookup_id=parsed.lookup_id, tenant_id="t", key_hash=api_key_hash(secret, raw_key),
            permissions=["*"], rate_limit_tier="STANDARD", status="ACTIVE", created_by="u",
        )
    }  # fmt: skip

    def verify_key() -> None:
        found = parse_api_key(raw_key)
        credential = mirror[found.lookup_id]  # type: ignore[union-attr]
        assert api_key_matches(secret, raw_key, credential.key_hash) and credential.usable_at(now)

    public = jwt.PyJWK(key_set["keys"][0]).key

    def verify_token() -> None:
        jwt.decode(token, public, algorithms=[TOKEN_ALGORITHM], audience=TOKEN_AUDIENCE, issuer=TOKEN_ISSUER)

    return _per_call(verify_key, 20_000) * 1e6, _per_call(verify_token, 5_000) * 1e6


async def _rate_limit_writes(nats_url: str) -> int:
    """Every write to the rate-limit bucket so far (each one a message of its stream)."""
    nc = await nats.connect(nats_url)
    try:
        return (await nc.jetstream().stream_info(f"KV_{RATE_LIMITS_BUCKET.name}")).state.last_seq
    finally:
        await nc.close()


def measure(bench: Bench) -> Iterator[Figure]:
    with processes(bench, ("identity",), gateways=1) as api:
        tenant = api.create_tenant("bench")
        api.create_user(tenant, "bench-admin", ["TENANT_ADMIN"])
        token = api.login("bench-admin")["accessToken"]
        _, key = api.create_key(token, rateLimitTier="CUSTOM", rateLimitCustom=100_000)
        api.enable_rest_api([tenant])
        api.until(lambda: api.request("GET", "/api/v1/auth/me", key=key).status_code == 200)
        url = f"{api.gateways[0]}/api/v1/auth/me"
        servers = {name: pids(api, [name]) for name in ("gateway1", "identity")}
        for label, headers in (("api_key", {"X-API-Key": key}), ("bearer", {"Authorization": f"Bearer {token}"})):
            wrk.run(url, headers, CONNECTIONS, WARM_UP_SECONDS)
            before = {name: cpu_seconds(each) for name, each in servers.items()}
            writes_before = asyncio.run(_rate_limit_writes(bench.nats_url))
            report = wrk.run(url, headers, CONNECTIONS, bench.sizes.gateway_seconds)
            writes = asyncio.run(_rate_limit_writes(bench.nats_url)) - writes_before
            per_process = {
                name: (cpu_seconds(each) - before[name]) * 1000 / max(report.requests, 1)
                for name, each in servers.items()
            }
            cpu_ms = sum(per_process.values())
            name = f"gateway.{label}"
            yield Figure(
                AREA, f"{name}.requests_per_s", report.requests_per_s, "requests/s", at_least(1000), raw.CORE_CONCURRENT
            )
            yield Figure(AREA, f"{name}.p99_ms", report.p99_ms, "ms", below(50))
            yield Figure(AREA, f"{name}.p50_ms", report.p50_ms, "ms")
            yield Figure(AREA, f"{name}.cpu_ms_per_request", cpu_ms, "ms", at_most(2))
            yield Figure(AREA, f"{name}.gateway_cpu_ms_per_request", per_process["gateway1"], "ms")
            yield Figure(AREA, f"{name}.identity_cpu_ms_per_request", per_process["identity"], "ms")
            yield Figure(AREA, f"{name}.rate_limit_writes_per_request", writes / max(report.requests, 1), "writes")
            yield Figure(AREA, f"{name}.errors", report.errors, "responses", at_most(0))
        key_us, token_us = _verification_us(key, token, api.ok("GET", "/api/v1/auth/jwks")["data"])
        yield Figure(AREA, "gateway.api_key.verify_us", key_us, "µs")
        yield Figure(AREA, "gateway.bearer.verify_us", token_us, "µs")
        yield Figure(AREA, "gateway.gateway_peak_rss_mib", peak_memory_mib(api, "gateway1"), "MiB")
        yield Figure(AREA, "gateway.identity_peak_rss_mib", peak_memory_mib(api, "identity"), "MiB")
