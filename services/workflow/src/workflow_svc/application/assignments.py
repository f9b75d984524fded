"""Step assignment: who reviews a step. Assign upserts on (step, user), reassign moves an
assignment to another user keeping its strategy, unassign deactivates. The assigned user is notified.

Only a user of the caller's tenant (or a global one) can be assigned: the local directory of
identity's users answers, and identity itself when the directory does not hold the user yet (its
event may still be on the way). Anyone else is refused with 422 on ``userId``."""

from typing import Any, Protocol

from plenary_contracts.catalog import identity
from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.errors import NotFound
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import assignment_repository as assignments
from ..adapters import workflow_repository as workflows
from ..adapters.records import LiveStep, StepAssignment
from .common import actor, field_error, refuse, tenant, utcnow

NOTIFICATION_TYPE = "step_assignment"


class UserLookup(Protocol):
    async def user(self, tenant_id: str, user_id: str) -> identity.User | None: ...


async def _step(uow: UnitOfWork, step_id: str) -> LiveStep:
    found = await workflows.get_step(uow.session, step_id, tenant())
    if found is None:
        raise NotFound(f"step {step_id} not found")
    return found


async def _assignment(uow: UnitOfWork, assignment_id: str) -> StepAssignment:
    found = await assignments.get(uow.session, assignment_id, tenant(), for_update=True)
    if found is None:
        raise NotFound(f"step assignment {assignment_id} not found")
    return found


async def _assign(uow: UnitOfWork, step_id: str, user_id: str, strategy: Any) -> StepAssignment:
    return await assignments.upsert(
        uow.session,
        tenant_id=tenant(),
        step_id=step_id,
        user_id=user_id,
        strategy=strategy,
        assigned_by=actor(),
        now=utcnow(),
        assignment_id=new_id(),
    )


def _announce(
    uow: UnitOfWork, spec, row: StepAssignment, previous_user_id: str | None = None
) -> workflow_contract.StepAssignment:  # type: ignore[no-untyped-def]
    assignment = assignments.to_assignment(row)
    changed = workflow_contract.StepAssignmentChanged(assignment=assignment, previous_user_id=previous_user_id)
    uow.publish(spec, changed, subject=assignment.id)
    return assignment


def _notify(uow: UnitOfWork, row: StepAssignment) -> None:
    notice = workflow_contract.NotificationRequested(
        user_id=row.user_id,
        type=NOTIFICATION_TYPE,
        title="New step assignment",
        message=f'You have been assigned to review "{row.step_name}" in the workflow "{row.workflow_name}".',
        data={"stepId": row.step_id, "assignmentId": row.id},
    )
    uow.publish(workflow_contract.NOTIFICATION_REQUESTED, notice, subject=row.user_id)


class Assignments:
    def __init__(self, users: UserLookup) -> None:
        self.users = users

    async def assign_step(
        self, request: workflow_contract.AssignStep, uow: UnitOfWork
    ) -> workflow_contract.StepAssignment:
        target = await _step(uow, request.step_id)
        await self._assignable(uow, request.user_id)
        row = await _assign(uow, target.id, request.user_id, request.strategy)
        assignment = _announce(uow, workflow_contract.STEP_ASSIGNED, row)
        _notify(uow, row)
        return assignment

    async def reassign_step(
        self, request: workflow_contract.ReassignStep, uow: UnitOfWork
    ) -> workflow_contract.StepAssignment:
        current = await _assignment(uow, request.id)
        await self._assignable(uow, request.user_id)
        await assignments.deactivate(uow.session, current.id, utcnow())
        row = await _assign(uow, current.step_id, request.user_id, current.strategy)
        assignment = _announce(uow, workflow_contract.STEP_REASSIGNED, row, previous_user_id=current.user_id)
        _notify(uow, row)
        return assignment

    async def _assignable(self, uow: UnitOfWork, user_id: str) -> None:
        tenant_id = tenant()
        known = await assignments.known_user(uow.session, user_id)
        if known is not None and known.tenant_id in (None, tenant_id):
            return
        if known is None:
            found = await self.users.user(tenant_id, user_id)
            if found is not None:
                await assignments.remember_user(
                    uow.session,
                    user_id=found.id,
                    tenant_id=found.tenant_id,
                    name=found.name,
                    email=found.email,
                    updated_at=found.updated_at,
                )
                return
        refuse("the user cannot be assigned", [field_error(("body", "userId"), f"no user {user_id} in this tenant")])


async def unassign_step(
    request: workflow_contract.StepAssignmentRef, uow: UnitOfWork
) -> workflow_contract.StepAssignmentRef:
    """Deactivates; unassigning an inactive assignment changes nothing and announces nothing."""
    current = await _assignment(uow, request.id)
    if current.is_active:
        _announce(
            uow, workflow_contract.STEP_UNASSIGNED, await assignments.deactivate(uow.session, current.id, utcnow())
        )
    return workflow_contract.StepAssignmentRef(id=current.id)


async def list_step_assignments(
    request: workflow_contract.ListStepAssignments, uow: UnitOfWork
) -> workflow_contract.StepAssignmentList:
    target = await _step(uow, request.step_id)
    rows = await assignments.of_step(uow.session, target.id)
    return workflow_contract.StepAssignmentList(data=[assignments.to_assignment(r) for r in rows])


async def list_user_assignments(
    request: workflow_contract.ListUserAssignments, uow: UnitOfWork
) -> workflow_contract.StepAssignmentList:
    rows = await assignments.of_user(uow.session, request.user_id, tenant())
    return workflow_contract.StepAssignmentList(data=[assignments.to_assignment(r) for r in rows])
