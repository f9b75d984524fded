import pytest

from plenary_contracts.envelope import NATS_MSG_ID, TENANT_HEADER, CloudEvent


def _event(**overrides):
    values = dict(source="/plenary/identity", type="plenary.identity.thing.happened.v1", data={"a": [1, "b"]})
    return CloudEvent(**{**values, **overrides})


def test_binary_mode_round_trip_keeps_every_attribute_and_the_data():
    event = _event(tenantid="t1", actorid="u1", correlationid="c1", causationid="e0", subject="x")
    assert CloudEvent.from_nats(event.to_nats_headers(), event.to_nats_payload()) == event


def test_event_id_is_sent_as_nats_msg_id_for_jetstream_deduplication():
    event = _event()
    assert event.to_nats_headers()[NATS_MSG_ID] == str(event.id)


def test_tenant_travels_in_a_header_as_well_as_in_the_envelope():
    assert _event(tenantid="t9").to_nats_headers()[TENANT_HEADER] == "t9"


def test_payload_is_the_data_alone():
    assert _event().to_nats_payload() == b'{"a":[1,"b"]}'


def test_message_without_cloudevent_headers_is_refused_with_the_missing_names():
    with pytest.raises(ValueError, match="ce-id"):
        CloudEvent.from_nats({"ce-source": "/x", "ce-type": "t", "ce-specversion": "1.0"}, b"{}")


def test_unknown_extension_headers_are_ignored():
    event = _event()
    headers = {**event.to_nats_headers(), "ce-futureext": "v"}
    assert CloudEvent.from_nats(headers, event.to_nats_payload()) == event
