"""What other services' events do here: workflow's workflows feed ``expand=workflows``; a deleted
tenant's rows go."""

from plenary_contracts.catalog import workflow
from plenary_kit.db import UnitOfWork

from ..adapters import event_repository, tenant_purge


async def workflow_changed(uow: UnitOfWork, payload: workflow.WorkflowChanged) -> None:
    await event_repository.remember_workflow(uow.session, payload.workflow, deleted=False)


async def workflow_deleted(uow: UnitOfWork, payload: workflow.WorkflowChanged) -> None:
    """Kept as ``deleted_at``: an announcement older than the row kept changes nothing."""
    await event_repository.remember_workflow(uow.session, payload.workflow, deleted=True)


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await tenant_purge.purge(uow.session, tenant_id)
