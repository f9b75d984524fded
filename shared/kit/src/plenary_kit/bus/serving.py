"""Request subjects served on core NATS subscriptions, under one limit for the whole process.

Every operation's subscription joins the service's queue group, so replicas share the requests.
A request runs as its own task once the process-wide semaphore lets it; while the limit is reached,
new requests wait in their subscription's queue (callers see latency, not a timeout, as long as the
queue drains within their timeout). One limit for the process is what lets the database pool be sized
to it exactly: no handler calls an operation of its own service over the bus, which could deadlock it.
"""

import asyncio
from collections.abc import Awaitable, Callable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from ..logging import get_logger

log = get_logger(__name__)

Responder = Callable[[dict[str, str] | None, bytes], Awaitable[bytes]]


class RequestServer:
    def __init__(self, queue: str, concurrency: int) -> None:
        self.queue = queue
        self.concurrency = concurrency
        self._routes: dict[str, tuple[Responder, bool]] = {}
        self._nc: Client | None = None
        self._limit = asyncio.Semaphore(concurrency)
        self._subscriptions: list[Subscription] = []
        self._running: set[asyncio.Task[None]] = set()

    def route(self, subject: str, responder: Responder, *, limited: bool = True) -> None:
        """Answer ``subject``; ``limited=False`` for a cheap subject (health) that must not queue behind requests."""
        self._routes[subject] = (responder, limited)

    async def start(self, nc: Client) -> None:
        self._nc = nc
        for subject, (responder, limited) in self._routes.items():
            callback = self._admit(responder, limited)
            self._subscriptions.append(await nc.subscribe(subject, queue=self.queue, cb=callback))

    def _admit(self, responder: Responder, limited: bool) -> Callable[[Msg], Awaitable[None]]:
        async def on_message(msg: Msg) -> None:
            if limited:
                await self._limit.acquire()  # holds this subject's later messages back while the process is full
            task = asyncio.create_task(self._answer(responder, msg))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            if limited:
                task.add_done_callback(lambda _: self._limit.release())

        return on_message

    async def _answer(self, responder: Responder, msg: Msg) -> None:
        try:
            reply = await responder(msg.headers, msg.data)
            if msg.reply and self._nc is not None:
                # Not msg.respond: it would send the request's headers (credentials among them) back.
                await self._nc.publish(msg.reply, reply)
        except Exception:
            log.exception("request not answered", subject=msg.subject)

    async def stop(self, grace: float) -> None:
        """Take no new requests, and give the ones running ``grace`` seconds to answer."""
        for subscription in self._subscriptions:
            try:
                await subscription.unsubscribe()
            except Exception as error:
                log.warning("request subscription not closed", error=repr(error))
        self._subscriptions.clear()
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
