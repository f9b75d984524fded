"""Live feeds: a contract's Server-Sent Event stream (``plenary_contracts.feeds``), opened through the checks
every request passes and kept open only while they still hold.

Opening (``Feeds.open``), in the pipeline's order: client address; credential (X-API-Key, Authorization:
Bearer, or, on feeds only, since a browser's EventSource cannot send headers, the access token as the
``access_token`` query parameter); rate limit; permission, narrowed by the path's ``eventId``; tenant (a
feed always needs one: a global admin names it with X-Tenant-Id or ``tenantId``); feature flag; the path
and the resume position (``Last-Event-ID`` or ``lastEventId``) → 422; a free stream slot
(``PLENARY_SSE_MAX_STREAMS``, else 503); then the JetStream consumer. The answer is a session or a problem.

While open (``FeedSession.run``): each message of the caller's tenant whose payload matches the path goes
out with its stream sequence as ``id``; a keep-alive comment after ``PLENARY_SSE_KEEPALIVE_SECONDS`` of
quiet; the credential, permission, tenant and flag are checked again every second, and at once when a
revocation or an API key's change reaches the gateway's mirrors. When one no longer holds, or the gateway
stops, the stream sends ``stream:closed`` (data: the problem a new request would get) and ends. The client
hanging up ends it too. Either way the consumer is deleted and the slot freed.
"""

import asyncio
import contextlib
import dataclasses
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from prometheus_client import Gauge
from pydantic import TypeAdapter, ValidationError

from plenary_contracts.credentials import API_KEY_HEADER
from plenary_contracts.envelope import CE_PREFIX
from plenary_contracts.errors import (
    BadRequest,
    ErrorCode,
    FieldError,
    PlenaryError,
    ServiceUnavailable,
    ValidationFailed,
)
from plenary_contracts.events import EventSpec
from plenary_contracts.feeds import CLOSED_EVENT, FeedSpec
from plenary_contracts.fields import Id
from plenary_contracts.operations import API_PREFIX
from plenary_kit.logging import get_logger
from plenary_kit.personal_keys import PersonKeys, open_envelopes

from ..adapters.changes import Changes
from ..adapters.feed_source import FeedSource
from ..domain.addresses import client_ip
from ..domain.requests import EVENT_ID
from ..domain.sse import KEEPALIVE, BadLastEventId, event_frame, in_scope, opening_frame, pick, resume_after
from .callers import BEARER_CHALLENGE, Caller, Unauthenticated
from .exchange import Incoming, Outgoing, problem_body, problem_response
from .pipeline import Gateway

log = get_logger(__name__)

ACCESS_TOKEN_PARAM = "access_token"  # RFC 6750's name; accepted on feed routes only
TENANT_PARAM = "tenantId"
LAST_EVENT_ID_PARAM = "lastEventId"
LAST_EVENT_ID_HEADER = "Last-Event-ID"
RECHECK_SECONDS = 1.0  # the platform's bound on how long a revoked credential may still be served
RETRY_MILLISECONDS = 3000  # the `retry:` hint: how long a browser waits before reconnecting
CLOSE_WRITE_SECONDS = 1.0  # for the closing event to reach a client that reads slowly
BUSY_RETRY_AFTER = "5"
DRAIN_SECONDS = 3.0
CANCEL_AGAIN_SECONDS = 0.1
TENANT_ATTRIBUTE = CE_PREFIX + "tenantid"
TYPE_ATTRIBUTE = CE_PREFIX + "type"

OPEN_STREAMS = Gauge("plenary_gateway_open_streams", "Live feed streams open on this gateway process", ["feed"])

_ID = TypeAdapter(Id)
SourceOpener = Callable[[str, list[str], int | None], Awaitable[FeedSource]]


@dataclass(frozen=True)
class FeedPlan:
    """One feed as an HTTP route, worked out once at start-up."""

    feed: FeedSpec
    path: str

    @classmethod
    def of(cls, feed: FeedSpec) -> "FeedPlan":
        return cls(feed, API_PREFIX + feed.path)


@dataclass(frozen=True)
class Presented:
    """What a stream's request presented, checked again as long as the stream is open."""

    api_key: str | None = field(repr=False)
    authorization: str | None = field(repr=False)
    origin: str | None
    address: str | None
    tenant: str | None  # the tenant asked for (X-Tenant-Id or tenantId), if any
    tenant_where: tuple[str, str]
    params: dict[str, str]  # the path's parameters, validated


