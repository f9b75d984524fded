"""Builds the gateway's parts for one runtime: the pipeline and the adapters it works with."""

from weakref import WeakKeyDictionary

from nats.aio.client import Client

from plenary_contracts.catalog import identity as contract
from plenary_contracts.errors import ServiceUnavailable
from plenary_contracts.operations import Empty
from plenary_kit import context as ctx
from plenary_kit.bus import rpc
from plenary_kit.service import Runtime

from .adapters.file_store import FileStore
from .adapters.idempotency_store import IdempotencyStore
from .adapters.jwks import JwksCache
from .adapters.key_mirror import ApiKeyMirror
from .adapters.kv import Buckets
from .adapters.rate_limiter import KvRateLimiter
from .adapters.usage_batcher import UsageBatcher
from .application.callers import Authenticator
from .application.pipeline import Gateway

_BUILT: "WeakKeyDictionary[Runtime, Gateway]" = WeakKeyDictionary()


def gateway_for(runtime: Runtime) -> Gateway:
    """The one gateway of this runtime (the bootstrap's wiring and the HTTP app share it)."""
    gateway = _BUILT.get(runtime)
    if gateway is None:
        gateway = _BUILT[runtime] = build(runtime)
    return gateway


def build(runtime: Runtime) -> Gateway:
    settings = runtime.base_settings

    def connection() -> Client | None:
        return runtime.nc

    def connected() -> Client:
        nc = runtime.nc
        if nc is None or not nc.is_connected:
            raise ServiceUnavailable("the gateway is not connected to the bus")
        return nc

    async def fetch_key_set() -> list[dict]:  # type: ignore[type-arg]
        context = ctx.Context(correlation_id=ctx.current().correlation_id)
        key_set = await rpc.call(connected(), contract.GET_KEY_SET, Empty(), context=context)
        return list(key_set.keys)

    async def send_usage(batch: contract.RecordApiKeyUsage) -> None:
        await rpc.call(connected(), contract.RECORD_API_KEY_USAGE, batch, context=ctx.Context())

    buckets = Buckets(connection)
    keys = ApiKeyMirror()
    jwks = JwksCache(fetch_key_set)
    return Gateway(
        authenticator=Authenticator(secret=settings.api_key_secret, keys=keys, jwks=jwks, flags=runtime.flags),
        keys=keys,
        jwks=jwks,
        flags=runtime.flags,
        limiter=KvRateLimiter(buckets),
        idempotency_store=IdempotencyStore(buckets),
        files=FileStore(connection),
        usage=UsageBatcher(send_usage),
        connection=connection,
        trusted_proxies=settings.trusted_proxies,
        public_requests_per_minute=settings.public_requests_per_minute,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        usage_flush_seconds=settings.usage_flush_seconds,
    )
