"""Run one outbox relay pass that dies with SIGKILL right after its Nth publish, before marking anything.

Usage: python relay_crash.py DATABASE_URL NATS_URL N
"""

import asyncio
import os
import signal
import sys

from identity_svc.adapters.tables import messaging

from plenary_kit.bus.connection import connect
from plenary_kit.db import create_engine_for
from plenary_kit.outbox import OutboxRelay


async def main(database_url: str, nats_url: str, crash_after: int) -> None:
    engine = create_engine_for(database_url)
    nc = await connect(nats_url, "relay-crash")
    published = 0

    async def die_after_nth(event) -> None:
        nonlocal published
        published += 1
        if published == crash_after:
            os.kill(os.getpid(), signal.SIGKILL)

    relay = OutboxRelay(engine, database_url, messaging, nc.jetstream(), after_publish=die_after_nth)
    await relay.relay_once()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
