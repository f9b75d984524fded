"""workflow's participant side on the bus: actions and branch decisions, progress and approvals,
batches and offline sync. Handlers translate; the engine decides."""

from collections.abc import Awaitable, Callable

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application.actions import Acting, Engine
from ..application.batch import Batches
from ..application.common import actor
from ..application.offline import OfflineSync
from ..application.parallel import Parallel
from ..application.queries import Queries


def register(
    runtime: Runtime, *, engine: Engine, parallel: Parallel, queries: Queries, batches: Batches, offline: OfflineSync
) -> None:
    for action, spec in contract.TAKE_ACTION.items():
        runtime.serve(spec, _action_handler(engine, action))
    for action, spec in contract.TAKE_BRANCH_ACTION.items():
        runtime.serve(spec, _branch_handler(parallel, action))

    runtime.serve(contract.GET_PROGRESS, queries.get_progress)
    runtime.serve(contract.LIST_APPROVALS, queries.list_approvals)
    runtime.serve(contract.LIST_MY_ASSIGNMENTS, queries.my_assignments)
    runtime.serve(contract.DRY_RUN_BATCH_ACTION, batches.dry_run)
    runtime.serve(contract.EXECUTE_BATCH_ACTION, batches.execute)
    runtime.serve(contract.GET_BATCH_OPERATION, batches.get)
    runtime.serve(contract.UNDO_BATCH_OPERATION, batches.undo)
    runtime.serve(contract.SYNC_OFFLINE_MUTATION, offline.sync)


def _action_handler(
    engine: Engine, action: ApprovalAction
) -> Callable[[contract.TakeAction, UnitOfWork], Awaitable[contract.ActionResult]]:
    async def on_action(request: contract.TakeAction, uow: UnitOfWork) -> contract.ActionResult:
        return await engine.act(
            uow,
            request.participant_id,
            action,
            Acting(
                actor_id=actor(),
                remarks=request.comment,
                expected_version=request.expected_version,
                permission=contract.action_permission(action),
                may_reopen=True,
            ),
        )

    return on_action


def _branch_handler(
    parallel: Parallel, action: ApprovalAction
) -> Callable[[contract.TakeBranchAction, UnitOfWork], Awaitable[contract.BranchActionResult]]:
    async def on_branch(request: contract.TakeBranchAction, uow: UnitOfWork) -> contract.BranchActionResult:
        return await parallel.act_on_branch(
            uow, request.participant_id, request.branch_step_id, action, actor_id=actor(), remarks=request.remarks
        )

    return on_branch
