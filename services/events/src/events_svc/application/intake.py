"""What other services' events do here: workflow's workflows feed ``expand=workflows``; a deleted
tenant's rows go."""

from plenary_contracts.catalog import workflow
from plenary_kit.db import UnitOfWork

from ..adapters import event_repository as events
from ..adapters.tenant_purge import purge_tenant


async def workflow_changed(uow: UnitOfWork, payload: workflow.WorkflowChanged, *, deleted: bool) -> None:
    await events.remember_workflow(uow.session, payload.workflow, deleted=deleted)


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await purge_tenant(uow.session, tenant_id)
