"""`plenary analytics rebuild`: the rebuild by replay, run in the command's own process (the service need not
run; if it does, its live consumers go on meanwhile), printing the progress as it moves."""

import asyncio
from collections.abc import Callable

from plenary_kit.bus.connection import connect
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings

from ..adapters.rebuild_store import Operation
from ..application.rebuild import Rebuilds, to_contract
from ..bootstrap import SERVICE


def _line(op: Operation) -> str:
    streams = ", ".join(f"{s['stream']} {s['replayed']}/{s['end']}" for s in op.streams)
    return f"{op.status}: {op.events_replayed} events replayed ({streams or 'starting'})"


async def rebuild(settings: Settings, echo: Callable[[str], None], every: float = 1.0) -> bool:
    """Run a rebuild to its end; whether it succeeded."""
    runtime = Runtime(SERVICE, settings)
    nc = await connect(settings.nats_url, "plenary-analytics-rebuild")
    try:
        rebuilds = Rebuilds(runtime.uow, lambda: nc)
        op = await rebuilds.begin()
        echo(f"rebuild {op.id}: generation {op.generation}")
        running = asyncio.create_task(rebuilds.run(op))
        while not running.done():
            await asyncio.wait([running], timeout=every)
            echo(_line(await rebuilds.operation(op.id)))
        done = running.result()
        echo(to_contract(done).model_dump_json(by_alias=True))
        return done.status == "succeeded"
    finally:
        await nc.drain()
        await runtime.engine.dispose()
        await runtime.uow_engine.dispose()
