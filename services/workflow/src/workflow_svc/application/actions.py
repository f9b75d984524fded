"""The engine's use cases: an action on a participant, entering a workflow, and what runs on arrival
at a step (auto-actions, then reviewer assignment).

One participant row, locked for the length of the unit of work, serialises every change to a
participant; ``version`` is the optimistic check callers send back as ``expectedVersion``.
"""

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import ApprovalAction, ParticipantStatus
from plenary_contracts.errors import BadRequest, Conflict, NotFound
from plenary_contracts.flags import FlagKey
from plenary_contracts.permissions import Permission
from plenary_kit import context as ctx
from plenary_kit.acting import require_grant
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger

from ..adapters import assignment_repository as assignments
from ..adapters import progress_repository as progress
from ..adapters import rule_repository as rules
from ..adapters import workflow_repository as workflows
from ..adapters.records import Participant
from ..domain.assignment import needs_counter, pick_assignee, strategy_of
from ..domain.auto_actions import APPROVAL_FOR, first_matching_rule, may_run_at_depth
from ..domain.decisions import ActionRefused, Outcome, StateConflict, decide
from ..domain.sla import sla_times
from ..domain.snapshot import Snapshot, SnapshotStep
from .common import FlagCheck, tenant, utcnow

log = get_logger(__name__)


@dataclasses.dataclass(frozen=True)
class Acting:
    """Who acts and on what terms; the defaults are a person acting through the API."""

    actor_id: str
    remarks: str | None = None
    expected_version: int | None = None
    metadata: Mapping[str, Any] | None = None
    batch_id: str | None = None
    auto_action: bool = False
    chain_depth: int = 0
    permission: Permission | None = None  # checked against the caller's grants for the participant's event
    may_reopen: bool = False  # a person acting on this one participant: RETURN may reopen a finished one
    join_decides: bool = False  # the action is a JOIN's decision, taken from the JOIN step


def announce_action(
    uow: UnitOfWork,
    before: Participant,
    after: Participant,
    *,
    action: ApprovalAction,
    step: tuple[str, str],
    next_step: tuple[str | None, str | None],
    is_complete: bool,
    approval_id: str,
    remarks: str | None,
    batch_id: str | None,
    auto_action: bool = False,
) -> None:
    """The action's own event, ``participant.status_changed`` for every action, ``completed`` at the end;
    ``before`` and ``after`` are the participant's rows around the change."""
    acted = contract.ParticipantActed(
        participant_id=before.id,
        participant_name=progress.name_of(before),
        registration_code=before.registration_code,
        event_id=before.event_id,
        workflow_id=before.workflow_id,
        workflow_version_id=after.workflow_version_id,
        action=action,
        step_id=step[0],
        step_name=step[1],
        previous_step_id=step[0],
        next_step_id=next_step[0],
        next_step_name=next_step[1],
        is_complete=is_complete,
        previous_status=before.status,
        status=after.status,
        approval_id=approval_id,
        remarks=remarks,
        auto_action=auto_action,
        batch_id=batch_id,
        version=after.version,
    )
    uow.publish(contract.ACTED_EVENTS[action], acted, subject=before.id)
    uow.publish(contract.PARTICIPANT_STATUS_CHANGED, acted, subject=before.id)
    if is_complete:
        uow.publish(contract.PARTICIPANT_COMPLETED, acted, subject=before.id)