class Feeds:
    def __init__(
        self,
        gateway: Gateway,
        open_source: SourceOpener,
        changes: Changes,
        *,
        max_streams: int,
        keepalive_seconds: float,
        recheck_seconds: float = RECHECK_SECONDS,
        person_keys: PersonKeys | None = None,
    ) -> None:
        self.gateway = gateway
        self.person_keys = person_keys  # opens the personal data sealed in events (a feed of notifications)
        self.open_source = open_source
        self.changes = changes
        self.max_streams = max_streams
        self.keepalive_seconds = keepalive_seconds
        self.recheck_seconds = recheck_seconds
        self.open_streams = 0
        self.stopping = asyncio.Event()
        self._none_open = asyncio.Event()
        self._none_open.set()

    def _take_slot(self) -> None:
        if self.open_streams >= self.max_streams:
            raise ServiceUnavailable(f"this gateway holds {self.max_streams} streams already; retry shortly")
        self.open_streams += 1
        self._none_open.clear()

    def give_slot(self) -> None:
        self.open_streams -= 1
        if self.open_streams == 0:
            self._none_open.set()

    async def open(
        self, plan: FeedPlan, request: Incoming, access_tokens: Sequence[str] = ()
    ) -> "Outgoing | FeedSession":
        """The open stream, or the problem that refuses it. ``access_tokens``: the ``access_token`` query
        values, already taken out of the request's query."""
        headers: dict[str, str] = {}
        try:
            return await self._open(plan, request, access_tokens, headers)
        except PlenaryError as error:
            if isinstance(error, Unauthenticated):
                headers["WWW-Authenticate"] = error.challenge
            if error.code is ErrorCode.SERVICE_UNAVAILABLE:
                headers["Retry-After"] = BUSY_RETRY_AFTER
            return problem_response(error, request.path, request.correlation_id, headers)
        except (NatsError, OSError) as error:  # the rate-limit bucket, the stream, the consumer
            log.warning("live feed could not open", feed=plan.feed.name, error=repr(error))
            unavailable = ServiceUnavailable("the gateway cannot read this feed now; retry shortly")
            return problem_response(unavailable, request.path, request.correlation_id, headers)

    async def _open(
        self, plan: FeedPlan, request: Incoming, access_tokens: Sequence[str], headers: dict[str, str]
    ) -> "FeedSession":
        if self.stopping.is_set():
            raise ServiceUnavailable("the gateway is stopping: connect again")
        feed = plan.feed
        address = client_ip(request.peer, request.header("x-forwarded-for"), self.gateway.trusted_proxies)
        authorization = _authorization(request.header("authorization"), access_tokens)
        if authorization != request.header("authorization"):
            request = dataclasses.replace(request, headers={**request.headers, "authorization": authorization})
        caller = await self.gateway.admit(request, address, headers, public=False)
        if feed.personal and caller.kind != "user":
            raise Unauthenticated("a personal feed needs a user's access token, not an API key", BEARER_CHALLENGE)
        self.gateway.authorize(feed.permission, caller, request.path_params.get(EVENT_ID))
        requested, where = _requested_tenant(request)
        presented = Presented(
            api_key=request.header(API_KEY_HEADER),
            authorization=authorization,
            origin=request.header("origin"),
            address=address,
            tenant=requested,
            tenant_where=where,
            params=dict(request.path_params),
        )
        tenant = await self._tenant(caller, presented)
        await self.gateway.check_flag(feed.flag, caller, tenant)
        params = _validated_params(plan, request.path_params)
        after = _resume_after(request)
        presented = dataclasses.replace(presented, params=params)
        self._take_slot()
        try:
            source = await self.open_source(feed.stream, feed.subjects, after)
        except BaseException:
            self.give_slot()
            raise
        return FeedSession(self, plan, presented, caller, tenant, source, headers, request)

    async def recheck(self, plan: FeedPlan, presented: Presented) -> None:
        """Whether an open stream may go on: its credential, permission, tenant and flag, as at its opening."""
        gateway = self.gateway
        caller = await gateway.authenticator.caller(
            api_key=presented.api_key,
            authorization=presented.authorization,
            public=False,
            client_ip=presented.address,
            origin=presented.origin,
            now=datetime.fromtimestamp(gateway.clock(), UTC),
        )
        gateway.authorize(plan.feed.permission, caller, presented.params.get(EVENT_ID))
        tenant = await self._tenant(caller, presented)
        await gateway.check_flag(plan.feed.flag, caller, tenant)

    async def _tenant(self, caller: Caller, presented: Presented) -> str:
        tenant = await self.gateway.tenant_of(caller, presented.tenant, presented.tenant_where)
        if tenant is None:
            raise BadRequest(f"a feed is a tenant's: a global admin must choose one (X-Tenant-Id or {TENANT_PARAM})")
        return tenant

    async def drain(self) -> None:
        """End every open stream (each sends ``stream:closed`` with a 503) and refuse new ones; wait a little
        for them to be gone."""
        self.stopping.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._none_open.wait(), DRAIN_SECONDS)


