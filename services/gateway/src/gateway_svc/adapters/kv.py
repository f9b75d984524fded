"""One KeyValue handle per bucket, looked up once per connection."""

from collections.abc import Callable

from nats.aio.client import Client
from nats.js.kv import KeyValue

from plenary_contracts.errors import ServiceUnavailable


class Buckets:
    def __init__(self, connection: Callable[[], Client | None]) -> None:
        self._connection = connection
        self._handles: dict[str, tuple[Client, KeyValue]] = {}

    async def get(self, bucket: str) -> KeyValue:
        nc = self._connection()
        if nc is None or nc.is_closed:
            raise ServiceUnavailable("the gateway is not connected to the bus")
        known = self._handles.get(bucket)
        if known is not None and known[0] is nc:
            return known[1]
        kv = await nc.jetstream().key_value(bucket)
        self._handles[bucket] = (nc, kv)
        return kv
