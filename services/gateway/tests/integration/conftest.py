from collections.abc import AsyncIterator, Callable

import pytest
from gateway_svc.bootstrap import SERVICE
from nats.aio.client import Client

from plenary_contracts.catalog import identity as contract
from plenary_contracts.streams import (
    API_KEYS_BUCKET,
    FLAGS_BUCKET,
    IDEMPOTENCY_BUCKET,
    RATE_LIMITS_BUCKET,
    TOKEN_REVOCATIONS_BUCKET,
)
from plenary_kit.bus.connection import connect
from plenary_kit.bus.topology import apply_topology
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.plugin import eventually

from .app_harness import KNOWN_TENANTS, TENANT, Edge, FakeService, Tokens, client_for, put_flag, user


@pytest.fixture
async def connections(nats) -> AsyncIterator[Callable[[], object]]:
    """Fresh connections to a server holding the gateway's buckets; all drained at the end."""
    opened: list[Client] = []
    setup = await connect(nats.url, "gateway-test-setup")
    await apply_topology(
        setup.jetstream(),
        [],
        [],
        [FLAGS_BUCKET, API_KEYS_BUCKET, TOKEN_REVOCATIONS_BUCKET, RATE_LIMITS_BUCKET, IDEMPOTENCY_BUCKET],
    )
    opened.append(setup)

    async def open_one() -> Client:
        nc = await connect(nats.url, f"gateway-test-{len(opened)}")
        opened.append(nc)
        return nc

    yield open_one
    for nc in opened:
        await nc.drain()


@pytest.fixture
def flush_seconds() -> float:
    return 0.2


@pytest.fixture
def max_upload_bytes() -> int:
    return Settings.model_fields["max_upload_bytes"].default


@pytest.fixture
def edge_settings() -> dict[str, object]:
    """More settings a test module gives its gateway (overridden where needed)."""
    return {}


@pytest.fixture
async def edge(plenary_settings, flush_seconds, max_upload_bytes, edge_settings) -> AsyncIterator[Edge]:
    """The whole gateway app in-process (real runtime, NATS and buckets) in front of a fake identity."""
    settings = plenary_settings.model_copy(
        update={
            "usage_flush_seconds": flush_seconds,
            "public_requests_per_minute": 5,
            "max_upload_bytes": max_upload_bytes,
            **edge_settings,
        }
    )
    nc = await connect(settings.nats_url, "fake-services")
    tokens = Tokens()
    services = FakeService(nc)
    await services.answer(contract.GET_KEY_SET, lambda body: tokens.key_set)
    await services.answer(contract.GET_USER, lambda body: user(body["id"]))
    await services.answer(contract.RECORD_API_KEY_USAGE, lambda body: {"keys": len(body["usages"])})
    unmirrored: dict[str, contract.ApiKeyCredential] = {}

    def find_key(body: dict[str, str]) -> dict[str, object]:
        found = unmirrored.get(body["lookupId"])
        return {"credential": found.model_dump(mode="json") if found is not None else None}

    await services.answer(contract.FIND_API_KEY_CREDENTIAL, find_key)
    await services.answer(
        contract.TENANT_EXISTS, lambda body: {"id": body["id"], "exists": body["id"] in KNOWN_TENANTS}
    )
    await put_flag(nc, "FF_REST_API", enabled_for_tenants=[TENANT])
    runtime = Runtime(SERVICE, settings)
    await runtime.start()
    app = runtime.public_app
    async with client_for(app) as client:
        gateway = app.state.gateway
        mirrors = (gateway.keys, gateway.revocations, runtime.flags)
        await eventually(lambda: all(mirror.loaded.is_set() for mirror in mirrors))
        yield Edge(runtime, client, services, tokens, nc, unmirrored)
    if runtime.nc is not None and not runtime.nc.is_closed:
        await runtime.stop()
    await nc.drain()
