"""Workflows of an event: create (with its steps, if given), list, read with steps, update (If-Match),
soft delete.

The event and the participant type a workflow names belong to the events service: both are checked
there, in the caller's tenant, before they are stored. At most one live PUBLISHED workflow takes the
participants of an event and participant type (or, with no type, the event's default)."""

from typing import Protocol

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import WorkflowStatus
from plenary_contracts.errors import Conflict, NotFound
from plenary_kit.clients.events import KnownEvent
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import workflow_repository as workflows
from ..adapters.records import Workflow
from .common import Loc, field_error, live_workflow, refuse, tenant, utcnow
from .steps import insert_new_steps


class EventLookup(Protocol):
    async def event(self, tenant_id: str, event_id: str) -> KnownEvent | None: ...


async def checked_event(events: EventLookup, event_id: str, participant_type_id: str | None, type_at: Loc) -> None:
    """The event is the tenant's and live (else 404, like any other tenant's object); the participant
    type, when given, is one of its types (else 422 at ``type_at``)."""
    known = await events.event(tenant(), event_id)
    if known is None:
        raise NotFound(f"event {event_id} not found")
    if participant_type_id is not None and participant_type_id not in known.participant_type_ids:
        refuse(
            "the workflow is not valid",
            [field_error(type_at, f"{participant_type_id} is not a participant type of event {event_id}")],
        )


async def refuse_second_published(
    uow: UnitOfWork, workflow_id: str, event_id: str, participant_type_id: str | None
) -> None:
    """409 naming the workflow already PUBLISHED for this event and type; held until commit, so two
    concurrent publishes cannot both pass."""
    tenant_id = tenant()
    await workflows.hold_entry_slot(uow.session, tenant_id, event_id, participant_type_id)
    rival = await workflows.published_rival(uow.session, tenant_id, event_id, participant_type_id, workflow_id)
    if rival is not None:
        whom = f"participant type {participant_type_id}" if participant_type_id else "the event's default"
        raise Conflict(
            f'workflow {rival.id} ("{rival.name}") is already the PUBLISHED workflow for {whom}; '
            "archive it (or set it back to DRAFT) first",
            details={"publishedWorkflowId": rival.id, "participantTypeId": participant_type_id},
        )


def _publish(uow: UnitOfWork, spec, row: Workflow) -> contract.Workflow:  # type: ignore[no-untyped-def]
    changed = workflows.to_workflow(row)
    uow.publish(spec, contract.WorkflowChanged(workflow=changed), subject=changed.id)
    return changed


class Workflows:
    def __init__(self, events: EventLookup) -> None:
        self.events = events

    async def create_workflow(self, request: contract.CreateWorkflow, uow: UnitOfWork) -> contract.Workflow:
        await checked_event(self.events, request.event_id, request.participant_type_id, ("body", "participantTypeId"))
        now = utcnow()
        workflow_id = new_id()
        await workflows.insert_workflow(
            uow.session,
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
        created = _publish(uow, contract.WORKFLOW_CREATED, await live_workflow(uow, workflow_id))
        if not request.steps:
            return created
        await insert_new_steps(uow, await live_workflow(uow, workflow_id), request.steps, now)
        return await get_workflow(contract.WorkflowRef(id=workflow_id), uow)

    async def update_workflow(self, request: contract.UpdateWorkflow, uow: UnitOfWork) -> contract.Workflow:
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
        type_id = values.get("participant_type_id", current.participant_type_id)
        if type_id != current.participant_type_id:
            await checked_event(self.events, current.event_id, type_id, ("body", "participantTypeId"))
            if values.get("status", current.status) is WorkflowStatus.PUBLISHED:
                await refuse_second_published(uow, current.id, current.event_id, type_id)
        await workflows.update_workflow(uow.session, request.id, **values, updated_at=utcnow())
        updated = await live_workflow(uow, request.id)
        _publish(uow, contract.WORKFLOW_UPDATED, updated)
        return workflows.to_workflow(updated, await workflows.steps_of(uow.session, request.id))


async def list_workflows(request: contract.ListWorkflows, uow: UnitOfWork) -> contract.WorkflowPage:
    rows, meta = await workflows.page_workflows(uow.session, tenant(), request)
    return contract.WorkflowPage(data=[workflows.to_workflow(r) for r in rows], meta=meta)


async def get_workflow(request: contract.WorkflowRef, uow: UnitOfWork) -> contract.Workflow:
    row = await live_workflow(uow, request.id)
    return workflows.to_workflow(row, await workflows.steps_of(uow.session, row.id))


async def delete_workflow(request: contract.WorkflowRef, uow: UnitOfWork) -> contract.WorkflowRef:
    """Soft delete: it disappears from lists and takes no new participants; those inside finish it
    on their pinned version."""
    await live_workflow(uow, request.id, for_update=True)
    await workflows.mark_deleted(uow.session, request.id, utcnow())
    row = await workflows.get_workflow(uow.session, request.id, tenant(), with_deleted=True)
    assert row is not None
    _publish(uow, contract.WORKFLOW_DELETED, row)
    return contract.WorkflowRef(id=request.id)
