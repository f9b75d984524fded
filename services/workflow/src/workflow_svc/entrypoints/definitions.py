"""workflow's definition side on the bus: workflows, steps, versions, rules, assignments, conditions,
and identity's users. Handlers translate; the use cases decide."""

from typing import Any

from plenary_contracts.catalog import identity
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.streams import consumer
from plenary_kit import context as ctx
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import assignments, conditions, directory, rules, steps, workflows
from ..application.versions import Versions, get_workflow_version, list_workflow_versions
from ..application.workflows import EventLookup

# The consumer's filter (evt.identity.user.>) also brings role and sign-in events; they are acknowledged.
_USER_EVENTS = [spec for spec in identity.EVENTS if spec.subject.startswith("evt.identity.user.")]


def register(runtime: Runtime, events: EventLookup, users: assignments.UserLookup) -> None:
    def parallel_enabled(tenant_id: str) -> bool:
        caller = ctx.current()
        context = FlagContext(tenant_id=tenant_id, roles=caller.roles, user_id=caller.actor_id)
        return runtime.flags.is_enabled(FlagKey.PARALLEL_WORKFLOWS, context)

    versions = Versions(parallel_enabled, events)
    definitions = workflows.Workflows(events)
    reviewers = assignments.Assignments(users)

    runtime.serve(contract.CREATE_WORKFLOW, definitions.create_workflow)
    runtime.serve(contract.LIST_WORKFLOWS, workflows.list_workflows)
    runtime.serve(contract.GET_WORKFLOW, workflows.get_workflow)
    runtime.serve(contract.UPDATE_WORKFLOW, definitions.update_workflow)
    runtime.serve(contract.DELETE_WORKFLOW, workflows.delete_workflow)
    runtime.serve(contract.PUBLISH_WORKFLOW, versions.publish_workflow)
    runtime.serve(contract.LIST_WORKFLOW_VERSIONS, list_workflow_versions)
    runtime.serve(contract.GET_WORKFLOW_VERSION, get_workflow_version)

    runtime.serve(contract.CREATE_STEP, steps.create_step)
    runtime.serve(contract.UPDATE_STEP, steps.update_step)
    runtime.serve(contract.DELETE_STEP, steps.delete_step)
    runtime.serve(contract.CONVERT_CONDITION, conditions.convert_condition)

    runtime.serve(contract.CREATE_AUTO_ACTION_RULE, rules.create_auto_action_rule)
    runtime.serve(contract.LIST_AUTO_ACTION_RULES, rules.list_auto_action_rules)
    runtime.serve(contract.UPDATE_AUTO_ACTION_RULE, rules.update_auto_action_rule)
    runtime.serve(contract.DELETE_AUTO_ACTION_RULE, rules.delete_auto_action_rule)
    runtime.serve(contract.REORDER_AUTO_ACTION_RULES, rules.reorder_auto_action_rules)
    runtime.serve(contract.TEST_AUTO_ACTION_RULES, rules.dry_run_auto_action_rules)

    runtime.serve(contract.ASSIGN_STEP, reviewers.assign_step)
    runtime.serve(contract.REASSIGN_STEP, reviewers.reassign_step)
    runtime.serve(contract.UNASSIGN_STEP, assignments.unassign_step)
    runtime.serve(contract.LIST_STEP_ASSIGNMENTS, assignments.list_step_assignments)
    runtime.serve(contract.LIST_USER_ASSIGNMENTS, assignments.list_user_assignments)

    async def on_user_event(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        if isinstance(payload, identity.UserChanged):
            await directory.user_changed(uow, payload)
        elif isinstance(payload, identity.UserDeleted):
            await directory.user_deleted(uow, payload)

    runtime.consume(consumer("workflow_user_directory"), _USER_EVENTS, on_user_event)