class FeedSession:
    """One open stream: what it reads, for whom, and the loop that writes it."""

    def __init__(
        self,
        feeds: Feeds,
        plan: FeedPlan,
        presented: Presented,
        caller: Caller,
        tenant: str,
        source: FeedSource,
        headers: dict[str, str],
        request: Incoming,
    ) -> None:
        self.feeds = feeds
        self.plan = plan
        self.presented = presented
        self.caller = caller
        self.tenant = tenant
        self.source = source
        self.headers = headers  # CORS and rate-limit headers of the response
        self.instance = request.path
        self.correlation_id = request.correlation_id
        self._released = False

    async def run(self, write: Callable[[bytes], Awaitable[None]], disconnected: Callable[[], Awaitable[None]]) -> None:
        """Write the stream until the client leaves, a check fails or the gateway stops; then clean up."""
        feed = self.plan.feed
        OPEN_STREAMS.labels(feed.name).inc()
        started = time.monotonic()
        outcome = "client left"
        tasks: list[asyncio.Task[object]] = []
        log.info("live feed opened", feed=feed.name, tenant=self.tenant, credential=self.caller.credential)
        try:
            await write(opening_frame(RETRY_MILLISECONDS))
            pump = asyncio.create_task(self._pump(write))
            guard = asyncio.create_task(self._guard())
            gone = asyncio.create_task(disconnected())
            stopping = asyncio.create_task(self.feeds.stopping.wait())
            tasks = [pump, guard, gone, stopping]
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            ending: PlenaryError | None = None
            if gone not in done:
                if guard in done and guard.exception() is None:
                    ending = guard.result()  # type: ignore[assignment]
                    outcome = f"refused: {ending.code.value}"  # type: ignore[union-attr]
                elif stopping in done:
                    ending, outcome = ServiceUnavailable("the gateway is stopping: connect again"), "gateway stopping"
                else:
                    failed = next(task for task in (pump, guard) if task in done)
                    log.warning("live feed interrupted", feed=feed.name, error=repr(failed.exception()))
                    ending, outcome = ServiceUnavailable("the feed was interrupted: connect again"), "interrupted"
            await _finish(tasks)
            if ending is not None:
                await self._close_with(write, ending)
        finally:
            await asyncio.shield(self._release(tasks))
            OPEN_STREAMS.labels(feed.name).dec()
            log.info(
                "live feed closed",
                feed=feed.name,
                tenant=self.tenant,
                credential=self.caller.credential,
                outcome=outcome,
                seconds=round(time.monotonic() - started, 3),
            )

    async def _pump(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        """Each message for this stream as it comes; a keep-alive comment after a quiet spell."""
        loop = asyncio.get_running_loop()
        keepalive = self.feeds.keepalive_seconds
        quiet_since = loop.time()
        while True:
            remaining = quiet_since + keepalive - loop.time()
            msg = await self.source.next(remaining) if remaining > 0 else None
            if msg is None:
                frame = KEEPALIVE
            else:
                found = await self.frame(msg)
                if found is None:
                    continue
                frame = found
            await write(frame)
            quiet_since = loop.time()

    async def frame(self, msg: Msg) -> bytes | None:
        """The SSE message for a JetStream message, when it is this stream's: the tenant's, of a type the feed
        carries, readable, about the path's scope and, on a personal feed, for the caller."""
        headers = msg.headers or {}
        if headers.get(TENANT_ATTRIBUTE) != self.tenant:
            return None
        carried = self.plan.feed.carried(headers.get(TYPE_ATTRIBUTE, ""))
        if carried is None:
            return None
        try:
            payload = await self._payload(carried.event, msg.data)
        except (ValidationError, ValueError) as error:
            log.warning("unreadable event skipped by a live feed", feed=self.plan.feed.name, error=str(error)[:500])
            return None
        data = payload.model_dump(mode="json", by_alias=True)
        if not in_scope(data, carried.scope, self.presented.params):
            return None
        if carried.recipient and pick(data, carried.recipient) != self.caller.actor_id:
            return None
        text = json.dumps(pick(data, carried.data), separators=(",", ":"), ensure_ascii=False)
        return event_frame(carried.name, text, msg.metadata.sequence.stream)

    async def _payload(self, event: EventSpec, data: bytes) -> Any:
        if event.personal is None:
            return event.payload.model_validate_json(data)
        envelope = {"type": event.type, "tenantid": self.tenant, "data": json.loads(data)}
        await open_envelopes(self.feeds.person_keys, [envelope])
        return event.payload.model_validate(envelope["data"])

    async def _guard(self) -> PlenaryError:
        """Check the stream's right to go on every ``recheck_seconds`` and at each credential change; the
        problem once it has none."""
        with self.feeds.changes.watching() as changed:
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.feeds.recheck_seconds):
                        await changed.wait()
                changed.clear()
                try:
                    await self.feeds.recheck(self.plan, self.presented)
                except PlenaryError as error:
                    return error
                except (NatsError, OSError) as error:
                    log.warning("live feed could not check its credential", feed=self.plan.feed.name, error=repr(error))
                    return ServiceUnavailable("the gateway could not check the stream's credential; connect again")

    async def _close_with(self, write: Callable[[bytes], Awaitable[None]], error: PlenaryError) -> None:
        body = problem_body(error, self.instance, self.correlation_id).decode()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(write(event_frame(CLOSED_EVENT, body)), CLOSE_WRITE_SECONDS)

    async def _release(self, tasks: list[asyncio.Task[object]]) -> None:
        if self._released:
            return
        self._released = True
        try:
            await _finish(tasks)
            await self.source.close()
        finally:
            self.feeds.give_slot()

    async def discard(self) -> None:
        """Give up a session that never ran (its response was never sent)."""
        await self._release([])


