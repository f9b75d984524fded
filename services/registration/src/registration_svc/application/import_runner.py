"""Running confirmed imports in the background, resumably.

The items' statuses are the cursor. Each chunk is one unit of work: lock the next rows still valid or
warning (``FOR UPDATE SKIP LOCKED``), register them through the one registration path, mark each row
success or error, count, publish the progress, commit. A crash loses at most the chunk in flight,
whose participants vanish with it; a restart, or another replica, carries on with the rows still
pending, so no row is ever registered twice. Before each chunk the runner looks whether the import was
cancelled meanwhile, and stops if so.

Background work has a budget of its own: a process runs one chunk at a time (one connection, and a
second only to announce blocked rows), and the registration path gives the event loop back every few
rows, so the process's request handlers keep answering other callers while an import runs.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from plenary_contracts.catalog import registration as contract
from plenary_contracts.catalog.events import EventSchema
from plenary_contracts.enums import BulkOperationStatus
from plenary_contracts.errors import NotFound, PlenaryError
from plenary_contracts.streams import BULK_LANE
from plenary_kit import context as ctx
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import bulk_repository as bulk
from ..domain.extras import FieldSpec
from ..domain.import_rows import extras_of, registration_code
from .directory import field_specs
from .imports import publish, reloaded
from .registrar import Draft, Refused, Registrar

log = get_logger(__name__)

CHUNK = 500
INTERNAL = "could not be imported (internal error); see the service log"


class Abandon(Exception):
    """The import cannot run at all (its event or participant type is gone): it fails as a whole."""


class ImportRunner:
    def __init__(self, registrar: Registrar, new_uow: Callable[[], UnitOfWork], chunk: int = CHUNK) -> None:
        self.registrar = registrar
        self.new_uow = new_uow
        self.chunk = chunk
        self._busy = False
        self._again = False
        self._stopped = False
        self._kicked: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Run pending imports now rather than at the next poll (called once a confirmation commits)."""
        if self._stopped:
            return
        if self._busy:
            self._again = True
        elif self._kicked is None or self._kicked.done():
            self._kicked = asyncio.get_running_loop().create_task(self.run_pending(), name="registration-import")

    async def stop(self) -> None:
        self._stopped = True
        if self._kicked is not None and not self._kicked.done():
            self._kicked.cancel()
            await asyncio.gather(self._kicked, return_exceptions=True)

    async def run_pending(self) -> None:
        """Every confirmed or running import, oldest first, until none has rows this process can take."""
        if self._busy or self._stopped:
            self._again = self._again or self._busy
            return
        self._busy = True
        try:
            again = True
            while again and not self._stopped:
                self._again = False
                async with self.new_uow() as uow:
                    runnable = await bulk.runnable(uow.session)
                for operation_id in runnable:
                    try:
                        await self.run(operation_id)
                    except Exception:  # one broken import must not hold up the others; the poll retries it
                        log.exception("import run failed", operation_id=operation_id)
                again = self._again
        finally:
            self._busy = False

    async def run(self, operation_id: str) -> None:
        started = await self._start(operation_id)
        if started is None:
            return
        operation, schema = started
        with ctx.acting(**_acting_for(operation)):
            job = _Job(operation, schema)
            after = 0
            while not self._stopped and await self._still_running(operation_id):
                done = await self._chunk(job, after)
                if done is None:  # nothing left after ``after``: look once more from the start
                    if after == 0:
                        break
                    after = 0
                    continue
                after = done
            if not self._stopped:
                await self._finish(operation_id)

    async def _still_running(self, operation_id: str) -> bool:
        """False once the import was cancelled: the chunk in flight has committed, no other starts."""
        async with self.new_uow() as uow:
            return await bulk.status_of(uow.session, operation_id) is BulkOperationStatus.PROCESSING

    async def _start(self, operation_id: str) -> tuple[bulk.StoredOperation, EventSchema] | None:
        """CONFIRMED → PROCESSING with the before-state snapshot; the operation and its event's schema."""
        async with self.new_uow() as uow:
            row = await bulk.get_any_tenant(uow.session, operation_id, for_update=True)
            if row is None or row.status not in (BulkOperationStatus.CONFIRMED, BulkOperationStatus.PROCESSING):
                return None
            with ctx.acting(**_acting_for(row)):
                try:
                    schema = await self.registrar.directory.schema(uow, row.tenant_id, row.event_id)
                    _participant_type(row, schema)
                except (NotFound, Abandon) as error:  # gone for good; anything else is retried by the poll
                    await self._fail(uow, row, str(error))
                    await uow.commit()
                    return None
                if row.status is BulkOperationStatus.CONFIRMED:
                    now = utcnow()
                    count = await bulk.count_participants(uow.session, row.tenant_id, row.event_id)
                    await bulk.update(
                        uow.session,
                        row.id,
                        status=BulkOperationStatus.PROCESSING,
                        started_at=now,
                        snapshot_data={"capturedAt": now.isoformat(), "participantCount": count},
                    )
                    row = await reloaded(uow, row.id)
                    await uow.commit()
        return row, schema

    async def _chunk(self, job: "_Job", after: int) -> int | None:
        """Import the next rows after ``after`` in one unit of work; the last row number handled, or None
        when no row is left there. A chunk that fails unexpectedly is retried row by row, so one bad row
        ends as an error item instead of stopping the import."""
        try:
            return await self._import(job, after, self.chunk)
        except Exception:
            log.exception("import chunk failed; retrying its rows one by one", operation_id=job.operation.id)
        async with self.new_uow() as uow:
            items = await bulk.claim_pending(uow.session, job.operation.id, after=after, limit=self.chunk)
        for item in items:
            try:
                await self._import(job, item.row_number - 1, 1, ids=[item.id])
            except Exception:
                log.exception("import row failed", operation_id=job.operation.id, row=item.row_number)
                await self._fail_row(job, item.id)
        return items[-1].row_number if items else None

    async def _import(self, job: "_Job", after: int, limit: int, ids: Sequence[str] | None = None) -> int | None:
        async with self.new_uow() as uow:
            items = await bulk.claim_pending(uow.session, job.operation.id, after=after, limit=limit, ids=ids)
            if not items:
                return None
            succeeded, failed = await self._register(uow, job, items)
            await bulk.mark_done(uow.session, succeeded, failed)
            await bulk.add_progress(uow.session, job.operation.id, succeeded=len(succeeded), failed=len(failed))
            publish(uow, contract.BULK_OPERATION_PROGRESSED, await reloaded(uow, job.operation.id))
            await uow.commit()
            return items[-1].row_number

    async def _fail_row(self, job: "_Job", item_id: str) -> None:
        async with self.new_uow() as uow:
            if await bulk.claim_pending(uow.session, job.operation.id, after=0, limit=1, ids=[item_id]):
                await bulk.mark_done(uow.session, [], [(item_id, INTERNAL)])
                await bulk.add_progress(uow.session, job.operation.id, succeeded=0, failed=1)
                await uow.commit()

    async def _register(self, uow: UnitOfWork, job: "_Job", items: Sequence[bulk.PendingItem]) -> tuple[list, list]:
        succeeded: list[tuple[str, str]] = []
        failed: list[tuple[str, str]] = []
        drafts: list[Draft] = []
        drafted: list[bulk.PendingItem] = []
        for item in items:
            try:
                drafts.append(job.draft(item.row_number, item.input_data))
                drafted.append(item)
            except ValidationError as error:
                failed.append((item.id, _validation_message(error)))
        outcomes = await self.registrar.register(uow, drafts) if drafts else []
        for item, outcome in zip(drafted, outcomes, strict=True):
            if isinstance(outcome, Refused):
                failed.append((item.id, refusal_message(outcome.error)))
            else:
                succeeded.append((item.id, outcome.id))
        return succeeded, failed

    async def _finish(self, operation_id: str) -> None:
        """COMPLETED (undo open for 24 h) once no row is pending, FAILED when none succeeded; a row another
        worker still holds counts as pending, so that worker finishes instead."""
        async with self.new_uow() as uow:
            row = await bulk.get_any_tenant(uow.session, operation_id, for_update=True)
            if row is None or row.status is not BulkOperationStatus.PROCESSING:
                return
            if await bulk.has_pending(uow.session, operation_id):
                return
            now = utcnow()
            if row.success_count == 0:
                await bulk.update(uow.session, row.id, status=BulkOperationStatus.FAILED, completed_at=now)
                publish(uow, contract.BULK_OPERATION_FAILED, await reloaded(uow, row.id))
            else:
                await bulk.update(
                    uow.session,
                    row.id,
                    status=BulkOperationStatus.COMPLETED,
                    completed_at=now,
                    undo_deadline=now + timedelta(hours=contract.UNDO_HOURS),
                )
                publish(uow, contract.BULK_OPERATION_COMPLETED, await reloaded(uow, row.id))
            await uow.commit()

    async def _fail(self, uow: UnitOfWork, row: bulk.StoredOperation, reason: str) -> None:
        await bulk.update(
            uow.session,
            row.id,
            status=BulkOperationStatus.FAILED,
            completed_at=utcnow(),
            error_log=[*(row.error_log or []), reason],
        )
        publish(uow, contract.BULK_OPERATION_FAILED, await reloaded(uow, row.id))


