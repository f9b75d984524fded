"""Conditional routing: which step an action leads to from a step.

Approve routes (``config.conditionalRoutes``) serve APPROVE and PRINT, reject routes
(``config.rejectionConditionalRoutes``) serve REJECT; both only while routing is enabled for the
tenant. Without a matching route the step's fixed target applies. BYPASS, ESCALATE and RETURN are
never conditional.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from plenary_contracts.conditions import evaluate
from plenary_contracts.enums import ApprovalAction
from workflow_svc.domain.snapshot import Route, SnapshotStep


def evaluate_routes(
    routes: Sequence[Route] | None, data: Mapping[str, Any], field_types: Mapping[str, str] | None = None
) -> str | None:
    """The target of the first route, by ascending priority (ties keep their order), whose condition holds."""
    for route in sorted(routes or (), key=lambda r: r.priority):
        if evaluate(route.condition, data, field_types):
            return route.target_step_id
    return None


def resolve_next_step(
    step: SnapshotStep,
    action: ApprovalAction,
    data: Mapping[str, Any],
    routing_enabled: bool,
    field_types: Mapping[str, str] | None = None,
) -> str | None:
    if routing_enabled:
        routed = None
        if action in (ApprovalAction.APPROVE, ApprovalAction.PRINT):
            routed = evaluate_routes(step.conditional_routes, data, field_types)
        elif action is ApprovalAction.REJECT:
            routed = evaluate_routes(step.rejection_conditional_routes, data, field_types)
        if routed is not None:
            return routed
    match action:
        case ApprovalAction.APPROVE | ApprovalAction.PRINT:
            return step.next_step_id
        case ApprovalAction.REJECT:
            return step.rejection_target_id
        case ApprovalAction.BYPASS:
            return step.bypass_target_id
        case ApprovalAction.ESCALATE:
            return step.escalation_target_id
        case _:
            return None
