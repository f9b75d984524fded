"""What the gateway runs beside its requests: the API key mirror, the token keys, the usage flush."""

import asyncio
import contextlib

from nats.aio.client import Client

from plenary_kit.logging import get_logger

from ..application.pipeline import Gateway

log = get_logger(__name__)

FINAL_FLUSH_SECONDS = 3.0


async def run(gateway: Gateway, nc: Client) -> None:
    """Lives as long as the runtime; when cancelled at shutdown it sends the last usage counts."""
    gateway.keys.start(nc)
    try:
        with contextlib.suppress(Exception):
            await gateway.jwks.refresh()  # warm; a miss later fetches again
        while True:
            await asyncio.sleep(gateway.usage_flush_seconds)
            await gateway.usage.flush()
    finally:
        try:
            await asyncio.wait_for(gateway.usage.flush(), FINAL_FLUSH_SECONDS)
        except Exception as error:
            log.warning("last usage flush failed", error=repr(error), pending=gateway.usage.pending)
        await gateway.keys.stop()
