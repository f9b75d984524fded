import json
from types import SimpleNamespace

import pytest
from pydantic import BaseModel, ValidationError

from plenary_contracts import streams
from plenary_contracts.errors import (
    BadRequest,
    Conflict,
    ErrorBody,
    ErrorCode,
    Forbidden,
    NotFound,
    PlenaryError,
    ServiceUnavailable,
    Timeout,
    ValidationFailed,
)
from plenary_kit.bus.retry import (
    PermanentError,
    RetryPolicy,
    dead_letter_headers,
    is_permanent,
    retry_delay,
    should_dead_letter,
)


class Probe(BaseModel):
    n: int


def test_retry_delay_doubles_from_the_base_and_stops_at_the_cap():
    assert [retry_delay(n, base=1.0, cap=10.0) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_retry_delay_of_a_first_delivery_is_the_base():
    assert retry_delay(0, base=0.5, cap=60) == 0.5


def test_a_plain_bug_is_retried_not_dead_lettered_at_once():
    for bug in (KeyError("id"), ValueError("bad"), TypeError("None"), AttributeError("x"), RuntimeError("boom")):
        assert not is_permanent(bug), bug


def test_a_payload_that_cannot_be_parsed_is_permanent():
    with pytest.raises(ValidationError) as invalid:
        Probe.model_validate({"n": "not a number"})
    with pytest.raises(json.JSONDecodeError) as undecodable:
        json.loads(b"{not json")
    assert is_permanent(invalid.value)
    assert is_permanent(undecodable.value)
    assert is_permanent(PermanentError("unknown event version"))


def test_typed_refusals_are_permanent_and_typed_outages_are_retried():
    for refusal in (NotFound("gone"), Conflict("taken"), ValidationFailed("bad"), Forbidden("no"), BadRequest("no")):
        assert is_permanent(refusal), refusal
    for passing in (ServiceUnavailable("down"), Timeout("slow"), PlenaryError("internal error")):
        assert not is_permanent(passing), passing
    assert not is_permanent(PlenaryError.from_body(ErrorBody(code=ErrorCode.RATE_LIMITED, message="", status=429)))


def test_a_transient_failure_is_dead_lettered_only_on_its_last_delivery():
    assert not should_dead_letter(RuntimeError("boom"), deliveries=2, max_deliver=3)
    assert should_dead_letter(RuntimeError("boom"), deliveries=3, max_deliver=3)
    assert should_dead_letter(NotFound("gone"), deliveries=1, max_deliver=3)


def test_a_dead_letter_keeps_the_headers_and_says_why_without_the_message_id():
    headers = dead_letter_headers(
        {"ce-id": "e1", "Nats-Msg-Id": "e1"}, "evt.identity.probe.happened", "probe", 3, RuntimeError("boom")
    )
    assert "Nats-Msg-Id" not in headers
    assert headers["ce-id"] == "e1"
    assert headers[streams.DEAD_LETTER_ERROR] == "RuntimeError: boom"
    assert headers[streams.DEAD_LETTER_CONSUMER] == "probe"
    assert headers[streams.DEAD_LETTER_DELIVERIES] == "3"
    assert headers[streams.DEAD_LETTER_SUBJECT] == "evt.identity.probe.happened"


class FakeMessage:
    """What the policy reads of a JetStream message, and what it did to it."""

    def __init__(self, deliveries: int) -> None:
        self.metadata = SimpleNamespace(num_delivered=deliveries)
        self.headers = {"ce-id": "e1"}
        self.subject = "evt.identity.probe.happened"
        self.data = b"{}"
        self.settled: list[tuple[str, float | None]] = []

    async def nak(self, delay: float | None = None) -> None:
        self.settled.append(("nak", delay))

    async def term(self) -> None:
        self.settled.append(("term", None))


CONSUMER = streams.ConsumerSpec(
    service="identity", durable="probe", stream="EVT_IDENTITY", filter_subject="evt.>", description="", max_deliver=3
)


def _policy(letters: list, fail: bool = False) -> RetryPolicy:
    async def publish(subject: str, data: bytes, headers: dict[str, str]) -> None:
        if fail:
            raise ConnectionError("no bus")
        letters.append((subject, headers))

    return RetryPolicy("identity", publish, base=1.0, cap=60.0)


async def test_a_transient_failure_is_nacked_with_a_growing_delay():
    letters: list = []
    msg = FakeMessage(deliveries=2)
    await _policy(letters).settle_failure(msg, CONSUMER, RuntimeError("boom"))
    assert msg.settled == [("nak", 2.0)]
    assert letters == []


async def test_a_permanent_failure_is_copied_to_the_dead_letter_subject_then_terminated():
    letters: list = []
    msg = FakeMessage(deliveries=1)
    await _policy(letters).settle_failure(msg, CONSUMER, PermanentError("never"))
    assert msg.settled == [("term", None)]
    assert [subject for subject, _ in letters] == ["dlq.identity.probe"]


async def test_a_message_whose_dead_letter_could_not_be_published_is_not_terminated():
    msg = FakeMessage(deliveries=3)
    await _policy([], fail=True).settle_failure(msg, CONSUMER, RuntimeError("boom"))
    assert [what for what, _ in msg.settled] == ["nak"]
