"""Publishing: the step graph, validated, frozen as an immutable version; a new version only when the
snapshot's hash changed. The event and participant type are checked again with the events service,
and a second PUBLISHED workflow for the same event and type is refused (409 naming the first)."""

from datetime import datetime
from typing import Any

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import WorkflowStatus
from plenary_contracts.errors import BadRequest, NotFound
from plenary_contracts.flags import FlagKey
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import workflow_repository as workflows
from ..adapters.records import Workflow, WorkflowVersion
from ..domain.publishing import publish_problems
from ..domain.snapshot import build_snapshot, snapshot_hash
from .common import FlagCheck, actor, field_error, live_workflow, refuse, tenant, utcnow
from .workflows import EventLookup, checked_event, refuse_second_published


class Versions:
    def __init__(self, flag_on: FlagCheck, events: EventLookup) -> None:
        self.flag_on = flag_on
        self.events = events

    async def publish_workflow(self, request: contract.PublishWorkflow, uow: UnitOfWork) -> contract.Publication:
        tenant_id = tenant()
        # The lock serialises publishes (version n+1 is taken once) and step edits (see steps.py).
        current = await workflows.get_workflow(uow.session, request.id, tenant_id, for_update=True, with_deleted=True)
        if current is None:
            raise NotFound(f"workflow {request.id} not found")
        if current.deleted_at is not None:
            raise BadRequest("a deleted workflow cannot be published")
        if current.status is WorkflowStatus.ARCHIVED:
            raise BadRequest("an ARCHIVED workflow cannot be published; set it back to DRAFT first")
        # The event or the type may have gone since the workflow was written.
        await checked_event(
            self.events, current.event_id, current.participant_type_id, ("workflow", "participantTypeId")
        )
        await refuse_second_published(uow, current.id, current.event_id, current.participant_type_id)
        steps = await workflows.steps_of(uow.session, current.id)
        snapshot = build_snapshot(current.id, current.name, (workflows.snapshot_step(s) for s in steps))
        problems = publish_problems(snapshot, parallel_enabled=self.flag_on(FlagKey.PARALLEL_WORKFLOWS))
        refuse(
            "the workflow cannot be published",
            (field_error(["steps", step_id] if step_id else ["workflow"], message) for step_id, message in problems),
        )
        snapshot_json = snapshot.to_json()
        digest = snapshot_hash(snapshot_json)
        latest = await workflows.latest_version(uow.session, current.id)
        now = utcnow()
        created = latest is None or latest.snapshot_hash != digest
        if created:
            number = (latest.version if latest is not None else 0) + 1
            latest = await _insert_version(uow, current, number, snapshot_json, digest, request.change_description)
        assert latest is not None
        if current.status is not WorkflowStatus.PUBLISHED:
            await _mark_published(uow, current.id, now)
        version = workflows.to_version(latest)
        if created:
            published = contract.WorkflowPublished(
                workflow_id=current.id,
                event_id=current.event_id,
                name=current.name,
                version_id=version.id,
                version=version.version,
                snapshot_hash=digest,
                step_count=len(snapshot.steps),
            )
            uow.publish(contract.WORKFLOW_PUBLISHED, published, subject=current.id)
        return contract.Publication(version=version, created=created)


async def _insert_version(
    uow: UnitOfWork,
    owner: Workflow,
    number: int,
    snapshot_json: dict[str, Any],
    digest: str,
    change_description: str | None,
) -> WorkflowVersion:
    return await workflows.insert_version(
        uow.session,
        id=new_id(),
        tenant_id=owner.tenant_id,
        workflow_id=owner.id,
        version=number,
        snapshot=snapshot_json,
        snapshot_hash=digest,
        change_description=change_description,
        created_by=actor(),
    )


async def _mark_published(uow: UnitOfWork, workflow_id: str, now: datetime) -> None:
    """PUBLISHED is a visible change of the workflow, announced like any other update."""
    await workflows.mark_published(uow.session, workflow_id, now)
    changed = workflows.to_workflow(await live_workflow(uow, workflow_id))
    uow.publish(contract.WORKFLOW_UPDATED, contract.WorkflowChanged(workflow=changed), subject=workflow_id)


async def list_workflow_versions(
    request: contract.ListWorkflowVersions, uow: UnitOfWork
) -> contract.WorkflowVersionPage:
    await live_workflow(uow, request.workflow_id)
    rows, meta = await workflows.page_versions(uow.session, request.workflow_id, request)
    return contract.WorkflowVersionPage(data=[workflows.to_version(r) for r in rows], meta=meta)


async def get_workflow_version(request: contract.GetWorkflowVersion, uow: UnitOfWork) -> contract.WorkflowVersion:
    await live_workflow(uow, request.workflow_id)
    row = await workflows.version_number(uow.session, request.workflow_id, request.version)
    if row is None:
        raise NotFound(f"workflow {request.workflow_id} has no version {request.version}")
    return workflows.to_version(row)
