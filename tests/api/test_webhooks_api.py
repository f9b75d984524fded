"""Webhooks over REST as an integrator meets them: a subscription to an endpoint of their own (its secret shown
once), a participant registered over the API arriving there signed the Standard Webhooks way, the delivery in
the log; another tenant sees none of it."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from plenary_kit.testing.api import Api
from plenary_kit.testing.receiver import HttpReceiver, Received, serving_in_thread

from .builders import published_event
from .conftest import Tenant

SUBSCRIPTIONS = "/api/v1/webhook-subscriptions"


@pytest.fixture(scope="module")
def receiver() -> Iterator[HttpReceiver]:
    with serving_in_thread(HttpReceiver()) as found:
        yield found


def _of_type(receiver: HttpReceiver, event_type: str) -> list[Received]:
    return [request for request in receiver.received if request.json["type"] == event_type]


@pytest.fixture(scope="module")
def webhooks_on(api: Api, tenants: tuple[Tenant, Tenant]) -> None:
    """FF_WEBHOOKS for both tenants (so another tenant's 404 is about the row, not the flag), once the gateways
    and the services have it."""
    ids = [tenant.id for tenant in tenants]
    api.ok("PATCH", "/api/v1/feature-flags/FF_WEBHOOKS", token=api.admin, json={"enabledForTenants": ids})
    for tenant in tenants:
        for gateway in range(len(api.gateways)):
            api.until(
                lambda t=tenant, g=gateway: api.request("GET", SUBSCRIPTIONS, key=t.key, gateway=g).status_code == 200
            )


def _register(api: Api, tenant: Tenant, event: str, type_id: str) -> str:
    body = {"participantTypeId": type_id, "firstName": "Wangari", "lastName": "Maathai"}
    path = f"/api/v1/events/{event}/participants"
    return api.until(  # registration learns of the new event and type from the events service
        lambda: (r := api.request("POST", path, key=tenant.key, json=body)).status_code == 201 and r.json()["data"],
        timeout=30,
    )["id"]


def test_a_participant_registered_over_rest_arrives_signed_and_shows_in_the_delivery_log(
    api: Api, acme: Tenant, globex: Tenant, receiver: HttpReceiver, webhooks_on: None
):
    body = {"url": receiver.url, "events": ["participant.registered"], "description": "CRM"}
    created = api.ok("POST", SUBSCRIPTIONS, 201, key=acme.key, json=body)["data"]
    subscription, secret = created["subscription"], created["secret"]
    assert secret.startswith("whsec_") and subscription["status"] == "ACTIVE"
    shown = api.ok("GET", f"{SUBSCRIPTIONS}/{subscription['id']}", key=acme.key)
    assert secret not in json.dumps(shown) and "secret" not in shown["data"]
    listed = api.ok("GET", SUBSCRIPTIONS, key=acme.key)
    assert secret not in json.dumps(listed)

    event, type_id = published_event(api, acme)
    participant = _register(api, acme, event, type_id)
    request = api.until(
        lambda: next((r for r in _of_type(receiver, "participant.registered") if participant in r.body.decode()), None),
        timeout=30,
    )
    headers, raw = request.headers, request.body
    delivered = Webhook(secret).verify(raw, headers)  # the library's own check, not ours
    assert delivered["type"] == "participant.registered" and delivered["id"] == headers["webhook-id"]
    assert delivered["data"]["participantId"] == participant
    assert (delivered["data"]["eventId"], delivered["data"]["firstName"]) == (event, "Wangari")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(raw, headers)

    log_path = f"{SUBSCRIPTIONS}/{subscription['id']}/deliveries"

    def delivered_in_log() -> dict[str, Any] | None:
        rows = api.ok("GET", log_path, key=acme.key, params={"eventId": headers["webhook-id"]})["data"]
        return rows[0] if rows and rows[0]["status"] == "DELIVERED" else None

    row = api.until(delivered_in_log)  # the result is written just after the endpoint answered
    assert (row["eventType"], row["attempts"], row["responseCode"]) == ("participant.registered", 1, 200)
    detail = api.ok("GET", f"/api/v1/webhook-deliveries/{row['id']}", key=acme.key)["data"]
    assert detail["payload"]["participantId"] == participant
    assert [(a["responseCode"], a["errorType"]) for a in detail["attemptLog"]] == [(200, None)]

    # Another tenant finds neither the subscription nor its deliveries
    for path in (f"{SUBSCRIPTIONS}/{subscription['id']}", log_path, f"/api/v1/webhook-deliveries/{row['id']}"):
        foreign = api.request("GET", path, key=globex.key)
        assert foreign.status_code == 404, (path, foreign.text)
        assert foreign.headers["content-type"].startswith("application/problem+json")
        assert foreign.json()["code"] == "NOT_FOUND"
    assert api.ok("GET", "/api/v1/webhook-deliveries", key=globex.key)["data"] == []
    assert api.request("DELETE", f"{SUBSCRIPTIONS}/{subscription['id']}", key=globex.key).status_code == 404
    assert api.ok("GET", f"{SUBSCRIPTIONS}/{subscription['id']}", key=acme.key)["data"]["status"] == "ACTIVE"


def test_a_retried_create_with_the_same_idempotency_key_does_not_show_the_secret_again(
    api: Api, acme: Tenant, receiver: HttpReceiver, webhooks_on: None
):
    body = {"url": receiver.url, "events": ["*"]}
    headers = {"Idempotency-Key": "create-hook-once"}
    first = api.request("POST", SUBSCRIPTIONS, key=acme.key, json=body, headers=headers)
    again = api.request("POST", SUBSCRIPTIONS, key=acme.key, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    secret = first.json()["data"]["secret"]
    assert secret.startswith("whsec_")
    assert again.json()["data"]["subscription"]["id"] == first.json()["data"]["subscription"]["id"]
    assert secret not in again.text
