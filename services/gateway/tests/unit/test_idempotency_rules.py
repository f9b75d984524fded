import json

from gateway_svc.domain import idempotency
from gateway_svc.domain.idempotency import (
    ABANDONED_AFTER_MARGIN_SECONDS,
    Decision,
    Record,
    decide,
    fingerprint,
    scoped_key,
    storable,
)


def test_the_fingerprint_ignores_json_key_order_and_spacing():
    assert fingerprint("POST", "/a", b'{"x": 1, "y": [1, 2]}') == fingerprint("post", "/a", b'{"y":[1,2],"x":1}')


def test_the_fingerprint_tells_method_path_and_body_apart():
    base = fingerprint("POST", "/a", b'{"x":1}')
    assert base != fingerprint("PUT", "/a", b'{"x":1}')
    assert base != fingerprint("POST", "/b", b'{"x":1}')
    assert base != fingerprint("POST", "/a", b'{"x":2}')
    assert fingerprint("POST", "/a", b"") == fingerprint("POST", "/a", b"  ")


def test_the_record_name_is_scoped_to_the_credential():
    assert scoped_key("api_key:k1", "abc") != scoped_key("api_key:k2", "abc")
    assert len(scoped_key("session:s", "x" * 255)) == 64


def test_a_completed_record_is_replayed():
    record = Record("f", 100.0).completed_with(201, '{"data":{}}', {"ETag": '"1"', "X-RateLimit-Limit": "100"})
    assert decide(record, "f", 101.0, 5.0) is Decision.REPLAY
    assert record.headers == {"ETag": '"1"'}


def test_the_same_key_with_another_request_is_refused():
    assert decide(Record("f", 100.0), "g", 101.0, 5.0) is Decision.REUSED
    assert decide(Record("f", 100.0).completed_with(200, None, {}), "g", 101.0, 5.0) is Decision.REUSED


def test_a_running_first_request_makes_the_repeat_wait():
    assert decide(Record("f", 100.0), "f", 100.0 + 5 + ABANDONED_AFTER_MARGIN_SECONDS, 5.0) is Decision.IN_FLIGHT


def test_a_marker_older_than_timeout_and_margin_is_taken_over():
    assert decide(Record("f", 100.0), "f", 100.1 + 5 + ABANDONED_AFTER_MARGIN_SECONDS, 5.0) is Decision.TAKE_OVER
    assert decide(None, "f", 100.0, 5.0) is Decision.TAKE_OVER


def test_try_again_answers_are_not_stored():
    assert [s for s in (200, 201, 204, 400, 404, 409, 412, 422, 429, 500, 503, 504) if storable(s)] == [
        200,
        201,
        204,
        400,
        404,
        412,
        422,
    ]


def test_records_round_trip_and_garbage_reads_as_none():
    record = Record("f", 1.5).completed_with(404, '{"code":"NOT_FOUND"}', {"Location": "/x"})
    assert Record.from_bytes(record.to_bytes()) == record
    assert Record.from_bytes(Record("f", 1.5).to_bytes()) == Record("f", 1.5)
    assert Record.from_bytes(b"{nope") is None


def test_a_secret_shown_once_is_kept_as_a_marker_and_everything_else_as_it_was():
    body = json.dumps({"data": {"id": "k1", "rawKey": "pk_live_secret", "name": "Gate"}, "meta": {"n": 1}})
    kept = json.loads(idempotency.kept_body(body, ("rawKey",), "(shown once)") or "")
    assert kept == {"data": {"id": "k1", "rawKey": "(shown once)", "name": "Gate"}, "meta": {"n": 1}}


def test_a_body_without_the_secret_or_not_json_is_kept_as_it_is():
    problem = '{"type":"urn:plenary:problem:CONFLICT","status":409}'
    assert idempotency.kept_body(problem, ("rawKey",), "x") == problem
    assert idempotency.kept_body("not json", ("rawKey",), "x") == "not json"
    assert idempotency.kept_body('{"data":{"rawKey":"s"}}', (), "x") == '{"data":{"rawKey":"s"}}'
