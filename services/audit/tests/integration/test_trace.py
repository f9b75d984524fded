from collections.abc import AsyncIterator

import pytest
from webhooks_svc.bootstrap import SERVICE as WEBHOOKS

from plenary_contracts.catalog import audit as contract
from plenary_contracts.catalog import webhooks, workflow
from plenary_contracts.flags import FlagKey
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.receiver import HttpReceiver, serving
from plenary_kit.testing.workflow import decided

from .conftest import ADMIN, TENANT, eventually, start_audit


@pytest.fixture
async def platform(plenary_settings: Settings) -> AsyncIterator[tuple]:
    """audit and webhooks running, webhooks delivering to a local receiver."""
    settings = plenary_settings.model_copy(
        update={"webhook_allowed_networks": ["127.0.0.0/8"], "webhook_allow_http": True, "webhook_poll_seconds": 0.05}
    )
    hooks = Runtime(WEBHOOKS, settings)
    await hooks.start()
    runtime, audit = await start_audit(settings)
    try:
        async with serving(HttpReceiver()) as receiver:
            yield audit, receiver
    finally:
        await audit.nc.drain()
        await runtime.stop()
        await hooks.stop()


async def test_the_trace_lists_the_consumers_that_handled_an_event_and_its_webhook_deliveries(platform):
    audit, receiver = platform
    await put_flag(audit.nc, FlagKey.WEBHOOKS, tenants=(TENANT,))
    await eventually(lambda: _subscribed(audit, receiver))
    event = await audit.publish(workflow.PARTICIPANT_APPROVED, decided("p1"))
    await eventually(lambda: receiver.received)

    async def traced():
        try:
            trace = await audit.call(contract.GET_TRACE, {"eventId": str(event.id)})
        except Exception:
            return None
        delivered = trace.webhook_deliveries and trace.webhook_deliveries[0].status == "DELIVERED"
        return trace if delivered and trace.handled else None

    trace = await eventually(traced)
    assert trace.event.event["id"] == str(event.id)
    assert {"audit", "webhooks"} <= set(trace.answered)
    assert [(h.service, h.consumer) for h in trace.handled] == [("webhooks", "webhooks_dispatch_workflow")]
    (delivery,) = trace.webhook_deliveries
    assert (delivery.event_type, delivery.attempts, delivery.response_code) == ("participant.approved", 1, 200)


async def _subscribed(audit, receiver) -> bool:
    try:
        await audit.call(
            webhooks.CREATE_SUBSCRIPTION, {"url": receiver.url, "events": ["participant.approved"]}, actor=ADMIN
        )
    except Exception:
        return False  # the flag has not reached webhooks yet
    return True
