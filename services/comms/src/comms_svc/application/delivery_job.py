"""The delivery job: due deliveries claimed in batches, rendered for their recipient, sent on their channel,
results written back in one transaction per batch.

- Claim: up to ``batch_size`` due QUEUED deliveries (and SENDING ones whose lease ran out: their process
  died), emergency first then by priority, ``FOR UPDATE SKIP LOCKED`` and leased in the same commit, so
  replicas share the queue and never send one delivery at the same time.
- Send: at most ``senders`` at once (for e-mail, one persistent SMTP connection each); each message carries
  its delivery id (the e-mail's Message-ID, the providers' idempotency key).
- Write: each attempt moves its delivery (SENT; or QUEUED again at +1 min, then +5 min; then FAILED), the
  broadcasts' counters move by what was written, in-app messages become notifications, and a broadcast with
  nothing QUEUED or SENDING left is SENT. The broadcasts are locked first, in id order, so a cancel and a
  write never wait on each other's rows. A result is written only under the lease it was claimed with: an
  attempt counts once.
- Cancel: while a batch is out, its broadcasts are checked every quarter second; a cancelled one's messages
  not sent yet are FAILED unsent.
- Stop: no more claims; attempts in flight finish and are written; claimed ones not attempted are released.
"""

import asyncio
import contextlib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from plenary_contracts.catalog import comms as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import BroadcastStatus, MessageChannel, MessageStatus
from plenary_kit.acting import utcnow
from plenary_kit.context import acting
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import broadcast_repository as broadcasts
from ..adapters import delivery_repository as deliveries
from ..adapters.delivery_repository import Claimed, Outcome
from ..domain import lifecycle
from ..domain.channels import DEFAULT_SUBJECT
from ..domain.messages import ERASED_RECIPIENT, Attempt, Outgoing
from ..domain.rendering import EventInfo, Recipient, looks_like_html, recipient_values, render_message
from ..domain.retries import RETRY_DELAYS, after_failure
from ..domain.unsubscribe import with_link
from .notifications import notify

log = get_logger(__name__)
CANCEL_CHECK_SECONDS = 0.25
ERASED = "Recipient erased"


class Channel(Protocol):
    async def send(self, message: Outgoing) -> Attempt: ...


@dataclass(frozen=True)
class JobSettings:
    batch_size: int = 50
    senders: int = 4
    poll_seconds: float = 1.0
    lease_seconds: float = 120.0
    retry_delays: tuple[timedelta, ...] = RETRY_DELAYS


Linker = Callable[[str, str], str]  # (tenant, participant) -> the participant's unsubscribe link


def outgoing(claimed: Claimed, unsubscribe: Linker | None = None) -> Outgoing:
    """The message for its recipient: a broadcast's rendered now (an e-mail's with its unsubscribe link), a
    platform message as it was rendered."""
    recipient = claimed.recipient
    if claimed.channel is MessageChannel.IN_APP:
        recipient = claimed.user_id or claimed.recipient_user_id or ""
    is_email = claimed.channel is MessageChannel.EMAIL
    if claimed.rendered:
        html = is_email and looks_like_html(claimed.body)
        return Outgoing(claimed.id, claimed.tenant_id, claimed.channel, recipient, claimed.subject, claimed.body, html)
    values: dict[str, object] = {}
    if claimed.first_name is not None:
        person = Recipient(
            first_name=claimed.first_name,
            last_name=claimed.last_name or "",
            email=claimed.email,
            status=claimed.status or "",
            participant_type=claimed.participant_type,
            extras=claimed.extras,
        )
        event = None
        if claimed.event_name is not None and claimed.event_start is not None:
            event = EventInfo(claimed.event_name, claimed.event_start, claimed.event_timezone or "UTC")
        values = recipient_values(person, event)
    message = render_message(claimed.subject, claimed.body, values, html_email=is_email)
    html = is_email and looks_like_html(claimed.body)
    body, link = message.body, None
    if is_email and unsubscribe is not None and claimed.participant_id is not None:
        link = unsubscribe(claimed.tenant_id, claimed.participant_id)
        body = with_link(body, link, html=html)
    return Outgoing(claimed.id, claimed.tenant_id, claimed.channel, recipient, message.subject, body, html, link)


