import asyncio

from pydantic import BaseModel

from plenary_kit.bus import rpc
from plenary_kit.bus.connection import connect
from plenary_kit.service import Runtime

from .conftest import BARE_IDENTITY
from .test_request_depth import ECHO, Echoed, Note

OTHER = ECHO.__class__(ECHO.service, "probe_other", ECHO.kind, Note, Echoed, "Another test query")


class Running(BaseModel):
    now: int = 0
    most: int = 0


async def test_requests_beyond_the_process_limit_wait_their_turn_and_are_all_answered(plenary_settings):
    runtime = Runtime(BARE_IDENTITY, plenary_settings.model_copy(update={"request_concurrency": 3}))
    running = Running()

    async def slow(request: Note, uow) -> Echoed:
        running.now += 1
        running.most = max(running.most, running.now)
        await asyncio.sleep(0.02)
        running.now -= 1
        return Echoed(keys=sorted(request.extras))

    runtime.serve(ECHO, slow)
    runtime.serve(OTHER, slow)
    await runtime.start()
    nc = await connect(plenary_settings.nats_url, "test-limit")
    try:
        calls = [rpc.call(nc, spec, {"extras": {str(n): n}}) for n in range(100) for spec in (ECHO, OTHER)]
        answers = await asyncio.gather(*calls)
    finally:
        await nc.drain()
        await runtime.stop()
    assert answers == [Echoed(keys=[str(n)]) for n in range(100) for _ in (ECHO, OTHER)]
    assert running.most == 3, "one limit for all the operations of the process"
