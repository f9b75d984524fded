"""Workflows of an event: create, list, read with steps, update (If-Match), soft delete."""

import sqlalchemy as sa

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import WorkflowStatus
from plenary_contracts.errors import NotFound
from plenary_kit.db import UnitOfWork, execute_unique, fetch_page
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import workflow_repository as workflows
from ..adapters.tables import workflow
from .common import tenant, utcnow

_NAME_TAKEN = {workflows.WORKFLOW_NAME_TAKEN: "another workflow of this event already has this name"}


async def live_workflow(uow: UnitOfWork, workflow_id: str, *, for_update: bool = False) -> sa.Row:  # type: ignore[type-arg]
    """The caller's tenant's workflow; deleted, missing and other tenants' ones are all not found."""
    row = await workflows.get_workflow(uow.session, workflow_id, tenant(), for_update=for_update)
    if row is None:
        raise NotFound(f"workflow {workflow_id} not found")
    return row


def _publish(uow: UnitOfWork, spec, row: sa.Row) -> contract.Workflow:  # type: ignore[no-untyped-def, type-arg]
    changed = workflows.to_workflow(row)
    uow.publish(spec, contract.WorkflowChanged(workflow=changed), subject=changed.id)
    return changed


async def create_workflow(request: contract.CreateWorkflow, uow: UnitOfWork) -> contract.Workflow:
    now = utcnow()
    workflow_id = new_id()
    statement = sa.insert(workflow).values(
        id=workflow_id,
        tenant_id=tenant(),
        event_id=request.event_id,
        participant_type_id=request.participant_type_id,
        name=request.name,
        description=request.description,
        status=WorkflowStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    await execute_unique(uow.session, statement, _NAME_TAKEN)
    return _publish(uow, contract.WORKFLOW_CREATED, await live_workflow(uow, workflow_id))


async def list_workflows(request: contract.ListWorkflows, uow: UnitOfWork) -> contract.WorkflowPage:
    query = workflows.workflows_query(tenant())
    if request.event_id is not None:
        query = query.where(workflow.c.event_id == request.event_id)
    if request.status is not None:
        query = query.where(workflow.c.status == request.status)
    rows, meta = await fetch_page(uow.session, query, request, workflows.SORTABLE, workflow.c.id)
    return contract.WorkflowPage(data=[workflows.to_workflow(r) for r in rows], meta=meta)


async def get_workflow(request: contract.WorkflowRef, uow: UnitOfWork) -> contract.Workflow:
    row = await live_workflow(uow, request.id)
    return workflows.to_workflow(row, await workflows.steps_of(uow.session, row.id))


async def update_workflow(request: contract.UpdateWorkflow, uow: UnitOfWork) -> contract.Workflow:
    """Details and DRAFT/ARCHIVED; PUBLISHED comes only from publishing. Explicit nulls clear the
    description and the participant type."""
    current = await live_workflow(uow, request.id, for_update=True)
    require_if_match(current.updated_at)
    values: dict[str, object] = {
        name: getattr(request, name) for name in ("name", "status") if getattr(request, name) is not None
    }
    values |= {
        name: getattr(request, name)
        for name in ("description", "participant_type_id")
        if name in request.model_fields_set
    }
    if not values:
        return await get_workflow(contract.WorkflowRef(id=request.id), uow)
    statement = sa.update(workflow).where(workflow.c.id == request.id).values(**values, updated_at=utcnow())
    await execute_unique(uow.session, statement, _NAME_TAKEN)
    updated = await live_workflow(uow, request.id)
    _publish(uow, contract.WORKFLOW_UPDATED, updated)
    return workflows.to_workflow(updated, await workflows.steps_of(uow.session, request.id))


async def delete_workflow(request: contract.WorkflowRef, uow: UnitOfWork) -> contract.WorkflowRef:
    """Soft delete: it disappears from lists and takes no new participants; those inside finish it
    on their pinned version."""
    await live_workflow(uow, request.id, for_update=True)
    now = utcnow()
    await uow.session.execute(
        sa.update(workflow).where(workflow.c.id == request.id).values(deleted_at=now, updated_at=now)
    )
    row = await workflows.get_workflow(uow.session, request.id, tenant(), with_deleted=True)
    _publish(uow, contract.WORKFLOW_DELETED, row)
    return contract.WorkflowRef(id=request.id)
