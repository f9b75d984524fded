"""Comms, the service as its own process, sending an e-mail broadcast to the bench's own SMTP server (aiosmtpd on
127.0.0.1, another process, accepting every message and counting it by Message-ID). The recipients reach comms'
directory the way registration's relay announces them, before the clock starts.

- ``messages_per_s``: a broadcast to ``comms_recipients`` participants, each message rendered with the
  recipient's name; "send" to the SMTP server's last acceptance, with comms' CPU per message;
- ``send_to_last_s``: the same span in seconds; ``sent_twice``: messages the server accepted more than once.
"""

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from typing import Any

import httpx
from nats.aio.client import Client

from plenary_contracts.catalog import comms as contract
from plenary_contracts.catalog import events, registration
from plenary_contracts.flags import FlagKey
from plenary_contracts.streams import consumer
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.testing.api import Api
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.producing import publish_event, publish_produced
from plenary_kit.testing.registration import registered_event
from plenary_kit.testing.servers import free_port_range

from .context import Bench
from .driving import as_admin, until
from .peers import peer_process
from .proc import cpu_seconds
from .report import Figure, at_least, at_most
from .services import peak_memory_mib, pids, processes

AREA = "comms"
SERVICES = ("comms",)
TENANT = "bench-comms"
PUBLISHERS = 128
DIRECTORY = consumer("comms_participant_directory")


# --- the SMTP server (its own process) ---------------------------------------------------------------------


class Counter:
    """aiosmtpd's handler: counts accepted messages and distinct Message-IDs; ``GET /stats`` on a second port."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.accepted = 0
        self.last = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.ids.add(str(BytesHeaderParser().parsebytes(envelope.content)["Message-ID"]))
        self.accepted += 1
        self.last = time.time()
        return "250 OK"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = f'{{"unique": {len(self.ids)}, "accepted": {self.accepted}, "last": {self.last}}}'.encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def serve_sink(smtp_port: int, stats_port: int) -> None:
    import uvicorn
    from aiosmtpd.controller import Controller

    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        uvicorn.run(counter, host="127.0.0.1", port=stats_port, log_level="warning", access_log=False, lifespan="off")
    finally:
        controller.stop()


@contextmanager
def smtp_sink(bench: Bench) -> Iterator[tuple[int, str]]:
    """The SMTP server in a process of its own; its port and the URL of its counts."""
    smtp_port = free_port_range(2)
    stats = f"http://127.0.0.1:{smtp_port + 1}/stats"
    code = f"from plenary_cli.bench.comms import serve_sink; serve_sink({smtp_port}, {smtp_port + 1})"
    with peer_process(bench, "smtp-sink", code, stats):
        yield smtp_port, stats


# --- the driver --------------------------------------------------------------------------------------------


async def _seed_event(nc: Client) -> tuple[str, str]:
    """An event and a participant type, announced as the events service does."""
    now = datetime.now(UTC)
    event_id, type_id = new_id(), new_id()
    record = {
        "id": event_id,
        "tenantId": TENANT,
        "name": "Bench summit",
        "description": "",
        "status": "PUBLISHED",
        "startDate": (now + timedelta(days=30)).isoformat(),
        "endDate": (now + timedelta(days=33)).isoformat(),
        "timezone": "UTC",
        "createdAt": now.isoformat(),
        "updatedAt": now.isoformat(),
    }
    await publish_produced(nc, events.EVENT_CREATED, {"event": record}, tenant=TENANT)
    kind = {"id": type_id, "tenantId": TENANT, "eventId": event_id, "name": "Delegate", "code": "DEL"}
    kind |= {"createdAt": now.isoformat(), "updatedAt": now.isoformat()}
    await publish_produced(nc, events.PARTICIPANT_TYPE_CREATED, {"participantType": kind}, tenant=TENANT)
    return event_id, type_id


async def _register(nc: Client, event_id: str, type_id: str, count: int) -> None:
    """``count`` approved participants with e-mail addresses, as registration's relay publishes them; until
    comms' directory holds them all."""
    numbers = iter(range(count))

    async def publisher() -> None:
        for n in numbers:
            fields = {"participantTypeId": type_id, "status": "APPROVED", "email": f"p{n:06d}@bench.example.org"}
            await publish_event(nc, registration.PARTICIPANT_REGISTERED, registered_event(TENANT, event_id, **fields))

    await asyncio.gather(*(publisher() for _ in range(min(PUBLISHERS, count))))

    async def idle() -> bool:
        info = await nc.jetstream().consumer_info(DIRECTORY.stream, DIRECTORY.durable)
        return info.num_pending == 0 and info.num_ack_pending == 0

    await until(idle, 120 + count / 100, poll=0.1)


async def _stats(http: httpx.AsyncClient, url: str) -> dict[str, float]:
    return dict((await http.get(url)).json())


async def _measure(bench: Bench, api: Api, stats_url: str) -> list[Figure]:
    count = bench.sizes.comms_recipients
    nc = await connect(api.nats_url, "bench-comms")
    http = httpx.AsyncClient(timeout=10)
    try:
        await put_flag(nc, FlagKey.COMMUNICATION_HUB, tenants=(TENANT,))
        event_id, type_id = await _seed_event(nc)
        await _register(nc, event_id, type_id, count)
        body = {"eventId": event_id, "channel": "EMAIL", "subject": "Your badge", "body": "Dear {{firstName}}, ..."}
        draft = await until(lambda: as_admin(nc, contract.CREATE_BROADCAST, body, TENANT), 60)
        servers = pids(api, list(SERVICES))
        before, started = cpu_seconds(servers), time.time()
        await as_admin(nc, contract.SEND_BROADCAST, {"id": draft.id}, TENANT)

        async def all_accepted() -> dict[str, float] | None:
            got = await _stats(http, stats_url)
            return got if got["unique"] >= count else None

        got = await until(all_accepted, 120 + count / 50, poll=0.1)
        cpu_ms = (cpu_seconds(servers) - before) * 1000 / count
        span = got["last"] - started

        async def settled() -> Any:
            found = await as_admin(nc, contract.GET_BROADCAST, {"id": draft.id}, TENANT)
            return found if found.status == "SENT" else None

        done = await until(settled, 60)
        await asyncio.sleep(1)  # anything sent twice arrives within this
        again = (await _stats(http, stats_url))["accepted"] - count
        return [
            Figure(AREA, "comms.messages_per_s", count / span, "messages/s", at_least(500)),
            Figure(AREA, "comms.send_to_last_s", span, "s"),
            Figure(AREA, "comms.cpu_ms_per_message", cpu_ms, "ms"),
            Figure(AREA, "comms.recipients", done.sent_count, "messages", at_least(count)),
            Figure(AREA, "comms.sent_twice", again, "messages", at_most(0)),
            Figure(AREA, "comms.comms_peak_rss_mib", peak_memory_mib(api, "comms"), "MiB"),
        ]
    finally:
        await http.aclose()
        await nc.drain()


def measure(bench: Bench) -> Iterator[Figure]:
    with smtp_sink(bench) as (smtp_port, stats_url):
        env = {"PLENARY_SMTP_HOST": "127.0.0.1", "PLENARY_SMTP_PORT": str(smtp_port), "PLENARY_SMTP_STARTTLS": "false"}
        with processes(bench, SERVICES, env=env) as api:
            yield from asyncio.run(_measure(bench, api, stats_url))
