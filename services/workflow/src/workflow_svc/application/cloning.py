"""workflow's part of cloning an event: its workflows copied into the clone as DRAFTs without versions
(steps, assignments, auto-action rules; every reference pointed at the copies, see ``domain.cloning``),
and, to undo a clone, all of the clone's workflows deleted.

A copy announces each row it creates as the create routes do (``workflow.created``, ``step.created``,
``step.assigned``, ``auto_action_rule.created``); a repeated copy finds its rows by their derived ids,
writes and announces nothing, and answers the same. The assigned reviewers are not notified: a clone
asks nothing of them until its workflows are published and participants arrive."""

import dataclasses

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.saga_parts import CopiedPart, CopyEventPart, DropEventPart, DroppedPart
from plenary_kit.db import UnitOfWork

from ..adapters import clone_repository as clones
from ..adapters import rule_repository as rules
from ..adapters import workflow_repository as workflows
from ..adapters.assignment_repository import to_assignment
from ..domain.cloning import plan_copy
from .common import tenant, utcnow


async def copy_event_part(request: CopyEventPart, uow: UnitOfWork) -> CopiedPart:
    if not request.elements.workflows:
        return CopiedPart()
    tenant_id = tenant()
    source = await clones.event_workflows(uow.session, tenant_id, request.source_event_id)
    plan = plan_copy(
        request.operation_id,
        request.target_event_id,
        request.id_map,
        source.workflows,
        source.steps,
        source.assignments,
        source.rules,
    )
    now = utcnow()
    common = {"tenant_id": tenant_id, "created_at": now, "updated_at": now}
    for row in await clones.insert_workflows(uow.session, [common | w for w in plan.workflows]):
        changed = workflows.to_workflow(row)
        uow.publish(contract.WORKFLOW_CREATED, contract.WorkflowChanged(workflow=changed), subject=changed.id)
    for row in await clones.insert_steps(uow.session, [common | s for s in plan.steps]):
        created = workflows.to_step(row)
        uow.publish(contract.STEP_CREATED, contract.StepChanged(step=created), subject=created.id)
    for row in await clones.insert_assignments(uow.session, [common | a for a in plan.assignments]):
        assigned = to_assignment(row)
        uow.publish(contract.STEP_ASSIGNED, contract.StepAssignmentChanged(assignment=assigned), subject=assigned.id)
    for row in await clones.insert_rules(uow.session, [common | r for r in plan.rules]):
        rule = rules.to_rule(row)
        uow.publish(contract.AUTO_ACTION_RULE_CREATED, contract.AutoActionRuleChanged(rule=rule), subject=rule.id)
    return CopiedPart(id_map=plan.additions, counts=plan.counts)


async def drop_event_part(request: DropEventPart, uow: UnitOfWork) -> DroppedPart:
    """Every workflow of the target event goes, with its steps, versions, assignments and rules. A
    workflow still live is announced deleted, as deleting it does; one deleted before was announced then."""
    dropped = await clones.drop_event_workflows(uow.session, tenant(), request.target_event_id)
    now = utcnow()
    for row in dropped.workflows:
        if row.deleted_at is None:
            gone = workflows.to_workflow(dataclasses.replace(row, deleted_at=now, updated_at=now))
            uow.publish(contract.WORKFLOW_DELETED, contract.WorkflowChanged(workflow=gone), subject=gone.id)
    return DroppedPart(
        counts={
            "workflows": len(dropped.workflows),
            "steps": dropped.steps,
            "assignments": dropped.assignments,
            "rules": dropped.rules,
        }
    )
