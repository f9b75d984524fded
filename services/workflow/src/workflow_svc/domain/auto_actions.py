"""Auto-action rules: the first active rule whose condition holds acts for the system.

Rules run by ascending priority (ties keep their order). The chain acts, and while the action moved
the participant to another step without completing it or opening a fork, runs again at the new step,
at most ``MAX_AUTO_ACTION_DEPTH`` actions deep. Participant data is not refreshed between steps: the
whole chain reads the data the participant arrived with.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from plenary_contracts.conditions import evaluate
from plenary_contracts.enums import ApprovalAction, AutoActionType
from workflow_svc.domain.snapshot import Snapshot

from .decisions import Outcome, decide

MAX_AUTO_ACTION_DEPTH = 10

APPROVAL_FOR: Mapping[AutoActionType, ApprovalAction] = MappingProxyType(
    {
        AutoActionType.AUTO_APPROVE: ApprovalAction.APPROVE,
        AutoActionType.AUTO_REJECT: ApprovalAction.REJECT,
        AutoActionType.AUTO_BYPASS: ApprovalAction.BYPASS,
        AutoActionType.AUTO_ESCALATE: ApprovalAction.ESCALATE,
    }
)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    condition: Mapping[str, Any] | None
    action_type: AutoActionType
    priority: int = 0
    is_active: bool = True

    @property
    def approval_action(self) -> ApprovalAction:
        return APPROVAL_FOR[self.action_type]

    @property
    def remarks(self) -> str:
        """The Approval's remarks when this rule acts."""
        return f"Auto-action: {self.name}"


@dataclass(frozen=True)
class ChainStep:
    rule: Rule
    outcome: Outcome


@dataclass(frozen=True)
class ChainResult:
    previous_step_id: str  # where the chain started
    next_step_id: str | None  # where the last action led (None when it completed the workflow)
    is_complete: bool
    actions_executed: tuple[ChainStep, ...]
    chain_depth: int  # the number of actions executed


def first_matching_rule(
    rules: Sequence[Rule], data: Mapping[str, Any], field_types: Mapping[str, str] | None = None
) -> Rule | None:
    for rule in sorted((r for r in rules if r.is_active), key=lambda r: r.priority):
        if evaluate(rule.condition, data, field_types):
            return rule
    return None


def may_run_at_depth(depth: int) -> bool:
    return depth < MAX_AUTO_ACTION_DEPTH


def simulate_chain(
    snapshot: Snapshot,
    step_id: str,
    rules_by_step: Mapping[str, Sequence[Rule]],
    data: Mapping[str, Any],
    *,
    routing_enabled: bool,
    parallel_enabled: bool,
    depth: int = 0,
    field_types: Mapping[str, str] | None = None,
) -> ChainResult | None:
    """What the chain does from ``step_id`` at ``depth``, without doing it; None when no rule acts.

    A refused action raises ``ActionRefused`` as the engine call would.
    """
    executed: list[ChainStep] = []
    current: str | None = step_id
    while current is not None and may_run_at_depth(depth + len(executed)):
        rule = first_matching_rule(rules_by_step.get(current, ()), data, field_types)
        if rule is None:
            break
        outcome = decide(
            snapshot,
            current,
            rule.approval_action,
            data,
            routing_enabled=routing_enabled,
            parallel_enabled=parallel_enabled,
            return_step_id=None,
            field_types=field_types,
        )
        executed.append(ChainStep(rule, outcome))
        if outcome.is_complete or outcome.forks:
            break
        current = outcome.next_step_id
    if not executed:
        return None
    last = executed[-1].outcome
    return ChainResult(
        previous_step_id=step_id,
        next_step_id=last.next_step_id,
        is_complete=last.is_complete,
        actions_executed=tuple(executed),
        chain_depth=len(executed),
    )
