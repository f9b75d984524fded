"""SMS and push through a real HTTP provider (a small server on 127.0.0.1), posted by the kit's outbound client."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from comms_svc.adapters import tables

from plenary_contracts.catalog import comms as contract

from .conftest import eventually

D = tables.message_delivery.c


@dataclass
class Provider:
    """Answers each POST with the next of ``statuses`` (then 200), keeping what it received."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))))
                self.received.append((headers, body))
                status = self.statuses.pop(0) if self.statuses else 200
                answer = json.dumps({"id": f"prov-{len(self.received)}"}).encode()
                head = f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {len(answer)}\r\n\r\n"
                writer.write(head.encode() + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    found = Provider()
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.port = server.sockets[0].getsockname()[1]
    try:
        yield found
    finally:
        server.close()


async def _sms_service(comms_factory, provider):
    comms = await comms_factory(
        comms_sms_provider_url=f"http://127.0.0.1:{provider.port}/sms",
        comms_push_provider_url=f"http://127.0.0.1:{provider.port}/push",
        comms_provider_token="t0ken",
        comms_provider_allowed_networks=["127.0.0.0/8"],
        comms_provider_allow_http=True,
    )
    await comms.hub()
    return comms


async def test_an_sms_is_posted_to_the_provider_with_its_delivery_id_as_idempotency_key(comms_factory, provider):
    comms = await _sms_service(comms_factory, provider)
    event = await comms.seed_event()
    (person,) = await comms.populate(event, 1, extras={"phone": "+251911000000"})
    await comms.populate(event, 1)  # no phone: fails, nothing posted
    draft = await comms.call(
        contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "SMS", "body": "Hi {{firstName}}"}
    )
    await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
    done = await comms.settled(draft.id)
    assert (done.sent_count, done.failed_count) == (1, 1)
    ((headers, body),) = provider.received
    delivery = (await comms.call(contract.LIST_DELIVERIES, {"id": draft.id, "status": "SENT"})).data[0]
    assert body == {
        "id": delivery.id,
        "channel": "SMS",
        "to": "+251911000000",
        "subject": None,
        "body": f"Hi {person['first_name']}",
    }
    assert (headers["idempotency-key"], headers["authorization"]) == (delivery.id, "Bearer t0ken")
    assert delivery.external_id == "prov-1"
    failed = (await comms.call(contract.LIST_DELIVERIES, {"id": draft.id, "status": "FAILED"})).data[0]
    assert failed.error_code == "NO_RECIPIENT"


async def test_a_rendered_sms_over_160_characters_is_refused_not_cut(comms_factory, provider):
    comms = await _sms_service(comms_factory, provider)
    event = await comms.seed_event()
    await comms.populate(event, 1, extras={"phone": "+251911000000", "note": "x" * 200})
    draft = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "SMS", "body": "{{note}}"})
    await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
    await comms.settled(draft.id)
    (delivery,) = (await comms.call(contract.LIST_DELIVERIES, {"id": draft.id})).data
    assert (delivery.status, delivery.error_code, delivery.retry_count) == ("FAILED", "SMS_TOO_LONG", 0)
    assert provider.received == []


async def test_a_provider_5xx_is_retried_and_a_4xx_is_final(comms_factory, provider):
    comms = await _sms_service(comms_factory, provider)
    event = await comms.seed_event()
    await comms.populate(event, 1, extras={"phone": "+251911000000"})
    provider.statuses = [503, 200]
    push = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "PUSH", "body": "ping"})
    await comms.call(contract.SEND_BROADCAST, {"id": push.id})
    await comms.settled(push.id)
    (delivery,) = (await comms.call(contract.LIST_DELIVERIES, {"id": push.id})).data
    assert (delivery.status, delivery.retry_count) == ("SENT", 1)
    assert [h["idempotency-key"] for h, _ in provider.received] == [delivery.id, delivery.id]
    provider.statuses = [400]
    refused = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "SMS", "body": "x"})
    await comms.call(contract.SEND_BROADCAST, {"id": refused.id})
    await comms.settled(refused.id)

    async def failed() -> bool:
        (row,) = (await comms.call(contract.LIST_DELIVERIES, {"id": refused.id})).data
        return (row.status, row.error_code, row.retry_count) == ("FAILED", "PROVIDER_400", 0)

    await eventually(failed, timeout=10)
