"""Broadcast operations: drafts, the lifecycle's refusals, the audience count, tenants and the flag."""

from datetime import UTC, datetime, timedelta

import pytest

from plenary_contracts.catalog import comms as contract
from plenary_contracts.errors import BadRequest, FeatureDisabled, NotFound, ValidationFailed
from plenary_contracts.flags import FlagKey
from plenary_kit.testing.flags import put_flag

from .conftest import OTHER_TENANT, eventually


async def _draft(comms, event, **body):
    request = {"eventId": event.id if event else None, "channel": "EMAIL", "body": "Hello {{firstName}}", **body}
    return await comms.call(contract.CREATE_BROADCAST, request)


async def test_a_draft_takes_its_text_from_a_template_and_changes_while_a_draft(comms):
    event = await comms.seed_event()
    template = await comms.call(
        contract.CREATE_TEMPLATE, {"name": "T", "channel": "EMAIL", "subject": "S {{name}}", "body": "B {{name}}"}
    )
    draft = await comms.call(
        contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "EMAIL", "templateId": template.id}
    )
    assert (draft.status, draft.subject, draft.body, draft.priority) == ("DRAFT", "S {{name}}", "B {{name}}", 5)
    changed = await comms.call(contract.UPDATE_BROADCAST, {"id": draft.id, "body": "New", "priority": 3})
    assert (changed.body, changed.priority) == ("New", 3)
    listed = await comms.call(contract.LIST_BROADCASTS, {"eventId": event.id, "status": "DRAFT"})
    assert [b.id for b in listed.data] == [draft.id]


async def test_the_lifecycle_refuses_out_of_order_steps_with_invalid_status(comms):
    event = await comms.seed_event()
    draft = await _draft(comms, event)
    with pytest.raises(BadRequest) as refused:
        await comms.call(contract.CANCEL_BROADCAST, {"id": draft.id})
    assert refused.value.details == {"reason": "INVALID_STATUS"}
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    scheduled = await comms.call(contract.SCHEDULE_BROADCAST, {"id": draft.id, "scheduledAt": later})
    assert scheduled.status == "SCHEDULED"
    for spec, body in (
        (contract.SCHEDULE_BROADCAST, {"id": draft.id, "scheduledAt": later}),
        (contract.UPDATE_BROADCAST, {"id": draft.id, "body": "x"}),
    ):
        with pytest.raises(BadRequest) as refused:
            await comms.call(spec, body)
        assert refused.value.details == {"reason": "INVALID_STATUS"}
    cancelled = await comms.call(contract.CANCEL_BROADCAST, {"id": draft.id})
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_by) == (
        "CANCELLED",
        "Cancelled by user",
        "admin-user",
    )
    with pytest.raises(BadRequest):
        await comms.call(contract.SEND_BROADCAST, {"id": draft.id})


async def test_sending_needs_an_event_and_an_empty_audience_is_sent_at_once(comms):
    no_event = await _draft(comms, None)
    with pytest.raises(BadRequest) as refused:
        await comms.call(contract.SEND_BROADCAST, {"id": no_event.id})
    assert refused.value.details == {"reason": "NO_EVENT"}
    event = await comms.seed_event()
    empty = await _draft(comms, event)
    sent = await comms.call(contract.SEND_BROADCAST, {"id": empty.id})
    assert (sent.status, sent.recipient_count) == ("SENT", 0)


async def test_the_audience_ands_every_filter_and_every_custom_field(comms):
    event = await comms.seed_event()
    await comms.populate(event, 3, extras={"diet": "vegan", "tier": 1})
    await comms.populate(event, 2, extras={"diet": "vegan", "tier": 2})
    await comms.populate(event, 4, extras={"diet": "halal", "tier": 2}, status="PENDING")
    await comms.populate(event, 1, extras={"diet": "vegan", "tier": 2, "delegationId": "d1"}, delegation_id="d1")

    async def count(**filters):
        return (await comms.call(contract.COUNT_AUDIENCE, {"eventId": event.id, "filters": filters})).count

    assert await count() == 10
    assert await count(customFields={"diet": "vegan"}) == 6
    assert await count(customFields={"diet": "vegan", "tier": 2}) == 3  # every key, not the first only
    assert await count(statuses=["PENDING"], customFields={"tier": 2}) == 4
    assert await count(statuses=["APPROVED"], participantTypes=[event.type_id], delegationIds=["d1"]) == 1
    condition = {"type": "simple", "field": "diet", "operator": "eq", "value": "HALAL"}
    assert await count(condition=condition) == 4
    assert await count(registeredAfter=datetime.now(UTC).isoformat()) == 0
    with pytest.raises(ValidationFailed) as refused:
        await count(condition={"type": "simple", "field": "diet", "operator": "nope", "value": 1})
    assert refused.value.errors[0].loc[:2] == ["body", "filters"]


async def test_an_sms_broadcast_body_holds_160_characters(comms):
    event = await comms.seed_event()
    with pytest.raises(ValidationFailed):
        await _draft(comms, event, channel="SMS", body="x" * 161)


async def test_another_tenants_broadcasts_and_events_are_not_found(comms):
    event = await comms.seed_event()
    draft = await _draft(comms, event)
    await comms.hub(tenant=OTHER_TENANT)
    for spec, body in (
        (contract.GET_BROADCAST, {"id": draft.id}),
        (contract.SEND_BROADCAST, {"id": draft.id}),
        (contract.CANCEL_BROADCAST, {"id": draft.id}),
        (contract.LIST_DELIVERIES, {"id": draft.id}),
        (contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "EMAIL", "body": "x"}),
        (contract.COUNT_AUDIENCE, {"eventId": event.id}),
    ):
        with pytest.raises(NotFound):
            await comms.call(spec, body, tenant=OTHER_TENANT)


async def test_broadcasts_are_404_while_the_hub_is_off(comms):
    await put_flag(comms.nc, FlagKey.COMMUNICATION_HUB, tenants=())

    async def off() -> bool:
        try:
            await comms.call(contract.LIST_BROADCASTS, {})
        except FeatureDisabled as error:
            return error.to_body().status == 404
        return False

    await eventually(off, timeout=10)
