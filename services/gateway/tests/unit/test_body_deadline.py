import asyncio

import pytest
from gateway_svc.application.exchange import BodyTooSlow
from gateway_svc.entrypoints.middleware import EdgeMiddleware, receive_within


def _receiving(*messages: dict):  # type: ignore[no-untyped-def]
    """A receive that hands out ``messages`` and then waits forever, as a silent client does."""
    queue = list(messages)

    async def receive() -> dict:
        if queue:
            return queue.pop(0)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive


async def test_a_body_that_stops_half_way_raises_body_too_slow():
    receive = _receiving({"type": "http.request", "body": b"{", "more_body": True})
    bounded = receive_within(receive, 0.05)
    assert (await bounded())["body"] == b"{"
    with pytest.raises(BodyTooSlow) as caught:
        await bounded()
    assert not isinstance(caught.value, OSError)  # the pipeline answers OSError as its state being down


async def test_once_the_body_is_complete_waiting_for_a_disconnect_is_not_bounded():
    receive = _receiving({"type": "http.request", "body": b"{}", "more_body": False})
    bounded = receive_within(receive, 0.01)
    await bounded()
    waiting = asyncio.ensure_future(bounded())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    waiting.cancel()


def test_upload_routes_get_their_own_time():
    edge = EdgeMiddleware(
        app=None,  # type: ignore[arg-type]
        max_body_bytes=10,
        max_upload_bytes=100,
        upload_routes=[("POST", "/api/v1/events/{eventId}/imports")],
        body_timeout_seconds=30,
        upload_timeout_seconds=300,
    )
    assert edge.body_timeout({"method": "POST", "path": "/api/v1/events/e1/imports"}) == 300
    assert edge.body_timeout({"method": "POST", "path": "/api/v1/events"}) == 30
    assert edge.body_limit({"method": "POST", "path": "/api/v1/events/e1/imports"}) == 100
