"""workflow: auto-action rules, their order, and testing them against a participant."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from ...conditions.shapes import Condition
from ...enums import (
    ApprovalAction,
    AutoActionType,
)
from ...fields import Id, Name
from ...model import Model
from ._common import _NOT_FOUND, _WF_READ, _WF_UPDATE, _WRITE_ERRORS, Description, _cmd, _event, _qry, _route

MAX_AUTO_ACTION_DEPTH = 10


class AutoActionRule(Model):
    id: str
    step_id: str
    name: str
    description: str | None = None
    condition_expression: Condition
    action_type: AutoActionType
    priority: int
    is_active: bool
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime


class CreateAutoActionRule(Model):
    step_id: Id
    name: Name
    description: Description | None = None
    condition_expression: Condition
    action_type: AutoActionType
    priority: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    is_active: bool = True


class UpdateAutoActionRule(Model):
    id: Id
    name: Name | None = None
    description: Description | None = None
    condition_expression: Condition | None = None
    action_type: AutoActionType | None = None
    priority: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    is_active: bool | None = None


class AutoActionRuleRef(Model):
    id: Id


class ListAutoActionRules(Model):
    step_id: Id


class AutoActionRuleList(Model):
    data: list[AutoActionRule]


class ReorderAutoActionRules(Model):
    step_id: Id
    rule_ids: Annotated[list[Id], Field(min_length=1, max_length=500)] = Field(
        description="Every rule of the step, in the new order; priority becomes the position."
    )


class TestAutoActionRules(Model):
    """A dry run: which rule would act on a participant with this data. Nothing is changed."""

    step_id: Id
    data: dict[str, Any]
    rule_id: Id | None = Field(None, description="Test this rule only, even when inactive.")


class RuleMatch(Model):
    rule_id: str
    rule_name: str
    action_type: AutoActionType
    approval_action: ApprovalAction


class RuleTestOutcome(Model):
    rule_id: str
    rule_name: str
    is_active: bool
    matched: bool


class AutoActionRuleTest(Model):
    match: RuleMatch | None
    results: list[RuleTestOutcome]


class AutoActionRuleChanged(Model):
    rule: AutoActionRule


class AutoActionExecuted(Model):
    participant_id: str
    event_id: str
    step_id: str
    rule_id: str
    rule_name: str
    action_type: AutoActionType
    approval_action: ApprovalAction
    chain_depth: int
    next_step_id: str | None
    is_complete: bool


# --- domain events -------------------------------------------------------------------------------

AUTO_ACTION_RULE_CREATED = _event(
    "auto_action_rule", "created", AutoActionRuleChanged, "An auto-action rule was added."
)
AUTO_ACTION_RULE_UPDATED = _event(
    "auto_action_rule", "updated", AutoActionRuleChanged, "An auto-action rule changed (or was reordered)."
)
AUTO_ACTION_RULE_DELETED = _event(
    "auto_action_rule", "deleted", AutoActionRuleChanged, "An auto-action rule was removed."
)
AUTO_ACTION_EXECUTED = _event("auto_action", "executed", AutoActionExecuted, "A rule acted on a participant.")


# --- operations ----------------------------------------------------------------------------------

CREATE_AUTO_ACTION_RULE = _cmd(
    "create_auto_action_rule", CreateAutoActionRule, AutoActionRule, "Add an auto-action rule to a step.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("POST", "/steps/{stepId}/auto-action-rules", "Add an auto-action rule", "auto-actions", 201),
)  # fmt: skip
LIST_AUTO_ACTION_RULES = _qry(
    "list_auto_action_rules", ListAutoActionRules, AutoActionRuleList, "A step's rules, inactive too, by priority.",
    errors=_NOT_FOUND, permission=_WF_READ,
    http=_route("GET", "/steps/{stepId}/auto-action-rules", "List auto-action rules", "auto-actions"),
)  # fmt: skip
UPDATE_AUTO_ACTION_RULE = _cmd(
    "update_auto_action_rule", UpdateAutoActionRule, AutoActionRule, "Change an auto-action rule (partial).",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("PATCH", "/auto-action-rules/{id}", "Update an auto-action rule", "auto-actions"),
)  # fmt: skip
DELETE_AUTO_ACTION_RULE = _cmd(
    "delete_auto_action_rule", AutoActionRuleRef, AutoActionRuleRef, "Delete an auto-action rule.",
    errors=_NOT_FOUND, permission=_WF_UPDATE,
    http=_route("DELETE", "/auto-action-rules/{id}", "Delete an auto-action rule", "auto-actions", 204),
)  # fmt: skip
REORDER_AUTO_ACTION_RULES = _cmd(
    "reorder_auto_action_rules", ReorderAutoActionRules, AutoActionRuleList, "Set every rule's priority at once.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("POST", "/steps/{stepId}/auto-action-rules/reorder", "Reorder auto-action rules", "auto-actions"),
)  # fmt: skip
TEST_AUTO_ACTION_RULES = _qry(
    "test_auto_action_rules", TestAutoActionRules, AutoActionRuleTest, "Dry-run a step's rules against sample data.",
    errors=_NOT_FOUND, permission=_WF_READ,
    http=_route("POST", "/steps/{stepId}/auto-action-rules/test", "Test auto-action rules", "auto-actions"),
)  # fmt: skip
