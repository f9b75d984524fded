"""Live feeds end to end: the whole gateway app served by uvicorn on a real port (real NATS, JetStream and
buckets), read by a real HTTP client as a browser's EventSource reads a stream. Occupancy changes are
published on JetStream as checkin's outbox relay would."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from gateway_svc.application.feeds import Feeds

from plenary_contracts.catalog.checkin import OCCUPANCY_FEED
from plenary_contracts.catalog.checkin.occupancy import OCCUPANCY_CHANGED, ZoneOccupancy
from plenary_contracts.catalog.comms import NOTIFICATION_CREATED, NOTIFICATION_FEED
from plenary_contracts.feeds import CLOSED_EVENT
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.streams import API_KEYS_BUCKET
from plenary_kit.embedded import free_port
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.producing import publish_produced

from .app_harness import TENANT, Edge, problem, put_flag, put_key, revoke

pytestmark = pytest.mark.integration

STREAM = OCCUPANCY_FEED.stream
SCAN = "check-in:scan;any;TENANT;"
OTHER_TENANT = "tenant2"
WAIT = 10.0  # the longest any step waits for what it expects; never a measured duration
MAX_STREAMS = 3


@pytest.fixture
def edge_settings() -> dict[str, object]:
    return {"sse_keepalive_seconds": 0.5, "sse_max_streams": MAX_STREAMS}


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers (pytest's are left alone)."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield


@pytest.fixture
async def http(edge: Edge) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway app served on a real port, with the live feed's flag on for TENANT."""
    await put_flag(edge.nc, FlagKey.SSE_UPDATES.value, enabled_for_tenants=[TENANT])
    await eventually(lambda: edge.runtime.flags.is_enabled(FlagKey.SSE_UPDATES, FlagContext(tenant_id=TENANT)))
    port = free_port()
    config = uvicorn.Config(
        edge.runtime.public_app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="info",
        log_config=None,  # the access log reaches pytest's log capture
        loop="none",
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=WAIT) as client:
        yield client
    # every stream a test opened is gone once its client is, whatever was being sent as it left
    await eventually(lambda: feeds_of(edge).open_streams == 0)
    server.should_exit = True
    await asyncio.wait_for(serving, 15)


def feeds_of(edge: Edge) -> Feeds:
    return edge.runtime.public_app.state.feeds


def path(event_id: str = "ev1") -> str:
    return f"/api/v1/events/{event_id}/occupancy/stream"


def zone(event_id: str = "ev1", count: int = 1) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "zoneId": "hall-a",
        "currentCount": count,
        "maxCapacity": 100,
        "band": "green",
        "lastUpdated": "2026-03-01T12:00:00Z",
    }


async def change(edge: Edge, event_id: str = "ev1", count: int = 1, tenant: str = TENANT) -> int:
    """An occupancy change published as checkin's outbox relay would; its sequence in the stream."""
    await publish_produced(edge.nc, OCCUPANCY_CHANGED, {"zone": zone(event_id, count)}, tenant=tenant)
    return (await edge.nc.jetstream().stream_info(STREAM)).state.last_seq