async def _finish(tasks: list[asyncio.Task[object]]) -> None:
    """Cancel the tasks and wait for them; again while one goes on (before Python 3.12, ``asyncio.wait_for``,
    which nats-py's ``next_msg`` uses, drops a cancellation that lands as its message arrives)."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=CANCEL_AGAIN_SECONDS)


def _authorization(header: str | None, access_tokens: Sequence[str]) -> str | None:
    """The Authorization to check: the header, or the ``access_token`` query parameter made into one."""
    if not access_tokens:
        return header
    if len(access_tokens) > 1:
        raise BadRequest(f"send {ACCESS_TOKEN_PARAM} once")
    if header is not None:
        raise BadRequest(f"send the access token either in Authorization or as {ACCESS_TOKEN_PARAM}, not both")
    return f"Bearer {access_tokens[0]}"


def _last(query: list[tuple[str, str]], name: str) -> str | None:
    values = [value for each, value in query if each == name]
    return values[-1] if values else None


def _requested_tenant(request: Incoming) -> tuple[str | None, tuple[str, str]]:
    """The tenant the request names, and where: X-Tenant-Id or ``tenantId`` (two different ones → 400)."""
    header, param = request.header("x-tenant-id"), _last(request.query, TENANT_PARAM)
    if header is not None and param is not None and header != param:
        raise BadRequest(f"X-Tenant-Id and {TENANT_PARAM} name different tenants")
    if header is not None:
        return header, ("header", "X-Tenant-Id")
    return param, ("query", TENANT_PARAM)


def _validated_params(plan: FeedPlan, path_params: dict[str, str]) -> dict[str, str]:
    errors: list[FieldError] = []
    for name in plan.feed.path_params:
        try:
            _ID.validate_python(path_params.get(name))
        except ValidationError as error:
            for item in error.errors(include_url=False):
                errors.append(FieldError(loc=["path", name], msg=item["msg"], type=item["type"]))
    if errors:
        raise ValidationFailed("request failed validation", errors=errors)
    return {name: path_params[name] for name in plan.feed.path_params}


def _resume_after(request: Incoming) -> int | None:
    try:
        return resume_after(request.header(LAST_EVENT_ID_HEADER), _last(request.query, LAST_EVENT_ID_PARAM))
    except BadLastEventId as error:
        loc = ["header", LAST_EVENT_ID_HEADER] if error.where == "header" else ["query", LAST_EVENT_ID_PARAM]
        raise ValidationFailed(
            "request failed validation", errors=[FieldError(loc=loc, msg=str(error), type="last_event_id")]
        ) from error
