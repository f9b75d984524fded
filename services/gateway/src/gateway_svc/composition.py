"""Builds the gateway's parts for one runtime: the pipeline, the live feeds and the adapters they work with."""

from nats.aio.client import Client

from plenary_contracts.catalog import identity as contract
from plenary_contracts.errors import ServiceUnavailable
from plenary_contracts.operations import Empty
from plenary_kit import context as ctx
from plenary_kit.bus import rpc
from plenary_kit.service import Runtime

from .adapters.changes import Changes
from .adapters.feed_source import FeedSources
from .adapters.file_store import FileStore
from .adapters.idempotency_store import IdempotencyStore
from .adapters.jwks import JwksCache
from .adapters.key_mirror import ApiKeyMirror
from .adapters.kv import Buckets
from .adapters.rate_limiter import KvRateLimiter
from .adapters.remembered import RememberedLookup
from .adapters.revocation_mirror import RevocationMirror
from .adapters.tenant_directory import TenantDirectory
from .adapters.usage_batcher import UsageBatcher
from .application.callers import Authenticator
from .application.feeds import Feeds
from .application.pipeline import Gateway

LOOKUP_TIMEOUT_SECONDS = 2.0
# A key the mirror lacks is asked of identity: a miss is remembered for a few seconds, and beyond this
# many new questions a second a key the mirror lacks is simply refused.
KEY_MISS_SECONDS = 5.0
KEY_ASKS_PER_SECOND = 20.0
# Tenants are rarely created; a deleted one stops answering at once through its revocation.
TENANT_KNOWN_SECONDS = 300.0
TENANT_UNKNOWN_SECONDS = 5.0


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

    def asking() -> ctx.Context:
        return ctx.Context(correlation_id=ctx.current().correlation_id)

    async def find_key(lookup_id: str) -> contract.ApiKeyCredential | None:
        request = contract.FindApiKeyCredential(lookup_id=lookup_id)
        found = await rpc.call(
            connected(), contract.FIND_API_KEY_CREDENTIAL, request, context=asking(), timeout=LOOKUP_TIMEOUT_SECONDS
        )
        return found.credential

    async def tenant_exists(tenant_id: str) -> bool | None:
        request = contract.TenantRef(id=tenant_id)
        answer = await rpc.call(
            connected(), contract.TENANT_EXISTS, request, context=asking(), timeout=LOOKUP_TIMEOUT_SECONDS
        )
        return True if answer.exists else None

    async def send_usage(batch: contract.RecordApiKeyUsage) -> None:
        await rpc.call(connected(), contract.RECORD_API_KEY_USAGE, batch, context=ctx.Context())

    buckets = Buckets(connection)
    changes = Changes()  # open event streams re-check their credential at each revocation or key change
    keys = ApiKeyMirror(changes=changes)
    jwks = JwksCache(fetch_key_set)
    revocations = RevocationMirror(changes=changes)
    authenticator = Authenticator(
        secret=settings.api_key_secret,
        keys=keys,
        new_keys=RememberedLookup(
            find_key, found_for=0, missing_for=KEY_MISS_SECONDS, asks_per_second=KEY_ASKS_PER_SECOND
        ),
        jwks=jwks,
        revocations=revocations,
        flags=runtime.flags,
    )
    tenants = TenantDirectory(
        revocations,
        RememberedLookup(tenant_exists, found_for=TENANT_KNOWN_SECONDS, missing_for=TENANT_UNKNOWN_SECONDS),
    )
    return Gateway(
        authenticator=authenticator,
        keys=keys,
        jwks=jwks,
        revocations=revocations,
        tenants=tenants,
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


def build_feeds(runtime: Runtime, gateway: Gateway) -> Feeds:
    settings = runtime.base_settings
    return Feeds(
        gateway,
        FeedSources(lambda: runtime.nc),
        gateway.revocations.changes,
        max_streams=settings.sse_max_streams,
        keepalive_seconds=settings.sse_keepalive_seconds,
        person_keys=runtime.person_keys,
    )
