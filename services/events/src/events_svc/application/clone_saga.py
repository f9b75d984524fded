"""The clone saga's driver: asks each service for its part of a clone, in order, and compensates on failure.

- A saga is driven by the one process holding its lease (``claimed_until``): the process that began it
  (woken once its request committed), or, when that process died, whichever replica's sweep finds the lease
  run out first (``FOR UPDATE SKIP LOCKED``). A heartbeat keeps the leases of the sagas in hand.
- Each step reads the committed state, asks ``domain.cloning.next_action`` what comes next, acts, and commits
  what it learnt in its own transaction: a part STARTED before it is asked (so a compensation drops it), its
  additions to the id map, its counts and COPIED once it answered.
- A part's copy that times out or finds no service answering is asked again (same idempotency key: a copy
  that did commit answers with its stored reply) with backoff, for ``retry_seconds`` at most. Then, or at
  once for any other error, the phase turns COMPENSATING with the error, committed on its own (never inside
  a transaction that rolls back), and only then is anything dropped: every part started, in reverse order,
  the failed one too, each asked until it succeeds; then events' own part and the target event, and the
  operation ends ROLLED_BACK. A saga resumed after a crash follows the phase it finds: forward or back.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import CloneStatus
from plenary_contracts.errors import Conflict, NotFound, PlenaryError, ServiceUnavailable, Timeout
from plenary_contracts.saga_parts import CLONE_ORDER, CopiedPart, CopyEventPart, DropEventPart, DroppedPart
from plenary_kit.acting import utcnow
from plenary_kit.context import Context, acting, reset, use
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger

from ..adapters import clone_repository as clones
from ..adapters import series_repository as series
from ..adapters.clone_repository import CloneRecord
from ..domain import cloning as saga
from .cloning import to_operation

log = get_logger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class SagaSettings:
    retry_seconds: float = 60.0  # how long a part that does not answer is asked again before the saga turns back
    lease_seconds: float = 30.0  # a dead driver's sagas wait this long before another process takes them
    sweep_seconds: float = 5.0  # how often a process looks for sagas whose lease ran out
    backoff_cap_seconds: float = 10.0


class Parts(Protocol):
    """What the driver needs of the other services (``adapters.parts_client.PartsClient``)."""

    async def copy(self, service: str, request: CopyEventPart, *, tenant_id: str, actor_id: str) -> CopiedPart: ...
    async def drop(self, service: str, request: DropEventPart, *, tenant_id: str, actor_id: str) -> DroppedPart: ...


class StepFailed(Exception):
    def __init__(self, service: str | None, message: str) -> None:
        super().__init__(message)
        self.service = service


class CloneSaga:
    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        parts: Parts,
        settings: SagaSettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.new_uow = new_uow
        self.parts = parts
        self.settings = settings
        self.clock = clock
        self._driving: dict[str, asyncio.Task[None]] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.lease_seconds)

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        self._heartbeat = asyncio.create_task(self._beat(), name="events-clone-heartbeat")
        await self.sweep()  # sagas a dead process left: at once, not a sweep later

    async def stop(self) -> None:
        """Stop driving; the sagas in hand are released (their state is committed step by step), so another
        process, or this one restarted, goes on with them at once."""
        self._stopping = True
        tasks = [*self._driving.values(), *([self._heartbeat] if self._heartbeat else [])]
        held = list(self._driving)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        if held:
            async with self.new_uow() as uow:
                await clones.renew(uow.session, held, self.clock() - timedelta(seconds=1))
                await uow.commit()

    def wake(self, operation_id: str) -> None:
        """Drive a saga this process holds the lease of (it just began it, or a sweep claimed it)."""
        if self._stopping or operation_id in self._driving:
            return
        task = asyncio.create_task(self._drive(operation_id), name=f"events-clone-{operation_id}")
        self._driving[operation_id] = task
        task.add_done_callback(lambda _: self._driving.pop(operation_id, None))

    async def sweep(self) -> None:
        """Claim the sagas whose lease ran out (their driver died) and drive them."""
        if self._stopping:
            return
        now = self.clock()
        async with self.new_uow() as uow:
            claimed = await clones.claim_expired(uow.session, now, now + self.lease, limit=20)
            await uow.commit()
        for operation_id in claimed:
            log.info("clone saga resumed", operation=operation_id)
            self.wake(operation_id)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.lease_seconds / 3)
            if self._driving:
                try:
                    async with self.new_uow() as uow:
                        await clones.renew(uow.session, list(self._driving), self.clock() + self.lease)
                        await uow.commit()
                except Exception:
                    log.exception("clone lease renewal failed")

    # --- one saga --------------------------------------------------------------------------------

    async def _drive(self, operation_id: str) -> None:
        token = use(Context())
        try:
            while True:
                found = await self._read(operation_id)
                if found is None:
                    return
                action = saga.next_action(found.phase, found.steps, CLONE_ORDER)
                if isinstance(action, saga.Finished):
                    return
                with acting(tenant_id=found.tenant_id, actor_id=found.created_by, correlation_id=found.id):
                    await self._act(found, action)
        except asyncio.CancelledError:
            raise
        except Exception:
            # the state is committed up to the last step; the lease runs out and a sweep takes it again
            log.exception("clone saga stopped", operation=operation_id)
        finally:
            reset(token)

    async def _act(self, found: CloneRecord, action: saga.Action) -> None:
        match action:
            case saga.CopyPart(service):
                await self._copy(found, service)
            case saga.Complete():
                await self._complete(found)
            case saga.DropPart(service):
                await self._drop(found, service)
            case saga.DropOwn():
                await self._roll_back(found)

    async def _read(self, operation_id: str) -> CloneRecord | None:
        async with self.new_uow() as uow:
            return await clones.get_operation(uow.session, operation_id, None)

    async def _write(self, operation_id: str, values: dict[str, Any], *, phase: str) -> bool:
        """Commit a step's outcome, if the saga is still in ``phase`` (another driver may have moved it on)."""
        async with self.new_uow() as uow:
            current = await clones.get_operation(uow.session, operation_id, None, for_update=True)
            if current is None or current.phase != phase:
                return False
            await clones.update_operation(
                uow.session, operation_id, values | {"claimed_until": self.clock() + self.lease}
            )
            await uow.commit()
            return True

    def _copy_request(self, found: CloneRecord) -> CopyEventPart:
        options = contract.CloneOptions.model_validate(found.options)
        assert found.source_event_id is not None and found.target_event_id is not None
        return CopyEventPart(
            operation_id=found.id,
            source_event_id=found.source_event_id,
            target_event_id=found.target_event_id,
            target_event_name=options.target_event_name,
            elements=options.elements,
            id_map=found.id_map,
        )

    async def _copy(self, found: CloneRecord, service: str) -> None:
        if found.steps[service]["status"] == saga.PENDING:
            if not await self._write(
                found.id, {"steps": saga.with_step(found.steps, service, saga.STARTED)}, phase=saga.COPYING
            ):
                return
        try:
            if found.source_event_id is None or found.target_event_id is None:
                raise StepFailed(service, "the source or the target event is gone")
            request = self._copy_request(found)
            copied = await self._retrying(
                lambda: self.parts.copy(service, request, tenant_id=found.tenant_id, actor_id=found.created_by)
            )
        except Exception as error:
            await self._turn_back(found, service, f"{service}: {_describe(error)}")
            return
        await self._write(
            found.id,
            {
                "id_map": found.id_map | copied.id_map,
                "steps": saga.with_step(found.steps, service, saga.COPIED, copied.counts),
            },
            phase=saga.COPYING,
        )

    async def _retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.settings.retry_seconds
        tries = 0
        while True:
            tries += 1
            try:
                return await attempt()
            except Exception as error:
                left = deadline - time.monotonic()
                if not is_transient(error) or left <= 0:
                    raise
                log.warning("clone part did not answer; asking again", error=str(error), attempt=tries)
                wait = saga.backoff_seconds(tries, cap=self.settings.backoff_cap_seconds)
                await asyncio.sleep(min(wait, left))

    async def _turn_back(self, found: CloneRecord, failed: str | None, error: str) -> None:
        """COMPENSATING with the error, committed before anything is dropped."""
        log.warning("clone saga compensating", operation=found.id, error=error)
        current = await self._read(found.id)
        steps = current.steps if current is not None else found.steps
        await self._write(
            found.id,
            {
                "phase": saga.COMPENSATING,
                "status": CloneStatus.FAILED,
                "error_log": error,
                "steps": saga.compensating(steps, failed),
            },
            phase=saga.COPYING,
        )

    async def _drop(self, found: CloneRecord, service: str) -> None:
        """Asked until it succeeds: a saga never ends half compensated."""
        if found.target_event_id is None:  # the target went with its tenant: nothing of it is left to drop
            await self._write(
                found.id, {"steps": saga.with_step(found.steps, service, saga.DROPPED)}, phase=saga.COMPENSATING
            )
            return
        request = DropEventPart(operation_id=found.id, target_event_id=found.target_event_id)
        tries = 0
        while True:
            tries += 1
            try:
                dropped = await self.parts.drop(service, request, tenant_id=found.tenant_id, actor_id=found.created_by)
                break
            except Exception as error:
                log.warning("clone part drop failed; asking again", service=service, error=str(error), attempt=tries)
                await asyncio.sleep(saga.backoff_seconds(tries, cap=self.settings.backoff_cap_seconds))
        await self._write(
            found.id,
            {"steps": saga.with_step(found.steps, service, saga.DROPPED, dropped.counts)},
            phase=saga.COMPENSATING,
        )

    async def _complete(self, found: CloneRecord) -> None:
        """The edition (when asked), COMPLETED with the counts, ``event.cloned``; an edition refused (its
        number taken meanwhile, the series deleted) turns the saga back."""
        try:
            async with self.new_uow() as uow:
                current = await clones.get_operation(uow.session, found.id, None, for_update=True)
                if current is None or current.phase != saga.COPYING:
                    return
                await self._add_edition(uow, current)
                await clones.update_operation(
                    uow.session,
                    current.id,
                    {
                        "status": CloneStatus.COMPLETED,
                        "phase": saga.DONE,
                        "elements_copied": saga.elements_copied(current.steps, current.id_map),
                        "completed_at": self.clock(),
                        "claimed_until": None,
                    },
                )
                done = await clones.get_operation(uow.session, current.id, None)
                assert done is not None
                uow.publish(
                    contract.EVENT_CLONED, contract.CloneOperationChanged(operation=to_operation(done)), subject=done.id
                )
                await uow.commit()
        except (Conflict, NotFound) as error:
            await self._turn_back(found, None, f"edition: {_describe(error)}")

    async def _add_edition(self, uow: UnitOfWork, current: CloneRecord) -> None:
        options = contract.CloneOptions.model_validate(current.options)
        if options.series_id is None or current.target_event_id is None:
            return
        owner = await series.get_series(uow.session, options.series_id, current.tenant_id, for_update=True)
        if owner is None:
            raise NotFound(f"series {options.series_id} not found")
        number = options.edition_number or saga.next_edition_number(await clones.edition_numbers(uow.session, owner.id))
        now, edition_id = self.clock(), new_id()
        await series.insert_edition(
            uow.session,
            {
                "id": edition_id,
                "tenant_id": current.tenant_id,
                "series_id": owner.id,
                "event_id": current.target_event_id,
                "edition_number": number,
                "year": options.start_date.year,
                "created_at": now,
                "updated_at": now,
            },
        )
        added = await series.get_edition(uow.session, edition_id, owner.id, current.tenant_id)
        assert added is not None
        uow.publish(
            contract.EDITION_ADDED, contract.EditionChanged(edition=series.to_edition(added)), subject=edition_id
        )

    async def _roll_back(self, found: CloneRecord) -> None:
        """events' own part and the target event go, with the events their deletions publish; ROLLED_BACK."""
        async with self.new_uow() as uow:
            current = await clones.get_operation(uow.session, found.id, None, for_update=True)
            if current is None or current.phase != saga.COMPENSATING:
                return
            counts: dict[str, int] = {}
            target_id = current.target_event_id
            if target_id is not None:
                counts = await _drop_target(uow, current.tenant_id, target_id)
            await clones.update_operation(
                uow.session,
                current.id,
                {
                    "status": CloneStatus.ROLLED_BACK,
                    "phase": saga.DONE,
                    "steps": saga.with_step(current.steps, saga.OWN, saga.DROPPED, counts),
                    "completed_at": self.clock(),
                    "claimed_until": None,
                },
            )
            done = await clones.get_operation(uow.session, current.id, None)
            assert done is not None
            uow.publish(
                contract.CLONE_FAILED, contract.CloneOperationChanged(operation=to_operation(done)), subject=done.id
            )
            await uow.commit()


