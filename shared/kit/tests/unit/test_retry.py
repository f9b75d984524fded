import json

import pytest
from pydantic import BaseModel, ValidationError

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
from plenary_kit.bus.retry import PermanentError, is_permanent, retry_delay


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