class DeliveryJob:
    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        channels: Mapping[MessageChannel, Channel],
        settings: JobSettings,
        clock: Callable[[], datetime] = utcnow,
        unsubscribe: Linker | None = None,
    ) -> None:
        self.unsubscribe = unsubscribe
        self.new_uow = new_uow
        self.channels = channels
        self.settings = settings
        self.clock = clock
        self._stopping = False
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._stopping = False
        self._loop = asyncio.create_task(self._run(), name="comms-delivery-job")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._loop), 4.5)  # the runtime bounds a stop hook at 5 s
            except (asyncio.CancelledError, TimeoutError):
                self._loop.cancel()  # what it held comes back when the leases end

    def wake(self) -> None:
        """Look for due deliveries now (call it once they are committed: ``uow.after_commit(job.wake)``); the idle
        poll finds them anyway."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before the claim: a wake while the batch is out brings the next claim at once
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("the delivery job failed; its claimed deliveries come back when their lease ends")
                handled = 0
            if handled < self.settings.batch_size and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)

    async def run_once(self) -> int:
        """Claim, send and write one batch; how many deliveries were claimed."""
        async with self.new_uow() as uow:
            claimed = await deliveries.claim(uow.session, self.settings.batch_size, self.settings.lease_seconds)
            await uow.commit()
        if not claimed:
            return 0
        gate = asyncio.Semaphore(self.settings.senders)
        messages = {c.id: outgoing(c, self.unsubscribe) for c in claimed}
        cancelled: set[str] = set()
        watch = asyncio.create_task(self._watch_cancels({c.broadcast_id for c in claimed if c.broadcast_id}, cancelled))

        async def attempt(claim: Claimed) -> tuple[Claimed, Attempt] | None:
            async with gate:
                if self._stopping:
                    return None
                if claim.broadcast_id in cancelled:
                    return claim, Attempt.failed(deliveries.CANCELLED, "CANCELLED", permanent=True)
                if claim.recipient == ERASED_RECIPIENT:  # its person was erased while it waited
                    return claim, Attempt.failed(ERASED, "ERASED", permanent=True)
                try:
                    return claim, await self.channels[claim.channel].send(messages[claim.id])
                except Exception as error:  # an adapter's bug must not lose the batch's other results
                    log.exception("a channel failed unexpectedly", delivery=claim.id)
                    return claim, Attempt.failed(f"{type(error).__name__}: {error}", "INTERNAL")

        try:
            done = [r for r in await asyncio.gather(*(attempt(c) for c in claimed)) if r is not None]
        finally:
            watch.cancel()
        attempted = {claim.id for claim, _ in done}
        async with self.new_uow() as uow:
            await self.write(uow, done, messages)
            await deliveries.release(uow.session, [(c.id, c.lease_until) for c in claimed if c.id not in attempted])
            await uow.commit()
        return len(claimed)

    async def _watch_cancels(self, broadcast_ids: set[str], cancelled: set[str]) -> None:
        """While a batch is out, which of its broadcasts were cancelled: their messages not sent yet stay unsent."""
        while broadcast_ids:
            await asyncio.sleep(CANCEL_CHECK_SECONDS)
            try:
                async with self.new_uow() as uow:
                    cancelled.update(await broadcasts.cancelled_among(uow.session, broadcast_ids))
            except Exception:
                log.exception("checking for cancelled broadcasts failed")

    async def write(
        self, uow: UnitOfWork, done: list[tuple[Claimed, Attempt]], messages: Mapping[str, Outgoing]
    ) -> None:
        now = self.clock()
        locked = await broadcasts.lock_many(uow.session, {c.broadcast_id for c, _ in done if c.broadcast_id})
        outcomes = []
        for claim, result in done:
            if result.ok:
                outcomes.append(
                    Outcome(
                        claim.id, claim.lease_until, MessageStatus.SENT, claim.retry_count, None, result.external_id
                    )
                )
                continue
            after = after_failure(claim.retry_count, now, permanent=result.permanent, delays=self.settings.retry_delays)
            held = locked.get(claim.broadcast_id) if claim.broadcast_id else None
            if held is not None and held.status is BroadcastStatus.CANCELLED and after.status is MessageStatus.QUEUED:
                # cancelled while this attempt was out: it is not tried again
                after = after_failure(claim.retry_count, now, permanent=True)
                result = Attempt.failed(deliveries.CANCELLED, "CANCELLED", permanent=True)
            outcomes.append(
                Outcome(
                    claim.id, claim.lease_until, after.status, after.retry_count, after.next_retry_at,
                    error_message=result.error, error_code=result.error_code,
                )
            )  # fmt: skip
        written = await deliveries.record(uow.session, outcomes)
        by_id = {claim.id: claim for claim, _ in done}
        sent: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        in_app: dict[str, list[dict]] = defaultdict(list)
        for delivery_id, broadcast_id, status in written:
            claim = by_id[delivery_id]
            if status == MessageStatus.SENT and claim.channel is MessageChannel.IN_APP:
                message = messages[delivery_id]
                in_app[claim.tenant_id].append(
                    {
                        "user_id": message.recipient,
                        "type": "broadcast",
                        "title": message.subject or DEFAULT_SUBJECT,
                        "message": message.body,
                        "data": {"broadcastId": broadcast_id, "deliveryId": delivery_id},
                    }
                )
            if broadcast_id is not None:
                sent[broadcast_id] += status == MessageStatus.SENT
                failed[broadcast_id] += status == MessageStatus.FAILED
        for tenant_id, rows in in_app.items():
            with acting(tenant_id=tenant_id, actor_id=SYSTEM_USER_ID):
                await notify(uow, tenant_id, rows)
        for broadcast_id in sorted(locked):
            await self._progress(uow, locked[broadcast_id], sent[broadcast_id], failed[broadcast_id], now)

    async def _progress(
        self, uow: UnitOfWork, broadcast: contract.Broadcast, sent: int, failed: int, now: datetime
    ) -> None:
        await broadcasts.add_counts(uow.session, broadcast.id, sent=sent, failed=failed)
        changes = {}
        if broadcast.status is BroadcastStatus.SENDING and lifecycle.finished(
            await broadcasts.unsettled(uow.session, broadcast.id)
        ):
            changes = {"status": BroadcastStatus.SENT, "completed_at": now}
        if not (sent or failed or changes):
            return
        current = await broadcasts.update(uow.session, broadcast.id, changes or {"updated_at": now})
        with acting(tenant_id=broadcast.tenant_id, actor_id=SYSTEM_USER_ID):
            progress = contract.BroadcastProgress(
                broadcast_id=current.id,
                event_id=current.event_id,
                sent_count=current.sent_count,
                failed_count=current.failed_count,
                delivered_count=current.delivered_count,
                total=current.recipient_count,
                status=current.status,
            )
            uow.publish(contract.BROADCAST_PROGRESS, progress, subject=current.id)
            if changes:
                uow.publish(contract.BROADCAST_SENT, contract.BroadcastChanged(broadcast=current), subject=current.id)
