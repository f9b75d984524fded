"""Check-in: a badge verified offline, as a scanner does it, in one process (decode, find the tenant's key by its
id, check the Ed25519 signature); then scans through the gateway, as an event's gates make them: 32 paired
scanners (each its own device key) posting badges to one checkpoint, driven by wrk. First scans (every badge
admitted once) and rescans (every badge already admitted today), each with the servers' CPU per scan. pretix's
check-in redeem measured 29.6 scans/s on this machine; the goal is 30 times that."""

import asyncio
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from checkin_svc.domain.badges import Badge, issue, verify
from nacl.signing import SigningKey

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.catalog import identity
from plenary_contracts.operations import OperationSpec
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.testing.registration import publish_registration

from . import wrk
from .context import Bench
from .driving import as_admin, create_event, until
from .proc import cpu_seconds
from .report import Figure, at_least, at_most, below
from .services import peak_memory_mib, pids, processes

AREA = "checkin"
KEY_ID = b"bnch"
DEVICES = 32
WARM_UP_SECONDS = 2
PRETIX_SCANS_PER_S = 29.6
SERVICES = ("identity", "events", "checkin")


def _route(spec: OperationSpec, **params: str) -> str:
    assert spec.http is not None
    return spec.http.url(**params)


def _offline(bench: Bench) -> Iterator[Figure]:
    key = SigningKey.generate()
    tenant, event = new_id(), new_id()
    ring = {(tenant, KEY_ID): key.verify_key}
    count = bench.sizes.badge_verifications
    badges = [issue(Badge(tenant, event, new_id(), issued_at=1_800_000_000 + n), KEY_ID, key) for n in range(count)]
    started = time.perf_counter()
    for payload in badges:
        verify(payload, ring)
    elapsed = time.perf_counter() - started
    yield Figure(AREA, "checkin.verifications_per_s", count / elapsed, "verifications/s", at_least(5000))
    yield Figure(AREA, "checkin.badge_characters", max(map(len, badges)), "characters")


async def _participants_with_badges(nats_url: str, tenant: str, count: int) -> tuple[str, list[str]]:
    """An event of the events service, ``count`` participants announced as registration announces them, and
    each one's badge payload once checkin holds them."""
    nc = await connect(nats_url, "bench-checkin")
    try:
        event_id, type_id = await create_event(nc, tenant)
        ids = [
            await publish_registration(nc, tenant, event_id, participantTypeId=type_id, status="APPROVED")
            for _ in range(count)
        ]

        async def badge(pid: str) -> str:
            got = await until(lambda: as_admin(nc, contract.GET_BADGE, {"participantId": pid}, tenant), 120)
            return got.payload

        payloads: list[str] = []
        for start in range(0, count, 200):
            payloads += await asyncio.gather(*(badge(pid) for pid in ids[start : start + 200]))
        return event_id, payloads
    finally:
        await nc.drain()


def _script(directory: Path, checkpoint_id: str, keys: list[str], payloads: list[str]) -> Path:
    """A wrk script: each request a badge from the list (threads take turns, so no badge is sent twice while the
    list lasts) and a device key in rotation."""
    lua = [
        "local keys = {" + ",".join(f'"{k}"' for k in keys) + "}",
        "local badges = {" + ",".join(f'"{p}"' for p in payloads) + "}",
        "local threads, counter = 0, 0",
        "function setup(thread) thread:set('id', threads); threads = threads + 1 end",
        "function init(args) counter = 0 end",
        "function request()",
        f"  local n = (counter * {wrk.THREADS} + id) % #badges + 1",
        "  counter = counter + 1",
        "  local body = '{\"payload\":\"' .. badges[n] .. '\"}'",
        "  local headers = {['Content-Type'] = 'application/json', ['X-API-Key'] = keys[n % #keys + 1]}",
        f"  return wrk.format('POST', '{_route(contract.PROCESS_SCAN, checkpointId=checkpoint_id)}', headers, body)",
        "end",
    ]
    path = directory / "scans.lua"
    path.write_text("\n".join(lua) + "\n")
    return path


