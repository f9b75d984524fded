"""Other services' events this service consumes: workflow's workflows and identity's deleted tenants."""

from typing import Any

from plenary_contracts.catalog import identity, workflow
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import intake


async def _workflow_changed(uow: UnitOfWork, event: CloudEvent, payload: workflow.WorkflowChanged) -> None:
    await intake.workflow_changed(uow, payload)


async def _workflow_deleted(uow: UnitOfWork, event: CloudEvent, payload: workflow.WorkflowChanged) -> None:
    await intake.workflow_deleted(uow, payload)


async def _acknowledged(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
    """The consumer's filter (evt.workflow.workflow.>) also brings ``published``; a publication changes
    the status through ``updated``, so it is acknowledged and nothing more."""


async def _tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
    await intake.tenant_deleted(uow, payload.tenant_id)


def register(runtime: Runtime) -> None:
    runtime.consume_each(
        consumer("events_workflow_directory"),
        {
            workflow.WORKFLOW_CREATED: _workflow_changed,
            workflow.WORKFLOW_UPDATED: _workflow_changed,
            workflow.WORKFLOW_DELETED: _workflow_deleted,
            workflow.WORKFLOW_PUBLISHED: _acknowledged,
        },
    )
    runtime.consume(consumer("events_tenant_cleanup"), [identity.TENANT_DELETED], _tenant_deleted)