class _Job:
    """One import's run: the operation and what every row registers with."""

    def __init__(self, operation: bulk.StoredOperation, schema: EventSchema) -> None:
        self.operation = operation
        self.event_id: str = operation.event_id
        self.type_id = _participant_type(operation, schema)
        self.specs: list[FieldSpec] = field_specs(schema)

    def draft(self, row_number: int, data: dict[str, str]) -> Draft:
        details = contract.ParticipantDetails(
            participant_type_id=self.type_id,
            registration_code=data.get("registrationCode") or registration_code(self.operation.id, row_number),
            first_name=data.get("firstName", ""),
            last_name=data.get("lastName", ""),
            email=data.get("email"),
            organization=data.get("organization"),
            job_title=data.get("jobTitle"),
            nationality=data.get("nationality"),
            extras=extras_of(data, self.specs),
        )
        return Draft(event_id=self.event_id, details=details, source="import", row=row_number)


def _participant_type(operation: bulk.StoredOperation, schema: EventSchema) -> str:
    """The type chosen at upload, else the event's first."""
    chosen = (operation.filters or {}).get("participantTypeId")
    types = [t.id for t in schema.participant_types]
    if chosen:
        if chosen not in types:
            raise Abandon("the participant type chosen for this import no longer exists")
        return chosen
    if not types:
        raise Abandon("the event has no participant type to import participants as")
    return types[0]


def _acting_for(operation: bulk.StoredOperation) -> dict[str, Any]:
    """Work done for whoever confirmed the import, traceable to it, in the bulk lane. Every field of the context
    is named: a run kicked off by the confirming request keeps nothing else of it (roles, grants, idempotency
    key)."""
    acting = ctx.Context(
        tenant_id=operation.tenant_id,
        actor_id=operation.created_by,
        correlation_id=operation.id,
        lane=BULK_LANE,  # the import's events, and what they cause, never queue ahead of other callers'
    )
    return asdict(acting)


def refusal_message(error: PlenaryError) -> str:
    """``field: msg; …`` when the refusal names fields, else its message."""
    if error.errors:
        return "; ".join(f"{'.'.join(str(part) for part in e.loc if part != 'extras') or 'row'}: {e.msg}"
                         for e in error.errors)  # fmt: skip
    return error.message


def _validation_message(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
