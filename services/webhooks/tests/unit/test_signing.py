import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from webhooks_svc.domain import signing

SECRET = signing.new_secret(bytes(range(32)))
OLD = signing.new_secret(bytes(32))
AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def signed(secrets, version="v1"):
    payload = signing.body(version, "e-1", "participant.approved", AT, {"participantId": "p1"})
    stamp = int(datetime.now(UTC).timestamp())
    headers = dict(
        signing.headers(
            secrets=secrets,
            version=version,
            event_id="e-1",
            event_type="participant.approved",
            delivery_id="d-1",
            timestamp=stamp,
            payload=payload,
            custom={"X-Tenant": "acme", "webhook-signature": "forged", "Content-Type": "text/plain"},
        )
    )
    return payload, headers


def test_secrets_are_whsec_and_32_random_bytes():
    assert SECRET.startswith("whsec_")
    assert signing.secret_key(SECRET) == bytes(range(32))


def test_a_delivery_verifies_with_the_standard_webhooks_library():
    payload, headers = signed([SECRET])
    assert Webhook(SECRET).verify(payload, headers) == json.loads(payload)


def test_during_rotation_both_secrets_verify():
    payload, headers = signed([SECRET, OLD])
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(SECRET).verify(payload, headers)
    Webhook(OLD).verify(payload, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret(b"x" * 32)).verify(payload, headers)


def test_custom_headers_merge_but_never_replace_a_signature():
    _, headers = signed([SECRET])
    assert headers["x-tenant"] == "acme"
    assert headers["content-type"] == "text/plain"
    assert headers["webhook-signature"].startswith("v1,")


def test_the_v1_body_carries_id_type_timestamp_and_data():
    assert json.loads(signing.body("v1", "e-1", "sla.warning", AT, {"a": 1})) == {
        "id": "e-1",
        "type": "sla.warning",
        "timestamp": "2026-05-01T12:00:00Z",
        "data": {"a": 1},
    }


def test_legacy_subscriptions_get_the_original_headers_and_body_shape():
    payload, headers = signed([SECRET], version="legacy")
    assert set(json.loads(payload)) == {"id", "event", "timestamp", "version", "data"}
    assert headers["x-webhook-signature"] == signing.legacy_signature(SECRET, payload)
    assert headers["x-webhook-event"] == "participant.approved"
    assert headers["x-webhook-delivery"] == "d-1"
    Webhook(SECRET).verify(payload, headers)  # and the standard signature as well
