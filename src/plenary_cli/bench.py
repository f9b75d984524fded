"""`plenary bench`: the plumbing's speed and memory on this machine, on real servers it starts itself.

Prints figures; asserts nothing. Measures: outbox commit rate, relay + durable consumer end-to-end
latency and throughput (inbox included), request/reply latency sequentially and with concurrency,
the process's peak memory, and an authenticated GET through a gateway process to identity (API key
and bearer token) with the per-request cost of verifying each credential; then the workflow engine's
figures (``bench_workflow``) and registration's (``bench_registration``: a 100k-row import, then
registrations screened against those participants).
"""

import asyncio
import dataclasses
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jwt
from identity_svc.bootstrap import SERVICE as IDENTITY
from pydantic import BaseModel

from plenary_contracts.catalog import identity as contract
from plenary_contracts.catalog.identity import ApiKeyCredential
from plenary_contracts.credentials import (
    TOKEN_ALGORITHM,
    TOKEN_AUDIENCE,
    TOKEN_ISSUER,
    api_key_hash,
    api_key_matches,
    parse_api_key,
)
from plenary_contracts.events import EventSpec
from plenary_contracts.streams import ConsumerSpec, event_stream_name
from plenary_kit import provision
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.api import api_platform
from plenary_kit.testing.servers import ensure_consumer, nats_server, postgres_server, settings_for

from . import bench_registration, bench_workflow


class Tick(BaseModel):
    n: int
    sent: float


TICK = EventSpec("identity", "bench", "ticked", Tick, "benchmark event")
CONSUMER = ConsumerSpec(
    service="identity",
    durable="bench_ticks",
    stream=event_stream_name("identity"),
    filter_subject=TICK.subject,
    description="benchmark consumer",
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


async def _bench(settings: Settings, events: int, calls: int) -> list[str]:
    lines: list[str] = []
    provision.migrate(settings, [IDENTITY])
    await provision.apply_streams(settings)
    await provision.seed(settings, [IDENTITY])
    await ensure_consumer(settings.nats_url, CONSUMER)
    nc = await connect(settings.nats_url, "bench")

    latencies: list[float] = []
    done = asyncio.Event()

    async def record(uow, event, payload) -> None:  # type: ignore[no-untyped-def]
        latencies.append(time.time() - payload.sent)
        if len(latencies) == events:
            done.set()

    runtime = Runtime(dataclasses.replace(IDENTITY, seed=None), settings)
    runtime.consume(CONSUMER, [TICK], record)
    await runtime.start()
    try:
        started = time.perf_counter()
        for n in range(events):
            async with runtime.uow() as uow:
                uow.publish(TICK, Tick(n=n, sent=time.time()))
                await uow.commit()
        committed = time.perf_counter() - started
        await asyncio.wait_for(done.wait(), 300)
        total = time.perf_counter() - started
        lines += [
            f"outbox commit (one event per transaction): {events / committed:,.0f} events/s",
            f"commit -> relay -> JetStream -> durable consumer (inbox): {events / total:,.0f} events/s end to end",
            f"  event latency p50 {_ms(statistics.median(latencies))}, p95 {_ms(_pct(latencies, 0.95))},"
            f" p99 {_ms(_pct(latencies, 0.99))}",
        ]

        request = contract.EvaluateFeatureFlag(key="FF_WAITLIST")
        timings: list[float] = []
        for _ in range(calls):
            t0 = time.perf_counter()
            await call(nc, contract.EVALUATE_FEATURE_FLAG, request)
            timings.append(time.perf_counter() - t0)
        lines.append(
            f"request/reply (query with a database read), sequential: p50 {_ms(statistics.median(timings))},"
            f" p99 {_ms(_pct(timings, 0.99))}, {calls / sum(timings):,.0f} calls/s"
        )
        t0 = time.perf_counter()
        await asyncio.gather(*(call(nc, contract.EVALUATE_FEATURE_FLAG, request) for _ in range(calls)))
        lines.append(f"request/reply, {calls} concurrent: {calls / (time.perf_counter() - t0):,.0f} calls/s")
    finally:
        await runtime.stop()
        await nc.drain()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"peak memory of this process (one service runtime + client): {peak:.0f} MiB")
    return lines


