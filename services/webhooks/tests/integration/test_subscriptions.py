import pytest
from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.errors import Conflict, NotFound, ValidationFailed

from .conftest import OTHER_TENANT, eventually


async def test_create_returns_the_secret_once_and_no_read_shows_it(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved", "sla.warning"], description="CRM")
    assert created.secret.startswith("whsec_")
    assert created.subscription.status == "ACTIVE"
    assert created.subscription.retry_schedule == [0, 0, 0, 0, 0]
    got = await webhooks.call(contract.GET_SUBSCRIPTION, {"id": created.subscription.id})
    listed = await webhooks.call(contract.LIST_SUBSCRIPTIONS, {})
    assert "secret" not in got.model_dump_json()
    assert created.secret not in listed.model_dump_json()
    row = await webhooks.subscription_row(created.subscription.id)
    assert created.secret not in row.secret  # sealed at rest
    assert [s.id for s in listed.data] == [created.subscription.id]
    assert (await webhooks.events(contract.SUBSCRIPTION_CREATED))[0]["subscription"]["id"] == created.subscription.id


async def test_unknown_event_types_and_inner_urls_are_refused_with_their_fields(webhooks, receiver):
    with pytest.raises(ValidationFailed) as refused:
        await webhooks.subscribe("http://10.0.0.5/hook", ["participant.approved", "nope", "test.ping"])
    problems = {tuple(e.loc): e.msg for e in refused.value.errors}
    assert problems[("body", "events")] == "Invalid event types: nope, test.ping"
    assert "10.0.0.5: private" in problems[("body", "url")]
    with pytest.raises(ValidationError, match="at most 20 items"):  # the contract's limit, checked on both sides
        contract.CreateSubscription.model_validate({"url": receiver.url, "events": ["*"] * 21})


async def test_another_tenants_subscription_is_not_found(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["*"])
    for spec in (contract.GET_SUBSCRIPTION, contract.PAUSE_SUBSCRIPTION, contract.DELETE_SUBSCRIPTION):
        with pytest.raises(NotFound):
            await webhooks.call(spec, {"id": created.subscription.id}, tenant=OTHER_TENANT)


async def test_pause_resume_update_and_delete_follow_the_status_rules(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"])
    sid = created.subscription.id
    paused = await webhooks.call(contract.PAUSE_SUBSCRIPTION, {"id": sid})
    assert paused.status == "PAUSED"
    with pytest.raises(Conflict):
        await webhooks.call(contract.PAUSE_SUBSCRIPTION, {"id": sid})
    updated = await webhooks.call(
        contract.UPDATE_SUBSCRIPTION, {"id": sid, "events": ["*"], "headers": {"X-Team": "crm"}}
    )
    assert (updated.events, updated.headers, updated.status) == (["*"], {"X-Team": "crm"}, "PAUSED")
    resumed = await webhooks.call(contract.RESUME_SUBSCRIPTION, {"id": sid})
    assert resumed.status == "ACTIVE"
    with pytest.raises(Conflict):
        await webhooks.call(contract.RESUME_SUBSCRIPTION, {"id": sid})
    await webhooks.call(contract.DELETE_SUBSCRIPTION, {"id": sid})
    with pytest.raises(NotFound):
        await webhooks.call(contract.GET_SUBSCRIPTION, {"id": sid})


async def test_a_tenant_holds_at_most_50_subscriptions(webhooks, receiver):
    for _ in range(contract.MAX_SUBSCRIPTIONS):
        await webhooks.subscribe(receiver.url, ["sla.warning"])
    with pytest.raises(Conflict):
        await webhooks.subscribe(receiver.url, ["sla.warning"])
    await webhooks.subscribe(receiver.url, ["sla.warning"], tenant=OTHER_TENANT)


async def test_the_test_operation_delivers_a_signed_ping_now_and_answers_with_the_result(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["sla.warning"])
    result = await webhooks.call(contract.TEST_SUBSCRIPTION, {"id": created.subscription.id})
    assert (result.success, result.response_code, result.response_body) == (True, 200, "ok")
    (ping,) = receiver.received
    body = Webhook(created.secret).verify(ping.body, ping.headers)
    assert body["type"] == "test.ping" and body["data"]["message"]
    receiver.answering(503)
    failed = await webhooks.call(contract.TEST_SUBSCRIPTION, {"id": created.subscription.id})
    assert (failed.success, failed.response_code, failed.error_type) == (False, 503, "HTTP_ERROR")
    log = await webhooks.call(contract.LIST_SUBSCRIPTION_DELIVERIES, {"id": created.subscription.id})
    assert [d.status for d in log.data] == ["FAILED", "DELIVERED"]
    await eventually(lambda: len(receiver.received) == 2)


async def test_a_rotated_secret_keeps_the_previous_one_signing_for_the_overlap(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"])
    rotated = await webhooks.call(contract.ROTATE_SECRET, {"id": created.subscription.id})
    assert rotated.secret != created.secret
    assert rotated.subscription.previous_secret_expires_at is not None
    await webhooks.approve()
    await eventually(lambda: receiver.received)
    (got,) = receiver.received
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(rotated.secret).verify(got.body, got.headers)
    Webhook(created.secret).verify(got.body, got.headers)
