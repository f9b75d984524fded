import pytest
from gateway_svc.domain.sse import (
    KEEPALIVE,
    MAX_SEQUENCE,
    BadLastEventId,
    event_frame,
    in_scope,
    opening_frame,
    pick,
    resume_after,
)


def test_a_message_has_its_id_event_and_one_line_of_data_and_ends_with_a_blank_line():
    assert event_frame("occupancy:updated", '{"a":1}', 42) == b'id: 42\nevent: occupancy:updated\ndata: {"a":1}\n\n'
    assert event_frame("stream:closed", "{}") == b"event: stream:closed\ndata: {}\n\n"
    with pytest.raises(ValueError):
        event_frame("x", "two\nlines", 1)


def test_a_stream_opens_with_its_retry_hint_and_keeps_alive_with_comments():
    assert opening_frame(3000) == b"retry: 3000\n: open\n\n"
    assert KEEPALIVE.startswith(b":") and KEEPALIVE.endswith(b"\n\n")


def test_the_header_a_reconnecting_browser_sends_wins_over_the_query_parameter():
    assert resume_after(None, None) is None
    assert resume_after("17", "3") == 17
    assert resume_after(None, "3") == 3
    assert resume_after(" 0 ", None) == 0
    assert resume_after(str(MAX_SEQUENCE), None) == MAX_SEQUENCE


@pytest.mark.parametrize("value", ["", "x1", "-1", "1.5", "1e3", "\u0663", str(MAX_SEQUENCE + 1)])
def test_anything_but_a_sequence_is_refused_naming_where_it_came_from(value):
    with pytest.raises(BadLastEventId) as header:
        resume_after(value, "1")
    assert header.value.where == "header"
    with pytest.raises(BadLastEventId) as query:
        resume_after(None, value)
    assert query.value.where == "query"


def test_a_message_is_in_scope_when_every_path_parameter_matches_where_the_payload_has_it():
    payload = {"zone": {"eventId": "ev1", "zoneId": None, "currentCount": 3}}
    scope = {"eventId": ("zone", "eventId")}
    assert pick(payload, ("zone",)) == payload["zone"] and pick(payload, ()) == payload
    assert pick(payload, ("zone", "missing", "deeper")) is None
    assert in_scope(payload, scope, {"eventId": "ev1"})
    assert not in_scope(payload, scope, {"eventId": "ev2"})
    assert not in_scope({"zone": {}}, scope, {"eventId": "ev1"})
    assert not in_scope({"zone": {"eventId": None}}, scope, {})  # a missing value never matches a missing one
    assert not in_scope({"zone": {"eventId": 1}}, scope, {"eventId": "1"})
