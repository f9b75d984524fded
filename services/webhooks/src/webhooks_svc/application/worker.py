"""The delivery worker: due deliveries claimed in batches, sent concurrently, results written back in batches.

- Claim: up to ``batch_size`` due rows (``FOR UPDATE SKIP LOCKED``), leased past their attempt's deadline in the
  same commit, so replicas share the queue and a process that dies mid-attempt loses nothing: the lease runs
  out and the delivery comes due again (a receiver deduping on ``webhook-id`` sees it once).
- A subscription holds at most ``subscription_concurrency`` of the ``concurrency`` requests in flight, and
  every attempt has its own deadline: an endpoint that hangs slows nobody else (no head-of-line blocking).
- The breaker is consulted at the claim: an open one defers its rows to its reset time, a half-open one lets a
  single probe go (taken under the subscription's row, so two replicas never probe at once).
- Results are written every few milliseconds in one transaction: deliveries and attempts in one statement,
  the subscriptions' failures and breakers under their row locks, breaker and suspension events via the outbox.
"""

import asyncio
import contextlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import WebhookStatus
from plenary_kit.acting import utcnow
from plenary_kit.context import acting
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import delivery_repository as deliveries
from ..adapters import subscription_repository as subscriptions
from ..adapters.delivery_repository import Due, Result
from ..adapters.subscription_repository import StoredSubscription
from ..domain.breaker import Breaker, Gate, failed, succeeded
from ..domain.outcomes import settle
from .sending import Sender, Sent, response_text

log = get_logger(__name__)
LEASE_MARGIN = timedelta(seconds=30)
WRITE_EVERY = 0.02


@dataclass(frozen=True)
class WorkerSettings:
    batch_size: int = 200
    concurrency: int = 256
    subscription_concurrency: int = 32
    poll_seconds: float = 0.2


class DeliveryWorker:
    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        sender: Sender,
        settings: WorkerSettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.new_uow = new_uow
        self.sender = sender
        self.settings = settings
        self.clock = clock
        self.in_flight: Counter[str] = Counter()
        self._sent: list[Sent] = []
        self._slot_freed = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._running: list[asyncio.Task[None]] = []

    # --- lifecycle ---

    def start(self) -> None:
        self._running = [asyncio.create_task(self._claim_loop()), asyncio.create_task(self._write_loop())]

    async def stop(self) -> None:
        """Stop claiming, give the attempts in flight a few seconds, write their results (the others come back
        when their leases run out)."""
        for task in self._running[:1]:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=4)  # the runtime bounds a stop hook at 5 s
        for task in self._running[1:]:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        await self.write()

    def wake(self) -> None:
        self._wake.set()

    # --- claiming ---

    async def _claim_loop(self) -> None:
        while True:
            free = self.settings.concurrency - sum(self.in_flight.values())
            if free <= 0:
                self._slot_freed.clear()
                await self._slot_freed.wait()
                continue
            wanted = min(free, self.settings.batch_size)
            self._wake.clear()  # before the claim: a wake during it is not lost
            try:
                claimed = await self.claim(wanted)
            except Exception:
                log.exception("claiming due deliveries failed")
                claimed, wanted = [], 1
            for due in claimed:
                self.in_flight[due.subscription_id] += 1
                task = asyncio.create_task(self._attempt(due))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if len(claimed) < wanted:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)

    async def claim(self, limit: int) -> list[Due]:
        """Lease due deliveries; the ones to send now (their breakers let them)."""
        per = self.settings.subscription_concurrency
        busy = [sid for sid, n in self.in_flight.items() if n >= per]
        async with self.new_uow() as uow:
            claimed = await deliveries.claim_due(
                uow.session, limit=limit, per_subscription=per, busy=busy, lease_margin=LEASE_MARGIN.total_seconds()
            )
            now = self.clock()
            by_subscription: dict[str, list[Due]] = defaultdict(list)
            for due in claimed:
                by_subscription[due.subscription_id].append(due)
            go: list[Due] = []
            for subscription_id, rows in by_subscription.items():
                first = rows[0]
                gate = Breaker(open=first.circuit_breaker_open, reset_at=first.circuit_breaker_reset_at).gate(now)
                if gate is Gate.CLOSED:
                    go.extend(rows)
                elif gate is Gate.OPEN:
                    assert first.circuit_breaker_reset_at is not None
                    await deliveries.defer(uow.session, [r.id for r in rows], first.circuit_breaker_reset_at)
                else:
                    held_until = now + timedelta(milliseconds=first.timeout_ms) + LEASE_MARGIN
                    probe = await subscriptions.take_probe(uow.session, subscription_id, held_until)
                    waiting = rows[1:] if probe else rows
                    await deliveries.defer(uow.session, [r.id for r in waiting], held_until)
                    if probe:
                        go.append(first)
            await uow.commit()
        return go

    async def _attempt(self, due: Due) -> None:
        try:
            sent = await self.sender.send(due)
            self._sent.append(sent)  # after the await: the writer swaps the list meanwhile
        except Exception:
            log.exception("a delivery attempt failed unexpectedly", delivery=due.id)  # its lease brings it back
        finally:
            self.in_flight[due.subscription_id] -= 1
            if self.in_flight[due.subscription_id] == self.settings.subscription_concurrency - 1:
                self._wake.set()  # the subscription was at its cap: its rows the last claim held back may go now
            if self.in_flight[due.subscription_id] <= 0:
                del self.in_flight[due.subscription_id]
            self._slot_freed.set()

    # --- writing results ---

    async def _write_loop(self) -> None:
        while True:
            await asyncio.sleep(WRITE_EVERY)
            try:
                await self.write()
            except Exception:
                log.exception("writing delivery results failed")  # the leases bring those deliveries back

    async def write(self) -> None:
        sent, self._sent = self._sent, []
        if sent:
            async with self.new_uow() as uow:
                await record_attempts(uow, sent, self.clock())
                await uow.commit()


