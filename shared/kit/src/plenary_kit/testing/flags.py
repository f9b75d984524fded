"""Feature flags for tests and benchmarks: written into the flags bucket as identity's mirror writes them."""

from nats.aio.client import Client

from plenary_contracts.flags import FlagKey, FlagState
from plenary_contracts.streams import FLAGS_BUCKET


async def put_flag(nc: Client, key: FlagKey, *, enabled: bool = False, tenants: tuple[str, ...] = ()) -> None:
    kv = await nc.jetstream().key_value(FLAGS_BUCKET.name)
    state = FlagState(key=key.value, enabled=enabled, enabled_for_tenants=list(tenants))
    await kv.put(key.value, state.model_dump_json().encode())