class Engine:
    def __init__(self, flag_on: FlagCheck) -> None:
        self.flag_on = flag_on
        self._snapshots: dict[str, Snapshot] = {}  # versions are immutable: cache them for good

    async def snapshot(self, uow: UnitOfWork, version_id: str | None) -> Snapshot | None:
        if version_id is None:
            return None
        cached = self._snapshots.get(version_id)
        if cached is None:
            row = await workflows.get_version(uow.session, version_id)
            if row is None:
                return None
            cached = self._snapshots[version_id] = workflows.snapshot_of(row)
        return cached

    # --- an action on a participant ---

    async def act(
        self,
        uow: UnitOfWork,
        participant_id: str,
        action: ApprovalAction,
        acting: Acting,
        *,
        locked: Participant | None = None,
    ) -> contract.ActionResult:
        """``locked``: the participant's row, when the caller already holds its lock in this unit of work."""
        row = locked or await progress.get(uow.session, participant_id, tenant(), for_update=True)
        if row is None:
            raise NotFound(f"participant {participant_id} not found")
        if acting.permission is not None:
            require_grant(acting.permission, row.event_id)
        if acting.expected_version is not None and acting.expected_version != row.version:
            raise Conflict(
                f"participant {participant_id} changed since version {acting.expected_version}",
                details={"current": (await self.progress_of(uow, row)).model_dump(mode="json")},
            )
        if row.status is ParticipantStatus.CANCELLED:
            raise BadRequest(f"participant {participant_id} is cancelled")
        snapshot = await self.snapshot(uow, row.workflow_version_id)
        return_step = await self.return_step(uow, row) if action is ApprovalAction.RETURN else None
        try:
            outcome = decide(
                snapshot,
                row.current_step_id,
                action,
                progress.data_of(row),
                routing_enabled=self.flag_on(FlagKey.CONDITIONAL_ROUTING),
                parallel_enabled=self.flag_on(FlagKey.PARALLEL_WORKFLOWS),
                return_step_id=return_step,
                status=row.status,
                may_reopen=acting.may_reopen,
                join_decides=acting.join_decides,
            )
        except StateConflict as conflict:
            raise Conflict(
                conflict.message, details={"current": (await self.progress_of(uow, row)).model_dump(mode="json")}
            ) from conflict
        except ActionRefused as refused:
            raise BadRequest(str(refused)) from refused
        assert snapshot is not None
        return await self._apply(uow, row, snapshot, outcome, acting)

    @staticmethod
    async def return_step(uow: UnitOfWork, row: Participant) -> str | None:
        """Where RETURN sends the participant: the step of its latest approval taken at another step than
        the current one (the step it came from; for a finished participant, the one before it finished)."""
        return await progress.last_approval_step(uow.session, row.id, other_than=row.current_step_id)

    async def _apply(
        self, uow: UnitOfWork, row: Participant, snapshot: Snapshot, outcome: Outcome, acting: Acting
    ) -> contract.ActionResult:
        now = utcnow()
        previous = outcome.previous_step
        moved = outcome.next_step_id is not None
        metadata = dict(acting.metadata or {})
        if acting.batch_id:
            metadata["batchId"] = acting.batch_id
        if outcome.forks:
            metadata["preFork"] = True
        if outcome.reopens:
            metadata["reopened"] = True
        approval = progress.approval_row(
            tenant_id=row.tenant_id,
            participant_id=row.id,
            step_id=previous.id,
            user_id=acting.actor_id,
            action=outcome.action,
            remarks=acting.remarks,
            metadata=metadata,
        )
        approval_id = approval["id"]
        values: dict[str, Any] = {"status": outcome.status}
        next_step = snapshot.step(outcome.next_step_id) if moved else None
        if next_step is not None:
            values.update(self._arrival_values(next_step, now))
        else:
            values.update(sla_warn_at=None, sla_due_at=None)
        version, updated_at = await progress.record_action(
            uow.session, row.id, approval_values=approval, end_assignments=moved, **values
        )
        # The row is locked: what was just written is known, no need to read it back.
        updated = dataclasses.replace(row, **values, version=version, updated_at=updated_at)
        announce_action(
            uow,
            row,
            updated,
            action=outcome.action,
            step=(previous.id, previous.name),
            next_step=(outcome.next_step_id, next_step.name if next_step else None),
            is_complete=outcome.is_complete,
            approval_id=approval_id,
            remarks=acting.remarks,
            batch_id=acting.batch_id,
            auto_action=acting.auto_action,
        )
        if outcome.forks and next_step is not None:
            updated = await self._fork(uow, updated, next_step)
        elif next_step is not None:
            depth = acting.chain_depth + 1 if acting.auto_action else 0
            self._announce_arrival(uow, updated, next_step, previous.id, depth, acting.batch_id)
        return contract.ActionResult(
            participant_id=row.id,
            action=outcome.action,
            previous_step_id=previous.id,
            next_step_id=outcome.next_step_id,
            is_complete=outcome.is_complete,
            status=outcome.status,
            version=updated.version,
            approval_id=approval_id,
        )

    @staticmethod
    def _arrival_values(step: SnapshotStep, now: datetime) -> dict[str, Any]:
        warn_at, due_at = sla_times(step, now)
        return {
            "current_step_id": step.id,
            "step_entered_at": now,
            "sla_warn_at": warn_at,
            "sla_due_at": due_at,
            "sla_warned_at": None,
            "sla_breached_at": None,
        }

    @staticmethod
    def _announce_arrival(
        uow: UnitOfWork,
        row: Participant,
        step: SnapshotStep,
        previous_step_id: str | None,
        depth: int,
        batch_id: str | None,
    ) -> None:
        uow.publish(
            contract.PARTICIPANT_STEP_ENTERED,
            contract.StepEntered(
                participant_id=row.id,
                event_id=row.event_id,
                workflow_id=row.workflow_id,
                workflow_version_id=row.workflow_version_id,
                step_id=step.id,
                step_name=step.name,
                step_type=step.step_type,
                previous_step_id=previous_step_id,
                version=row.version,
                chain_depth=depth,
                batch_id=batch_id,
            ),
            subject=row.id,
        )

    async def _fork(self, uow: UnitOfWork, row: Participant, fork_step: SnapshotStep) -> Participant:
        """A fresh round of PENDING branches (earlier rounds archived), the participant at the FORK."""
        fork = fork_step.fork
        assert fork is not None and fork.join_step_id is not None
        snapshot = await self.snapshot(uow, row.workflow_version_id)
        assert snapshot is not None
        join = snapshot.step(fork.join_step_id)
        timeout = join.join.timeout_minutes if join is not None and join.join is not None else None
        now = utcnow()
        await progress.archive_branches(uow.session, [row.id], fork_step_id=fork_step.id)
        await progress.open_branches(
            uow.session,
            [
                {
                    "id": new_id(),
                    "tenant_id": row.tenant_id,
                    "participant_id": row.id,
                    "fork_step_id": fork_step.id,
                    "branch_step_id": branch.branch_step_id,
                    "join_step_id": fork.join_step_id,
                    "timeout_at": now + timedelta(minutes=timeout) if timeout else None,
                }
                for branch in fork.branches
            ],
        )
        uow.publish(
            contract.PARALLEL_FORKED,
            contract.ParallelForked(
                participant_id=row.id,
                participant_name=progress.name_of(row),
                event_id=row.event_id,
                fork_step_id=fork_step.id,
                fork_step_name=fork_step.name,
                branch_count=len(fork.branches),
                branches=[contract.ForkBranch(branch_step_id=b.branch_step_id, label=b.label) for b in fork.branches],
                join_step_id=fork.join_step_id,
            ),
            subject=row.id,
        )
        return row

    # --- entering ---

    async def enter(self, uow: UnitOfWork, row: Participant, workflow_id: str, version_id: str) -> None:
        """Enter a workflow: pin the version, stand at the entry step, PENDING."""
        snapshot = await self.snapshot(uow, version_id)
        entry = snapshot.entry_step if snapshot is not None else None
        if entry is None:
            log.warning("workflow has no entry step; participant not entered", workflow_id=workflow_id)
            return
        updated = await progress.move(
            uow.session,
            row.id,
            workflow_id=workflow_id,
            workflow_version_id=version_id,
            status=ParticipantStatus.PENDING,
            **self._arrival_values(entry, utcnow()),
        )
        uow.publish(
            contract.PARTICIPANT_ENTERED,
            contract.ParticipantEntered(
                participant_id=row.id,
                event_id=row.event_id,
                workflow_id=workflow_id,
                workflow_version_id=version_id,
                step_id=entry.id,
                step_name=entry.name,
                status=ParticipantStatus.PENDING,
            ),
            subject=row.id,
        )
        self._announce_arrival(uow, updated, entry, None, 0, None)

    # --- arrival: auto-actions, then assignment ---

    async def arrive(self, uow: UnitOfWork, arrival: contract.StepEntered) -> None:
        auto_actions, assignment = self.flag_on(FlagKey.AUTO_ACTIONS), self.flag_on(FlagKey.STEP_ASSIGNMENT)
        if not (auto_actions or assignment):
            return  # nothing runs on arrival: neither read nor lock the participant
        row = await progress.get(uow.session, arrival.participant_id, ctx.current().tenant_id, for_update=True)
        if row is None or row.version != arrival.version or row.current_step_id != arrival.step_id:
            return  # someone acted since: this arrival is history
        if auto_actions and await self._auto_act(uow, row, arrival):
            return
        if assignment:
            await self.assign_reviewer(uow, row, arrival.step_id)

    async def _auto_act(self, uow: UnitOfWork, row: Participant, arrival: contract.StepEntered) -> bool:
        if not may_run_at_depth(arrival.chain_depth):
            log.warning(
                "auto-action chain stopped at its depth limit", participant_id=row.id, depth=arrival.chain_depth
            )
            return False
        rule = first_matching_rule(await rules.active_rules(uow.session, arrival.step_id), progress.data_of(row))
        if rule is None:
            return False
        action = APPROVAL_FOR[rule.action_type]
        try:
            with ctx.acting(actor_id=SYSTEM_USER_ID):
                result = await self.act(
                    uow,
                    row.id,
                    action,
                    Acting(
                        actor_id=SYSTEM_USER_ID,
                        remarks=f"Auto-action: {rule.name}",
                        expected_version=arrival.version,
                        metadata={
                            "ruleId": rule.id,
                            "ruleName": rule.name,
                            "actionType": rule.action_type.value,
                            "conditionExpression": "matched",
                            "autoAction": True,
                        },
                        batch_id=arrival.batch_id,
                        auto_action=True,
                        chain_depth=arrival.chain_depth,
                    ),
                    locked=row,  # ``arrive`` holds its lock: no second read of the row
                )
        except (BadRequest, Conflict) as refused:
            log.warning("auto-action rule matched but the engine refused", rule_id=rule.id, reason=refused.message)
            return False
        uow.publish(
            contract.AUTO_ACTION_EXECUTED,
            contract.AutoActionExecuted(
                participant_id=row.id,
                event_id=row.event_id,
                step_id=arrival.step_id,
                rule_id=rule.id,
                rule_name=rule.name,
                action_type=rule.action_type,
                approval_action=action,
                chain_depth=arrival.chain_depth + 1,
                next_step_id=result.next_step_id,
                is_complete=result.is_complete,
            ),
            subject=row.id,
        )
        return True

    async def assign_reviewer(
        self, uow: UnitOfWork, row: Participant, step_id: str, *, exclude: str | None = None
    ) -> str | None:
        """Pick a reviewer by the step's strategy, persist it, tell them. Returns the user id, if any."""
        candidates = await assignments.active_assignees(uow.session, step_id)
        if exclude is not None:
            candidates = [c for c in candidates if c.user_id != exclude]
        if not candidates:
            return None
        counter = await assignments.advance_round_robin(uow.session, step_id) if needs_counter(candidates) else None
        loads = await assignments.open_loads(uow.session, step_id, [c.user_id for c in candidates])
        chosen = pick_assignee(candidates, counter_after_increment=counter, loads=loads)
        if chosen is None:
            return None
        previous = await progress.current_assignee(uow.session, row.id, step_id)
        await progress.add_assignment(
            uow.session,
            tenant_id=row.tenant_id,
            participant_id=row.id,
            step_id=step_id,
            user_id=chosen.user_id,
            assignment_id=chosen.assignment_id,
            strategy=strategy_of(candidates),
            replace=True,
        )
        snapshot = await self.snapshot(uow, row.workflow_version_id)
        step = snapshot.step(step_id) if snapshot else None
        step_name = step.name if step else step_id
        uow.publish(
            contract.PARTICIPANT_ASSIGNED,
            contract.ParticipantAssigned(
                participant_id=row.id,
                event_id=row.event_id,
                workflow_id=row.workflow_id,
                step_id=step_id,
                step_name=step_name,
                user_id=chosen.user_id,
                previous_user_id=previous,
                strategy=strategy_of(candidates),
                assignment_id=chosen.assignment_id,
            ),
            subject=row.id,
        )
        uow.publish(
            contract.NOTIFICATION_REQUESTED,
            contract.NotificationRequested(
                user_id=chosen.user_id,
                type="step_assignment",
                title="New participant to review",
                message=f"You have a new participant to review: {progress.name_of(row)} at {step_name}",
                data={"participantId": row.id, "stepId": step_id, "assignmentId": chosen.assignment_id},
            ),
            subject=chosen.user_id,
        )
        return chosen.user_id

    # --- reading ---

    async def progress_of(self, uow: UnitOfWork, row: Participant) -> contract.ParticipantProgress:
        snapshot = await self.snapshot(uow, row.workflow_version_id)
        step = snapshot.step(row.current_step_id) if snapshot else None
        branches = await progress.live_branches(uow.session, row.id)
        return contract.ParticipantProgress(
            participant_id=row.id,
            event_id=row.event_id,
            name=progress.name_of(row),
            registration_code=row.registration_code,
            workflow_id=row.workflow_id,
            workflow_version_id=row.workflow_version_id,
            current_step_id=row.current_step_id,
            current_step_name=step.name if step else None,
            status=row.status,
            version=row.version,
            assignee_id=await progress.current_assignee(uow.session, row.id, row.current_step_id),
            sla_due_at=row.sla_due_at,
            branches=[progress.to_branch(b) for b in branches],
            updated_at=row.updated_at,
        )
