"""Providers' signed reports move sent messages to DELIVERED or BOUNCED, and their broadcast's counters."""

import time

import pytest
from comms_svc.domain.reports import signature

from plenary_contracts.catalog import comms as contract
from plenary_contracts.errors import BadRequest, NotFound


def _report(comms, delivery_id, status, *, secret=None, reason=None):
    stamp = int(time.time())
    key = secret or comms.settings.comms_provider_report_secret
    body = {
        "deliveryId": delivery_id,
        "status": status,
        "timestamp": stamp,
        "reason": reason,
        "signature": signature(key, delivery_id, status, stamp),
    }
    return comms.call(contract.PROVIDER_REPORT, body, tenant=None, actor=None)


async def test_reports_move_sent_messages_and_the_broadcasts_counters_once(comms):
    event = await comms.seed_event()
    await comms.populate(event, 2)
    draft = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "EMAIL", "body": "x"})
    await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
    await comms.settled(draft.id)
    first, second = (await comms.call(contract.LIST_DELIVERIES, {"id": draft.id, "sort": "createdAt:asc"})).data

    assert (await _report(comms, first.id, "DELIVERED")).changed
    assert not (await _report(comms, first.id, "DELIVERED")).changed  # a repeat changes nothing
    assert (await _report(comms, second.id, "BOUNCED", reason="mailbox full")).changed
    row = await comms.broadcast_row(draft.id)
    assert (row.sent_count, row.delivered_count, row.bounced_count) == (2, 1, 1)

    late = await _report(comms, first.id, "BOUNCED")  # a late bounce after delivery
    assert (late.changed, late.status) == (True, "BOUNCED")
    row = await comms.broadcast_row(draft.id)
    assert (row.delivered_count, row.bounced_count) == (0, 2)
    bounced = (await comms.call(contract.LIST_DELIVERIES, {"id": draft.id, "status": "BOUNCED"})).data
    assert {d.id for d in bounced} == {first.id, second.id}
    assert all(d.bounced_at is not None for d in bounced)
    assert (await comms.call(contract.GET_BROADCAST, {"id": draft.id})).delivery_stats == {"BOUNCED": 2}


async def test_a_report_with_a_bad_signature_or_an_unknown_delivery_is_refused(comms):
    with pytest.raises(BadRequest):
        await _report(comms, "nope", "DELIVERED", secret="not-the-secret")
    with pytest.raises(NotFound):
        await _report(comms, "nope", "DELIVERED")
