"""Bodies that would hurt the edge: nested past any sane depth, sent too slowly, abandoned half-way.

The slow ones go through a real uvicorn server on a socket; the others through the in-process app."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
import structlog
import uvicorn

from plenary_contracts.catalog import identity as contract
from plenary_kit.json_depth import MAX_JSON_DEPTH
from plenary_kit.testing.plugin import eventually

from .app_harness import Edge, problem

pytestmark = pytest.mark.integration

BODY_TIMEOUT = 1.0
HANG_GUARD = 20.0  # far past the bound; before the bound existed the gateway waited 40 s and more


@pytest.fixture
def plenary_settings(plenary_settings):  # type: ignore[no-untyped-def]
    return plenary_settings.model_copy(update={"body_timeout_seconds": BODY_TIMEOUT})


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield  # the test process's signals stay pytest's


@pytest.fixture
async def served(edge: Edge) -> AsyncIterator[tuple[str, int]]:
    """The same gateway served by uvicorn on a free local port: its (host, port)."""
    config = uvicorn.Config(
        edge.runtime.public_app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=2
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    yield "127.0.0.1", server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    await task


def _admin(edge: Edge) -> dict[str, str]:
    token = edge.tokens.issue(sub="admin", tid=None, grants=("user:read;any;GLOBAL;", "user:create;any;GLOBAL;"))
    return {"Authorization": f"Bearer {token}"}


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def test_json_nested_ten_thousand_deep_is_a_422_problem_and_the_gateway_serves_the_next_request(edge):
    auth = _admin(edge) | {"Content-Type": "application/json"}
    inside_a_field = b'{"email":"a@example.test","username":"abc","extras":{"a":' + _nested(10_000) + b"}}"
    for body in (_nested(10_000), inside_a_field, _nested(MAX_JSON_DEPTH + 1)):
        response = await edge.client.post("/api/v1/users", content=body, headers=auth)
        refused = problem(response, 422, "VALIDATION_ERROR")
        assert [(e["loc"], e["type"]) for e in refused["errors"]] == [(["body"], "json_too_deep")]
    assert not edge.services.calls_to(contract.CREATE_USER)
    assert (await edge.client.get("/api/v1/users/u1", headers=auth)).status_code == 200


async def test_json_at_the_depth_limit_is_judged_by_the_contract_as_usual(edge):
    body = b'{"email":' + _nested(MAX_JSON_DEPTH - 1) + b"}"
    response = await edge.client.post("/api/v1/users", content=body, headers=_admin(edge))
    assert ["body", "email"] in [e["loc"] for e in problem(response, 422, "VALIDATION_ERROR")["errors"]]


async def test_a_body_that_stops_arriving_is_a_408_and_the_gateway_serves_on(edge, served):
    host, port = served
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        "POST /api/v1/users HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        f"Authorization: {_admin(edge)['Authorization']}\r\nContent-Length: 100000\r\n\r\n"
    )
    try:
        writer.write(head.encode() + b'{"email":')
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), HANG_GUARD)  # the gateway closes the connection after it
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 408 Request Timeout", answer
    assert b"application/problem+json" in rest and b'"code":"REQUEST_TIMEOUT"' in rest

    async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as client:
        assert (await client.get("/api/v1/users/u1", headers=_admin(edge))).status_code == 200


async def test_a_client_that_leaves_mid_body_is_no_error_in_the_log(edge, served):
    host, port = served
    head = (
        "POST /api/v1/users HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        f"Authorization: {_admin(edge)['Authorization']}\r\nContent-Length: 100000\r\n\r\n"
    )
    with structlog.testing.capture_logs() as logs:
        _, writer = await asyncio.open_connection(host, port)
        writer.write(head.encode() + b'{"email":')
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        await eventually(lambda: any(entry.get("path") == "/api/v1/users" for entry in logs))
    assert [entry for entry in logs if entry["log_level"] in ("error", "critical")] == []