async def consumers(edge: Edge) -> set[str]:
    return {info.name for info in await edge.nc.jetstream().consumers_info(STREAM)}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Stream:
    """An open event stream, read line by line as EventSource reads it."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def line(self, deadline: float) -> str | None:
        """The next line; None once the server has ended the stream."""
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            return await asyncio.wait_for(anext(self._lines), max(remaining, 0.001))
        except StopAsyncIteration:
            return None

    async def frame(self, timeout: float = WAIT) -> dict[str, str] | None:
        """The next message's fields (comment-only blocks skipped); None once the stream has ended."""
        deadline = asyncio.get_running_loop().time() + timeout
        fields: dict[str, str] = {}
        while True:
            line = await self.line(deadline)
            if line is None:
                return None
            if line == "":
                if fields:
                    return fields
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")

    async def event(self, timeout: float = WAIT) -> dict[str, str] | None:
        """The next message with an event name; None once the stream has ended."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = await self.frame(deadline - asyncio.get_running_loop().time())
            if found is None or "event" in found:
                return found

    async def comment(self, timeout: float = WAIT) -> str:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            line = await self.line(deadline)
            assert line is not None, "the stream ended"
            if line.startswith(":"):
                return line[1:].strip()


@contextlib.asynccontextmanager
async def opened(http: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Stream]:
    """A stream, open once its first bytes came (its consumer exists then); closed, like a tab, at the end."""
    async with http.stream("GET", url, headers=headers) as response:
        if response.status_code != 200:
            raise AssertionError(f"{response.status_code}: {(await response.aread()).decode()}")
        stream = Stream(response)
        assert await stream.frame() == {"retry": "3000"}
        yield stream


def occupancy(message: dict[str, str] | None) -> dict[str, Any]:
    assert message is not None and message["event"] == "occupancy:updated", message
    return json.loads(message["data"])


async def test_a_change_reaches_a_connected_client_as_occupancy_updated_with_its_sequence_as_id(edge, http):
    token = edge.tokens.issue(grants=(SCAN,))
    async with opened(http, path(), bearer(token)) as stream:
        assert stream.response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert stream.response.headers["cache-control"] == "no-store"
        assert stream.response.headers["x-correlation-id"]
        sequence = await change(edge, count=7)
        message = await stream.event()
        assert message is not None and set(message) == {"id", "event", "data"}
        assert (message["id"], message["event"]) == (str(sequence), "occupancy:updated")
        assert occupancy(message) == ZoneOccupancy.model_validate(zone(count=7)).model_dump(mode="json")
        assert set(occupancy(message)) == {"eventId", "zoneId", "currentCount", "maxCapacity", "band", "lastUpdated"}


async def test_a_reconnect_with_last_event_id_gets_exactly_the_missed_changes_in_order(edge, http):
    token = edge.tokens.issue(grants=(SCAN,))
    before = await change(edge, count=0)  # history the first stream must not send
    async with opened(http, path(), bearer(token)) as stream:
        first = await change(edge, count=1)
        received = await stream.event()
        assert received is not None and received["id"] == str(first)
    missed = [
        await change(edge, count=2),
        await change(edge, "ev2", count=90),  # another event
        await change(edge, count=91, tenant=OTHER_TENANT),  # another tenant
        await change(edge, count=3),
    ]
    async with opened(http, path(), {**bearer(token), "Last-Event-ID": received["id"]}) as stream:
        again = [await stream.event(), await stream.event()]
        assert [m["id"] for m in again if m] == [str(missed[0]), str(missed[3])]
        assert [occupancy(m)["currentCount"] for m in again] == [2, 3]
        latest = await change(edge, count=4)
        after = await stream.event()
        assert after is not None and after["id"] == str(latest)  # nothing repeated, nothing between
    assert before < first
    await eventually(lambda: feeds_of(edge).open_streams == 0)


async def test_another_tenant_s_and_another_event_s_changes_are_never_sent(edge, http):
    token = edge.tokens.issue(grants=(SCAN,))
    async with opened(http, path(), bearer(token)) as stream:
        await change(edge, "ev2", count=1)
        await change(edge, "ev1", count=2, tenant=OTHER_TENANT)
        own = await change(edge, "ev1", count=3)
        message = await stream.event()  # the stream is in order: a leaked change would have come first
        assert message is not None and message["id"] == str(own) and occupancy(message)["currentCount"] == 3
    other = edge.tokens.issue(sub="u2", tid=OTHER_TENANT, grants=(SCAN,))
    await put_flag(edge.nc, FlagKey.SSE_UPDATES.value, enabled_for_tenants=[TENANT, OTHER_TENANT])
    await eventually(lambda: edge.runtime.flags.is_enabled(FlagKey.SSE_UPDATES, FlagContext(tenant_id=OTHER_TENANT)))
    async with opened(http, path(), bearer(other)) as stream:
        await change(edge, "ev1", count=4)
        theirs = await change(edge, "ev1", count=5, tenant=OTHER_TENANT)
        message = await stream.event()
        assert message is not None and message["id"] == str(theirs) and occupancy(message)["currentCount"] == 5


async def test_the_access_token_may_come_as_a_query_parameter_and_is_never_logged(edge, http, caplog, capfd):
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    token = edge.tokens.issue(grants=(SCAN,))
    first = await change(edge, count=1)
    async with opened(http, f"{path()}?access_token={token}&lastEventId={first - 1}") as stream:
        message = await stream.event()  # lastEventId resumes as the header does
        assert message is not None and message["id"] == str(first)
    await eventually(lambda: "occupancy/stream" in caplog.text)  # the access line was written
    assert "occupancy/stream?lastEventId=" in caplog.text
    refused = await http.get(f"{path()}?access_token=not-a-token")
    assert problem(refused, 401, "UNAUTHORIZED")["detail"] == "invalid access token"
    captured = capfd.readouterr()
    assert token not in caplog.text + captured.out + captured.err
    assert "not-a-token" not in caplog.text + captured.out + captured.err
    # only feeds take it: on any other route a token in the URL is no credential
    problem(await http.get(f"/api/v1/users/u1?access_token={token}"), 401, "UNAUTHORIZED")


async def test_who_may_open_a_stream(edge, http):
    missing = await http.get(path())
    problem(missing, 401, "UNAUTHORIZED")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    no_grant = edge.tokens.issue(grants=("user:read;any;TENANT;",))
    body = problem(await http.get(path(), headers=bearer(no_grant)), 403, "FORBIDDEN")
    assert body["detail"] == "lacks required permission: check-in:scan"
    at_ev1 = edge.tokens.issue(sub="u3", grants=("check-in:scan;any;EVENT;ev1",))
    problem(await http.get(path("ev2"), headers=bearer(at_ev1)), 403, "FORBIDDEN")
    async with opened(http, path("ev1"), bearer(at_ev1)):
        pass
    flag_off = edge.tokens.issue(sub="u2", tid=OTHER_TENANT, grants=(SCAN,))
    problem(await http.get(path(), headers=bearer(flag_off)), 404, "FEATURE_DISABLED")
    token = edge.tokens.issue(grants=(SCAN,))
    problem(await http.get(path(), headers={**bearer(token), "X-Tenant-Id": OTHER_TENANT}), 403, "FORBIDDEN")
    problem(await http.get(f"{path()}?tenantId={OTHER_TENANT}", headers=bearer(token)), 403, "FORBIDDEN")
    both = await http.get(f"{path()}?access_token={token}", headers=bearer(token))
    problem(both, 400, "BAD_REQUEST")


async def test_a_global_admin_names_the_tenant_by_header_or_query(edge, http):
    admin = edge.tokens.issue(sub="admin", tid=None, grants=("check-in:scan;any;GLOBAL;",))
    problem(await http.get(path(), headers=bearer(admin)), 400, "BAD_REQUEST")
    problem(await http.get(path(), headers={**bearer(admin), "X-Tenant-Id": "nowhere"}), 404, "NOT_FOUND")
    async with opened(http, f"{path()}?tenantId={TENANT}&access_token={admin}") as stream:
        await change(edge, count=1, tenant=OTHER_TENANT)
        own = await change(edge, count=2)
        message = await stream.event()
        assert message is not None and message["id"] == str(own)
    async with opened(http, path(), {**bearer(admin), "X-Tenant-Id": TENANT}):
        pass


async def test_an_api_key_opens_a_stream_with_the_permission_only(edge, http):
    raw, key = await put_key(edge.nc, edge.secret, permissions=["check-in:scan"])
    narrow, _ = await put_key(edge.nc, edge.secret, permissions=["user:read"])
    await eventually(lambda: edge.gateway.keys.get(key.lookup_id) is not None)
    problem(await http.get(path(), headers={"X-API-Key": narrow}), 403, "FORBIDDEN")
    async with opened(http, path(), {"X-API-Key": raw}) as stream:
        assert stream.response.headers["X-RateLimit-Limit"] == "100"
        sequence = await change(edge, count=1)
        message = await stream.event()
        assert message is not None and message["id"] == str(sequence)


async def test_what_is_not_a_resume_position_or_an_event_id_is_a_422(edge, http):
    token = edge.tokens.issue(grants=(SCAN,))
    header = problem(await http.get(path(), headers={**bearer(token), "Last-Event-ID": "x1"}), 422, "VALIDATION_ERROR")
    assert header["errors"][0]["loc"] == ["header", "Last-Event-ID"]
    query = problem(await http.get(f"{path()}?lastEventId=-1", headers=bearer(token)), 422, "VALIDATION_ERROR")
    assert query["errors"][0]["loc"] == ["query", "lastEventId"]
    bad = problem(await http.get(path("bad%20id"), headers=bearer(token)), 422, "VALIDATION_ERROR")
    assert bad["errors"][0]["loc"] == ["path", "eventId"]


async def test_a_revoked_token_s_stream_ends_with_stream_closed(edge, http):
    token = edge.tokens.issue(grants=(SCAN,), sid="s-revoked")
    before = await consumers(edge)
    async with opened(http, path(), bearer(token)) as stream:
        await revoke(edge.nc, "session", "s-revoked")
        closing = await stream.event()
        assert closing is not None and closing["event"] == CLOSED_EVENT and "id" not in closing
        body = json.loads(closing["data"])
        assert (body["status"], body["code"]) == (401, "UNAUTHORIZED")
        assert body["detail"].startswith("the access token was revoked")
        assert await stream.event() is None  # the server ended the response
    await eventually(lambda: feeds_of(edge).open_streams == 0)
    assert await consumers(edge) == before
    problem(await http.get(path(), headers=bearer(token)), 401, "UNAUTHORIZED")


async def test_a_deleted_api_key_or_a_flag_turned_off_ends_the_stream(edge, http):
    raw, key = await put_key(edge.nc, edge.secret, permissions=["check-in:scan"])
    await eventually(lambda: edge.gateway.keys.get(key.lookup_id) is not None)
    async with opened(http, path(), {"X-API-Key": raw}) as stream:
        kv = await edge.nc.jetstream().key_value(API_KEYS_BUCKET.name)
        await kv.delete(key.lookup_id)
        closing = await stream.event()
        assert closing is not None and closing["event"] == CLOSED_EVENT
        assert json.loads(closing["data"])["status"] == 401
    token = edge.tokens.issue(grants=(SCAN,))
    async with opened(http, path(), bearer(token)) as stream:
        await put_flag(edge.nc, FlagKey.SSE_UPDATES.value, enabled_for_tenants=[])
        closing = await stream.event()
        assert closing is not None and closing["event"] == CLOSED_EVENT
        assert json.loads(closing["data"])["code"] == "FEATURE_DISABLED"
        assert await stream.event() is None


async def test_the_consumer_and_the_subscription_are_gone_once_the_client_disconnects(edge, http):
    token = edge.tokens.issue(grants=(SCAN,))
    feeds = feeds_of(edge)
    nc = edge.runtime.nc
    assert nc is not None
    before, subscriptions, watchers = await consumers(edge), len(nc._subs), feeds.changes.watchers
    async with opened(http, path(), bearer(token)) as stream:
        assert len(await consumers(edge) - before) == 1
        assert (feeds.open_streams, len(nc._subs), feeds.changes.watchers) == (1, subscriptions + 1, watchers + 1)
        sequence = await change(edge, count=1)
        message = await stream.event()
        assert message is not None and message["id"] == str(sequence)
    await eventually(lambda: feeds.open_streams == 0)
    assert await consumers(edge) == before
    assert (len(nc._subs), feeds.changes.watchers) == (subscriptions, watchers)


async def test_streams_beyond_the_limit_are_a_503_until_one_closes(edge, http):
    token = edge.tokens.issue(grants=(SCAN,))
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(opened(http, path(), bearer(token)))
        for _ in range(MAX_STREAMS - 1):
            await stack.enter_async_context(opened(http, path(), bearer(token)))
        busy = await http.get(path(), headers=bearer(token))
        problem(busy, 503, "SERVICE_UNAVAILABLE")
        assert busy.headers["Retry-After"] == "5"
        sequence = await change(edge, count=1)
        message = await first.event()  # the open ones go on
        assert message is not None and message["id"] == str(sequence)
    await eventually(lambda: feeds_of(edge).open_streams == 0)
    async with opened(http, path(), bearer(token)):
        pass


async def test_a_quiet_stream_sends_keep_alive_comments(edge, http):
    token = edge.tokens.issue(grants=(SCAN,))
    async with opened(http, path(), bearer(token)) as stream:
        assert await stream.comment() == "keep-alive"
        await change(edge, count=1, tenant=OTHER_TENANT)  # not this stream's: it stays quiet
        assert await stream.comment() == "keep-alive"


async def test_a_lost_consumer_is_re_created_after_the_last_message_sent(edge, http):
    feeds = feeds_of(edge)
    feeds.open_source.heartbeat_seconds = 0.25  # type: ignore[attr-defined]
    token = edge.tokens.issue(grants=(SCAN,))
    before = await consumers(edge)
    history = await change(edge, count=0)
    async with opened(http, path(), bearer(token)) as stream:
        (lost,) = await consumers(edge) - before
        await edge.nc.jetstream().delete_consumer(STREAM, lost)  # before the first message: resumes where it began
        (again,) = await eventually(lambda: _new(edge, before | {lost}))
        info = await edge.nc.jetstream().consumer_info(STREAM, again)
        assert info.config.opt_start_seq == history + 1
        first = await change(edge, count=1)
        message = await stream.event()
        assert message is not None and message["id"] == str(first)
        await edge.nc.jetstream().delete_consumer(STREAM, again)
        missed = await change(edge, count=2)  # published while the stream has no consumer
        message = await stream.event()
        assert message is not None and message["id"] == str(missed)
        latest = await change(edge, count=3)
        message = await stream.event()
        assert message is not None and message["id"] == str(latest)
    await eventually(lambda: feeds.open_streams == 0)
    await eventually(lambda: _same(edge, before))


async def _new(edge: Edge, known: set[str]) -> set[str]:
    return await consumers(edge) - known


async def _same(edge: Edge, expected: set[str]) -> bool:
    return await consumers(edge) == expected


async def test_draining_the_gateway_ends_open_streams_and_refuses_new_ones(edge, http):
    token = edge.tokens.issue(grants=(SCAN,))
    async with opened(http, path(), bearer(token)) as stream:
        draining = asyncio.create_task(edge.runtime.drain())
        closing = await stream.event()
        assert closing is not None and closing["event"] == CLOSED_EVENT
        assert json.loads(closing["data"])["status"] == 503
        assert await stream.event() is None
        await draining
    assert feeds_of(edge).open_streams == 0
    problem(await http.get(path(), headers=bearer(token)), 503, "SERVICE_UNAVAILABLE")


def notification(user_id: str, title: str) -> dict[str, Any]:
    return {
        "notification": {
            "id": f"n-{title}",
            "userId": user_id,
            "type": "step_assignment",
            "title": title,
            "message": "You have a participant to review",
            "read": False,
            "createdAt": "2026-03-01T12:00:00Z",
        }
    }


async def test_a_personal_feed_sends_a_user_only_their_own_notifications(edge, http):
    await put_flag(edge.nc, FlagKey.NOTIFICATIONS.value, enabled_for_tenants=[TENANT])
    await eventually(lambda: edge.runtime.flags.is_enabled(FlagKey.NOTIFICATIONS, FlagContext(tenant_id=TENANT)))
    mine = f"/api/v1{NOTIFICATION_FEED.path}"
    raw, key = await put_key(edge.nc, edge.secret, permissions=["check-in:scan"])
    await eventually(lambda: edge.gateway.keys.get(key.lookup_id) is not None)
    problem(await http.get(mine, headers={"X-API-Key": raw}), 401, "UNAUTHORIZED")  # a key is nobody's inbox
    token = edge.tokens.issue(sub="u1")  # no permission needed: a user reads only their own
    async with opened(http, mine, bearer(token)) as stream:
        await publish_produced(edge.nc, NOTIFICATION_CREATED, notification("u2", "someone-else"), tenant=TENANT)
        await publish_produced(edge.nc, NOTIFICATION_CREATED, notification("u1", "elsewhere"), tenant=OTHER_TENANT)
        await publish_produced(edge.nc, NOTIFICATION_CREATED, notification("u1", "own"), tenant=TENANT)
        message = await stream.event()  # in order: a leaked one would have come first
        assert message is not None and message["event"] == "notification:created"
        assert json.loads(message["data"])["title"] == "own"
