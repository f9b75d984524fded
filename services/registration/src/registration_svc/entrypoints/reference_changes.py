"""Every process of the service hears which tenant's cached reference data changed (core NATS, no
stream: a process that misses one while disconnected is covered by the cache's expiry)."""

import asyncio

from nats.aio.msg import Msg

from plenary_contracts.streams import cache_changed_subject
from plenary_kit.logging import get_logger
from plenary_kit.service import Runtime

from ..application.reference_cache import ReferenceCache

SUBJECT = cache_changed_subject("registration", "reference")

log = get_logger(__name__)


def register(runtime: Runtime, cache: ReferenceCache) -> None:
    async def heard(msg: Msg) -> None:
        cache.forget(msg.data.decode())

    def announce(tenant_id: str) -> None:
        if runtime.nc is None or not runtime.nc.is_connected:
            return  # the other processes' entries expire on their own
        sent = asyncio.ensure_future(runtime.nc.publish(SUBJECT, tenant_id.encode()))
        sent.add_done_callback(_logged)

    async def listen() -> None:
        assert runtime.nc is not None
        await runtime.nc.subscribe(SUBJECT, cb=heard)
        cache.announce = announce

    runtime.on_start(listen)


def _logged(sent: "asyncio.Future[None]") -> None:
    if not sent.cancelled() and sent.exception() is not None:
        log.warning("reference change not announced", error=repr(sent.exception()))
