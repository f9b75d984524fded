"""The outermost layer of every response: a correlation id, the body-size limit, and no internals on a crash.

Upload routes (their method and path) have a larger limit than every other request.
"""

import uuid
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plenary_contracts.errors import HTTP_STATUS, ErrorCode, PlenaryError
from plenary_kit.logging import bound, get_logger

from ..application.exchange import failure, problem_body
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
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes if max_upload_bytes is not None else max_body_bytes
        self.upload_routes = [(method, compile_path(path)[0]) for method, path in upload_routes]

    def body_limit(self, scope: Scope) -> int:
        method, path = scope.get("method"), scope.get("path", "")
        if any(method == each and pattern.match(path) for each, pattern in self.upload_routes):
            return self.max_upload_bytes
        return self.max_body_bytes

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
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception("unhandled error", path=scope.get("path"))
                if started:
                    raise
                await _send_problem(send_with_id, scope, PlenaryError("internal error"), correlation_id)


async def _send_problem(send: Send, scope: Scope, error: PlenaryError, correlation_id: str) -> None:
    body = problem_body(error, scope.get("path", ""), correlation_id)
    await send(
        {
            "type": "http.response.start",
            "status": HTTP_STATUS[error.code],
            "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
