"""identity's users, as workflow needs them: names for assignment lists, and the cascade of a deletion."""

from plenary_contracts.catalog import identity
from plenary_contracts.catalog import workflow as workflow_contract
from plenary_kit import context as ctx
from plenary_kit.db import UnitOfWork

from ..adapters import assignment_repository as assignments
from .common import utcnow


async def user_changed(uow: UnitOfWork, payload: identity.UserChanged) -> None:
    user = payload.user
    await assignments.remember_user(
        uow.session,
        user_id=user.id,
        tenant_id=user.tenant_id,
        name=user.name,
        email=user.email,
        updated_at=user.updated_at,
    )


async def user_deleted(uow: UnitOfWork, payload: identity.UserDeleted) -> None:
    """The user's step assignments go (each active one announced as unassigned) and its open
    participant assignments end, so those participants can be given to someone else."""
    for row in await assignments.forget_user(uow.session, payload.user_id, utcnow()):
        gone = assignments.to_assignment(row).model_copy(update={"is_active": False})
        # a global user may review steps of several tenants: each event carries its assignment's tenant
        with ctx.acting(tenant_id=row.tenant_id):
            uow.publish(
                workflow_contract.STEP_UNASSIGNED,
                workflow_contract.StepAssignmentChanged(assignment=gone),
                subject=gone.id,
            )
