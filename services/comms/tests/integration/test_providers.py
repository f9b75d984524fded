"""SMS and push through a real HTTP provider (the kit's test receiver on 127.0.0.1), posted by the outbound client."""

from collections.abc import AsyncIterator

import pytest
from comms_svc.adapters import tables

from plenary_contracts.catalog import comms as contract
from plenary_kit.testing.receiver import HttpReceiver, serving

from .conftest import eventually

D = tables.message_delivery.c


@pytest.fixture
async def provider() -> AsyncIterator[HttpReceiver]:
    """Answers each POST with the next planned status (then 200) and the provider's message id."""
    found = HttpReceiver()
    found.reply = lambda _: {"id": f"prov-{len(found.received)}"}
    async with serving(found):
        yield found


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
    (request,) = provider.received
    headers, body = request.headers, request.json
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
    provider.answering(503, 200)
    push = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "PUSH", "body": "ping"})
    await comms.call(contract.SEND_BROADCAST, {"id": push.id})
    await comms.settled(push.id)
    (delivery,) = (await comms.call(contract.LIST_DELIVERIES, {"id": push.id})).data
    assert (delivery.status, delivery.retry_count) == ("SENT", 1)
    assert provider.header("idempotency-key") == [delivery.id, delivery.id]
    provider.answering(400)
    refused = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "SMS", "body": "x"})
    await comms.call(contract.SEND_BROADCAST, {"id": refused.id})
    await comms.settled(refused.id)

    async def failed() -> bool:
        (row,) = (await comms.call(contract.LIST_DELIVERIES, {"id": refused.id})).data
        return (row.status, row.error_code, row.retry_count) == ("FAILED", "PROVIDER_400", 0)

    await eventually(failed, timeout=10)
