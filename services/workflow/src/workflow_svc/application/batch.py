"""Batch workflow actions: dry run, execution through the engine in chunks, undo from before-state.

A batch names an event: one the tenant has neither workflows nor participants of here is not found
(404), whoever owns it, rather than a batch whose every item fails."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction, BulkOperationStatus
from plenary_contracts.errors import BadRequest, NotFound, PlenaryError
from plenary_contracts.streams import BULK_LANE
from plenary_kit import context as ctx
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import batch_repository as operations
from ..adapters import progress_repository as progress
from ..adapters.records import ActiveReviewer, BatchItem, Participant
from ..domain.batch import chunks, ineligibility
from .actions import Acting, Engine, announce_action
from .common import actor, tenant, utcnow

NOT_FOUND = "Participant not found"


class Batches:
    def __init__(self, engine: Engine, new_uow: Callable[[], UnitOfWork]) -> None:
        self.engine = engine
        self.new_uow = new_uow

    async def _rows(
        self, uow: UnitOfWork, request: contract.BatchActionRequest, *, lock: bool = False
    ) -> dict[str, Participant]:
        """The requested participants of the event; ``lock`` holds them (in id order, so concurrent
        batches cannot deadlock) until the unit commits, so a before-state is what the engine acts on."""
        return await progress.of_event(uow.session, tenant(), request.event_id, request.participant_ids, lock=lock)

    async def dry_run(self, request: contract.BatchActionRequest, uow: UnitOfWork) -> contract.BatchDryRun:
        await _known_event(uow, request.event_id)
        rows = await self._rows(uow, request)
        eligible: list[str] = []
        ineligible: list[contract.Ineligible] = []
        for pid in dict.fromkeys(request.participant_ids):
            row = rows.get(pid)
            reason = NOT_FOUND if row is None else await self._ineligibility(uow, row, request.action)
            if reason is None:
                eligible.append(pid)
            else:
                ineligible.append(
                    contract.Ineligible(id=pid, name=progress.name_of(row) if row else None, reason=reason)
                )
        counts = contract.BatchCounts(
            total=len(eligible) + len(ineligible), eligible=len(eligible), ineligible=len(ineligible)
        )
        return contract.BatchDryRun(eligible=eligible, ineligible=ineligible, counts=counts)

    async def _ineligibility(self, uow: UnitOfWork, row: Participant, action: ApprovalAction) -> str | None:
        snapshot = await self.engine.snapshot(uow, row.workflow_version_id)
        back = await self.engine.return_step(uow, row) if action is ApprovalAction.RETURN else None
        return ineligibility(snapshot, row.current_step_id, action, return_step_id=back, status=row.status)

    async def execute(self, request: contract.BatchActionRequest, uow: UnitOfWork) -> contract.BatchOperation:
        await _known_event(uow, request.event_id)
        ids = list(dict.fromkeys(request.participant_ids))
        operation_id = new_id()
        async with self.new_uow() as start:
            await operations.start(
                start.session,
                id=operation_id,
                tenant_id=tenant(),
                event_id=request.event_id,
                action=request.action,
                total_items=len(ids),
                remarks=request.remarks,
                created_by=actor(),
            )
            start.publish(
                contract.BATCH_STARTED, contract.BatchProgress(operation=await _operation(start, operation_id))
            )
            await start.commit()
        try:
            with ctx.acting(lane=BULK_LANE):  # its participants' events never queue ahead of other callers'
                await self._run(request, operation_id, ids)
        finally:
            # Even when a chunk failed unexpectedly: what earlier chunks did stays, and stays undoable.
            final = await self._finish(operation_id)
        return final

    async def _run(self, request: contract.BatchActionRequest, operation_id: str, ids: list[str]) -> None:
        position = 0
        for chunk in chunks(ids):
            async with self.new_uow() as work:
                rows = await self._rows(work, request.model_copy(update={"participant_ids": chunk}), lock=True)
                reviewers = await progress.active_reviewers(
                    work.session, {pid: row.current_step_id for pid, row in rows.items() if row.current_step_id}
                )
                items: list[dict[str, Any]] = []
                for pid in chunk:
                    item = {"operation_id": operation_id, "participant_id": pid, "position": position}
                    items.append(await self._act_on_one(work, request, item, rows.get(pid), reviewers.get(pid)))
                    position += 1
                await operations.add_items(work.session, items)
                succeeded = sum(item["status"] == "success" for item in items)
                failed = len(items) - succeeded
                await operations.count_chunk(
                    work.session, operation_id, processed=len(chunk), succeeded=succeeded, failed=failed
                )
                work.publish(
                    contract.BATCH_PROGRESSED, contract.BatchProgress(operation=await _operation(work, operation_id))
                )
                await work.commit()

    async def _finish(self, operation_id: str) -> contract.BatchOperation:
        """COMPLETED unless nothing succeeded; the undo window opens now."""
        async with self.new_uow() as finish:
            done = await _operation(finish, operation_id)
            status = BulkOperationStatus.FAILED if done.success_count == 0 else BulkOperationStatus.COMPLETED
            await operations.finish(
                finish.session, operation_id, status, utcnow() + timedelta(hours=contract.BATCH_UNDO_HOURS)
            )
            final = await _operation(finish, operation_id)
            finish.publish(contract.BATCH_COMPLETED, contract.BatchProgress(operation=final))
            await finish.commit()
        return final

    async def _act_on_one(
        self,
        uow: UnitOfWork,
        request: contract.BatchActionRequest,
        item: dict[str, Any],
        row: Participant | None,
        reviewer: ActiveReviewer | None,
    ) -> dict[str, Any]:
        """Act on one participant of a chunk (its row locked); returns the batch item to record."""
        if row is None:
            return {**item, "status": "error", "error": NOT_FOUND}
        item = {**item, "previous_state": _before_state(row, reviewer)}  # before acting: what undo restores
        try:
            async with uow.savepoint():
                result = await self.engine.act(
                    uow,
                    row.id,
                    request.action,
                    Acting(actor_id=actor(), remarks=request.remarks, batch_id=item["operation_id"]),
                    locked=row,
                )
        except PlenaryError as error:
            return {**item, "status": "error", "error": error.message}
        return {**item, "status": "success", "after_version": result.version}

    async def get(self, request: contract.BatchOperationRef, uow: UnitOfWork) -> contract.BatchOperationDetail:
        operation = await _operation(uow, request.id, tenant_id=tenant())
        items = await operations.items(uow.session, request.id)
        return contract.BatchOperationDetail(
            operation=operation,
            items=[
                contract.BatchItem(
                    participant_id=i.participant_id, status=i.status, error=i.error, previous_state=i.previous_state
                )
                for i in items
            ],
        )

    async def undo(self, request: contract.BatchOperationRef, uow: UnitOfWork) -> contract.BatchOperation:
        operation = await _operation(uow, request.id, tenant_id=tenant(), for_update=True)
        if operation.undone_at is not None:
            raise BadRequest(f"batch action {request.id} was already undone")
        if operation.status is not BulkOperationStatus.COMPLETED:
            raise BadRequest(f"only a completed batch action can be undone (this one is {operation.status.value})")
        if operation.undo_deadline is None or utcnow() > operation.undo_deadline:
            raise BadRequest(f"the {contract.BATCH_UNDO_HOURS} h undo window of batch action {request.id} has closed")
        with ctx.acting(lane=BULK_LANE):
            for item in await operations.items(uow.session, request.id, succeeded_only=True):
                outcome, error = await self._restore(uow, operation, item)
                await operations.set_item(uow.session, item.id, outcome, error)
        await operations.mark_undone(uow.session, request.id)
        undone = await _operation(uow, request.id)
        uow.publish(contract.BATCH_UNDONE, contract.BatchProgress(operation=undone))
        return undone

    async def _restore(
        self, uow: UnitOfWork, operation: contract.BatchOperation, item: BatchItem
    ) -> tuple[str, str | None]:
        row = await progress.get(uow.session, item.participant_id, tenant(), for_update=True)
        if row is None:
            return "undo_failed", NOT_FOUND
        if row.version != item.after_version:
            return "undo_failed", "the participant changed after the batch action; not restored"
        before = item.previous_state
        assert before is not None  # every successful item has its before-state
        back_to = before["currentStepId"]
        await progress.archive_branches(uow.session, [row.id])
        await progress.end_assignments(uow.session, [row.id])
        remarks = f"Undo of batch action {operation.id}"
        approval_id = await progress.add_approval(
            uow.session,
            tenant_id=row.tenant_id,
            participant_id=row.id,
            step_id=back_to or row.current_step_id,
            user_id=actor(),
            action=ApprovalAction.RETURN,
            remarks=remarks,
            metadata={"undo": True, "batchId": operation.id},
        )
        restored = await progress.move(
            uow.session,
            row.id,
            status=before["status"],
            current_step_id=back_to,
            workflow_version_id=before["workflowVersionId"],
            step_entered_at=_time(before.get("stepEnteredAt")),
            sla_warn_at=_time(before.get("slaWarnAt")),
            sla_due_at=_time(before.get("slaDueAt")),
            sla_warned_at=None,
            sla_breached_at=None,
        )
        reviewer = before.get("assignee")
        if reviewer and back_to:
            await progress.add_assignment(
                uow.session,
                tenant_id=row.tenant_id,
                participant_id=row.id,
                step_id=back_to,
                user_id=reviewer["userId"],
                assignment_id=reviewer["assignmentId"],
                strategy=reviewer["strategy"],
            )
        snapshot = await self.engine.snapshot(uow, row.workflow_version_id)
        undone_step = snapshot.step(row.current_step_id) if snapshot else None
        restored_step = snapshot.step(back_to) if snapshot and back_to else None
        announce_action(
            uow,
            row,
            restored,
            action=ApprovalAction.RETURN,
            step=(row.current_step_id, undone_step.name if undone_step else row.current_step_id),
            next_step=(back_to, restored_step.name if restored_step else None),
            is_complete=False,
            approval_id=approval_id,
            remarks=remarks,
            batch_id=operation.id,
        )
        return "undone", None


async def _known_event(uow: UnitOfWork, event_id: str) -> None:
    if not await progress.event_known(uow.session, tenant(), event_id):
        raise NotFound(f"event {event_id} not found")


def _before_state(row: Participant, reviewer: ActiveReviewer | None) -> dict[str, Any]:
    """Where the participant is and who reviews it there: what undo puts back."""
    state = progress.before_state(row)
    if reviewer is not None:
        state["assignee"] = {
            "userId": reviewer.user_id,
            "assignmentId": reviewer.assignment_id,
            "strategy": reviewer.strategy.value,
        }
    return state


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


async def _operation(
    uow: UnitOfWork, operation_id: str, *, tenant_id: str | None = None, for_update: bool = False
) -> contract.BatchOperation:
    found = await operations.get(uow.session, operation_id, tenant_id=tenant_id, for_update=for_update)
    if found is None:
        raise NotFound(f"batch action {operation_id} not found")
    return found
