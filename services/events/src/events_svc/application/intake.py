"""What other services' events do here: workflow's workflows feed ``expand=workflows``; a deleted
tenant's rows go."""

import sqlalchemy as sa

from plenary_contracts.catalog import workflow
from plenary_kit.db import UnitOfWork

from ..adapters import event_repository as events
from ..adapters.tables import metadata


async def workflow_changed(uow: UnitOfWork, payload: workflow.WorkflowChanged, *, deleted: bool) -> None:
    await events.remember_workflow(uow.session, payload.workflow, deleted=deleted)


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    """Every row of the tenant, dependents first; the messaging tables are not the tenant's data."""
    messaging = {uow.tables.outbox, uow.tables.inbox, uow.tables.idempotency}
    for table in reversed(metadata.sorted_tables):
        if "tenant_id" in table.c and table not in messaging:
            await uow.session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id))
