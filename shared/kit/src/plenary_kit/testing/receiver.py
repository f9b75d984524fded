"""A real HTTP endpoint of a test's own on 127.0.0.1 (uvicorn), for whatever the platform posts out: webhooks,
SMS and push providers. It keeps every request and answers with the next planned status, then ``default``."""

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn


async def read_body(receive: Callable) -> bytes:
    """The whole body of an ASGI HTTP request."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """An ASGI app. ``reply`` makes the answer's JSON body from the request (plain ``ok`` without it)."""

    default: int = 200
    planned: list[int] = field(default_factory=list)
    delay: float = 0.0
    reply: Callable[[Received], Any] | None = None
    received: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answering(self, *statuses: int) -> "HttpReceiver":
        self.planned = list(statuses)
        return self

    def header(self, name: str) -> list[str]:
        """That header of every request received, in order."""
        return [request.headers[name] for request in self.received]

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        request = Received(
            scope["path"], {k.decode(): v.decode() for k, v in scope["headers"]}, await read_body(receive)
        )
        self.received.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.planned.pop(0) if self.planned else self.default
        if self.reply is None:
            body, kind = b"ok", b"text/plain"
        else:
            body, kind = json.dumps(self.reply(request)).encode(), b"application/json"
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", kind)]})
        await send({"type": "http.response.body", "body": body})


def _server(app: HttpReceiver) -> uvicorn.Server:
    return uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))


def _bound_port(server: uvicorn.Server) -> int:
    return int(server.servers[0].sockets[0].getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: HttpReceiver) -> AsyncIterator[HttpReceiver]:
    """``app`` served in the running loop (for async tests) until the block ends."""
    server = _server(app)
    server.config.setup_event_loop = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise RuntimeError("the test's HTTP receiver did not start")
        await asyncio.sleep(0.01)
    app.port = _bound_port(server)
    try:
        yield app
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


@contextlib.contextmanager
def serving_in_thread(app: HttpReceiver) -> Iterator[HttpReceiver]:
    """``app`` served in a thread with its own loop (for synchronous tests) until the block ends."""
    server = _server(app)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test's HTTP receiver did not start")
        time.sleep(0.02)
    app.port = _bound_port(server)
    try:
        yield app
    finally:
        server.should_exit = True
        thread.join(5)