GATEWAY_CONCURRENCY = 32


async def _http_load(url: str, headers: dict[str, str], requests: int, concurrency: int) -> tuple[float, list[float]]:
    timings: list[float] = []
    queue = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        for _ in queue:
            t0 = time.perf_counter()
            response = await client.get(url, headers=headers)
            timings.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started, timings


def _per_call(fn, rounds: int = 20_000) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - t0) / rounds


def _credential_costs(raw_key: str, token: str, key_set: dict) -> list[str]:  # type: ignore[type-arg]
    """What the gateway does per request to trust a credential, without the network around it."""
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

    return [
        f"API key verification (parse, O(1) lookup, HMAC-SHA256, constant-time compare): "
        f"{_per_call(verify_key) * 1e6:.1f} µs per request",
        f"access token verification (JWT EdDSA signature and claims): "
        f"{_per_call(verify_token, 5000) * 1e6:.1f} µs per request",
    ]


def _gateway_bench(database_url: str, nats_url: str, workdir: Path, requests: int) -> list[str]:
    lines: list[str] = []
    password = "bench-admin-password"
    with api_platform(database_url, nats_url, workdir, password, gateways=1) as api:
        tenant = api.create_tenant("bench")
        api.create_user(tenant, "bench-admin", ["TENANT_ADMIN"])
        token = api.login("bench-admin")["accessToken"]
        _, raw = api.create_key(token, rateLimitTier="CUSTOM", rateLimitCustom=100_000)
        api.enable_rest_api([tenant])
        api.until(lambda: api.request("GET", "/api/v1/auth/me", key=raw).status_code == 200)
        url = f"{api.gateways[0]}/api/v1/auth/me"
        for label, headers in (("API key", {"X-API-Key": raw}), ("bearer token", {"Authorization": f"Bearer {token}"})):
            asyncio.run(_http_load(url, headers, 200, GATEWAY_CONCURRENCY))  # warm-up
            elapsed, timings = asyncio.run(_http_load(url, headers, requests, GATEWAY_CONCURRENCY))
            lines.append(
                f"GET /api/v1/auth/me through the gateway ({label}, {GATEWAY_CONCURRENCY} concurrent, "
                f"{requests} requests): {requests / elapsed:,.0f} requests/s, "
                f"p50 {_ms(statistics.median(timings))}, p99 {_ms(_pct(timings, 0.99))}"
            )
        lines += _credential_costs(raw, token, api.ok("GET", "/api/v1/auth/jwks")["data"])
    return lines


def run(
    events: int = 2000, calls: int = 1000, requests: int = 3000, actions: int = 1500, import_rows: int = 100_000
) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="plenary-bench-"))
    workdir.chmod(0o755)
    with postgres_server(workdir) as pg, nats_server(workdir) as nats:
        database = pg.create_database()
        settings = settings_for(pg.url_for(database), nats.url, log_level="WARNING")
        lines = asyncio.run(_bench(settings, events, calls))
        gateway_database = pg.create_database()
        lines += _gateway_bench(pg.url_for(gateway_database), nats.url, workdir, requests)
        lines += bench_workflow.condition_figures()
        workflow_database = pg.create_database()
        workflow_settings = settings_for(pg.url_for(workflow_database), nats.url, log_level="WARNING")
        lines += asyncio.run(bench_workflow.engine_figures(workflow_settings, actions))
        registration_database = pg.create_database()
        registration_settings = settings_for(pg.url_for(registration_database), nats.url, log_level="WARNING")
        lines += asyncio.run(bench_registration.registration_figures(registration_settings, import_rows))
        return lines
