"""The outermost layer of every response: a correlation id, the body-size limit, the time allowed to send
the body, and no internals on a crash.

Upload routes (their method and path) have a larger limit and more time than every other request. The
clock starts when the app first reads the body (the credential is checked before), so a slow client
holds a worker for at most that long and gets a 408; a client that leaves mid-body is no server error.
"""

import asyncio
import uuid
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plenary_contracts.errors import HTTP_STATUS, ErrorCode, PlenaryError
from plenary_kit.logging import bound, get_logger

from ..application.exchange import BodyTooSlow, failure, problem_body, request_timeout_body
from ..domain.problems import PROBLEM_JSON
from ..domain.requests import safe_correlation_id

log = get_logger(__name__)


def too_large(limit: int) -> PlenaryError:
    return failure(ErrorCode.PAYLOAD_TOO_LARGE, f"the request body is larger than {limit} bytes")


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        max_upload_bytes: int | None = None,
        upload_routes: Iterable[tuple[str, str]] = (),
        body_timeout_seconds: float = 30.0,
        upload_timeout_seconds: float | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes if max_upload_bytes is not None else max_body_bytes
        self.upload_routes = [(method, compile_path(path)[0]) for method, path in upload_routes]
        self.body_timeout_seconds = body_timeout_seconds
        self.upload_timeout_seconds = upload_timeout_seconds or body_timeout_seconds

    def is_upload(self, scope: Scope) -> bool:
        method, path = scope.get("method"), scope.get("path", "")
        return any(method == each and pattern.match(path) for each, pattern in self.upload_routes)

    def body_limit(self, scope: Scope) -> int:
        return self.max_upload_bytes if self.is_upload(scope) else self.max_body_bytes

    def body_timeout(self, scope: Scope) -> float:
        return self.upload_timeout_seconds if self.is_upload(scope) else self.body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        correlation_id = safe_correlation_id(headers.get("x-correlation-id"), headers.get("x-request-id"))
        correlation_id = correlation_id or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-correlation-id", correlation_id.encode())],
                }
            await send(message)

        with bound(correlation_id=correlation_id):
            length = headers.get("content-length")
            limit = self.body_limit(scope)
            if length is not None and (not length.isdigit() or int(length) > limit):
                error = (
                    too_large(limit) if length.isdigit() else failure(ErrorCode.BAD_REQUEST, "invalid Content-Length")
                )
                await _send_problem(send_with_id, scope, error, correlation_id)
                return
            try:
                await self.app(scope, receive_within(receive, self.body_timeout(scope)), send_with_id)
            except BodyTooSlow as error:
                log.info("request body too slow", path=scope.get("path"), seconds=error.seconds)
                if not started:
                    body = request_timeout_body(error, scope.get("path", ""), correlation_id)
                    await _send(send_with_id, 408, body, close=True)
            except ClientDisconnect:
                log.info("client left before sending its whole request", path=scope.get("path"))
            except Exception:
                log.exception("unhandled error", path=scope.get("path"))
                if started:
                    raise
                await _send_problem(send_with_id, scope, PlenaryError("internal error"), correlation_id)


def receive_within(receive: Receive, seconds: float) -> Receive:
    """``receive`` that raises ``BodyTooSlow`` unless the whole body is in ``seconds`` after its first read.

    Once the body is complete, later reads (waiting for a disconnect) are not bounded."""
    deadline: float | None = None
    complete = False

    async def receive_in_time() -> Message:
        nonlocal deadline, complete
        if complete:
            return await receive()
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + seconds
        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            raise BodyTooSlow(seconds) from None
        complete = message["type"] != "http.request" or not message.get("more_body", False)
        return message

    return receive_in_time


async def _send_problem(send: Send, scope: Scope, error: PlenaryError, correlation_id: str) -> None:
    await _send(send, HTTP_STATUS[error.code], problem_body(error, scope.get("path", ""), correlation_id))


async def _send(send: Send, status: int, body: bytes, close: bool = False) -> None:
    """A problem+json response; ``close`` ends the connection after it (the rest of a body may still come)."""
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