async def _drop_target(uow: UnitOfWork, tenant_id: str, target_id: str) -> dict[str, int]:
    types = await clones.delete_types_of(uow.session, tenant_id, target_id)
    fields = await clones.delete_fields_of(uow.session, tenant_id, target_id)
    for row in types:
        changed = contract.ParticipantTypeChanged(participant_type=contract.ParticipantType.model_validate(row))
        uow.publish(contract.PARTICIPANT_TYPE_DELETED, changed, subject=row["id"])
    for row in fields:
        field = contract.FieldDefinitionChanged(field_definition=contract.FieldDefinition.model_validate(row))
        uow.publish(contract.FIELD_DEFINITION_DELETED, field, subject=row["id"])
    if await clones.delete_event(uow.session, tenant_id, target_id):
        uow.publish(contract.EVENT_DELETED, contract.EventDeleted(event_id=target_id), subject=target_id)
    return {"participantTypes": len(types), "fieldDefinitions": len(fields), "events": 1}


def is_transient(error: BaseException) -> bool:
    """Worth another try: the part's service did not answer (in time), so it may on a later try."""
    return isinstance(error, Timeout | ServiceUnavailable)


def _describe(error: BaseException) -> str:
    if isinstance(error, PlenaryError):
        return f"{error.code.value}: {error}"
    return f"{type(error).__name__}: {error}"
