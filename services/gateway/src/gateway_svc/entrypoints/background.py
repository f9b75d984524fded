"""What the gateway runs beside its requests: the API key mirror, the token keys, the usage flush."""

import contextlib

from plenary_kit.service import Runtime

from ..application.pipeline import Gateway


def register(gateway: Gateway, runtime: Runtime) -> None:
    async def start() -> None:
        assert runtime.nc is not None
        gateway.keys.start(runtime.nc)
        with contextlib.suppress(Exception):
            await gateway.jwks.refresh()  # warm; a miss later fetches again

    async def flush() -> None:
        await gateway.usage.flush()  # never raises: what could not be sent waits for the next flush

    async def stop() -> None:
        await flush()  # the last counts, while the bus is still up
        await gateway.keys.stop()

    runtime.on_start(start)
    runtime.every(gateway.usage_flush_seconds, flush)
    runtime.on_stop(stop)