async def record_attempts(uow: UnitOfWork, sent: list[Sent], now: datetime) -> None:
    """Write attempts back: each delivery's new state, and its subscription's failures, breaker and status."""
    locked = await subscriptions.lock_many(uow.session, {s.due.subscription_id for s in sent})
    states = {sid: _breaker(sub) for sid, sub in locked.items()}
    statuses = {sid: sub.status for sid, sub in locked.items()}
    opened: set[str] = set()
    results: list[Result] = []
    for attempt in sorted(sent, key=lambda s: s.attempted_at):
        due, outcome = attempt.due, attempt.outcome
        subscription = locked.get(due.subscription_id)
        if subscription is None:
            continue  # deleted meanwhile, its deliveries with it
        schedule = [ms // 1000 for ms in subscription.retry_backoff_ms]
        settled = settle(outcome, due.attempts, due.max_attempts, schedule, now)
        response = attempt.response
        results.append(
            Result(
                id=due.id,
                attempt=settled.attempts,
                tenant_id=due.tenant_id,
                attempted_at=attempt.attempted_at,
                status=settled.status,
                next_retry_at=settled.next_retry_at,
                response_code=outcome.status_code,
                response_body=response_text(response),
                response_headers=response.headers if response else None,
                latency_ms=outcome.latency_ms,
                error_type=settled.error_type.value if settled.error_type else None,
                error_message=settled.error_message,
            )
        )
        change = succeeded(states[due.subscription_id]) if outcome.ok else failed(states[due.subscription_id], now)
        states[due.subscription_id] = change.breaker
        if change.opened:
            opened.add(due.subscription_id)
        if change.suspend and statuses[due.subscription_id] is WebhookStatus.ACTIVE:
            statuses[due.subscription_id] = WebhookStatus.SUSPENDED
        if settled.gone and statuses[due.subscription_id] is WebhookStatus.ACTIVE:
            statuses[due.subscription_id] = WebhookStatus.DISABLED
    await deliveries.record(uow.session, results)
    for sid, subscription in locked.items():
        state, status = states[sid], statuses[sid]
        if state == _breaker(subscription) and status is subscription.status:
            continue
        values = subscriptions.breaker_values(
            failures=state.consecutive_failures, open_=state.open, reset_at=state.reset_at, trips=state.trips
        )
        if status is not subscription.status:
            values["status"] = status
        saved = await subscriptions.update(uow.session, sid, values)
        with acting(tenant_id=subscription.tenant_id, actor_id=SYSTEM_USER_ID):
            if sid in opened and state.reset_at is not None:
                await deliveries.defer_subscription(uow.session, sid, state.reset_at)
                uow.publish(
                    contract.CIRCUIT_BREAKER_OPENED,
                    contract.BreakerOpened(subscription=saved.model(), reset_at=state.reset_at, trips=state.trips),
                    subject=sid,
                )
            if status is not subscription.status:
                await deliveries.defer_subscription(uow.session, sid, "infinity")
                spec = (
                    contract.SUBSCRIPTION_SUSPENDED
                    if status is WebhookStatus.SUSPENDED
                    else contract.SUBSCRIPTION_DISABLED
                )
                uow.publish(spec, contract.SubscriptionChanged(subscription=saved.model()), subject=sid)


def _breaker(subscription: StoredSubscription) -> Breaker:
    return Breaker(
        consecutive_failures=subscription.consecutive_failures,
        open=subscription.circuit_breaker_open,
        reset_at=subscription.circuit_breaker_reset_at,
        trips=subscription.breaker_trips,
    )
