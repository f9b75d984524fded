from typing import Any

from pydantic import BaseModel

from plenary_contracts import operations as ops
from plenary_contracts.errors import ErrorCode
from plenary_contracts.operations import OperationKind, OperationSpec, Reply
from plenary_kit.bus import rpc
from plenary_kit.bus.connection import connect
from plenary_kit.json_depth import MAX_JSON_DEPTH


class Note(BaseModel):
    extras: dict[str, Any] = {}


class Echoed(BaseModel):
    keys: list[str]


ECHO = OperationSpec("identity", "probe_echo", OperationKind.QUERY, Note, Echoed, "A test query")


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def _echo(request: Note, uow) -> Echoed:
    return Echoed(keys=sorted(request.extras))


async def test_a_request_nested_too_deep_gets_an_error_reply_and_the_server_answers_the_next(
    plenary_settings, identity_runtime
):
    identity_runtime.serve(ECHO, _echo)
    await identity_runtime.start()
    nc = await connect(plenary_settings.nats_url, "test-depth")
    try:
        for body in (nested(10_000), b'{"extras":{"a":' + nested(10_000) + b"}}", nested(MAX_JSON_DEPTH + 1)):
            msg = await nc.request(ECHO.subject, body, timeout=5, headers={ops.TENANT: "t1"})
            reply = Reply.model_validate_json(msg.data)
            assert not reply.ok and reply.error is not None
            assert reply.error.code is ErrorCode.VALIDATION_ERROR
            assert [e.type for e in reply.error.errors] == ["json_too_deep"]

        answer = await rpc.call(nc, ECHO, {"extras": {"b": 1, "a": 2}})
        assert answer == Echoed(keys=["a", "b"])
        at_the_limit = b'{"extras":{"a":' + nested(MAX_JSON_DEPTH - 2) + b"}}"
        reply = Reply.model_validate_json((await nc.request(ECHO.subject, at_the_limit, timeout=5)).data)
        assert reply.ok, reply.error
    finally:
        await nc.drain()
