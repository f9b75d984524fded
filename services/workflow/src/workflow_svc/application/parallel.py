"""Fork/join: a decision on one branch, the join acting from the JOIN step, and branch timeouts."""

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import ApprovalAction, BranchStatus, StepType
from plenary_contracts.errors import BadRequest, NotFound, PlenaryError
from plenary_kit import context as ctx
from plenary_kit.acting import require_grant
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import progress_repository as progress
from ..domain.joins import evaluate_join, timeout_action, timeout_remarks
from .actions import Acting, Engine
from .common import tenant, utcnow

log = get_logger(__name__)

_BRANCH_STATUS = {ApprovalAction.APPROVE: BranchStatus.APPROVED, ApprovalAction.REJECT: BranchStatus.REJECTED}


class Parallel:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def act_on_branch(
        self,
        uow: UnitOfWork,
        participant_id: str,
        branch_step_id: str,
        action: ApprovalAction,
        *,
        actor_id: str,
        remarks: str | None,
        timed_out: bool = False,
    ) -> contract.BranchActionResult:
        row = await progress.get(uow.session, participant_id, tenant(), for_update=True)
        if row is None:
            raise NotFound(f"participant {participant_id} not found")
        require_grant(contract.action_permission(action), row.event_id)
        snapshot = await self.engine.snapshot(uow, row.workflow_version_id)
        fork_step = snapshot.step(row.current_step_id) if snapshot else None
        if fork_step is None or fork_step.step_type is not StepType.FORK:
            raise BadRequest(f"participant {participant_id} is not in parallel branches")
        branches = await progress.live_branches(uow.session, row.id, fork_step.id)
        branch = next(
            (b for b in branches if b.branch_step_id == branch_step_id and b.status is BranchStatus.PENDING), None
        )
        if branch is None:
            raise NotFound(f"no pending branch {branch_step_id} for participant {participant_id}")
        status = _BRANCH_STATUS[action]
        now = utcnow()
        await progress.decide_branch(
            uow.session, branch.id, status=status, action=action, actor_id=actor_id, remarks=remarks, now=now
        )
        await progress.add_approval(
            uow.session,
            tenant_id=row.tenant_id,
            participant_id=row.id,
            step_id=branch_step_id,
            user_id=actor_id,
            action=action,
            remarks=remarks,
            metadata={"forkStepId": fork_step.id, "branchAction": True, **({"timedOut": True} if timed_out else {})},
        )
        uow.publish(
            contract.PARALLEL_BRANCH_COMPLETED,
            contract.ParallelBranchCompleted(
                participant_id=row.id,
                event_id=row.event_id,
                branch_id=branch.id,
                fork_step_id=fork_step.id,
                branch_step_id=branch_step_id,
                status=status,
                action=action,
                remarks=remarks,
                timed_out=timed_out,
            ),
            subject=row.id,
        )
        join_step = snapshot.step(branch.join_step_id) if snapshot else None
        if join_step is None or join_step.join is None:
            raise BadRequest(f"the fork's join step {branch.join_step_id} is missing from the workflow version")
        statuses = [status if b.id == branch.id else b.status for b in branches]
        verdict = evaluate_join(join_step.join.strategy, statuses)
        evaluation = contract.JoinEvaluation(
            strategy=verdict.strategy,
            satisfied=verdict.satisfied,
            failed=verdict.failed,
            summary=contract.JoinSummary(**vars(verdict.tally)),
        )
        if verdict.decision is None:
            return contract.BranchActionResult(
                branch_id=branch.id, branch_status=status, join_evaluation=evaluation, participant_advanced=False
            )
        cancelled = [b.id for b in branches if b.id != branch.id and b.status is BranchStatus.PENDING]
        if cancelled:
            await progress.cancel_branches(uow.session, cancelled, now)
        # The join acts from the JOIN step, so the JOIN's own targets and terminal rule apply.
        await progress.move(uow.session, row.id, current_step_id=join_step.id)
        result = await self.engine.act(
            uow,
            row.id,
            verdict.decision,
            Acting(
                actor_id=actor_id,
                remarks=remarks,
                metadata={"join": True, "forkStepId": fork_step.id},
                join_decides=True,
            ),
        )
        uow.publish(
            contract.PARALLEL_JOINED,
            contract.ParallelJoined(
                participant_id=row.id,
                participant_name=progress.name_of(row),
                event_id=row.event_id,
                fork_step_id=fork_step.id,
                join_step_id=join_step.id,
                action=verdict.decision,
                summary=evaluation.summary,
                cancelled_branch_ids=cancelled,
            ),
            subject=row.id,
        )
        return contract.BranchActionResult(
            branch_id=branch.id,
            branch_status=status,
            join_evaluation=evaluation,
            participant_advanced=True,
            result=result,
        )

    async def time_out_next_branch(self, uow: UnitOfWork) -> bool:
        """Decide one overdue branch as the system; False when none is due.

        The claim locks the participant (SKIP LOCKED), the lock every other path takes first, so
        replicas neither collide nor deadlock. A timeout the engine refuses stops timing out (logged)
        instead of blocking the sweep on every tick.
        """
        due = await progress.next_timed_out_branch(uow.session)
        if due is None:
            return False
        with ctx.acting(tenant_id=due.tenant_id, actor_id=SYSTEM_USER_ID):
            row = await progress.get(uow.session, due.participant_id, due.tenant_id)
            snapshot = await self.engine.snapshot(uow, row.workflow_version_id) if row else None
            join_step = snapshot.step(due.join_step_id) if snapshot else None
            if row is None or join_step is None or join_step.join is None or row.current_step_id != due.fork_step_id:
                await progress.set_branch(uow.session, due.id, status=BranchStatus.CANCELLED)
                return True
            try:
                async with uow.savepoint():
                    await self.act_on_branch(
                        uow,
                        due.participant_id,
                        due.branch_step_id,
                        timeout_action(join_step.join),
                        actor_id=SYSTEM_USER_ID,
                        remarks=timeout_remarks(join_step.join),
                        timed_out=True,
                    )
            except PlenaryError as refused:
                log.warning("branch timeout refused; it no longer times out", branch_id=due.id, reason=refused.message)
                await progress.set_branch(uow.session, due.id, timeout_at=None)
            return True