def _settle(servers: list[int], timeout: float = 30.0) -> None:
    """Wait until the servers are idle (the relay has published what the last run logged), so each run's CPU is its
    own and not the tail of the one before."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(servers)
        time.sleep(0.5)
        if cpu_seconds(servers) - before < 0.025:
            return


def measure(bench: Bench) -> Iterator[Figure]:
    yield from _offline(bench)
    with processes(bench, SERVICES, gateways=1) as api:
        tenant = api.create_tenant("bench")
        api.create_user(tenant, "bench-admin", ["TENANT_ADMIN"])
        token = api.login("bench-admin")["accessToken"]
        api.enable_rest_api([tenant])
        count = bench.sizes.checkin_participants
        event_id, payloads = asyncio.run(_participants_with_badges(api.nats_url, tenant, count))
        checkpoint = api.ok(
            "POST", _route(contract.CREATE_CHECKPOINT, eventId=event_id), 201, token=token,
            json={"name": "Main gate", "type": "gate", "direction": "entry", "reentry": "once-per-day"},
        )["data"]  # fmt: skip
        keys = []
        for n in range(DEVICES):
            paired = api.ok(
                "POST",
                _route(contract.PAIR_DEVICE, eventId=event_id),
                201,
                token=token,
                json={"name": f"Scanner {n + 1}"},
            )["data"]
            # A gate's scanner makes a scan every second or two; 32 of them at the bench's rate each need more
            api.ok("PATCH", _route(identity.UPDATE_API_KEY, id=paired["device"]["apiKeyId"]), token=token,
                   json={"rateLimitTier": "CUSTOM", "rateLimitCustom": 100_000})  # fmt: skip
            keys.append(paired["deviceKey"])
        for key in keys:
            api.until(lambda key=key: api.request("GET", _route(contract.LIST_BADGE_KEYS), key=key).status_code == 200)
        url = api.gateways[0]
        servers = pids(api, ["gateway1", "checkin"])
        seconds = bench.sizes.gateway_seconds
        rates: dict[str, float] = {}
        with tempfile.TemporaryDirectory() as scratch:
            # The warm-up admits the first badges; the measured run then takes fresh ones while they last
            warm = _script(Path(scratch), checkpoint["id"], keys, payloads[: count // 10])
            wrk.run(url, {}, DEVICES, WARM_UP_SECONDS, script=warm)
            first = _script(Path(scratch), checkpoint["id"], keys, payloads[count // 10 :])
            for label, script in (("scan", first), ("rescan", warm)):
                _settle(servers)
                before = cpu_seconds(servers)
                report = wrk.run(url, {}, DEVICES, seconds, script=script)
                cpu_ms = (cpu_seconds(servers) - before) * 1000 / max(report.requests, 1)
                rates[label] = report.requests_per_s
                yield Figure(AREA, f"checkin.{label}s_per_s", report.requests_per_s, "scans/s", at_least(900))
                yield Figure(AREA, f"checkin.{label}_p99_ms", report.p99_ms, "ms", below(50))
                yield Figure(AREA, f"checkin.{label}_p50_ms", report.p50_ms, "ms")
                yield Figure(AREA, f"checkin.cpu_ms_per_{label}", cpu_ms, "ms")
                yield Figure(AREA, f"checkin.{label}_errors", report.errors, "responses", at_most(0))
                if label == "scan" and report.requests > count - count // 10:
                    yield Figure(AREA, "checkin.badges_ran_out", 1, "runs", at_most(0))
        yield Figure(AREA, "checkin.scans_per_pretix_scan", rates["scan"] / PRETIX_SCANS_PER_S, "times", at_least(30))
        yield Figure(AREA, "checkin.checkin_peak_rss_mib", peak_memory_mib(api, "checkin"), "MiB")
