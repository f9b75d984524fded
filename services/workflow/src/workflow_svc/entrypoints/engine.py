"""workflow's engine entrypoints: participant actions, branches, batches, offline sync, arrivals, timers."""

from collections.abc import Awaitable, Callable
from typing import Any

from plenary_contracts.catalog import events, identity, registration
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.streams import consumer
from plenary_kit import context as ctx
from plenary_kit.db import UnitOfWork, drain
from plenary_kit.logging import get_logger
from plenary_kit.service import Runtime

from ..application import intake
from ..application.batch import Batches
from ..application.common import actor
from ..application.engine import Acting, Engine
from ..application.offline import OfflineSync
from ..application.parallel import Parallel
from ..application.queries import Queries
from ..application.sla import SlaTimers

log = get_logger(__name__)


def register(runtime: Runtime) -> None:
    def flag_on(key: FlagKey, tenant_id: str) -> bool:
        current = ctx.current()
        return runtime.flags.is_enabled(
            key, FlagContext(tenant_id=tenant_id, roles=current.roles, user_id=current.actor_id)
        )

    engine = Engine(flag_on)
    parallel = Parallel(engine)
    batches = Batches(engine, runtime.uow)
    queries = Queries(engine)
    entries = intake.Intake(engine)
    sla = SlaTimers(engine)

    for action, spec in contract.TAKE_ACTION.items():
        runtime.serve(spec, _action_handler(engine, action))
    for action, spec in contract.TAKE_BRANCH_ACTION.items():

        async def on_branch(request: contract.TakeBranchAction, uow: UnitOfWork, action: Any = action) -> Any:
            return await parallel.act_on_branch(
                uow, request.participant_id, request.branch_step_id, action, actor_id=actor(), remarks=request.remarks
            )

        runtime.serve(spec, on_branch)

    runtime.serve(contract.GET_PROGRESS, queries.get_progress)
    runtime.serve(contract.LIST_APPROVALS, queries.list_approvals)
    runtime.serve(contract.LIST_MY_ASSIGNMENTS, queries.my_assignments)
    runtime.serve(contract.DRY_RUN_BATCH_ACTION, batches.dry_run)
    runtime.serve(contract.EXECUTE_BATCH_ACTION, batches.execute)
    runtime.serve(contract.GET_BATCH_OPERATION, batches.get)
    runtime.serve(contract.UNDO_BATCH_OPERATION, batches.undo)
    runtime.serve(contract.SYNC_OFFLINE_MUTATION, OfflineSync(engine).sync)

    async def on_participant(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        if event.type == registration.PARTICIPANT_REGISTERED.type:
            await entries.registered(uow, payload)
        elif event.type == registration.PARTICIPANT_UPDATED.type:
            await entries.updated(uow, payload)
        elif event.type == registration.PARTICIPANT_DELETED.type:
            await entries.deleted(uow, payload)
        else:
            await entries.merged(uow, payload)

    async def on_arrival(uow: UnitOfWork, event: CloudEvent, payload: contract.StepEntered) -> None:
        await engine.arrive(uow, payload)

    async def on_event_deleted(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        await intake.event_deleted(uow, payload.event_id, event.tenantid)

    async def on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        await intake.tenant_deleted(uow, payload.tenant_id)

    runtime.consume(
        consumer("workflow_participant_intake"),
        [
            registration.PARTICIPANT_REGISTERED,
            registration.PARTICIPANT_UPDATED,
            registration.PARTICIPANT_DELETED,
            registration.PARTICIPANT_MERGED,
        ],
        on_participant,
    )
    runtime.consume(consumer("workflow_arrivals"), [contract.PARTICIPANT_STEP_ENTERED], on_arrival)
    runtime.consume(consumer("workflow_event_cleanup"), [events.EVENT_DELETED], on_event_deleted)
    runtime.consume(consumer("workflow_tenant_cleanup"), [identity.TENANT_DELETED], on_tenant_deleted)

    async def sweep() -> None:
        for step in (sla.warn_next, sla.breach_next, parallel.time_out_next_branch):
            try:
                await drain(runtime.uow, step)
            except Exception:  # one failing kind of timer must not hold up the others
                log.exception("timer sweep failed", sweep=step.__qualname__)

    runtime.every(runtime.base_settings.workflow_timer_seconds, sweep)


def _action_handler(engine: Engine, action: Any) -> Callable[[contract.TakeAction, UnitOfWork], Awaitable[Any]]:
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
