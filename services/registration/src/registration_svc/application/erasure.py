"""Erasing a person everywhere: a saga registration orchestrates.

The request creates the erasure (IN_PROGRESS) with its event in one unit of work and answers at once; a
driver, woken once that commits, asks every service in ``ERASE_ORDER`` for its part at the same time, with
the participant's address read from registration's own row (erased last, so it is there until every
receipt is in) and the key ``<erasure>:<service>``, so a repeat answers the same receipt. Each receipt is
kept as it arrives; a part that fails (its service down, "no responders") is asked again, with backoff,
until the driver's time is up. Once every receipt is in, registration erases its own data in one
transaction with its own receipt, destroys the person's key, and the erasure is COMPLETED.

A driver holds the erasure for a lease it renews while it works. A timer claims erasures whose lease ran
out (``FOR UPDATE SKIP LOCKED``), so an erasure a crash or a redeploy interrupted resumes on whichever
replica claims it first, from the receipts kept; every step is idempotent, so nothing is erased twice in a
way that counts.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import NotFound
from plenary_contracts.saga_parts import ERASE_ORDER, ErasePerson, ErasureReceipt
from plenary_kit import context as ctx
from plenary_kit.acting import actor, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger

from ..adapters import erasure_repository as erasures
from ..adapters import personal_data
from ..adapters.commit_hooks import after_commit

log = get_logger(__name__)

SERVICE = "registration"
FIRST_DELAY, MAX_DELAY = 0.1, 2.0


@dataclass(frozen=True)
class ErasureTuning:
    services: tuple[str, ...] = ERASE_ORDER  # whose parts an erasure waits for
    lease: timedelta = timedelta(seconds=60)  # how long a driver holds an erasure without renewing it
    retry_for: float = 30.0  # seconds a driver asks failing parts again before it leaves them to the timer
    resume_every: float = 15.0  # the timer that claims erasures whose lease ran out


AskPart = Callable[[str, str, ErasePerson], Awaitable[ErasureReceipt]]  # service, tenant, request → receipt
Forget = Callable[[str, str], Awaitable[None]]  # tenant, participant → the person's key destroyed


class Erasures:
    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        ask_part: AskPart,
        forget: Forget,
        tuning: ErasureTuning = ErasureTuning(),
    ) -> None:
        self.new_uow = new_uow
        self.ask_part = ask_part
        self.forget = forget
        self.services = tuning.services
        self.lease = tuning.lease
        self.retry_for = tuning.retry_for
        self._running: set[asyncio.Task[None]] = set()
        self._stopped = False

    # --- the operations -------------------------------------------------------------------------

    async def erase(self, request: contract.EraseParticipant, uow: UnitOfWork) -> contract.ErasureReport:
        tenant_id = tenant()
        person = await erasures.person(uow.session, tenant_id, request.id)
        if person is None:
            raise NotFound(f"participant {request.id} not found")
        require_grant(contract.ERASE_ALSO_REQUIRES, person.event_id)
        existing = await erasures.of_participant(uow.session, tenant_id, person.id)
        if existing is None:
            values = {
                "id": new_id(),
                "tenant_id": tenant_id,
                "participant_id": person.id,
                "event_id": person.event_id,
                "requested_by": actor(),
                "started_at": utcnow(),
            }
            existing = await erasures.create(uow.session, values)
            if existing is not None:
                report = erasures.to_report(existing, [])
                uow.publish(contract.ERASURE_STARTED, contract.ErasureChanged(erasure=report), subject=existing.id)
                erasure_id = existing.id
                after_commit(uow.session, lambda: self.kick(erasure_id))
                return report
            # another request created it a moment ago; it committed (the unique key waited for it)
            existing = await erasures.of_participant(uow.session, tenant_id, person.id)
            assert existing is not None
        return await _report(uow, existing)

    async def get(self, request: contract.ErasureRef, uow: UnitOfWork) -> contract.ErasureReport:
        row = await erasures.get(uow.session, tenant(), request.id)
        if row is None:
            raise NotFound(f"erasure {request.id} not found")
        return await _report(uow, row)

    async def list(self, request: contract.ListErasures, uow: UnitOfWork) -> contract.ErasurePage:
        rows, meta = await erasures.page(uow.session, tenant(), request)
        receipts = await erasures.receipts(uow.session, [r.id for r in rows])
        return contract.ErasurePage(data=[erasures.to_report(r, receipts[r.id]) for r in rows], meta=meta)

    # --- the driver -----------------------------------------------------------------------------

    def kick(self, erasure_id: str | None = None) -> None:
        """Drive the erasure now (called once its creation commits), or every free one when none is named."""
        if self._stopped:
            return
        task = asyncio.get_running_loop().create_task(self.drive(erasure_id), name="registration-erasure")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def resume(self) -> None:
        """The timer: erasures nobody holds any more (their driver died or gave up) are driven again."""
        await self.drive(None)

    async def stop(self) -> None:
        self._stopped = True
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def drive(self, erasure_id: str | None) -> None:
        async with self.new_uow() as uow:
            claimed = await erasures.claim(uow.session, erasure_id, self.lease)
            await uow.commit()
        await asyncio.gather(*(self._run(row) for row in claimed))

    async def _run(self, row: erasures.StoredErasure) -> None:
        acting = {
            "tenant_id": row.tenant_id,
            "actor_id": row.requested_by,
            "correlation_id": row.id,
            "causation_id": None,
            "roles": (),
            "grants": None,
            "idempotency_key": None,
            "if_match": None,
        }
        with ctx.acting(**acting):
            try:
                # First, so an event about them still on its way (an update) reaches no one readable.
                await self.forget(row.tenant_id, row.participant_id)
                if await self._ask_every_part(row):
                    await self._finish(row)
            except asyncio.CancelledError:
                raise
            except Exception:  # the lease runs out and the timer tries again
                log.exception("erasure step failed", erasure_id=row.id)

    async def _ask_every_part(self, row: erasures.StoredErasure) -> bool:
        """True once every service's receipt is kept; False when the driver's time ran out first."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.retry_for
        delay = FIRST_DELAY
        while not self._stopped:
            async with self.new_uow() as uow:
                received = {r.service for r in (await erasures.receipts(uow.session, [row.id]))[row.id]}
                person = await erasures.person(uow.session, row.tenant_id, row.participant_id)
            missing = [s for s in self.services if s not in received]
            if not missing:
                return True
            request = ErasePerson(
                erasure_id=row.id,
                participant_id=row.participant_id,
                event_id=row.event_id,
                email=person.email if person is not None else None,
            )
            outcomes = await asyncio.gather(*(self._ask(row, s, request) for s in missing), return_exceptions=True)
            failed = {s: o for s, o in zip(missing, outcomes, strict=True) if isinstance(o, BaseException)}
            if not failed:
                return True
            if loop.time() + delay > give_up:
                log.warning(
                    "erasure parts still failing; the timer resumes it", erasure_id=row.id, services=sorted(failed)
                )
                return False
            for service, error in failed.items():
                log.info("erasure part failed; asking again", erasure_id=row.id, service=service, error=repr(error))
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
            async with self.new_uow() as uow:
                await erasures.renew(uow.session, row.id, self.lease)
                await uow.commit()
        return False

    async def _ask(self, row: erasures.StoredErasure, service: str, request: ErasePerson) -> None:
        receipt = await self.ask_part(service, row.tenant_id, request)
        async with self.new_uow() as uow:
            await erasures.add_receipt(
                uow.session, row.tenant_id, row.id, receipt.model_copy(update={"service": service})
            )
            await uow.commit()

    async def _finish(self, row: erasures.StoredErasure) -> None:
        """Registration's own part (one transaction, with its receipt), the person's key, then COMPLETED."""
        async with self.new_uow() as uow:
            current = await erasures.get(uow.session, row.tenant_id, row.id, for_update=True)
            if current is None or current.status is contract.ErasureStatus.COMPLETED:
                return
            done = {r.service for r in (await erasures.receipts(uow.session, [row.id]))[row.id]}
            if SERVICE not in done:
                person = await erasures.person(uow.session, row.tenant_id, row.participant_id)
                email = person.email if person is not None else None
                erased, anonymised, keyed = await personal_data.erase(
                    uow.session, row.tenant_id, row.participant_id, email, utcnow()
                )
                ids = [row.participant_id, email]
                erased["idempotency_key"] = await uow.forget_stored_replies(row.tenant_id, ids)
                receipt = ErasureReceipt(service=SERVICE, erased=erased, anonymised=anonymised)
                await erasures.add_receipt(uow.session, row.tenant_id, row.id, receipt)
                gone = contract.ParticipantErased(
                    participant_id=row.participant_id, event_id=row.event_id, erasure_id=row.id
                )
                uow.publish(contract.PARTICIPANT_ERASED, gone, subject=row.participant_id)
                await uow.commit()
                await asyncio.gather(*(self.forget(row.tenant_id, each) for each in keyed))
        await self.forget(row.tenant_id, row.participant_id)
        async with self.new_uow() as uow:
            current = await erasures.get(uow.session, row.tenant_id, row.id, for_update=True)
            if current is None or current.status is contract.ErasureStatus.COMPLETED:
                return
            await erasures.complete(uow.session, row.id, utcnow())
            report = await _report(uow, row)
            uow.publish(contract.ERASURE_COMPLETED, contract.ErasureChanged(erasure=report), subject=row.id)
            await uow.commit()
        log.info("person erased", erasure_id=row.id)


async def _report(uow: UnitOfWork, row: erasures.StoredErasure) -> contract.ErasureReport:
    fresh = await erasures.get(uow.session, row.tenant_id, row.id)
    assert fresh is not None
    receipts = await erasures.receipts(uow.session, [row.id])
    return erasures.to_report(fresh, receipts[row.id])
