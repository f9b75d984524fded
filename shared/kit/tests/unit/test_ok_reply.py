from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, RootModel

from plenary_contracts.errors import ErrorBody, ErrorCode
from plenary_contracts.operations import Reply
from plenary_kit.bus.rpc import ok_data, ok_reply


class Colour(StrEnum):
    RED = "red"


class Inner(BaseModel):
    at: datetime
    amount: Decimal
    tags: set[str]


class Outer(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    name: str = Field(alias="fullName")
    colour: Colour
    inner: Inner
    missing: int | None = None
    text: str


class Items(RootModel[list[Inner]]):
    pass


def _as_before(data: BaseModel) -> bytes:
    return Reply(ok=True, data=data.model_dump(mode="json")).model_dump_json().encode()


def test_an_ok_reply_is_byte_for_byte_the_reply_envelope_around_the_data():
    inner = Inner(at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), amount=Decimal("1.50"), tags={"a"})
    data = Outer(name='Zoë "q" \u2028', colour=Colour.RED, inner=inner, text="line\nnext")
    assert ok_reply(data) == _as_before(data)
    assert Reply.model_validate_json(ok_reply(data)).data == data.model_dump(mode="json")


def test_an_ok_reply_of_a_list_model_carries_the_list():
    items = Items([Inner(at=datetime(2026, 1, 2, tzinfo=UTC), amount=Decimal(2), tags=set())])
    assert ok_reply(items) == _as_before(items)


def test_the_data_of_an_ok_reply_is_cut_out_and_an_error_reply_is_not():
    inner = Inner(at=datetime(2026, 1, 2, tzinfo=UTC), amount=Decimal("1.50"), tags={"a"})
    assert Inner.model_validate_json(ok_data(ok_reply(inner))) == inner
    assert Inner.model_validate_json(ok_data(_as_before(inner))) == inner  # a stored reply, dumped again
    error = Reply(ok=False, error=ErrorBody(code=ErrorCode.NOT_FOUND, message="gone", status=404))
    assert ok_data(error.model_dump_json().encode()) is None
