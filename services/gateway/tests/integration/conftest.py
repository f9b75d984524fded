from collections.abc import AsyncIterator, Callable

import pytest
from nats.aio.client import Client

from plenary_contracts.streams import API_KEYS_BUCKET, FLAGS_BUCKET, IDEMPOTENCY_BUCKET, RATE_LIMITS_BUCKET
from plenary_kit.bus.connection import connect
from plenary_kit.bus.topology import apply_topology


@pytest.fixture
async def connections(nats) -> AsyncIterator[Callable[[], object]]:
    """Fresh connections to a server holding the gateway's buckets; all drained at the end."""
    opened: list[Client] = []
    setup = await connect(nats.url, "gateway-test-setup")
    await apply_topology(
        setup.jetstream(), [], [], [FLAGS_BUCKET, API_KEYS_BUCKET, RATE_LIMITS_BUCKET, IDEMPOTENCY_BUCKET]
    )
    opened.append(setup)

    async def open_one() -> Client:
        nc = await connect(nats.url, f"gateway-test-{len(opened)}")
        opened.append(nc)
        return nc

    yield open_one
    for nc in opened:
        await nc.drain()
