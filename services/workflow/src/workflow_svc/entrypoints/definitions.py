"""workflow's definition side on the bus: workflows, steps, versions, rules, assignments and conditions.
Handlers translate; the use cases decide."""

from plenary_contracts.catalog import workflow as contract
from plenary_kit.service import Runtime

from ..application import assignments, conditions, rules, steps, workflows
from ..application.versions import Versions, get_workflow_version, list_workflow_versions


def register(
    runtime: Runtime, *, definitions: workflows.Workflows, versions: Versions, reviewers: assignments.Assignments
) -> None:
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
