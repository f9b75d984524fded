"""The HTTP side of the live feeds: one GET route per feed, answered with an open ``text/event-stream`` or
a problem.

The ``access_token`` query parameter is taken out of the request's query string before anything else
reads it, in the very scope the HTTP server logs its access line from, so it shows up in no log line,
problem body or error.
"""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..application.exchange import Incoming
from ..application.feeds import ACCESS_TOKEN_PARAM, FeedPlan, Feeds, FeedSession
from ..domain.sse import EVENT_STREAM
from .direct import Endpoint

STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # no proxy may buffer or keep it


class EventStream(Response):
    """An open feed as the response: its headers at once, then whatever the session writes."""

    media_type = EVENT_STREAM

    def __init__(self, session: FeedSession) -> None:  # no super().__init__: there is no body to measure
        self.session = session
        self.status_code = 200
        self.background = None
        headers = {**session.headers, **STREAM_HEADERS, "Content-Type": EVENT_STREAM}
        self.raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def write(chunk: bytes) -> None:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})

        async def disconnected() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await self.session.run(write, disconnected)
        finally:
            await self.session.discard()  # nothing when it ran: it cleaned up itself
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in reversed(raw)}


async def _no_body() -> bytes:
    return b""


def feed_endpoint(feeds: Feeds, plan: FeedPlan) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        scope = request.scope
        query = request.query_params.multi_items() if scope.get("query_string") else []
        tokens = [value for name, value in query if name == ACCESS_TOKEN_PARAM]
        if tokens:
            query = [(name, value) for name, value in query if name != ACCESS_TOKEN_PARAM]
            scope["query_string"] = urlencode(query).encode("latin-1")
        incoming = Incoming(
            method=request.method,
            path_of=lambda: request.url.path,
            path_params={k: str(v) for k, v in request.path_params.items()},
            query=query,
            headers=_headers(scope["headers"]),
            peer=request.client.host if request.client else None,
            correlation_id=request.state.correlation_id,
            read_body=_no_body,
        )
        outcome = await feeds.open(plan, incoming, tokens)
        if isinstance(outcome, FeedSession):
            return EventStream(outcome)
        return Response(
            outcome.body, status_code=outcome.status, headers=outcome.headers, media_type=outcome.media_type
        )

    endpoint.__name__ = f"feed_{plan.feed.name}"
    return endpoint
